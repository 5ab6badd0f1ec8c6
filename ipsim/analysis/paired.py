"""Intervals and tests for differences of proportions, paired and independent.

A comparison on common random numbers gives, for every path, whether scenario A and
scenario B meet a target: a paired 2x2 table ``n11`` (both), ``n10`` (A only), ``n01``
(B only), ``n00`` (neither) over ``n`` paths. The difference of the attainment probabilities
is estimated by ``(n10 - n01) / n``; only the discordant paths carry information about it,
and the better the pairing, the fewer there are and the narrower the interval.

Intervals:

* :func:`newcombe_paired_ci`: Newcombe's hybrid score ("square-and-add") interval for
  paired data, his method 10 [1]_: the Wilson intervals of the two marginal proportions,
  combined with their estimated correlation. Closed form; the default.
* :func:`tango_paired_ci`: Tango's asymptotic score interval [2]_, inverting the score test
  of ``Delta = Delta0`` with the constrained maximum-likelihood estimate of ``p01``.
* :func:`newcombe_independent_ci`: Newcombe's method 10 for two independent proportions
  [3]_, for what two separate runs of the same size would give.

Both paired intervals are recommended by Fagerland, Lydersen and Laake [4]_; at the path
counts of a simulation (10^4 and up) they agree to a few parts in a thousand of their width.

The test of equal probabilities is McNemar's exact test: under the null each discordant
path is A-only with probability 1/2, so ``n10 ~ Binomial(n10 + n01, 1/2)``
(:func:`scipy.stats.binomtest`).

References
----------
.. [1] Newcombe, R. G. (1998). Improved confidence intervals for the difference between
   binomial proportions based on paired data. Statistics in Medicine 17, 2635-2650.
.. [2] Tango, T. (1998). Equivalence test and confidence interval for the difference in
   proportions for the paired-sample design. Statistics in Medicine 17, 891-908.
.. [3] Newcombe, R. G. (1998). Interval estimation for the difference between independent
   proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.
.. [4] Fagerland, M. W., Lydersen, S. and Laake, P. (2014). Recommended tests and
   confidence intervals for paired binomial proportions. Statistics in Medicine 33,
   2850-2875.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import optimize, stats

__all__ = ["PairedDifference", "paired_difference", "newcombe_paired_ci", "tango_paired_ci",
           "newcombe_independent_ci", "mcnemar_exact", "METHODS"]

METHODS = {
    "newcombe": "Newcombe (1998) method 10: hybrid score interval for paired proportions",
    "tango": "Tango (1998) asymptotic score interval for paired proportions",
}
"""Paired interval methods: name -> reference."""


def _wilson(k: int, n: int, level: float) -> tuple[float, float]:
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def _check_counts(*counts: int) -> None:
    if any(c < 0 for c in counts) or sum(counts) < 1:
        raise ValueError(f"counts must be >= 0 with a positive total, got {counts}")


def newcombe_paired_ci(n11: int, n10: int, n01: int, n00: int,
                       level: float = 0.95) -> tuple[float, float]:
    """Newcombe's method 10 interval for ``p1 - p2 = (n10 - n01) / n`` from a paired table.

    ``p1 = (n11 + n10) / n`` and ``p2 = (n11 + n01) / n`` have Wilson intervals
    ``(l1, u1)`` and ``(l2, u2)``; with ``phi`` the continuity-corrected correlation of the
    table (``A = n11 n00 - n10 n01``; ``phi = (A - n/2) / sqrt(prod of margins)`` if
    ``A > n/2``, ``0`` if ``0 <= A <= n/2``, ``A / sqrt(...)`` if ``A < 0``, and ``0`` when a
    margin is empty), the limits are

    ``L = d - sqrt((p1-l1)^2 - 2 phi (p1-l1)(u2-p2) + (u2-p2)^2)``,
    ``U = d + sqrt((p2-l2)^2 - 2 phi (p2-l2)(u1-p1) + (u1-p1)^2)``.

    Parameters
    ----------
    n11, n10, n01, n00 : int
        Paths where both meet, only the first, only the second, neither; >= 0.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    (float, float)
        Lower and upper limits of the difference, in [-1, 1].

    See Also
    --------
    tango_paired_ci : the score interval of Tango (1998).
    """
    _check_counts(n11, n10, n01, n00)
    n = n11 + n10 + n01 + n00
    k1, k2 = n11 + n10, n11 + n01
    p1, p2 = k1 / n, k2 / n
    l1, u1 = _wilson(k1, n, level)
    l2, u2 = _wilson(k2, n, level)
    margins = float(k1) * (n - k1) * k2 * (n - k2)
    a = float(n11) * n00 - float(n10) * n01
    if margins == 0.0 or 0.0 <= a <= n / 2:
        phi = 0.0
    else:
        phi = (a - n / 2 if a > n / 2 else a) / math.sqrt(margins)
    d = p1 - p2
    dl = max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0)
    du = max((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0)
    return max(d - math.sqrt(dl), -1.0), min(d + math.sqrt(du), 1.0)


def tango_paired_ci(n10: int, n01: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Tango's score interval for ``(n10 - n01) / n`` (depends on the discordant counts only).

    The score statistic of ``Delta = D`` is
    ``T(D) = (n10 - n01 - n D) / sqrt(n (2 q(D) + D (1 - D)))`` with ``q(D)`` the
    maximum-likelihood estimate of ``p01`` under the constraint
    (``q = (sqrt(B^2 - 4AC) - B) / 2A``, ``A = 2n``, ``B = -n10 - n01 + (2n - n10 + n01) D``,
    ``C = -n01 D (1 - D)``); the limits are the roots of ``T(D) = +-z``.

    Parameters
    ----------
    n10, n01 : int
        Discordant paths: only the first meets / only the second meets; >= 0.
    n : int
        All paths, >= n10 + n01.
    level : float
        Confidence level in (0, 1).

    See Also
    --------
    newcombe_paired_ci : Newcombe's method 10.
    """
    _check_counts(n10, n01, n - n10 - n01)
    z = float(stats.norm.ppf(0.5 + level / 2))

    def score(d: float) -> float:
        b = -n10 - n01 + (2 * n - n10 + n01) * d
        c = -n01 * d * (1 - d)
        q = (math.sqrt(max(b * b - 8 * n * c, 0.0)) - b) / (4 * n)
        num, var = n10 - n01 - n * d, n * (2 * q + d * (1 - d))
        if var > 0:
            return num / math.sqrt(var)
        return 0.0 if num == 0 else math.copysign(math.inf, num)

    d, eps = (n10 - n01) / n, 1e-12
    low, high = -1.0, 1.0
    if d > -1 + eps and score(-1 + eps) > z:   # T decreases in D: T(low) = z, T(high) = -z
        low = optimize.brentq(lambda x: score(x) - z, -1 + eps, d, xtol=1e-15, rtol=1e-13)
    if d < 1 - eps and score(1 - eps) < -z:
        high = optimize.brentq(lambda x: score(x) + z, d, 1 - eps, xtol=1e-15, rtol=1e-13)
    return low, high


