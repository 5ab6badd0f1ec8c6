"""Decisions: the allocation with the best odds (:func:`optimise`) and the least lever value
that reaches a probability (:func:`goal`). The commit levels of a run are
:meth:`ipsim.api.RunResult.commit`. ``docs/decide.md`` has the method and a worked example.

>>> import ipsim
>>> o = ipsim.optimise("scenarios/key-city-2020.yaml", paths=20_000)    # doctest: +SKIP
>>> o.winner, o.headline                                               # doctest: +SKIP
>>> g = ipsim.goal("scenarios/key-city-2020.yaml", "pledge_amount", 0.8,
...                "policy.allocation.risk_pool")                      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ipsim.analysis.objective import objective as make_objective
from ipsim.study.allocation import space as make_space
from ipsim.study.goal import DEFAULTS as GOAL_DEFAULTS
from ipsim.study.goal import GoalRun, run_goal
from ipsim.study.optimise import DEFAULTS, OptimiseRun, run_optimise

__all__ = ["optimise", "goal", "OptimiseResult", "GoalResult"]


def _load(scenario):
    from ipsim.api import load

    return load(scenario)


@dataclass
class OptimiseResult:
    """What :func:`optimise` returns.

    Attributes
    ----------
    run : ipsim.study.optimise.OptimiseRun
        Every candidate evaluated, the trace, and the verified allocations (plan first, then
        the winner, then the runners-up by search rank).
    """

    run: OptimiseRun = field(repr=False)

    @property
    def winner(self) -> dict[str, float]:
        """The winning allocation: key path -> share (``policy.allocation.<lever>``, and
        ``policy.fast_track_share`` if it was searched)."""
        import numpy as np

        return self.run.space.overrides(np.array(self.run.winner.values))

    @property
    def headline(self) -> dict:
        """The winner's verified objective and interval, and its paired difference from the
        plan (estimate, interval, p-value) on the fresh paths."""
        w = self.run.winner
        d = w.vs_plan
        return {"objective": w.objective.value, "ci_low": w.objective.ci_low,
                "ci_high": w.objective.ci_high, "plan": self.run.plan.objective.value,
                "vs_plan": d.estimate, "vs_plan_ci": (d.ci_low, d.ci_high),
                "p_value": d.p_value}

    def data(self) -> dict:
        """The content of ``optimise.json``."""
        from ipsim.report.optimise import optimise_dict

        return optimise_dict(self.run)

    def table(self) -> list[dict]:
        """One row per verified allocation and target (``optimise.csv``)."""
        from ipsim.report.optimise import optimise_rows

        return optimise_rows(self.data())

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write the files ``ipsim optimise`` writes into ``out`` (swapped in whole);
        returns optimise.json's content."""
        from ipsim.report.optimise import write_optimise

        return write_optimise(self.run, out, make_plots=plots)


def optimise(scenario, *, shares: Sequence[str] | None = None,
             bounds: Mapping[str, tuple[float, float]] | None = None, keep_total: bool = False,
             objective: str = "all", targets: Sequence[str] | None = None,
             require: Mapping[str, float] | None = None, paths: int = 20_000,
             verify_paths: int = 200_000, seed: int | None = None, method: str = "cmaes",
             generations: int = DEFAULTS["generations"], patience: int = DEFAULTS["patience"],
             population: int | None = None, sigma: float = DEFAULTS["sigma"],
             top: int = DEFAULTS["top"], workers: int = 1, dask=None,
             cache: str | Path | None = None, reuse: bool = True,
             progress: Callable[[int, float], None] | None = None,
             verify_progress: Callable[[int], None] | None = None) -> OptimiseResult:
    """The allocation of the funds with the best odds, searched on common random numbers and
    verified on fresh paths.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario (see :func:`ipsim.load`); its allocation is the plan the optimum is
        compared with, and the search's start.
    shares : sequence of str, optional
        The allocation shares searched (lever names), optionally with ``fast_track_share``;
        default every lever. The others keep the scenario's shares.
    bounds : mapping, optional
        Lever -> ``(low, high)`` share of each tranche (default ``(0, 1)``).
    keep_total : bool
        Keep the scenario's sum of the searched shares (default: the whole allocation sums
        to at most 1).
    objective : str
        ``all`` (P(all targets), default) or ``expected`` (the expected number met).
    targets : sequence of str, optional
        Maximise P(all of these targets) instead.
    require : mapping, optional
        Chance constraints: target id -> least probability (``{"pledge_amount": 0.8}``).
    paths, verify_paths : int
        Search paths (common to every candidate) and fresh verification paths.
    seed : int, optional
        Search seed (default: the scenario's); the verification's is derived from it.
    method : str
        ``cmaes`` (CMA-ES, default) or ``de`` (scipy's differential evolution).
    generations, patience, population, sigma, top
        Search settings (:data:`ipsim.study.optimise.DEFAULTS`): at most ``generations``
        generations, stop after ``patience`` without progress; ``top`` best candidates are
        verified with the plan.
    workers, dask
        Where the evaluations run; results do not depend on them.
    cache : path, optional
        Task cache folder: an interrupted optimisation run again resumes from it.
    reuse : bool
        Take finished tasks from the cache.
    progress : callable, optional
        ``progress(evaluations, best_so_far)`` after each generation.
    verify_progress : callable, optional
        Called with the paths x allocations of each finished verification task.

    Raises
    ------
    ArgumentError
        A bad lever, bound, objective, target, requirement or setting.
    """
    s = _load(scenario)
    sp = make_space(s, shares, bounds, keep_total)
    ob = make_objective(s, objective, targets, require)
    run = run_optimise(s, sp, ob, paths=paths, seed=s.seed if seed is None else seed,
                       verify_paths=verify_paths, method=method, generations=generations,
                       patience=patience, population=population, sigma=sigma, top=top,
                       workers=workers, dask=dask, cache=None if cache is None else str(cache),
                       reuse=reuse, progress=progress, verify_progress=verify_progress)
    return OptimiseResult(run)


