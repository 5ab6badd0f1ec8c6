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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ECONOMY", "shocks", "shock", "draws"]

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
