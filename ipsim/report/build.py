"""``ipsim report``'s work: read a results folder, build the document, write the HTML, the
workbook and, if asked, the PDF.

Everything is built in memory first (the PDF from a temporary copy of the HTML), so a
malformed result or a missing browser leaves nothing written; each file is then written
atomically.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ipsim.report.document import Document
from ipsim.report.folder import ResultError, read_results
from ipsim.runtime import folders, locks
from ipsim.runtime.atomic import write_atomic

__all__ = ["build_report", "write_report", "default_out", "Written"]


@dataclass(frozen=True)
class Written:
    """The files a report wrote."""

    html: Path
    workbook: Path | None
    pdf: Path | None
    size: int
    """Bytes of the HTML file."""


def default_out(results_dir: str | Path, lang: str) -> Path:
    """``RESULTS_DIR/report.html`` (English) or ``RESULTS_DIR/report.zh.html``."""
    return Path(results_dir) / ("report.html" if lang == "en" else f"report.{lang}.html")


def build_report(results_dir: str | Path, lang: str = "en") -> Document:
    """The report of the results under ``results_dir`` in ``lang``.

    Raises
    ------
    ResultError
        No result there, or a result file that is malformed (one line: file, key, allowed).
    """
    from ipsim.report.sections import build_document

    results = read_results(results_dir)
    try:
        return build_document(results, lang)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError
            ) as exc:  # a malformed result the checks did not name: still one line
        raise ResultError(f"{results_dir}: a result file is malformed "
                          f"({type(exc).__name__}: {str(exc)[:120]})") from None


def write_report(results_dir: str | Path, lang: str = "en", out: str | Path | None = None,
                 pdf: bool = False, workbook: bool = True, timeout: float = 90.0
                 ) -> Written:
    """Write the report of ``results_dir``: ``out`` (HTML; default :func:`default_out`),
    the workbook beside it (``.xlsx``) and, if ``pdf``, the PDF (``.pdf``) printed by
    headless Chromium."""
    from ipsim.report.html import render_html
    from ipsim.report.workbook import workbook_bytes

    out = Path(out) if out is not None else default_out(results_dir, lang)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the report file must end in .html, got {out}")
    if out.is_dir():
        raise ValueError(f"{out} is a folder; name the report file (.html)")
    siblings = [out.with_suffix(s) for s in (".xlsx", ".pdf")]
    check_replaceable(out, siblings)
    doc = build_report(results_dir, lang)
    text = render_html(doc)
    book = workbook_bytes(doc) if workbook else None
    pdf_bytes = None
    if pdf:
        from ipsim.report.browser import print_pdf

        with tempfile.TemporaryDirectory(prefix="ipsim-report-") as tmp:
            page = Path(tmp) / "report.html"
            page.write_text(text, encoding="utf-8")
            pdf_bytes = print_pdf(page, timeout)
    xlsx = out.with_suffix(".xlsx") if book is not None else None
    pdf_path = out.with_suffix(".pdf") if pdf_bytes is not None else None
    with locks.hold(out.parent, exclusive=False):
        check_replaceable(out, siblings)   # again, now that no ipsim command can swap it
        write_atomic(out, text)
        if xlsx is not None:
            write_atomic(xlsx, book)
        if pdf_path is not None:
            write_atomic(pdf_path, pdf_bytes)
        folders.record(out.parent, [p for p in (out, xlsx, pdf_path) if p is not None])
    return Written(out, xlsx, pdf_path, len(text.encode("utf-8")))


def _recorded(path: Path) -> bool:
    """Whether ``path`` is listed, unchanged, in the marker of its result folder."""
    marker = folders.read_marker(path.parent)
    return marker is not None and folders.unchanged(path, marker["files"].get(path.name))


def _is_report(path: Path) -> bool:
    """Whether the HTML file ``path`` carries the generator mark of an ipsim report."""
    from ipsim.report.html import GENERATOR

    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">'.encode() in head


def check_replaceable(out: Path, siblings: list[Path]) -> None:
    """Refuse to write the report over files ipsim did not write.

    ``out`` (the HTML) may be replaced if it is an ipsim report (its generator mark) or is
    recorded in its folder's marker; the workbook and PDF beside it if they are recorded or
    the HTML beside them is one ipsim may replace.

    Raises
    ------
    ValueError
        A file in the way is a link, not a regular file, or not one ipsim wrote.
    """
    html_ours = out.is_file() and not out.is_symlink() and (_is_report(out) or _recorded(out))
    for path in (out, *siblings):
        if not os.path.lexists(path):
            continue
        if path.is_symlink() or not path.is_file():
            raise ValueError(f"{path}: exists and is not a regular file; name another "
                             "report file")
        if not (html_ours or _recorded(path)):
            raise ValueError(f"{path}: exists and was not written by ipsim report; name "
                             "another report file or move it away")
