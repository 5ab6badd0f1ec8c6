"""The API's studies: run a scenario, compare policy variants, sweep levers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from ipsim.analysis.attainment import proportion
from ipsim.analysis.compare import compare as compare_tallies
from ipsim.analysis.compare import paired_half_width
from ipsim.analysis.sweep import summarise
from ipsim.api.results import ComparisonResult, RunResult, SweepResult, TargetResult
from ipsim.api.scenarios import ScenarioLike, load, with_overrides
from ipsim.errors import ArgumentError, ScenarioError, ScenarioErrors
from ipsim.scenario.params import Lever, Point, Scenario
from ipsim.scenario.points import load_points, make_lever
from ipsim.scenario.variants import Variant, variants_of
from ipsim.study import pipeline
from ipsim.study.sweep import run_sweep

__all__ = ["run", "compare", "sweep", "sweep_points"]


def _simulate(scenarios: Sequence[Scenario], paths: int, seed: int | None, run_options: dict
              ) -> pipeline.RunResult:
    seed = scenarios[0].seed if seed is None else seed
    return pipeline.run(scenarios, paths, seed, **run_options)


def run(scenario: ScenarioLike, *, paths: int = 100_000, seed: int | None = None,
        workers: int = 1, chunk_paths: int | None = None,
        keep_paths: int = pipeline.DEFAULT_KEEP_PATHS, engine: str = "vectorised",
        progress: Callable[[int], None] | None = None, dask=None,
        precision: float | None = None) -> RunResult:
    """Simulate a scenario: the probability of meeting each target, all at once, and of the
    mid-term release, with 95 % Wilson intervals.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        What to simulate (see :func:`load`).
    paths : int
        Monte Carlo paths, >= 1 (the interval half-width is about ``1 / sqrt(paths)``).
    seed : int, optional
        Seed of the random numbers, >= 0 (default: the scenario's).
    workers : int
        Local worker processes (1: this process). Results do not depend on it.
    chunk_paths : int, optional
        Paths per chunk (memory per worker); results do not depend on it.
    keep_paths : int
        How many of the first paths to keep whole (:attr:`RunResult.paths`).
    engine : str
        ``vectorised`` or ``des`` (the discrete-event reference engine, slow).
    progress : callable, optional
        Called with the paths of each finished chunk.
    dask : str or distributed.Client, optional
        Run the chunks on this Dask cluster; same results.
    precision : float, optional
        Run whole chunks until every reported probability's 95 % interval has a half-width
        of at most this (0.005: 0.5 percentage points), ``paths`` being the cap; the result
        is bit-identical to a run of the paths used (``RunResult.n``).

    Raises
    ------
    ArgumentError
        A bad argument, or a run estimated to take too long or too much memory.
    ModelError
        A mechanism produced an impossible value (NaN, a negative flow).
    """
    s = load(scenario)
    sim = _simulate([s], paths, seed, dict(workers=workers, chunk_paths=chunk_paths,
                                           keep_paths=keep_paths, engine=engine,
                                           progress=progress, dask=dask,
                                           precision=precision))
    tally = sim.base.tally
    targets = tuple(TargetResult(t, proportion(int(tally.met[j]), tally.n))
                    for j, t in enumerate(s.targets))
    return RunResult(sim, s, targets, proportion(int(tally.met[-1]), tally.n),
                     proportion(tally.released, tally.n))


def _variant_list(base: Scenario, given) -> list[Variant]:
    if given is None:
        return variants_of(base)
    if isinstance(given, Mapping):      # name -> overrides
        return [Variant(name, f"variant of {base.name}", dict(o),
                        with_overrides(base, o, name=name), base.file)
                for name, o in given.items()]
    items = list(given)
    if all(isinstance(v, str) for v in items):
        return variants_of(base, items)
    return [v if isinstance(v, Variant) else Variant(v.name, v.description, {}, v, v.file)
            for v in items]


def compare(scenario: ScenarioLike, variants: Iterable | Mapping | None = None, *,
            paths: int = 100_000, seed: int | None = None, **run_options) -> ComparisonResult:
    """The base and its policy variants on the same random numbers: each one's odds and its
    paired difference from the base.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The base.
    variants : optional
        None: the ``variants:`` of the base's file; a list of their names; a mapping of
        name -> overrides (key path -> value); or a list of scenarios.
    paths, seed, **run_options
        As :func:`run` (workers, chunk_paths, engine, progress, dask); with ``precision``,
        the run stops when every paired difference's 95 % half-width is at most it.

    Raises
    ------
    ArgumentError
        No variants, or an unknown variant name (argument ``variants``).
    """
    base = load(scenario)
    chosen = _variant_list(base, variants)
    if not chosen:
        raise ArgumentError("variants", f"{base.file or base.name} has no variants to compare: "
                            "add a variants: section (see docs/compare.md) or give them")
    scenarios = [base, *(v.scenario for v in chosen)]
    for s in scenarios[1:]:
        if problem := base.comparable_with(s):
            raise ScenarioErrors([ScenarioError(base.file, "variants", problem)])
    if run_options.get("precision") is not None:
        run_options["reached"] = lambda tallies: paired_half_width(scenarios, tallies)
    sim = _simulate(scenarios, paths, seed, dict(run_options))
    return ComparisonResult(sim, compare_tallies(scenarios, [r.tally for r in sim.results]),
                            tuple(chosen))


def _levers(levers: Mapping[str, Sequence] | Sequence[Lever]) -> list[Lever]:
    if isinstance(levers, Mapping):
        return [make_lever(key, values) for key, values in levers.items()]
    return list(levers)


def sweep_points(scenario: ScenarioLike, levers: Mapping[str, Sequence] | Sequence[Lever],
                 balance: Sequence[str] = ()) -> list[Point]:
    """Every point of a sweep, each a validated scenario or infeasible with the reason (as
    :func:`sweep` would run them; nothing is simulated).

    Raises
    ------
    ArgumentError
        A bad lever or balance, too many points, or a value the schema refuses.
    """
    return load_points(load(scenario), _levers(levers), balance)[1]


def sweep(scenario: ScenarioLike, levers: Mapping[str, Sequence] | Sequence[Lever], *,
          balance: Sequence[str] = (), paths: int = 20_000, seed: int | None = None,
          workers: int = 1, chunk_paths: int | None = None, engine: str = "vectorised",
          cache: str | Path | None = None, reuse: bool = True,
          progress: Callable[[int], None] | None = None, dask=None,
          points: Sequence[Point] | None = None, precision: float | None = None) -> SweepResult:
    """Attainment at every value of one or two levers, on common random numbers.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario swept.
    levers : mapping or sequence of Lever
        Key path -> the values to take (one lever: a curve; two: a grid), e.g.
        ``{"policy.allocation.risk_pool": [0.1, 0.2, 0.3]}``.
    balance : sequence of str
        Allocation shares that give up (or receive) what the swept shares gain (or lose), in
        proportion to their shares in the scenario, so the allocation's sum stays fixed.
    paths, seed, workers, chunk_paths, engine, progress, dask
        As :func:`run` (the default is 20,000 paths a point).
    cache : path, optional
        Folder of the task cache: an interrupted sweep resumes from it.
    reuse : bool
        Take finished tasks from the cache (False: run them again).
    points : sequence of Point, optional
        The points, if already built by :func:`sweep_points` for these levers.
    precision : float, optional
        Stop when every feasible point's reported probabilities have a 95 % half-width of at
        most this (``paths`` the cap), as in :func:`run`.

    Raises
    ------
    ArgumentError
        A bad lever or balance (arguments ``levers``, ``balance``), or every point infeasible.
    """
    base = load(scenario)
    chosen = _levers(levers)
    if points is None:
        points = load_points(base, chosen, balance)[1]
    sweep_run = run_sweep(base, chosen, points, paths, base.seed if seed is None else seed,
                          balance=tuple(b.removeprefix("policy.allocation.") for b in balance),
                          workers=workers, chunk_paths=chunk_paths, engine=engine, cache=cache,
                          reuse=reuse, progress=progress, dask=dask, precision=precision)
    return SweepResult(sweep_run, summarise(points, sweep_run.tallies))
