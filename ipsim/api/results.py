"""What the API's studies return: a run's targets and paths, a comparison, a sweep; each
writes the files its command writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ipsim.analysis.attainment import ALL, Proportion
from ipsim.analysis.commit import CommitLevel
from ipsim.analysis.compare import Comparison
from ipsim.analysis.measures import value as measure_value
from ipsim.analysis.summary import QUANTILES, indicator_rows, target_rows
from ipsim.analysis.sweep import SweepSummary
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Scenario, Target
from ipsim.scenario.variants import Variant
from ipsim.study import pipeline
from ipsim.study.sweep import SweepRun

__all__ = ["TargetResult", "RunResult", "ComparisonResult", "SweepResult"]


def data_frame(rows: list[dict]):
    """``rows`` (a result's ``table()``) as a ``pandas.DataFrame``; pandas is optional."""
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
        return data_frame(self.table())

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
        return data_frame(self.table())

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
        return data_frame(self.table())

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write the files ``ipsim sweep`` writes into ``out``; returns sweep.json's content."""
        from ipsim.report.sweep import write_sweep

        return write_sweep(self.summary, self.run, out, make_plots=plots)
