"""The comparison of policy variants: each variant against the base in words ("clearly
better", "not distinguishable") with the paired difference beside, the best for all targets
at once, and the two figures."""

from __future__ import annotations

from ipsim.report import numbers as num
from ipsim.report.comparison import comparison_figures
from ipsim.report.document import Column, Figure, Paragraph, Section, Table, interval_columns
from ipsim.report.folder import Node
from ipsim.report.sections.context import Context

__all__ = ["section", "verdict", "changes"]

_ROW = ("probability", "ci_low", "ci_high", "diff", "diff_ci_low", "diff_ci_high")


def verdict(low: float, high: float) -> str:
    """``better`` when the paired interval lies above 0, ``worse`` below, else ``same``."""
    return "better" if low > 0 else ("worse" if high < 0 else "same")


def _check_row(r: Node) -> None:
    for k in ("probability", "ci_low", "ci_high"):
        r[k].prob()
    for k in ("diff", "diff_ci_low", "diff_ci_high"):
        r[k].num(-1, 1)
    r["p_value"].num(0, 1)
    r["label"].str()
    r["id"].str()


def _check(data: Node) -> None:
    """Every key the figures and the table read, before any is drawn."""
    for side in [data["base"], *data["variants"].items()]:
        side["name"].str()
        for r in side["targets"].items():
            _check_row(r)
        _check_row(side["all_targets"])
        for k in ("probability", "ci_low", "ci_high"):
            side["midterm_release"][k].prob()
    n = len(data["base"]["targets"].list())
    for v in data["variants"].items():
        if len(v["targets"].list()) != n:
            v["targets"].fail(f"must list the base's {n} targets")
    data["scenario"].str()
    data["paths"].int(1)
    data["seed"].int()


def changes(ctx: Context, overrides: Node) -> str:
    """A variant's overrides in words: ``risk-compensation pool 35 %; fast track 40 %``."""
    parts = []
    for key, value in overrides.entries():
        v = value.scalar() if not isinstance(value.value, dict | list) else None
        if key.startswith("policy.allocation.") and isinstance(v, int | float):
            parts.append(ctx.w("compare.change_share", lever=ctx.lever(key.rsplit(".", 1)[1]),
                               value=num.percent(v, ctx.lang, 0)))
        elif ctx.w.has(f"override.{key}") and isinstance(v, int | float):
            shown = num.percent(v, ctx.lang, 0) if key.endswith(("share", "tolerance")) \
                else num.count(v)
            parts.append(ctx.w(f"override.{key}", value=shown))
        else:
            parts.append(f"{key} = {v if v is not None else '…'}")
    return ctx.w("list.sep").join(parts)


def section(ctx: Context) -> Section:
    w, lang, data = ctx.w, ctx.lang, ctx.doc("compare")
    _check(data)
    base = data["base"]
    blocks: list = [Paragraph(w("compare.intro", base=base["name"].str(),
                                n=len(data["variants"].list()),
                                paths=num.count(data["paths"].int())))]
    rows = [{"name": w("compare.base_name", name=base["name"].str()), "changes": "",
             "probability": base["all_targets"]["probability"].prob(),
             "ci_low": base["all_targets"]["ci_low"].prob(),
             "ci_high": base["all_targets"]["ci_high"].prob(),
             "release": base["midterm_release"]["probability"].prob()}]
    for v in data["variants"].items():
        j = v["all_targets"]
        d, lo, hi = (j[k].num(-1, 1) for k in ("diff", "diff_ci_low", "diff_ci_high"))
        identical = v.get("identical_to_base") is not None and v["identical_to_base"].bool()
        verdict_key = "identical" if identical else verdict(lo, hi)
        words = changes(ctx, v["overrides"]) if v.get("overrides") is not None else ""
        if lang == "en" and v.get("description") is not None and v["description"].str():
            words = v["description"].str().strip()
        rows.append({"name": v["name"].str(), "changes": words,
                     "probability": j["probability"].prob(), "ci_low": j["ci_low"].prob(),
                     "ci_high": j["ci_high"].prob(), "diff": d, "diff_ci_low": lo,
                     "diff_ci_high": hi, "p_value": j["p_value"].num(0, 1),
                     "verdict": w(f"compare.verdict_{verdict_key}"),
                     "release": v["midterm_release"]["probability"].prob()})
        top = max(v["targets"].items(), key=lambda r: abs(r["diff"].num()))
        blocks.append(Paragraph(w(
            f"compare.sentence_{verdict_key}", name=v["name"].str(),
            diff=num.points(d, lang), low=num.points(lo, lang), high=num.points(hi, lang),
            p=num.p_relation(j["p_value"].num(), lang),
            target=ctx.label(top["id"].str(), top["label"].str()),
            target_diff=num.points(top["diff"].num(), lang))))
    cols = [Column("name", w("col.variant")), Column("changes", w("col.changes"), wide=True),
            Column("probability", w("col.p_all"), "percent"),
            *interval_columns("ci", w("col.interval"), "ci_low", "ci_high", w("col.ci_low"),
                              w("col.ci_high"))[1:],
            Column("diff", w("col.diff"), "points"),
            *interval_columns("diff_ci", w("col.diff_interval"), "diff_ci_low",
                              "diff_ci_high", w("col.diff_low"), w("col.diff_high"), True),
            Column("p_value", w("col.p_value"), "pvalue"), Column("verdict", w("col.verdict")),
            Column("release", w("col.release"), "percent")]
    for r in rows:
        r["ci"] = (r["ci_low"], r["ci_high"])
        if "diff" in r:
            r["diff_ci"] = (r["diff_ci_low"], r["diff_ci_high"])
    blocks.append(Table(w("sheet.compare"), w("compare.table_caption"), cols, rows))
    best = data.get("best")
    if best is not None and best.get("runner_up") is not None and best.has("diff"):
        key = "compare.best_distinct" if best["distinguishable"].bool() else "compare.best_same"
        blocks.append(Paragraph(w(key, best=best["best"].str(),
                                  p=num.percent(best["best_probability"].prob(), lang),
                                  runner=best["runner_up"].str(),
                                  q=num.percent(best["runner_up_probability"].prob(), lang),
                                  diff=num.points(best["diff"].num(-1, 1), lang),
                                  low=num.points(best["diff_ci_low"].num(-1, 1), lang),
                                  high=num.points(best["diff_ci_high"].num(-1, 1), lang),
                                  p_value=num.p_relation(best["p_value"].num(0, 1), lang)),
                                emphasis=True))
    labels = [ctx.label(r["id"].str(), r["label"].str()) for r in base["targets"].items()]
    captions = {"attainment_by_variant": "figure.by_variant", "differences": "figure.forest"}
    plots = ctx.plots  # noqa: F841  (fonts configured before drawing)
    for stem, fig in comparison_figures(data.value, lang, labels):
        blocks.append(Figure(ctx.svg(fig), w(captions[stem], base=base["name"].str(),
                                             paths=num.count(data["paths"].int()))))
    return Section("compare", w("section.compare"), blocks)
