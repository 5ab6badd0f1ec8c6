"""The targets a city can commit to: levels met with given odds, from one run's paths.

For a target ``measure(indicator) op threshold`` the per-path values of the measure (the
kept paths of a run, :meth:`ipsim.api.RunResult.measures`) give the exceedance curve
``P(measure >= x)`` and, for odds ``p``, the *commit level*: the most ambitious threshold
``L`` such that the target written with it, ``measure op L``, is met on at least a share
``p`` of the paths. With the ``n`` values sorted, ``v_(1) <= ... <= v_(n)``:

* ``>=``: ``L = v_(r)`` with ``r = floor(n (1 - p)) + 1`` (then ``P(v >= L) >= p``);
* ``>``: ``L = v_(r)`` if at least ``p n`` values lie strictly above it; otherwise (ties at
  ``v_(r)``, as counts and growth rates of counts have) ``L = v_(r) - 1`` for whole numbers
  and the largest value below ``v_(r)`` else, so that ``P(v > L) = P(v >= v_(r)) >= p``;
* an event (``happens by month m``): the month ``L = v_(s)``, ``s = ceil(n p)``, by which it
  happens on at least a share ``p`` of the paths (``inf``: on fewer than that by the end).

``v_(r)`` is the sample ``(1 - p)`` quantile (``p`` for an event). Its distribution-free
confidence interval is a pair of order statistics ``[v_(l), v_(u)]`` whose ranks come from
:func:`scipy.stats.binom` (the number of values below the true quantile is
Binomial(n, q)): ``l = binom.ppf(alpha / 2, n, q)``, ``u = binom.ppf(1 - alpha / 2, n, q) + 1``,
clipped to ``1..n``; the interval covers the true quantile with probability at least
``1 - alpha`` (slightly more, the binomial being discrete). The same shift as the level's
applies to its ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ipsim.model.measures import measure
from ipsim.scenario.params import Target

__all__ = ["ODDS", "CommitLevel", "commit_levels", "exceedance", "is_whole"]

ODDS = (0.5, 0.8, 0.9)
"""The odds every run reports commit levels for."""


@dataclass(frozen=True)
class CommitLevel:
    """The level of one target met with odds ``odds`` (in the measure's unit).

    Attributes
    ----------
    target : str
        The target id.
    odds : float
        The asked share of paths, in (0, 1).
    level, ci_low, ci_high : float
        The commit level and its distribution-free interval (``inf`` for an event that
        happens on too few paths).
    achieved : float
        The share of the paths that meet the target written with ``level``.
    paths : int
        The paths it rests on.
    """

    target: str
    odds: float
    level: float
    ci_low: float
    ci_high: float
    achieved: float
    paths: int

    def as_dict(self) -> dict:
        return {"target": self.target, "odds": self.odds, "level": self.level,
                "ci_low": self.ci_low, "ci_high": self.ci_high, "achieved": self.achieved,
                "paths": self.paths}


def is_whole(values: np.ndarray) -> bool:
    """Whether every finite value is a whole number (a count)."""
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.round(finite)))


def _ranks(n: int, q: float, level: float) -> tuple[int, int, int]:
    """1-based ranks of the interval's ends for quantile ``q``."""
    alpha = 1 - level
    lo = int(stats.binom.ppf(alpha / 2, n, q))
    hi = int(stats.binom.ppf(1 - alpha / 2, n, q)) + 1
    return lo, hi


def _below(v: np.ndarray, x: float, whole: bool, p: float) -> float:
    """The ``>`` threshold for order statistic ``x``: ``x`` itself when enough values lie
    strictly above it, else ``x - 1`` for whole numbers or the largest value below ``x``
    (so that ``P(v > L) = P(v >= x)``)."""
    n = len(v)
    if n - np.searchsorted(v, x, side="right") >= math.ceil(n * p - 1e-9):
        return float(x)
    if whole:
        return float(x - 1)
    k = int(np.searchsorted(v, x, side="left"))
    return float(v[k - 1]) if k > 0 else float(np.nextafter(x, -np.inf))


def commit_levels(target: Target, values: np.ndarray, odds: Sequence[float] = ODDS,
                  level: float = 0.95) -> list[CommitLevel]:
    """The commit level of ``target`` at each of ``odds`` from the per-path ``values`` of its
    measure (see the module docstring).

    Parameters
    ----------
    target : Target
        Its ``measure`` and ``op`` say which way is ambitious.
    values : numpy.ndarray
        (paths,) the measure on each path (``inf``: an event that never happened).
    odds : sequence of float
        Shares of paths in (0, 1).
    level : float
        Confidence level of the intervals.
    """
    v = np.sort(np.asarray(values, dtype=float))
    n = len(v)
    if n == 0:
        raise ValueError("no paths to read levels from")
    event = measure(target.measure).needs == "by_month"
    whole = is_whole(v)
    out = []
    for p in odds:
        if event:
            r = max(1, math.ceil(n * p - 1e-9))
            lo, hi = _ranks(n, p, level)
            hi = max(hi, r)
        else:
            r = min(n, int(math.floor(n * (1 - p) + 1e-9)) + 1)
            lo, hi = _ranks(n, 1 - p, level)
        lo, hi = max(1, min(lo, r)), min(n, max(hi, r))
        ends = [v[r - 1], v[lo - 1], v[hi - 1]]
        if not event and target.op == ">":
            ends = [_below(v, x, whole, p) for x in ends]
        lev = ends[0]
        met = measure(target.measure).met(v, target.op, lev, lev if event else None)
        out.append(CommitLevel(target.id, float(p), float(lev), float(ends[1]),
                               float(ends[2]), float(np.mean(met)), n))
    return out


def exceedance(values: np.ndarray, points: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """The exceedance curve ``P(measure >= x)`` at ``points`` values of ``x`` from the least
    to the largest finite value: ``(x, probability)``."""
    v = np.sort(np.asarray(values, dtype=float))
    finite = v[np.isfinite(v)]
    if not len(finite):
        return np.zeros(0), np.zeros(0)
    x = np.unique(np.quantile(finite, np.linspace(0, 1, points)))
    return x, 1.0 - np.searchsorted(v, x, side="left") / len(v)
