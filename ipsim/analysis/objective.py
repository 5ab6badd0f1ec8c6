"""What an optimiser maximises, from counts: the odds of all targets, of a subset, or the
expected number met, with chance constraints; and the verified figures with intervals.

Objectives (:data:`KINDS`):

* ``all``: P(every target met on the same path);
* ``subset``: P(every target of a named subset met);
* ``expected``: the expected number of targets met (0 to the number of targets).

A chance constraint ``P(target) >= r`` is handled by a *feasibility rule* written as a
penalty: a candidate that breaks one or more has the search value ``-1 - sum(r - P)`` (the
shortfalls added), below every candidate that keeps them all (whose value is >= 0), and
larger the closer it comes, so the search is led towards the feasible region and, inside it,
ranks by the objective alone. The constraints are judged on the search paths; the verified
figures say whether they hold on fresh paths (point estimate, and the interval's lower end).

Verified figures: probabilities get Wilson intervals (:func:`ipsim.analysis.attainment.
proportion`) and paired differences Newcombe's interval with McNemar's test
(:func:`ipsim.analysis.paired.paired_difference`); the expected number gets a normal
interval on the mean, and its paired difference the normal interval of the mean per-path
difference with a two-sided z-test (the number met is bounded, so at 10^4 paths and more
the mean is normal to a good approximation).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ipsim.analysis.attainment import Proportion, proportion
from ipsim.analysis.paired import PairedDifference, paired_difference
from ipsim.errors import ArgumentError
from ipsim.scenario.params import Scenario

__all__ = ["Objective", "objective", "Estimate", "KINDS"]

KINDS = {"all": "P(all targets)", "subset": "P(all of {targets})",
         "expected": "expected number of targets met"}
"""Objective kind -> what it is, in words."""


@dataclass(frozen=True)
class Estimate:
    """A verified figure: a probability (or a mean number of targets) and its interval."""

    value: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict:
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass(frozen=True)
class Objective:
    """The search objective (see the module docstring).

    Attributes
    ----------
    kind : str
        A key of :data:`KINDS`.
    subset : tuple of int
        Target indices of a ``subset`` objective.
    require : tuple of (int, float)
        Chance constraints: target index, least probability.
    labels : tuple of str
        The scenario's target ids (for descriptions).
    """

    kind: str
    subset: tuple[int, ...] = ()
    require: tuple[tuple[int, float], ...] = ()
    labels: tuple[str, ...] = ()

    def describe(self) -> str:
        """In words: ``P(all targets)``, ``P(all of transfers, turnover)``, ..."""
        text = KINDS[self.kind].format(targets=", ".join(self.labels[i] for i in self.subset))
        if self.require:
            text += " subject to " + ", ".join(f"P({self.labels[i]}) >= {r:g}"
                                               for i, r in self.require)
        return text

    def column(self) -> int | None:
        """The column of the counts' ``met`` the objective reads (None: ``expected``)."""
        if self.kind == "expected":
            return None
        return len(self.labels) + (1 if self.kind == "subset" else 0)

    def scores(self, met: np.ndarray, count_sum: np.ndarray, n: int) -> np.ndarray:
        """(sets,) the objective of each set, constraints aside."""
        col = self.column()
        return count_sum / n if col is None else met[:, col] / n

    def shortfall(self, met: np.ndarray, n: int) -> np.ndarray:
        """(sets,) the sum of the chance constraints' shortfalls (0 when all are kept)."""
        out = np.zeros(len(met))
        for j, r in self.require:
            out += np.maximum(0.0, r - met[:, j] / n)
        return out

    def search_values(self, met: np.ndarray, count_sum: np.ndarray, n: int) -> np.ndarray:
        """(sets,) what the optimiser maximises: the objective, or ``-1 - shortfall``."""
        short = self.shortfall(met, n)
        return np.where(short > 0, -1.0 - short, self.scores(met, count_sum, n))

    def estimate(self, met: np.ndarray, count_sum: np.ndarray, count_sq: np.ndarray, n: int,
                 k: int, level: float = 0.95) -> Estimate:
        """The verified objective of set ``k`` with its ``level`` interval."""
        col = self.column()
        if col is not None:
            p: Proportion = proportion(int(met[k, col]), n, level)
            return Estimate(p.estimate, p.ci_low, p.ci_high)
        mean = count_sum[k] / n
        var = max(0.0, (count_sq[k] / n - mean ** 2) * n / max(n - 1, 1))
        half = stats.norm.ppf(0.5 + level / 2) * math.sqrt(var / n)
        return Estimate(float(mean), float(mean - half), float(mean + half))

    def difference(self, met: np.ndarray, count_sum: np.ndarray, beats: np.ndarray,
                   diff_sq: np.ndarray, n: int, a: int, b: int,
                   level: float = 0.95) -> PairedDifference:
        """The paired difference of the objective, set ``a`` minus set ``b``, on the same
        paths: Newcombe and McNemar for a probability, a normal interval and z-test for the
        expected number."""
        col = self.column()
        if col is not None:
            return paired_difference(int(met[a, col]), int(met[b, col]), int(beats[a, b, col]),
                                     int(beats[b, a, col]), n, level)
        d = (count_sum[a] - count_sum[b]) / n
        var = max(0.0, (diff_sq[a, b] / n - d ** 2) * n / max(n - 1, 1))
        se = math.sqrt(var / n)
        half = stats.norm.ppf(0.5 + level / 2) * se
        p = 1.0 if se == 0 else float(2 * stats.norm.sf(abs(d) / se))
        return PairedDifference(n, count_sum[a] / n, count_sum[b] / n, 0, 0, float(d),
                                float(d - half), float(d + half), p, level, "normal")


def objective(scenario: Scenario, kind: str = "all", targets: Sequence[str] | None = None,
              require: Mapping[str, float] | None = None) -> Objective:
    """The objective over ``scenario``'s targets, checked.

    Parameters
    ----------
    kind : str
        ``all`` or ``expected`` (a ``targets`` subset makes it ``subset``).
    targets : sequence of str, optional
        Target ids whose joint attainment is maximised.
    require : mapping, optional
        Target id -> least probability in (0, 1) it must keep.

    Raises
    ------
    ArgumentError
        An unknown kind (``objective``), target (``targets``, ``require``) or a probability
        outside (0, 1) (``require``).
    """
    ids = [t.id for t in scenario.targets]

    def index(argument: str, tid: str) -> int:
        if tid not in ids:
            raise ArgumentError(argument, f"no target '{tid}'; targets: {', '.join(ids)}",
                                value=tid)
        return ids.index(tid)

    if kind not in ("all", "expected"):
        raise ArgumentError("objective", "allowed: all, expected (or name the targets of a subset)",
                            value=kind)
    subset = tuple(index("targets", t) for t in (targets or ()))
    if subset and kind == "expected":
        raise ArgumentError("targets", "a subset is maximised jointly; it does not go with the "
                            "expected number of targets")
    if len(set(subset)) < len(subset):
        raise ArgumentError("targets", "a target is named twice", value=",".join(targets))
    req = []
    for tid, r in (require or {}).items():
        if not 0.0 < float(r) < 1.0:
            raise ArgumentError("require", "the least probability must be in (0, 1)",
                                value=f"{tid}>={r}")
        req.append((index("require", tid), float(r)))
    return Objective("subset" if subset else kind, subset, tuple(req), tuple(ids))
