"""``ipsim compare SCENARIO``: the base and its policy variants on the same random numbers."""

from __future__ import annotations

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
from ipsim.cli.parsing import parse_names
from ipsim.cli.run import add_lang_option
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
    add_lang_option(p)


def _pp(x: float) -> str:
    return f"{x * 100:+.2f}"


def _print_comparison(data: dict, lang: str = "en") -> None:
    """One line per scenario: joint attainment, its paired difference from the base, McNemar's
    p, the mid-term release and the target that moves most; then the best for all targets."""
    from ipsim.report.i18n import tr
    from ipsim.report.numbers import p_relation, p_value
    from ipsim.report.terminal import table

    base, sides = data["base"], data["variants"]
    labels = data.get("target_labels", {})
    print(tr(lang, "cli.compare_head", scenario=data["scenario"], n=len(sides),
             paths=f"{data['paths']:,}", seed=data["seed"],
             seconds=f"{data['elapsed_s']:.1f}"))
    cells = [[tr(lang, "cli.col_scenario"), tr(lang, "cli.col_p_all"), tr(lang, "cli.col_diff"),
              tr(lang, "cli.col_mcnemar"), tr(lang, "cli.col_release"),
              tr(lang, "cli.col_largest")],
             [base["name"] + tr(lang, "plot.base_suffix"),
              f"{base['all_targets']['probability']:.2%}", "", "",
              f"{base['midterm_release']['probability']:.1%}", ""]]
    for v in sides:
        j = v["all_targets"]
        diff = f"{_pp(j['diff'])} [{_pp(j['diff_ci_low'])}, {_pp(j['diff_ci_high'])}]"
        top = max(v["targets"], key=lambda r: abs(r["diff"]))
        label = labels.get(top["id"], {}).get(lang, top["label"])
        cells.append([v["name"], f"{j['probability']:.2%}", diff, p_value(j["p_value"]),
                      f"{v['midterm_release']['probability']:.1%}",
                      f"{label} {_pp(top['diff'])}"])
    print("\n".join(table(cells, "<><>><")))
    for v in sides:
        for note in v["pairing_notes"]:
            print(f"note: {v['name']} {note}")
    b = data["best"]
    if b.get("runner_up") is None:
        return
    verdict = tr(lang, "cli.distinct" if b["distinguishable"] else "cli.not_distinct")
    print(tr(lang, "cli.compare_best", best=b["best"], p=f"{b['best_probability']:.2%}",
             runner=b["runner_up"], q=f"{b['runner_up_probability']:.2%}",
             diff=_pp(b["diff"]), low=_pp(b["diff_ci_low"]), high=_pp(b["diff_ci_high"]),
             p_value=p_relation(b["p_value"]), verdict=verdict))


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.report.i18n import tr
    from ipsim.scenario.variants import load_variant_specs

    preload(args)
    arm()
    check_engine(args.engine)
    select = None
    if args.variants is not None:
        select = parse_names(args.variants)
        if not select:
            raise UsageError("--variants: give at least one variant name")
    base, variants = load_variant_specs(args.scenario, select)
    warn(base, *(v.scenario for v in variants))
    if not variants:
        raise UsageError(f"{args.scenario} has no variants to compare: add a variants: "
                         "section (see docs/compare.md) or name a variant file")
    seed = base.seed if args.seed is None else args.seed
    out = output_folder(args.out, (base.name, "compare"), "compare")
    result = simulated(args, arm, lambda **o: api.compare(base, variants, seed=seed, **o))
    data = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        _print_comparison(data, args.lang)
        print_precision(data, "every paired difference")
        print(tr(args.lang, "cli.written", out=out))
    return 0
