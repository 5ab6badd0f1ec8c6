"""The vectorised engine: every path of a chunk advances together, one month at a time.

A month is a fixed sequence of array operations over the chunk's paths (no Python loop over
paths, loans or events): pay tranches, spend, draw the correlated shocks, then the
mechanisms in a fixed order (funding, shocks, patents, transfers, turnover, pledge,
securitisation, programme), record the month's flows, and at the
evaluation month apply the mid-term gate. See ``docs/model.md`` for the equations.
"""

from __future__ import annotations

import numpy as np

from ipsim.engines.common import (
    MECHANISM_OF,
    GateProgress,
    check_flows,
    has_gate,
    initial_state,
    realise_parameters,
    year0,
)
from ipsim.engines.streams import Streams, block_sizes
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
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Scenario

# the last two: re-exported
__all__ = ["simulate", "simulate_streams", "realise_parameters", "MECHANISM_OF"]


def _checked(month: int, flows: dict[str, np.ndarray], state=None, mechanism=None) -> dict:
    """``flows``, once checked together with the ``STOCKS`` of ``mechanism`` in ``state``.

    Called right after each mechanism's step, so the first impossible value is blamed on the
    mechanism that produced it, not on one that used it later.
    """
    check_flows(flows, month)
    if mechanism is not None:
        check_flows({k: getattr(state, a) for k, a in mechanism.STOCKS.items()}, month)
    return flows


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
    return simulate_streams(scenario,
                            Streams(seed, first_block, block_sizes(paths, first_block, n_blocks)))


def simulate_streams(scenario: Scenario, streams: Streams) -> IndicatorPaths:
    """Simulate ``streams.n`` paths drawing from ``streams`` (see :func:`simulate`).

    Any object with the interface of :class:`~ipsim.engines.streams.Streams` serves, e.g.
    the repeated streams of :mod:`ipsim.engines.batch`. A parameter of ``scenario`` given
    as a ``(streams.n,)`` array (instead of a number or a distribution) is used path by path.
    """
    p, drawn = realise_parameters(scenario, streams)
    state = initial_state(scenario, p, streams.n)
    policy, H, years = scenario.policy, scenario.horizon_months, scenario.years
    yearly = {name: np.zeros((streams.n, years + 1)) for name in INDICATORS}
    for name, value in year0(scenario, state.grants_year0).items():
        yearly[name][:, 0] = value
    gate = GateProgress(scenario, yearly)
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
    released = state.released if has_gate(scenario) else np.ones(streams.n, dtype=bool)
    return IndicatorPaths(yearly, {"securitisations": state.first_issue}, released, drawn)

