"""``ipsim run SCENARIO``: simulate one scenario, write tables and plots, print the odds."""

from __future__ import annotations

from collections.abc import Callable

from ipsim.cli.drivers import add_drivers_options
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


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="simulate a scenario and write tables and plots")
    p.add_argument("scenario", help="scenario YAML file, or a variant file naming its base: "
                   "(e.g. written by ipsim calibrate)")
    p.add_argument("--drivers", action="store_true",
                   help="also find what drives failure from this run's kept paths "
                   "(written to <out>/drivers/; see ipsim drivers)")
    add_drivers_options(p)
    add_run_options(p, out_help="output folder (default results/<name>/)")
    add_lang_option(p)


def add_lang_option(p) -> None:
    """``--lang en|zh``: the language of the table printed on the terminal."""
    from ipsim.report.i18n import LANGUAGES

    p.add_argument("--lang", choices=LANGUAGES, default="en",
                   help="language of the table on the terminal: en (default) or zh; "
                   "ipsim report --lang zh writes the Chinese report")


def print_table(summary: dict, lang: str = "en") -> None:
    """The attainment table: one line per target, then all targets and the mid-term release,
    in ``lang`` (target labels in ``lang`` where the scenario gives them)."""
    from ipsim.report import numbers as num
    from ipsim.report.i18n import tr
    from ipsim.report.terminal import table

    labels = summary.get("target_labels", {})
    print(tr(lang, "cli.run_head", scenario=summary["scenario"],
             paths=f"{summary['paths']:,}", seed=summary["seed"],
             seconds=f"{summary['elapsed_s']:.1f}"))
    rows = [*[{**t, "label": labels.get(t["id"], {}).get(lang, t["label"])}
              for t in summary["targets"]],
            {**summary["all_targets"], "label": tr(lang, "cli.all_targets")},
            {**summary["midterm_release"], "label": tr(lang, "cli.midterm")}]
    cells = [[tr(lang, "cli.col_target"), tr(lang, "cli.col_p"), tr(lang, "cli.col_ci")]]
    cells += [[r["label"], num.percent(r["probability"], lang),
               num.interval(r["ci_low"], r["ci_high"], lang)] for r in rows]
    print("\n".join(table(cells, "<><")))


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.report.i18n import tr
    from ipsim.report.outputs import KEPT_INSIDE

    preload(args)
    arm()
    check_engine(args.engine)
    scenario = api.load_runnable(args.scenario)
    warn(scenario)
    seed = scenario.seed if args.seed is None else args.seed
    out = output_folder(args.out, (scenario.name,), "run", KEPT_INSIDE)
    if args.drivers:
        from ipsim.cli.drivers import check_drivers

        check_drivers(scenario, out / "drivers")
    keep = min(args.keep_paths, args.paths)
    result = simulated(args, arm, lambda **o: api.run(scenario, seed=seed, keep_paths=keep,
                                                      **o))
    summary = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        print_table(summary, args.lang)
        print_precision(summary)
        print(tr(args.lang, "cli.written", out=out))
    if args.drivers:
        from ipsim.cli.drivers import write_and_print

        write_and_print(result, out / "drivers", args, arm)
    return 0
