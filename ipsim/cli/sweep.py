"""``ipsim sweep SCENARIO --param KEY=START:STOP:N``: attainment across one or two levers."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ipsim.cli.options import (
    add_run_options,
    check_engine,
    output_folder,
    preload,
    print_precision,
    simulated,
    warn,
)

__all__ = ["add_parser", "main"]

DEFAULT_PATHS = 20_000


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="attainment at every value of one or two policy levers, "
                       "on common random numbers (curve or heat map, best point)")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--param", action="append", required=True, metavar="KEY=VALUES",
                   help="a lever and its values: KEY=START:STOP:N (N evenly spaced values, "
                   "both ends included) or KEY=v1,v2,...; KEY is a key path as in variants: "
                   "(policy.allocation.risk_pool); give it twice for a grid")
    p.add_argument("--balance", default=None, metavar="SHARE,...",
                   help="allocation shares that give up (or receive) what the swept shares "
                   "gain (or lose), in proportion to their shares in the scenario, so that "
                   "the allocation's sum stays fixed (e.g. interest_subsidy,transfer_subsidy)")
    p.add_argument("--no-cache", action="store_true",
                   help="run every task again (finished tasks are still cached)")
    add_run_options(p, out_help="output folder (default results/<name>/sweep/)",
                    paths_default=DEFAULT_PATHS)


def _show(values) -> str:
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def _print(data: dict) -> None:
    """One line per point (joint attainment, interval, release), then the best point."""
    keys = [lv["key"] for lv in data["levers"]]
    head = ", ".join(k.split(".")[-1] for k in keys)
    width = max(len(head), *(len(_show(p["values"].values())) for p in data["points"])) + 2
    print(f"{data['scenario']}: {len(data['points'])} points ({data['feasible_points']} "
          f"feasible), {data['paths']:,} paths each on common random numbers, seed "
          f"{data['seed']}, {data['elapsed_s']:.1f} s ({data['reused_tasks']} of "
          f"{data['tasks']} tasks reused from the cache)")
    print(f"{head:<{width}} {'all targets':>11}   {'95 % interval':<17} {'mid-term release':>16}")
    for p in data["points"]:
        label = _show(p["values"].values())
        if not p["feasible"]:
            print(f"{label:<{width}} {'infeasible':>11}   {p['infeasible_reason']}")
            continue
        j, r = p["all_targets"], p["midterm_release"]
        star = "  <- best" if p["index"] == data["best"]["point"] else ""
        interval = f"[{j['ci_low']:.2%}, {j['ci_high']:.2%}]"
        print(f"{label:<{width}} {j['probability']:>11.2%}   {interval:<17} "
              f"{r['probability']:>16.1%}{star}")
    b = data["best"]
    if b.get("runner_up") is None:
        return
    verdict = "distinguishable" if b["distinguishable"] else \
        "not distinguishable: the interval includes 0"
    print(f"best: {_show(b['values'])} ({b['best_probability']:.2%}), ahead of "
          f"{_show(b['runner_up_values'])} ({b['runner_up_probability']:.2%}) by "
          f"{b['diff'] * 100:+.2f} pp [{b['diff_ci_low'] * 100:+.2f}, "
          f"{b['diff_ci_high'] * 100:+.2f}] on the same paths, McNemar p = "
          f"{b['p_value']:.2g}: {verdict}")


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.cli.parsing import parse_lever, parse_names
    from ipsim.report.sweep import CACHE
    from ipsim.scenario.points import count_points

    preload(args)
    arm()
    check_engine(args.engine)
    levers = [parse_lever(text) for text in args.param]
    count_points(levers)
    balance = parse_names(args.balance)
    base = api.load(args.scenario)
    warn(base)
    seed = base.seed if args.seed is None else args.seed
    out = output_folder(args.out, (base.name, "sweep"), "sweep", (CACHE,))
    points = api.sweep_points(base, levers, balance)          # every point checked first
    feasible = sum(p.feasible for p in points)
    result = simulated(args, arm, lambda **o: api.sweep(
        base, levers, balance=balance, seed=seed, points=points, cache=out / CACHE,
        reuse=not args.no_cache, **o), total=args.paths * feasible)
    if result.run.rejected:
        n = len(result.run.rejected)
        print(f"ipsim: note: {n} task cache entr{'y' if n == 1 else 'ies'} in {out / CACHE} "
              f"did not pass {'its' if n == 1 else 'their'} checks (damaged or altered) and "
              f"{'was' if n == 1 else 'were'} computed again", file=sys.stderr)
    data = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        _print(data)
        print_precision(data)
        print(f"results written to {out}/")
    return 0
