"""The public Python API: load a scenario, run it, compare policy variants, sweep a lever.

Everything the command line does goes through these functions (``ipsim run`` is
:func:`load_runnable`, :func:`run` and :meth:`RunResult.write`), so a notebook gets the same
numbers and the same files. ``docs/api.md`` has a worked example.

>>> import ipsim
>>> s = ipsim.load("scenarios/key-city-2020.yaml")                   # doctest: +SKIP
>>> r = ipsim.run(s, paths=20_000)                                  # doctest: +SKIP
>>> r.all_targets.estimate, r.all_targets.ci_low                    # doctest: +SKIP
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ipsim.analysis.attainment import ALL, Proportion, proportion
from ipsim.analysis.commit import CommitLevel
from ipsim.analysis.compare import Comparison, paired_half_width
from ipsim.analysis.compare import compare as compare_tallies
from ipsim.analysis.measures import value as measure_value
from ipsim.analysis.summary import QUANTILES, indicator_rows, target_rows
from ipsim.analysis.sweep import SweepSummary, summarise
from ipsim.errors import ArgumentError, ScenarioError, ScenarioErrors
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.overrides import apply_overrides, check_key_path, parse_key_path
from ipsim.scenario.params import Lever, Point, Scenario, Target
from ipsim.scenario.points import load_points, make_lever
from ipsim.scenario.validate import build
from ipsim.scenario.variants import Variant, variants_of
from ipsim.scenario.variants import load_runnable as _load_runnable
from ipsim.scenario.yaml_loader import Marks
from ipsim.study import pipeline
from ipsim.study.sweep import SweepRun, run_sweep

__all__ = ["load", "load_runnable", "with_overrides", "variants", "run", "compare", "sweep",
           "sweep_points", "optimise", "goal",
           "RunResult", "TargetResult", "ComparisonResult", "SweepResult", "OptimiseResult",
           "GoalResult", "CommitLevel", "Proportion", "Scenario", "Target", "IndicatorPaths"]

ScenarioLike = Scenario | str | Path | Mapping[str, Any]
"""A scenario, a scenario file's path, or a scenario as a mapping (as its YAML would load)."""


# -- scenarios -----------------------------------------------------------------------------

def load(source: ScenarioLike) -> Scenario:
    """A validated scenario from a file, from a mapping, or as it is.

    Parameters
    ----------
    source : Scenario, str, pathlib.Path or mapping
        A scenario file (YAML: numbers may be written ``1.5e8`` or ``150_000_000``), the
        mapping such a file holds, or a scenario already loaded.

    Raises
    ------
    ScenarioErrors
        Every problem found, each naming the key path (and, for a file, the line).
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        text = json.dumps(source, sort_keys=True, default=str)
        return build(copy.deepcopy(dict(source)), Marks({}), "<mapping>", text)
    from ipsim.scenario.validate import load_scenario

    return load_scenario(source)


def load_runnable(path: str | Path) -> Scenario:
    """The scenario of a scenario file, or the variant of a variant file (one that names its
    ``base:``, as ``ipsim calibrate`` writes), validated: what :func:`run` accepts from a file.
    """
    return _load_runnable(path)


def with_overrides(scenario: ScenarioLike, overrides: Mapping[str, Any], *,
                   name: str | None = None, description: str | None = None) -> Scenario:
    """A copy of ``scenario`` with values replaced by dotted key path, validated again.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario to start from.
    overrides : mapping
        Key path -> new value, as in a ``variants:`` section
        (``{"policy.allocation.risk_pool": 0.35}``, ``{"targets[0].threshold": 0.15}``).
    name, description : str, optional
        The new scenario's name (default ``<name>+overrides``) and description.

    Raises
    ------
    ArgumentError
        A key path that is not in the scenario schema (argument ``overrides``).
    ScenarioErrors
        The overridden scenario breaks a rule (a share above 1, shares summing above 1).
    """
    base = load(scenario)
    parsed = {}
    for key, value in overrides.items():
        path = parse_key_path(key)
        if path is None:
            raise ArgumentError("overrides", "not a key path (write e.g. "
                                "policy.allocation.risk_pool)", value=repr(key))
        if problem := check_key_path(path):
            raise ArgumentError("overrides", problem, value=key)
        parsed[path] = value
    data, problems = apply_overrides(base.raw or {}, parsed)
    if problems:
        path, message = next(iter(problems.items()))
        raise ArgumentError("overrides", message, value=".".join(map(str, path)))
    data["name"] = name or f"{base.name}+overrides"
    if description is not None:
        data["description"] = description
    return build(data, base.marks or Marks({}), base.file, base.text)


def variants(scenario: ScenarioLike) -> dict[str, Scenario]:
    """The variants of the scenario's ``variants:`` section, by name, validated."""
    return {v.name: v.scenario for v in variants_of(load(scenario))}


