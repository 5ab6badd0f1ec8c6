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

Before the period, filings follow the path's own random walk backwards from month 0, drawn
given the year-0 total (:func:`ipsim.model.growth.start_log_levels`), all on the ordinary track;
year 0's grants (the baseline column) are their lag-weighted sum. The lag distribution is
shared by all paths (its parameters cannot be uncertain), which keeps the convolution one
product against a fixed kernel.

Filings depend only on their own shock series, so :func:`prepare` (the mechanism's
``prepare`` hook, called once after ``init`` with the ``applications`` shocks of every month)
computes the filings of all months and the grants of all months at once: grants are the
filings over the lag window times a fixed lag kernel, one matrix product
(:func:`grants_by_month`) instead of a lag sum every month. :func:`step` then reads the
month's row and updates the stock.

Owns ``apps_log`` (log monthly filings), ``filed`` ((paths, MAX_LAG) filings before the
period, drawn by :func:`init`: the slot of month ``m`` in ``-MAX_LAG+1..0`` is ``m % MAX_LAG``,
all on the ordinary track), ``apps_by_month`` and ``grants_by_month`` ((H, paths) filings and
grants of months 1..H, made by :func:`prepare`; None before it), ``stock`` (patents in
force), ``stock_keep`` (the share of the stock that does not lapse in a month) and
``grants_year0`` (the grants of year 0 from the filings before the period, the baseline
column). The lag pmfs are shared by every path and derive from fixed parameters:
:func:`kernels` computes them once.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import special

from ipsim.model import growth
from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Mechanism, Month, Period, Series, Start, parameters_class
from ipsim.model.spec import Param

__all__ = ["MECHANISM", "PARAMS", "FIXED", "MAX_LAG", "lag_pmf", "kernels", "monthly_lapse",
           "lag_matrices", "grants_by_month", "init", "prepare", "step", "PatentsParameters"]

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
    standard deviation (months): ``scipy.stats.gamma(shape, scale=scale).cdf``, computed as
    it computes it (``scipy.special.gammainc(shape, x / scale)``) without its set-up.
    """
    shape = (mean / sd) ** 2
    edges = np.arange(max_lag + 1) - 0.5
    pmf = np.diff(special.gammainc(shape, np.clip(edges, 0.0, None) / (mean / shape)))
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


@functools.lru_cache(maxsize=64)
def _lag_matrices(lag_mean: float, lag_sd: float, fast_mean: float, fast_sd: float,
                  horizon: int) -> tuple[np.ndarray, np.ndarray]:
    pmf = _kernels(lag_mean, lag_sd, fast_mean, fast_sd)
    L = MAX_LAG
    # ordinary track: rows = filing months -(L-2) .. H-1, columns = grant months 1 .. H
    lag = np.arange(1, horizon + 1)[None, :] - np.arange(-(L - 2), horizon)[:, None]
    ordinary = np.where((lag >= 1) & (lag < L), pmf[0, np.clip(lag, 0, L - 1)], 0.0)
    # fast track: rows = filing months 1 .. H-1 (nothing was fast-tracked before the period)
    lag = np.arange(1, horizon + 1)[None, :] - np.arange(1, horizon)[:, None]
    fast = np.where((lag >= 1) & (lag < L), pmf[1, np.clip(lag, 0, L - 1)], 0.0)
    for a in (ordinary, fast):
        a.flags.writeable = False
    return ordinary, fast


def lag_matrices(p: PatentsParameters, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """The lag kernels as (filing month, grant month) matrices for grant months 1..``horizon``.

    Returns
    -------
    ordinary : numpy.ndarray
        (MAX_LAG - 2 + horizon, horizon): row ``j`` is filing month ``j - (MAX_LAG - 2)``
        (from ``-(MAX_LAG - 2)`` to ``horizon - 1``), column ``c`` grant month ``c + 1``; the
        entry is the ordinary-track pmf of the lag between them (0 outside ``1..MAX_LAG-1``).
    fast : numpy.ndarray
        (horizon - 1, horizon): the same for fast-track filings of months ``1..horizon-1``.
    """
    return _lag_matrices(float(p.lag_mean), float(p.lag_sd), float(p.fast_lag_mean),
                         float(p.fast_lag_sd), int(horizon))


def _lag_product(filings: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``filings @ kernel`` by ``numpy.einsum``, whose rows do not depend on how many rows
    there are or where they start (checked in ``tests/model/test_patents.py``; a BLAS product
    splits and orders rows differently by size, which would break the bit-identity of results
    across chunk sizes)."""
    return np.einsum("ij,jk->ik", filings, kernel)


_ROWS = 4096
"""Paths per piece of :func:`grants_by_month` (bounds its temporaries; rows are independent)."""


