"""What every engine shares: one parameter set, one initial state, year 0, checks, the gate.

Both engines (:mod:`ipsim.engines.vectorised` and :mod:`ipsim.engines.des`) read the
scenario through these functions only, and every one of them iterates over the mechanism
registry (:mod:`ipsim.model.registry`), so the per-path parameter values, the initial state
and the baseline column are defined once. The uncertain parameters are drawn from the run's
named streams (:mod:`ipsim.engines.streams`), so path ``i`` of a run has the same parameter
values whichever engine simulates it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ipsim.engines.streams import Streams
from ipsim.errors import ModelError
from ipsim.model import funding, growth, registry, uncertainty
from ipsim.model.measures import measure
from ipsim.model.mechanism import Mechanism, Period, Start
from ipsim.model.state import State
from ipsim.scenario import correlations
from ipsim.scenario.params import Distribution, Scenario

__all__ = ["parameter_bounds", "realise_parameters", "take_paths", "baseline", "start_of",
           "StartDraws", "draw_start", "initial_state", "prepare", "year0", "has_gate",
           "check_flows", "GateProgress", "view", "settings", "SHOCKS", "YEAR0_SHOCKS"]

SHOCKS = "shocks"
"""Section of the shock loadings (the ``shocks:`` key of a scenario)."""

YEAR0_SHOCKS = "year0:shocks"
"""Stream of year 0's monthly shocks (the common factor and one per series, like ``shocks``,
for each of the eleven steps within year 0)."""


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
    ``param:<section>.<name>`` (see :mod:`ipsim.model.uncertainty`), its uniform correlated
    with those of the parameters it is paired with in ``scenario.correlations`` by a
    Gaussian copula. A parameter given as a ``(paths,)`` array (:mod:`ipsim.engines.batch`)
    is used path by path.

    Returns
    -------
    sections : dict
        Mechanism name -> its frozen parameters (each value a float or a (paths,) array);
        ``"shocks"`` -> dict of series -> loading.
    drawn : dict of str to numpy.ndarray
        ``section.name`` -> (paths,) draws of the uncertain parameters.
    """
    bounds = _bounds()
    uniforms = {f"{section}.{name}": streams.uniform(f"param:{section}.{name}")
                for section, given in scenario.parameters.items()
                for name, value in given.items() if isinstance(value, Distribution)}
    uniforms = _correlated(scenario, uniforms)
    values, drawn = {}, {}
    for section, given in scenario.parameters.items():
        ns = {}
        for name, value in given.items():
            if isinstance(value, Distribution):
                low, high = bounds[section, name]
                value = value.from_uniform(uniforms[f"{section}.{name}"], low, high)
                drawn[f"{section}.{name}"] = value
            ns[name] = value
        values[section] = ns
    sections = {m.name: m.parameters(values[m.name]) for m in registry.mechanisms()}
    sections[SHOCKS] = values[SHOCKS]
    return sections, drawn


def _correlated(scenario: Scenario, uniforms: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The parameters' own uniforms, those of ``scenario.correlations`` correlated by the
    Gaussian copula in the order of :func:`ipsim.scenario.correlations.order`
    (:func:`ipsim.model.uncertainty.correlate_uniforms`). A pair of which one parameter is
    not a distribution here (a batch run's per-path values) is left out."""
    pairs = {p: rho for p, rho in scenario.correlations.items()
             if rho != 0 and all(n in uniforms for n in p)}
    if not pairs:
        return uniforms
    names, r = correlations.matrix(pairs)
    factor, bad = uncertainty.copula_factor(r)
    if bad >= 0:
        raise ModelError(f"the correlations of '{names[bad]}' do not form a valid correlation "
                         "matrix")
    joint = uncertainty.correlate_uniforms(np.column_stack([uniforms[n] for n in names]),
                                           factor)
    return {**uniforms, **{n: joint[:, j] for j, n in enumerate(names)}}


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


@dataclass(frozen=True)
class StartDraws:
    """The random numbers of the start, drawn once per path from named streams.

    Attributes
    ----------
    past : dict of str to numpy.ndarray
        Series -> ``(paths, 11)`` standardised shocks of year 0's monthly steps
        (:attr:`ipsim.model.mechanism.Start.past`), from the stream :data:`YEAR0_SHOCKS`.
    own : dict of str to numpy.ndarray
        Mechanism -> ``(paths, start_draws)`` normals of its stream ``start:<name>``.
    """

    past: Mapping[str, np.ndarray]
    own: Mapping[str, np.ndarray]

    def take(self, index) -> StartDraws:
        """The draws of the paths ``index`` (a slice or an index array)."""
        return StartDraws({k: v[index] for k, v in self.past.items()},
                          {k: v[index] for k, v in self.own.items()})


def draw_start(p: dict, streams: Streams) -> StartDraws:
    """Draw the start's random numbers of ``streams.n`` paths.

    Year 0's shocks mix the common factor with each series' own noise exactly as the monthly
    shocks do (:func:`ipsim.model.uncertainty.shocks`, the loadings of ``p["shocks"]``), one
    ``(paths, 1 + series)`` draw per step, so the start offsets of two series are correlated
    as their monthly shocks are. A mechanism with ``start_draws`` gets its own stream.
    """
    series = registry.series()
    loadings = [p[SHOCKS][s.name] for s in series]
    steps = [uncertainty.shocks(streams.normal(YEAR0_SHOCKS, uncertainty.draws(series)),
                                loadings) for _ in range(growth.YEAR0_STEPS)]
    e = np.stack(steps, axis=1)                                   # (paths, steps, series)
    own = {m.name: streams.normal(f"start:{m.name}", m.start_draws)
           for m in registry.mechanisms() if m.start_draws}
    return StartDraws({s.name: e[:, :, j] for j, s in enumerate(series)}, own)


def start_of(scenario: Scenario, n: int, draws: StartDraws | None = None,
             m: Mechanism | None = None) -> Start:
    """What mechanism ``m``'s ``init`` sees for ``n`` paths of ``scenario`` (its start
    draws from ``draws``; none if either is None)."""
    start = Start(n, baseline(scenario), scenario.horizon_months)
    if draws is None or m is None:
        return start
    own = draws.own.get(m.name, np.empty((n, 0)))
    return dataclasses.replace(start, past=draws.past, draws=own)


def view(state: State, m: Mechanism):
    """The part of ``state`` mechanism ``m`` may touch (:class:`ipsim.model.state.StateView`)."""
    return state.view(m.name, m.owns, m.reads)


def settings(scenario: Scenario) -> dict:
    """The policy settings the mechanisms read (``fast_track_share``)."""
    return {s: getattr(scenario.policy, s) for s in registry.settings()}


def initial_state(scenario: Scenario, p: dict, n: int, draws: StartDraws) -> State:
    """The state at month 0 of ``n`` paths: funding's, then each mechanism's ``init`` in
    registry order, each with its start draws (:func:`draw_start`).

    Raises
    ------
    ModelError
        A mechanism's ``init`` did not make every array it declares it owns.
    """
    state = State(n)
    funding.init(state, registry.levers())
    for m in registry.mechanisms():
        m.init(view(state, m), p[m.name], start_of(scenario, n, draws, m))
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
