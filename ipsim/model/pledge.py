"""IP pledge financing with a government risk-compensation pool (mechanism 3).

Loan applications arrive at rate ``x_m / a0 * (1 + u * s / (s + h))`` a month: ``x_m`` is
the demand trend with shocks (calibrated so that, at the baseline approval share ``a0``, the
baseline number of projects is financed), and the last factor the rise in demand bought by
interest subsidies ``s`` (yuan/yr).

Banks lend up to ``lending_multiple`` times the pool on covered loans. The headroom is
``H = max(0, multiple * pool - covered balance)``; the approval share rises from ``a0``
(banks on their own) towards ``a_max`` with the share of the month's demand the headroom
can cover: ``a = a0 + (a_max - a0) * min(1, H / (applications * mean loan))``. Approved loans
are Poisson (``applications x a``, exact thinning); their amounts are Gamma(``loan_shape``,
``mean / loan_shape``) each, so the month's total is one Gamma(``n * shape``) draw.

Each loan leaves the book at rate ``1/term`` (repaid) plus a default hazard
``-log(1 - default_rate)/12`` a month (exponential lives, the same in both engines).
Defaults on covered loans cost the pool ``loss_share x (1 - recovery_rate)`` of the
defaulted balance; once the pool is empty the headroom is gone and approvals fall back to
``a0``. Balances and the number of loans on the book run off at their expected rate (a
month's new loans from the instant they are approved, on average mid-month). A loan is
covered in full or not at all, so the month's defaults are two Poisson counts (thinning by
the covered share of the money leaving the book): uncovered ones cost the pool nothing, and
the cover of ``n`` covered ones is one Gamma(``n k``) sum of loan amounts.

The pool is this mechanism's: it starts at the baseline ``risk_pool`` and receives, at the
start of each month, what the tranches paid into the ``risk_pool`` lever (a capital lever).

Owns ``pool`` (yuan), ``pledge_log`` (log monthly demand trend, loans/month at ``a0``), the
book (``loans`` on it, ``balance`` and ``covered`` yuan outstanding, all and pool-covered),
``mean_loan`` (yuan) and ``pledge_leave`` (the share of the book that leaves it in a month,
which securitised assets follow).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ipsim.model import cover, draws, growth
from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Lever, Mechanism, Month, Series, Start, parameters_class
from ipsim.model.spec import Param
from ipsim.model.transfers import saturating_uplift

__all__ = ["MECHANISM", "PARAMS", "FIXED", "init", "step", "book", "monthly_exit_rates",
           "demand", "headroom", "approval_share", "default_loss", "PledgeParameters"]

NATIONAL = "data/national-facts.md"
PARAMS: tuple[Param, ...] = (
    Param("growth", 0.15, "1/yr", -0.5, 1.5,
          "trend growth of pledge-loan demand (annual, fraction)",
          f"assumption; {NATIONAL}: national pledge amount +23.8 % (2019), +43.9 % (2020)"),
    Param("volatility", 0.15, "1/sqrt(yr)", 0.0, 1.0,
          "volatility of the log level of loan demand", "assumption"),
    Param("approval_base", 0.5, "fraction", 0.01, 1.0,
          "share of applications banks approve without the pool", "assumption"),
    Param("approval_max", 0.8, "fraction", 0.01, 1.0,
          "share approved when the pool covers all the month's demand", "assumption"),
    Param("lending_multiple", 10.0, "dimensionless", 0.0, 100.0,
          "covered lending banks extend per yuan in the pool", "assumption"),
    Param("loss_share", 0.6, "fraction", 0.0, 1.0,
          "share of a covered loan's loss that the pool pays", "assumption"),
    Param("recovery_rate", 0.3, "fraction", 0.0, 1.0,
          "share of a defaulted balance recovered from the pledged IP", "assumption"),
    Param("default_rate", 0.03, "1/yr", 0.0, 0.9,
          "annual probability that a loan defaults", "assumption"),
    Param("term_months", 12.0, "months", 1.0, 120.0,
          "mean life of a pledge loan (exponential)", "assumption"),
    Param("loan_shape", 2.0, "dimensionless", 1.0, float(cover.MAX_SHAPE),
          "gamma shape of one loan's amount (1/cv^2), a whole number: each loan is the sum of "
          "this many exponential parts, which gives the pool's whole-loan cover a closed form "
          "(ipsim.model.cover)", "assumption", integer=True),
    Param("interest_max_uplift", 0.4, "fraction", 0.0, 5.0,
          "largest relative rise of loan demand that interest subsidies can buy", "assumption"),
    Param("interest_half_spend", 5e6, "yuan/yr", 1.0, 1e10,
          "annual interest-subsidy spending that buys half of interest_max_uplift",
          "assumption"),
)
FIXED = ("loan_shape",)
"""Parameters that must be numbers, not distributions (shared by every path)."""
DRAWS = 7  # approvals, amounts, other and covered defaults, their loss, cover, repaid

PledgeParameters = parameters_class("pledge", PARAMS, __name__)


def monthly_exit_rates(p) -> tuple[np.ndarray, np.ndarray]:
    """(repayment, default) hazards per month of a loan on the book."""
    repay = 1.0 / np.asarray(p.term_months, float)
    default = -np.log1p(-np.asarray(p.default_rate, float)) / 12.0
    return repay, default


def demand(p, log_level, interest_spend):
    """Loan applications a month: ``x_m / a0 * (1 + u s / (s + h))``.

    ``log_level`` is the log of the demand trend with shocks (loans/month at ``a0``) and
    ``interest_spend`` this month's interest-subsidy spending (yuan; ``s`` is 12 times it).
    """
    return (np.exp(log_level) / p.approval_base
            * saturating_uplift(12.0 * interest_spend, p.interest_max_uplift,
                                p.interest_half_spend))


def headroom(p, pool, covered):
    """Covered lending banks can still extend (yuan): ``max(0, multiple * pool - covered)``."""
    return np.maximum(p.lending_multiple * pool - covered, 0.0)


def approval_share(p, room, applications, mean_loan):
    """Share of the month's applications approved, given the month's headroom ``room``
    (yuan): ``a0 + (a_max - a0) * min(1, room / (applications * mean_loan))``."""
    cover = np.minimum(room / (applications * mean_loan), 1.0)
    return p.approval_base + np.maximum(p.approval_max - p.approval_base, 0.0) * cover


def default_loss(p, covered):
    """What the pool pays (yuan) when loans with ``covered`` yuan of cover default."""
    return covered * (1.0 - p.recovery_rate) * p.loss_share


def _whole(count, amount, square, z):
    """A whole number of covered loans with mean ``count`` (rounded up with the probability
    of its fraction, ``Phi(z) < count - floor(count)``), and their amount and sum of squared
    amounts scaled to it: all exact in expectation."""
    whole = np.floor(count)
    n = whole + (special.ndtr(z) < count - whole)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(count > 0, n / count, 0.0)
    return n, amount * scale, square * scale


def book(p, baseline, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The loan book at the start: a term's worth of the baseline year's lending, as a whole
    number of loans (at least 1) and their balance (yuan), ``(n,)`` each."""
    years = np.asarray(p.term_months, float) / 12.0
    loans = np.maximum(np.round(np.asarray(baseline["pledge_projects"], float) * years), 1.0)
    balance = np.asarray(baseline["pledge_amount"], float) * years
    return (np.broadcast_to(loans, (n,)).astype(float),
            np.broadcast_to(balance, (n,)).astype(float))


