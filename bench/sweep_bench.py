"""Benchmark of ``ipsim sweep``: a 20-point risk-pool sweep on 1 and 2 workers.

The risk-compensation pool's share goes from 5 % to 45 % of each tranche in 20 steps,
balanced from four other shares (``--balance``) so that every point is feasible; each point
runs on the same 100,000 paths (common random numbers). The sweep runs without a cache, on
one worker (in this process) and then on a local pool of two; it prints the wall and CPU
time, paths per second (points x paths / wall time), the speed-up, the load average and
whether both runs gave identical tallies (they must).

Usage: ``python bench/sweep_bench.py [--paths 100000] [--points 20] [--workers 1,2]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np

from ipsim.analysis.sweep import summarise
from ipsim.cli.parsing import parse_lever, parse_names
from ipsim.scenario.points import load_points
from ipsim.study.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
BALANCE = "interest_subsidy,transfer_subsidy,operation_platforms,sme_transformation"


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished worker processes."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                resource.getrusage(resource.RUSAGE_CHILDREN)))


def _digest(tallies) -> str:
    h = hashlib.sha256()
    for t in tallies:
        for value in vars(t).values():
            h.update(np.asarray(value).tobytes())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "key-city-2020.yaml"))
    args = parser.parse_args()
    levers = [parse_lever(f"policy.allocation.risk_pool=0.05:0.45:{args.points}")]
    base, points = load_points(args.scenario, levers, parse_names(BALANCE))
    print(f"ipsim sweep benchmark: {len(points)} points x {args.paths:,} paths, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; load average "
          f"{os.getloadavg()[0]:.1f} at start")
    first = None
    for workers in (int(w) for w in args.workers.split(",")):
        t0, c0 = time.perf_counter(), _cpu()
        run = run_sweep(base, levers, points, args.paths, base.seed, workers=workers)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        first = first or (workers, wall, _digest(run.tallies))
        rate = len(points) * args.paths / wall
        print(f"  {workers} worker(s): {wall:7.1f} s wall {cpu:7.1f} s CPU, {run.tasks} tasks, "
              f"{rate:,.0f} paths/s, speed-up {first[1] / wall:.2f} x over "
              f"{first[0]} worker(s); identical: {_digest(run.tallies) == first[2]}; load "
              f"average {os.getloadavg()[0]:.1f}")
    summary = summarise(points, run.tallies)
    best = summary.points[summary.best]
    print(f"  best point: risk_pool {best.point.values[0]:g}, P(all targets) "
          f"{best.columns[-1].estimate:.2%}; vs runner-up {summary.diff.estimate * 100:+.2f} pp "
          f"[{summary.diff.ci_low * 100:+.2f}, {summary.diff.ci_high * 100:+.2f}]")


if __name__ == "__main__":
    main()
