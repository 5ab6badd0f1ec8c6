"""``ipsim sensitivity SCENARIO``: which uncertain parameter drives attainment."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ipsim.cli.options import (
    checked,
    output_folder,
    positive_int,
    preload,
    progress_bar,
    seed,
    warn,
)
from ipsim.study.sensitivity_plan import DEFAULT_SAMPLES, METHODS

__all__ = ["add_parser", "main"]

DEFAULT_PATHS_PER_SAMPLE = 2048


def add_parser(sub) -> None:
    p = sub.add_parser("sensitivity", help="Sobol' indices or Morris screening of the "
                       "uncertain parameters, and a tornado chart")
    p.add_argument("scenario", help="scenario YAML file with uncertain parameters")
    p.add_argument("--method", choices=METHODS, default="sobol",
                   help="sobol (default): first-order and total indices, n (d + 2) parameter "
                   "sets; morris: screening, r (d + 1) sets")
    p.add_argument("--samples", type=positive_int, default=None,
                   help="base samples n for sobol (a power of 2; default 256) or "
                   "trajectories r for morris (default 20)")
    p.add_argument("--paths-per-sample", type=positive_int, default=DEFAULT_PATHS_PER_SAMPLE,
                   help=f"paths per parameter set, the same paths for every set "
                   f"(default {DEFAULT_PATHS_PER_SAMPLE:,})")
    p.add_argument("--seed", type=seed, default=None,
                   help="random seed (default: the scenario's, else 0)")
    p.add_argument("--workers", type=positive_int, default=1,
                   help="worker processes (default 1)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on this Dask scheduler (tcp://host:8786); same results")
    p.add_argument("--out", default=None,
                   help="output folder (default results/<name>/sensitivity/)")
    p.add_argument("--no-cache", action="store_true",
                   help="run every task again (finished tasks are still cached)")
    p.add_argument("--no-plots", action="store_true", help="write tables only")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no table")


def _print(data: dict, top: int = 8) -> None:
    joint = data["outputs"][-1]
    print(f"{data['scenario']}: {data['method']}, {data['samples']} samples, "
          f"{data['parameter_sets']:,} parameter sets x {data['paths_per_sample']:,} paths, "
          f"seed {data['seed']}, {data['elapsed_s']:.1f} s")
    print(f"P(all targets) averaged over the sets: {joint['mean_probability']:.1%}")
    key = "ST" if data["method"] == "sobol" else "mu_star"
    rows = sorted(joint["parameters"], key=lambda p: -(p[key] or 0))[:top]
    width = max(len(p["parameter"]) for p in rows) + 2
    if data["method"] == "sobol":
        print(f"{'parameter':<{width}} {'S1':>6} {'95 % interval':>17} {'ST':>6} "
              f"{'95 % interval':>17}")
        for p in rows:
            print(f"{p['parameter']:<{width}} {p['S1']:>6.2f} [{p['S1_low']:>6.2f}, "
                  f"{p['S1_high']:>6.2f}] {p['ST']:>6.2f} [{p['ST_low']:>6.2f}, "
                  f"{p['ST_high']:>6.2f}]")
    else:
        print(f"{'parameter':<{width}} {'mu*':>7} {'+/-':>7} {'sigma':>7}")
        for p in rows:
            print(f"{p['parameter']:<{width}} {p['mu_star']:>7.3f} {p['mu_star_conf']:>7.3f} "
                  f"{p['sigma']:>7.3f}")


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.report.sensitivity import CACHE
    from ipsim.scenario.variants import load_runnable
    from ipsim.study import sensitivity, sensitivity_plan

    preload(args)
    arm()
    scenario = load_runnable(args.scenario)
    warn(scenario)
    d = len(sensitivity.factors(scenario))   # refuses a scenario without uncertain parameters
    samples = args.samples or DEFAULT_SAMPLES[args.method]
    out = output_folder(args.out, (scenario.name, "sensitivity"), "sensitivity", (CACHE,))
    cost = sensitivity_plan.plan(args.method, samples, args.paths_per_sample, d,
                                 scenario.horizon_months, len(scenario.targets) + 1,
                                 workers=args.workers)   # refuses unreasonable sizes
    if not args.quiet:
        print(f"{scenario.name}: {args.method}, {cost.sets:,} parameter sets x "
              f"{args.paths_per_sample:,} paths, estimated "
              f"{sensitivity_plan.duration(cost.seconds)} on {cost.workers} worker(s)",
              file=sys.stderr)
    bar = progress_bar(cost.sets, args.quiet, unit="set")
    try:
        result = api.sensitivity(scenario, method=args.method, samples=samples,
                                 paths_per_sample=args.paths_per_sample, seed=args.seed,
                                 workers=args.workers, dask=args.dask, cache=out / CACHE,
                                 reuse=not args.no_cache, progress=checked(bar.update, arm))
    finally:
        bar.close()
    arm()
    data = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        _print(data)
        print(f"results written to {out}/ ({result.reused} of {result.reused + result.stored} "
              "tasks reused from the cache)")
    warn_untrusted(data)
    return 0


def warn_untrusted(data: dict) -> None:
    """One warning line on stderr per output whose result is not to be trusted, with the
    size that would fix it (also recorded in sensitivity.json), even with --quiet."""
    for o in data["outputs"]:
        t = o["trust"]
        if t["trusted"]:
            continue
        problems = "; ".join(p["message"] for p in t["problems"])
        print(f"ipsim: warning: {o['output']}: not to be trusted: {problems}; would need "
              f"about {t['fix']['text']}", file=sys.stderr)
    if data.get("fix_all"):
        print(f"ipsim: warning: to trust every output: {data['fix_all']['text']} (details in "
              "sensitivity.json, trust of each output)", file=sys.stderr)
