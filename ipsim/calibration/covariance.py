"""The Gaussian law of the log differences of an observed growing series.

In the model a series' monthly log level is ``x_m = x_0 + g m / 12 + sigma / sqrt(12) S_m``
with ``S_m`` a random walk of standard normal steps (:mod:`ipsim.model.growth`). A period's
observed flow is the sum of its months, whose log is, to first order, the period's average
log level plus count noise: ``y_k = a + sigma / sqrt(12) B_k + eps_k`` with ``B_k`` the
average of ``S`` over the period's months. Between two observed periods ``k < l`` the
difference ``d = y_l - y_k`` has mean ``g (l - k) / per_year`` and, since ``B_l - B_k`` is a
fixed linear combination of the monthly steps, an exact covariance:

``Cov(d) = sigma^2 R + C``,  ``R = W W' / 12``,  ``C = A diag(v) A'``

with ``W`` the weights of the monthly steps in each difference, ``A`` the differencing matrix
and ``v`` the variances of the count noise (``1/N`` for ``N`` Poisson counts). For
consecutive years this gives ``Var = (1156/1728) sigma^2`` (close to the continuous-time
``2/3``) and lag-1 covariance ``(286/1728) sigma^2`` (correlation 0.247, the classic MA(1) of
a time-averaged random walk, Working 1960 [1]_); gaps (unobserved periods) are handled by
differencing between the observed periods, whatever their spacing.

References
----------
.. [1] Working, H. (1960). Note on the correlation of first differences of averages in a
   random chain. Econometrica 28, 916-918.
"""

from __future__ import annotations

import numpy as np

__all__ = ["step_weights", "design"]


def step_weights(observed: np.ndarray, months: int) -> np.ndarray:
    """Weights of the monthly steps in the differences of period averages of ``S``.

    Parameters
    ----------
    observed : numpy.ndarray
        Sorted 0-based indices of the observed periods, length ``n >= 2``.
    months : int
        Months per period (12 for yearly data, 1 for monthly).

    Returns
    -------
    numpy.ndarray
        ``W`` of shape ``(n - 1, M)``: ``B_{k_{i+1}} - B_{k_i} = sum_j W[i, j] e_j`` over the
        monthly steps ``j`` from the start of the first observed period.
    """
    observed = np.asarray(observed)
    first, last = observed[0], observed[-1]
    steps = np.arange((last - first + 1) * months)           # step j lands in month j + 1
    # c_k(j) = share of period k's months at or after step j's month
    month_of_period = (observed - first)[:, None] * months + np.arange(months)[None, :]
    c = (month_of_period[:, :, None] >= steps[None, None, :]).mean(axis=1)
    return np.diff(c, axis=0)


def design(observed: np.ndarray, months: int, count_var: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time spans, ``R`` and ``C`` of the differences between observed periods.

    Parameters
    ----------
    observed : numpy.ndarray
        Sorted 0-based indices of the observed periods, length ``n >= 2``.
    months : int
        Months per period.
    count_var : numpy.ndarray
        (n,) variance of the count noise of each observed log value (dimensionless).

    Returns
    -------
    t : numpy.ndarray
        (n - 1,) years between the observed periods.
    R : numpy.ndarray
        (n - 1, n - 1) covariance of the differences per unit ``sigma^2`` (sigma in
        1/sqrt(yr)).
    C : numpy.ndarray
        (n - 1, n - 1) covariance of the count noise of the differences.
    """
    w = step_weights(observed, months)
    t = np.diff(np.asarray(observed, float)) * months / 12.0
    a = np.diff(np.eye(len(observed)), axis=0)
    return t, w @ w.T / 12.0, (a * np.asarray(count_var, float)) @ a.T
