"""Patent creation and examination (mechanism 1).

Monthly invention-patent applications grow by compound growth with shocks
(:mod:`ipsim.model.growth`). A share ``f`` of each month's filings (the policy's
``fast_track_share``) is examined on the fast track. Each track grants a share ``q``
(``grant_rate``) of its filings after a lag drawn from a discretised gamma distribution
(``lag_mean``, ``lag_sd``; fast track ``fast_lag_mean``, ``fast_lag_sd``): grants in month
``m`` are ``q * sum_l pmf(l) * filings(m - l)`` for lags ``1..MAX_LAG-1`` months. Filings are
in the thousands a month, so grants are their expected value; the randomness is in the
filings. Patents in force lapse at ``lapse_rate`` a year:
``stock_m = stock_{m-1} (1 - lapse)^(1/12) + grants_m``.

Before the period, filings follow the path's own random walk backwards from month 0, drawn given the
year-0 total (:func:`ipsim.model.growth.start_log_levels`), all on the ordinary track; year 0's
grants (the baseline column) are their lag-weighted sum. The lag distribution is shared by all paths
(its parameters cannot be uncertain), which keeps the convolution one weighted row sum.

Owns ``apps_log`` (log monthly filings), ``filed`` and ``filed_fast`` (paths, MAX_LAG) ring buffers
of filings by track (the slot of month ``m`` is ``m % MAX_LAG``; months ``-MAX_LAG+1..0`` are filled
by the back-projection), ``stock`` (patents in force) and ``grants_year0`` (the grants of year 0
from those filings, the baseline column). The lag pmfs are shared by every path and derive from
fixed parameters: :func:`kernels` computes them once.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats

from ipsim.model import growth
from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Mechanism, Month, Series, Start, parameters_class
from ipsim.model.spec import Param

__all__ = ["MECHANISM", "PARAMS", "FIXED", "MAX_LAG", "lag_pmf", "kernels", "monthly_lapse",
           "init", "step", "PatentsParameters"]

NATIONAL = "data/national-facts.md"
PARAMS: tuple[Param, ...] = (
    Param("growth", 0.10, "1/yr", -0.5, 1.0,
          "trend growth rate of invention-patent applications (annual, fraction)",
          "assumption; seed 000 (Caohejing: ~20 %/yr over ten years), seed 001 (Shanghai PCT "
          "+15.8 % in 2022)"),
    Param("volatility", 0.08, "1/sqrt(yr)", 0.0, 1.0,
          "volatility of the log level of applications", "assumption"),
    Param("grant_rate", 0.5, "fraction", 0.0, 1.0,
          "share of examined invention applications granted",
          f"{NATIONAL}: 47.3 % (2020), 55 % (2021)"),
    Param("lag_mean", 20.0, "months", 1.0, 48.0,
          "mean examination lag, ordinary track", f"{NATIONAL}: pendency 20.0 months (2020)"),
    Param("lag_sd", 6.0, "months", 0.1, 24.0,
          "standard deviation of the examination lag, ordinary track", "assumption"),
    Param("fast_lag_mean", 3.0, "months", 1.0, 24.0,
          "mean examination lag, fast track", "seed 002 (Yuhang: about 16 months down to 3)"),
    Param("fast_lag_sd", 1.0, "months", 0.1, 12.0,
          "standard deviation of the fast-track lag", "assumption"),
    Param("lapse_rate", 0.06, "1/yr", 0.0, 0.5,
          "share of invention patents in force that lapse a year", "assumption"),
)
FIXED = ("lag_mean", "lag_sd", "fast_lag_mean", "fast_lag_sd")
"""Parameters that must be numbers, not distributions (shared by every path)."""

MAX_LAG = 60
"""Longest examination lag represented (months); the lag pmf is truncated and renormalised."""

PatentsParameters = parameters_class("patents", PARAMS, __name__)


def lag_pmf(mean: float, sd: float, max_lag: int = MAX_LAG) -> np.ndarray:
    """Discretised gamma pmf of the examination lag over ``0..max_lag-1`` months.

    ``pmf[l] = G(l + 1/2) - G(l - 1/2)`` for ``l >= 1`` (``pmf[0] = 0``: nothing is granted in
    the month it is filed), renormalised, with ``G`` the gamma cdf of the given mean and
    standard deviation (months).
    """
    shape = (mean / sd) ** 2
    dist = stats.gamma(shape, scale=mean / shape)
    edges = np.arange(max_lag + 1) - 0.5
    pmf = np.diff(dist.cdf(np.clip(edges, 0.0, None)))
    pmf[0] = 0.0
    return pmf / pmf.sum()


@functools.lru_cache(maxsize=64)
def _kernels(lag_mean: float, lag_sd: float, fast_mean: float, fast_sd: float) -> np.ndarray:
    pmf = np.stack([lag_pmf(lag_mean, lag_sd), lag_pmf(fast_mean, fast_sd)])
    pmf.flags.writeable = False
    return pmf


def kernels(p: PatentsParameters) -> np.ndarray:
    """(2, MAX_LAG) read-only lag pmfs of the ordinary and the fast track (computed once per
    set of lag parameters, which are fixed: shared by every path)."""
    return _kernels(float(p.lag_mean), float(p.lag_sd), float(p.fast_lag_mean),
                    float(p.fast_lag_sd))


def _row_dot(rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``rows @ weights`` as a row-by-row sum, whose rounding does not depend on how many rows
    there are (a threaded BLAS matrix-vector product may split rows differently by chunk)."""
    return (rows * weights).sum(axis=1)


