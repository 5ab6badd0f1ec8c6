"""The item-by-item forms of the mechanisms that the DES simulates event by event.

A mechanism of the registry runs in the DES in one of two ways. Most step as the vectorised
engine steps them, on the path's one-path state (:class:`ipsim.engines.des.world.PathWorld`):
nothing in the model reacts to the time of a deal or a delivery within its month. The
mechanisms below work item by item instead, and have an *event form* here: a class with

``__init__(world, p, state)``
    ``p`` the mechanism's parameters (floats) and ``state`` its view of the path's state;
``start()``
    at time 0: what exists before month 1 (the loan book, a reviewing process);
``open(month) -> dict[str, float]``
    at the opening of a month, with the month's :class:`~ipsim.model.mechanism.Month`: the
    flows known then (the rest are added to ``world.monthly`` by the events as they happen);
``sync()``
    write the current values of the state arrays other mechanisms, the gate and the
    year-end record read (the patent stock, the pool, the first issue) into ``state``.

:data:`EVENT_FORMS` maps a mechanism to its form; adding a mechanism that works item by item
means adding its form here.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from ipsim.model import growth, patents, pledge, securitisation
from ipsim.model.mechanism import Month

__all__ = ["EVENT_FORMS", "PatentCohorts", "LoanBook", "Originator"]


class PatentCohorts:
    """Patents: each month's filings are one cohort of ``Poisson(level)`` applications, split
    by one multinomial draw into fast and ordinary track, granted or refused, and the month
    (lag) of each grant, from the same discretised gamma lag pmfs; lapses are
    ``Binomial(stock, monthly lapse)``. Filings made before the period add ``Poisson`` grants
    with the expected value of their convolution."""

    def __init__(self, world, p, state):
        self.world, self.p, self.state = world, p, state
        rng, H = world.rng, world.H
        pmf = patents.kernels(p)
        self.stock = int(round(float(state.stock[0])))
        self.grants_due = rng.poisson(self._pre_period_grants(pmf, H)).astype(float)
        self.lapse = float(patents.monthly_lapse(p.lapse_rate))
        f, q = world.settings["fast_track_share"], p.grant_rate
        probs = np.concatenate([(1.0 - f) * q * pmf[0], f * q * pmf[1], [0.0]])
        probs[-1] = max(0.0, 1.0 - probs[:-1].sum())     # refused
        self.cohort_probs = probs

    def _pre_period_grants(self, pmf: np.ndarray, horizon: int) -> np.ndarray:
        """(H + 1,) expected grants in months 1..H from the filings of months -MAX_LAG+1..0
        held in the state's ring buffer by :func:`ipsim.model.patents.init`."""
        L = patents.MAX_LAG
        out = np.zeros(horizon + 1)
        filed, filed_months = self.state.filed[0], -np.arange(L)   # 0, -1, ..., -(L-1)
        for m in range(1, min(horizon, L - 1) + 1):
            lags = m - filed_months
            ok = lags < L
            out[m] = filed[filed_months[ok] % L] @ pmf[0, lags[ok]]
        return out * float(self.p.grant_rate)

    def start(self) -> None:
        """Nothing happens before month 1."""

    def open(self, month: Month) -> dict[str, float]:
        """This month's grants and lapses, then its filings as one cohort."""
        m, rng, state = month.month, self.world.rng, self.state
        grants = self.grants_due[m]
        self.stock += int(grants) - int(rng.binomial(self.stock, self.lapse))
        growth.step_log_level(state.apps_log, growth.log_drift(self.p.growth),
                              self.p.volatility, month.shocks["applications"])
        filed = int(rng.poisson(float(np.exp(state.apps_log[0]))))
        cohort = rng.multinomial(filed, self.cohort_probs)[:-1]
        L = patents.MAX_LAG
        due = cohort[:L] + cohort[L:]                  # granted after a lag of l months
        last = min(L, self.world.H - m + 1)
        self.grants_due[m:m + last] += due[:last]
        self.sync()
        return {"applications": float(filed), "grants": float(grants)}

    def sync(self) -> None:
        """The stock of patents in force (deals read it)."""
        self.state.stock[0] = float(self.stock)


