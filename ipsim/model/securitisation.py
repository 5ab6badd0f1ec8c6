"""IP securitisation (mechanism 4).

The eligible asset pool is a share of the pledge-loan book not yet securitised:
``E = max(0, eligible_share * balance - securitised)``. A path idle at a month's close with
``E`` at or above the minimum pool size starts structuring a product; each later month,
structuring ends with probability ``1 / months`` (geometric duration) and then succeeds with
probability ``success``; a success issues ``issue_share x E`` (yuan) and the securitised
assets run off with the pledge book from the issue (on average mid-month); a failure
returns the path to idle. A structuring that
ends in a month leaves the path idle at that month's close, so the next one can start there
(on the pool left after any issue). The first issuance is an event in time (its month is
recorded).

Programme support (cumulative spending ``c`` on ``securitisation_support``) acts through
``v = c / (c + support_half)`` in [0, 1): the duration moves from ``months`` to
``supported_months``, the success probability from ``success`` to ``supported_success``,
and the minimum pool shrinks by ``v x support_pool_cut``.

Owns ``structuring`` (bool), ``securitised`` (yuan outstanding), ``support_spent`` (yuan) and
``first_issue`` (month of the first product, ``inf`` until then); reads the pledge book's
``balance`` and the share ``pledge_leave`` of it that leaves in a month.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Lever, Mechanism, Month, Start, parameters_class
from ipsim.model.spec import Param

__all__ = ["MECHANISM", "PARAMS", "init", "step", "support_level", "terms", "eligible",
           "SecuritisationParameters"]

PARAMS: tuple[Param, ...] = (
    Param("eligible_share", 0.3, "fraction", 0.0, 1.0,
          "share of the pledge-loan book that can be pooled into a product", "assumption"),
    Param("min_pool", 2.5e8, "yuan", 1.0, 1e12,
          "smallest eligible pool a product can be structured on",
          "assumption near the smallest issues in the sources: 243 million yuan (seed 002), "
          "470 and 733 million yuan (data/national-facts.md, 2018)"),
    Param("issue_share", 0.8, "fraction", 0.0, 1.0,
          "share of the eligible pool a product securitises", "assumption"),
    Param("months", 9.0, "months", 1.0, 60.0,
          "mean structuring time without support", "assumption"),
    Param("supported_months", 4.0, "months", 1.0, 60.0,
          "mean structuring time with full support", "assumption"),
    Param("success", 0.35, "fraction", 0.0, 1.0,
          "probability a structuring ends in an issue, without support", "assumption"),
    Param("supported_success", 0.8, "fraction", 0.0, 1.0,
          "probability a structuring ends in an issue, with full support", "assumption"),
    Param("support_half", 3e6, "yuan", 1.0, 1e10,
          "cumulative support spending that buys half of the full support effect",
          "assumption"),
    Param("support_pool_cut", 0.5, "fraction", 0.0, 1.0,
          "largest relative cut of the minimum pool that support buys (e.g. by adding "
          "licence receivables)", "assumption"),
)
SecuritisationParameters = parameters_class("securitisation", PARAMS, __name__)


def init(state, p: SecuritisationParameters, start: Start) -> None:
    """No product, no structuring, no support spent yet."""
    state.structuring = np.zeros(state.n, dtype=bool)
    state.securitised = state.zeros()
    state.support_spent = state.zeros()
    state.first_issue = np.full(state.n, np.inf)


def support_level(spent, half):
    """``v = c / (c + half)``: the share of the full support effect bought so far."""
    return spent / (spent + half)


def terms(p, support_spent):
    """Structuring terms bought by cumulative support spending ``support_spent`` (yuan).

    Returns
    -------
    duration : array_like
        Mean structuring time (months): a structuring ends within a month w.p. 1/duration.
    success : array_like
        Probability that a structuring ends in an issue.
    min_pool : array_like
        Smallest eligible pool a structuring can start on (yuan).
    """
    v = support_level(support_spent, p.support_half)
    duration = p.months + (p.supported_months - p.months) * v
    success = p.success + (p.supported_success - p.success) * v
    min_pool = p.min_pool * (1.0 - p.support_pool_cut * v)
    return duration, success, min_pool


def eligible(p, balance, securitised):
    """Eligible asset pool (yuan): ``max(0, eligible_share * balance - securitised)``."""
    return np.maximum(p.eligible_share * balance - securitised, 0.0)


def step(state, p: SecuritisationParameters, month: Month) -> dict[str, np.ndarray]:
    """One month of structuring and issuance; returns products and amount issued.

    ``month.draws`` is (paths, 2): a structuring ends if ``z[:, 0] < Phi^-1(1/months)`` and
    succeeds if ``z[:, 1] < Phi^-1(success)`` (comparisons of fixed draws with thresholds, so
    a higher probability never turns a success into a failure); ``month.spend`` gives the
    ``securitisation_support`` spending (yuan).
    """
    z = month.draws
    state.support_spent += month.spend["securitisation_support"]
    duration, success, min_pool = terms(p, state.support_spent)
    state.securitised *= 1.0 - state.pledge_leave
    pool = eligible(p, state.balance, state.securitised)
    ends = state.structuring & (z[:, 0] < special.ndtri(1.0 / duration))
    issued = ends & (z[:, 1] < special.ndtri(success))
    amount = np.where(issued, p.issue_share * pool, 0.0)
    # a product is issued at some time in the month: its assets start running off then
    # (expected survival to the month's end (1 - exp(-k)) / k, k the book's exit rate)
    leave = state.pledge_leave
    state.securitised += amount * (leave / -np.log1p(-leave))
    state.first_issue = np.where(issued & np.isinf(state.first_issue), month.month,
                                 state.first_issue)
    idle = ~state.structuring | ends                  # idle at the month's close
    state.structuring = np.where(idle, eligible(p, state.balance, state.securitised) >= min_pool,
                                 True)
    return {"securitisations": issued.astype(float), "securitisation_amount": amount}


MECHANISM = Mechanism(
    name="securitisation", doc="IP securitisation: structuring on an eligible pool of the "
    "pledge book, issuance as an event in time",
    params=PARAMS, init=init, step=step, Parameters=SecuritisationParameters,
    indicators=(
        Indicator("securitisations", "output", "products/yr",
                  "IP securitisation products issued", event=True),
        Indicator("securitisation_amount", "output", "yuan/yr",
                  "IP securitisation amount issued"),
    ),
    levers=(Lever("securitisation_support", "support for structuring securitisation "
                  "products"),),
    draws=2, owns=("structuring", "securitised", "support_spent", "first_issue"),
    reads=("balance", "pledge_leave"), events={"securitisations": "first_issue"},
)
