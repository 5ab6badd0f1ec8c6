"""One path of the model as a SimPy discrete-event simulation (time unit: months).

Month ``m`` (1-based) is the interval ``[m - 1, m)``. A :meth:`PathWorld.clock` process owns
every integer instant ``m`` and does, in this order:

1. **close month m** (if ``m >= 1``): record the year-end stocks when ``m`` is a multiple of
   12, then fire ``month_closed``; the processes waiting on it run before anything else
   happens at this instant: the mid-term :meth:`~PathWorld.evaluator` (at month M) and the
   securitisation :meth:`~PathWorld.originator`'s review of its eligible pool;
2. **open month m + 1** (if ``m < H``): pay the tranches due after ``m`` months (the risk-pool
   share into the pool, a :class:`simpy.Container`), spend the month's share of each lever's
   budget, grant the patents due this month and file this month's cohort, set the month's
   deal rate, count its deals and compute its turnover, let the bank set the month's approval
   share from the headroom and start the month's loan-:meth:`~PathWorld.applications`
   process, set the month's structuring terms and deliver the programme's outputs; then fire
   ``month_opened`` (a structuring in progress draws whether it ends this month).

Between integer instants only individual events happen, each at its own time: a loan
application arrives and is approved or not, a loan is repaid or defaults (draining the pool
at that instant), a structuring ends and issues a product or fails.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import simpy

from ipsim.engines.common import GateProgress, baseline, year0
from ipsim.engines.des.inputs import PathInputs
from ipsim.model import (
    funding,
    patents,
    pledge,
    programme,
    securitisation,
    transfers,
    turnover,
)
from ipsim.model.indicators import INDICATORS
from ipsim.model.state import State
from ipsim.scenario.params import Scenario

__all__ = ["PathWorld", "FLOWS", "STOCKS"]

_BATCH = 512
"""Draws made at a time for the per-event random numbers (fixed: part of the streams)."""

STOCKS = ("invention_stock", "risk_pool")
"""Indicators recorded as year-end levels."""
FLOWS = tuple(name for name in INDICATORS if name not in STOCKS)
"""Indicators recorded as monthly flows (summed into years)."""


def _buffered(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """A function returning the next value of ``draw(_BATCH)``, refilled as needed: one
    numpy call per ``_BATCH`` events instead of one per event."""
    batches = iter(lambda: draw(_BATCH).tolist(), None)
    return itertools.chain.from_iterable(batches).__next__


class PathWorld:
    """The simulation of one path.

    Parameters
    ----------
    scenario : Scenario
        The scenario (policy, horizon, targets of the mid-term rule).
    x : PathInputs
        The path's parameters, economy and generator.
    """

    def __init__(self, scenario: Scenario, x: PathInputs):
        self.scenario, self.x, self.p, self.rng = scenario, x, x.p, x.rng
        rng = x.rng
        self.uniform = _buffered(rng.random)                 # U(0, 1)
        self.exponential = _buffered(rng.standard_exponential)   # mean 1
        shape = self.p["pledge"].loan_shape
        self.loan_size = _buffered(lambda n: rng.standard_gamma(shape, n))   # mean = shape
        self.H = H = scenario.horizon_months
        self.env = env = simpy.Environment()
        self.month_opened, self.month_closed = env.event(), env.event()
        self.monthly = {name: [0.0] * (H + 1) for name in FLOWS}   # index: month 1..H
        self.year_end = {name: [0.0] * (scenario.years + 1) for name in STOCKS}
        # funding: a one-path State for funding.pay_tranches / funding.spend
        self.fund = State(1)
        funding.init(self.fund, scenario.policy, baseline(scenario))
        self.released = False
        self.pool = simpy.Container(env, capacity=math.inf, init=x.pool0)
        # patents: grants due per month (pre-period cohorts drawn now, later ones as filed)
        pp = self.p["patents"]
        self.stock = int(round(x.stock0))
        self.grants_due = x.rng.poisson(x.pre_grants).astype(float)
        self.lapse = float(patents.monthly_lapse(pp.lapse_rate))
        f, q = scenario.policy.fast_track_share, pp.grant_rate
        probs = np.concatenate([(1.0 - f) * q * x.pmf[0], f * q * x.pmf[1], [0.0]])
        probs[-1] = max(0.0, 1.0 - probs[:-1].sum())     # refused
        self.cohort_probs = probs
        # the pledge book: running sums over the loans on it
        repay, hazard = (float(r) for r in pledge.monthly_exit_rates(self.p["pledge"]))
        self.exit_rate = repay + hazard
        self.default_share = hazard / (repay + hazard) if self.exit_rate > 0 else 0.0
        self.balance = self.covered = 0.0
        # securitisation: outstanding securitised assets run off with the book
        self.securitised, self.securitised_at = 0.0, 0.0
        self.support_spent = 0.0
        self.first_issue = math.inf
        self.duration = self.success = self.min_pool = math.nan   # set at each opening

    # -- running a path -------------------------------------------------------------------
    def run(self) -> None:
        """Simulate months 1..H."""
        env = self.env
        self._initial_book()
        env.process(self.originator())
        if self.scenario.policy.midterm is not None:
            env.process(self.evaluator(self.scenario.policy.midterm.month))
        env.run(until=env.process(self.clock()))

    def _fire(self, name: str, value: int) -> simpy.Event:
        """Trigger the pending ``month_opened``/``month_closed`` event, put a fresh one in
        its place, and return a zero delay so that its waiters run before the clock goes on."""
        event = getattr(self, name)
        setattr(self, name, self.env.event())
        event.succeed(value)
        return self.env.timeout(0)

    def clock(self):
        """The month clock: closes month ``m`` and opens month ``m + 1`` at instant ``m``."""
        for m in range(self.H + 1):
            if m >= 1:
                if m % 12 == 0:
                    self.year_end["invention_stock"][m // 12] = float(self.stock)
                    self.year_end["risk_pool"][m // 12] = self.pool.level
                yield self._fire("month_closed", m)
            if m < self.H:
                self._open(m + 1)
                self._fire("month_opened", m + 1)
                yield self.env.timeout(1)

    def _open(self, m: int) -> None:
        """Month ``m`` starts: funds, patents, deals and turnover, the bank, deliveries."""
        p, x, rng, flow = self.p, self.x, self.rng, self.monthly
        fund = self.fund
        fund.released[0] = self.released
        fund.pool[0] = 0.0
        funding.pay_tranches(fund, self.scenario.policy, m - 1)
        if fund.pool[0] > 0.0:
            self.pool.put(float(fund.pool[0]))
        flow["funds_received"][m] = float(fund.received[0])
        spend = {k: float(v[0]) for k, v in funding.spend(fund, m - 1, self.H).items()}
        # patents: this month's grants and lapses, then its filings as one cohort
        grants = self.grants_due[m]
        self.stock += int(grants) - int(rng.binomial(self.stock, self.lapse))
        filed = int(rng.poisson(x.apps_level[m]))
        cohort = rng.multinomial(filed, self.cohort_probs)[:-1]
        L = patents.MAX_LAG
        due = cohort[:L] + cohort[L:]                  # granted after a lag of l months
        last = min(L, self.H - m + 1)
        self.grants_due[m:m + last] += due[:last]
        flow["applications"][m], flow["grants"][m] = float(filed), float(grants)
        # deals of a Poisson process with this month's rate, and turnover
        lam, activity = transfers.rate(p["transfers"], m, x.transfers_log[m],
                                       x.transfers_log[0], float(self.stock), x.stock0,
                                       transfers.spend_per_year(spend))
        flow["transfers"][m] = float(rng.poisson(lam))
        flow["turnover"][m] = float(turnover.level(p["turnover"], x.turnover_log[m], activity))
        # the bank: the month's approval share from the headroom left by the pool
        pp = p["pledge"]
        rate = float(pledge.demand(pp, x.pledge_log[m], spend["interest_subsidy"]))
        room = float(pledge.headroom(pp, self.pool.level, self.covered))
        share = float(pledge.approval_share(pp, room, rate, x.mean_loan))
        self.env.process(self.applications(m, rate, share, room))
        # securitisation terms bought by support so far
        self.support_spent += spend["securitisation_support"]
        self.duration, self.success, self.min_pool = (float(v) for v in securitisation.terms(
            p["securitisation"], self.support_spent))
        # programme deliveries of the month
        rates = programme.rates(p["programme"], spend)
        counts = rng.poisson(np.fromiter(rates.values(), float, len(rates))).tolist()
        for name, k in zip(rates, counts, strict=True):
            flow[name][m] = float(k)

    # -- pledge financing -------------------------------------------------------------------
    def _initial_book(self) -> None:
        """The book at month 0: ``round(loans0)`` equal loans, each with its own life."""
        x = self.x
        n = int(round(x.loans0))
        for _ in range(n):
            self._book(x.balance0 / n, x.covered0 / n)

    def _book(self, amount: float, cover: float) -> None:
        """A loan goes on the book; its life ends at an exponential time (one event)."""
        self.balance += amount
        self.covered += cover
        if self.exit_rate > 0.0:
            life = self.env.timeout(self.exponential() / self.exit_rate, (amount, cover))
            life.callbacks.append(self._loan_ends)

    def applications(self, m: int, rate: float, share: float, room: float):
        """Loan applications of month ``m``: a Poisson process of ``rate`` a month; each is
        approved with probability ``share``; approved loans are covered by the pool, in the
        order they come, until the month's headroom ``room`` (yuan) is used up."""
        env, flow = self.env, self.monthly
        if rate <= 0.0:
            return
        mean_gap = 1.0 / rate
        scale = self.x.mean_loan / self.p["pledge"].loan_shape
        uniform, exponential, loan_size = self.uniform, self.exponential, self.loan_size
        t = env.now
        while True:
            gap = exponential() * mean_gap
            t += gap
            if t >= m:
                return
            yield env.timeout(gap)
            if uniform() < share:
                amount = loan_size() * scale
                cover = min(amount, room)
                room -= cover
                flow["pledge_projects"][m] += 1.0
                flow["pledge_amount"][m] += amount
                self._book(amount, cover)

    def _loan_ends(self, event: simpy.Event) -> None:
        """A loan's life ends: repaid, or defaulted with probability ``hazard / (repay +
        hazard)``; a default costs the pool its share of the covered loss (no more than the
        pool holds)."""
        amount, cover = event.value
        self.balance -= amount
        self.covered -= cover
        now = self.env.now
        if self.uniform() < self.default_share and now < self.H:
            self.monthly["pledge_defaults"][int(now) + 1] += 1.0
            loss = min(float(pledge.default_loss(self.p["pledge"], cover)), self.pool.level)
            if loss > 0.0:
                self.pool.get(loss)

    # -- securitisation ------------------------------------------------------------------------
    def _eligible(self) -> tuple[float, float]:
        """The eligible asset pool now and the securitised assets still outstanding (yuan);
        securitised assets run off at the book's exit rate."""
        left = self.securitised * math.exp(-self.exit_rate * (self.env.now - self.securitised_at))
        return float(securitisation.eligible(self.p["securitisation"], max(self.balance, 0.0),
                                              left)), left

    def originator(self):
        """Reviews the eligible pool at each month close; structures a product when it
        reaches the minimum; a structuring ends within each month with probability
        ``1/duration`` (an exponential time at that month's hazard) and issues a product
        with probability ``success``, else fails; either way the next review follows."""
        env, ps = self.env, self.p["securitisation"]
        while True:
            yield self.month_closed
            if self._eligible()[0] < self.min_pool:
                continue
            while True:
                yield self.month_opened
                p_end = 1.0 / self.duration
                wait = 0.0 if p_end >= 1.0 else self.exponential() / -math.log1p(-p_end)
                if wait < 1.0:
                    break
            yield env.timeout(wait)
            if self.uniform() < self.success:
                eligible, left = self._eligible()
                amount = ps.issue_share * eligible
                self.securitised, self.securitised_at = left + amount, env.now
                month = int(env.now) + 1
                self.monthly["securitisations"][month] += 1.0
                self.monthly["securitisation_amount"][month] += amount
                self.first_issue = min(self.first_issue, month)

    # -- the mid-term gate -------------------------------------------------------------------
    def evaluator(self, month: int):
        """At the close of month ``month``, judges the path on track or not."""
        while (yield self.month_closed) != month:
            pass
        gate = GateProgress(self.scenario, self.yearly_baseline())
        for k in range(1, month + 1):
            gate.add(k, {name: self.monthly[name][k] for name in gate.window})
        now = State(1)
        now.first_issue = np.array([self.first_issue])
        now.stock = np.array([float(self.stock)])
        now.pool = np.array([self.pool.level])
        self.released = bool(gate.verdict(month, now)[0])

    # -- results ----------------------------------------------------------------------------
    def yearly_baseline(self) -> dict[str, np.ndarray]:
        """Year-0 column of every indicator, (1, 1) each (the gate's baselines)."""
        return {k: np.full((1, 1), float(np.asarray(v)))
                for k, v in year0(self.scenario, self.x.grants_year0).items()}

    def yearly(self) -> dict[str, np.ndarray]:
        """Indicator -> (years + 1,) values: flows summed by year, stocks at year end;
        column 0 (year 0) is left for the caller."""
        out = {}
        for name, months in self.monthly.items():
            out[name] = np.add.reduceat(np.asarray(months[1:]), np.arange(0, self.H, 12))
        for name, levels in self.year_end.items():
            out[name] = np.asarray(levels[1:])
        return out
