"""The vectorised engine: every path of a chunk advances together, one month at a time.

A month is a fixed sequence of array operations over the chunk's paths (no Python loop over
paths, loans or events): the tranches due are paid and the month's money per lever is
spent (:mod:`ipsim.model.funding`), the correlated shocks are drawn
(:mod:`ipsim.model.uncertainty`), then every mechanism of the registry
(:mod:`ipsim.model.registry`) steps in order on one frozen :class:`~ipsim.model.mechanism.
Month`, its flows are checked and added to their year, the year-end stocks are recorded and,
at the evaluation month, the mid-term gate decides. See ``docs/model.md`` for the equations.
"""

from __future__ import annotations

import numpy as np

from ipsim.engines.common import (
    SHOCKS,
    GateProgress,
    check_flows,
    draw_start,
    has_gate,
    initial_state,
    prepare,
    realise_parameters,
    settings,
    view,
    year0,
)
from ipsim.engines.streams import Streams, block_sizes
from ipsim.model import funding, registry, uncertainty
from ipsim.model.mechanism import Month
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Scenario

__all__ = ["simulate", "simulate_streams", "stream_plan"]


def stream_plan(scenario: Scenario) -> tuple[list[tuple[str, int]], list[str]]:
    """The named streams a run of ``scenario`` draws from, in the registry's order.

    Returns
    -------
    normals : list of (str, int)
        Stream name and standard normals per path per month: ``shocks`` (the common factor
        and one per series), then every mechanism that draws.
    uniforms : list of str
        One stream per uncertain parameter (one uniform per path): ``param:<section>.<name>``.

    The start's streams (:func:`ipsim.engines.common.draw_start`: year 0's shocks and each
    mechanism's ``start:<name>``) are drawn once per path, not per month, and are not listed.
    """
    normals = [("shocks", uncertainty.draws(registry.series()))]
    normals += [(m.name, m.draws) for m in registry.mechanisms() if m.draws]
    uniforms = [f"param:{section}.{name}" for section, name, _ in scenario.uncertain()]
    return normals, uniforms


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
    mechanisms, levers, series = registry.mechanisms(), registry.levers(), registry.series()
    p, drawn = realise_parameters(scenario, streams)
    state = initial_state(scenario, p, streams.n, draw_start(p, streams))
    loadings = [p[SHOCKS][s.name] for s in series]
    column = {s.name: j for j, s in enumerate(series)}
    # every month's shocks at once (the same numbers as month by month), for ``prepare``
    z_months = streams.normals("shocks", uncertainty.draws(series), scenario.horizon_months)
    prepare(scenario, state, p,
            lambda s: uncertainty.shock(z_months, loadings[column[s]], column[s]))
    views = [view(state, m) for m in mechanisms]
    policy, H, years = scenario.policy, scenario.horizon_months, scenario.years
    yearly = {name: np.zeros((streams.n, years + 1)) for name in registry.indicators()}
    for name, value in year0(scenario, state, p).items():
        yearly[name][:, 0] = value
    gate = GateProgress(scenario, yearly)
    shock_sums = np.zeros((streams.n, uncertainty.draws(series)))
    fixed = settings(scenario)
    for month in range(1, H + 1):
        spend = funding.month_spending(state, policy, levers, month - 1, H)
        z = z_months[month - 1]
        shock_sums += z
        e = uncertainty.shocks(z, loadings)
        shocks = {s.name: e[:, j] for j, s in enumerate(series)}
        flows = {}
        for m, state_view in zip(mechanisms, views, strict=True):
            ctx = Month(month, spend, {s: shocks[s] for s in m.shocks},
                        streams.normal(m.name, m.draws) if m.draws else _NO_DRAWS, fixed)
            out = m.step(state_view, p[m.name], ctx)
            # checked at once, with the mechanism's stocks: the first impossible value is
            # blamed on the mechanism that produced it, not on one that used it later
            check_flows(out, month)
            check_flows({k: getattr(state, a) for k, a in m.stocks.items()}, month)
            flows.update(out)
        flows["funds_received"] = state.received
        check_flows({"funds_received": state.received}, month)
        year = (month - 1) // 12 + 1
        for name, x in flows.items():
            yearly[name][:, year] += x
        gate.add(month, flows)
        if month % 12 == 0:
            for m in mechanisms:
                for name, attr in m.stocks.items():
                    yearly[name][:, year] = getattr(state, attr)
        if policy.midterm is not None and month == policy.midterm.month:
            state.released = gate.verdict(month, state)
    released = state.released if has_gate(scenario) else np.ones(streams.n, dtype=bool)
    events = {name: getattr(state, attr) for m in mechanisms for name, attr in m.events.items()}
    root = np.sqrt(H)
    economy = {uncertainty.ECONOMY: shock_sums[:, 0] / root,
               **{s.name: shock_sums[:, j + 1] / root for j, s in enumerate(series)}}
    return IndicatorPaths(yearly, events, released, drawn, economy)


_NO_DRAWS = np.empty((0, 0))
"""``Month.draws`` of a mechanism that draws nothing."""