@dataclass
class GoalResult:
    """What :func:`goal` returns.

    Attributes
    ----------
    run : ipsim.study.goal.GoalRun
        The grid, the verified refinement, every crossing, the answer or the best value.
    """

    run: GoalRun = field(repr=False)

    @property
    def reached(self) -> bool:
        return self.run.reached

    @property
    def value(self) -> float | None:
        """The least lever value reaching the goal (None: not reached in the range)."""
        return self.run.answer

    def data(self) -> dict:
        """The content of ``goal.json``."""
        from ipsim.report.goal import goal_dict

        return goal_dict(self.run)

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write ``goal.json``, ``goal.csv`` and the plot into ``out``; returns the JSON."""
        from ipsim.report.goal import write_goal

        return write_goal(self.run, out, make_plots=plots)


def goal(scenario, target: str, probability: float, lever: str, *,
         balance: Sequence[str] = (), value_range: tuple[float, float] | None = None,
         paths: int = 20_000, verify_paths: int = 100_000, seed: int | None = None,
         grid: int = GOAL_DEFAULTS["grid"], refine: int = GOAL_DEFAULTS["refine"],
         workers: int = 1, dask=None, cache: str | Path | None = None, reuse: bool = True,
         progress: Callable[[int], None] | None = None) -> GoalResult:
    """The least value of a lever at which the one-sided 95 % lower bound of P(target),
    verified on fresh paths, reaches ``probability``.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario.
    target : str
        The target's id.
    probability : float
        The asked odds in (0, 1).
    lever : str
        ``policy.allocation.<lever>``, ``policy.fast_track_share`` or ``policy.budget``
        (scales every tranche).
    balance : sequence of str
        Allocation shares that give up (or take) what the lever gains (or loses), in
        proportion to their shares.
    value_range : (float, float), optional
        The values searched (default ``(0, 1)`` for a share, ``(0, 2 x budget)`` for the
        budget).
    paths, verify_paths : int
        Paths of the grid and of the fresh verification.
    seed : int, optional
        Seed of the grid (default: the scenario's); the verification's is derived from it.
    grid, refine : int
        Grid values over the range, and fine steps a grid cell.
    workers, dask, cache, reuse, progress
        As :func:`optimise` (``progress`` is called with the paths x values of each task).

    Returns
    -------
    GoalResult
        ``value`` the answer (None when unreachable, then ``run.best`` is the best value
        with its verified odds); ``run.crossings`` every crossing when the odds are not
        monotone in the lever.
    """
    s = _load(scenario)
    return GoalResult(run_goal(s, target, probability, lever, balance=tuple(balance),
                               value_range=value_range, paths=paths,
                               seed=s.seed if seed is None else seed, verify_paths=verify_paths,
                               grid=grid, refine=refine, workers=workers, dask=dask,
                               cache=None if cache is None else str(cache), reuse=reuse,
                               progress=progress))
