"""Run scenarios over many paths: chunks, workers, and the reduction to counts.

Paths are split into chunks of whole random-number blocks; each chunk simulates every
scenario of the run (a base and its variants) on the same paths, evaluates the targets and
returns only counts, per-block sums and, for the first ``keep_paths`` paths, the paths
themselves (for quantiles and plots). Memory is therefore bounded by the chunk size and
``keep_paths``, whatever the number of paths, and the result is bit-identical for any
number of workers and any chunk size: random numbers belong to blocks, counts are integers,
and sums are taken per block and added in block order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ipsim.analysis.attainment import Tally, attainment_matrix, beats, half_width
from ipsim.engines import des, streams, vectorised
from ipsim.errors import ArgumentError
from ipsim.model import registry
from ipsim.model.paths import IndicatorPaths
from ipsim.runtime import execution, resources
from ipsim.scenario.params import Scenario

__all__ = ["RunResult", "run", "plan", "paths_in", "simulate_chunk", "ENGINES", "ENGINE_BLOCK",
           "ENGINE_CHUNK_PATHS", "DEFAULT_CHUNK_PATHS", "DEFAULT_KEEP_PATHS"]

ENGINES: dict[str, Callable[..., IndicatorPaths]] = {"vectorised": vectorised.simulate,
                                                     "des": des.simulate}
"""Engine name -> ``simulate(scenario, seed, paths, first_block, n_blocks)``."""

ENGINE_BLOCK: dict[str, int] = {"vectorised": streams.BLOCK, "des": des.BLOCK}
"""Engine name -> paths per block, the unit of its chunks (and of the per-block sums)."""

DEFAULT_CHUNK_PATHS = 2 * streams.BLOCK
"""Paths per chunk of the vectorised engine: 8,192 (a worker's memory grows by about 4.4 KiB a
path of its chunk; 16,384 and 32,768 cost no less CPU a path and two and four times the
memory, 4,096 about 10 % more CPU: ``bench/README.md``)."""
ENGINE_CHUNK_PATHS: dict[str, int] = {"vectorised": DEFAULT_CHUNK_PATHS,
                                      "des": des.CHUNK_PATHS}
"""Engine name -> default paths per chunk (the DES's are small so that progress shows)."""
DEFAULT_KEEP_PATHS = 100_000


@dataclass
class ScenarioResult:
    """What a run keeps of one scenario."""

    scenario: Scenario
    tally: Tally
    block_sums: list[np.ndarray] = field(default_factory=list)  # (indicators, years+1) each
    keep: int = 0                                # room for the first ``keep`` paths
    kept: IndicatorPaths | None = None           # filled chunk by chunk (:meth:`add_kept`)
    kept_n: int = 0

    def add_kept(self, part: IndicatorPaths, start: int) -> None:
        """Copy kept paths ``start .. start + part.n - 1`` into place, as their chunk arrives
        (one array per quantity for the whole run: neither the chunks' parts nor a copy of
        them all are held); :func:`run` sets :attr:`kept_n` to the paths used."""
        if self.kept is None:
            self.kept = IndicatorPaths.allocate(part, self.keep)
        self.kept.put(start, part)

    def means(self) -> dict[str, np.ndarray]:
        """Mean of every indicator by year over all paths: name -> (years + 1,)."""
        total = np.sum(np.stack(self.block_sums), axis=0) / self.tally.n
        return dict(zip(registry.indicators(), total, strict=True))

    def paths(self) -> IndicatorPaths:
        """The kept paths (the first ``keep_paths`` of the run)."""
        if not self.kept_n:
            raise ValueError("no paths were kept (keep_paths=0)")
        return self.kept if self.kept_n == self.kept.n else self.kept.take(slice(0, self.kept_n))


@dataclass
class RunResult:
    """The result of :func:`run`: one :class:`ScenarioResult` per scenario, base first."""

    results: list[ScenarioResult]
    seed: int
    paths: int
    engine: str
    workers: int
    chunk_paths: int
    elapsed_s: float
    precision: float | None = None      # the half-width asked for, if the run stopped at one
    reached: float | None = None        # the half-width reached (with ``precision``)
    max_paths: int | None = None        # the cap on paths (with ``precision``)

    @property
    def base(self) -> ScenarioResult:
        return self.results[0]


def simulate_chunk(task) -> list[tuple[Tally, list[np.ndarray], IndicatorPaths | None]]:
    """Simulate every scenario of ``task`` on one chunk of paths.

    ``task`` is ``(scenarios, engine, seed, paths, first_block, n_blocks, keep_paths)``;
    returns per scenario its :class:`Tally` (with ``beats`` when there are several), the
    per-block sums of every indicator and the kept paths (or None).
    """
    scenarios, engine, seed, paths, first_block, n_blocks, keep_paths = task
    simulate, block = ENGINES[engine], ENGINE_BLOCK[engine]
    out, matrices = [], []
    for scenario in scenarios:
        ip = simulate(scenario, seed, paths, first_block, n_blocks)
        matrix = attainment_matrix(scenario.targets, ip)
        matrices.append(matrix)
        tally = Tally.of(matrix, ip.released, matrices[0])
        stacked = np.stack(list(ip.yearly.values()), axis=1)      # (paths, indicators, years+1)
        sums = [stacked[i:i + block].sum(axis=0) for i in range(0, ip.n, block)]
        first_path = first_block * block
        kept = ip.take(slice(0, max(0, keep_paths - first_path))) \
            if first_path < keep_paths else None
        out.append((tally, sums, kept))
    if len(scenarios) > 1:  # pairwise discordance of every column, for paired comparisons
        for (tally, _, _), matrix in zip(out, matrices, strict=True):
            tally.beats = beats(matrix, matrices)
    return out


def paths_in(engine: str, paths: int, first_block: int, n_blocks: int) -> int:
    """Paths of the chunk of ``n_blocks`` blocks from ``first_block`` in a run of ``paths``."""
    block = ENGINE_BLOCK[engine]
    return min(n_blocks * block, paths - first_block * block)


def plan(scenarios: Sequence[Scenario], paths: int, seed: int, *, workers: int = 1,
         chunk_paths: int | None = None, keep_paths: int = DEFAULT_KEEP_PATHS,
         engine: str = "vectorised") -> tuple[list[tuple[int, int]], int]:
    """Check a run's arguments and split its paths into chunks.

    Returns
    -------
    chunks : list of (int, int)
        ``(first_block, n_blocks)`` of every chunk, in block order.
    chunk_paths : int
        Paths per chunk after rounding up to whole blocks of the engine.

    Raises
    ------
    UsageError
        As :func:`run` (bad arguments, or a run estimated to be too long or too large).
    """
    if engine not in ENGINES:
        raise ArgumentError("engine", f"unknown engine '{engine}'; allowed: {', '.join(ENGINES)}")
    if paths < 1:
        raise ArgumentError("paths", f"must be >= 1, got {paths}")
    chunk_paths = ENGINE_CHUNK_PATHS[engine] if chunk_paths is None else chunk_paths
    for name, value, least in (("workers", workers, 1), ("seed", seed, 0),
                               ("chunk_paths", chunk_paths, 1)):
        if value < least:
            raise ArgumentError(name, f"must be >= {least}, got {value}")
    block = ENGINE_BLOCK[engine]
    blocks = -(-paths // block)
    per_chunk = max(1, -(-chunk_paths // block))
    resources.check(resources.estimate(paths, max(s.horizon_months for s in scenarios),
                                       len(scenarios), workers, per_chunk * block,
                                       keep_paths, engine), paths)
    return ([(b, min(per_chunk, blocks - b)) for b in range(0, blocks, per_chunk)],
            per_chunk * block)


def run(scenarios: Sequence[Scenario], paths: int, seed: int, *, workers: int = 1,
        chunk_paths: int | None = None, keep_paths: int = DEFAULT_KEEP_PATHS,
        engine: str = "vectorised", progress: Callable[[int], None] | None = None,
        dask=None, precision: float | None = None,
        reached: Callable[[list[Tally]], float] | None = None) -> RunResult:
    """Simulate ``scenarios`` (a base, then variants) on the same ``paths`` paths.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The base first; every scenario runs on the same random numbers.
    paths : int
        Number of Monte Carlo paths, >= 1 (with ``precision``: the most to run).
    seed : int
        Seed of the run, >= 0.
    workers : int
        Processes to run chunks in (1 = in this process).
    chunk_paths : int, optional
        Paths per chunk, rounded up to whole blocks of the engine (:data:`ENGINE_BLOCK`);
        default :data:`ENGINE_CHUNK_PATHS` of the engine.
    keep_paths : int
        How many of the first paths to keep whole (for quantiles and plots).
    engine : str
        A key of :data:`ENGINES`.
    progress : callable, optional
        Called with the number of paths of each chunk as it completes.
    dask : str or distributed.Client, optional
        Run the chunks on this Dask cluster (:mod:`ipsim.runtime.execution`); same results.
    precision : float, optional
        Stop at the first chunk boundary where ``reached(tallies)`` is at most this
        (probability units: 0.005 is 0.5 percentage points); ``paths`` is then a cap. The
        chunks are judged in order, so the result is bit-identical to a run of the paths
        used, whatever the number of workers (:func:`stopped_paths`).
    reached : callable, optional
        The precision of the counts so far: ``reached(tallies) -> float``, the largest 95 %
        half-width of what is reported (default :func:`ipsim.analysis.attainment.
        half_width` of the base).

    Raises
    ------
    ArgumentError
        Bad arguments, or a run estimated to take longer than
        :data:`ipsim.runtime.resources.MAX_HOURS` or more memory than the machine can spare
        (checked before anything starts).
    ModelError
        A mechanism produced NaN or a negative value; the workers are stopped.
    KeyboardInterrupt
        Also :class:`ipsim.cli.Terminated` or any other exception raised while waiting:
        the workers are terminated and reaped before it propagates.
    """
    t0 = time.perf_counter()
    if precision is not None and not 0 < precision < 0.5:
        raise ArgumentError("precision", f"must be in (0, 0.5) (a half-width in probability "
                            f"units, 0.005 = 0.5 percentage points), got {precision}")
    chunks, chunk_paths = plan(scenarios, paths, seed, workers=workers, chunk_paths=chunk_paths,
                               keep_paths=keep_paths, engine=engine)
    tasks = [(tuple(scenarios), engine, seed, paths, b, n, keep_paths) for b, n in chunks]
    results = [ScenarioResult(s, Tally(0, 0, 0, 0, 0), keep=min(keep_paths, paths))
               for s in scenarios]
    measure = reached or (lambda tallies: half_width(tallies[0]))
    used, achieved, stopped = 0, None, False
    step = len(tasks) if precision is None else max(1, 2 * workers)
    for start in range(0, len(tasks), step):      # rounds of chunks, judged in chunk order
        if stopped:
            break
        batch = range(start, min(start + step, len(tasks)))

        def done(i: int, batch=batch) -> None:
            if progress:
                progress(paths_in(engine, paths, *chunks[batch[i]]))

        def arrived(i: int, chunk, batch=batch):    # kept paths into place at once
            first_path = chunks[batch[i]][0] * ENGINE_BLOCK[engine]
            for result, (_, _, kept) in zip(results, chunk, strict=True):
                if kept is not None and kept.n:
                    result.add_kept(kept, first_path)
            return [(tally, sums) for tally, sums, _ in chunk]

        outputs = execution.map_ordered(simulate_chunk, [tasks[i] for i in batch],
                                        workers=workers, dask=dask, progress=done,
                                        arrived=arrived)
        for i, chunk in zip(batch, outputs, strict=True):  # block sums in block order
            _add(results, chunk)
            used = paths_in(engine, paths, 0, chunks[i][0] + chunks[i][1])
            if precision is not None:
                achieved = measure([r.tally for r in results])
                if achieved <= precision:   # later chunks of the round are not used
                    stopped = True
                    break
    for result in results:
        result.kept_n = min(result.keep, used) if result.kept is not None else 0
    return RunResult(results, seed, used, engine, workers, chunk_paths,
                     time.perf_counter() - t0, precision=precision, reached=achieved,
                     max_paths=paths if precision is not None else None)


def _add(results: list[ScenarioResult], chunk) -> None:
    """Add one chunk's tallies and block sums to every scenario's result, in chunk order."""
    for result, (tally, sums) in zip(results, chunk, strict=True):
        result.tally = tally if result.tally.n == 0 else result.tally + tally
        result.block_sums.extend(sums)
