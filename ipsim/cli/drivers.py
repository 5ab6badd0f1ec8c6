"""``ipsim drivers SCENARIO``: what goes with failure on a path, from one ordinary run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipsim.cli.options import add_run_options, check_engine, output_folder, positive_int, preload

__all__ = ["add_parser", "main", "add_drivers_options", "write_and_print"]


def add_drivers_options(p) -> None:
    """``--keep-paths`` (the sample) and ``--paste``: shared by ``drivers`` and ``run``."""
    from ipsim.study.drivers import DEFAULT_KEEP_PATHS

    p.add_argument("--keep-paths", type=positive_int, default=DEFAULT_KEEP_PATHS,
                   help=f"paths kept whole, for quantiles and as the drivers' sample "
                   f"(default {DEFAULT_KEEP_PATHS:,}; at most --paths)")
    p.add_argument("--paste", action="store_true",
                   help="drivers: paste the chosen PRIM box (widen it while its density "
                   "rises)")


def add_parser(sub) -> None:
    p = sub.add_parser("drivers", help="what goes with failure on a path: filtering, "
                       "first-order indices, noise share and PRIM boxes from one run")
    p.add_argument("scenario", help="scenario YAML file with uncertain parameters")
    add_drivers_options(p)
    add_run_options(p, out_help="output folder (default results/<name>/drivers/)")


def print_drivers(data: dict) -> None:
    """One block per output: P(met), the three strongest inputs, the noise share, the box."""
    from ipsim.report.drivers import p_text

    print(f"{data['scenario']}: drivers from {data['sample']['note']}; seed {data['seed']}, "
          f"{data['elapsed_s']:.1f} s (the run: {data['run_elapsed_s']:.1f} s)")
    for o in data["outputs"]:
        print(f"\n{o['label']}: P(met) {100 * o['p_met']:.1f} %")
        if "skipped" in o:
            print(f"  {o['skipped']}")
            continue
        by = {i["input"]: i for i in o["inputs"]}
        for name in o["strongest"]:
            i = by[name]
            odds = " -> ".join(f"{100 * b['p_met']:.1f} %" for b in i["odds"])
            print(f"  {name:<40} S1 {i['S1']:.3f} [{i['S1_low']:.3f}, {i['S1_high']:.3f}]  "
                  f"KS p {p_text(i['ks_p_value'])}  odds by quarter {odds}")
        n = o.get("noise")
        if n:
            both = n.get("parameters_and_shocks_share_lower")
            with_shocks = (f"; with the shocks, at least {100 * both:.1f} %"
                           if both is not None else "")
            print(f"  parameters explain at least {100 * n['parameters_share_lower']:.1f} % "
                  f"of met/missed (path noise at most {100 * n['noise_share_upper']:.1f} %)"
                  f"{with_shocks}")
        pr = o["prim"]
        print(f"  PRIM: {pr.get('rule', pr.get('skipped'))}")


def check_drivers(scenario, out: Path | None = None) -> None:
    """Refuse, before the run, a scenario without uncertain parameters or a bad folder
    ``out`` (None: checked already, by :func:`ipsim.cli.options.output_folder`)."""
    from ipsim.runtime.folders import check_out
    from ipsim.study.sensitivity import factors

    factors(scenario)
    if out is not None:
        check_out(out, "drivers")


def write_and_print(result, out: Path, args, arm: Callable[[], None]) -> dict:
    """Find the drivers of ``result`` (an :class:`ipsim.RunResult`) on the command's workers,
    write them to ``out`` and print them unless ``--quiet``."""
    from ipsim.cli.options import dask_address
    from ipsim.report.drivers import write_drivers

    found = result.drivers(do_paste=args.paste, workers=args.workers,
                           dask=dask_address(args))
    arm()
    data = write_drivers(found, out, make_plots=not args.no_plots)
    if not args.quiet:
        print_drivers(data)
        print(f"drivers written to {out}/")
    return data


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.cli.options import simulated

    preload(args)
    arm()
    check_engine(args.engine)
    scenario = api.load_runnable(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    out = output_folder(args.out, (scenario.name, "drivers"), "drivers")
    check_drivers(scenario)
    keep = min(args.keep_paths, args.paths)
    result = simulated(args, arm, lambda **o: api.run(scenario, seed=seed, keep_paths=keep,
                                                      **o))
    write_and_print(result, out, args, arm)
    return 0
