"""Compound growth with random shocks, shared by every growing series.

A series' monthly log level follows ``x_m = x_(m-1) + g / 12 + sigma / sqrt(12) * e_m``, with
``g = log(1 + r)`` the log-drift of the annual growth rate ``r`` and ``e_m`` the series'
standardised monthly shock (a mix of the common economic factor and its own noise, see
:mod:`ipsim.model.uncertainty`).

The start: what the user types is the year-0 total ``B`` (months -11..0), not the level of
month 0. Given ``B``, the month-0 level is uncertain, and its law follows from the random walk
itself: write the months of year 0 (and, for a series that needs them, earlier months) as
month 0's level plus the walk run backwards, ``x_(-j) = x_0 - sum_(i<j) (g/12 + s e_(-i))``
(``s = sigma / sqrt(12)``). Then ``B = exp(x_0) S`` with ``S = sum_(j=0..11) exp(x_(-j) -
x_0)``, a function of year 0's own shocks only, so with nothing known about the level
beforehand (a flat prior on ``x_0``) the conditional law given ``B`` is exactly

``x_0 = log B - log S``, with year 0's shocks drawn from their ordinary law

(:func:`start_log_levels`). A path started this way reproduces the law of real histories: its
``log(year k / year 0)`` has the distribution of ``log(year j+k / year j)`` of a long walk, for
every ``k`` (the year-1 log variance is ``1156/1728 sigma^2`` to first order, not the
``650/1728`` of a start on the trend). For a count (Poisson given the rate) the rate summed
over year 0 is uncertain too: with the same flat prior on its log, given the count ``N`` it is
``Gamma(N, 1)`` (:func:`count_rate_factor`), mean ``N``. ``docs/model.md`` ("The start")
states the derivation. Without shocks (``sigma = 0``) and for a continuous series the year-0
months sit on the trend, so year ``k`` sums to ``B (1 + r)^k`` and the compound annual growth
over any span is ``r`` (a closed form the tests use).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import special

__all__ = ["log_drift", "initial_log_level", "start_log_levels", "count_rate_factor",
           "step_log_level", "YEAR0_STEPS"]

_MONTHS_OF_YEAR0 = np.arange(12)  # months 0, -1, ..., -11 counted backwards
YEAR0_STEPS = 11
"""Monthly steps within year 0 (from month -11 to month 0)."""


def log_drift(rate: np.ndarray | float) -> np.ndarray:
    """Log-drift per year ``g = log(1 + r)`` of an annual growth rate ``r`` (fraction/yr)."""
    return np.log1p(np.asarray(rate, float))


def initial_log_level(baseline_annual: float, g: np.ndarray | float) -> np.ndarray:
    """Log of the month-0 level (per month) that puts year 0 on the shock-free trend and makes
    it sum to ``baseline_annual`` (:func:`start_log_levels` without shocks).

    Parameters
    ----------
    baseline_annual : float
        The year-0 flow (unit/yr), > 0.
    g : array_like
        Log-drift per year, shape ``(paths,)`` or scalar.
    """
    g = np.asarray(g, float)
    weights = np.exp(-np.multiply.outer(g, _MONTHS_OF_YEAR0) / 12.0).sum(axis=-1)
    return np.log(baseline_annual) - np.log(weights)


def start_log_levels(annual, g, sigma, past: np.ndarray) -> np.ndarray:
    """Log levels of months ``0, -1, ..., -K`` given year 0's total and the shocks before.

    Parameters
    ----------
    annual : float or numpy.ndarray
        The total of months -11..0 (unit/yr), > 0: the baseline, or for a count the year-0
        rate (:func:`count_rate_factor` times the baseline); scalar or ``(paths,)``.
    g, sigma : float or numpy.ndarray
        Log-drift per year and volatility (1/sqrt(yr)), scalar or ``(paths,)``.
    past : numpy.ndarray
        ``(paths, K)``, ``K >= YEAR0_STEPS``: column ``j`` is the standardised shock of the
        step into month ``-j`` (from month ``-j-1``), most recent first.

    Returns
    -------
    numpy.ndarray
        ``(paths, K + 1)``: column ``j`` the log level of month ``-j``; months -11..0 sum to
        ``annual`` on every path. See the module docstring for why this is the law of the
        month-0 level given the year-0 total.
    """
    past = np.asarray(past, float)
    if past.shape[1] < YEAR0_STEPS:
        raise ValueError(f"need the shocks of at least {YEAR0_STEPS} steps, got {past.shape[1]}")
    g = np.asarray(g, float)[..., None] if np.ndim(g) else float(g)
    s = (np.asarray(sigma, float)[..., None] if np.ndim(sigma) else float(sigma)) / np.sqrt(12.0)
    rel = np.zeros((past.shape[0], past.shape[1] + 1))
    np.cumsum(g / 12.0 + s * past, axis=1, out=rel[:, 1:])
    rel = -rel                                   # log level of month -j less that of month 0
    year0 = np.log(np.exp(rel[:, :12]).sum(axis=1))
    return (np.log(annual) - year0)[:, None] + rel


_Z_NODES = np.linspace(-9.0, 9.0, 8193)
"""Normal scores at which :func:`count_rate_factor` inverts the gamma cdf exactly."""
_Z_STEP = _Z_NODES[1] - _Z_NODES[0]


@functools.lru_cache(maxsize=256)
def _rate_table(count: float) -> np.ndarray:
    """``log(G / count)`` at the quantiles ``Phi(_Z_NODES)`` of ``G ~ Gamma(count, 1)``
    (exact, from the lower tail below the median and the upper tail above it)."""
    low = _Z_NODES < 0
    out = np.empty_like(_Z_NODES)
    out[low] = special.gammaincinv(count, special.ndtr(_Z_NODES[low]))
    out[~low] = special.gammainccinv(count, special.ndtr(-_Z_NODES[~low]))
    out = np.log(out / count)
    out.flags.writeable = False
    return out


def count_rate_factor(count, z: np.ndarray) -> np.ndarray:
    """The year-0 rate of a count over the count itself, ``G / N`` with ``G ~ Gamma(N, 1)``,
    as a non-decreasing function of standard normals ``z``.

    Given a Poisson count ``N`` of year 0 and a flat prior on the log of its rate, the rate is
    ``Gamma(N, 1)`` (mean ``N``, relative spread ``1/sqrt(N)``). For a scalar ``N`` the
    quantile is interpolated linearly in ``z`` between exact quantiles
    (``scipy.special.gammaincinv``) at 8,193 nodes on [-9, 9] (relative error below 1e-6,
    ``tests/model/test_start.py``); for per-path counts it is exact.

    Parameters
    ----------
    count : float or numpy.ndarray
        ``N`` (> 0), scalar or ``(paths,)``; may be fractional (a shape).
    z : numpy.ndarray
        ``(paths,)`` standard normals.
    """
    z = np.asarray(z, float)
    if np.ndim(count) == 0:
        table = _rate_table(float(count))
        at = np.clip((z - _Z_NODES[0]) / _Z_STEP, 0.0, _Z_NODES.size - 1.0)
        i = np.minimum(at.astype(np.intp), _Z_NODES.size - 2)
        w = at - i
        return np.exp(table[i] * (1.0 - w) + table[i + 1] * w)
    count = np.asarray(count, float)
    return np.where(z < 0, special.gammaincinv(count, special.ndtr(z)),
                    special.gammainccinv(count, special.ndtr(-z))) / count


def step_log_level(log_level: np.ndarray, g: np.ndarray | float, sigma: np.ndarray | float,
                   shock: np.ndarray) -> np.ndarray:
    """Advance a log level by one month: ``+ g/12 + sigma/sqrt(12) * shock`` (in place)."""
    log_level += np.asarray(g) / 12.0 + np.asarray(sigma) / np.sqrt(12.0) * shock
    return log_level
