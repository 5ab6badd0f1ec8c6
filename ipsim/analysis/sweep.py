"""Attainment at every point of a policy sweep, and the best point against the runner-up.

Every feasible point of a sweep runs on the same paths (common random numbers, chunk by
chunk: :mod:`ipsim.study.sweep`), so each point's :class:`~ipsim.analysis.attainment.Tally` carries
``beats``: for every other point and every column, the paths where this point meets it and
the other does not. Any two points are therefore compared on a paired basis
(:mod:`ipsim.analysis.paired`, as ``ipsim compare`` compares variants), in particular the
best point (highest probability of meeting all targets at once) with the runner-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ipsim.analysis.attainment import Proportion, Tally, proportion
from ipsim.analysis.compare import same_model
from ipsim.analysis.paired import PairedDifference, paired_difference
from ipsim.scenario.params import Point

__all__ = ["PointResult", "SweepSummary", "summarise"]


@dataclass(frozen=True)
class PointResult:
    """One point: its attainment per column (targets, then all at once) and the release of
    the conditional tranche; None for an infeasible point."""

    point: Point
    columns: tuple[Proportion, ...] | None
    released: Proportion | None
    tally: Tally | None
    slot: int | None  # position among the feasible points (the rows of ``Tally.beats``)


@dataclass(frozen=True)
class SweepSummary:
    """Every point of a sweep and the best one for all targets at once."""

    points: tuple[PointResult, ...]
    best: int | None          # point index
    runner_up: int | None
    diff: PairedDifference | None  # best minus runner-up, all targets, paired
    level: float
    method: str

    def paired(self, a: int, b: int, column: int = -1) -> PairedDifference:
        """Point ``a`` minus point ``b`` (indices) in ``column`` (default all targets), paired
        on the same paths."""
        pa, pb = self.points[a], self.points[b]
        if pa.tally is None or pb.tally is None:
            raise ValueError("an infeasible point has no attainment")
        if pa.tally.beats is None or pb.tally.beats is None:
            raise ValueError("the sweep kept no pairwise counts (one feasible point)")
        return paired_difference(int(pa.tally.met[column]), int(pb.tally.met[column]),
                                 int(pa.tally.beats[pb.slot, column]),
                                 int(pb.tally.beats[pa.slot, column]), pa.tally.n,
                                 self.level, self.method,
                                 exact=same_model(pa.point.scenario, pb.point.scenario))


def summarise(points: Sequence[Point], tallies: Sequence[Tally], level: float = 0.95,
              method: str = "newcombe") -> SweepSummary:
    """Wilson intervals at every feasible point, and the paired best-versus-runner-up.

    Parameters
    ----------
    points : sequence of Point
        Every point of the sweep, feasible or not, in order.
    tallies : sequence of Tally
        One per feasible point, in order, from one run on common random numbers.
    level : float
        Confidence level of every interval, in (0, 1).
    method : str
        Paired interval method (:data:`ipsim.analysis.paired.METHODS`).
    """
    feasible = [p for p in points if p.feasible]
    if len(tallies) != len(feasible):
        raise ValueError(f"{len(tallies)} tallies for {len(feasible)} feasible points")
    by_index = {p.index: (slot, t) for slot, (p, t) in enumerate(zip(feasible, tallies,
                                                                     strict=True))}
    results = []
    for p in points:
        if p.index not in by_index:
            results.append(PointResult(p, None, None, None, None))
            continue
        slot, t = by_index[p.index]
        results.append(PointResult(p, tuple(proportion(int(k), t.n, level) for k in t.met),
                                   proportion(t.released, t.n, level), t, slot))
    order = sorted(by_index, key=lambda i: (-int(by_index[i][1].met[-1]), i))
    summary = SweepSummary(tuple(results), order[0] if order else None,
                           order[1] if len(order) > 1 else None, None, level, method)
    if summary.runner_up is None:
        return summary
    return SweepSummary(summary.points, summary.best, summary.runner_up,
                        summary.paired(summary.best, summary.runner_up), level, method)
