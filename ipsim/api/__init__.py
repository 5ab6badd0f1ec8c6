"""The public Python API: load a scenario, run it, compare policy variants, sweep a lever.

Every command of the command line goes through these functions (``ipsim run`` is
:func:`load_runnable`, :func:`run` and :meth:`RunResult.write`; ``ipsim calibrate`` is
:func:`calibrate` and :meth:`CalibrationResult.write`), so a notebook gets the same numbers
and the same files. ``docs/api.md`` has a worked example.

>>> import ipsim
>>> s = ipsim.load("scenarios/key-city-2020.yaml")                   # doctest: +SKIP
>>> r = ipsim.run(s, paths=20_000)                                  # doctest: +SKIP
>>> r.all_targets.estimate, r.all_targets.ci_low                    # doctest: +SKIP
"""

from __future__ import annotations

from ipsim.analysis.attainment import Proportion
from ipsim.analysis.commit import CommitLevel
from ipsim.api.decide import GoalResult, OptimiseResult, goal, optimise
from ipsim.api.places import BacktestResult, CalibrationResult, backtest, calibrate
from ipsim.api.results import ComparisonResult, RunResult, SweepResult, TargetResult
from ipsim.api.scenarios import ScenarioLike, load, load_runnable, variants, with_overrides
from ipsim.api.studies import compare, run, sweep, sweep_points
from ipsim.api.uncertainty import SensitivityResult, sensitivity
from ipsim.errors import ArgumentError, ScenarioError, ScenarioErrors
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Scenario, Target

__all__ = ["load", "load_runnable", "with_overrides", "variants", "run", "compare", "sweep",
           "sweep_points", "optimise", "goal", "sensitivity", "calibrate", "backtest",
           "RunResult", "TargetResult", "ComparisonResult", "SweepResult", "OptimiseResult",
           "GoalResult", "SensitivityResult", "CalibrationResult", "BacktestResult",
           "CommitLevel", "Proportion", "Scenario", "Target", "IndicatorPaths",
           "ScenarioLike", "ArgumentError", "ScenarioError", "ScenarioErrors"]
