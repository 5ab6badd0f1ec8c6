"""Benchmark of ``ipsim compare``: the base and four variants against one base run.

The base run is timed before and after the comparison and the two are averaged, so a
change in the machine's load during the benchmark shows as a gap between them.

Running k scenarios on common random numbers must cost no more than k separate runs: each
chunk simulates every scenario on the same paths (the random numbers are generated again
per scenario, not stored), and the extra reduction (pairwise discordant counts of every
target) is a few boolean sums per chunk.

Usage: ``python bench/compare_bench.py [--paths 1000000] [--workers 2] [--scenario FILE]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

from ipsim.analysis.compare import compare
from ipsim.scenario.variants import load_variants
from ipsim.study.pipeline import run

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished worker processes."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "key-city-2020.yaml"))
    parser.add_argument("--variants", type=int, default=4, help="how many variants (first k)")
    args = parser.parse_args()
    base, variants = load_variants(args.scenario)
    variants = variants[:args.variants]
    print(f"ipsim compare benchmark: {args.paths:,} paths, {args.workers} worker(s), "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; load average "
          f"{os.getloadavg()[0]:.1f} at start")

    def timed(scenarios):
        t0, c0 = time.perf_counter(), _cpu()
        result = run(scenarios, args.paths, base.seed, workers=args.workers)
        return result, time.perf_counter() - t0, _cpu() - c0

    one, t1, c1 = timed([base])
    print(f"  base alone:                 {t1:8.1f} s wall {c1:8.1f} s CPU")
    many, t_all, c_all = timed([base, *variants])
    k = 1 + len(variants)
    print(f"  base + {len(variants)} variants, one run: {t_all:8.1f} s wall {c_all:8.1f} s CPU")
    c0 = time.process_time()
    comparison = compare([base, *variants], [r.tally for r in many.results])
    print(f"  paired statistics (compare): {time.process_time() - c0:.2f} s CPU")
    _, t2, c2 = timed([base])
    print(f"  base alone again:           {t2:8.1f} s wall {c2:8.1f} s CPU")
    t_base, c_base = (t1 + t2) / 2, (c1 + c2) / 2      # brackets drift in the machine's load
    print(f"  = {t_all / t_base:.2f} x the base run's wall time and {c_all / c_base:.2f} x its "
          f"CPU time for {k} scenarios (budget: {k} x); {c_all / k:.1f} CPU s a scenario")
    assert (one.base.tally.met == many.base.tally.met).all(), "the base must not change"
    for side in comparison.variants:
        j = side.joint
        print(f"    {side.name:<24} P(all) {j.attainment.estimate:6.2%}  diff "
              f"{j.diff.estimate * 100:+.2f} pp [{j.diff.ci_low * 100:+.2f}, "
              f"{j.diff.ci_high * 100:+.2f}]")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
