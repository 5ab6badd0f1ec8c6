"""From a history's columns to what the likelihood needs: log differences, spans, noise.

Which model series each observed indicator informs, and how noisy its counts are:

* ``applications`` (patents) and ``turnover``: continuous in the model, no count noise;
* ``transfers`` and ``pledge_projects``: Poisson counts, ``Var(log N) = 1/N``;
* ``pledge_amount``: a sum of ``N`` Gamma(``loan_shape``) loans, ``Var = (1 + 1/shape)/N``
  with ``N = amount / mean loan`` (used for the pledge series only when the number of
  projects is not observed).

Zero values cannot be logged: they are left out of the fit (as unobserved), and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipsim.calibration.covariance import design

__all__ = ["FITTED", "SeriesData", "series_data", "count_variance"]

FITTED: dict[str, tuple[str, str]] = {
    "applications": ("patents", "applications"),
    "transfers": ("transfers", "transfers"),
    "turnover": ("turnover", "turnover"),
    "pledge_projects": ("pledge", "pledge"),
    "pledge_amount": ("pledge", "pledge"),
}
"""Observed indicator -> (parameter section, shock series) it calibrates."""


@dataclass(frozen=True)
class SeriesData:
    """The log differences of one indicator between its observed (positive) periods."""

    indicator: str
    observed: np.ndarray     # 0-based indices of the periods used
    d: np.ndarray            # (k,) log differences
    t: np.ndarray            # (k,) years spanned
    R: np.ndarray            # (k, k) random-walk covariance per unit sigma^2
    C: np.ndarray            # (k, k) count-noise covariance
    zeros: int               # periods left out because the value was 0

    @property
    def k(self) -> int:
        return len(self.d)


def count_variance(indicator: str, values: np.ndarray, mean_loan: float,
                   loan_shape: float) -> np.ndarray:
    """Variance of the count noise of ``log(values)`` (dimensionless), per period.

    Parameters
    ----------
    indicator : str
        A key of :data:`FITTED`.
    values : numpy.ndarray
        Observed values (the indicator's unit per period), > 0.
    mean_loan : float
        Mean pledge loan (yuan), for ``pledge_amount``.
    loan_shape : float
        Gamma shape of one loan, for ``pledge_amount``.
    """
    values = np.asarray(values, float)
    if indicator in ("transfers", "pledge_projects"):
        return 1.0 / values
    if indicator == "pledge_amount":
        return (1.0 + 1.0 / loan_shape) * mean_loan / values
    return np.zeros_like(values)


def series_data(indicator: str, values: np.ndarray, per_year: int, mean_loan: float = 1.0,
                loan_shape: float = 1.0) -> SeriesData:
    """The likelihood's inputs for one indicator's column (NaN = unobserved).

    Parameters
    ----------
    indicator : str
        A key of :data:`FITTED`.
    values : numpy.ndarray
        (periods,) observed values, NaN where unobserved.
    per_year : int
        Periods per year (1 or 12).
    mean_loan, loan_shape : float
        See :func:`count_variance`.
    """
    values = np.asarray(values, float)
    observed = np.flatnonzero(np.isfinite(values) & (values > 0))
    zeros = int(np.count_nonzero(values == 0))
    if observed.size < 2:
        empty = np.zeros((0, 0))
        return SeriesData(indicator, observed, np.zeros(0), np.zeros(0), empty, empty, zeros)
    v = values[observed]
    t, R, C = design(observed, 12 // per_year,
                     count_variance(indicator, v, mean_loan, loan_shape))
    return SeriesData(indicator, observed, np.diff(np.log(v)), t, R, C, zeros)