def init(state, p: PledgeParameters, start: Start) -> None:
    """The pool at the start; month 0's demand level drawn given the baseline projects (their
    year-0 rate ``Gamma(projects, 1)`` and year 0's shocks, :mod:`ipsim.model.growth`); the
    mean loan drawn given the baseline amount lent in them; the book (:func:`book`), whose
    loans a starting pool covers whole, in order, up to its capacity."""
    baseline, z = start.baseline, start.draws
    state.pool = np.broadcast_to(np.asarray(baseline["risk_pool"], float), (state.n,)).copy()
    g = growth.log_drift(p.growth) * np.ones(state.n)
    count = baseline["pledge_projects"]
    rate = count * growth.count_rate_factor(count, z[:, 0])
    state.pledge_log = growth.start_log_levels(rate, g, p.volatility, start.past["pledge"])[:, 0]
    state.mean_loan = (baseline["pledge_amount"] / count
                       / growth.count_rate_factor(count * p.loan_shape, z[:, 1]))
    state.loans, state.balance = book(p, baseline, state.n)
    state.covered_loans, state.covered, state.covered_sq = _whole(*cover.expected_cover(
        state.loans, state.balance, p.lending_multiple * state.pool, p.loan_shape), z[:, 2])
    state.pledge_leave = np.zeros(state.n)


