"""One path of the model as a SimPy discrete-event simulation (time unit: months).

Month ``m`` (1-based) is the interval ``[m - 1, m)``. A :meth:`PathWorld.clock` process owns
every integer instant ``m`` and does, in this order:

1. **close month m** (if ``m >= 1``): the event forms write their state (:meth:`sync`), the
   year-end stocks are recorded when ``m`` is a multiple of 12, then ``month_closed`` fires;
   the processes waiting on it run before anything else happens at this instant: the
   mid-term :meth:`~PathWorld.evaluator` (at month M) and the securitisation originator's
   review of its eligible pool;
2. **open month m + 1** (if ``m < H``): pay the tranches due after ``m`` months and spend the
   month's share of each lever's budget (:func:`ipsim.model.funding.month_spending`), then
   every mechanism of the registry in order: an event form (:mod:`ipsim.engines.des.forms`)
   opens its month (patents grant and file a cohort, the bank sets its approval share and
   starts the month's applications, securitisation sets its terms); any other mechanism
   steps on the path's one-path state as in the vectorised engine, with normals from the
   path's own generator; then ``month_opened`` fires (a structuring in progress draws whether
   it ends this month).

Between integer instants only individual events happen, each at its own time: a loan
application arrives and is approved or not, a loan is repaid or defaults (draining the pool
at that instant), a structuring ends and issues a product or fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import simpy

from ipsim.engines.common import GateProgress, prepare, settings, view
from ipsim.engines.des.forms import EVENT_FORMS
from ipsim.engines.des.inputs import PathInputs
from ipsim.model import funding, registry
from ipsim.model.mechanism import Month
from ipsim.model.state import State
from ipsim.scenario.params import Scenario

__all__ = ["PathWorld", "flow_names", "stock_names"]

_BATCH = 512
"""Draws made at a time for the per-event random numbers (fixed: part of the streams)."""


def stock_names() -> tuple[str, ...]:
    """Indicators recorded as year-end levels."""
    return tuple(name for m in registry.mechanisms() for name in m.stocks)


def flow_names() -> tuple[str, ...]:
    """Indicators recorded as monthly flows (summed into years)."""
    stocks = stock_names()
    return tuple(name for name in registry.indicators() if name not in stocks)


class PathWorld:
    """The simulation of one path.

    Parameters
    ----------
    scenario : Scenario
        The scenario (policy, horizon, targets of the mid-term rule).
    x : PathInputs
        The path's parameters, economy, initial state and generator.
    """

    def __init__(self, scenario: Scenario, x: PathInputs):
        self.scenario, self.x, self.rng = scenario, x, x.rng
        self.uniform = self.buffered(x.rng.random)                  # U(0, 1)
        self.exponential = self.buffered(x.rng.standard_exponential)  # mean 1
        self.H = H = scenario.horizon_months
        self.env = simpy.Environment()
        self.month_opened, self.month_closed = self.env.event(), self.env.event()
        self.monthly = {name: [0.0] * (H + 1) for name in flow_names()}   # index: month 1..H
        self.year_end = {name: [0.0] * (scenario.years + 1) for name in stock_names()}
        self.settings = settings(scenario)
        self.levers = registry.levers()
        self.state: State = x.state
        self.fund = State(1)                      # funding's one-path state
        funding.init(self.fund, self.levers)
        self.released = False
        self.mechanisms = registry.mechanisms()
        self.views = {m.name: view(self.state, m) for m in self.mechanisms}
        self.forms = {}
        for m in self.mechanisms:                 # in order: a form may use an earlier one's
            if m.name in EVENT_FORMS:
                self.forms[m.name] = EVENT_FORMS[m.name](self, x.p[m.name], self.views[m.name])
        self.series = [s.name for s in registry.series()]
        column = {s: j for j, s in enumerate(self.series)}
        prepare(scenario, self.state, x.p, lambda s: x.shocks[:, column[s]][:, None],
                skip=EVENT_FORMS)

    @staticmethod
    def buffered(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
        """A function returning the next value of ``draw(_BATCH)``, refilled as needed: one
        numpy call per ``_BATCH`` events instead of one per event."""
        batches = iter(lambda: draw(_BATCH).tolist(), None)
        return itertools.chain.from_iterable(batches).__next__

    # -- running a path -------------------------------------------------------------------
    def run(self) -> None:
        """Simulate months 1..H."""
        env = self.env
        for form in self.forms.values():
            form.start()
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

    def sync(self) -> None:
        """Every event form writes its current values into the path's state."""
        for form in self.forms.values():
            form.sync()

    def clock(self):
        """The month clock: closes month ``m`` and opens month ``m + 1`` at instant ``m``."""
        for m in range(self.H + 1):
            if m >= 1:
                self.sync()
                if m % 12 == 0:
                    for m_ in self.mechanisms:
                        for name, attr in m_.stocks.items():
                            self.year_end[name][m // 12] = float(getattr(self.state, attr)[0])
                yield self._fire("month_closed", m)
            if m < self.H:
                self._open(m + 1)
                self._fire("month_opened", m + 1)
                yield self.env.timeout(1)

    def _open(self, m: int) -> None:
        """Month ``m`` starts: funds, then every mechanism in registry order."""
        fund, flow = self.fund, self.monthly
        fund.released[0] = self.released
        spend = funding.month_spending(fund, self.scenario.policy, self.levers, m - 1, self.H)
        flow["funds_received"][m] = float(fund.received[0])
        shocks = dict(zip(self.series, self.x.shocks[m - 1], strict=True))
        for mech in self.mechanisms:
            form = self.forms.get(mech.name)
            draws = self.rng.standard_normal((1, mech.draws)) if form is None and mech.draws \
                else _NO_DRAWS
            month = Month(m, spend, {s: np.array([shocks[s]]) for s in mech.shocks}, draws,
                          self.settings)
            if form is not None:
                flows = form.open(month)
            else:
                flows = mech.step(self.views[mech.name], self.x.p[mech.name], month)
            for name, value in flows.items():
                flow[name][m] += float(np.asarray(value).reshape(-1)[0])

    # -- the mid-term gate -------------------------------------------------------------------
    def evaluator(self, month: int):
        """At the close of month ``month``, judges the path on track or not."""
        while (yield self.month_closed) != month:
            pass
        base = {k: np.full((1, 1), v) for k, v in self.x.year0.items()}
        gate = GateProgress(self.scenario, base)
        for k in range(1, month + 1):
            gate.add(k, {name: np.array([self.monthly[name][k]]) for name in gate.window})
        self.released = bool(gate.verdict(month, self.state)[0])

    # -- results ----------------------------------------------------------------------------
    def yearly(self) -> dict[str, np.ndarray]:
        """Indicator -> (years,) values of years 1..Y: flows summed by year, stocks at year
        end (column 0, year 0, is the caller's)."""
        out = {}
        for name, months in self.monthly.items():
            out[name] = np.add.reduceat(np.asarray(months[1:]), np.arange(0, self.H, 12))
        for name, levels in self.year_end.items():
            out[name] = np.asarray(levels[1:])
        return out

    def first(self, attr: str) -> float:
        """The path's value of a one-path state array (an event's first month)."""
        self.sync()
        return float(getattr(self.state, attr)[0])


_NO_DRAWS = np.empty((1, 0))