def monthly_lapse(lapse_rate):
    """Probability that a patent in force lapses within a month, ``1 - (1 - lapse)^(1/12)``,
    from the annual ``lapse_rate`` (fraction/yr)."""
    return 1.0 - (1.0 - np.asarray(lapse_rate)) ** (1.0 / 12.0)


def init(state, p: PatentsParameters, start: Start) -> None:
    """Draw the filings before the period and set the stock (see the module docstring for
    the arrays it adds)."""
    base = start.baseline
    g = growth.log_drift(p.growth) * np.ones(state.n)
    past = np.exp(growth.start_log_levels(base["applications"], g, p.volatility,
                                          _past_shocks(start)))   # months 0, -1, .., -PAST
    state.apps_log = np.log(past[:, 0])
    months = -np.arange(MAX_LAG)                       # 0, -1, ..., -(MAX_LAG-1)
    state.filed = np.zeros((state.n, MAX_LAG))         # ordinary track
    state.filed_fast = np.zeros((state.n, MAX_LAG))    # fast track
    state.filed[:, months % MAX_LAG] = past[:, :MAX_LAG]
    state.stock = np.broadcast_to(np.asarray(base["invention_stock"], float), (state.n,)).copy()
    state.grants_year0 = p.grant_rate * _row_dot(_year0_filings_by_lag(past), kernels(p)[0])


PAST_STEPS = MAX_LAG + 10
"""Monthly steps of the filings drawn before the period: months 0 back to -(MAX_LAG + 10),
the oldest filings that year 0's grants (months -11..0) come from."""


def _past_shocks(start: Start) -> np.ndarray:
    """(paths, PAST_STEPS) shocks of the steps into months 0, -1, ...: year 0's from
    ``start.past`` (correlated with the other series), the earlier ones from the
    mechanism's own start stream."""
    return np.concatenate([start.past["applications"], start.draws], axis=1)


def _year0_filings_by_lag(past: np.ndarray) -> np.ndarray:
    """(paths, MAX_LAG): column ``l`` the filings of months ``-l-11 .. -l`` (those granted in
    year 0 after a lag of ``l`` months), from ``past`` (column ``j`` month ``-j``)."""
    total = np.zeros((past.shape[0], past.shape[1] + 1))
    np.cumsum(past, axis=1, out=total[:, 1:])
    lags = np.arange(MAX_LAG)
    return total[:, lags + 12] - total[:, lags]


def step(state, p: PatentsParameters, month: Month) -> dict[str, np.ndarray]:
    """Advance filings, grants and the stock by one month.

    Parameters
    ----------
    state : StateView
        Updates ``apps_log``, ``filed``, ``filed_fast``, ``stock``.
    p : PatentsParameters
        This mechanism's parameters (values or (paths,) arrays).
    month : Month
        Reads ``month``, the ``applications`` shock and the ``fast_track_share`` setting
        (share of this month's filings on the fast track, in [0, 1]).

    Returns
    -------
    dict
        ``applications`` and ``grants`` this month (counts, (paths,)).
    """
    m, fast_share = month.month, month.settings["fast_track_share"]
    lags = (m - np.arange(MAX_LAG)) % MAX_LAG         # lag of each ring slot's filings
    weights = kernels(p)[:, lags]                     # (2, MAX_LAG)
    grants = p.grant_rate * (_row_dot(state.filed, weights[0])
                             + _row_dot(state.filed_fast, weights[1]))
    growth.step_log_level(state.apps_log, growth.log_drift(p.growth), p.volatility,
                          month.shocks["applications"])
    apps = np.exp(state.apps_log)
    slot = m % MAX_LAG
    state.filed[:, slot] = apps * (1.0 - fast_share)
    state.filed_fast[:, slot] = apps * fast_share
    lapse = monthly_lapse(p.lapse_rate)
    state.stock = state.stock * (1.0 - lapse) + grants
    return {"applications": apps, "grants": grants}


def _year0(state, p: PatentsParameters) -> dict[str, np.ndarray]:
    return {"grants": state.grants_year0}


MECHANISM = Mechanism(
    name="patents", doc="invention-patent applications, examination, grants and lapses",
    params=PARAMS, fixed=FIXED, init=init, step=step, Parameters=PatentsParameters,
    baseline=(
        Param("applications", 30_000, "applications/yr", 1.0, 1e8,
              "invention-patent applications in year 0",
              "assumption for a key city; seed 002 (Yuhang: 1,820 invention grants in a half "
              "year)"),
        Param("invention_stock", 80_000, "patents", 1.0, 1e9,
              "invention patents in force at the start",
              "assumption; seed 000 (Caohejing park alone: over 12,000)"),
    ),
    indicators=(
        Indicator("applications", "flow", "applications/yr", "Invention-patent applications"),
        Indicator("grants", "flow", "patents/yr", "Invention patents granted"),
        Indicator("invention_stock", "stock", "patents", "Invention patents in force"),
    ),
    series=(Series("applications", 0.4, "applications"),),
    shocks=("applications",), settings=("fast_track_share",),
    owns=("apps_log", "filed", "filed_fast", "stock", "grants_year0"),
    stocks={"invention_stock": "stock"}, year0=_year0, start_draws=PAST_STEPS - 11,
)
