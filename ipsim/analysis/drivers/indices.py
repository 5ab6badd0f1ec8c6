"""Given-data first-order indices: how much of an output's variance one input explains alone.

The first-order (Sobol') index of input ``X`` on output ``Y`` is
``S = Var(E[Y | X]) / Var(Y)`` (Pearson's correlation ratio). Given one sample of
``(X, Y)`` pairs (the paths of a run), it is estimated by binning: the paths are split into
``B`` bins of equal count by the rank of ``X``, and the variance of the bin means estimates
``Var(E[Y | X])`` (Plischke, Borgonovo and Smith 2013; Strong, Oakley and Chilcott 2012).
The raw between-bin variance is biased upwards by the noise of each bin mean: with
``SSB = sum_b n_b (ybar_b - ybar)^2``, ``SST = sum (y - ybar)^2`` and
``MSW = (SST - SSB) / (n - B)``,

    S_hat = (SSB - (B - 1) MSW) / SST,

the one-way analysis-of-variance estimator of the between-group variance component
(unbiased in the numerator for equal bin counts, whatever the within-bin variances), so an
input that does nothing has an index near 0 with an interval holding 0, where the raw ratio
would be about ``B / n``. The remaining bias is the variation of ``E[Y | X]`` inside a bin,
at most ``E[(dm/du)^2] / (12 B^2 Var Y)`` for ``m(u) = E[Y | X = F^{-1}(u)]``: for the
met/missed indicator of a target at 100,000 paths, below ``1e-5``.
The default ``B`` is ``ceil(sqrt(n))`` up to :data:`MAX_BINS`. Tied values are never
split between bins.

Intervals come from the nonparametric bootstrap of the paths, the bins held fixed, as
basic (pivotal) intervals: the sample itself is the bootstrap's population, whose index is
the raw ratio ``SSB / SST`` of the sample (noise included), so the resamples' errors
``S* - SSB / SST`` stand for the estimate's error ``S_hat - S`` and the interval is
``[S_hat - q(1 - a/2), S_hat - q(a/2)]`` of those errors (a percentile interval would be
centred on the raw ratio, about ``B / n`` too high). For a 0/1 output a bootstrap
resample is exactly a draw of the ``2 B`` (bin, met) cell counts (the bins' counts
multinomial, the met among each bin's binomial), so it costs ``B (1 + k)`` numbers for
``k`` outputs, not ``n``; for any other output the paths are resampled. (The rank-based
estimator of Gamboa, Klein and Lagnoux (2022), a neighbour in rank order standing in for a
pick-freeze pair, is as accurate but cannot be bootstrapped this way: a resample's
duplicated paths are each other's neighbours.)

References
----------
Plischke, E., Borgonovo, E., Smith, C. L. (2013). Global sensitivity measures from given
data. European Journal of Operational Research 226(3), 536-550.
Strong, M., Oakley, J. E., Chilcott, J. (2012). Managing structural uncertainty in health
economic decision models: a discrepancy approach. JRSS C 61(1), 25-45.
Gamboa, F., Klein, T., Lagnoux, A. (2022). Global sensitivity analysis: a novel generation
of mighty estimators based on rank statistics. Bernoulli 28(4), 2345-2374.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FirstOrder", "first_order", "bin_ids", "default_bins", "MAX_BINS"]

MAX_BINS = 400
"""Most bins of the default (``ceil(sqrt(n))`` below it): at 100,000 paths 317 bins, whose
discretisation bias on the Ishigami function is below a tenth of the standard error."""


def default_bins(n: int) -> int:
    """``ceil(sqrt(n))``, between 2 and :data:`MAX_BINS`."""
    return int(min(MAX_BINS, max(2, np.ceil(np.sqrt(n)))))


@dataclass(frozen=True)
class FirstOrder:
    """First-order indices of ``k`` outputs on one input, arrays (k,).

    ``value`` is the estimate, ``low``/``high`` its ``level`` basic bootstrap interval
    (NaN without resamples or where the output does not vary), ``se`` the bootstrap
    standard error, ``bins`` the bins used.
    """

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    se: np.ndarray
    bins: int
    level: float
    resamples: int


def bin_ids(x: np.ndarray, bins: int, order: np.ndarray | None = None) -> np.ndarray:
    """(n,) bin of every path: equal counts by rank of ``x``, ties kept together, bins
    numbered 0.. without gaps."""
    x = np.asarray(x, dtype=float)
    n = x.size
    order = np.argsort(x, kind="stable") if order is None else order
    xs = x[order]
    by_rank = (np.arange(n) * bins) // max(n, 1)
    start = np.ones(n, dtype=bool)
    start[1:] = xs[1:] != xs[:-1]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    _, dense = np.unique(by_rank[first], return_inverse=True)
    ids = np.empty(n, dtype=np.int64)
    ids[order] = dense
    return ids


def _estimate(nb: np.ndarray, sb: np.ndarray, qb: np.ndarray, corrected: bool = True
              ) -> np.ndarray:
    """Index from per-bin counts ``nb`` (..., B), sums ``sb`` and sums of squares ``qb``
    (..., B, k) (leading axes are resamples); NaN where the output is constant.
    ``corrected=False``: the raw ratio ``SSB / SST``, the index of the sample itself taken
    as the population (the value the bootstrap's resamples estimate)."""
    n = nb.sum(axis=-1)[..., None]
    total = sb.sum(axis=-2)
    sst = qb.sum(axis=-2) - total ** 2 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        ssb = np.sum(np.where(nb[..., None] > 0, sb ** 2 / nb[..., None], 0.0), axis=-2) \
            - total ** 2 / n
        groups = np.count_nonzero(nb, axis=-1)[..., None]
        msw = (sst - ssb) / np.maximum(n - groups, 1)
        value = (ssb - (groups - 1) * msw * corrected) / sst
    return np.where(sst > 1e-12 * np.maximum(qb.sum(axis=-2), 1e-300), value, np.nan)


def _chunks(resamples: int, n: int, cells: int = 4_000_000) -> list[int]:
    """Resamples per chunk so that a chunk draws at most about ``cells`` indices."""
    per = max(1, cells // max(n, 1))
    return [min(per, resamples - r) for r in range(0, resamples, per)]


def _resampled(ids: np.ndarray, nbins: int, y: np.ndarray, rows: int,
               rng: np.random.Generator) -> np.ndarray:
    """Indices of ``rows`` bootstrap resamples of the paths (any outputs), (rows, k)."""
    n, k = y.shape
    idx = rng.integers(0, n, size=(rows, n))
    cell = (ids[idx] + nbins * np.arange(rows)[:, None]).ravel()
    size = rows * nbins
    nb = np.bincount(cell, minlength=size).reshape(rows, nbins).astype(float)
    yr = y[idx.ravel()]
    sb = np.stack([np.bincount(cell, yr[:, j], minlength=size) for j in range(k)], -1)
    qb = np.stack([np.bincount(cell, yr[:, j] ** 2, minlength=size) for j in range(k)], -1)
    return _estimate(nb, sb.reshape(rows, nbins, k), qb.reshape(rows, nbins, k))


def first_order(x: np.ndarray, y: np.ndarray, *, bins: int | None = None,
                level: float = 0.95, resamples: int = 999,
                seed: int | np.random.SeedSequence | np.random.Generator = 0,
                ids: np.ndarray | None = None) -> FirstOrder:
    """Given-data first-order index of each output on ``x``, with a bootstrap interval.

    Parameters
    ----------
    x : numpy.ndarray
        (n,) values of the input.
    y : numpy.ndarray
        (n,) or (n, k) outputs (bool or 0/1 for the met/missed indicator, any numbers
        otherwise).
    bins : int, optional
        Bins of equal count (default :func:`default_bins`).
    level : float
        Confidence level of the interval.
    resamples : int
        Bootstrap resamples (0: no interval).
    seed : int, SeedSequence or Generator
        Seed of the bootstrap.
    ids : numpy.ndarray, optional
        Precomputed :func:`bin_ids` of ``x`` (then ``bins`` is ignored).
    """
    y = np.asarray(y)
    y = y[:, None] if y.ndim == 1 else y
    n, k = y.shape
    ids = bin_ids(x, bins or default_bins(n)) if ids is None else ids
    nbins = int(ids.max()) + 1 if n else 0
    binary = y.dtype == bool or bool(np.all((y == 0) | (y == 1)))
    yf = y.astype(float)
    nb = np.bincount(ids, minlength=nbins).astype(float)
    sb = np.stack([np.bincount(ids, yf[:, j], minlength=nbins) for j in range(k)], axis=-1)
    qb = sb if binary else np.stack([np.bincount(ids, yf[:, j] ** 2, minlength=nbins)
                                     for j in range(k)], axis=-1)
    value = _estimate(nb, sb, qb)
    plugin = _estimate(nb, sb, qb, corrected=False)
    nan = np.full(k, np.nan)
    if resamples <= 0:
        return FirstOrder(value, nan, nan.copy(), nan.copy(), nbins, level, 0)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    if binary:
        # A resample's paths per bin are multinomial, and its met paths in a bin binomial
        # among them at the bin's share met: the (bin, met) cell counts of a bootstrap of
        # the paths, drawn in R (B + k B) numbers; the bin counts are shared by the outputs.
        nb_r = rng.multinomial(n, nb / n, size=resamples).astype(float)       # (R, B)
        share = np.where(nb[:, None] > 0, sb / np.maximum(nb[:, None], 1), 0.0)  # (B, k)
        ones = rng.binomial(nb_r[:, None, :].astype(np.int64), share.T[None]).astype(float)
        boot = _estimate(nb_r[:, None, :], ones[..., None], ones[..., None])[..., 0]
    else:
        boot = np.concatenate([_resampled(ids, nbins, yf, rows, rng)
                               for rows in _chunks(resamples, n)])
    tail = (1 - level) / 2
    err = boot - plugin
    low, high, se = nan, nan.copy(), nan.copy()
    for j in np.flatnonzero(np.isfinite(err).sum(axis=0) >= 2):
        e = err[np.isfinite(err[:, j]), j]
        q_low, q_high = np.quantile(e, [tail, 1 - tail])
        low[j], high[j], se[j] = value[j] - q_high, value[j] - q_low, np.std(e, ddof=1)
    flat = ~np.isfinite(value)
    low, high, se = (np.where(flat, np.nan, a) for a in (low, high, se))
    return FirstOrder(value, low, high, se, nbins, level, resamples)
