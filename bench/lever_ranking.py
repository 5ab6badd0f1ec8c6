"""Which uncertain parameters decide whether a policy variant beats its base?

For every uncertain parameter of the scenario, one at a time, the parameter is fixed at its
5th, 50th and 95th percentile (the others still drawn per path from their distributions) and
the variant is compared with the base on the same random numbers (``ipsim.compare``: the
paired difference in attainment with Newcombe's interval). A parameter *flips the ranking*
of a target when the difference is significantly positive at one end of its range and
significantly negative at the other (both 95 % intervals exclude 0). Where it flips, the
break-even value is interpolated linearly between the two grid points that bracket the sign
change. The figures in ``docs/model.md`` ("What decides the ranking of the levers") come
from this script.

Jointly, the pool beats the subsidies where the pool's leverage is high *and* the
subsidies' response is low, which no single parameter reaches. ``--joint N`` runs base and
variant once on ``N`` paths with every parameter drawn, and bins the paths by the ratio of
the two levers' first-order effects per yuan of budget, from each path's own draws:

    R = 3 (a_max - a0) L (12 / term) h_i / (u_i B)

(``L`` the lending multiple; a yuan in the pool frees ``L / term`` yuan of covered lending a
month, of which ``a_max - a0`` is extra; a budget yuan of interest subsidy is spent over the
three years, a third of a yuan a year, and raises demand by ``u_i / h_i`` of the baseline
lending ``B`` a year at small spend). Within each bin the paired difference of attainment
(common random numbers) estimates the variant's effect given the parameters; the break-even
``R`` and the share of the joint distribution above it follow.

Corners fix several pledge parameters at once at the ends of their ranges favourable to the
pool (the subsidies weak; the pool's leverage strong; both).

Usage: ``python bench/lever_ranking.py [--scenario FILE] [--variant NAME] [--paths 10000]
[--targets pledge_amount,all_targets] [--joint 100000] [--no-oat] [--json OUT]``. The
one-at-a-time part costs ``3 d + 1`` comparisons of two scenarios (``d`` uncertain
parameters): about 9 minutes for the key city at 10,000 paths on two shared cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

import ipsim
from ipsim.scenario.variants import variants_of
from ipsim.study.sensitivity import factors

ROOT = Path(__file__).resolve().parents[1]
QUANTILES = (0.05, 0.5, 0.95)
RATIO_EDGES = (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def _diffs(base, overrides: dict, variant: dict, targets, paths: int, seed: int) -> dict:
    """target -> (diff, low, high) of variant minus base, both with ``overrides``."""
    fixed = ipsim.with_overrides(base, overrides, name=base.name) if overrides else base
    table = ipsim.compare(fixed, {"variant": variant}, paths=paths, seed=seed).table()
    return {r["target"]: (r["diff"], r["diff_ci_low"], r["diff_ci_high"]) for r in table
            if r["scenario"] == "variant" and r["target"] in targets}


def _sign(d: tuple) -> int:
    """+1 / -1 when the interval excludes 0, else 0."""
    return 1 if d[1] > 0 else -1 if d[2] < 0 else 0


def _break_even(values, diffs) -> float | None:
    """The parameter value where the difference crosses 0 (linear between grid points)."""
    for i in range(len(values) - 1):
        (v0, v1), (d0, d1) = values[i:i + 2], diffs[i:i + 2]
        if d0 == 0:
            return float(v0)
        if d0 * d1 < 0:
            return float(v0 + (v1 - v0) * d0 / (d0 - d1))
    return None


def joint(base, variant: dict, targets, paths: int) -> dict:
    """Paired differences of attainment binned by the per-path strength ratio ``R``."""
    from ipsim.analysis.attainment import attainment_matrix
    from ipsim.study import pipeline

    other = ipsim.with_overrides(base, variant, name="variant")
    run = pipeline.run([base, other], paths, base.seed, keep_paths=paths)
    kept = [r.paths() for r in run.results]
    ids = [t.id for t in base.targets] + ["all_targets"]
    met = [attainment_matrix(base.targets, k) for k in kept]
    x = kept[0].inputs
    p = base.parameters["pledge"]

    def get(name):
        key = f"pledge.{name}"
        return x[key] if key in x else np.full(paths, float(p[name]))

    ratio = (3 * np.maximum(get("approval_max") - get("approval_base"), 0.0)
             * get("lending_multiple") * 12 / get("term_months")
             * get("interest_half_spend") / (get("interest_max_uplift")
                                             * base.baseline["pledge_amount"]))
    edges = np.array([0.0, *RATIO_EDGES, np.inf])
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (ratio >= lo) & (ratio < hi)
        n = int(inside.sum())
        if n < 2:
            continue
        row = {"ratio_low": float(lo), "ratio_high": float(hi), "paths": n}
        for t in targets:
            j = ids.index(t)
            d = met[1][inside, j].astype(float) - met[0][inside, j]
            row[t] = (float(d.mean()), float(d.std(ddof=1) / np.sqrt(n)))
        rows.append(row)
    out = {"paths": paths, "bins": rows, "median_ratio": float(np.median(ratio))}
    for t in targets:
        # the sign change between the last bin significantly below 0 and the first one
        # significantly above it (2 standard errors), if any
        mids = [float(np.median(ratio[(ratio >= r["ratio_low"]) & (ratio < r["ratio_high"])]))
                for r in rows]
        sig = [(m, r[t][0]) for m, r in zip(mids, rows, strict=True)
               if abs(r[t][0]) > 2 * r[t][1]]
        be = _break_even([m for m, _ in sig], [d for _, d in sig]) if sig else None
        out[f"break_even_{t}"] = be
        out[f"share_above_{t}"] = None if be is None else float(np.mean(ratio > be))
    return out


CORNERS = {
    "weak subsidy (interest_max_uplift p5, interest_half_spend p95)":
        {"interest_max_uplift": 0.05, "interest_half_spend": 0.95},
    "strong pool (lending_multiple, approval_max p95; approval_base, term_months p5)":
        {"lending_multiple": 0.95, "approval_max": 0.95, "approval_base": 0.05,
         "term_months": 0.05},
}
CORNERS["both"] = {**next(iter(CORNERS.values())), **list(CORNERS.values())[1]}


def corners(base, variant: dict, targets, paths: int) -> dict:
    """The difference with several pledge parameters fixed at once (the rest drawn)."""
    by_name = {f.name: f for f in factors(base) if f.section == "pledge"}
    out = {}
    for label, qs in CORNERS.items():
        fixed = {f"parameters.pledge.{n}": float(by_name[n].values(np.array([q]))[0])
                 for n, q in qs.items() if n in by_name}
        out[label] = {"fixed": fixed,
                      "diff": _diffs(base, fixed, variant, targets, paths, base.seed)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "key-city-2020.yaml"))
    parser.add_argument("--variant", default="risk-pool-plus")
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--targets", default="pledge_amount,all_targets")
    parser.add_argument("--joint", type=int, default=0,
                        help="paths of the joint, ratio-binned analysis (0: skip it)")
    parser.add_argument("--no-oat", action="store_true", help="skip the one-at-a-time part")
    parser.add_argument("--json", default=None, help="write the figures here as JSON")
    args = parser.parse_args()
    base = ipsim.load(args.scenario)
    variant = next(v for v in variants_of(base) if v.name == args.variant).overrides
    targets = tuple(args.targets.split(","))
    t0 = time.perf_counter()
    reference = _diffs(base, {}, variant, targets, args.paths, base.seed)
    print(f"{base.name}: {args.variant} minus base, {args.paths:,} paths, seed {base.seed}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("all parameters drawn: " + "; ".join(
        f"{t} {d[0]:+.2%} [{d[1]:+.2%}, {d[2]:+.2%}]" for t, d in reference.items()))
    rows = []
    for f in [] if args.no_oat else factors(base):
        values = [float(f.values(np.array([q]))[0]) for q in QUANTILES]
        per = [_diffs(base, {f"parameters.{f.label}": v}, variant, targets, args.paths,
                      base.seed) for v in values]
        for t in targets:
            d = [p[t] for p in per]
            flips = {_sign(d[0]), _sign(d[-1])} == {-1, 1}
            rows.append({"parameter": f.label, "target": t, "values": values,
                         "diff": [x[0] for x in d], "low": [x[1] for x in d],
                         "high": [x[2] for x in d], "swing": abs(d[-1][0] - d[0][0]),
                         "flips": flips,
                         "break_even": _break_even(values, [x[0] for x in d]) if flips
                         else None})
    rows.sort(key=lambda r: (r["target"], -r["swing"]))
    for t in targets if rows else ():
        print(f"\n{t}: difference at the parameter's 5th / 50th / 95th percentile")
        print(f"{'parameter':<42} {'p5':>8} {'p50':>8} {'p95':>8}  flips  break-even")
        for r in (r for r in rows if r["target"] == t):
            be = "" if r["break_even"] is None else f"{r['break_even']:.4g}"
            print(f"{r['parameter']:<42} " + " ".join(f"{x:>+8.2%}" for x in r["diff"])
                  + f"  {'yes' if r['flips'] else '':>5}  {be}")
    corner_result = corners(base, variant, targets, args.paths)
    print("\nseveral parameters fixed at once (the others drawn):")
    for label, c in corner_result.items():
        print(f"  {label}: " + "; ".join(f"{t} {d[0]:+.2%} [{d[1]:+.2%}, {d[2]:+.2%}]"
                                          for t, d in c["diff"].items()))
    joint_result = joint(base, variant, targets, args.joint) if args.joint else None
    if joint_result:
        print(f"\njoint: {args.joint:,} paths binned by R (median R "
              f"{joint_result['median_ratio']:.3g})")
        print(f"{'R from':>8} {'to':>6} {'paths':>7} " + " ".join(f"{t:>22}" for t in targets))
        for r in joint_result["bins"]:
            print(f"{r['ratio_low']:>8.3g} {r['ratio_high']:>6.3g} {r['paths']:>7} " + " ".join(
                f"{r[t][0]:>+14.2%} (+-{r[t][1]:.2%})" for t in targets))
        for t in targets:
            be = joint_result[f"break_even_{t}"]
            print(f"{t}: break-even R " + ("none in range" if be is None else
                  f"{be:.3g}; share of the joint distribution above it "
                  f"{joint_result[f'share_above_{t}']:.1%}"))
    print(f"\n{time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "scenario": base.name, "scenario_sha256": base.sha256, "variant": args.variant,
            "paths": args.paths, "seed": base.seed, "ipsim_version": ipsim.__version__,
            "reference": reference, "rows": rows, "corners": corner_result,
            "joint": joint_result}, indent=1),
            encoding="utf-8")


if __name__ == "__main__":
    main()
