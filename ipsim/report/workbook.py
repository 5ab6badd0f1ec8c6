"""The report's tables as one ``.xlsx`` workbook (XlsxWriter), one sheet per table.

Numbers are written as numbers (probabilities as fractions with a percentage format, yuan
with thousands separators, p-values as numbers shown ``< 0.001`` below 0.001), texts as
texts (never a formula: XlsxWriter's ``write_string``), and the last sheet holds the
provenance and the reproduction data. The file's creation date is the results' own (from
the JSON), so the same results give the same workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from ipsim.report.document import Document, Table
from ipsim.report.html import cell_text
from ipsim.report.i18n import Words

__all__ = ["workbook_bytes", "FORMATS", "sheet_name"]

FORMATS = {"percent": "0.0%", "share": "0.0%", "points": "+0.00%;-0.00%;0.00%",
           "pvalue": '[<0.001]"< 0.001";0.000', "yuan": "#,##0", "count": "#,##0",
           "number": "General"}
"""Column kind -> Excel number format (``measure`` columns take their measure's)."""
_MEASURE = {"cagr": "+0.0%;-0.0%", "mean_yoy": "+0.0%;-0.0%", "event": "0",
            "cumulative": "#,##0.#", "final": "#,##0.#"}
_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _BAD.sub("-", name).strip("'")[:31] or "Sheet"
    out, i = base, 2
    while out.lower() in taken:
        suffix = f" ({i})"
        out, i = base[:31 - len(suffix)] + suffix, i + 1
    taken.add(out.lower())
    return out


def _created(doc: Document) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(doc.created).replace(tzinfo=None)
    except ValueError:
        return None


def _write_table(book, ws, t: Table, formats: dict, w: Words) -> None:
    bold = formats["bold"]
    columns = [c for c in t.columns if c.xlsx]
    ws.write_string(0, 0, w("report.table_label", n=t.number) + " " + t.caption, bold)
    for j, c in enumerate(columns):
        ws.write_string(2, j, c.title, formats["head"])
        width = max(10, min(60, len(c.title) + 2))
        ws.set_column(j, j, width if c.kind != "text" else min(60, max(width, 24)))
    for i, r in enumerate(t.rows, start=3):
        for j, c in enumerate(columns):
            v = r.get(c.key)
            if v is None or v == "":
                continue
            if isinstance(v, bool) or isinstance(v, str) or c.kind == "text":
                ws.write_string(i, j, cell_text(v, c.kind, w.lang, r))
                continue
            kind = c.kind if c.kind != "measure" else f"measure:{r.get('_measure', '')}"
            ws.write_number(i, j, float(v), formats.get(kind, formats["number"]))
    if t.note:
        ws.write_string(len(t.rows) + 4, 0, t.note)
    ws.freeze_panes(3, 0)


def workbook_bytes(doc: Document) -> bytes:
    """The ``.xlsx`` file of ``doc``'s tables and provenance."""
    import xlsxwriter

    w = Words(doc.lang)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    created = _created(doc)
    book.set_properties({"title": f"{doc.title} · {doc.subtitle}", "comments": "ipsim",
                         **({"created": created} if created else {})})
    formats = {k: book.add_format({"num_format": f}) for k, f in FORMATS.items()}
    formats.update({f"measure:{k}": book.add_format({"num_format": f})
                    for k, f in _MEASURE.items()})
    formats["bold"] = book.add_format({"bold": True})
    formats["head"] = book.add_format({"bold": True, "bg_color": "#EDF2F7", "bottom": 1})
    taken: set[str] = set()
    for t in doc.tables():
        _write_table(book, book.add_worksheet(sheet_name(t.sheet, taken)), t, formats, w)
    ws = book.add_worksheet(sheet_name(w("sheet.provenance"), taken))
    ws.write_string(0, 0, w("sheet.provenance_title"), formats["bold"])
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 80)
    for i, (k, v) in enumerate(doc.provenance, start=2):
        ws.write_string(i, 0, k)
        ws.write_string(i, 1, v)
    book.close()
    return buf.getvalue()