def grants_by_month(filed: np.ndarray, apps: np.ndarray, fast_share, grant_rate,
                    matrices: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Grants of months 1..H, ``q * sum_l pmf(l) * filings(m - l)`` on both tracks.

    Parameters
    ----------
    filed : numpy.ndarray
        (paths, MAX_LAG) filings before the period, slot ``m % MAX_LAG`` for month ``m`` in
        ``-MAX_LAG+1..0`` (applications/month).
    apps : numpy.ndarray
        (H, paths) filings of months 1..H (applications/month).
    fast_share, grant_rate : float or numpy.ndarray
        Fast-track share of filings from month 1 on, and the grant rate (fractions; a number
        or (paths,)).
    matrices : tuple of numpy.ndarray
        :func:`lag_matrices` for this horizon.

    Returns
    -------
    numpy.ndarray
        (H, paths) grants (patents/month).
    """
    H, n = apps.shape
    ordinary, fast = matrices
    before = (np.arange(-(MAX_LAG - 2), 1)) % MAX_LAG        # slots of months -(L-2) .. 0
    f = np.broadcast_to(np.asarray(fast_share, float), (n,))
    q = np.broadcast_to(np.asarray(grant_rate, float), (n,))
    out = np.empty((H, n))
    for lo in range(0, n, _ROWS):
        rows = slice(lo, min(lo + _ROWS, n))
        filed_then = apps[:H - 1, rows].T                     # months 1 .. H-1
        on_ordinary = np.concatenate([filed[rows][:, before],
                                      filed_then * (1.0 - f[rows, None])], axis=1)
        grants = _lag_product(on_ordinary, ordinary)
        grants += _lag_product(filed_then * f[rows, None], fast)
        grants *= q[rows, None]
        out[:, rows] = grants.T
    return out


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
    state.filed = np.zeros((state.n, MAX_LAG))         # before the period: ordinary track
    state.filed[:, months % MAX_LAG] = past[:, :MAX_LAG]
    state.stock = np.broadcast_to(np.asarray(base["invention_stock"], float), (state.n,)).copy()
    state.grants_year0 = p.grant_rate * _year0_filings_weighted(past, kernels(p)[0])
    state.stock_keep = 1.0 - monthly_lapse(p.lapse_rate)
    state.apps_by_month = state.grants_by_month = None     # made by prepare


PAST_STEPS = MAX_LAG + 10
"""Monthly steps of the filings drawn before the period: months 0 back to -(MAX_LAG + 10),
the oldest filings that year 0's grants (months -11..0) come from."""


def _past_shocks(start: Start) -> np.ndarray:
    """(paths, PAST_STEPS) shocks of the steps into months 0, -1, ...: year 0's from
    ``start.past`` (correlated with the other series), the earlier ones from the
    mechanism's own start stream."""
    return np.concatenate([start.past["applications"], start.draws], axis=1)


def _year0_filings_weighted(past: np.ndarray, pmf: np.ndarray) -> np.ndarray:
    """(paths,) ``sum_l pmf[l] * filings(-l-11 .. -l)``: the filings granted in year 0, a
    lag of ``l`` months after filing with probability ``pmf[l]``, from ``past`` (column ``j``
    month ``-j``).

    The lags are added one after the other, in their order, on columns of the running sum:
    the numbers of a sum over a gathered ``(paths, MAX_LAG)`` array (which numpy added in
    that order, the gather being laid out by columns) at a twentieth of its time.
    """
    total = np.zeros((past.shape[0], past.shape[1] + 1))
    np.cumsum(past, axis=1, out=total[:, 1:])
    out = (total[:, 12] - total[:, 0]) * pmf[0]
    for lag in range(1, MAX_LAG):
        out += (total[:, lag + 12] - total[:, lag]) * pmf[lag]
    return out


def prepare(state, p: PatentsParameters, period: Period) -> None:
    """Filings and grants of every month, from the ``applications`` shocks of every month.

    Parameters
    ----------
    state : StateView
        Reads ``apps_log`` and ``filed``; sets ``apps_by_month`` and ``grants_by_month`` (see
        the module docstring); leaves ``apps_log`` at month H.
    p : PatentsParameters
        This mechanism's parameters.
    period : Period
        ``shocks["applications"]``: (H, paths) standardised shocks of months 1..H;
        ``settings["fast_track_share"]``: share of filings on the fast track (a number or
        (paths,)).
    """
    e = period.shocks["applications"]
    H = period.months
    g = growth.log_drift(p.growth)
    apps = np.empty((H, state.n))
    for m in range(H):
        growth.step_log_level(state.apps_log, g, p.volatility, e[m])
        np.exp(state.apps_log, out=apps[m])
    state.apps_by_month = apps
    state.grants_by_month = grants_by_month(state.filed, apps, period.settings["fast_track_share"],
                                            p.grant_rate, lag_matrices(p, H))


def step(state, p: PatentsParameters, month: Month) -> dict[str, np.ndarray]:
    """One month: the month's filings and grants (from :func:`prepare`); the stock lapses
    and adds the grants: ``stock_m = stock_{m-1} (1 - lapse)^(1/12) + grants_m``.

    Parameters
    ----------
    state : StateView
        Updates ``stock``.
    p : PatentsParameters
        This mechanism's parameters.
    month : Month
        Reads ``month`` (the shocks and the fast-track share were used by :func:`prepare`).

    Returns
    -------
    dict
        ``applications`` and ``grants`` this month (counts, (paths,)).
    """
    grants = state.grants_by_month[month.month - 1]
    state.stock = state.stock * state.stock_keep + grants
    return {"applications": state.apps_by_month[month.month - 1], "grants": grants}


def _year0(state, p: PatentsParameters) -> dict[str, np.ndarray]:
    return {"grants": state.grants_year0}


MECHANISM = Mechanism(
    name="patents", doc="invention-patent applications, examination, grants and lapses",
    params=PARAMS, fixed=FIXED, init=init, prepare=prepare, step=step,
    Parameters=PatentsParameters,
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
    owns=("apps_log", "filed", "apps_by_month", "grants_by_month", "stock", "stock_keep",
          "grants_year0"),
    stocks={"invention_stock": "stock"}, year0=_year0, start_draws=PAST_STEPS - 11,
)
