"""Probabilities of attainment with confidence intervals, from counts.

A run is reduced chunk by chunk to counts (:class:`Tally`), so memory does not grow with the
number of paths, and any two runs over the same paths can be compared pair by pair. Intervals
come from :func:`scipy.stats.binomtest` (Wilson score by default).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipsim.analysis.measures import attained
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Target

__all__ = ["Proportion", "proportion", "attainment_matrix", "Tally", "ALL", "beats",
           "half_width"]

ALL = "all_targets"
"""Name of the joint column: every target met on the same path."""


@dataclass(frozen=True)
class Proportion:
    """An estimated probability ``k / n`` with its confidence interval."""

    k: int
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    level: float

    def as_dict(self) -> dict:
        """``probability``, ``ci_low``, ``ci_high`` (the summary.json shape) plus k and n."""
        return {"probability": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "successes": self.k, "paths": self.n}


def proportion(k: int, n: int, level: float = 0.95, method: str = "wilson") -> Proportion:
    """Probability ``k / n`` with a ``level`` interval (``wilson`` or ``exact``, i.e.
    Clopper-Pearson), from :meth:`scipy.stats.binomtest(...).proportion_ci`."""
    from scipy import stats  # on first use: importing it costs 60 MiB, not needed by workers
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method=method)
    return Proportion(int(k), int(n), k / n, float(ci.low), float(ci.high), level)


def attainment_matrix(targets: tuple[Target, ...], paths: IndicatorPaths) -> np.ndarray:
    """(paths, targets + 1) bool: each target met, and (last column) all of them at once."""
    met = np.column_stack([attained(t, paths) for t in targets])
    return np.column_stack([met, met.all(axis=1)])


@dataclass
class Tally:
    """Counts of one run, enough for every probability and paired comparison it reports.

    ``met[j]`` counts paths meeting column ``j`` of :func:`attainment_matrix`;
    ``gained[j]`` / ``lost[j]`` count paths where this run meets ``j`` and the reference run
    (the base of a comparison, on the same paths) does not / where only the reference does.
    ``beats[s, j]``, when the run compared several scenarios, counts paths where this run
    meets ``j`` and scenario ``s`` of the run does not: with the ``met`` counts it gives the
    paired 2x2 table of any two scenarios (``beats[0] == gained``; see :func:`beats`).
    """

    n: int
    met: np.ndarray
    released: int
    gained: np.ndarray
    lost: np.ndarray
    beats: np.ndarray | None = None

    @classmethod
    def of(cls, matrix: np.ndarray, released: np.ndarray,
           reference: np.ndarray | None = None,
           others: list[np.ndarray] | None = None) -> Tally:
        """Counts of one chunk; ``reference`` is the base run's matrix on the same paths and
        ``others`` the matrices of every scenario of the run (base first), for ``beats``."""
        ref = matrix if reference is None else reference
        return cls(matrix.shape[0], matrix.sum(axis=0), int(released.sum()),
                   (matrix & ~ref).sum(axis=0), (~matrix & ref).sum(axis=0),
                   None if others is None else beats(matrix, others))

    def __add__(self, other: Tally) -> Tally:
        both = self.beats is not None and other.beats is not None
        return Tally(self.n + other.n, self.met + other.met, self.released + other.released,
                     self.gained + other.gained, self.lost + other.lost,
                     self.beats + other.beats if both else None)


def beats(matrix: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """(len(others), columns) int: paths where ``matrix`` meets a column and each of
    ``others`` (attainment matrices of the same paths) does not."""
    return np.stack([np.count_nonzero(matrix & ~o, axis=0) for o in others])


def half_width(tally: Tally, level: float = 0.95) -> float:
    """The largest half-width ``(ci_high - ci_low) / 2`` of the Wilson intervals a run reports
    from ``tally``: every target, all targets at once and the mid-term release."""
    counts = [*(int(k) for k in tally.met), int(tally.released)]
    return max((p.ci_high - p.ci_low) / 2 for p in (proportion(k, tally.n, level)
                                                    for k in counts))
