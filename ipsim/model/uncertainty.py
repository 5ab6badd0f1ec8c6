"""Uncertainty of two kinds: parameters drawn once per path, and correlated monthly shocks.

Parameters that nobody knows exactly are given in a scenario as distributions
(:class:`ipsim.scenario.params.Distribution`). Each is drawn once per path by inversion,
``value = F^{-1}(u)`` with ``u`` from the parameter's own random stream, so that two
scenarios that give a parameter different distributions still pair path by path (and a
sweep over a distribution's location moves every path's value the same way).

Monthly shocks mix a common economic factor with each series' own noise:
``e_s = rho_s z_0 + sqrt(1 - rho_s^2) z_s`` with ``z`` independent standard normals, so
``e_s`` is standard normal and two series are correlated ``rho_s rho_t`` (the loadings are
the ``shocks:`` section of a scenario). The series are those the mechanisms declare
(:func:`ipsim.model.registry.series`), in registry order: column ``j + 1`` of the month's
draws is series ``j``'s own noise.

Uncertain parameters may be correlated (a scenario's ``correlations:``, rank correlations):
a Gaussian copula on the parameters' own uniforms, ``u -> Phi(L Phi^-1(u))``, with ``L`` the
lower-triangular factor of the normal scores' correlation in a fixed order of the parameters,
so each keeps its marginal distribution and its own stream, and a parameter's value depends
on its own stream and those of the parameters before it (``docs/model.md``, section 8).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

__all__ = ["ECONOMY", "shocks", "shock", "draws", "pair_of", "normal_correlation",
           "copula_factor", "correlate_uniforms"]

ECONOMY = "economy"
"""Name of the common factor (column 0 of the month's draws)."""


def draws(series: Sequence) -> int:
    """Standard normals per path per month: the common factor, then one per series."""
    return 1 + len(series)


def shocks(z: np.ndarray, loadings: Sequence[np.ndarray | float]) -> np.ndarray:
    """Standardised monthly shocks of the series, correlated through a common factor.

    Parameters
    ----------
    z : numpy.ndarray
        Shape ``(..., paths, 1 + len(loadings))`` (one month, or ``(months, paths, ...)``):
        independent standard normals (column 0 is the economy).
    loadings : sequence of float or numpy.ndarray
        ``rho_s`` per series, in [0, 1).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., paths, len(loadings))``, each column standard normal.
    """
    out = np.empty((*z.shape[:-1], len(loadings)))
    for j, rho in enumerate(loadings):
        out[..., j] = shock(z, rho, j)
    return out


def shock(z: np.ndarray, rho: np.ndarray | float, j: int) -> np.ndarray:
    """Series ``j``'s shocks ``rho z_0 + sqrt(1 - rho^2) z_{j+1}`` from ``z`` of
    :func:`shocks` (shape ``z.shape[:-1]``)."""
    rho = np.asarray(rho, float)
    return rho * z[..., 0] + np.sqrt(1.0 - rho * rho) * z[..., j + 1]


# -- correlated parameters: a Gaussian copula on the parameters' own streams ----------------

def pair_of(key: str) -> tuple[str, str] | None:
    """``"pledge.growth ~ pledge.default_rate"`` -> ``("pledge.growth",
    "pledge.default_rate")`` (spaces around ``~`` allowed); None if ``key`` is not two names
    joined by one ``~``."""
    if not isinstance(key, str) or key.count("~") != 1:
        return None
    a, b = (part.strip() for part in key.split("~"))
    return (a, b) if a and b else None


def normal_correlation(rank: np.ndarray | float) -> np.ndarray:
    """Pearson correlation of the normal scores that gives the Spearman rank correlation
    ``rank`` under a Gaussian copula: ``r = 2 sin(pi rank / 6)`` (the inverse of Pearson's
    1907 ``rank = (6 / pi) arcsin(r / 2)``)."""
    return 2.0 * np.sin(np.pi * np.asarray(rank, float) / 6.0)


def copula_factor(r: np.ndarray, tol: float = 1e-10) -> tuple[np.ndarray, int]:
    """Lower-triangular ``L`` with ``L L' = r`` for a positive semi-definite ``r``.

    The Cholesky recursion, row by row in the given order, with a pivot that rounds to zero (a
    row that is a combination of the rows before it, e.g. a correlation of 1) giving a zero
    column instead of failing (a later row must then be consistent with it): row ``i`` of
    ``L`` depends only on rows ``0..i`` of ``r``, so a variable's correlated score depends
    on its own score and those before it.

    Returns
    -------
    L : numpy.ndarray
        The factor (meaningful only if ``bad == -1``).
    bad : int
        -1 if ``r`` is positive semi-definite; else the first row ``i`` whose pivot is
        negative: rows ``0..i`` of ``r`` are then no correlation matrix.
    """
    n = r.shape[0]
    L = np.zeros_like(r, dtype=float)
    for i in range(n):
        for j in range(i):
            rest = r[i, j] - L[i, :j] @ L[j, :j]
            if L[j, j] > 0:
                L[i, j] = rest / L[j, j]
            elif abs(rest) > np.sqrt(tol):   # row j repeats rows before it; row i must too
                return L, i
        pivot = r[i, i] - L[i, :i] @ L[i, :i]
        if pivot < -tol:
            return L, i
        L[i, i] = np.sqrt(max(pivot, 0.0))
    return L, -1


def correlate_uniforms(u: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Correlated uniforms from independent ones through the Gaussian copula ``L``.

    Parameters
    ----------
    u : numpy.ndarray
        ``(paths, k)`` independent uniforms on [0, 1), one column per parameter (its own
        stream), in the factor's order.
    L : numpy.ndarray
        ``(k, k)`` lower-triangular factor of the normal scores' correlation
        (:func:`copula_factor`), unit rows.

    Returns
    -------
    numpy.ndarray
        ``Phi(L Phi^-1(u))``, ``(paths, k)``: each column still uniform (its marginal, hence
        the parameter's distribution, unchanged), column ``i`` a function of columns
        ``0..i`` of ``u`` only; a column correlated with none before it is ``u``'s own,
        bit for bit.
    """
    tiny = np.finfo(float).eps / 4
    z = special.ndtri(np.clip(u, tiny, 1.0 - tiny))
    out = special.ndtr(z @ L.T)
    alone = [i for i in range(L.shape[0]) if not L[i, :i].any()]   # row e_i: its own stream
    out[:, alone] = u[:, alone]
    return out
