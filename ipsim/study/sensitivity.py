"""Which uncertain parameter drives attainment: Sobol' indices, Morris screening, tornado.

The uncertain parameters of a scenario (:meth:`Scenario.uncertain`) are the inputs. A point
``u`` of the unit hypercube fixes each of them to ``F^{-1}(u)`` of its distribution (clipped
to the parameter's range); such a parameter set is simulated on ``paths`` paths with the
same seed as every other set (common random numbers), and its outputs are the fraction of
those paths meeting each target and all of them at once. Sets are grouped into tasks of
about :data:`TASK_PATHS` paths (:mod:`ipsim.engines.batch`), run through
:mod:`ipsim.runtime.execution` (this process, a local pool or a Dask cluster): a task's result
depends on its sets alone, so every backend and number of workers gives the same numbers.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import ipsim
from ipsim.analysis import morris, sobol
from ipsim.analysis.attainment import ALL, attainment_matrix
from ipsim.engines.batch import batchable, simulate_sets
from ipsim.engines.common import parameter_bounds
from ipsim.errors import ArgumentError, UsageError
from ipsim.runtime import execution
from ipsim.runtime.taskcache import TaskCache
from ipsim.scenario.params import Distribution, Scenario
from ipsim.study import sensitivity_plan

__all__ = ["Factor", "factors", "evaluate", "cache_for", "run_sobol", "run_morris", "tornado",
           "SensitivityResult", "TASK_PATHS", "TAIL", "METHODS"]

TASK_PATHS = 32_768
"""Paths per task (sets x paths per set), as the pipeline's default chunk: bounds memory."""
TAIL = 0.05
"""Tornado low/high quantiles (5th and 95th percentile); Morris grids span the same range."""
METHODS = ("sobol", "morris")


@dataclass(frozen=True)
class Factor:
    """An uncertain parameter as an input of the analysis."""

    section: str
    name: str
    dist: Distribution
    low: float
    high: float

    @property
    def label(self) -> str:
        return f"{self.section}.{self.name}"

    def values(self, u: np.ndarray) -> np.ndarray:
        """The parameter's values at quantiles ``u`` (in its unit, clipped to its range)."""
        return self.dist.from_uniform(u, self.low, self.high)


def factors(scenario: Scenario) -> list[Factor]:
    """The scenario's uncertain parameters, in :meth:`Scenario.uncertain` order.

    Raises
    ------
    UsageError
        The scenario has no uncertain parameter.
    """
    out = [Factor(s, n, d, *parameter_bounds(s, n)) for s, n, d in scenario.uncertain()]
    if not out:
        raise UsageError(f"{scenario.file or scenario.name}: no uncertain parameters "
                         "(parameters: give at least one a distribution, e.g. "
                         "{dist: uniform, low: ..., high: ...})")
    return out


def outputs(scenario: Scenario) -> list[str]:
    """Names of the outputs: each target's id, then :data:`ALL`."""
    return [t.id for t in scenario.targets] + [ALL]


def _task(task) -> np.ndarray:
    scenario, names, values, seed, paths = task
    ip = simulate_sets(scenario, names, values, seed, paths)
    met = attainment_matrix(scenario.targets, ip)
    return met.reshape(len(values), paths, met.shape[1]).mean(axis=1)


