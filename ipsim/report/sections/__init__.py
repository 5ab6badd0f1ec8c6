"""The report's sections, one module per kind of result, each ``section(ctx) -> Section``.

:func:`build_document` reads nothing itself: it takes the checked :class:`Results` of
:mod:`ipsim.report.folder` and returns a :class:`~ipsim.report.document.Document`, in
order: the summary (first page), the run's figures, the comparison of variants, the sweep,
sensitivity, drivers, the optimised allocation, calibration, backtest, the assumptions and
the reproduction block. A section appears only for a result that is present.
"""

from __future__ import annotations

from ipsim.report.document import Document
from ipsim.report.folder import Results
from ipsim.report.sections.context import Context

__all__ = ["build_document", "Context"]


def build_document(results: Results, lang: str = "en") -> Document:
    """The report of ``results`` in ``lang`` (``en`` or ``zh``)."""
    from ipsim.report.sections import (
        compare,
        drivers,
        extra,
        reference,
        run,
        sensitivity,
        sweep,
    )

    ctx = Context(results, lang)
    sections = []
    if results.has("run"):
        sections += [run.summary(ctx), run.figures(ctx)]
    builders = [("compare", compare.section), ("sweep", sweep.section),
                ("sensitivity", sensitivity.section), ("drivers", drivers.section),
                ("optimise", extra.optimise), ("goal", extra.goal),
                ("calibration", extra.calibration),
                ("backtest", extra.backtest)]
    sections += [build(ctx) for kind, build in builders if results.has(kind)]
    sections += reference.sections(ctx)
    created = ctx.main().get("created_utc")
    doc = Document(lang, ctx.w("report.title"), ctx.subtitle(), [s for s in sections if s],
                   reference.provenance_pairs(ctx), created.str() if created else "")
    doc.number()
    if lang == "zh" and ctx.figures:
        # said once the document is whole: a malformed result file gets its one line alone
        from ipsim.report import fonts

        fonts.require_cjk()
    return doc
