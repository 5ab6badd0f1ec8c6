"""What every engine shares: one parameter set, one initial state, year 0, checks, the gate.

Both engines (:mod:`ipsim.engines.vectorised` and :mod:`ipsim.engines.des`) read the
scenario through these functions only, so the per-path parameter values, the initial stocks
and the baseline column are defined once. The uncertain parameters are drawn from the run's
named streams (:mod:`ipsim.engines.streams`), so path ``i`` of a run has the same parameter
values whichever engine simulates it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ipsim.engines.streams import Streams
from ipsim.errors import ModelError
from ipsim.model import (
    funding,
    patents,
    pledge,
    programme,
    securitisation,
    transfers,
    turnover,
    uncertainty,
)
from ipsim.model.indicators import INDICATORS
from ipsim.model.state import State
from ipsim.scenario.params import Distribution, Scenario
from ipsim.scenario.schema import BASELINE, SECTIONS

__all__ = ["parameter_bounds", "realise_parameters", "take_paths", "baseline", "initial_state",
           "year0", "has_gate", "check_flows", "GateProgress", "MECHANISM_OF"]

_BOUNDS = {**{(s, p.name): (p.low, p.high) for s, ps in SECTIONS.items() for p in ps},
           **{("shocks", p.name): (p.low, p.high) for p in uncertainty.PARAMS}}


def parameter_bounds(section: str, name: str) -> tuple[float, float]:
    """The range ``(low, high)`` of a parameter, in its unit (draws are clipped to it)."""
    return _BOUNDS[section, name]


MECHANISM_OF = {
    "applications": "patents", "grants": "patents", "invention_stock": "patents",
    "transfers": "transfers", "turnover": "turnover", "pledge_amount": "pledge",
    "pledge_projects": "pledge", "pledge_defaults": "pledge", "risk_pool": "pledge",
    "securitisations": "securitisation", "securitisation_amount": "securitisation",
    "funds_received": "funding", **{k: "programme" for k in programme.OUTPUTS},
}
"""Indicator -> the mechanism that produces it (for error messages)."""


def realise_parameters(scenario: Scenario, streams: Streams) -> tuple[dict, dict]:
    """Per-path values of every parameter: numbers stay numbers, distributions are drawn.

    Each uncertain parameter is drawn by inversion from its own stream
    ``param:<section>.<name>`` (see :mod:`ipsim.model.uncertainty`).

    Returns
    -------
    sections : dict of str to types.SimpleNamespace
        Section -> namespace of values (float or (paths,) array).
    drawn : dict of str to numpy.ndarray
        ``section.name`` -> (paths,) draws of the uncertain parameters.
    """
    sections, drawn = {}, {}
    for section, values in scenario.parameters.items():
        ns = {}
        for name, value in values.items():
            if isinstance(value, Distribution):
                low, high = _BOUNDS[section, name]
                value = value.from_uniform(streams.uniform(f"param:{section}.{name}"), low, high)
                drawn[f"{section}.{name}"] = value
            ns[name] = value
        sections[section] = SimpleNamespace(**ns)
    return sections, drawn


def take_paths(sections: dict, index) -> dict:
    """The parameter sections of :func:`realise_parameters` restricted to ``index`` paths."""
    return {s: SimpleNamespace(**{k: v[index] if isinstance(v, np.ndarray) else v
                                  for k, v in vars(ns).items()})
            for s, ns in sections.items()}


def baseline(scenario: Scenario) -> dict[str, float]:
    """Year-0 value of every baseline quantity (the scenario's, else the default)."""
    return {p.name: scenario.baseline.get(p.name, p.default) for p in BASELINE}


def initial_state(scenario: Scenario, p: dict, n: int) -> State:
    """The state at month 0 of ``n`` paths, as each mechanism's ``init`` defines it."""
    base = baseline(scenario)
    state = State(n)
    funding.init(state, scenario.policy, base)
    patents.init(state, p["patents"], base)
    transfers.init(state, p["transfers"], base)
    turnover.init(state, p["turnover"], base)
    pledge.init(state, p["pledge"], base)
    securitisation.init(state, p["securitisation"])
    return state


def year0(scenario: Scenario, grants_year0: np.ndarray) -> dict[str, np.ndarray | float]:
    """Column 0 of each indicator: the baseline flows, initial stocks, no outputs yet."""
    base = baseline(scenario)
    out = {name: 0.0 for name in INDICATORS}
    out.update({k: base[k] for k in ("applications", "transfers", "turnover",
                                     "pledge_amount", "pledge_projects")})
    out.update(grants=grants_year0, invention_stock=base["invention_stock"],
               risk_pool=base["risk_pool"])
    return out


def has_gate(scenario: Scenario) -> bool:
    """Whether a mid-term evaluation gates a conditional tranche."""
    return scenario.policy.midterm is not None and any(
        t.conditional for t in scenario.policy.tranches)


def check_flows(flows: dict[str, np.ndarray], month: int) -> None:
    """Raise :class:`~ipsim.errors.ModelError` naming the mechanism if a month's flow is
    negative, NaN or infinite."""
    for name, x in flows.items():
        if not (x.min() >= 0.0 and np.isfinite(x.max())):
            bad = "NaN" if np.isnan(x).any() else ("infinite" if np.isinf(x).any()
                                                   else "negative")
            raise ModelError(f"mechanism '{MECHANISM_OF[name]}' produced a {bad} value of "
                             f"'{name}' in month {month}")


class GateProgress:
    """Accumulates, for the targets the mid-term rule judges, their progress to month M.

    Parameters
    ----------
    scenario : Scenario
        Its ``policy.midterm`` names the month and the targets.
    yearly : dict of str to numpy.ndarray
        The indicators' yearly arrays; column 0 (year 0) gives each target's baseline
        (the mean over the paths given).
    """

    def __init__(self, scenario: Scenario, yearly: dict[str, np.ndarray]):
        mid = scenario.policy.midterm
        self.scenario = scenario
        self.targets = [scenario.target(t) for t in (mid.targets if mid else ())]
        self.month = mid.month if mid else 0
        self.window = {t.indicator: 0.0 for t in self.targets}
        self.total = {t.indicator: 0.0 for t in self.targets}
        self.baselines = {t.id: float(np.mean(yearly[t.indicator][:, 0])) for t in self.targets}

    def add(self, month: int, flows: dict[str, np.ndarray]) -> None:
        """Count month ``month``'s flows (1-based) towards the progress."""
        if month > self.month:
            return
        for name in self.window:
            if name in flows:
                self.total[name] = self.total[name] + flows[name]
                if month > self.month - 12:
                    self.window[name] = self.window[name] + flows[name]

    def verdict(self, month: int, state) -> np.ndarray:
        """(paths,) bool: the gate opens; ``state`` has ``n``, ``first_issue`` (months),
        ``stock`` (patents) and ``pool`` (yuan), each (paths,)."""
        progress = {}
        for t in self.targets:
            kind = INDICATORS[t.indicator].kind
            if t.measure == "event":
                progress[t.id] = (state.first_issue <= month).astype(float)
            elif t.measure == "cumulative":
                progress[t.id] = self.total[t.indicator]
            elif kind != "stock":  # growth, or the final year's flow: the last 12 months
                progress[t.id] = self.window[t.indicator]
            else:
                progress[t.id] = {"invention_stock": state.stock,
                                  "risk_pool": state.pool}[t.indicator]
        return funding.midterm_verdict(self.scenario.policy.midterm,
                                       {t.id: t for t in self.targets}, progress,
                                       self.baselines, self.scenario.horizon_months, state.n)
