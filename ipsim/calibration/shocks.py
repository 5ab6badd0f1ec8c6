"""The loadings of the series on the common economic factor, from residual correlations.

Two series' monthly shocks are correlated ``rho_s rho_t`` (:mod:`ipsim.model.uncertainty`),
and so are their log differences (both are the same linear map of the shocks), apart from
count noise. The residual differences of each pair of series over their common periods,
whitened by the random walk's correlation, give a Pearson correlation and its Fisher-z
interval (``scipy.stats.pearsonr``); the loadings are then the least-squares solution of
``r_st = rho_s rho_t`` over the pairs (``scipy.optimize.least_squares``, bounded to
``[0, 0.99]``).

Identification needs at least three series (two give only the product of their loadings)
and enough common periods: the loadings are fitted only when every pair's 90 % interval is
narrower than +-:data:`MAX_HALF_WIDTH` in Fisher z, about :data:`MIN_COMMON` common
differences. Yearly histories never have that many (monthly ones of four years do);
otherwise the scenario's loadings are kept, and the pairwise correlations are reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ipsim.calibration.covariance import design
from ipsim.calibration.series import FITTED

__all__ = ["PairCorrelation", "ShockFit", "fit_loadings", "MIN_COMMON", "MAX_HALF_WIDTH"]

MAX_HALF_WIDTH = 0.25
"""Largest half-width of a pair's 90 % Fisher-z interval for the loadings to be fitted."""

MIN_COMMON = int(np.ceil((stats.norm.ppf(0.95) / MAX_HALF_WIDTH) ** 2)) + 3
"""Common differences a pair needs for that half-width (47)."""


@dataclass(frozen=True)
class PairCorrelation:
    """Correlation of two series' residual differences, over ``n`` common differences."""

    a: str
    b: str
    r: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class ShockFit:
    """Fitted loadings (shock series -> value) if identified, and the evidence."""

    loadings: Mapping[str, float]
    identified: bool
    pairs: tuple[PairCorrelation, ...]
    note: str


def _whitened_residuals(values: np.ndarray, months: int) -> np.ndarray:
    """Residual differences of a fully observed run of log values, whitened by ``R``."""
    t, R, _ = design(np.arange(len(values)), months, np.zeros(len(values)))
    chol = np.linalg.cholesky(R)
    wd = np.linalg.solve(chol, np.diff(np.log(values)))
    wt = np.linalg.solve(chol, t)
    return wd - wt * (wt @ wd) / (wt @ wt)


def fit_loadings(values: Mapping[str, np.ndarray], per_year: int,
                 level: float = 0.90) -> ShockFit:
    """Loadings of the shock series on the common factor, if the data identify them.

    Parameters
    ----------
    values : Mapping[str, numpy.ndarray]
        Observed indicator -> (periods,) values (NaN unobserved); one indicator per shock
        series is used (the first in :data:`FITTED` order that is observed).
    per_year : int
        Periods per year.
    level : float
        Confidence level of the pairwise intervals.
    """
    chosen: dict[str, np.ndarray] = {}
    for name, (_, shock) in FITTED.items():
        v = values.get(name)
        if v is not None and shock not in chosen and np.count_nonzero(v > 0) >= 2:
            chosen[shock] = np.asarray(v, float)
    pairs = []
    for (sa, va), (sb, vb) in itertools.combinations(chosen.items(), 2):
        both = np.isfinite(va) & np.isfinite(vb) & (va > 0) & (vb > 0)
        run = _longest_run(both)
        if run.stop - run.start < 5:        # pearsonr needs >= 3 residuals after the fit
            continue
        ra = _whitened_residuals(va[run], 12 // per_year)
        rb = _whitened_residuals(vb[run], 12 // per_year)
        res = stats.pearsonr(ra, rb)
        ci = res.confidence_interval(level)
        pairs.append(PairCorrelation(sa, sb, float(res.statistic), float(ci.low),
                                     float(ci.high), len(ra)))
    enough = (len(chosen) >= 3 and len(pairs) == len(chosen) * (len(chosen) - 1) // 2
              and all(p.n >= MIN_COMMON for p in pairs))
    if not enough:
        n_max = max((p.n for p in pairs), default=0)
        return ShockFit({}, False, tuple(pairs),
                        f"not identified: {len(chosen)} series with at most {n_max} common "
                        f"differences (needs 3 series and {MIN_COMMON} common differences); "
                        "the scenario's loadings are kept")
    names = list(chosen)
    index = {s: i for i, s in enumerate(names)}

    def residual(rho: np.ndarray) -> np.ndarray:
        return np.array([rho[index[p.a]] * rho[index[p.b]] - p.r for p in pairs])

    sol = optimize.least_squares(residual, np.full(len(names), 0.5), bounds=(0.0, 0.99))
    return ShockFit(dict(zip(names, map(float, sol.x), strict=True)), True, tuple(pairs),
                    "least squares of r_st = rho_s rho_t over the pairs")


def _longest_run(mask: np.ndarray) -> slice:
    """The longest run of consecutive True values in ``mask`` (empty slice if none)."""
    best, start = slice(0, 0), None
    for i, m in enumerate(np.append(mask, False)):
        if m and start is None:
            start = i
        elif not m and start is not None:
            if i - start > best.stop - best.start:
                best = slice(start, i)
            start = None
    return best
