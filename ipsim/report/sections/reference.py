"""The end of the report: the assumptions table (the scenario's ``provenance:``) and the
reproduction block (hashes, seed, paths, versions, the exact commands)."""

from __future__ import annotations

import shlex

from ipsim.report import numbers as num
from ipsim.report.document import Code, Column, Facts, Paragraph, Section, Table
from ipsim.report.sections.context import Context

__all__ = ["sections", "provenance_pairs"]

_FACTS = ("scenario", "scenario_file", "scenario_sha256", "seed", "paths", "engine",
          "ipsim_version", "numpy_version", "scipy_version", "python_version", "created_utc")


_ALWAYS = ("seed", "paths", "created_utc")


def provenance_pairs(ctx: Context) -> list[tuple[str, str]]:
    """(label, value) of every result present, for the reproduction block and workbook."""
    pairs, first = [], None
    for kind, node in ctx.results.json.items():
        values = {key: str(node[key].scalar()) for key in _FACTS if node.has(key)}
        for key, v in values.items():
            if first is not None and first.get(key) == v and key not in _ALWAYS:
                continue   # as in the first result: said once
            pairs.append((ctx.w(f"result.{kind}") + " · " + ctx.w(f"fact.{key}"), v))
        first = values if first is None else first
    for path, _, _ in ctx.results.calibrations:
        pairs.append((ctx.w("result.calibration") + " · " + ctx.w("fact.file"), path.name))
    return pairs


def _assumptions(ctx: Context) -> Section | None:
    run = ctx.doc("run")
    if run is None or run.get("provenance") is None or not run["provenance"].list():
        return None
    rows = []
    for e in run["provenance"].items():
        value = e["value"].scalar()
        rows.append({"key": e["key"].str(),
                     "value": num.plain(value, 6) if isinstance(value, int | float)
                     and not isinstance(value, bool) else str(value),
                     **{k: e[k].str() if e.has(k) else "" for k in ("unit", "source", "note")},
                     "kind": ctx.kind_of_source(e["kind"].str()) if e.has("kind") else ""})
    w = ctx.w
    cols = [Column("key", w("col.key")), Column("value", w("col.value")),
            Column("unit", w("col.unit")), Column("kind", w("col.kind")),
            Column("source", w("col.source")), Column("note", w("col.note"), wide=True)]
    return Section("assumptions", w("section.assumptions"), [
        Paragraph(w("assumptions.intro")), Table(w("sheet.assumptions"),
                                                 w("assumptions.table_caption"), cols, rows)])


def _commands(ctx: Context) -> str:
    lines = []
    res = ctx.results
    quote = shlex.quote
    for kind, command in (("run", "run"), ("compare", "compare")):
        node = res.json.get(kind)
        if node is not None and node.has("scenario_file"):
            lines.append(f"ipsim {command} {quote(node['scenario_file'].str())} --paths "
                         f"{node['paths'].int()} --seed {node['seed'].int()}")
    node = res.json.get("sweep")
    if node is not None and node.has("scenario_file"):
        params = []
        for lv in node["levers"].items():
            values = ",".join(str(v.scalar()) for v in lv["values"].items())
            params.append(f"--param {quote(lv['key'].str() + '=' + values)}")
        lines.append(f"ipsim sweep {quote(node['scenario_file'].str())} {' '.join(params)} "
                     f"--paths {node['paths'].int()} --seed {node['seed'].int()}")
    node = res.json.get("sensitivity")
    if node is not None and node.has("scenario_file"):
        lines.append(f"ipsim sensitivity {quote(node['scenario_file'].str())} --method "
                     f"{node['method'].str()} --samples {node['samples'].int()} "
                     f"--paths-per-sample {node['paths_per_sample'].int()} "
                     f"--seed {node['seed'].int()}")
    lines.append(f"ipsim report {quote(str(res.root))} --lang {ctx.lang}")
    return "\n".join(lines)


def sections(ctx: Context) -> list[Section]:
    w = ctx.w
    out = []
    assumptions = _assumptions(ctx)
    if assumptions is not None:
        out.append(assumptions)
    out.append(Section("reproduce", w("section.reproduce"), [
        Paragraph(w("reproduce.intro")), Facts(provenance_pairs(ctx)),
        Paragraph(w("reproduce.commands")), Code(_commands(ctx))]))
    return out
