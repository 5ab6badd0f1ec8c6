"""Sobol' sensitivity indices from a Saltelli design: sample matrices in, indices out.

Nothing here knows about scenarios: :func:`design` gives the points of the unit hypercube
at which a model is evaluated, and :func:`indices` turns the model's outputs at those points
into first-order and total indices with bootstrap intervals, so a test can feed an analytic
function (Ishigami) through exactly the code that analyses a scenario.

Design (Saltelli et al. 2010, sec. 5): one scrambled Sobol' sequence of ``2 d`` dimensions
(:class:`scipy.stats.qmc.Sobol`) gives ``n`` rows of two independent matrices ``A`` (first
``d`` columns) and ``B`` (last ``d``); ``AB_i`` is ``A`` with column ``i`` taken from ``B``.
The model is evaluated on the ``n (d + 2)`` rows ``[A; B; AB_1; ...; AB_d]``.

Indices: :func:`scipy.stats.sobol_indices` with the precomputed outputs (its Saltelli 2010
estimators, ``S_i = mean(f_B (f_AB_i - f_A)) / V`` and ``ST_i = mean((f_A - f_AB_i)^2) / 2V``).
Intervals: :func:`scipy.stats.bootstrap` over the ``n`` base rows (percentile method, a
seeded generator, so intervals are reproducible; the BCa method needs a jackknife of
``n - 1`` rows, which ``sobol_indices`` refuses as not a power of 2).

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010).
Variance based sensitivity analysis of model output. Design and estimator for the total
sensitivity index. Computer Physics Communications 181(2), 259-270.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["SobolIndices", "design", "indices", "is_power_of_two"]


def is_power_of_two(n: int) -> bool:
    """Whether ``n`` is 1, 2, 4, 8, ..."""
    return n >= 1 and n & (n - 1) == 0


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total indices of ``s`` outputs to ``d`` inputs, with intervals.

    Arrays are (s, d); ``*_low``/``*_high`` bound a ``level`` bootstrap interval (NaN where
    an output does not vary, whose indices are 0 by convention).
    """

    first: np.ndarray
    first_low: np.ndarray
    first_high: np.ndarray
    total: np.ndarray
    total_low: np.ndarray
    total_high: np.ndarray
    variance: np.ndarray  # (s,) variance of each output over A and B
    n: int
    level: float
    total_boot: np.ndarray | None = None   # (resamples, s, d) bootstrap totals (rankings)


def design(d: int, n: int, seed: int | np.random.SeedSequence) -> np.ndarray:
    """The ``n (d + 2)`` points ``[A; B; AB_1; ...; AB_d]`` of the unit hypercube, (rows, d).

    Parameters
    ----------
    d : int
        Number of inputs, >= 1.
    n : int
        Base samples (rows of ``A``), a power of 2 (the balance of Sobol' points).
    seed : int or numpy.random.SeedSequence
        Seed of the scrambling.
    """
    if not is_power_of_two(n):
        raise ValueError(f"n must be a power of 2, got {n}")
    rng = np.random.default_rng(seed)
    ab = stats.qmc.Sobol(d=2 * d, scramble=True, rng=rng).random(n)
    a, b = ab[:, :d], ab[:, d:]
    blocks = [a, b]
    for i in range(d):
        abi = a.copy()
        abi[:, i] = b[:, i]
        blocks.append(abi)
    return np.concatenate(blocks)


def _split(y: np.ndarray, d: int, n: int) -> dict[str, np.ndarray]:
    """``func`` for :func:`scipy.stats.sobol_indices` from (n (d + 2), s) outputs."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[0] != n * (d + 2):
        raise ValueError(f"expected {n * (d + 2)} rows of outputs (n (d + 2)), got {y.shape[0]}")
    f = y.T.reshape(y.shape[1], d + 2, n)          # (s, blocks, n)
    return {"f_A": f[:, 0], "f_B": f[:, 1], "f_AB": np.moveaxis(f[:, 2:], 1, 0)}


def _point(func: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    res = stats.sobol_indices(func=func, n=n)
    s = func["f_A"].shape[0]
    return (np.asarray(res.first_order).reshape(s, -1),
            np.asarray(res.total_order).reshape(s, -1))


def indices(y: np.ndarray, d: int, n: int, *, level: float = 0.95, resamples: int = 999,
            seed: int | np.random.SeedSequence = 0) -> SobolIndices:
    """First-order and total Sobol' indices of each output, with bootstrap intervals.

    Parameters
    ----------
    y : numpy.ndarray
        (n (d + 2),) or (n (d + 2), s) outputs at the rows of :func:`design`, in its order.
    d, n : int
        Inputs and base samples of the design.
    level : float
        Confidence level of the intervals.
    resamples : int
        Bootstrap resamples of the ``n`` base rows (0: no intervals, NaN bounds).
    seed : int or numpy.random.SeedSequence
        Seed of the bootstrap.
    """
    func = _split(y, d, n)
    first, total = _point(func, n)
    s = first.shape[0]
    variance = np.var(np.concatenate([func["f_A"], func["f_B"]], axis=1), axis=1)
    nan = np.full_like(first, np.nan)
    bounds = [nan, nan, nan, nan]
    total_boot = None
    if resamples > 0:
        def statistic(idx: np.ndarray) -> np.ndarray:
            sub = {"f_A": func["f_A"][:, idx], "f_B": func["f_B"][:, idx],
                   "f_AB": func["f_AB"][..., idx]}
            return np.concatenate([x.ravel() for x in _point(sub, n)])

        with np.errstate(invalid="ignore", divide="ignore"):
            boot = stats.bootstrap((np.arange(n),), statistic, vectorized=False,
                                   n_resamples=resamples, confidence_level=level,
                                   method="percentile", rng=np.random.default_rng(seed))
        low = boot.confidence_interval.low.reshape(2, s, d)
        high = boot.confidence_interval.high.reshape(2, s, d)
        total_boot = np.moveaxis(boot.bootstrap_distribution.reshape(2, s, d, -1)[1], -1, 0)
        flat = variance <= 0  # a constant output: indices 0 by convention, no interval
        low[:, flat], high[:, flat] = np.nan, np.nan
        bounds = [low[0], high[0], low[1], high[1]]
    return SobolIndices(first, bounds[0], bounds[1], total, bounds[2], bounds[3], variance,
                        n, level, total_boot)
