"""The engine's own random variates drawn by numpy's samplers: the floor of the issue-16 ratio.

Usage (from the repository root)::

    .venv/bin/python bench/floor_bench.py                 # one 8,192-path chunk, best of 5
    .venv/bin/python bench/floor_bench.py --paths 65536 --reps 3

The ratio of issue 16 compares the default scenario with a light model of 8 variates a
path-month (4 normals, 3 Poisson(50), 1 gamma(20)). The engine takes more variates than that:
every month its streams give 20 normals a path, 10 of which become Poisson counts and 2 gamma
amounts (loan sums and losses). This script records, for one chunk of the default scenario,
every count and amount the engine asks for (the means and shapes of each
``draws.poisson_from_normal`` and ``draws.gamma_from_normal`` call, caught by wrapping them),
then times in ONE process, alternately (best of ``--reps`` CPU seconds):

* the anchor (``bench/run_bench.py``'s, on one of its 65,536-path chunks);
* the floor: the engine's 20 normals a path-month plus numpy's own samplers for its counts and
  amounts at the recorded means and shapes (``Generator.poisson``, ``Generator.standard_gamma``):
  what any model with these draws costs before it does any arithmetic, whatever its code;
* the engine's own conversions of normals to those counts and amounts (exact inversion, so that
  a count is a monotone function of its normal: common random numbers across variants);
* the whole engine on the chunk (``vectorised.simulate``).

It prints each as CPU-ns a path-month and as a ratio to the anchor, and the ratio the issue
measures (2 workers against one core) that each would give with a perfect split over two
workers: half the one-core ratio. The draws of the start (once a path) and the parameters'
uniforms are left out of the floor, so it is a lower bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ipsim.engines import vectorised  # noqa: E402
from ipsim.engines.streams import BLOCK  # noqa: E402
from ipsim.model import draws  # noqa: E402
from ipsim.scenario.validate import load_scenario  # noqa: E402
from ipsim.study.pipeline import DEFAULT_CHUNK_PATHS, DEFAULT_KEEP_PATHS  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from run_bench import ANCHOR_CHUNK, ANCHOR_MONTHS, child_anchor  # noqa: E402


def record_requests(scenario, paths: int) -> tuple[list, list, int]:
    """Simulate one chunk of ``paths`` paths (past the kept paths, as most chunks of a run)
    and return every count mean array and every amount shape array the engine asked for,
    and the normals it drew a path-month."""
    counts, amounts = [], []
    poisson, gamma = draws.poisson_from_normal, draws.gamma_from_normal

    def poisson_seen(z, lam):
        counts.append(np.broadcast_to(lam, np.shape(z)).astype(float))
        return poisson(z, lam)

    def gamma_seen(z, shape, scale):
        amounts.append(np.broadcast_to(shape, np.shape(z)).astype(float))
        return gamma(z, shape, scale)

    first = -(-DEFAULT_KEEP_PATHS // BLOCK)
    draws.poisson_from_normal, draws.gamma_from_normal = poisson_seen, gamma_seen
    try:
        vectorised.simulate(scenario, scenario.seed, (first + paths // BLOCK) * BLOCK, first,
                            paths // BLOCK)
    finally:
        draws.poisson_from_normal, draws.gamma_from_normal = poisson, gamma
    normals, _ = vectorised.stream_plan(scenario)
    return counts, amounts, sum(k for _, k in normals)


def _cpu(fn) -> float:
    c = time.process_time()
    fn()
    return time.process_time() - c


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--paths", type=int, default=DEFAULT_CHUNK_PATHS,
                   help="paths of the engine's chunk (whole blocks of 4,096; default: a run's)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--scenario", default="scenarios/key-city-2020.yaml")
    args = p.parse_args(argv)
    paths = args.paths // BLOCK * BLOCK
    s = load_scenario(str(ROOT / args.scenario))
    load0 = os.getloadavg()[0]
    counts, amounts, per_month = record_requests(s, paths)
    months = s.horizon_months
    path_months = paths * months
    rng = np.random.Generator(np.random.PCG64(1))
    z_counts = [rng.standard_normal(lam.shape) for lam in counts]
    z_amounts = [rng.standard_normal(k.shape) for k in amounts]
    normals = np.empty((paths, per_month))
    first = -(-DEFAULT_KEEP_PATHS // BLOCK)

    def anchor():                     # as bench/run_bench.py: one chunk of its size
        child_anchor({"paths": ANCHOR_CHUNK, "seed": 1})

    def floor_normals():
        for _ in range(months):
            rng.standard_normal(out=normals)

    def floor_counts():
        for lam in counts:
            rng.poisson(lam)

    def floor_amounts():
        for k in amounts:
            rng.standard_gamma(k)

    def engine_counts():
        for z, lam in zip(z_counts, counts, strict=True):
            draws.poisson_from_normal(z, lam)

    def engine_amounts():
        for z, k in zip(z_amounts, amounts, strict=True):
            draws.gamma_from_normal(z, k, 1.0)

    def engine():
        vectorised.simulate(s, s.seed, (first + paths // BLOCK) * BLOCK, first, paths // BLOCK)

    parts = {"anchor": anchor, "normals": floor_normals, "counts": floor_counts,
             "amounts": floor_amounts, "engine counts": engine_counts,
             "engine amounts": engine_amounts, "engine": engine}
    best = dict.fromkeys(parts, float("inf"))
    engine()                                     # warm-up (scipy's caches, page faults)
    for _ in range(args.reps):
        for name, fn in parts.items():
            best[name] = min(best[name], _cpu(fn))
    load1 = os.getloadavg()[0]
    ns = {k: v / path_months * 1e9 for k, v in best.items()}
    ns["anchor"] = best["anchor"] / (ANCHOR_CHUNK * ANCHOR_MONTHS) * 1e9
    floor = ns["normals"] + ns["counts"] + ns["amounts"]
    conversions = ns["normals"] + ns["engine counts"] + ns["engine amounts"]
    a = ns["anchor"]
    all_means = np.concatenate([c.ravel() for c in counts])
    print(f"{args.scenario}, one chunk of {paths:,} paths x {months} months, best of "
          f"{args.reps} CPU seconds, load {load0:.1f}-{load1:.1f}")
    print(f"the engine's variates a path-month: {per_month} normals, {len(counts) / months:g} "
          f"Poisson counts (means: median {np.median(all_means):.2f}, "
          f"{np.mean(all_means < 10):.0%} below 10, {np.mean(all_means == 0):.0%} zero), "
          f"{len(amounts) / months:g} gamma amounts")
    print("the anchor's: 4 normals, 3 Poisson(50), 1 gamma(20)\n")
    rows = [
        ("anchor", a),
        (f"floor: {per_month} normals", ns["normals"]),
        ("floor: counts by Generator.poisson", ns["counts"]),
        ("floor: amounts by Generator.standard_gamma", ns["amounts"]),
        ("floor, all (numpy's samplers for the engine's variates)", floor),
        ("engine's conversions: counts (exact inversion)", ns["engine counts"]),
        ("engine's conversions: amounts", ns["engine amounts"]),
        ("normals + the engine's conversions", conversions),
        ("whole engine (vectorised.simulate)", ns["engine"]),
        ("  of which arithmetic (engine - normals - conversions)", ns["engine"] - conversions),
    ]
    print(f"{'what':<58}{'CPU-ns a path-month':>20}{'/ anchor':>10}{'2-worker ratio':>16}")
    for label, v in rows:
        print(f"{label:<58}{v:>20,.0f}{v / a:>10.2f}{v / a / 2:>16.2f}")
    print("\n2-worker ratio: the issue's ratio (2 workers against the anchor on one core) with a "
          "perfect split\nover two workers: half the one-core ratio (issue 16: goal <= 1.0, "
          "must <= 1.5).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
