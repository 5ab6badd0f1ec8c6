"""The allocation with the best odds: a search on common random numbers, then verification.

**Search.** Every candidate allocation is evaluated on the same ``paths`` paths (paths
``0 .. paths - 1`` of the search seed), so the objective (:mod:`ipsim.analysis.objective`)
is a deterministic function of the shares. The optimiser is CMA-ES (the ``cmaes`` package's
:class:`cmaes.CMA`, ask and tell; ``method="cmaes"``, the default) or scipy's
:func:`scipy.optimize.differential_evolution` (``method="de"``, vectorised, deferred
updating, no polish); both work on the unit cube, which
:class:`ipsim.study.allocation.Space` maps onto feasible allocations, so no candidate ever
breaks the bounds or the sum. Each generation's candidates are evaluated together
(:func:`ipsim.study.policies.evaluate_sets`: batched along the path axis, run through the
local pool or Dask, cached, so an interrupted search run again replays the generations it
had finished from the cache and goes on). The search starts at the scenario's own plan and
stops after ``generations`` generations, or earlier when the best value has not risen by
more than one path's worth (``1 / paths``) for ``patience`` generations, or when CMA-ES
itself says so.

**Verification.** The best candidate of the search is the *winner*; it, the next best
distinct candidates (``top`` in all) and the scenario's plan are simulated again on
``verify_paths`` fresh paths (another seed: :func:`verify_seed`), all on the same paths and
in one paired evaluation. The best of many noisy candidates is biased upwards (the
optimiser's curse): the search figure is kept apart, and the verified figure of the winner
(chosen before verification, so unbiased) is the headline, with its paired difference from
the plan and from the runner-up (the second-best of the search).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ipsim.analysis.objective import Estimate, Objective
from ipsim.analysis.paired import PairedDifference
from ipsim.errors import ArgumentError
from ipsim.runtime.taskcache import TaskCache
from ipsim.scenario.params import Scenario
from ipsim.study import policies
from ipsim.study.allocation import Space

__all__ = ["OptimiseRun", "Candidate", "Verified", "run_optimise", "verify_seed", "METHODS",
           "DEFAULTS"]

METHODS = {"cmaes": "CMA-ES (cmaes.CMA, Hansen's covariance matrix adaptation)",
           "de": "differential evolution (scipy.optimize.differential_evolution)"}
"""Optimiser name -> what it is."""

DEFAULTS = {"generations": 60, "patience": 15, "sigma": 0.05, "top": 4}
"""Default search settings: generations at most, generations without progress before
stopping, CMA-ES's initial step (on the unit cube), candidates verified besides the plan."""


def verify_seed(seed: int) -> int:
    """The seed of the verification paths, a stream apart from the search's ``seed``."""
    return int(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(b"verify"),))
               .generate_state(1)[0])


@dataclass(frozen=True)
class Candidate:
    """An evaluated allocation: its values (:attr:`Space.keys` order) and search figures."""

    values: tuple[float, ...]
    value: float               # search value (objective, or -1 - shortfall)
    met: tuple[int, ...]       # search counts per column
    generation: int


@dataclass(frozen=True)
class Verified:
    """One allocation verified on fresh paths."""

    name: str                  # "plan", "winner", "candidate 2", ...
    values: tuple[float, ...]
    search_value: float | None
    objective: Estimate
    targets: tuple[tuple[int, float, float, float], ...]   # (successes, p, low, high)
    all_targets: tuple[int, float, float, float]
    released: tuple[int, float, float, float]
    vs_plan: PairedDifference
    requirements_met: bool
    requirements_sure: bool    # every required target's interval lies above its level


@dataclass
class OptimiseRun:
    """What :func:`run_optimise` returns."""

    scenario: Scenario
    space: Space
    objective: Objective
    method: str
    seed: int
    paths: int
    verify_seed: int
    verify_paths: int
    candidates: list[Candidate]            # every evaluation, in order
    trace: list[dict]                      # one row per generation
    verified: list[Verified]               # plan, winner, then the others by search rank
    winner_vs_runner_up: PairedDifference | None
    stop_reason: str
    workers: int
    backend: str
    reused_tasks: int
    tasks: int
    elapsed_s: float
    search_s: float
    plan_values: tuple[float, ...] = field(default=())

    @property
    def evaluations(self) -> int:
        return len(self.candidates)

    @property
    def winner(self) -> Verified:
        return self.verified[1]

    @property
    def plan(self) -> Verified:
        return self.verified[0]


