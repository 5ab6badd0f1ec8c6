"""Many policies of one scenario on common random numbers: counts per policy, resumably.

The optimiser (:mod:`ipsim.study.optimise`) and the goal seek (:mod:`ipsim.study.goal`)
evaluate many policies that differ only in their allocation shares, fast-track share or
budget. Each policy is a *set*: a row of values for the varied key paths. Sets are laid
along the path axis (:func:`ipsim.engines.batch.simulate_policies`), every one on the random
numbers of the same paths, so a set's counts are a deterministic function of its values
(and bit for bit what an ordinary run of that policy gives on those paths).

Tasks are (a group of sets) x (a chunk of blocks of paths), each at most :data:`TASK_PATHS`
paths, run through :mod:`ipsim.runtime.execution` (this process, a local pool or Dask) and
reduced in task order; a task's result is a function of its content alone, so every backend
and number of workers gives the same numbers. Each finished task is stored in the job's
:class:`~ipsim.runtime.taskcache.TaskCache` as a mapping of names to integer numpy arrays
(data only), keyed by the job's context and the task's values and chunk: an interrupted job
run again with the same arguments takes the finished tasks from the cache.

A task returns, per set, integer counts over its paths: ``met`` (paths meeting each column:
every target, all of them, and the objective's subset when there is one), ``released``
(mid-term gate open), ``count_sum`` and ``count_sq`` (sums of the number of targets met per
path and of its square) and, for a *paired* evaluation (every set in one group), ``beats``
(``[a, b, j]``: paths where set ``a`` meets column ``j`` and set ``b`` does not) and
``diff_sq`` (``[a, b]``: sum over paths of the squared difference of their numbers met).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import ipsim
from ipsim.analysis.attainment import attainment_matrix
from ipsim.engines.batch import batchable, simulate_policies
from ipsim.engines.streams import BLOCK
from ipsim.runtime import execution
from ipsim.runtime.taskcache import TaskCache
from ipsim.scenario.params import Scenario

__all__ = ["Counts", "evaluate_sets", "TASK_PATHS", "context"]

TASK_PATHS = 65_536
"""Most paths one task simulates (sets x chunk paths): bounds a worker's memory."""


@dataclass
class Counts:
    """Counts of every set over ``n`` paths (see the module docstring); arrays of int64."""

    n: int
    met: np.ndarray              # (sets, columns)
    released: np.ndarray         # (sets,)
    count_sum: np.ndarray        # (sets,)
    count_sq: np.ndarray         # (sets,)
    beats: np.ndarray | None = None     # (sets, sets, columns)
    diff_sq: np.ndarray | None = None   # (sets, sets)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """The counts as a mapping of names to arrays (what the task cache stores)."""
        out = {"n": np.array(self.n), "met": self.met, "released": self.released,
               "count_sum": self.count_sum, "count_sq": self.count_sq}
        if self.beats is not None:
            out.update(beats=self.beats, diff_sq=self.diff_sq)
        return out

    @classmethod
    def of(cls, arrays) -> Counts:
        """Counts from :meth:`as_arrays`'s mapping (as read back from the cache)."""
        a = {k: np.asarray(arrays[k]) for k in arrays}
        return cls(int(a["n"]), a["met"], a["released"], a["count_sum"], a["count_sq"],
                   a.get("beats"), a.get("diff_sq"))

    def __add__(self, other: Counts) -> Counts:
        paired = self.beats is not None and other.beats is not None
        return Counts(self.n + other.n, self.met + other.met, self.released + other.released,
                      self.count_sum + other.count_sum, self.count_sq + other.count_sq,
                      self.beats + other.beats if paired else None,
                      self.diff_sq + other.diff_sq if paired else None)

    @staticmethod
    def concatenate(parts: Sequence[Counts]) -> Counts:
        """The counts of disjoint groups of sets on the same paths, sets in order."""
        if len(parts) == 1:
            return parts[0]
        return Counts(parts[0].n, *(np.concatenate([getattr(p, f) for p in parts])
                                    for f in ("met", "released", "count_sum", "count_sq")))


def _columns(scenario: Scenario, ip, subset: tuple[int, ...]) -> np.ndarray:
    """(paths, targets + 1 [+ 1]) bool: each target, all of them [, all of ``subset``]."""
    met = attainment_matrix(scenario.targets, ip)
    if not subset:
        return met
    return np.column_stack([met, met[:, list(subset)].all(axis=1)])


