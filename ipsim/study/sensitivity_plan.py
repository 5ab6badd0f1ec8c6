"""What a sensitivity analysis will cost, checked before anything is drawn or simulated.

A Sobol' analysis of ``d`` parameters with ``n`` base samples simulates ``n (d + 2)``
parameter sets, a Morris screening with ``r`` trajectories ``r (d + 1)``, and the tornado
``2 d + 1`` more, each on ``paths`` paths. :func:`plan` turns that into time and memory
with the constants of :mod:`ipsim.runtime.resources` (measured on the vectorised engine)
and refuses, as a usage error of one line, sizes that are too small to mean anything or
too large to finish: ``--samples 1`` (no bootstrap over one base sample), ``--samples
2**40`` (years) or Morris ``--samples 1e9`` are refused before the design is drawn, so a
refusal is instant and nothing is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ipsim.errors import ArgumentError
from ipsim.runtime import resources

__all__ = ["Plan", "plan", "sets_of", "METHODS", "DEFAULT_SAMPLES", "MIN_SAMPLES",
           "TASK_PATHS", "CALL_SECONDS"]

METHODS = ("sobol", "morris")
"""Sobol' indices (first-order and total) and Morris screening."""

DEFAULT_SAMPLES = {"sobol": 256, "morris": 20}
"""Base samples of Sobol' indices (a power of 2) and trajectories of Morris screening."""

MIN_SAMPLES = {"sobol": 8, "morris": 2}
"""Fewest base samples (Sobol': the bootstrap resamples them) or trajectories (Morris:
``sigma`` needs two elementary effects per parameter)."""

TASK_PATHS = 32_768
"""Paths per task (sets x paths per set), as :data:`ipsim.study.sensitivity.TASK_PATHS`."""

CALL_SECONDS = 0.1
"""Fixed cost of one engine call (s), measured (docs/sensitivity.md)."""

DESIGN_BYTES_PER_VALUE = 8 * 4
"""Memory per design value (bytes): the quantiles, the values and two working copies."""


@dataclass(frozen=True)
class Plan:
    """What an analysis will cost: ``sets`` parameter sets of ``paths`` paths, ``tasks``
    engine calls, ``seconds`` of wall time on ``workers`` and ``memory`` bytes at peak."""

    method: str
    samples: int
    paths: int
    sets: int
    tasks: int
    seconds: float
    memory: int
    workers: int


def sets_of(method: str, samples: int, d: int) -> int:
    """Parameter sets of the indices and the tornado."""
    design = samples * (d + 2) if method == "sobol" else samples * (d + 1)
    return design + 2 * d + 1


def plan(method: str, samples: int, paths: int, d: int, months: int, outputs: int, *,
         workers: int = 1, check: bool = True) -> Plan:
    """The cost of an analysis; with ``check``, refuse an unreasonable one.

    Raises
    ------
    ArgumentError
        Too few samples, or an estimated time above :data:`ipsim.runtime.resources.MAX_HOURS`
        or memory above :data:`ipsim.runtime.resources.MAX_MEMORY_SHARE` of the machine.
    """
    sets = sets_of(method, samples, d)
    per_task = max(1, TASK_PATHS // paths)
    tasks = -(-sets // per_task)
    busy = max(1, min(workers, os.cpu_count() or 1, tasks))
    cpu = sets * paths * months * resources.US_PER_PATH_MONTH * 1e-6 + tasks * CALL_SECONDS
    task_paths = min(per_task, sets) * paths
    memory = int(busy * task_paths * months * resources.BYTES_PER_PATH_MONTH
                 + sets * (d + outputs) * DESIGN_BYTES_PER_VALUE)
    p = Plan(method, samples, paths, sets, tasks, cpu / busy, memory, busy)
    if not check:
        return p
    if samples < MIN_SAMPLES[method]:
        what = "base samples (the bootstrap resamples them)" if method == "sobol" else \
            "trajectories (sigma needs two elementary effects)"
        raise ArgumentError("samples", f"{samples:,} is too few for {method}: at least "
                            f"{MIN_SAMPLES[method]} {what}; the default is "
                            f"{256 if method == 'sobol' else 20}")
    # name the flag that is further above its default
    culprit = "paths_per_sample" if paths / 2048 > samples / MIN_SAMPLES[method] / 32 \
        else "samples"
    if p.seconds > resources.MAX_HOURS * 3600:
        raise ArgumentError(culprit, f"{samples:,} x {paths:,} paths per sample is "
                            f"{sets:,} parameter sets and {sets * paths:,} paths, about "
                            f"{duration(p.seconds)} on {busy} worker(s); the limit is "
                            f"{resources.MAX_HOURS:g} hours: use fewer samples or paths per "
                            "sample, or more workers")
    memory_total = resources.physical_memory()
    if memory_total and p.memory > resources.MAX_MEMORY_SHARE * memory_total:
        raise ArgumentError(culprit, f"{samples:,} x {paths:,} paths per sample would need "
                            f"about {p.memory / 2**30:,.1f} GiB, more than "
                            f"{resources.MAX_MEMORY_SHARE:.0%} of this machine's "
                            f"{memory_total / 2**30:,.1f} GiB: use fewer samples or paths")
    return p


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3.3 hours`` or ``1.2e+09 hours``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    hours = seconds / 3600
    return f"{hours:,.1f} hours" if hours < 1e6 else f"{hours:.1e} hours"
