"""The report as one self-contained HTML file.

Figures are inline SVG (PNG written by other commands as ``data:`` URIs), the style sheet is
inline, there is no script, and a Content-Security-Policy forbids every load but inline
styles and ``data:`` images, so the file opens from an e-mail attachment with no network and
a stray reference would show up as a console error in the browser tests. A print style sheet
(A4, page breaks before the main sections, no figure split) lets a browser print it to a
clean PDF (:mod:`ipsim.report.browser` does it with headless Chromium).
"""

from __future__ import annotations

import base64
import html
from importlib import resources

from ipsim.report import numbers as num
from ipsim.report.document import Code, Document, Facts, Figure, Image, Paragraph, Table
from ipsim.report.fonts import CSS_FAMILIES
from ipsim.report.i18n import Words, tr

__all__ = ["render_html", "cell_text", "CSP", "GENERATOR"]

GENERATOR = "ipsim report"
"""The ``<meta name="generator">`` of every report: how ``ipsim report`` knows an existing
HTML file as one it wrote (and may replace)."""

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")
_HTML_LANG = {"en": "en", "zh": "zh-CN"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def cell_text(value, kind: str, lang: str, row: dict | None = None) -> str:
    """A table cell as text: numbers formatted by the column's kind."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    match kind:
        case "interval":
            return num.interval(value[0], value[1], lang)
        case "points_interval":
            return tr(lang, "num.interval", low=num.points(value[0], lang),
                      high=num.points(value[1], lang))
        case "percent" | "share":
            return num.percent(value, lang)
        case "points":
            return num.points(value, lang)
        case "pvalue":
            return num.p_value(value, lang)
        case "yuan":
            return num.yuan(value, lang)
        case "count":
            return num.count(value, lang)
        case "measure":
            row = row or {}
            return num.measure_value(value, row.get("_measure", ""), lang, row.get("_unit", ""))
        case "number":
            return num.plain(value, 4)
    return str(value)


def _table(t: Table, w: Words) -> str:
    columns = [c for c in t.columns if c.html]
    head = "".join(f"<th scope=\"col\">{_e(c.title)}</th>" for c in columns)
    body = []
    for r in t.rows:
        cells = []
        for c in columns:
            text = cell_text(r.get(c.key), c.kind, w.lang, r)
            cls = ' class="num"' if c.kind != "text" and not isinstance(r.get(c.key), str) \
                else (' class="wide"' if c.wide else "")
            cells.append(f"<td{cls}>{_e(text)}</td>")
        cls = ' class="emphasis"' if r.get("_emphasis") else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    caption = w("report.table_label", n=t.number) + " " + t.caption
    note = f'<p class="note">{_e(t.note)}</p>' if t.note else ""
    return (f'<table id="table-{t.number}"><caption>{_e(caption)}</caption><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>{note}")


def _figure(f: Figure | Image, w: Words) -> str:
    caption = _e(w("report.figure_label", n=f.number) + " " + f.caption)
    if isinstance(f, Image):
        data = base64.b64encode(f.png).decode("ascii")
        body = f'<img src="data:image/png;base64,{data}" alt="{caption}">'
    else:
        body = f.svg
    return f'<figure id="figure-{f.number}">{body}<figcaption>{caption}</figcaption></figure>'


def _block(b, w: Words) -> str:
    if isinstance(b, Paragraph):
        cls = ' class="emphasis"' if b.emphasis else ""
        return f"<p{cls}>{_e(b.text)}</p>"
    if isinstance(b, Table):
        return _table(b, w)
    if isinstance(b, Figure | Image):
        return _figure(b, w)
    if isinstance(b, Code):
        return f"<pre><code>{_e(b.text)}</code></pre>"
    if isinstance(b, Facts):
        pairs = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in b.pairs)
        return f'<dl class="facts">{pairs}</dl>'
    raise TypeError(type(b).__name__)  # pragma: no cover


def render_html(doc: Document) -> str:
    """The whole HTML page of ``doc``."""
    w = Words(doc.lang)
    css = resources.files(__package__).joinpath("style.css").read_text(encoding="utf-8")
    css = css.replace("FONTS", CSS_FAMILIES)
    toc = "".join(f'<li><a href="#{s.id}">{_e(s.title)}</a></li>' for s in doc.sections)
    body = []
    for i, s in enumerate(doc.sections, 1):
        blocks = "".join(_block(b, w) for b in s.blocks)
        body.append(f'<section id="{_e(s.id)}" data-result="{_e(s.id)}">'
                    f"<h2>{i}. {_e(s.title)}</h2>{blocks}</section>")
    return (f'<!DOCTYPE html>\n<html lang="{_HTML_LANG[doc.lang]}">\n<head>\n'
            f'<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="{GENERATOR}">\n'
            f"<title>{_e(doc.title)} · {_e(doc.subtitle)}</title>\n<style>\n{css}</style>\n"
            f"</head>\n<body>\n<header><h1>{_e(doc.title)}</h1>"
            f'<p class="subtitle">{_e(doc.subtitle)}</p></header>\n'
            f'<nav aria-label="{_e(w("report.contents"))}"><ol>{toc}</ol></nav>\n'
            + "\n".join(body)
            + f"\n<footer>{_e(w('report.footer'))}</footer>\n</body>\n</html>\n")
