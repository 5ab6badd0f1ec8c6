"""What goes with failure: for all targets at once, then each target, the inputs that best
separate the paths that met it from those that missed, how much of met-or-missed is path
noise, and the PRIM box of the misses, in words and one table; then the figures
``ipsim drivers`` drew."""

from __future__ import annotations

from ipsim.report import numbers as num
from ipsim.report.document import Column, Image, Paragraph, Section, Table
from ipsim.report.folder import Node
from ipsim.report.sections.context import Context

__all__ = ["section"]

ALL = "all_targets"


def _value(x: float) -> str:
    """A bound of the box: three significant figures, as people read them."""
    return num.plain(float(f"{x:.3g}"), max(0, 2 - int(f"{abs(x):e}".split("e")[1])))


def _bound(ctx: Context, b: Node) -> str:
    """One side of the PRIM box in words: ``name <= x``, ``name >= x`` or ``x <= name <= y``."""
    name = b["input"].str()
    low, high = b.get("low"), b.get("high")
    if low is not None and high is not None:
        return ctx.w("drivers.between", input=name, low=_value(low.num()),
                     high=_value(high.num()))
    if high is not None:
        return ctx.w("drivers.at_most", input=name, value=_value(high.num()))
    if low is not None:
        return ctx.w("drivers.at_least", input=name, value=_value(low.num()))
    b.fail("must bound the input from below or above")


def _output_words(ctx: Context, o: Node, label: str) -> list[str]:
    """The paragraph of one output: its odds, its strongest inputs, the noise, the box."""
    w, lang = ctx.w, ctx.lang
    p = num.percent(o["p_met"].prob(), lang)
    strongest = [s.str() for s in o["strongest"].items()]
    words = [w("drivers.output", label=label, p=p, inputs=w("drivers.comma").join(strongest))
             if strongest else w("drivers.output_none", label=label, p=p)]
    noise = o.get("noise")
    if noise is not None:
        words.append(w("drivers.noise",
                       share=num.percent(noise["parameters_share_lower"].prob(), lang),
                       noise=num.percent(noise["noise_share_upper"].prob(), lang)))
    prim = o["prim"]
    box = prim.get("box")
    if box is not None and box.items():
        words.append(w("drivers.prim", rule=w("drivers.and").join(
            _bound(ctx, b) for b in box.items()),
            coverage=num.percent(prim["coverage"].prob(), lang),
            density=num.percent(prim["density"].prob(), lang)))
    return words


def _rows(ctx: Context, o: Node, label: str) -> list[dict]:
    """The strongest inputs of one output as table rows."""
    by = {i["input"].str(): i for i in o["inputs"].items()}
    rows = []
    for s in o["strongest"].items():
        i = by.get(s.str())
        if i is None:
            s.fail("must name one of the output's inputs")
        odds = i["odds"].items()
        if not odds:
            i["odds"].fail("must hold at least one quarter")
        s1, low, high = i["S1"].num(), i["S1_low"].num(), i["S1_high"].num()
        rows.append({"output": label, "input": s.str(), "S1": s1, "S1_low": low,
                     "S1_high": high, "S1_ci": ctx.w("num.interval", low=num.plain(low, 3),
                                                     high=num.plain(high, 3)),
                     "ks_p": i["ks_p_value"].prob(),
                     "p_low": odds[0]["p_met"].prob(), "p_high": odds[-1]["p_met"].prob()})
    return rows


def section(ctx: Context) -> Section:
    w, data = ctx.w, ctx.doc("drivers")
    outputs = data["outputs"].items()
    outputs.sort(key=lambda o: o["output"].str() != ALL)        # all targets first
    blocks: list = [Paragraph(w("drivers.intro", scenario=data["scenario"].str(),
                                paths=num.count(data["sample"]["paths"].int(), ctx.lang)))]
    rows = []
    for o in outputs:
        tid = o["output"].str()
        label = w("row.all_targets") if tid == ALL else ctx.label(tid, o["label"].str())
        if o.has("skipped"):
            blocks.append(Paragraph(w("drivers.skipped", label=label,
                                      p=num.percent(o["p_met"].prob(), ctx.lang),
                                      reason=o["skipped"].str())))
            continue
        blocks.append(Paragraph(w("drivers.space").join(_output_words(ctx, o, label))))
        rows += _rows(ctx, o, label)
    if rows:
        blocks.append(Table(w("sheet.drivers"), w("drivers.table_caption"), [
            Column("output", w("col.target")), Column("input", w("col.input")),
            Column("S1", w("col.S1"), "number"),
            Column("S1_ci", w("col.interval"), xlsx=False),
            Column("S1_low", w("col.S1_low"), "number", html=False),
            Column("S1_high", w("col.S1_high"), "number", html=False),
            Column("ks_p", w("col.ks_p"), "pvalue"),
            Column("p_low", w("col.p_low_quarter"), "percent"),
            Column("p_high", w("col.p_high_quarter"), "percent")], rows,
            note=w("drivers.table_note")))
    for png in ctx.results.images.get("drivers", []):
        blocks.append(Image(png.read_bytes(), w("figure.written", file=png.name)))
    return Section("drivers", w("section.drivers"), blocks)