class LoanBook:
    """Pledge loans: approved loans arrive one by one (applications are a Poisson process
    with the month's rate, each approved with the month's share from the headroom when the
    month opens: the approved ones are a Poisson process of rate x share), each with its own
    Gamma amount and its own exponential life from the instant it is made, ending in default
    with probability ``hazard / (repay + hazard)``.

    The pool's cover (``docs/model.md``, "The pool's accounting"): at the close of each month
    the bank registers the month's loans with the pool in the order it lists them (a random
    order, unrelated to when they were made or their size), each covered whole while the
    headroom left from the month's opening covers it; the first that does not fit ends the
    month's cover. Cover runs from the loan's start: a default of a covered loan takes its
    covered loss from the pool (a :class:`simpy.Container`) at that instant, or at the close
    for one that failed before it was registered, never more than the pool holds. The book
    at the start is ``loans`` loans with Gamma amounts that add up to its balance, which a
    starting pool covers the same way."""

    def __init__(self, world, p, state):
        self.world, self.p, self.state = world, p, state
        env, rng = world.env, world.rng
        self.pool = simpy.Container(env, capacity=math.inf, init=float(state.pool[0]))
        self.mean_loan = float(state.mean_loan[0])
        shape = p.loan_shape
        self.loan_size = world.buffered(lambda n: rng.standard_gamma(shape, n))  # mean = shape
        repay, hazard = (float(r) for r in pledge.monthly_exit_rates(p))
        self.exit_rate = repay + hazard
        self.default_share = hazard / (repay + hazard) if self.exit_rate > 0 else 0.0
        self.balance = self.covered = self.covered_loans = 0.0
        self.made: list[_Loan] = []          # the month's loans, registered at its close
        self.room = 0.0                      # the month's headroom, from its opening

    def start(self) -> None:
        """The book at month 0: ``loans`` loans whose Gamma amounts add up to the balance
        (shares of a Dirichlet), registered at once against the starting pool's capacity;
        each has its own life."""
        s = self.state
        n = int(s.loans[0])
        sizes = np.array([self.loan_size() for _ in range(n)])
        self.made = [self._book(float(x)) for x in sizes * (float(s.balance[0]) / sizes.sum())]
        self.room = float(pledge.headroom(self.p, self.pool.level, 0.0))
        self._register(order=False)

    def _book(self, amount: float) -> _Loan:
        """A loan goes on the book, not yet covered; its life ends at an exponential time."""
        loan = _Loan(amount)
        self.balance += amount
        if self.exit_rate > 0.0:
            life = self.world.env.timeout(self.world.exponential() / self.exit_rate, loan)
            life.callbacks.append(self._loan_ends)
        return loan

    def _register(self, order: bool = True) -> None:
        """Cover the loans made since the last registration, whole, in the bank's order (a
        random permutation when ``order``), while ``room`` covers the next."""
        loans, self.made = self.made, []
        if order and len(loans) > 1:
            loans = [loans[i] for i in self.world.rng.permutation(len(loans))]
        room = self.room
        for loan in loans:
            if loan.amount > room:
                break
            room -= loan.amount
            loan.cover = loan.amount
            if loan.ended is None:
                self.covered += loan.cover
                self.covered_loans += 1
            elif loan.ended == "default":
                self._pay(loan.cover)

    def _pay(self, cover: float) -> None:
        """The pool pays its share of a covered loss, no more than it holds."""
        loss = min(float(pledge.default_loss(self.p, cover)), self.pool.level)
        if loss > 0.0:
            self.pool.get(loss)

    def open(self, month: Month) -> dict[str, float]:
        """Tranche payments into the pool; the bank's approval share and the headroom for the
        month; the month's loans start arriving."""
        p, state, m = self.p, self.state, month.month
        paid = float(month.spend["risk_pool"][0])
        if paid > 0.0:
            self.pool.put(paid)
        growth.step_log_level(state.pledge_log, growth.log_drift(p.growth), p.volatility,
                              month.shocks["pledge"])
        rate = float(pledge.demand(p, state.pledge_log[0],
                                   float(month.spend["interest_subsidy"][0])))
        self.room = float(pledge.headroom(p, self.pool.level, self.covered))
        share = float(pledge.approval_share(p, self.room, rate, self.mean_loan))
        self.world.env.process(self.loans(m, rate * share))
        return {}

    def loans(self, m: int, rate: float):
        """Approved loans of month ``m``: a Poisson process of ``rate`` a month."""
        world = self.world
        env, flow = world.env, world.monthly
        if rate <= 0.0:
            return
        mean_gap = 1.0 / rate
        scale = self.mean_loan / self.p.loan_shape
        exponential, loan_size = world.exponential, self.loan_size
        t = env.now
        while True:
            gap = exponential() * mean_gap
            t += gap
            if t >= m:
                return
            yield env.timeout(gap)
            amount = loan_size() * scale
            flow["pledge_projects"][m] += 1.0
            flow["pledge_amount"][m] += amount
            self.made.append(self._book(amount))

    def _loan_ends(self, event: simpy.Event) -> None:
        """A loan's life ends: repaid, or defaulted with probability ``hazard / (repay +
        hazard)``; a covered default costs the pool its share of the loss."""
        world, loan = self.world, event.value
        self.balance -= loan.amount
        if loan.cover > 0.0:
            self.covered -= loan.cover
            self.covered_loans -= 1
        now = world.env.now
        default = world.uniform() < self.default_share
        loan.ended = "default" if default else "repaid"
        if default and now < world.H:
            world.monthly["pledge_defaults"][int(now) + 1] += 1.0
            if loan.cover > 0.0:
                self._pay(loan.cover)

    def sync(self) -> None:
        """At a month's close: register the month's loans; then the pool balance and the
        book (the gate and the year-end record read them)."""
        if self.made:
            self._register()
        s = self.state
        s.pool[0], s.balance[0], s.covered[0] = self.pool.level, self.balance, self.covered
        s.covered_loans[0] = self.covered_loans