# -- results -------------------------------------------------------------------------------

def _frame(rows: list[dict]):
    try:
        import pandas
    except ImportError:
        raise ImportError("to_pandas() needs pandas (pip install pandas); table() gives the "
                          "same rows as dicts") from None
    return pandas.DataFrame(rows)


@dataclass(frozen=True)
class TargetResult:
    """One target and the probability of meeting it.

    Attributes
    ----------
    target : Target
        The target (id, label, indicator, measure, op, threshold, by_month).
    attainment : Proportion
        ``k`` of ``n`` paths met it; ``estimate`` with its Wilson interval
        ``[ci_low, ci_high]`` at ``level``.
    """

    target: Target
    attainment: Proportion

    @property
    def id(self) -> str:
        return self.target.id

    @property
    def probability(self) -> float:
        """The share of paths that met the target, in [0, 1]."""
        return self.attainment.estimate


@dataclass
class RunResult:
    """What :func:`run` returns: the odds of one scenario, and its paths.

    Attributes
    ----------
    scenario : Scenario
        The scenario run.
    targets : tuple of TargetResult
        Each target's probability with its interval, in the scenario's order.
    all_targets, midterm_release : Proportion
        Every target met on the same path; the mid-term gate opened (1 when nothing is
        gated).
    paths : IndicatorPaths
        The first ``keep_paths`` paths whole: yearly indicators, event months, the gate,
        each path's parameter draws (``inputs``) and its economy (``shocks``).
    seed, engine : int, str
        The seed and engine of the run; ``n`` its paths.
    """

    simulation: pipeline.RunResult = field(repr=False)
    scenario: Scenario
    targets: tuple[TargetResult, ...]
    all_targets: Proportion
    midterm_release: Proportion

    @property
    def n(self) -> int:
        """Paths simulated."""
        return self.simulation.paths

    @property
    def seed(self) -> int:
        return self.simulation.seed

    @property
    def paths(self) -> IndicatorPaths:
        return self.simulation.base.paths()

    def target(self, tid: str) -> TargetResult:
        """The result of the target with id ``tid``."""
        for t in self.targets:
            if t.id == tid:
                return t
        raise KeyError(f"no target {tid!r}; targets: {', '.join(t.id for t in self.targets)}")

    def table(self) -> list[dict]:
        """One row per target, then all targets at once and the mid-term release: ``id``,
        ``label``, ``probability``, ``ci_low``, ``ci_high``, ``successes``, ``paths``."""
        rows, joint, released = target_rows(self.scenario, self.simulation.base.tally)
        return [*rows, {"id": ALL, "label": "All targets at once", **joint},
                {"id": "midterm_release", "label": "Mid-term tranche released", **released}]

    def indicators(self) -> list[dict]:
        """Per indicator and year: the mean over all paths and the quantiles (``q05`` ..
        ``q95``) of the kept paths, in the indicator's unit."""
        base = self.simulation.base
        return indicator_rows(self.scenario, base.paths(), base.means())

    def quantiles(self, indicator: str, q: Sequence[float] = QUANTILES) -> np.ndarray:
        """(len(q), years + 1) quantiles of an indicator by year over the kept paths."""
        return np.quantile(self.paths.yearly[indicator], q, axis=0)

    def measures(self) -> dict[str, np.ndarray]:
        """Target id -> (kept paths,) the value of its measure on each kept path (a growth
        rate, a total, a level; the first month for an event, ``inf`` if never)."""
        paths = self.paths
        return {t.id: measure_value(t, paths) for t in self.scenario.targets}

    def commit(self) -> dict[str, list[CommitLevel]]:
        """Target id -> the levels it meets with 50, 80 and 90 % odds, each with its
        distribution-free interval, from the kept paths (no new simulation; see
        :mod:`ipsim.analysis.commit`): a growth rate as a fraction a year, a count, or for
        an event the month by which it happens."""
        from ipsim.report.commit import levels

        return levels(self.scenario, self.paths)

    def summary(self) -> dict:
        """The content of ``summary.json`` (provenance, targets with their commit levels,
        joint, release)."""
        from ipsim.report.outputs import summarise

        return summarise(self.simulation)

    def to_pandas(self):
        """:meth:`table` as a ``pandas.DataFrame`` (needs pandas)."""
        return _frame(self.table())

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write the files ``ipsim run`` writes (``summary.json``, ``attainment.csv``,
        ``indicators.csv``, plots) into ``out``, swapped in whole; returns the summary."""
        from ipsim.report.outputs import write_run

        return write_run(self.simulation, out, make_plots=plots)

    def drivers(self, *, workers: int = 1, dask=None, **options):
        """What goes with failure on a path, from this run's kept paths (no second run):
        per target and for all at once, filtering, first-order indices, the noise share and
        PRIM boxes (:func:`ipsim.study.drivers.drivers_of`, docs/drivers.md). ``options``:
        ``resamples``, ``prim_paths``, ``do_paste``, ...; write the result with
        :func:`ipsim.report.drivers.write_drivers`."""
        from ipsim.study.drivers import drivers_of

        return drivers_of(self.simulation, workers=workers, dask=dask, **options)


@dataclass
class ComparisonResult:
    """What :func:`compare` returns: the base and its variants on the same paths.

    Attributes
    ----------
    comparison : ipsim.analysis.compare.Comparison
        Every scenario's attainment (Wilson) and paired difference from the base (Newcombe,
        McNemar) per target and jointly, and the best scenario for all targets at once.
    """

    simulation: pipeline.RunResult = field(repr=False)
    comparison: Comparison
    variants: tuple[Variant, ...] = ()

    def table(self) -> list[dict]:
        """One row per scenario and target (and all targets): probability and interval,
        difference from the base with its paired interval and McNemar's p-value."""
        from ipsim.report.comparison import comparison_dict, comparison_rows

        return comparison_rows(comparison_dict(self.comparison, self.simulation,
                                               self.variants))

    def to_pandas(self):
        """:meth:`table` as a ``pandas.DataFrame`` (needs pandas)."""
        return _frame(self.table())

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write the files ``ipsim compare`` writes into ``out``; returns comparison.json's
        content."""
        from ipsim.report.comparison import write_comparison

        return write_comparison(self.comparison, self.simulation, out, self.variants,
                                make_plots=plots)


@dataclass
class SweepResult:
    """What :func:`sweep` returns: attainment at every point, the best against the runner-up.

    Attributes
    ----------
    summary : ipsim.analysis.sweep.SweepSummary
        Every point (feasible or not) with its attainment per target and jointly.
    """

    run: SweepRun = field(repr=False)
    summary: SweepSummary

    def table(self) -> list[dict]:
        """One row per point and target (and all targets)."""
        from ipsim.report.sweep import sweep_dict, sweep_rows

        return sweep_rows(sweep_dict(self.summary, self.run))

    def to_pandas(self):
        """:meth:`table` as a ``pandas.DataFrame`` (needs pandas)."""
        return _frame(self.table())

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write the files ``ipsim sweep`` writes into ``out``; returns sweep.json's content."""
        from ipsim.report.sweep import write_sweep

        return write_sweep(self.summary, self.run, out, make_plots=plots)


# -- running -------------------------------------------------------------------------------

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


from ipsim.api.decide import GoalResult, OptimiseResult, goal, optimise  # noqa: E402
