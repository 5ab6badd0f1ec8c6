"""How much of failure is not knowing the parameters, and how much is bad luck on the path.

For a 0/1 outcome ``Y`` (a target met on a path) with ``p = P(Y = 1)`` and the path's
parameters ``theta``, the law of total variance splits

    p (1 - p) = Var(P(theta)) + E[P(theta) (1 - P(theta))],    P(theta) = P(Y = 1 | theta):

the first part is what knowing the parameters would settle, the second the path's own
randomness (monthly shocks, counts, the economy) that no knowledge of the parameters
removes. ``S_theta = Var(P(theta)) / (p (1 - p))`` is the closed first-order index of all
the parameters together. Single-input indices do not give it (with independent inputs their
sum is only a lower bound: it misses every interaction), and a nearest-neighbour estimate in
17 or more dimensions is biased by neighbours that are far apart. What can be estimated
honestly from one sample is a **lower bound**:

For any function ``g`` of the parameters alone fitted on other paths, ``Cov(Y, g) =
Cov(P(theta), g)`` (the noise is uncorrelated with anything that depends on ``theta``
only), so by Cauchy-Schwarz

    R(g) = Cov(Y, g)^2 / (Var(g) Var(Y)) <= S_theta.

:func:`parameter_share` fits predictors on half of the paths (A), picks the best on a
quarter (B1) and reports ``R`` of that one on the last quarter (B2), with an interval from
B2's paths (``g`` is fixed given A and B1, so B2's pairs are independent): ``R`` is the
squared correlation of ``Y`` and ``g`` there, and the interval squares ``rho +/- z se``
with the delta-method (influence-function) standard error of the correlation, which costs
one pass where a bootstrap would cost a pass per resample.

The predictors are regression histograms on the rank-transformed inputs: an additive model
(each input's binned means) plus, for ``q = 1..`` :data:`MAX_JOINT`, the binned means of the
additive model's residuals over a grid of the ``q`` inputs with the largest first-order
index on A (at least :data:`CELL_PATHS` paths a cell on average), which captures their
interactions. The estimate is therefore a lower bound on ``S_theta`` whose bias is what
these predictors miss, and ``1 - R`` an **upper bound** on the share of the outcome's
variance that is path noise: a reader may conclude "at least R of the spread of
met/missed comes from not knowing the parameters; at most 1 - R is luck", not the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ipsim.analysis.drivers.indices import _estimate

__all__ = ["ParameterShare", "parameter_share", "MAX_PATHS", "MAX_JOINT", "CELL_PATHS",
           "ADDITIVE_BINS"]

MAX_JOINT = 4
"""Most inputs binned jointly (the interaction part of the predictor)."""
CELL_PATHS = 50
"""Average paths per cell of the joint grid on the fitting half."""
ADDITIVE_BINS = 20
"""Bins per input of the additive part."""
MAX_PATHS = 200_000
"""Most paths used (a random subset beyond): bounds the time."""
SHRINK = 20.0
"""Cell means are shrunk towards 0 as ``sum / (count + SHRINK)`` (few paths, less weight)."""


@dataclass(frozen=True)
class ParameterShare:
    """Lower bound on the share of each output's variance the inputs explain, arrays (k,).

    ``value`` (with ``low``/``high``, its ``level`` delta-method interval) is ``R`` of the
    chosen predictor on the held-out paths; ``noise_upper = 1 - value``; ``joint_inputs``
    the number of inputs binned jointly in the chosen predictor (0: additive only);
    ``first_order_sum`` the sum of the single-input indices on all paths (another, usually
    weaker, lower bound).
    """

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    noise_upper: np.ndarray
    joint_inputs: np.ndarray
    first_order_sum: np.ndarray
    level: float


def _ranks(x: np.ndarray) -> np.ndarray:
    """Each column's ranks scaled to [0, 1) (uses the inputs only, never the outcome)."""
    n = x.shape[0]
    r = np.empty(x.shape)
    for j in range(x.shape[1]):
        r[np.argsort(x[:, j], kind="stable"), j] = np.arange(n) / n
    return r


def _cells(u: np.ndarray, cols: list[int], grid: int) -> np.ndarray:
    """Cell number of every row on a ``grid``-per-axis grid of the rank columns ``cols``."""
    cell = np.zeros(u.shape[0], dtype=np.int64)
    for c in cols:
        cell = cell * grid + np.minimum((u[:, c] * grid).astype(np.int64), grid - 1)
    return cell


def _binned_mean(key_fit: np.ndarray, r_fit: np.ndarray, key: np.ndarray, size: int
                 ) -> np.ndarray:
    """Shrunk mean of ``r_fit`` per key, looked up at ``key``."""
    count = np.bincount(key_fit, minlength=size)
    total = np.bincount(key_fit, r_fit, minlength=size)
    return (total / (count + SHRINK))[key]


def _r(y: np.ndarray, g: np.ndarray) -> float:
    vy, vg = np.var(y), np.var(g)
    if vy <= 0 or vg <= 0:
        return 0.0
    c = np.mean((y - y.mean()) * (g - g.mean()))
    return float(c * c / (vg * vy))