class _Evaluator:
    """Evaluates a generation's points of the unit cube, recording every candidate."""

    def __init__(self, scenario, space, objective, seed, paths, run, cache, reuse, progress):
        self.scenario, self.space, self.objective = scenario, space, objective
        self.seed, self.paths, self.run = seed, paths, run
        self.cache, self.reuse, self.progress = cache, reuse, progress
        self.candidates: list[Candidate] = []
        self.trace: list[dict] = []
        self.generation = 0

    def __call__(self, z: np.ndarray) -> np.ndarray:
        values = self.space.values(z)
        if not self.space.feasible(values):  # pragma: no cover - the map guarantees it
            raise AssertionError("an infeasible candidate")
        counts = policies.evaluate_sets(self.scenario, self.space.keys, values, self.seed,
                                        self.paths, subset=self.objective.subset,
                                        cache=self.cache, reuse=self.reuse, **self.run)
        scores = self.objective.search_values(counts.met, counts.count_sum, counts.n)
        for row, v, met in zip(values, scores, counts.met, strict=True):
            self.candidates.append(Candidate(tuple(map(float, row)), float(v),
                                             tuple(map(int, met)), self.generation))
        self.generation += 1
        if self.progress:
            self.progress(len(values), self.best.value)
        return scores

    @property
    def best(self) -> Candidate:
        return max(self.candidates, key=lambda c: c.value)  # ties: the earliest

    def record(self, size: int, spread: float | None = None) -> None:
        """Append the last generation (``size`` candidates) to :attr:`trace`; ``spread`` is
        the optimiser's step size (CMA-ES's sigma, on the unit cube), where it has one."""
        gen = self.candidates[-size:]
        self.trace.append({"generation": len(self.trace), "evaluations": len(self.candidates),
                           "best_value": self.best.value,
                           "generation_best": max(c.value for c in gen),
                           "generation_mean": float(np.mean([c.value for c in gen])),
                           "sigma": spread})


def _search_cmaes(evaluate: _Evaluator, z0: np.ndarray, generations: int, patience: float,
                  tol: float, sigma: float, population: int | None, seed: int) -> str:
    from cmaes import CMA

    d = len(z0)
    bounds = np.column_stack([np.zeros(d), np.ones(d)])
    opt = CMA(mean=np.clip(z0, 1e-6, 1 - 1e-6), sigma=sigma, bounds=bounds, seed=seed,
              population_size=population)
    evaluate(z0[None, :])      # the plan itself: the search never reports worse
    evaluate.record(1)
    best, still = evaluate.best.value, 0
    for _ in range(generations):
        zs = np.array([opt.ask() for _ in range(opt.population_size)])
        scores = evaluate(zs)
        opt.tell([(z, -float(s)) for z, s in zip(zs, scores, strict=True)])
        top = evaluate.best.value
        still = 0 if top > best + tol else still + 1
        best = max(best, top)
        evaluate.record(opt.population_size, float(getattr(opt, "_sigma", np.nan)))
        if still >= patience:
            return f"no gain above {tol:.2g} for {patience} generations"
        if opt.should_stop():
            return "CMA-ES converged (its own stopping rules)"
    return f"{generations} generations"


