"""Compound growth with random shocks, shared by every growing series.

A series' monthly level is ``x_m = x_0 exp(g m / 12 + sigma / sqrt(12) * sum_{j<=m} e_j)``,
with ``g = log(1 + r)`` the log-drift of the annual growth rate ``r`` and ``e_j`` the
series' standardised monthly shocks (a mix of the common economic factor and its own noise,
see :mod:`ipsim.model.uncertainty`). Without shocks the annual flows grow by exactly ``r``
a year: the month-0 level is set so that the twelve months of year 0 (months -11..0, on the
same trend) sum to the baseline annual flow, hence year ``k`` sums to ``baseline (1+r)^k``
and the compound annual growth rate over any span is ``r`` (a closed form the tests use).
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_drift", "initial_log_level", "step_log_level"]

_MONTHS_OF_YEAR0 = np.arange(12)  # months 0, -1, ..., -11 counted backwards


def log_drift(rate: np.ndarray | float) -> np.ndarray:
    """Log-drift per year ``g = log(1 + r)`` of an annual growth rate ``r`` (fraction/yr)."""
    return np.log1p(np.asarray(rate, float))


def initial_log_level(baseline_annual: float, g: np.ndarray | float) -> np.ndarray:
    """Log of the month-0 level (per month) that makes year 0 sum to ``baseline_annual``.

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


def step_log_level(log_level: np.ndarray, g: np.ndarray | float, sigma: np.ndarray | float,
                   shock: np.ndarray) -> np.ndarray:
    """Advance a log level by one month: ``+ g/12 + sigma/sqrt(12) * shock`` (in place)."""
    log_level += np.asarray(g) / 12.0 + np.asarray(sigma) / np.sqrt(12.0) * shock
    return log_level
