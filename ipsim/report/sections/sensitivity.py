"""A sensitivity analysis: which uncertain parameter drives P(all targets), the figures."""

from __future__ import annotations

from ipsim.report import numbers as num
from ipsim.report.document import Column, Figure, Paragraph, Section, Table
from ipsim.report.sections.context import Context
from ipsim.report.sensitivity import sensitivity_figures

__all__ = ["section"]

_SOBOL = ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")
_MORRIS = ("mu", "mu_star", "mu_star_conf", "sigma")


def section(ctx: Context) -> Section:
    w, lang, data = ctx.w, ctx.lang, ctx.doc("sensitivity")
    method = data["method"].str()
    if method not in ("sobol", "morris"):
        data["method"].fail("must be sobol or morris")
    stats = _SOBOL if method == "sobol" else _MORRIS
    outputs = data["outputs"].items()
    if not outputs:
        data["outputs"].fail("must hold at least one output")
    for o in outputs:
        params = o["parameters"].items()
        if not params:
            o["parameters"].fail("must hold at least one parameter")
        for p in params:
            p["parameter"].str()
            for k in stats:
                p[k].num(none=True)
    tornado = data.get("tornado")
    if tornado is not None:
        tornado["base_all_targets"].prob()
        for r in tornado["parameters"].items():
            r["parameter"].str()
            for k in ("p_low", "p_high"):
                r[k].prob()
            for k in ("value_low", "value_high"):
                r[k].num()
    for k in ("samples", "paths_per_sample", "seed"):
        data[k].int()
    joint = outputs[-1]
    key = "ST" if method == "sobol" else "mu_star"
    rows = sorted(({"parameter": p["parameter"].str(), **{k: p[k].num(none=True)
                                                          for k in stats}}
                   for p in joint["parameters"].items()), key=lambda r: -(r[key] or 0))
    cols = [Column("parameter", w("col.parameter"))] + [
        Column(k, w(f"col.{k}"), "number") for k in stats]
    top = rows[0]
    blocks: list = [
        Paragraph(w(f"sensitivity.intro_{method}", samples=num.count(data["samples"].int()),
                    paths=num.count(data["paths_per_sample"].int()),
                    mean=num.percent(joint["mean_probability"].prob(), lang))),
        Paragraph(w(f"sensitivity.top_{method}", parameter=top["parameter"],
                    value=f"{top[key] or 0:.2f}")),
        Table(w("sheet.sensitivity"), w("sensitivity.table_caption"), cols, rows)]
    share = joint.get("noise_variance_share")
    if share is not None and share.num() > 0.1:
        blocks.append(Paragraph(w("sensitivity.noisy", share=num.percent(share.num(), lang))))
    ctx.plots  # noqa: B018
    captions = {"sobol_all_targets": "figure.sobol", "morris_all_targets": "figure.morris",
                "tornado": "figure.tornado"}
    clean = {"scenario": data["scenario"].str(), "method": method,
             "samples": data["samples"].int(), "paths_per_sample": data["paths_per_sample"].int(),
             "seed": data["seed"].int(),
             "outputs": [{"output": "all_targets", "label": "all_targets",
                          "parameters": [{"parameter": p["parameter"].str(),
                                          **{k: p[k].num(none=True) for k in stats}}
                                         for p in joint["parameters"].items()]}]}
    if tornado is not None:
        clean["tornado"] = {"base_all_targets": tornado["base_all_targets"].prob(),
                            "parameters": [{k: r[k].scalar() for k in (
                                "parameter", "p_low", "p_high", "value_low", "value_high")}
                                for r in tornado["parameters"].items()]}
    for stem, fig in sensitivity_figures(clean, lang):
        blocks.append(Figure(ctx.svg(fig), w(captions[stem])))
    return Section("sensitivity", w("section.sensitivity"), blocks)
