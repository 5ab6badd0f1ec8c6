"""Benchmark of the drivers: what finding the drivers of every target adds to a run.

Times one ordinary run of the default scenario (1,000,000 paths by default, the default
100,000 kept whole) and then :func:`ipsim.study.drivers.drivers_of` on its kept paths (every
target and all of them at once: filtering, indices, noise share, PRIM on its subsample with
the stability check), on the same number of workers, in the same process, so the ratio is
measured under the same load; then the writing of the tables, and of the plots, separately.
``--keep-all`` adds a second run that keeps every path and times the drivers on all of them.
The target (issue 18): the drivers add at most 10 % to the run's time.

Usage: ``python bench/drivers_bench.py [--paths 1000000] [--workers 2] [--keep-all]
[--scenario FILE]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from ipsim.report.drivers import write_drivers
from ipsim.scenario.validate import load_scenario
from ipsim.study import pipeline
from ipsim.study.drivers import DEFAULT_KEEP_PATHS, drivers_of

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.10


def _cpu() -> float:
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                resource.getrusage(resource.RUSAGE_CHILDREN)))


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _timed(fn):
    t0, c0, load = time.perf_counter(), _cpu(), _load()
    out = fn()
    return out, time.perf_counter() - t0, _cpu() - c0, f"{load} / {_load()}"


def measure(scenario, paths: int, keep: int, workers: int, plots: bool) -> dict:
    run, run_s, run_cpu, run_load = _timed(lambda: pipeline.run(
        [scenario], paths, scenario.seed, workers=workers, keep_paths=keep))
    result, drv_s, drv_cpu, drv_load = _timed(lambda: drivers_of(run, workers=workers))
    with tempfile.TemporaryDirectory() as tmp:
        _, tab_s, _, _ = _timed(lambda: write_drivers(result, Path(tmp) / "t",
                                                      make_plots=False))
        plot_s = None
        if plots:
            _, plot_s, _, _ = _timed(lambda: write_drivers(result, Path(tmp) / "p"))
    return {"keep": keep, "run_s": run_s, "run_cpu": run_cpu, "run_load": run_load,
            "drivers_s": drv_s, "drivers_cpu": drv_cpu, "drivers_load": drv_load,
            "tables_s": tab_s, "plots_s": plot_s, "sample": result.sample_paths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep-all", action="store_true",
                        help="also a run keeping every path, drivers on all of them")
    parser.add_argument("--no-plots", action="store_true", help="do not time the plots")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "key-city-2020.yaml"))
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    print(f"ipsim drivers benchmark: {scenario.name}, {args.paths:,} paths, {args.workers} "
          f"worker(s); {os.cpu_count()} CPUs, Python {platform.python_version()}; load "
          f"average {_load()} at start")
    keeps = [min(DEFAULT_KEEP_PATHS, args.paths)] + ([args.paths] if args.keep_all else [])
    print(f"{'sample':>9} {'run s':>8} {'CPU/wall':>8} {'drivers s':>9} {'CPU/wall':>8} "
          f"{'drivers/run':>11} {'tables s':>8} {'plots s':>8}  load (start / end of run; "
          f"of drivers)  10 % target")
    for keep in keeps:
        m = measure(scenario, args.paths, keep, args.workers, not args.no_plots)
        ratio = m["drivers_s"] / m["run_s"]
        plots = f"{m['plots_s']:8.1f}" if m["plots_s"] is not None else f"{'-':>8}"
        print(f"{m['sample']:>9,} {m['run_s']:8.1f} {m['run_cpu'] / m['run_s']:8.2f} "
              f"{m['drivers_s']:9.1f} {m['drivers_cpu'] / m['drivers_s']:8.2f} "
              f"{100 * ratio:10.1f}% {m['tables_s']:8.2f} {plots}  {m['run_load']}; "
              f"{m['drivers_load']}  {'met' if ratio <= TARGET else 'NOT met'}")
    print("drivers s: the analysis (filtering, indices, noise share, PRIM with its stability "
          "check on a 5,000-path subsample) of every target and all targets at once; tables "
          "and plots are written after it and timed apart")


if __name__ == "__main__":
    main()
