"""The discrete-event reference engine: one SimPy environment per path, one event per item.

The same model as :mod:`ipsim.engines.vectorised`, stated path by path: loans, applications,
repayments, defaults, structurings and the gate are individual events at their own times
(months, continuous), in a :class:`~ipsim.engines.des.world.PathWorld`. Both engines read one
parameter set (:func:`ipsim.engines.common.realise_parameters`: path ``i`` gets the same
parameter values and the same monthly economic shocks in both), start from one initial state
(:func:`ipsim.engines.common.initial_state`) and iterate over one registry of mechanisms
(:mod:`ipsim.model.registry`). A mechanism that works item by item (patents, pledge,
securitisation) has an event form in :mod:`ipsim.engines.des.forms`, written with the same
model functions (growth, lag pmf, loan demand, headroom, approval share, exit rates, default
loss, structuring terms); every other mechanism (transfers, turnover, programme outputs)
steps as in the vectorised engine, on the path's one-path state, with normals from the
path's own generator. Rates are piecewise constant by month in both: what a month's rate
depends on (stock, spending, pool headroom, support) is read when the month opens.

What the DES draws item by item, and what the vectorised engine does instead
--------------------------------------------------------------------------------
Applications and grants (patents)
    The DES files each month's applications as one cohort of ``Poisson(level)`` filings,
    split by one multinomial draw into fast and ordinary track, granted or refused, and the
    month (lag) of each grant, from the same discretised gamma lag pmf
    (:func:`ipsim.model.patents.lag_pmf`): this is exactly what drawing every application's
    track, outcome and lag would give. Lapses are ``Binomial(stock, monthly lapse)``.
    Pre-period cohorts add ``Poisson`` grants with the expected value of their convolution.
    The vectorised engine files the expected level and grants its convolution with the pmf
    (expected values): exact in the mean; it leaves out Poisson/binomial noise of relative
    size ``1/sqrt(count)`` (about 2 % of a month's filings, under 1 % of a year's), which
    is small beside the growth shocks.
Transfers and licences, programme deliveries
    Poisson processes with the month's rate (piecewise constant): nothing in the model
    reacts to the time of a deal or a delivery within its month, so their times are not
    scheduled as SimPy events (for deals that would be some 25,000 events a path for no
    change in any output), and the DES steps these mechanisms as the vectorised engine does:
    each month's count is :func:`ipsim.model.draws.poisson_from_normal` of a normal from the
    path's own generator, which ``tests/model/test_draws.py`` checks against the exact
    Poisson law.
Pledge loans
    Approved loans arrive one by one (applications are a Poisson process with the month's
    rate, each approved with the month's share, :func:`ipsim.model.pledge.approval_share`,
    from the headroom when the month opens: the approved ones are a Poisson process of rate
    x share, which the DES draws directly), each with its own Gamma amount. Counting
    approvals is Poisson thinning, so the vectorised ``Poisson(applications x share)`` is
    exact (as its count draw is); a sum of ``n`` Gamma(k) loans is Gamma(n k), so one
    Gamma draw for the month has the right law (:func:`ipsim.model.draws.gamma_from_normal`
    states its accuracy).
The pool's cover (``docs/model.md``, "The pool's accounting")
    At each month's close the DES registers the month's loans with the pool in a random
    order and covers them whole while the headroom from the month's opening covers the next;
    the first that does not fit ends the month's cover. The vectorised engine adds the
    expected number and amount of those loans given the month's count and total (a closed
    form for Erlang amounts, :func:`ipsim.model.cover.expected_cover`), the count rounded at
    random to a whole number with the same mean. A starting pool covers the book (``loans``
    loans with Gamma amounts adding up to its balance) the same way, in both.
Repayment, default and the pool
    Every loan has its own exponential life (rate ``1/term`` plus the default hazard, from
    :func:`ipsim.model.pledge.monthly_exit_rates`) starting the instant it is made, ends in
    default with probability ``hazard / (repay + hazard)``, and a default of a covered loan
    takes its covered loss from the pool (a :class:`simpy.Container`) at that instant (at the
    close, for one that failed before it was registered), never more than the pool holds.
    The vectorised engine draws the month's covered defaults and repayments as Poisson counts
    of whole loans (capped at the covered loans there are) and the other defaults as a
    Poisson count, the covered defaults' balance as one Gamma sum; drawn defaults and covered
    repayments leave the book, the other repayments leave at their expected rate. The floor
    at zero is the same (``max(pool - sum of losses, 0)``). The DES book is random in every
    loan's life, the vectorised one only in the covered loans and the defaults: the eligible
    securitisation pool fluctuates more in the DES.
Securitisation
    Both review the eligible pool at each month close and end a structuring within a month
    with probability ``1/duration``; the DES ends it at an exponential time with that
    month's hazard ``-log(1 - 1/duration)`` and issues ``issue_share`` of the pool eligible
    at that instant, the vectorised engine at the month's end.
Funding and the gate
    Written once (:mod:`ipsim.model.funding`, :class:`ipsim.engines.common.GateProgress`)
    and called on a one-path state by the DES, whose event forms write the stocks and event
    months the gate reads into that state first. The gate's baseline of a growth target is the
    mean of its year-0 column over the paths given: the same for every path except for
    ``grants`` (whose year 0 depends on the path's drift), where the DES uses the path's own
    and the vectorised engine the chunk's mean.

Random numbers and chunks
-------------------------
Paths are simulated in blocks of :data:`BLOCK` paths (a chunk is whole blocks); a path's
own random numbers come from ``SeedSequence(seed, spawn_key=(b, i, crc32("des")))`` with
``b`` its block of :data:`ipsim.engines.streams.BLOCK` paths and ``i`` its index there, so
results do not depend on the chunking or the number of workers.
"""

