"""``ipsim compare SCENARIO``: the base and its policy variants on the same random numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipsim.cli.options import (
    add_run_options,
    check_engine,
    load_plots,
    print_precision,
    simulated,
)
from ipsim.cli.parsing import parse_names
from ipsim.errors import UsageError

__all__ = ["add_parser", "main"]


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="compare policy variants with the base on the same "
                       "random numbers (paired differences)")
    p.add_argument("scenario", help="scenario YAML file with variants: (or a variant file "
                   "naming its base:)")
    p.add_argument("--variants", default=None,
                   help="comma-separated variant names, or variant files of this scenario "
                   "(default: every variant in the file)")
    add_run_options(p, out_help="output folder (default results/<name>/compare/)")


def _pp(x: float) -> str:
    return f"{x * 100:+.2f}"


def _print_comparison(data: dict) -> None:
    """One line per scenario: joint attainment, its paired difference from the base, McNemar's
    p, the mid-term release and the target that moves most; then the best for all targets."""
    base, sides = data["base"], data["variants"]
    width = max(len(s["name"]) for s in [base, *sides]) + 9
    print(f"{data['scenario']}: base and {len(sides)} variant(s) on the same "
          f"{data['paths']:,} paths, seed {data['seed']}, {data['elapsed_s']:.1f} s")
    print(f"{'':<{width}} {'all targets':>11}  {'difference from base, pp':<26} {'McNemar':>8} "
          f"{'mid-term':>9}  largest change in one target (pp)")
    print(f"{'scenario':<{width}} {'P(met)':>11}  {'[95 % paired interval]':<26} {'p':>8} "
          f"{'release':>9}")
    print(f"{base['name'] + ' (base)':<{width}} {base['all_targets']['probability']:>11.2%}  "
          f"{'':<26} {'':>8} {base['midterm_release']['probability']:>9.1%}")
    for v in sides:
        j = v["all_targets"]
        diff = f"{_pp(j['diff'])} [{_pp(j['diff_ci_low'])}, {_pp(j['diff_ci_high'])}]"
        top = max(v["targets"], key=lambda r: abs(r["diff"]))
        print(f"{v['name']:<{width}} {j['probability']:>11.2%}  {diff:<26} "
              f"{j['p_value']:>8.2g} {v['midterm_release']['probability']:>9.1%}  "
              f"{top['label']} {_pp(top['diff'])}")
    for v in sides:
        for note in v["pairing_notes"]:
            print(f"note: {v['name']} {note}")
    b = data["best"]
    if b.get("runner_up") is None:
        return
    verdict = ("distinguishable" if b["distinguishable"] else
               "not distinguishable: the interval includes 0")
    print(f"best for all targets at once: {b['best']} ({b['best_probability']:.2%}), ahead of "
          f"{b['runner_up']} ({b['runner_up_probability']:.2%}) by {_pp(b['diff'])} pp "
          f"[{_pp(b['diff_ci_low'])}, {_pp(b['diff_ci_high'])}], McNemar p = "
          f"{b['p_value']:.2g}: {verdict}")


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.report.outputs import check_out
    from ipsim.scenario.variants import load_variant_specs

    load_plots(args)
    arm()
    check_engine(args.engine)
    select = None
    if args.variants is not None:
        select = parse_names(args.variants)
        if not select:
            raise UsageError("--variants: give at least one variant name")
    base, variants = load_variant_specs(args.scenario, select)
    if not variants:
        raise UsageError(f"{args.scenario} has no variants to compare: add a variants: "
                         "section (see docs/compare.md) or name a variant file")
    seed = base.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("results") / base.name / "compare"
    check_out(out, marker="comparison.json")
    result = simulated(args, arm, lambda **o: api.compare(base, variants, seed=seed, **o))
    data = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        _print_comparison(data)
        print_precision(data, "every paired difference")
        print(f"results written to {out}/")
    return 0
