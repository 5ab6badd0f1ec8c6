"""Run every point of a policy sweep on common random numbers, resumably, locally or on Dask.

Task granularity: **one task = one chunk of paths x every feasible point**. Inside a task
:func:`ipsim.study.pipeline.simulate_chunk` simulates each point on the same paths, so

* every point sees the same random numbers path by path (the seed is the run's, the streams
  belong to the blocks of the chunk: :mod:`ipsim.engines.streams`), and the task's result is
  a function of its content alone: bit-identical on any worker, local or on a Dask cluster;
* the task also counts, for every pair of points, the paths where one meets a target and the
  other does not (``Tally.beats``), so any two points, in particular the best and the
  runner-up, are compared on a paired basis;
* parallelism and resumption come from the chunks: the default chunk is small
  (:data:`SWEEP_CHUNK_PATHS`) so that a sweep has enough tasks for the workers and an
  interruption loses little.

(The alternative, one task per point and chunk, parallelises over points too but loses the
pairwise counts; with 20 points and 100,000 paths the chunks alone give 13 tasks.)

Each finished task's tallies are stored at once in a :class:`ipsim.runtime.taskcache.TaskCache`
(in the caller's process: Dask workers need no shared disk), keyed by the scenario's
SHA-256, every point's overrides, the seed, the paths, the engine, the chunk and the ipsim and
numpy versions; a re-run with the same arguments reuses them. The tallies are stored as
arrays (:func:`tallies_to_arrays`); an entry that fails the cache's checks, or whose counts
do not fit its task (the number of points, targets or paths), is run again and counted in
:attr:`SweepRun.rejected`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import ipsim
from ipsim.analysis.attainment import Tally, half_width
from ipsim.errors import UsageError
from ipsim.runtime import execution, resources
from ipsim.runtime.taskcache import TaskCache
from ipsim.scenario.params import Lever, Point, Scenario
from ipsim.study import pipeline

__all__ = ["SweepRun", "run_sweep", "SWEEP_CHUNK_PATHS", "cache_context", "tallies_to_arrays",
           "tallies_from_arrays"]

SWEEP_CHUNK_PATHS = {"vectorised": 2 * pipeline.ENGINE_BLOCK["vectorised"],
                     "des": pipeline.ENGINE_CHUNK_PATHS["des"]}
"""Engine -> default paths per task of a sweep (smaller than a run's: each task simulates
every point, and small tasks spread better over workers and lose less when interrupted)."""


@dataclass
class SweepRun:
    """What :func:`run_sweep` returns: the points and a tally per feasible point."""

    base: Scenario
    levers: tuple[Lever, ...]
    balance: tuple[str, ...]
    points: list[Point]
    tallies: list[Tally]        # one per feasible point, in point order
    seed: int
    paths: int
    engine: str
    workers: int
    chunk_paths: int
    backend: str                # "local" or "dask"
    tasks: int
    reused: int                 # tasks taken from the cache
    elapsed_s: float
    precision: float | None = None   # the half-width asked for, if the sweep stopped at one
    reached: float | None = None     # the largest half-width reached (with ``precision``)
    max_paths: int | None = None     # the cap on paths (with ``precision``)
    rejected: tuple[Path, ...] = ()  # cache entries not trusted (damaged, altered): rerun


def _task(task) -> list[Tally]:
    """One chunk of paths for every feasible point: the tallies only (cached, sent back)."""
    return [tally for tally, _, _ in pipeline.simulate_chunk(task)]


def tallies_to_arrays(tallies: Sequence[Tally]) -> dict[str, np.ndarray]:
    """One task's tallies (one per point) as arrays, for the task cache."""
    out = {"n": np.array([t.n for t in tallies], np.int64),
           "met": np.stack([t.met for t in tallies]).astype(np.int64),
           "released": np.array([t.released for t in tallies], np.int64),
           "gained": np.stack([t.gained for t in tallies]).astype(np.int64),
           "lost": np.stack([t.lost for t in tallies]).astype(np.int64)}
    if all(t.beats is not None for t in tallies):
        out["beats"] = np.stack([t.beats for t in tallies]).astype(np.int64)
    return out


def tallies_from_arrays(arrays: dict[str, np.ndarray], points: int, columns: int,
                        paths: int) -> list[Tally] | None:
    """The tallies of :func:`tallies_to_arrays`, or None unless they are counts that fit a
    task of ``points`` points, ``columns`` attainment columns and ``paths`` paths."""
    shapes = {"n": (points,), "released": (points,), "met": (points, columns),
              "gained": (points, columns), "lost": (points, columns)}
    if points > 1:
        shapes["beats"] = (points, points, columns)
    if set(arrays) != set(shapes) or any(arrays[k].shape != s or arrays[k].dtype.kind != "i"
                                         for k, s in shapes.items()):
        return None
    a = arrays
    if (a["n"] != paths).any() or any(((a[k] < 0) | (a[k] > paths)).any() for k in shapes):
        return None
    return [Tally(int(a["n"][i]), a["met"][i], int(a["released"][i]), a["gained"][i],
                  a["lost"][i], a["beats"][i] if "beats" in a else None)
            for i in range(points)]


def cache_context(base: Scenario, points: Sequence[Point], seed: int, paths: int,
                  engine: str) -> dict:
    """What every task result of a sweep depends on besides its chunk."""
    return {"job": "sweep", "scenario_sha256": base.sha256, "seed": seed, "paths": paths,
            "engine": engine, "ipsim_version": ipsim.__version__,
            "numpy_version": np.__version__,
            "points": [sorted(p.overrides.items()) for p in points if p.feasible]}