def newcombe_independent_ci(k1: int, n1: int, k2: int, n2: int,
                            level: float = 0.95) -> tuple[float, float]:
    """Newcombe's method 10 for ``k1/n1 - k2/n2`` from two independent samples:
    ``d -+ sqrt((p-l)^2 + (u-p)^2)`` from the two Wilson intervals (no correlation term)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson(k1, n1, level)
    l2, u2 = _wilson(k2, n2, level)
    d = p1 - p2
    return (d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(p2 - l2, u1 - p1))


def mcnemar_exact(n10: int, n01: int) -> float:
    """Two-sided exact McNemar p-value: ``binomtest(n10, n10 + n01, 1/2)``; 1 if no path is
    discordant."""
    m = int(n10) + int(n01)
    return 1.0 if m == 0 else float(stats.binomtest(int(n10), m, 0.5).pvalue)


@dataclass(frozen=True)
class PairedDifference:
    """``p_a - p_b`` estimated on the same ``n`` paths, with its interval and McNemar's p.

    ``only_a`` / ``only_b`` are the discordant paths (a meets and b does not / the
    reverse); ``exact`` marks a difference known to be exactly zero (b is the same model).
    """

    n: int
    p_a: float
    p_b: float
    only_a: int
    only_b: int
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float
    method: str
    exact: bool = False

    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of 0 (a distinguishable difference)."""
        return self.ci_low > 0.0 or self.ci_high < 0.0


def paired_difference(met_a: int, met_b: int, only_a: int, only_b: int, n: int,
                      level: float = 0.95, method: str = "newcombe",
                      exact: bool = False) -> PairedDifference:
    """The paired difference of two attainment probabilities from a run's counts.

    Parameters
    ----------
    met_a, met_b : int
        Paths where a / b meets the target.
    only_a, only_b : int
        Paths where only a / only b meets it (``Tally.gained`` / ``Tally.lost`` against the
        base, or ``Tally.beats`` for any two scenarios).
    n : int
        Paths (the same for both).
    level : float
        Confidence level in (0, 1).
    method : str
        A key of :data:`METHODS`.
    exact : bool
        The two are the same model, so the difference is 0 on every path by construction:
        the interval is ``[0, 0]`` and the p-value 1 (the counts must agree).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    both = met_a - only_a
    if both != met_b - only_b or min(both, only_a, only_b) < 0 or met_a + only_b > n:
        raise ValueError(f"inconsistent paired counts: met {met_a}, {met_b}; only "
                         f"{only_a}, {only_b}; n {n}")
    if exact and (only_a or only_b):
        raise ValueError("an identical model cannot differ on any path; got "
                         f"{only_a} and {only_b} discordant paths")
    if exact:
        low = high = 0.0
    elif method == "newcombe":
        low, high = newcombe_paired_ci(both, only_a, only_b, n - both - only_a - only_b, level)
    else:
        low, high = tango_paired_ci(only_a, only_b, n, level)
    return PairedDifference(n, met_a / n, met_b / n, int(only_a), int(only_b),
                            (only_a - only_b) / n, low, high,
                            1.0 if exact else mcnemar_exact(only_a, only_b), level, method,
                            exact)
