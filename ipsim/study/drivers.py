"""Drivers of failure from one ordinary run: its kept paths are the sample.

Every path of a run draws its own uncertain parameters, so the run itself is a sample of
(inputs, outcomes): :func:`drivers_of` takes an ordinary run's kept paths (no second model
run, no parameter sets) to :func:`ipsim.analysis.drivers.table.analyse`. The public API
calls it as :meth:`ipsim.RunResult.drivers`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ipsim.analysis.drivers import table
from ipsim.analysis.drivers.sample import sample_of
from ipsim.errors import ArgumentError
from ipsim.runtime import execution
from ipsim.scenario.params import Scenario
from ipsim.study import pipeline

__all__ = ["DriversResult", "drivers_of", "DEFAULT_KEEP_PATHS"]

DEFAULT_KEEP_PATHS = pipeline.DEFAULT_KEEP_PATHS
"""Paths kept whole by default, and so the default sample (100,000)."""


@dataclass
class DriversResult:
    """What :func:`drivers_of` found, with the run it came from."""

    scenario: Scenario
    run: pipeline.RunResult
    sample_paths: int           # kept paths analysed (the first of the run)
    inputs: list[str]
    kinds: list[str]
    outputs: list[dict]         # one per target, then all targets (table.analyse)
    settings: dict
    elapsed_s: float            # the analysis alone (the run's own time is run.elapsed_s)


def drivers_of(run: pipeline.RunResult, *, workers: int = 1, dask=None,
               **analysis) -> DriversResult:
    """Drivers of every target of ``run``'s base scenario, from its kept paths.

    ``analysis`` goes to :func:`ipsim.analysis.drivers.table.analyse` (resamples,
    prim_paths, do_paste, ...); the seed is the run's. Its tasks (one per input, then one
    per output) run on ``workers`` local processes or the ``dask`` cluster
    (:func:`ipsim.runtime.execution.map_ordered`), with the same results.
    """
    t0 = time.perf_counter()
    base = run.base
    sample = sample_of(base.scenario, base.paths())
    if not sample.names:
        raise ArgumentError("scenario", f"{base.scenario.file or base.scenario.name}: no "
                            "uncertain parameters to explain failure with (give at least one "
                            "a distribution, e.g. {dist: uniform, low: ..., high: ...})")
    settings = {"resamples": table.RESAMPLES, "odds_bins": table.ODDS_BINS,
                "prim_paths": table.PRIM_PATHS, "prim_inputs": table.PRIM_INPUTS,
                "prim_resamples": table.PRIM_RESAMPLES, "do_paste": False, "level": 0.95,
                **analysis}
    def map_tasks(fn, tasks):
        return execution.map_ordered(fn, tasks, workers=workers, dask=dask)

    outputs = table.analyse(sample, seed=run.seed, map_tasks=map_tasks, **settings)
    return DriversResult(base.scenario, run, sample.n, sample.names, sample.kinds, outputs,
                         settings, time.perf_counter() - t0)
