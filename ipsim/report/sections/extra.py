"""Calibration, backtest, the goal search's answer, and the results of a command whose own
section is still to come (optimise): shown generically, as its tables and its PNG figures."""

from __future__ import annotations

import re

from ipsim.report import numbers as num
from ipsim.report.document import Column, Image, Paragraph, Section, Table, interval_columns
from ipsim.report.folder import Node
from ipsim.report.sections.context import Context

__all__ = ["calibration", "backtest", "optimise", "goal", "generic_tables"]

_SHA = re.compile(r"sha256 ([0-9a-f]{64})")
MAX_ROWS = 500


def _value_words(node: Node) -> str:
    """A value of a variant file: a number, a text, or a distribution ``normal(0.1, 0.04)``."""
    if isinstance(node.value, dict):
        d = node.dict()
        kind = node["dist"].str() if "dist" in d else ""
        args = ", ".join(f"{k}={num.plain(v.num(), 4)}" for k, v in node.entries()
                         if k != "dist")
        return f"{kind}({args})"
    v = node.scalar()
    return num.plain(v, 6) if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


def calibration(ctx: Context) -> Section:
    w = ctx.w
    blocks: list = []
    for path, node, text in ctx.results.calibrations:
        sha = _SHA.search(text)
        blocks.append(Paragraph(w("calibration.file", file=path.name,
                                  name=node["name"].str() if node.has("name") else path.stem,
                                  base=node["base"].str() if node.has("base") else "—",
                                  sha=sha[1][:12] if sha else "—")))
        rows = [{"key": k, "value": _value_words(v)} for k, v in node["overrides"].entries()]
        blocks.append(Table(w("sheet.calibration"), w("calibration.table_caption",
                                                      file=path.name),
                            [Column("key", w("col.key")), Column("value", w("col.value"))],
                            rows))
    blocks.append(Paragraph(w("calibration.use")))
    return Section("calibration", w("section.calibration"), blocks)


def backtest(ctx: Context) -> Section:
    w, lang, data = ctx.w, ctx.lang, ctx.doc("backtest")
    cov = []
    for c in data["coverage"].items():
        cov.append({"nominal": c["nominal"].prob(), "coverage": c["coverage"].prob(),
                    "inside": c["inside"].int(), "points": c["points"].int(),
                    "ci_low": c["ci_low"].prob(), "ci_high": c["ci_high"].prob()})
        cov[-1]["ci"] = (cov[-1]["ci_low"], cov[-1]["ci_high"])
    points = [{"origin": p["origin"].int(), "year": p["year"].int(),
               "indicator": ctx.indicator(p["indicator"].str()),
               "realised": p["realised"].num(), "percentile": p["percentile"].prob(),
               "in_50": w("word.yes") if p["in_50"].bool() else w("word.no"),
               "in_90": w("word.yes") if p["in_90"].bool() else w("word.no")}
              for p in data["points"].items()[:MAX_ROWS]]
    blocks: list = [Paragraph(w("backtest.intro", history=data["history_file"].str(),
                                origins=", ".join(str(o.int()) for o in
                                                  data["origins"].items()),
                                paths=num.count(data["paths"].int())))]
    for c in cov:
        blocks.append(Paragraph(w("backtest.coverage", nominal=num.percent(c["nominal"], lang, 0),
                                  coverage=num.percent(c["coverage"], lang),
                                  inside=c["inside"], points=c["points"],
                                  ci=num.interval(c["ci_low"], c["ci_high"], lang))))
    blocks.append(Table(w("sheet.coverage"), w("backtest.coverage_caption"), [
        Column("nominal", w("col.nominal"), "percent"),
        Column("coverage", w("col.coverage"), "percent"),
        Column("inside", w("col.inside"), "count"), Column("points", w("col.points"), "count"),
        *interval_columns("ci", w("col.interval"), "ci_low", "ci_high", w("col.ci_low"),
                          w("col.ci_high"))], cov, note=w("backtest.note")))
    blocks.append(Table(w("sheet.backtest"), w("backtest.points_caption"), [
        Column("origin", w("col.origin"), "count"), Column("year", w("col.year"), "count"),
        Column("indicator", w("col.indicator")),
        Column("realised", w("col.realised"), "number"),
        Column("percentile", w("col.percentile"), "percent"),
        Column("in_50", w("col.in_50")), Column("in_90", w("col.in_90"))], points))
    return Section("backtest", w("section.backtest"), blocks)


def _flat(node: Node) -> bool:
    rows = node.value
    return isinstance(rows, list) and bool(rows) and all(
        isinstance(r, dict) and all(v is None or isinstance(v, str | int | float | bool)
                                    for v in r.values()) for r in rows)


def generic_tables(ctx: Context, kind: str) -> list[Table]:
    """Every top-level list of flat records of a result's JSON, as a table."""
    doc = ctx.doc(kind)
    tables = []
    for key, node in doc.entries():
        if not _flat(node):
            continue
        names = list(dict.fromkeys(k for r in node.value for k in r))[:16]
        rows = [{k: r[k].scalar() if r.has(k) else None for k in names}
                for r in node.items()[:MAX_ROWS]]
        cols = [Column(k, k, "number" if all(isinstance(row[k], int | float) and
                                             not isinstance(row[k], bool)
                                             for row in rows if row[k] is not None)
                       else "text") for k in names]
        tables.append(Table(f"{kind}-{key}"[:31], ctx.w("generic.table", name=key), cols, rows))
    return tables


def _generic(ctx: Context, kind: str) -> Section:
    w = ctx.w
    doc = ctx.doc(kind)
    blocks: list = [Paragraph(w(f"{kind}.intro", scenario=doc["scenario"].str()
                                if doc.has("scenario") else "—"))]
    blocks += generic_tables(ctx, kind)
    for png in ctx.results.images.get(kind, []):
        blocks.append(Image(png.read_bytes(), w("figure.written", file=png.name)))
    return Section(kind, w(f"section.{kind}"), blocks)


def optimise(ctx: Context) -> Section:
    return _generic(ctx, "optimise")


def _goal_answer(ctx: Context, doc: Node) -> str:
    """The answer of ``goal.json`` in words: the least lever value that gives the target its
    odds, or the best the range offers."""
    w, lang = ctx.w, ctx.lang
    key = doc["lever"].str()

    def value(node: Node) -> str:
        v = node.num()
        return num.yuan(v, lang) if key == "policy.budget" else num.percent(v, lang)

    tid = doc["target"].str()
    words = {"target": ctx.label(tid, tid),
             "lever": ctx.lever(key.rsplit(".", 1)[-1]),   # a share, fast track, budget
             "probability": num.percent(doc["probability"].prob(), lang)}
    if doc["reached"].bool():
        return w("goal.reached", **words, verify=num.count(doc["verify_paths"].int(), lang),
                 value=value(doc["value"]), tolerance=value(doc["tolerance"]))
    low, high = doc["range"][0], doc["range"][1]
    best = doc.get("best")
    if best is None:
        return w("goal.unreached", **words, low=value(low), high=value(high))
    return w("goal.unreached_best", **words, low=value(low), high=value(high),
             best=num.percent(best["probability"].prob(), lang), value=value(best["value"]),
             bound=num.percent(best["lower_bound"].prob(), lang))


def goal(ctx: Context) -> Section:
    """The goal search: its answer in words, then its tables and figure."""
    section = _generic(ctx, "goal")
    section.blocks.insert(1, Paragraph(_goal_answer(ctx, ctx.doc("goal"))))
    return section