from __future__ import annotations

import numpy as np

from ipsim.engines import streams
from ipsim.engines.common import check_flows, has_gate
from ipsim.engines.des.inputs import prepare
from ipsim.engines.des.world import PathWorld, flow_names
from ipsim.model import registry
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Scenario

__all__ = ["simulate", "BLOCK", "CHUNK_PATHS", "PathWorld"]

BLOCK = 32
"""Paths per DES block: the unit of a chunk (small, so that progress shows and workers share
even short runs)."""

CHUNK_PATHS = 4 * BLOCK
"""Default paths per chunk of a DES run (about a second of work)."""


def simulate(scenario: Scenario, seed: int, paths: int, first_block: int,
             n_blocks: int) -> IndicatorPaths:
    """Simulate DES blocks ``first_block .. first_block + n_blocks - 1`` of a ``paths`` run.

    The same contract as :func:`ipsim.engines.vectorised.simulate` (the scenario, the run's
    seed, the run's paths and the chunk), with blocks of :data:`BLOCK` paths; returns the
    chunk's paths with the same indicators, years, events and gate.
    """
    start = first_block * BLOCK
    stop = min(paths, (first_block + n_blocks) * BLOCK)
    size = streams.BLOCK
    parts = [_simulate_part(scenario, seed, paths, b, max(start, b * size) - b * size,
                            min(stop, (b + 1) * size) - b * size)
             for b in range(start // size, (stop - 1) // size + 1)]
    return parts[0] if len(parts) == 1 else IndicatorPaths.concatenate(parts)


def _simulate_part(scenario: Scenario, seed: int, paths: int, block: int, lo: int,
                   hi: int) -> IndicatorPaths:
    """Paths ``lo .. hi - 1`` of random-number block ``block``."""
    inputs, drawn = prepare(scenario, seed, paths, block, lo, hi)
    n, H, years = hi - lo, scenario.horizon_months, scenario.years
    flows = flow_names()
    yearly = {name: np.zeros((n, years + 1)) for name in registry.indicators()}
    monthly = {name: np.zeros((n, H + 1)) for name in flows}
    events = {name: np.full(n, np.inf) for m in registry.mechanisms() for name in m.events}
    released = np.ones(n, dtype=bool)
    for i, x in enumerate(inputs):
        world = PathWorld(scenario, x)
        world.run()
        for name, values in world.yearly().items():
            yearly[name][i, 1:] = values
        for name, values in world.monthly.items():
            monthly[name][i] = values
        for m in registry.mechanisms():
            for name, attr in m.events.items():
                events[name][i] = world.first(attr)
        released[i] = world.released
        for name, value in x.year0.items():
            yearly[name][i, 0] = value
    for m in range(1, H + 1):
        check_flows({name: monthly[name][:, m] for name in flows}, m)
    if not has_gate(scenario):
        released[:] = True
    economy = {k: np.array([x.economy[k] for x in inputs]) for k in inputs[0].economy}
    return IndicatorPaths(yearly, events, released, drawn, economy)
