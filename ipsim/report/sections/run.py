"""The run: the first page (each target in words with its odds, all targets, the mid-term
release, the plan in yuan, the precision) and the run's figures (attainment, fan charts,
the distribution of each target's measure when the run wrote it)."""

from __future__ import annotations

import numpy as np

from ipsim.report import numbers as num
from ipsim.report.document import (
    Column,
    Figure,
    Image,
    Paragraph,
    Section,
    Table,
    interval_columns,
)
from ipsim.report.folder import Node, ResultError, csv_number
from ipsim.report.sections.context import INDICATOR_UNITS, Context

__all__ = ["summary", "figures", "target_rows", "plan_table", "GROWTH"]

GROWTH = ("cagr", "mean_yoy")
_COMMIT = ("0.5", "0.8", "0.9")


def _years(run: Node) -> tuple[int, int, int]:
    """(baseline year, last year, whole years) of the run."""
    start = run["start_year"].int(1)
    years = run["horizon_months"].int(1) // 12
    return start - 1, start - 1 + years, years


def describe(ctx: Context, t: Node, first: int, last: int) -> str:
    """A target in plain words: what is measured, over which years, against what."""
    measure = t["measure"].str()
    indicator = t["indicator"].str()
    op = ctx.w("op.at_least" if t["op"].str() in (">=", "<=") else "op.above")
    key = f"measure.{measure}" if ctx.w.has(f"measure.{measure}") else "measure.other"
    if measure == "event":
        return ctx.w(key, indicator=ctx.indicator(indicator),
                     month=num.count(t["threshold"].num(0)), last=last)
    threshold = t["threshold"].num()
    unit = INDICATOR_UNITS.get(indicator, "")
    shown = num.percent(threshold, ctx.lang) if measure in GROWTH else (
        num.yuan(threshold, ctx.lang) if unit == "yuan" else num.count(threshold))
    return ctx.w(key, indicator=ctx.indicator(indicator), first=first, last=last,
                 start=first + 1, op=op, threshold=shown, measure=measure)


def _commit(t: Node) -> dict[str, float | None]:
    node = t.get("commit")
    if node is None:
        return {}
    return {q: node[q].num(none=True) for q in _COMMIT if q in node.dict()}


def target_rows(ctx: Context, run: Node) -> list[dict]:
    """Per target: label, words, probability, interval, successes, paths, commit levels."""
    first, last, _ = _years(run)
    rows = []
    for t in run["targets"].items():
        tid = t["id"].str()
        rows.append({"id": tid, "label": ctx.label(tid, t["label"].str()),
                     "words": describe(ctx, t, first, last),
                     "probability": t["probability"].prob(), "ci_low": t["ci_low"].prob(),
                     "ci_high": t["ci_high"].prob(), "successes": t["successes"].int(),
                     "paths": t["paths"].int(1), "_measure": t["measure"].str(),
                     "_unit": INDICATOR_UNITS.get(t["indicator"].str(), ""),
                     "indicator": t["indicator"].str(), "threshold": t["threshold"].num(),
                     **{f"commit_{q}": v for q, v in _commit(t).items()}})
    return rows


def _joint(node: Node) -> dict:
    return {"probability": node["probability"].prob(), "ci_low": node["ci_low"].prob(),
            "ci_high": node["ci_high"].prob(), "successes": node["successes"].int(),
            "paths": node["paths"].int(1)}


def _precision(rows: list[dict]) -> float:
    return max((r["ci_high"] - r["ci_low"]) / 2 for r in rows)