def _search_de(evaluate: _Evaluator, z0: np.ndarray, generations: int, patience: float,
               tol: float, sigma: float, population: int | None, seed: int) -> str:
    from scipy.optimize import differential_evolution

    d = len(z0)
    size = population or max(5, 15 * d // 3)
    rng = np.random.default_rng(seed)   # the first generation: the plan and a cloud about it
    init = np.vstack([z0, np.clip(z0 + sigma * rng.standard_normal((size - 1, d)), 0, 1)])
    state = {"best": -np.inf, "still": 0, "reason": f"{generations} generations"}

    def f(z):   # vectorised: z is (d, S)
        out = -evaluate(np.asarray(z).T)
        evaluate.record(z.shape[1])
        return out

    def callback(intermediate_result):
        top = evaluate.best.value
        state["still"] = 0 if top > state["best"] + tol else state["still"] + 1
        state["best"] = max(state["best"], top)
        if state["still"] >= patience:
            state["reason"] = f"no gain above {tol:.2g} for {patience} generations"
            return True
        return False

    differential_evolution(f, [(0.0, 1.0)] * d, maxiter=max(1, generations - 1), init=init,
                           vectorized=True, updating="deferred", polish=False, tol=0.0,
                           rng=np.random.default_rng(seed), callback=callback)
    return state["reason"]


_SEARCH = {"cmaes": _search_cmaes, "de": _search_de}


def _top(candidates: list[Candidate], k: int) -> list[Candidate]:
    """The ``k`` best distinct candidates (by search value, ties the earliest)."""
    out, seen = [], set()
    for c in sorted(candidates, key=lambda c: -c.value):
        if c.values not in seen:
            seen.add(c.values)
            out.append(c)
        if len(out) == k:
            break
    return out


def _triple(k: int, n: int) -> tuple[int, float, float, float]:
    from ipsim.analysis.attainment import proportion

    p = proportion(int(k), n)
    return int(k), p.estimate, p.ci_low, p.ci_high


def _verify(scenario, space, objective, chosen, names, seed, paths, run, cache, reuse,
            progress) -> tuple[list[Verified], PairedDifference | None]:
    values = np.array([c[0] for c in chosen])
    c = policies.evaluate_sets(scenario, space.keys, values, seed, paths,
                               subset=objective.subset, paired=True, cache=cache, reuse=reuse,
                               progress=progress, **run)
    T = len(scenario.targets)
    out = []
    for k, (row, search_value) in enumerate(chosen):
        req = [(j, r, c.met[k, j] / c.n, _triple(c.met[k, j], c.n)[2])
               for j, r in objective.require]
        out.append(Verified(
            names[k], tuple(map(float, row)), search_value,
            objective.estimate(c.met, c.count_sum, c.count_sq, c.n, k),
            tuple(_triple(c.met[k, j], c.n) for j in range(T)), _triple(c.met[k, T], c.n),
            _triple(c.released[k], c.n),
            objective.difference(c.met, c.count_sum, c.beats, c.diff_sq, c.n, k, 0),
            all(p >= r for _, r, p, _ in req), all(lo >= r for _, r, _, lo in req)))
    runner = (objective.difference(c.met, c.count_sum, c.beats, c.diff_sq, c.n, 1, 2)
              if len(chosen) > 2 else None)
    return out, runner


def run_optimise(scenario: Scenario, space: Space, objective: Objective, *, paths: int,
                 seed: int, verify_paths: int, method: str = "cmaes",
                 generations: int = DEFAULTS["generations"],
                 patience: int = DEFAULTS["patience"], population: int | None = None,
                 sigma: float = DEFAULTS["sigma"], top: int = DEFAULTS["top"],
                 workers: int = 1, dask=None, cache: str | None = None, reuse: bool = True,
                 progress: Callable[[int, float], None] | None = None,
                 verify_progress: Callable[[int], None] | None = None) -> OptimiseRun:
    """Search the allocation with the best objective, then verify the best on fresh paths.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its allocation is the plan and the search's start.
    space : Space
        The moving shares, their bounds and sum (:func:`ipsim.study.allocation.space`).
    objective : Objective
        What is maximised (:func:`ipsim.analysis.objective.objective`).
    paths, verify_paths : int
        Search paths (common to every candidate) and verification paths (>= 1 each).
    seed : int
        Search seed (>= 0); the verification's is :func:`verify_seed` of it.
    method : str
        A key of :data:`METHODS`.
    generations, patience, population, sigma, top
        Search settings (:data:`DEFAULTS`; population default: CMA-ES's ``4 + 3 ln d``,
        differential evolution's ``5 d``); ``top`` candidates are verified with the plan.
    workers, dask
        Where the evaluations run (:mod:`ipsim.runtime.execution`); results do not depend on
        them.
    cache : path, optional
        Folder of the task cache: a run with the same arguments resumes from it.
    reuse : bool
        Take finished tasks from the cache.
    progress : callable, optional
        ``progress(evaluations, best_so_far)`` after each generation.
    verify_progress : callable, optional
        Called with the paths x candidates of each finished verification task.

    Raises
    ------
    ArgumentError
        A bad method, path count or setting.
    """
    t0 = time.perf_counter()
    if method not in METHODS:
        raise ArgumentError("method", f"allowed: {', '.join(METHODS)}", value=method)
    for name, value, least in (("paths", paths, 1), ("verify_paths", verify_paths, 1),
                               ("generations", generations, 1), ("patience", patience, 1),
                               ("top", top, 1), ("seed", seed, 0)):
        if value < least:
            raise ArgumentError(name, f"must be >= {least}, got {value}")
    if population is not None and population < 2:
        raise ArgumentError("population", f"must be >= 2, got {population}")
    from ipsim.study import pipeline

    pipeline.plan([scenario], paths, seed, workers=workers, keep_paths=0)  # time and memory
    run = {"workers": workers, "dask": dask}
    store = None if cache is None else TaskCache(cache, policies.context(
        scenario, "optimise", space.keys, objective.subset, seed, paths))
    evaluate = _Evaluator(scenario, space, objective, seed, paths, run, store, reuse, progress)
    plan = np.array([scenario.policy.allocation.get(lv, 0.0) for lv in space.levers]
                    + ([scenario.policy.fast_track_share] if space.fast_track else []))
    z0 = space.cube(space.values(space.cube(plan)))[0]
    reason = _SEARCH[method](evaluate, z0, generations, patience, 1.0 / paths, sigma,
                             population, seed)
    search_s = time.perf_counter() - t0
    best = _top(evaluate.candidates, top)
    plan_row = tuple(map(float, plan))
    chosen = [(plan_row, None)] + [(c.values, c.value) for c in best]
    names = ["plan", "winner"] + [f"candidate {i}" for i in range(2, len(best) + 1)]
    vseed = verify_seed(seed)
    vstore = None if cache is None else TaskCache(cache, policies.context(
        scenario, "optimise-verify", space.keys, objective.subset, vseed, verify_paths))
    verified, runner = _verify(scenario, space, objective, chosen, names, vseed, verify_paths,
                               run, vstore, reuse, verify_progress)
    stores = [s for s in (store, vstore) if s is not None]
    return OptimiseRun(scenario, space, objective, method, seed, paths, vseed, verify_paths,
                       evaluate.candidates, evaluate.trace, verified, runner,
                       reason, workers, "local" if dask is None else "dask",
                       sum(s.reused for s in stores), sum(s.reused + s.stored for s in stores),
                       time.perf_counter() - t0, search_s, plan_row)