def run_sweep(base: Scenario, levers: Sequence[Lever], points: Sequence[Point], paths: int,
              seed: int, *, balance: Sequence[str] = (), workers: int = 1,
              chunk_paths: int | None = None, engine: str = "vectorised",
              cache: Path | str | None = None, reuse: bool = True,
              progress: Callable[[int], None] | None = None, dask=None,
              precision: float | None = None) -> SweepRun:
    """Simulate every feasible point on the same ``paths`` paths.

    Parameters
    ----------
    base : Scenario
        The scenario swept (for provenance and the cache key).
    levers, points : sequence
        From :func:`ipsim.scenario.points.load_points`.
    paths : int
        Monte Carlo paths per point, >= 1.
    seed : int
        Seed shared by every point, >= 0.
    balance : sequence of str
        The balancing allocation shares (recorded only; already applied in ``points``).
    workers : int
        Local processes (1 = this process); ignored with ``dask``.
    chunk_paths : int, optional
        Paths per task (default :data:`SWEEP_CHUNK_PATHS`); changes the tasks, never the
        results.
    engine : str
        A key of :data:`ipsim.study.pipeline.ENGINES`.
    cache : path, optional
        Folder of the task cache (None: no cache).
    reuse : bool
        Take finished tasks from the cache (False: run them all, still storing each).
    progress : callable, optional
        Called with the paths x points of each task as it completes (reused tasks first).
    dask : str or distributed.Client, optional
        Run the tasks on this Dask cluster.
    precision : float, optional
        Stop at the first chunk boundary where every feasible point's reported probabilities
        have a 95 % half-width of at most this; ``paths`` is then a cap (as
        :func:`ipsim.study.pipeline.run`).

    Raises
    ------
    UsageError
        Every point is infeasible, or bad arguments (:func:`ipsim.study.pipeline.plan`).
    """
    t0 = time.perf_counter()
    feasible = [p for p in points if p.feasible]
    if not feasible:
        raise UsageError(f"every point is infeasible, e.g. {points[0].infeasible}")
    scenarios = tuple(p.scenario for p in feasible)
    chunk_paths = SWEEP_CHUNK_PATHS.get(engine) if chunk_paths is None else chunk_paths
    # A task holds one point's paths at a time (plus a boolean matrix per point): check the
    # memory of one scenario, and the time of all of them.
    longest = max(scenarios, key=lambda s: s.horizon_months)
    chunks, chunk_paths = pipeline.plan([longest], paths, seed, workers=workers,
                                        chunk_paths=chunk_paths, keep_paths=0, engine=engine)
    resources.check(resources.estimate(paths * len(scenarios), longest.horizon_months, 1,
                                       workers, chunk_paths, 0, engine), paths)
    store = None if cache is None else TaskCache(cache, cache_context(base, points, seed,
                                                                      paths, engine))
    keys = [{"first_block": b, "n_blocks": n} for b, n in chunks]
    done: dict[int, list[Tally]] = {}
    columns = len(base.targets) + 1
    rejected: list[Path] = []
    if store is not None and reuse:
        for i, key in enumerate(keys):
            n = pipeline.paths_in(engine, paths, *chunks[i])
            if (hit := store.get(key)) is None:
                continue
            if (tallies := tallies_from_arrays(hit, len(scenarios), columns, n)) is None:
                store.reused -= 1
                rejected.append(store.folder / f"{store.key(key)}.npz")
                continue
            done[i] = tallies
            if progress:
                progress(n * len(scenarios))
        rejected += store.rejected
    reused = len(done)
    step = len(chunks) if precision is None else max(1, 2 * workers)
    totals: list[Tally] = []
    used, achieved = 0, None
    for start in range(0, len(chunks), step):     # rounds of chunks, judged in chunk order
        batch = range(start, min(start + step, len(chunks)))
        _compute([i for i in batch if i not in done], chunks, done, (scenarios, engine, seed,
                 paths), store, keys, workers, dask, progress)
        for i in batch:
            totals = list(done[i]) if not totals else \
                [a + b for a, b in zip(totals, done[i], strict=True)]
            used = pipeline.paths_in(engine, paths, 0, chunks[i][0] + chunks[i][1])
            if precision is not None:
                achieved = max(half_width(tally) for tally in totals)
                if achieved <= precision:
                    break
        if precision is not None and achieved <= precision:
            break
    return SweepRun(base, tuple(levers), tuple(balance), list(points), totals, seed, used,
                    engine, workers, chunk_paths, "local" if dask is None else "dask",
                    len(chunks), reused, time.perf_counter() - t0, precision, achieved,
                    paths if precision is not None else None, tuple(rejected))


def _compute(todo: list[int], chunks, done: dict, job: tuple, store, keys, workers: int, dask,
             progress) -> None:
    """Run the chunks ``todo`` of a sweep, storing each in ``done`` and the cache."""
    scenarios, engine, seed, paths = job
    tasks = [(scenarios, engine, seed, paths, *chunks[i], 0) for i in todo]
    with contextlib.closing(execution.imap(_task, tasks, workers=workers, dask=dask)) as it:
        for j, tallies in it:
            i = todo[j]
            done[i] = tallies
            if store is not None:
                store.put(keys[i], tallies_to_arrays(tallies))
            if progress:
                progress(pipeline.paths_in(engine, paths, *chunks[i]) * len(scenarios))