def plan_table(ctx: Context, policy: Node) -> Table:
    """Central funds per lever (rows) and tranche (columns), in yuan, with the shares."""
    w = ctx.w
    tranches = [(t["month"].int(), t["amount"].num(0), t["conditional"].bool())
                for t in policy["tranches"].items()]
    shares = {k: v.num(0, 1) for k, v in policy["allocation"].entries()}
    cols = [Column("lever", w("plan.lever")), Column("share", w("plan.share"), "share")]
    for i, (month, _, conditional) in enumerate(tranches):
        cols.append(Column(f"t{i}", w("plan.tranche_conditional" if conditional else
                                      "plan.tranche", n=i + 1, month=month), "yuan"))
    cols.append(Column("total", w("plan.total"), "yuan"))
    rows = []
    total = sum(a for _, a, _ in tranches)
    unallocated = max(0.0, 1.0 - sum(shares.values()))
    entries = [(ctx.lever(k), v) for k, v in shares.items() if v > 0]
    if unallocated > 1e-9:
        entries.append((w("plan.unallocated"), unallocated))
    for name, share in entries:
        rows.append({"lever": name, "share": share, "total": share * total,
                     **{f"t{i}": share * a for i, (_, a, _) in enumerate(tranches)}})
    rows.append({"lever": w("plan.sum"), "share": sum(v for _, v in entries), "total": total,
                 **{f"t{i}": a for i, (_, a, _) in enumerate(tranches)}})
    return Table(w("sheet.plan"), w("plan.caption", budget=num.yuan(
        policy["budget"].num(0), ctx.lang)), cols, rows)


def _midterm_words(ctx: Context, policy: Node, labels: dict[str, str]) -> str:
    m = policy.get("midterm")
    if m is None:
        return ""
    rule = m["rule"].str()
    if rule != "on_track":
        return ctx.w(f"plan.midterm_{'always' if rule == 'always' else 'never'}",
                     month=m["month"].int())
    judged = [labels.get(tid.str(), tid.str()) for tid in m["targets"].items()]
    return ctx.w("plan.midterm_on_track", month=m["month"].int(),
                 k=m["min_on_track"].int(), n=len(judged),
                 tolerance=num.percent(m["tolerance"].num(0, 1), ctx.lang, 0),
                 targets=ctx.w("list.sep").join(judged))


def _conditional_amount(policy: Node) -> tuple[float, int | None]:
    amount, month = 0.0, None
    for t in policy["tranches"].items():
        if t["conditional"].bool():
            amount += t["amount"].num(0)
            month = t["month"].int() if month is None else month
    return amount, month


def summary(ctx: Context) -> Section:
    """The first page."""
    w, lang, run = ctx.w, ctx.lang, ctx.doc("run")
    rows = target_rows(ctx, run)
    joint, released = _joint(run["all_targets"]), _joint(run["midterm_release"])
    first, last, _ = _years(run)
    blocks = []
    description = ctx.description()
    if description:
        blocks.append(Paragraph(description))
    blocks.append(Paragraph(w("summary.joint", n=len(rows), last=last,
                              p=num.percent(joint["probability"], lang),
                              ci=num.interval(joint["ci_low"], joint["ci_high"], lang)),
                            emphasis=True))
    policy = run.get("policy")
    amount, month = _conditional_amount(policy) if policy is not None else (0.0, None)
    if amount > 0:
        blocks.append(Paragraph(w("summary.release_amount", amount=num.yuan(amount, lang),
                                  month=month, p=num.percent(released["probability"], lang),
                                  ci=num.interval(released["ci_low"], released["ci_high"],
                                                  lang)), emphasis=True))
    else:
        blocks.append(Paragraph(w("summary.release", p=num.percent(released["probability"],
                                                                    lang))))
    commit = any("commit_0.8" in r for r in rows)
    cols = [Column("label", w("col.target")), Column("words", w("col.measured"), wide=True),
            Column("probability", w("col.probability"), "percent"),
            *interval_columns("ci", w("col.interval"), "ci_low", "ci_high", w("col.ci_low"),
                             w("col.ci_high"))]
    if commit:
        cols.append(Column("commit_0.8", w("col.commit_80"), "measure"))
    table_rows = [*rows,
                  {"label": w("row.all_targets"), "words": w("row.all_targets_words", n=len(rows)),
                   **joint, "_emphasis": True},
                  {"label": w("row.midterm"), "words": w("row.midterm_words"), **released,
                   "_emphasis": True}]
    for r in table_rows:
        r["ci"] = (r["ci_low"], r["ci_high"])
    blocks.append(Table(w("sheet.targets"), w("summary.table_caption", last=last), cols,
                        table_rows, note=w("summary.commit_note") if commit else ""))
    if commit:
        blocks.append(Paragraph(w("summary.commit_words")))
    half = _precision([*rows, joint, released])
    blocks.append(Paragraph(w("summary.precision", half=f"{half * 100:.1f}" if half >= 0.0005
                              else f"{half * 100:.2f}", paths=num.count(run["paths"].int()),
                              seed=run["seed"].int())))
    if policy is not None:
        blocks.append(plan_table(ctx, policy))
        labels = {r["id"]: r["label"] for r in rows}
        words = [_midterm_words(ctx, policy, labels)]
        share = policy["fast_track_share"].num(0, 1)
        if share > 0:
            words.append(w("plan.fast_track", share=num.percent(share, lang, 0)))
        blocks += [Paragraph(x) for x in words if x]
    return Section("summary", w("section.summary"), blocks)


