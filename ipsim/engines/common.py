"""What every engine shares: one parameter set, one initial state, year 0, checks, the gate.

Both engines (:mod:`ipsim.engines.vectorised` and :mod:`ipsim.engines.des`) read the
scenario through these functions only, and every one of them iterates over the mechanism
registry (:mod:`ipsim.model.registry`), so the per-path parameter values, the initial state
and the baseline column are defined once. The uncertain parameters are drawn from the run's
named streams (:mod:`ipsim.engines.streams`), so path ``i`` of a run has the same parameter
values whichever engine simulates it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ipsim.engines.streams import Streams
from ipsim.errors import ModelError
from ipsim.model import funding, registry
from ipsim.model.measures import measure
from ipsim.model.mechanism import Mechanism, Period, Start
from ipsim.model.state import State
from ipsim.scenario.params import Distribution, Scenario

__all__ = ["parameter_bounds", "realise_parameters", "take_paths", "baseline", "start_of",
           "initial_state", "prepare", "year0", "has_gate", "check_flows", "GateProgress", "view",
           "settings", "SHOCKS"]

SHOCKS = "shocks"
"""Section of the shock loadings (the ``shocks:`` key of a scenario)."""


def _bounds() -> dict[tuple[str, str], tuple[float, float]]:
    out = {(s, p.name): (p.low, p.high) for s, ps in registry.sections().items() for p in ps}
    out.update({(SHOCKS, s.name): (0.0, 0.99) for s in registry.series()})
    return out


def parameter_bounds(section: str, name: str) -> tuple[float, float]:
    """The range ``(low, high)`` of a parameter, in its unit (draws are clipped to it)."""
    return _bounds()[section, name]


def realise_parameters(scenario: Scenario, streams: Streams) -> tuple[dict, dict]:
    """Per-path values of every parameter: numbers stay numbers, distributions are drawn.

    Each uncertain parameter is drawn by inversion from its own stream
    ``param:<section>.<name>`` (see :mod:`ipsim.model.uncertainty`). A parameter given as a
    ``(paths,)`` array (:mod:`ipsim.engines.batch`) is used path by path.

    Returns
    -------
    sections : dict
        Mechanism name -> its frozen parameters (each value a float or a (paths,) array);
        ``"shocks"`` -> dict of series -> loading.
    drawn : dict of str to numpy.ndarray
        ``section.name`` -> (paths,) draws of the uncertain parameters.
    """
    bounds = _bounds()
    values, drawn = {}, {}
    for section, given in scenario.parameters.items():
        ns = {}
        for name, value in given.items():
            if isinstance(value, Distribution):
                low, high = bounds[section, name]
                value = value.from_uniform(streams.uniform(f"param:{section}.{name}"), low, high)
                drawn[f"{section}.{name}"] = value
            ns[name] = value
        values[section] = ns
    sections = {m.name: m.parameters(values[m.name]) for m in registry.mechanisms()}
    sections[SHOCKS] = values[SHOCKS]
    return sections, drawn


def _subset(value, index):
    return value[index] if isinstance(value, np.ndarray) else value


def take_paths(sections: dict, index) -> dict:
    """The parameter sections of :func:`realise_parameters` restricted to ``index`` paths."""
    out = {SHOCKS: {k: _subset(v, index) for k, v in sections[SHOCKS].items()}}
    for m in registry.mechanisms():
        p = sections[m.name]
        out[m.name] = m.parameters({f: _subset(getattr(p, f), index)
                                    for f in p.__dataclass_fields__})
    return out


def baseline(scenario: Scenario) -> dict[str, float]:
    """Year-0 value of every baseline quantity (the scenario's, else the default)."""
    return {p.name: scenario.baseline.get(p.name, p.default)
            for p in registry.baseline_params()}


def start_of(scenario: Scenario, n: int) -> Start:
    """What the mechanisms' ``init`` see for ``n`` paths of ``scenario``."""
    return Start(n, baseline(scenario), scenario.horizon_months)


def view(state: State, m: Mechanism):
    """The part of ``state`` mechanism ``m`` may touch (:class:`ipsim.model.state.StateView`)."""
    return state.view(m.name, m.owns, m.reads)


def settings(scenario: Scenario) -> dict:
    """The policy settings the mechanisms read (``fast_track_share``)."""
    return {s: getattr(scenario.policy, s) for s in registry.settings()}


def initial_state(scenario: Scenario, p: dict, n: int) -> State:
    """The state at month 0 of ``n`` paths: funding's, then each mechanism's ``init`` in
    registry order.

    Raises
    ------
    ModelError
        A mechanism's ``init`` did not make every array it declares it owns.
    """
    state = State(n)
    funding.init(state, registry.levers())
    start = start_of(scenario, n)
    for m in registry.mechanisms():
        m.init(view(state, m), p[m.name], start)
        if missing := [a for a in m.owns if not hasattr(state, a)]:
            raise ModelError(f"mechanism '{m.name}' declares it owns {missing} but its init "
                             "did not make them")
    return state


def prepare(scenario: Scenario, state: State, p: dict,
            series: Callable[[str], np.ndarray], skip=()) -> None:
    """Call every mechanism's ``prepare`` (registry order, after every ``init``) with the
    shocks of every month of the series it loads on.

    Parameters
    ----------
    series : callable
        ``series(name) -> (H, paths)`` standardised shocks of that series in months 1..H.
    skip : collection of str
        Mechanisms not to prepare (the discrete-event engine's event forms).
    """
    fixed = settings(scenario)
    for m in registry.mechanisms():
        if m.prepare is not None and m.name not in skip:
            m.prepare(view(state, m), p[m.name],
                      Period(scenario.horizon_months, {s: series(s) for s in m.shocks}, fixed))


def year0(scenario: Scenario, state: State, p: dict) -> dict[str, np.ndarray | float]:
    """Column 0 of each indicator: its baseline figure where the scenario has one of the same
    name (flows, initial stocks), what its mechanism's ``year0`` says, else 0 (outputs)."""
    base = baseline(scenario)
    out = {name: base.get(name, 0.0) for name in registry.indicators()}
    for m in registry.mechanisms():
        if m.year0 is not None:
            out.update(m.year0(view(state, m), p[m.name]))
    return out


def has_gate(scenario: Scenario) -> bool:
    """Whether a mid-term evaluation gates a conditional tranche."""
    return scenario.policy.midterm is not None and any(
        t.conditional for t in scenario.policy.tranches)


def check_flows(flows: Mapping[str, np.ndarray], month: int) -> None:
    """Raise :class:`~ipsim.errors.ModelError` naming the mechanism if a month's flow is
    negative, NaN or infinite."""
    for name, x in flows.items():
        if not (x.min() >= 0.0 and np.isfinite(x.max())):
            bad = "NaN" if np.isnan(x).any() else ("infinite" if np.isinf(x).any()
                                                   else "negative")
            raise ModelError(f"mechanism '{registry.owner(name)}' produced a {bad} value of "
                             f"'{name}' in month {month}")


class GateProgress:
    """Accumulates, for the targets the mid-term rule judges, their progress to month M.

    What is tracked for a target is what its measure asks for
    (:data:`ipsim.model.measures.PROGRESS`): the last 12 months' flow, the total so far, the
    level now (a stock: read from the state array its mechanism records) or whether the
    event has happened (the state array of its first month).

    Parameters
    ----------
    scenario : Scenario
        Its ``policy.midterm`` names the month and the targets.
    yearly : dict of str to numpy.ndarray
        The indicators' yearly arrays; column 0 (year 0) gives each target's baseline
        (the mean over the paths given).
    """

    def __init__(self, scenario: Scenario, yearly: Mapping[str, np.ndarray]):
        mid = scenario.policy.midterm
        self.scenario = scenario
        self.targets = [scenario.target(t) for t in (mid.targets if mid else ())]
        self.month = mid.month if mid else 0
        kinds = registry.indicators()
        self.kind = {t.id: measure(t.measure).progress(kinds[t.indicator].kind)
                     for t in self.targets}
        self.window = {t.indicator: 0.0 for t in self.targets}
        self.total = {t.indicator: 0.0 for t in self.targets}
        self.baselines = {t.id: float(np.mean(yearly[t.indicator][:, 0])) for t in self.targets}
        self.levels = {ind: attr for m in registry.mechanisms()
                       for ind, attr in {**m.stocks, **m.events}.items()}

    def add(self, month: int, flows: Mapping[str, np.ndarray]) -> None:
        """Count month ``month``'s flows (1-based) towards the progress."""
        if month > self.month:
            return
        for name in self.window:
            if name in flows:
                self.total[name] = self.total[name] + flows[name]
                if month > self.month - 12:
                    self.window[name] = self.window[name] + flows[name]

    def progress(self, target, month: int, state) -> np.ndarray:
        """The progress of ``target`` at the close of ``month``, (paths,)."""
        kind = self.kind[target.id]
        if kind == "window":
            return self.window[target.indicator]
        if kind == "total":
            return self.total[target.indicator]
        value = getattr(state, self.levels[target.indicator])
        return (value <= month).astype(float) if kind == "event" else value

    def verdict(self, month: int, state) -> np.ndarray:
        """(paths,) bool: the gate opens; ``state`` holds (paths,) arrays of the stocks and
        event months the judged targets need (the engine's state, or a DES path's)."""
        progress = {t.id: self.progress(t, month, state) for t in self.targets}
        return funding.midterm_verdict(self.scenario.policy.midterm,
                                       {t.id: t for t in self.targets}, progress,
                                       self.baselines, self.scenario.horizon_months, state.n)
