"""``ipsim optimise SCENARIO``: the allocation with the best odds, verified on fresh paths."""

from __future__ import annotations

from collections.abc import Callable

from ipsim.cli.options import (
    add_run_options,
    dask_address,
    output_folder,
    positive_int,
    preload,
    progress_bar,
)

__all__ = ["add_parser", "main"]

DEFAULT_PATHS = 20_000
DEFAULT_VERIFY_PATHS = 200_000


def add_parser(sub) -> None:
    from ipsim.study.optimise import DEFAULTS

    p = sub.add_parser("optimise", help="search the allocation shares for the best odds on "
                       "common random numbers (CMA-ES), verified on fresh paths")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--levers", default=None, metavar="LEVER,...",
                   help="the shares searched (default: every lever of policy.allocation); "
                   "add fast_track_share to search it too")
    p.add_argument("--bounds", action="append", metavar="LEVER=LO:HI",
                   help="bounds of a share of each tranche (repeat for several levers)")
    p.add_argument("--keep-total", action="store_true",
                   help="keep the scenario's sum of the searched shares (default: the "
                   "allocation sums to at most 1)")
    p.add_argument("--objective", default="all", choices=("all", "expected"),
                   help="all: P(all targets) (default); expected: expected number met")
    p.add_argument("--targets", default=None, metavar="ID,...",
                   help="maximise P(all of these targets) instead")
    p.add_argument("--require", action="append", metavar="ID>=P",
                   help="chance constraint, e.g. pledge_amount>=0.8 (repeatable)")
    p.add_argument("--verify-paths", type=positive_int, default=DEFAULT_VERIFY_PATHS,
                   help=f"fresh paths of the verification (default {DEFAULT_VERIFY_PATHS:,})")
    p.add_argument("--method", default="cmaes", choices=("cmaes", "de"),
                   help="cmaes: CMA-ES (default); de: scipy's differential evolution")
    p.add_argument("--generations", type=positive_int, default=DEFAULTS["generations"],
                   help=f"generations at most (default {DEFAULTS['generations']})")
    p.add_argument("--patience", type=positive_int, default=DEFAULTS["patience"],
                   help="stop after this many generations without progress (default "
                   f"{DEFAULTS['patience']})")
    p.add_argument("--population", type=positive_int, default=None,
                   help="candidates a generation (default: the method's)")
    p.add_argument("--top", type=positive_int, default=DEFAULTS["top"],
                   help=f"best candidates verified with the plan (default {DEFAULTS['top']})")
    p.add_argument("--no-cache", action="store_true",
                   help="evaluate everything again (finished tasks are still cached)")
    add_run_options(p, out_help="output folder (default results/<name>/optimise/)",
                    paths_default=DEFAULT_PATHS)


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.cli.parsing import parse_bounds, parse_names, parse_requirements
    from ipsim.errors import UsageError
    from ipsim.report.optimise import CACHE, summary_lines

    preload(args)
    arm()
    if args.engine != "vectorised":
        raise UsageError("--engine: optimise runs on the vectorised engine only")
    base = api.load(args.scenario)
    seed = base.seed if args.seed is None else args.seed
    out = output_folder(args.out, (base.name, "optimise"), "optimise", (CACHE,))
    bar = progress_bar(None, args.quiet, unit="eval")

    def progress(n: int, best: float) -> None:
        bar.set_postfix_str(f"best so far {best:.4g}", refresh=False)
        bar.update(n)
        arm()

    vbar = []

    def verify_progress(n: int) -> None:
        if not vbar:
            bar.close()
            vbar.append(progress_bar(None, args.quiet, unit="path"))
        vbar[0].update(n)
        arm()

    try:
        result = api.optimise(
            base, shares=parse_names(args.levers) or None, bounds=parse_bounds(args.bounds),
            keep_total=args.keep_total, objective=args.objective,
            targets=parse_names(args.targets) or None,
            require=parse_requirements(args.require), paths=args.paths,
            verify_paths=args.verify_paths, seed=seed, method=args.method,
            generations=args.generations, patience=args.patience, population=args.population,
            top=args.top, workers=args.workers, dask=dask_address(args), cache=out / CACHE,
            reuse=not args.no_cache, progress=progress, verify_progress=verify_progress)
    finally:
        bar.close()
        for b in vbar:
            b.close()
    arm()
    data = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        print("\n".join(summary_lines(data)))
        print(f"results written to {out}/")
    return 0
