"""Uncertainty of two kinds: parameters drawn once per path, and correlated monthly shocks.

Parameters that nobody knows exactly are given in a scenario as distributions
(:class:`ipsim.scenario.params.Distribution`). Each is drawn once per path by inversion,
``value = F^{-1}(u)`` with ``u`` from the parameter's own random stream, so that two
scenarios that give a parameter different distributions still pair path by path (and a
sweep over a distribution's location moves every path's value the same way).

Monthly shocks mix a common economic factor with each series' own noise:
``e_s = rho_s z_0 + sqrt(1 - rho_s^2) z_s`` with ``z`` independent standard normals, so
``e_s`` is standard normal and two series are correlated ``rho_s rho_t`` (the loadings are
the ``shocks:`` section of a scenario).
"""

from __future__ import annotations

import numpy as np

from ipsim.model.spec import Param

__all__ = ["SERIES", "PARAMS", "DRAWS", "shocks"]

SERIES: tuple[str, ...] = ("applications", "transfers", "pledge", "turnover")
"""Series that take a monthly shock, in the column order of :func:`shocks`."""

DRAWS = 1 + len(SERIES)
"""Standard normals per path per month: the common factor, then one per series."""

PARAMS: tuple[Param, ...] = tuple(
    Param(s, default, "correlation", 0.0, 0.99,
          f"loading of the {s} shock on the common economic factor; two series are "
          "correlated by the product of their loadings", "assumption")
    for s, default in zip(SERIES, (0.4, 0.5, 0.6, 0.6), strict=True)
)


def shocks(z: np.ndarray, loadings: list[np.ndarray | float]) -> np.ndarray:
    """Standardised monthly shocks of the series, correlated through a common factor.

    Parameters
    ----------
    z : numpy.ndarray
        Shape ``(paths, DRAWS)``: independent standard normals (column 0 is the economy).
    loadings : sequence of float or numpy.ndarray
        ``rho_s`` per series of :data:`SERIES`, in [0, 1).

    Returns
    -------
    numpy.ndarray
        Shape ``(paths, len(SERIES))``, each column standard normal.
    """
    out = np.empty((z.shape[0], len(SERIES)))
    for j, rho in enumerate(loadings):
        rho = np.asarray(rho, float)
        out[:, j] = rho * z[:, 0] + np.sqrt(1.0 - rho * rho) * z[:, j + 1]
    return out