def evaluate(scenario: Scenario, fs: list[Factor], u: np.ndarray, seed: int, paths: int, *,
             workers: int = 1, dask=None,
             progress: Callable[[int], None] | None = None,
             cache: TaskCache | None = None) -> np.ndarray:
    """Probability of meeting each output at every point ``u`` of the hypercube.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    fs : list of Factor
        The inputs (columns of ``u``).
    u : numpy.ndarray
        (sets, len(fs)) quantiles in (0, 1).
    seed : int
        Seed of the paths, the same for every set.
    paths : int
        Paths per set.
    workers, dask
        Where the tasks run (:func:`ipsim.runtime.execution.imap`).
    progress : callable, optional
        Called with the number of sets of each task as it completes (reused tasks first).
    cache : TaskCache, optional
        Finished tasks are taken from it and new ones stored in it as they complete (a
        plain (sets, outputs) array each, keyed by the task's parameter values), so an
        interrupted analysis resumes where it stopped (:func:`cache_for`).

    Returns
    -------
    numpy.ndarray
        (sets, targets + 1) fractions of the paths meeting each target, then all of them.
    """
    values = np.column_stack([f.values(u[:, j]) for j, f in enumerate(fs)])
    per_task = max(1, TASK_PATHS // paths) if batchable(scenario) else 1
    names = [(f.section, f.name) for f in fs]
    tasks = [(scenario, names, values[i:i + per_task], seed, paths)
             for i in range(0, len(values), per_task)]

    results: dict[int, np.ndarray] = {}
    keys = [{"values": [repr(float(v)) for v in t[2].ravel()]} for t in tasks] \
        if cache is not None else []
    for i, key in enumerate(keys):
        hit = (cache.get(key) or {}).get("y")
        if isinstance(hit, np.ndarray) and hit.dtype.kind == "f" \
                and hit.shape == (len(tasks[i][2]), len(scenario.targets) + 1):
            results[i] = hit
            if progress:
                progress(len(tasks[i][2]))
    todo = [i for i in range(len(tasks)) if i not in results]
    with contextlib.closing(execution.imap(_task, [tasks[i] for i in todo], workers=workers,
                                           dask=dask)) as completed:
        for j, y in completed:
            i = todo[j]
            results[i] = y
            if cache is not None:
                cache.put(keys[i], {"y": np.asarray(y, dtype=float)})
            if progress:
                progress(len(tasks[i][2]))
    return np.concatenate([results[i] for i in range(len(tasks))])


def cache_for(folder, scenario: Scenario, fs: list[Factor], seed: int,
              paths: int) -> TaskCache:
    """The task cache of a sensitivity analysis of ``scenario`` in ``folder``: its entries
    depend on the scenario file, the parameters analysed, the seed, the paths per set and
    the ipsim and numpy versions (and each on its sets' values)."""
    return TaskCache(folder, {"job": "sensitivity", "scenario_sha256": scenario.sha256,
                              "factors": [f.label for f in fs], "seed": seed,
                              "paths": paths, "ipsim_version": ipsim.__version__,
                              "numpy_version": np.__version__})


@dataclass
class SensitivityResult:
    """What :func:`run_sobol` or :func:`run_morris` found, with what :func:`tornado` adds."""

    method: str
    scenario: Scenario
    factors: list[Factor]
    outputs: list[str]
    seed: int
    samples: int            # base samples n (Sobol') or trajectories r (Morris)
    paths_per_sample: int
    sets: int               # parameter sets simulated for the indices
    indices: sobol.SobolIndices | morris.MorrisEffects
    y: np.ndarray           # (sets, outputs) probabilities at the design points
    elapsed_s: float
    tornado: dict = field(default_factory=dict)


def _seed(seed: int, what: str) -> np.random.SeedSequence:
    """The seed of one part of the analysis (design, bootstrap), from the run's seed."""
    return np.random.SeedSequence(seed, spawn_key=(zlib.crc32(what.encode()),))


def _check(scenario: Scenario, method: str, samples: int, paths: int, d: int, run: dict
           ) -> None:
    """Refuse an unreasonable size before the design is drawn (:mod:`sensitivity_plan`)."""
    if paths < 1:
        raise ArgumentError("paths_per_sample", f"must be >= 1, got {paths}")
    sensitivity_plan.plan(method, samples, paths, d, scenario.horizon_months,
                          len(scenario.targets) + 1, workers=run.get("workers", 1))


def run_sobol(scenario: Scenario, n: int, paths: int, seed: int, **run) -> SensitivityResult:
    """First-order and total Sobol' indices of every output (:mod:`ipsim.analysis.sobol`).

    ``n`` base samples (a power of 2) cost ``n (d + 2)`` parameter sets of ``paths`` paths;
    ``run`` is passed to :func:`evaluate` (workers, dask, progress).
    """
    if not sobol.is_power_of_two(n):
        lower = 1 << (n.bit_length() - 1)
        raise ArgumentError("samples", f"must be a power of 2 for Sobol' indices (the balance of "
                         f"Sobol' points), got {n}; try {lower} or {2 * lower}")
    t0 = time.perf_counter()
    fs = factors(scenario)
    _check(scenario, "sobol", n, paths, len(fs), run)
    u = sobol.design(len(fs), n, _seed(seed, "design"))
    y = evaluate(scenario, fs, u, seed, paths, **run)
    idx = sobol.indices(y, len(fs), n, seed=_seed(seed, "bootstrap"))
    return SensitivityResult("sobol", scenario, fs, outputs(scenario), seed, n, paths, len(u),
                             idx, y, time.perf_counter() - t0)


def run_morris(scenario: Scenario, trajectories: int, paths: int, seed: int,
               **run) -> SensitivityResult:
    """Morris mu*, sigma and the mu* interval of every output (:mod:`ipsim.analysis.morris`).

    The grid spans the :data:`TAIL` to ``1 - TAIL`` quantiles of each parameter; costs
    ``trajectories (d + 1)`` sets.
    """
    t0 = time.perf_counter()
    fs = factors(scenario)
    _check(scenario, "morris", trajectories, paths, len(fs), run)
    x = morris.design(len(fs), trajectories, _seed(seed, "design"))
    y = evaluate(scenario, fs, TAIL + (1 - 2 * TAIL) * x, seed, paths, **run)
    eff = morris.effects(x, y, seed=_seed(seed, "bootstrap"))
    return SensitivityResult("morris", scenario, fs, outputs(scenario), seed, trajectories,
                             paths, len(x), eff, y, time.perf_counter() - t0)


def tornado(result: SensitivityResult, **run) -> dict:
    """P(all targets) with each parameter at its :data:`TAIL` and ``1 - TAIL`` quantiles,
    the others at their medians, on the analysis's paths; stored in ``result.tornado``.

    Returns
    -------
    dict
        ``base`` (all at medians), and ``parameters``: factor label -> ``(p_low, p_high,
        value_low, value_high)``; probabilities of all targets, values in the parameter's unit;
        ``by_output``: the (2 d + 1, outputs) probabilities of every output at those sets.
    """
    fs, d = result.factors, len(result.factors)
    u = np.full((2 * d + 1, d), 0.5)
    for j in range(d):
        u[1 + 2 * j, j], u[2 + 2 * j, j] = TAIL, 1 - TAIL
    every = evaluate(result.scenario, fs, u, result.seed, result.paths_per_sample, **run)
    p = every[:, -1]
    result.tornado = {"by_output": every, "base": float(p[0]), "parameters": {
        f.label: (float(p[1 + 2 * j]), float(p[2 + 2 * j]),
                  float(f.values(np.array([TAIL]))[0]), float(f.values(np.array([1 - TAIL]))[0]))
        for j, f in enumerate(fs)}}
    return result.tornado