def _predictors(u: np.ndarray, add_key: np.ndarray, y: np.ndarray, fit: np.ndarray,
                n_fit: int) -> list:
    """Predictions at every path of the additive model and of each joint grid, fitted on
    the rows ``fit``: list of (inputs binned jointly, (n,) predictions). ``add_key`` (n, d)
    is each path's additive bin per input."""
    yfit = y[fit]
    ybar = yfit.mean()
    d = u.shape[1]
    key_fit = add_key[fit]
    count = np.stack([np.bincount(key_fit[:, j], minlength=ADDITIVE_BINS) for j in range(d)])
    total = np.stack([np.bincount(key_fit[:, j], yfit, minlength=ADDITIVE_BINS)
                      for j in range(d)])                               # (d, bins)
    means = (total - ybar * count) / (count + SHRINK)
    additive = ybar + means[np.arange(d), add_key].sum(axis=1)
    out = [(0, additive)]
    # inputs ranked by their first-order index on the fitting rows
    squares = total if np.all((yfit == 0) | (yfit == 1)) else np.stack(
        [np.bincount(key_fit[:, j], yfit ** 2, minlength=ADDITIVE_BINS) for j in range(d)])
    s1 = _estimate(count.astype(float), total[..., None], squares[..., None])[:, 0]
    top = list(np.argsort(np.nan_to_num(s1, nan=-1.0))[::-1])
    resid = y[fit] - additive[fit]
    for q in range(1, min(MAX_JOINT, u.shape[1]) + 1):
        grid = int((n_fit / CELL_PATHS) ** (1 / q))
        if grid < 2:
            break
        cols = top[:q]
        key = _cells(u, cols, grid)
        out.append((q, additive + _binned_mean(key[fit], resid, key, grid ** q)))
    return out


def _interval(y: np.ndarray, g: np.ndarray, z: float) -> tuple[float, float]:
    """Interval of ``R = rho^2`` from the held-out pairs: ``rho +/- z se`` squared, with
    the standard error of the correlation from its influence function,
    ``IF = u v - rho (u^2 + v^2) / 2`` of the standardised ``u``, ``v`` (valid for any
    distribution with finite fourth moments, a 0/1 ``y`` included)."""
    sy, sg = np.std(y), np.std(g)
    if sy <= 0 or sg <= 0:
        return 0.0, 0.0
    u, v = (y - y.mean()) / sy, (g - g.mean()) / sg
    rho = float(np.mean(u * v))
    se = float(np.std(u * v - rho * (u * u + v * v) / 2) / np.sqrt(y.size))
    lo, hi = rho - z * se, rho + z * se
    return (max(lo, 0.0) ** 2 if rho >= 0 else 0.0), max(hi, -lo, 0.0) ** 2


def parameter_share(x: np.ndarray, y: np.ndarray, *, level: float = 0.95,
                    interval: bool = True,
                    seed: int | np.random.SeedSequence | np.random.Generator = 0,
                    first_order_sum: np.ndarray | None = None,
                    max_paths: int = MAX_PATHS, ranked: bool = False) -> ParameterShare:
    """Lower bound on ``S_theta`` (the share of each output's variance that the inputs
    ``x`` explain together), cross-fitted; see the module docstring.

    Parameters
    ----------
    x : numpy.ndarray
        (n, d) inputs (the parameters; add the shocks to ask how much parameters and
        economy explain together).
    y : numpy.ndarray
        (n,) or (n, k) outcomes (the met/missed indicator).
    level : float
        Confidence level of the interval.
    interval : bool
        Compute the interval (else NaN bounds).
    seed : int, SeedSequence or Generator
        Seed of the split.
    first_order_sum : numpy.ndarray, optional
        (k,) sum of the inputs' first-order indices, recorded as given.
    max_paths : int
        At most this many paths (a random subset) are used.
    ranked : bool
        ``x`` holds the inputs' ranks scaled to [0, 1) already (they are computed once for
        every output).
    """
    x = np.asarray(x) if ranked else np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    y = y[:, None] if y.ndim == 1 else y
    n, k = y.shape
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    perm = rng.permutation(n)[:max_paths]
    n = perm.size
    x, y = x[perm], y[perm]
    perm = np.arange(n)
    fit, pick, test = perm[: n // 2], perm[n // 2: 3 * n // 4], perm[3 * n // 4:]
    u = x if ranked else _ranks(x)
    add_key = np.minimum((u * ADDITIVE_BINS).astype(np.int64), ADDITIVE_BINS - 1)
    value, low, high, joint = (np.full(k, np.nan) for _ in range(4))
    z = stats.norm.ppf(0.5 + level / 2)
    for j in range(k):
        yj = y[:, j]
        if np.var(yj) <= 0 or test.size < 2:
            continue
        preds = _predictors(u, add_key, yj, fit, fit.size)
        scores = [_r(yj[pick], g[pick]) for _, g in preds]
        q, g = preds[int(np.argmax(scores))]
        yt, gt = yj[test], g[test]
        value[j], joint[j] = _r(yt, gt), q
        if interval:
            low[j], high[j] = _interval(yt, gt, z)
    fos = np.full(k, np.nan) if first_order_sum is None else np.asarray(first_order_sum, float)
    return ParameterShare(value, low, high, 1 - value, joint, fos, level)