class _Loan:
    """One pledge loan: its amount, its cover (0 until registered) and how it ended."""

    __slots__ = ("amount", "cover", "ended")

    def __init__(self, amount: float):
        self.amount, self.cover, self.ended = amount, 0.0, None


class Originator:
    """Securitisation: reviews the eligible pool at each month close and structures a
    product when it reaches the minimum; a structuring ends within each month with
    probability ``1/duration`` (an exponential time at that month's hazard) and issues
    ``issue_share`` of the pool eligible at that instant with probability ``success``, else
    fails; either way the next review follows. Securitised assets run off at the book's
    exit rate."""

    def __init__(self, world, p, state):
        self.world, self.p, self.state = world, p, state
        self.book: LoanBook = world.forms["pledge"]
        self.securitised, self.securitised_at = 0.0, 0.0
        self.support_spent = 0.0
        self.first_issue = math.inf
        self.duration = self.success = self.min_pool = math.nan   # set at each opening

    def start(self) -> None:
        """The reviewing process starts."""
        self.world.env.process(self.originate())

    def open(self, month: Month) -> dict[str, float]:
        """The structuring terms bought by support so far."""
        self.support_spent += float(month.spend["securitisation_support"][0])
        self.duration, self.success, self.min_pool = (float(v) for v in securitisation.terms(
            self.p, self.support_spent))
        return {}

    def _eligible(self) -> tuple[float, float]:
        """The eligible asset pool now and the securitised assets still outstanding (yuan)."""
        book, now = self.book, self.world.env.now
        left = self.securitised * math.exp(-book.exit_rate * (now - self.securitised_at))
        return float(securitisation.eligible(self.p, max(book.balance, 0.0), left)), left

    def originate(self):
        """The reviews, structurings and issues of the whole period (a SimPy process)."""
        world, ps = self.world, self.p
        env = world.env
        while True:
            yield world.month_closed
            if self._eligible()[0] < self.min_pool:
                continue
            while True:
                yield world.month_opened
                p_end = 1.0 / self.duration
                wait = 0.0 if p_end >= 1.0 else world.exponential() / -math.log1p(-p_end)
                if wait < 1.0:
                    break
            yield env.timeout(wait)
            if world.uniform() < self.success:
                eligible, left = self._eligible()
                amount = ps.issue_share * eligible
                self.securitised, self.securitised_at = left + amount, env.now
                month = int(env.now) + 1
                world.monthly["securitisations"][month] += 1.0
                world.monthly["securitisation_amount"][month] += amount
                self.first_issue = min(self.first_issue, month)

    def sync(self) -> None:
        """The month of the first issue (event targets and the gate read it)."""
        self.state.first_issue[0] = self.first_issue


EVENT_FORMS = {"patents": PatentCohorts, "pledge": LoanBook, "securitisation": Originator}
"""Mechanism -> its event form in the DES (the others step as in the vectorised engine)."""