def step(state, p: PledgeParameters, month: Month) -> dict[str, np.ndarray]:
    """One month of pool payments, applications, approvals, loan amounts, run-off and defaults.

    Parameters
    ----------
    state : StateView
        Updates ``pool`` (yuan), ``pledge_log``, ``loans``, ``balance``, ``covered`` and
        ``pledge_leave``.
    p : PledgeParameters
        This mechanism's parameters.
    month : Month
        The ``pledge`` (demand) shock; ``spend``: ``risk_pool`` (paid into the pool this
        month) and ``interest_subsidy`` (yuan); ``draws`` (paths, 5) standard normals:
        approvals, amounts, uncovered and covered defaults, the covered defaults' cover.

    Returns
    -------
    dict
        ``pledge_projects`` (loans), ``pledge_amount`` (yuan), ``pledge_defaults`` (loans).
    """
    z = month.draws
    state.pool += month.spend["risk_pool"]
    growth.step_log_level(state.pledge_log, growth.log_drift(p.growth), p.volatility,
                          month.shocks["pledge"])
    apps = demand(p, state.pledge_log, month.spend["interest_subsidy"])
    room = headroom(p, state.pool, state.covered)
    approval = approval_share(p, room, apps, state.mean_loan)
    n_new = draws.poisson_from_normal(z[:, 0], apps * approval)
    amount = draws.gamma_from_normal(z[:, 1], n_new * p.loan_shape, state.mean_loan / p.loan_shape)
    # run-off and defaults of the book held at the start of the month, and of the month's
    # own loans (approved at a uniform time in the month: each is still on the book at the
    # month's end with probability stay = (1 - exp(-k)) / k, k = repay + hazard)
    repay, hazard = monthly_exit_rates(p)
    exits = repay + hazard
    leave = -np.expm1(-exits)
    stay = leave / exits
    # cover: the month's loans registered at its close, whole, in the bank's order, while
    # the month's room covers the next (ipsim.model.cover: the expected number and amount);
    # the covered book is a whole number of loans: the month's count is that expectation
    # rounded at random (up with the probability of its fraction), its amount scaled to it
    new_ncov, new_cover, new_sq = _whole(
        *cover.expected_cover(n_new, amount, room, p.loan_shape), z[:, 5])
    out_loans = state.loans * leave + n_new * (1.0 - stay)         # expected exits, loans
    out_ncov = state.covered_loans * leave + new_ncov * (1.0 - stay)  # covered ones
    out_cover = state.covered * leave + new_cover * (1.0 - stay)    # and their cover, yuan
    out_sq = state.covered_sq * leave + new_sq * (1.0 - stay)       # its squares, yuan^2
    out_balance = state.balance * leave + amount * (1.0 - stay)     # and their amount, yuan
    with np.errstate(divide="ignore", invalid="ignore"):
        covered_loan = np.where(out_ncov > 0, out_cover / out_ncov, 0.0)
        covered_sq = np.where(out_ncov > 0, out_sq / out_ncov, 0.0)   # E[cover^2] a loan
        # the cover of a covered default: a gamma with the covered loans' mean and spread
        spread = np.maximum(covered_sq - covered_loan ** 2, 1e-9 * covered_loan ** 2)
        lost_shape = np.where(covered_loan > 0, np.minimum(covered_loan ** 2 / spread, 1e6),
                              1.0)
        other_loan = np.where(out_loans > out_ncov, np.maximum(out_balance - out_cover, 0.0)
                              / (out_loans - out_ncov), 0.0)
    # covered loans leave as drawn (defaults, then repayments; whole loans, at most those
    # there are); the others' defaults are a Poisson count, their repayments expected
    on_book = state.covered_loans + new_ncov
    n_covered = np.minimum(draws.poisson_from_normal(z[:, 3], out_ncov * hazard / exits), on_book)
    n_repaid = np.minimum(draws.poisson_from_normal(z[:, 6], out_ncov * repay / exits),
                          on_book - n_covered)
    others = np.maximum(out_loans - out_ncov, 0.0)
    n_other = draws.poisson_from_normal(z[:, 2], others * hazard / exits)
    n_other = np.minimum(n_other, np.maximum(np.ceil(state.loans + n_new - on_book), 0.0))
    n_default = n_covered + n_other
    lost = draws.gamma_from_normal(z[:, 4], n_covered * lost_shape, covered_loan / lost_shape)
    lost = np.minimum(lost, state.covered + new_cover)
    state.pool = np.maximum(state.pool - default_loss(p, lost), 0.0)
    # the book: a loan that defaults leaves it and cannot default again
    repaid = repay / exits
    covered_loans = on_book - n_covered - n_repaid
    covered = np.where(covered_loans > 0, np.maximum(
        state.covered + new_cover - lost - n_repaid * covered_loan, 0.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):   # at least covered^2 / loans
        least = np.where(covered_loans > 0, covered ** 2 / covered_loans, 0.0)
    state.covered_sq = np.where(covered_loans > 0, np.maximum(
        state.covered_sq + new_sq - (n_covered + n_repaid) * covered_sq, least), 0.0)
    state.loans = np.maximum(state.loans + n_new - others * repaid - n_repaid - n_default,
                             covered_loans)
    state.balance = np.maximum(state.balance + amount - (out_balance - out_cover) * repaid
                               - n_repaid * covered_loan - lost - n_other * other_loan, covered)
    state.covered_loans, state.covered = covered_loans, covered
    state.pledge_leave = leave
    return {"pledge_projects": n_new, "pledge_amount": amount, "pledge_defaults": n_default}


MECHANISM = Mechanism(
    name="pledge", doc="IP pledge financing with a government risk-compensation pool",
    params=PARAMS, fixed=FIXED, init=init, step=step, Parameters=PledgeParameters,
    baseline=(
        Param("pledge_amount", 1.5e9, "yuan/yr", 1.0, 1e13,
              "IP pledge financing amount in year 0",
              f"assumption; {NATIONAL}: 151.5 bn nationally (2019)"),
        Param("pledge_projects", 120, "loans/yr", 1.0, 1e7,
              "IP pledge financing projects in year 0",
              f"assumption; {NATIONAL}: 12,093 nationally (2020), 18 million yuan a project"),
        Param("risk_pool", 0.0, "yuan", 0.0, 1e12,
              "risk-compensation pool balance at the start (before the programme)",
              "assumption"),
    ),
    indicators=(
        Indicator("pledge_amount", "flow", "yuan/yr", "IP pledge financing, amount"),
        Indicator("pledge_projects", "flow", "loans/yr", "IP pledge financing, projects"),
        Indicator("pledge_defaults", "output", "loans/yr", "Pledge loans defaulted"),
        Indicator("risk_pool", "stock", "yuan", "Risk-compensation pool balance"),
    ),
    levers=(Lever("risk_pool", "the risk-compensation pool for pledge loans (capital, paid in "
                  "when a tranche arrives)", capital=True),
            Lever("interest_subsidy", "interest subsidies on pledge loans")),
    series=(Series("pledge", 0.6, "pledge"),), shocks=("pledge",), draws=DRAWS,
    start_draws=3,
    owns=("pool", "pledge_log", "mean_loan", "loans", "balance", "covered_loans", "covered",
          "covered_sq", "pledge_leave"),
    stocks={"risk_pool": "pool"},
)