def _fan_data(ctx: Context, indicator: str) -> dict[str, np.ndarray] | None:
    rows = ctx.results.indicators
    if rows is None:
        return None
    path = ctx.results.folders["run"] / "indicators.csv"
    picked = [(i + 2, r) for i, r in enumerate(rows) if r.get("indicator") == indicator]
    if not picked:
        return None
    picked.sort(key=lambda x: csv_number(path, x[0], "year", x[1]["year"]))
    out = {k: np.array([csv_number(path, line, k, r[k]) for line, r in picked])
           for k in ("year", "mean", "q05", "q25", "q50", "q75", "q95")}
    if not np.array_equal(out["year"], np.arange(len(picked))):
        raise ResultError(f"{path}: line {picked[0][0]}: year: the years of {indicator} must "
                          "be 0, 1, 2, ... once each")
    return out


def figures(ctx: Context) -> Section:
    """Attainment bars, fan charts of the growth targets, commit-level figures if written."""
    w, lang, run = ctx.w, ctx.lang, ctx.doc("run")
    rows = target_rows(ctx, run)
    first, last, years = _years(run)
    plots = ctx.plots
    sub = ctx.plot_subtitle(run)
    bars = [*rows, {**_joint(run["all_targets"]), "label": w("row.all_targets"),
                    "emphasis": True},
            {**_joint(run["midterm_release"]), "label": w("row.midterm"), "emphasis": True}]
    blocks: list = [Figure(ctx.svg(plots.attainment_chart(bars, w("plot.title_attainment"),
                                                           sub, lang=lang)),
                           w("figure.attainment", last=last,
                             paths=num.count(run["paths"].int())))]
    quantile_paths = run.get("quantile_paths")
    qp = num.count(quantile_paths.int() if quantile_paths else run["paths"].int())
    done = set()
    for r in rows:
        if r["_measure"] not in GROWTH or r["indicator"] in done:
            continue
        data = _fan_data(ctx, r["indicator"])
        if data is None:
            continue
        done.add(r["indicator"])
        path = data["mean"][0] * (1 + r["threshold"]) ** np.arange(years + 1)
        q = {k: data[k] for k in ("q05", "q25", "q50", "q75", "q95")}
        name = ctx.indicator(r["indicator"])
        fig = plots.fan_chart(np.arange(first, first + len(data["year"])), q,
                              ctx.unit(r["indicator"]), name, sub, path,
                              w("plot.target_legend", label=r["label"]), lang=lang)
        blocks.append(Figure(ctx.svg(fig), w("figure.fan", indicator=name, label=r["label"],
                                             p=num.percent(r["probability"], lang),
                                             ci=num.interval(r["ci_low"], r["ci_high"], lang),
                                             paths=qp)))
    by_id = {r["id"]: r for r in rows}
    for png in ctx.results.images.get("commit", []):
        tid = png.stem.removeprefix("commit_")
        if tid not in by_id:
            continue
        r = by_id[tid]
        blocks.append(Image(png.read_bytes(), w(
            "figure.commit", label=r["label"], p=num.percent(r["probability"], lang),
            level=num.measure_value(r.get("commit_0.8"), r["_measure"], lang, r["_unit"]))))
    return Section("figures", w("section.figures"), blocks)
