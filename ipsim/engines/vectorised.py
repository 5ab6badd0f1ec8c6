"""The vectorised engine: every path of a chunk advances together, one month at a time.

A month is a fixed sequence of array operations over the chunk's paths (no Python loop over
paths, loans or events): pay tranches, spend, draw the correlated shocks, then the
mechanisms in a fixed order (funding, shocks, patents, transfers, turnover, pledge,
securitisation, programme), record the month's flows, and at the
evaluation month apply the mid-term gate. See ``docs/model.md`` for the equations.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ipsim.engines.paths import IndicatorPaths
from ipsim.engines.streams import Streams, block_sizes
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

__all__ = ["simulate", "realise_parameters", "MECHANISM_OF"]

_BOUNDS = {**{(s, p.name): (p.low, p.high) for s, ps in SECTIONS.items() for p in ps},
           **{("shocks", p.name): (p.low, p.high) for p in uncertainty.PARAMS}}

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


def _year0(scenario: Scenario, state) -> dict[str, np.ndarray | float]:
    """Column 0 of each indicator: the baseline flows, initial stocks, no outputs yet."""
    base = {p.name: scenario.baseline.get(p.name, p.default) for p in BASELINE}
    out = {name: 0.0 for name in INDICATORS}
    out.update({k: base[k] for k in ("applications", "transfers", "turnover",
                                     "pledge_amount", "pledge_projects")})
    out.update(grants=state.grants_year0, invention_stock=base["invention_stock"],
               risk_pool=base["risk_pool"])
    return out


def _checked(month: int, flows: dict[str, np.ndarray], state=None, mechanism=None) -> dict:
    """``flows``, once checked together with the ``STOCKS`` of ``mechanism`` in ``state``.

    Called right after each mechanism's step, so the first impossible value is blamed on the
    mechanism that produced it, not on one that used it later.
    """
    _check(flows, month)
    if mechanism is not None:
        _check({k: getattr(state, a) for k, a in mechanism.STOCKS.items()}, month)
    return flows


def _check(flows: dict[str, np.ndarray], month: int) -> None:
    """Raise ModelError naming the mechanism and month if a flow or stock is NaN, infinite
    or negative on any path (instead of letting a wrong number reach a report)."""
    for name, x in flows.items():
        if not (x.min() >= 0.0 and np.isfinite(x.max())):
            bad = "NaN" if np.isnan(x).any() else ("infinite" if np.isinf(x).any()
                                                   else "negative")
            raise ModelError(f"mechanism '{MECHANISM_OF[name]}' produced a {bad} value of "
                             f"'{name}' in month {month}")


def simulate(scenario: Scenario, seed: int, paths: int, first_block: int,
             n_blocks: int) -> IndicatorPaths:
    """Simulate blocks ``first_block .. first_block + n_blocks - 1`` of a ``paths``-path run.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    seed : int
        The run's seed.
    paths : int
        Paths in the whole run (fixes the size of the last block).
    first_block, n_blocks : int
        The chunk, in blocks of :data:`ipsim.engines.streams.BLOCK` paths.

    Returns
    -------
    IndicatorPaths
        The chunk's paths.
    """
    streams = Streams(seed, first_block, block_sizes(paths, first_block, n_blocks))
    p, drawn = realise_parameters(scenario, streams)
    state = _initial_state(scenario, p, streams.n)
    policy, H, years = scenario.policy, scenario.horizon_months, scenario.years
    yearly = {name: np.zeros((streams.n, years + 1)) for name in INDICATORS}
    for name, value in _year0(scenario, state).items():
        yearly[name][:, 0] = value
    gate = _GateProgress(scenario, yearly)
    loadings = [getattr(p["shocks"], s) for s in uncertainty.SERIES]
    for month in range(1, H + 1):
        funding.pay_tranches(state, policy, month - 1)
        spend = funding.spend(state, month - 1, H)
        e = uncertainty.shocks(streams.normal("shocks", uncertainty.DRAWS), loadings)
        flows = _checked(month, patents.step(state, p["patents"], month, e[:, 0],
                                             policy.fast_track_share), state, patents)
        deals, activity = transfers.step(state, p["transfers"], month, e[:, 1], spend,
                                         streams.normal("transfers", transfers.DRAWS))
        flows |= _checked(month, deals)
        flows |= _checked(month, turnover.step(state, p["turnover"], e[:, 3], activity))
        flows |= _checked(month, pledge.step(state, p["pledge"], e[:, 2], spend,
                                             streams.normal("pledge", pledge.DRAWS)),
                          state, pledge)
        flows |= _checked(month, securitisation.step(
            state, p["securitisation"], month, spend,
            streams.normal("securitisation", securitisation.DRAWS)))
        flows |= _checked(month, programme.step(p["programme"], spend,
                                                streams.normal("programme", programme.DRAWS)))
        flows |= _checked(month, {"funds_received": state.received})
        year = (month - 1) // 12 + 1
        for name, x in flows.items():
            yearly[name][:, year] += x
        gate.add(month, flows)
        if month % 12 == 0:
            yearly["invention_stock"][:, year] = state.stock
            yearly["risk_pool"][:, year] = state.pool
        if policy.midterm is not None and month == policy.midterm.month:
            state.released = gate.verdict(month, state)
    released = state.released if _has_gate(scenario) else np.ones(streams.n, dtype=bool)
    return IndicatorPaths(yearly, {"securitisations": state.first_issue}, released, drawn)


def _has_gate(scenario: Scenario) -> bool:
    return scenario.policy.midterm is not None and any(
        t.conditional for t in scenario.policy.tranches)


def _initial_state(scenario: Scenario, p: dict, n: int) -> State:
    base = {b.name: scenario.baseline.get(b.name, b.default) for b in BASELINE}
    state = State(n)
    funding.init(state, scenario.policy, base)
    patents.init(state, p["patents"], base)
    transfers.init(state, p["transfers"], base)
    turnover.init(state, p["turnover"], base)
    pledge.init(state, p["pledge"], base)
    securitisation.init(state, p["securitisation"])
    return state


class _GateProgress:
    """Accumulates, for the targets the mid-term rule judges, their progress to month M."""

    def __init__(self, scenario: Scenario, yearly: dict[str, np.ndarray]):
        mid = scenario.policy.midterm
        self.scenario = scenario
        self.targets = [scenario.target(t) for t in (mid.targets if mid else ())]
        self.month = mid.month if mid else 0
        self.window = {t.indicator: 0.0 for t in self.targets}
        self.total = {t.indicator: 0.0 for t in self.targets}
        self.baselines = {t.id: float(np.mean(yearly[t.indicator][:, 0])) for t in self.targets}

    def add(self, month: int, flows: dict[str, np.ndarray]) -> None:
        if month > self.month:
            return
        for name in self.window:
            if name in flows:
                self.total[name] = self.total[name] + flows[name]
                if month > self.month - 12:
                    self.window[name] = self.window[name] + flows[name]

    def verdict(self, month: int, state) -> np.ndarray:
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
