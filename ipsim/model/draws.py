"""Policy-independent random numbers turned into counts and amounts.

Every mechanism draws standard normals (or uniforms) of a fixed shape each month from its
own stream, whatever the policy, and only then turns them into counts and amounts with the
policy-dependent means. Two policies therefore see the same random numbers path by path
(common random numbers), and a count or an amount is non-decreasing in its mean for a fixed
draw, so a lever that raises a rate cannot lower the count on any path.

``numpy.random.Generator.poisson`` and ``.gamma`` would be exact but consume a
mean-dependent amount of the stream (rejection sampling), which would re-shuffle the
randomness of every later path as soon as one path's mean changes.

References
----------
.. [1] Cornish, E. A. and Fisher, R. A. (1938). Moments and cumulants in the specification
   of distributions. Revue de l'Institut International de Statistique 5, 307-320.
.. [2] Wilson, E. B. and Hilferty, M. M. (1931). The distribution of chi-square.
   PNAS 17, 684-688.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["poisson_from_normal", "gamma_from_normal", "EXACT_POISSON_BELOW"]

EXACT_POISSON_BELOW = 5.0
"""Means below this are inverted exactly; at and above it the Cornish-Fisher quantile is used."""

# z-thresholds of the exact Poisson(EXACT_POISSON_BELOW) quantile: count k for
# _SWITCH_Z[k-1] < z <= _SWITCH_Z[k], i.e. k = searchsorted(_SWITCH_Z, z)
_SWITCH_Z = special.ndtri(special.pdtr(np.arange(60), EXACT_POISSON_BELOW))
_SWITCH_QUANTILE = np.arange(61, dtype=float)
_MAX_EXACT_STEPS = 48  # P(Poisson(5) > 48) < 1e-30: the search always ends before this


def poisson_from_normal(z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson counts with means ``lam``, as a monotone function of standard normals ``z``.

    Below :data:`EXACT_POISSON_BELOW` the count is the exact Poisson quantile of
    ``u = Phi(z)`` (inversion by sequential search). From there on it is the Cornish-Fisher
    expansion of the Poisson quantile to second order [1]_, rounded to the nearest integer:

    ``k = floor(lam + sqrt(lam) z + (z**2 - 1) / 6 + (z**3 - 7 z) / (72 sqrt(lam)) + 1/2)``

    floored at the exact quantile for ``lam = EXACT_POISSON_BELOW`` (which keeps the count
    non-decreasing in ``lam`` across the switch between the two methods). For lam >= 5 its
    distribution is within 1.5 % of Poisson(lam) in total variation, with relative errors
    below 2.5e-3 in the mean (at lam = 5; below 5e-4 from lam = 6 on) and 0.5 % in the
    variance
    (``tests/model/test_draws.py`` measures them against ``scipy.stats.poisson``).

    Parameters
    ----------
    z : numpy.ndarray
        Standard normal draws, any shape.
    lam : numpy.ndarray
        Means (counts per period), broadcastable to ``z``; must be finite and >= 0.

    Returns
    -------
    numpy.ndarray
        Counts as float64 (whole numbers), the shape of ``z``.

    See Also
    --------
    scipy.stats.poisson : the exact distribution these counts follow.
    """
    z, lam = np.broadcast_arrays(np.asarray(z, float), np.asarray(lam, float))
    small = lam < EXACT_POISSON_BELOW
    n_small = np.count_nonzero(small)
    if n_small == lam.size:
        return _poisson_quantile_small(special.ndtr(z), lam)
    s = np.sqrt(lam)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):  # lam == 0 is handled exactly below
        # lam + s z + (z^2 - 1)/6 + z (z^2 - 7) / (72 s) + 1/2, with few temporaries
        k = z2 - 7.0
        k *= z
        k /= 72.0 * s
        z2 -= 1.0
        z2 /= 6.0
        k += z2
        s *= z
        k += s
        k += lam
        k += 0.5
    np.floor(k, out=k)
    np.maximum(k, _SWITCH_QUANTILE[np.searchsorted(_SWITCH_Z, z, side="left")], out=k)
    if n_small:
        k[small] = _poisson_quantile_small(special.ndtr(z[small]), lam[small])
    return k


def _poisson_quantile_small(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Exact Poisson quantile ``min{k : F(k; lam) >= u}`` by summing the pmf upwards.

    Works on a shrinking subset of the draws: the subset is compacted only when fewer than
    half of its members are still searching, so most steps are a few contiguous array ops.
    """
    out = np.zeros_like(lam)
    idx = np.arange(lam.size)
    k = np.zeros_like(lam)
    pmf = np.exp(-lam)
    cdf = pmf.copy()
    going = cdf < u
    for step in range(1, _MAX_EXACT_STEPS + 1):
        n_going = np.count_nonzero(going)
        if n_going == 0:
            break
        if 2 * n_going < idx.size:
            out[idx] = k
            idx, u, lam, pmf, cdf, k = (a[going] for a in (idx, u, lam, pmf, cdf, k))
            going = np.ones(idx.size, dtype=bool)
        k += going
        pmf *= lam / step
        cdf += pmf
        going &= cdf < u
    out[idx] = k
    return out


def gamma_from_normal(z: np.ndarray, shape: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Gamma(shape, scale) amounts as a monotone function of standard normals ``z``.

    Uses the Wilson-Hilferty cube-root normal approximation [2]_,
    ``X = shape * scale * max(0, 1 - 1/(9 shape) + z / (3 sqrt(shape)))**3``, whose mean and
    variance are within 1 % of the Gamma's for ``shape >= 1`` (the loan sums here have shape
    >= the shape of one loan). ``shape == 0`` gives 0. Non-decreasing in ``shape`` for
    ``z < 6 sqrt(shape)``, which holds for every draw in practice.

    Parameters
    ----------
    z : numpy.ndarray
        Standard normal draws.
    shape : numpy.ndarray
        Gamma shape (dimensionless), >= 0; a sum of ``n`` Gamma(k, theta) loans has shape
        ``n k``.
    scale : numpy.ndarray
        Gamma scale (the unit of the amount, e.g. yuan).

    See Also
    --------
    scipy.stats.gamma : same (shape, scale) convention.
    """
    shape = np.asarray(shape, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = 1.0 - 1.0 / (9.0 * shape) + z / (3.0 * np.sqrt(shape))
        x = shape * scale * np.maximum(c, 0.0) ** 3
    return np.where(shape > 0, x, 0.0)
