"""``ipsim run SCENARIO``: simulate one scenario, write tables and plots, print the odds."""

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

__all__ = ["add_parser", "main"]


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="simulate a scenario and write tables and plots")
    p.add_argument("scenario", help="scenario YAML file, or a variant file naming its base: "
                   "(e.g. written by ipsim calibrate)")
    add_run_options(p, out_help="output folder (default results/<name>/)")


def print_table(summary: dict) -> None:
    """The attainment table: one line per target, then all targets and the mid-term release."""
    width = max(len(t["label"]) for t in summary["targets"]) + 2
    print(f"{summary['scenario']}: {summary['paths']:,} paths, seed {summary['seed']}, "
          f"{summary['elapsed_s']:.1f} s")
    print(f"{'target':<{width}} {'P(met)':>8}   95 % interval")
    rows = [*summary["targets"], {**summary["all_targets"], "label": "ALL TARGETS"},
            {**summary["midterm_release"], "label": "mid-term tranche released"}]
    for r in rows:
        print(f"{r['label']:<{width}} {r['probability']:>8.1%}   "
              f"[{r['ci_low']:.1%}, {r['ci_high']:.1%}]")


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.report.outputs import KEPT_INSIDE, check_out

    load_plots(args)
    arm()
    check_engine(args.engine)
    scenario = api.load_runnable(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("results") / scenario.name
    check_out(out, kept=KEPT_INSIDE)
    result = simulated(args, arm, lambda **o: api.run(scenario, seed=seed, **o))
    summary = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        print_table(summary)
        print_precision(summary)
        print(f"results written to {out}/")
    return 0
