"""A policy sweep: the figure, every point's joint odds and release, and the best point."""

from __future__ import annotations

from ipsim.report import numbers as num
from ipsim.report.document import Column, Figure, Paragraph, Section, Table, interval_columns
from ipsim.report.folder import Node
from ipsim.report.sections.context import Context
from ipsim.report.sweep import sweep_figure

__all__ = ["section"]


def _value(v: Node) -> str | float:
    x = v.scalar()
    return x if isinstance(x, int | float) and not isinstance(x, bool) else str(x)


def _check(data: Node) -> None:
    levers = data["levers"].items()
    if not 1 <= len(levers) <= 2:
        data["levers"].fail("must hold one or two levers")
    for lv in levers:
        lv["key"].str()
        for v in lv["values"].items():
            v.scalar()
    size = 1
    for lv in levers:
        size *= len(lv["values"].list())
    points = data["points"].items()
    if len(points) != size:
        data["points"].fail(f"must hold one point per value (or pair of values): {size}")
    n = len(data["targets"].list())
    for t in data["targets"].items():
        t["id"].str()
        t["label"].str()
    for p in points:
        p["feasible"].bool()
        p["index"].int()
        if len(p["targets"].list()) != n:
            p["targets"].fail(f"must hold the {n} targets")
        for c in [*p["targets"].items(), p["all_targets"], p["midterm_release"]]:
            for k in ("probability", "ci_low", "ci_high"):
                c[k].prob(none=True)
    best = data["best"]
    if best.get("point") is not None and not 0 <= best["point"].int() < size:
        best["point"].fail(f"must be a point index in [0, {size - 1}]")
    data["scenario"].str()
    data["seed"].int()
    data["paths"].int(1)


def section(ctx: Context) -> Section:
    w, lang, data = ctx.w, ctx.lang, ctx.doc("sweep")
    _check(data)
    keys = [lv["key"].str() for lv in data["levers"].items()]
    cols = [Column(f"v{i}", k, "number") for i, k in enumerate(keys)]
    cols += [Column("probability", w("col.p_all"), "percent"),
             *interval_columns("ci", w("col.interval"), "ci_low", "ci_high", w("col.ci_low"),
                             w("col.ci_high")),
             Column("release", w("col.release"), "percent"), Column("note", w("col.note"))]
    best = data["best"].get("point")
    best_i = best.int() if best is not None else None
    rows = []
    for p in data["points"].items():
        values = p["values"]
        row = {f"v{i}": _value(values[k]) for i, k in enumerate(keys)}
        if not p["feasible"].bool():
            reason = p.get("infeasible_reason")
            row["note"] = w("sweep.infeasible") + (f": {reason.str()}" if reason else "")
        else:
            j = p["all_targets"]
            row.update(probability=j["probability"].prob(), ci_low=j["ci_low"].prob(),
                       ci_high=j["ci_high"].prob(), ci=(j["ci_low"].prob(), j["ci_high"].prob()),
                       release=p["midterm_release"]["probability"].prob(),
                       note=w("sweep.best") if p["index"].int() == best_i else "")
        rows.append(row)
    blocks: list = [Paragraph(w("sweep.intro", levers=w("list.sep").join(keys),
                                n=len(rows), paths=num.count(data["paths"].int())))]
    b = data["best"]
    if b.get("runner_up") is not None and b.has("diff"):
        key = "sweep.best_distinct" if b["distinguishable"].bool() else "sweep.best_same"
        show = [str(v.scalar()) for v in b["values"].items()]
        runner = [str(v.scalar()) for v in b["runner_up_values"].items()]
        blocks.append(Paragraph(w(key, best=", ".join(show), runner=", ".join(runner),
                                  p=num.percent(b["best_probability"].prob(), lang),
                                  q=num.percent(b["runner_up_probability"].prob(), lang),
                                  diff=num.points(b["diff"].num(-1, 1), lang),
                                  low=num.points(b["diff_ci_low"].num(-1, 1), lang),
                                  high=num.points(b["diff_ci_high"].num(-1, 1), lang)),
                                emphasis=True))
    labels = [ctx.label(t["id"].str(), t["label"].str()) for t in data["targets"].items()]
    ctx.plots  # noqa: B018  (fonts configured before drawing)
    blocks.append(Figure(ctx.svg(sweep_figure(data.value, lang, labels)),
                         w("figure.sweep_curves" if len(keys) == 1 else "figure.sweep_heatmap",
                           paths=num.count(data["paths"].int()))))
    blocks.append(Table(w("sheet.sweep"), w("sweep.table_caption"), cols, rows))
    return Section("sweep", w("section.sweep"), blocks)
