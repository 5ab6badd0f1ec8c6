"""Benchmark of ``ipsim sensitivity``: a Sobol' analysis with 1 and 2 workers.

Times :func:`ipsim.study.sensitivity.run_sobol` (design, every parameter set, bootstrap) on the
default scenario and reports wall time, CPU/wall, parameter sets a second, paths a second,
the speed-up from 1 to 2 workers and whether both gave the same indices. The full size of
issue 8 (2,048 base samples x 4,096 paths per sample; with the 17 parameters of then, 38,912
sets and 159 million paths; 28 parameters since issue 14) takes hours on two cores; by
default a small size is measured and the full size is extrapolated from its paths a second,
labelled as such. ``--full`` runs the full size.

Usage: ``python bench/sensitivity_bench.py [--samples 8] [--paths-per-sample 2048]
[--full] [--scenario FILE]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import time
from pathlib import Path

from ipsim.scenario.validate import load_scenario
from ipsim.study.sensitivity import factors, run_sobol

ROOT = Path(__file__).resolve().parents[1]
FULL_SAMPLES, FULL_PATHS = 2048, 4096


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished worker processes."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8, help="base samples (power of 2)")
    parser.add_argument("--paths-per-sample", type=int, default=2048)
    parser.add_argument("--full", action="store_true",
                        help=f"{FULL_SAMPLES} samples x {FULL_PATHS} paths (hours)")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "key-city-2020.yaml"))
    args = parser.parse_args()
    n, m = (FULL_SAMPLES, FULL_PATHS) if args.full else (args.samples, args.paths_per_sample)
    scenario = load_scenario(args.scenario)
    d = len(factors(scenario))
    sets = n * (d + 2)
    print(f"ipsim sensitivity benchmark: Sobol', {d} parameters, {n} base samples x {m:,} "
          f"paths = {sets:,} sets, {sets * m:,} paths; {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"{'workers':>7} {'wall s':>8} {'CPU/wall':>8} {'sets/s':>8} {'paths/s':>9}  "
          f"indices sha256")
    rates = {}
    for workers in (1, 2):
        t0, c0 = time.perf_counter(), _cpu()
        r = run_sobol(scenario, n, m, scenario.seed, workers=workers)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        digest = hashlib.sha256(r.y.tobytes() + r.indices.first.tobytes()
                                + r.indices.total.tobytes()).hexdigest()[:16]
        rates[workers] = sets * m / wall
        print(f"{workers:>7} {wall:>8.1f} {cpu / wall:>8.2f} {sets / wall:>8.1f} "
              f"{rates[workers]:>9,.0f}  {digest}")
    print(f"speed-up 1 -> 2 workers: {rates[2] / rates[1]:.2f}x")
    if not args.full:
        full_paths = FULL_SAMPLES * (d + 2) * FULL_PATHS
        print(f"EXTRAPOLATED (not measured) full size, {FULL_SAMPLES} x {FULL_PATHS:,} paths "
              f"({full_paths:,} paths): {full_paths / rates[1] / 3600:.1f} h with 1 worker, "
              f"{full_paths / rates[2] / 3600:.1f} h with 2, at the paths/s above")


if __name__ == "__main__":
    main()
