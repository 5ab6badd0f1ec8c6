"""Benchmark of ``ipsim optimise`` (issue 17), every figure of one run with the load average.

1. **The optimisers on a known optimum**: the programme-only scenario of
   ``tests/study/test_decide.py`` (three outputs, fixed unit costs, P(all) a product of
   Poisson tails, optimum found by scipy), searched by CMA-ES and by differential evolution
   on the same search paths: evaluations, the exact P(all) of each winner against the exact
   optimum.
2. **The optimisers on the default scenario** (all ten shares, ``--paths`` search paths,
   ``--workers`` workers): evaluations, the best search value and the verified odds of each
   method's winner; evaluations per second and wall time of the search and of the
   verification.
3. **Stability across seeds**: CMA-ES with ``--seeds`` search seeds; the verified odds of
   each winner (and of the plan) on the same fresh paths of each seed.

Usage: ``python bench/optimise_bench.py [--paths 20000] [--verify-paths 200000]
[--workers 2] [--seeds 1,2,3] [--skip-de]``.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from scipy import optimize, stats

import ipsim
from ipsim.scenario.validate import build
from ipsim.scenario.yaml_loader import Marks

BUDGET, UNIT = 24e6, 1e6
OUTPUTS = {"navigation": ("navigation_projects", 7), "operation_centres":
           ("operation_centres", 4), "sme_transformation": ("sme_transformations", 9)}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def programme_only(base):
    data = dict(base.raw)
    data.pop("variants", None)
    data.pop("provenance", None)
    data.update(name="programme-only", horizon_months=12)
    alloc = {lv: 0.0 for lv in base.policy.allocation}
    alloc.update(navigation=0.3, operation_centres=0.3, sme_transformation=0.4)
    data["policy"] = {"budget": BUDGET, "tranches": [
        {"month": 0, "amount": BUDGET / 2}, {"month": 6, "amount": BUDGET / 2,
                                             "conditional": True}],
        "allocation": alloc, "fast_track_share": 0.1, "midterm": {"month": 6, "rule": "always"}}
    data["parameters"] = {**data["parameters"], "programme": {
        k: v for out, _ in OUTPUTS.values()
        for k, v in ((f"{out}_unit_cost", UNIT), (f"{out}_background", 0.0))}}
    data["targets"] = [{"id": lv, "indicator": out, "measure": "cumulative", "op": ">",
                        "threshold": k} for lv, (out, k) in OUTPUTS.items()]
    return build(data, Marks({}), "<bench>", "")


def p_all(shares) -> float:
    return float(np.prod([stats.poisson.sf(k, max(s, 1e-12) * BUDGET / UNIT)
                          for s, (_, k) in zip(shares, OUTPUTS.values(), strict=True)]))


def exact_optimum() -> float:
    cons = {"type": "eq", "fun": lambda s: s.sum() - 1.0}
    return max(-optimize.minimize(lambda s: -p_all(s), np.array(x0), bounds=[(0, 1)] * 3,
                                  constraints=cons, method="SLSQP").fun
               for x0 in ([1 / 3] * 3, [0.3, 0.2, 0.5]))


def line(method, r, extra=""):
    w = r.run.winner
    return (f"  {method:<6} {r.run.evaluations:5d} evaluations, {len(r.run.trace):3d} "
            f"generations ({r.run.stop_reason}); search {r.run.search_s:7.1f} s "
            f"({r.run.evaluations / r.run.search_s:.2f} evaluations/s), total "
            f"{r.run.elapsed_s:7.1f} s; search best {max(c.value for c in r.run.candidates):.4f}"
            f", verified {w.objective.value:.4f} [{w.objective.ci_low:.4f}, "
            f"{w.objective.ci_high:.4f}], plan {r.run.plan.objective.value:.4f}{extra}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=20_000)
    ap.add_argument("--verify-paths", type=int, default=200_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--skip-de", action="store_true")
    a = ap.parse_args()
    base = ipsim.load("scenarios/key-city-2020.yaml")
    methods = ["cmaes"] + ([] if a.skip_de else ["de"])
    print(f"ipsim optimise bench: {a.workers} workers, {os.cpu_count()} CPUs; {load()}")

    print("1. known optimum (programme-only, 3 shares summing to 1, 4,096 search paths):")
    small = programme_only(base)
    best = exact_optimum()
    for method in methods:
        r = ipsim.optimise(small, shares=list(OUTPUTS), keep_total=True, paths=4096,
                           verify_paths=16384, method=method, workers=a.workers)
        shares = [r.winner[f"policy.allocation.{lv}"] for lv in OUTPUTS]
        print(line(method, r, f"; exact P(all) {p_all(shares):.4f} vs the optimum "
                              f"{best:.4f} ({(p_all(shares) - best) * 100:+.2f} pp)"))
    print(f"   {load()}")

    print(f"2. default scenario, all ten shares, {a.paths:,} search paths, "
          f"{a.verify_paths:,} verification paths:")
    for method in methods:
        t0 = time.perf_counter()
        r = ipsim.optimise(base, paths=a.paths, verify_paths=a.verify_paths, method=method,
                           workers=a.workers, seed=int(a.seeds.split(",")[0]))
        print(line(method, r, f"; wall {time.perf_counter() - t0:.0f} s"))
        print(f"   {load()}")

    print("3. stability across seeds (CMA-ES):")
    winners = []
    for seed in map(int, a.seeds.split(",")):
        r = ipsim.optimise(base, paths=a.paths, verify_paths=a.verify_paths,
                           workers=a.workers, seed=seed)
        winners.append(r)
        v = r.run.winner
        shares = ", ".join(f"{k.rsplit('.', 1)[-1]} {x:.1%}" for k, x in r.winner.items())
        print(f"  seed {seed}: verified {v.objective.value:.4f} [{v.objective.ci_low:.4f}, "
              f"{v.objective.ci_high:.4f}] (plan {r.run.plan.objective.value:.4f}), "
              f"{r.run.evaluations} evaluations, {r.run.elapsed_s:.0f} s; {shares}; {load()}")
    values = [w.run.winner.objective.value for w in winners]
    print(f"  spread of the verified odds across seeds: {min(values):.4f} to {max(values):.4f} "
          f"({(max(values) - min(values)) * 100:.2f} pp; one run's half-width "
          f"{1.96 * math.sqrt(values[0] * (1 - values[0]) / a.verify_paths) * 100:.2f} pp)")
    print(f"done; {load()}")


if __name__ == "__main__":
    main()
