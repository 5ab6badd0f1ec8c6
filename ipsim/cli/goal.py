"""``ipsim goal SCENARIO --target ID --probability P --lever KEY``: the least lever value
whose verified one-sided 95 % lower bound of P(target) reaches P."""

from __future__ import annotations

from collections.abc import Callable

from ipsim.cli.options import (
    add_run_options,
    checked,
    dask_address,
    output_folder,
    positive_int,
    preload,
    progress_bar,
)

__all__ = ["add_parser", "main"]

DEFAULT_PATHS = 20_000
DEFAULT_VERIFY_PATHS = 100_000


def _probability(text: str) -> float:
    import argparse

    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a probability, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1) (or 1% to 99%), got {text}")
    return value


def add_parser(sub) -> None:
    from ipsim.study.goal import DEFAULTS

    p = sub.add_parser("goal", help="the least value of a lever (share, fast track or budget) "
                       "that gives a target the asked odds, with 95 % confidence")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--target", required=True, help="the target's id")
    p.add_argument("--probability", type=_probability, required=True,
                   help="the asked odds, e.g. 0.8 or 80%%")
    p.add_argument("--lever", required=True, metavar="KEY",
                   help="policy.allocation.<lever>, policy.fast_track_share, or policy.budget "
                   "(every tranche scaled)")
    p.add_argument("--balance", default=None, metavar="SHARE,...",
                   help="allocation shares that give up (or take) what the lever gains (or "
                   "loses), in proportion to their shares")
    p.add_argument("--range", default=None, metavar="LO:HI",
                   help="values searched (default 0:1 for a share, 0:2x the budget)")
    p.add_argument("--grid", type=positive_int, default=DEFAULTS["grid"],
                   help=f"grid values over the range (default {DEFAULTS['grid']})")
    p.add_argument("--refine", type=positive_int, default=DEFAULTS["refine"],
                   help=f"fine steps a grid cell (default {DEFAULTS['refine']})")
    p.add_argument("--verify-paths", type=positive_int, default=DEFAULT_VERIFY_PATHS,
                   help=f"fresh paths of the verification (default {DEFAULT_VERIFY_PATHS:,})")
    p.add_argument("--no-cache", action="store_true", help="evaluate everything again")
    add_run_options(p, out_help="output folder (default results/<name>/goal/)",
                    paths_default=DEFAULT_PATHS)


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.cli.parsing import parse_interval, parse_names
    from ipsim.errors import UsageError
    from ipsim.report.goal import CACHE, answer_lines

    preload(args)
    arm()
    if args.engine != "vectorised":
        raise UsageError("--engine: goal runs on the vectorised engine only")
    base = api.load(args.scenario)
    seed = base.seed if args.seed is None else args.seed
    value_range = parse_interval("value_range", args.range) if args.range else None
    out = output_folder(args.out, (base.name, "goal"), "goal", (CACHE,))
    bar = progress_bar(None, args.quiet, unit="path")
    try:
        result = api.goal(base, args.target, args.probability, args.lever,
                          balance=parse_names(args.balance), value_range=value_range,
                          paths=args.paths, verify_paths=args.verify_paths, seed=seed,
                          grid=args.grid, refine=args.refine, workers=args.workers,
                          dask=dask_address(args), cache=out / CACHE,
                          reuse=not args.no_cache, progress=checked(bar.update, arm))
    finally:
        bar.close()
    arm()
    data = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        print("\n".join(answer_lines(data)))
        print(f"results written to {out}/")
    return 0