def _task(task) -> dict[str, np.ndarray]:
    scenario, keys, values, subset, seed, paths, first_block, n_blocks, paired = task
    sets = len(values)
    # a scenario that is not batchable simulates its sets one engine call each
    calls = [values] if batchable(scenario) else [values[i:i + 1] for i in range(sets)]
    cols, released = [], []
    for part in calls:
        ip = simulate_policies(scenario, {k: part[:, j] for j, k in enumerate(keys)}, seed,
                               paths, first_block, n_blocks)
        cols.append(_columns(scenario, ip, subset))
        released.append(ip.released)
    m = sum(len(c) for c in cols) // sets
    cols = np.concatenate(cols).reshape(sets, m, -1)
    number = cols[:, :, :len(scenario.targets)].sum(axis=2, dtype=np.int64)   # (sets, m)
    out = Counts(m, cols.sum(axis=1, dtype=np.int64),
                 np.concatenate(released).reshape(sets, m).sum(axis=1, dtype=np.int64),
                 number.sum(axis=1), (number ** 2).sum(axis=1))
    if paired:
        out.beats = np.stack([np.count_nonzero(cols[a] & ~cols, axis=1)
                              for a in range(sets)]).astype(np.int64)
        d = number[:, None, :] - number[None, :, :]
        out.diff_sq = (d ** 2).sum(axis=2)
    return out.as_arrays()


def context(scenario: Scenario, job: str, keys: Sequence[str], subset: Sequence[int],
            seed: int, paths: int) -> dict:
    """What every task result of a job depends on besides its sets and chunk."""
    return {"job": job, "scenario_sha256": scenario.sha256, "keys": list(keys),
            "subset": list(subset), "seed": seed, "paths": paths, "block": BLOCK,
            "ipsim_version": ipsim.__version__, "numpy_version": np.__version__}


def _plan(sets: int, paths: int, paired: bool, together: bool) -> tuple[int, int]:
    """Sets per group and blocks per chunk."""
    blocks = -(-paths // BLOCK)
    if paired:   # every set in one group: chunks small enough to hold them all
        return sets, max(1, min(blocks, TASK_PATHS // (BLOCK * sets)))
    per_chunk = min(blocks, max(1, TASK_PATHS // BLOCK))
    if not together:
        return 1, per_chunk
    return max(1, TASK_PATHS // (per_chunk * BLOCK)), per_chunk


def evaluate_sets(scenario: Scenario, keys: Sequence[str], values: np.ndarray, seed: int,
                  paths: int, *, subset: Sequence[int] = (), paired: bool = False,
                  workers: int = 1, dask=None, cache: TaskCache | None = None,
                  reuse: bool = True, progress: Callable[[int], None] | None = None
                  ) -> Counts:
    """Counts of every set of policy values on the same ``paths`` paths.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its other settings are kept.
    keys : sequence of str
        The varied key paths (:data:`ipsim.engines.batch.POLICY_KEYS`).
    values : numpy.ndarray
        (sets, len(keys)) values; each row must be a valid policy (checked by the caller).
    seed, paths : int
        The paths: ``0 .. paths - 1`` of an ordinary run with ``seed``.
    subset : sequence of int
        Target indices of an extra column "all of these met" (empty: none).
    paired : bool
        Also count ``beats`` and ``diff_sq`` between every two sets (all sets share each
        task, so the chunks are smaller).
    workers, dask
        Where the tasks run (:func:`ipsim.runtime.execution.imap`).
    cache : TaskCache, optional
        Finished tasks are taken from (``reuse``) and stored in it.
    progress : callable, optional
        Called with the paths x sets of each finished task (reused ones too).
    """
    values = np.asarray(values, dtype=float).reshape(len(values), len(keys))
    together = batchable(scenario)
    group, per_chunk = _plan(len(values), paths, paired, together)
    blocks = -(-paths // BLOCK)
    chunks = [(b, min(per_chunk, blocks - b)) for b in range(0, blocks, per_chunk)]
    groups = [(g, min(g + group, len(values))) for g in range(0, len(values), group)]
    specs = [(gi, ci) for gi in range(len(groups)) for ci in range(len(chunks))]

    def task_paths(ci: int) -> int:
        b, n = chunks[ci]
        return min(n * BLOCK, paths - b * BLOCK)

    def key(gi: int, ci: int) -> dict:
        lo, hi = groups[gi]
        return {"values": values[lo:hi].tolist(), "first_block": chunks[ci][0],
                "n_blocks": chunks[ci][1], "paired": paired}

    done: dict[int, Counts] = {}
    if cache is not None and reuse:
        for i, (gi, ci) in enumerate(specs):
            if (hit := cache.get(key(gi, ci))) is not None:
                done[i] = Counts.of(hit)
                if progress:
                    progress(task_paths(ci) * (groups[gi][1] - groups[gi][0]))
    todo = [i for i in range(len(specs)) if i not in done]
    tasks = [(scenario, tuple(keys), values[slice(*groups[specs[i][0]])], tuple(subset), seed,
              paths, *chunks[specs[i][1]], paired) for i in todo]
    with contextlib.closing(execution.imap(_task, tasks, workers=workers, dask=dask)) as it:
        for j, arrays in it:
            i = todo[j]
            done[i] = Counts.of(arrays)
            if cache is not None:
                cache.put(key(*specs[i]), arrays)
            if progress:
                gi, ci = specs[i]
                progress(task_paths(ci) * (groups[gi][1] - groups[gi][0]))
    per_group = []
    for gi in range(len(groups)):
        parts = [done[i] for i, (g, _) in enumerate(specs) if g == gi]
        total = parts[0]
        for part in parts[1:]:    # in chunk order
            total = total + part
        per_group.append(total)
    return Counts.concatenate(per_group)
