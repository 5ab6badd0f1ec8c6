"""Tables of a result: JSON (full precision) and CSV written for Excel.

A CSV that ipsim writes is UTF-8 with a byte-order mark (so Excel on a Chinese-language
Windows opens it as UTF-8, not as GBK), has its header on the first line (the provenance
lives in the JSON beside it and in the report's workbook), and its cells are

* numbers written as plain decimals rounded to :data:`CSV_DIGITS` significant digits (no
  16-digit binary noise, no ``5e+09``; magnitudes below 1e-6, such as p-values, keep an
  exponent so they stay exact to those digits); whole numbers stay whole;
* texts that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return, e.g. a label ``=HYPERLINK(...)``) prefixed with a single quote
  ``'``, so they land as text (the OWASP "CSV injection" rule); a text that is a plain number
  (``-0.5``) is left alone, and numbers, negative ones included, are never touched.

Read such a CSV back with ``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import numpy as np

from ipsim.runtime.atomic import write_atomic

__all__ = ["write_json", "write_csv", "to_csv", "csv_cell", "CSV_DIGITS", "BOM"]

CSV_DIGITS = 10
"""Significant digits of a float in a CSV (the JSON keeps every digit)."""

BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _clean(obj):
    """JSON-safe copy: NaN and infinities become None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def write_json(path: str | Path, data: dict) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_atomic(path, json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n")


def csv_cell(value) -> str | int:
    """One CSV cell: a number rounded for reading, a text neutralised against formulas.

    Examples
    --------
    >>> csv_cell(0.7108668683442265), csv_cell(1.5e10), csv_cell(-0.25), csv_cell(7.7e-34)
    ('0.7108668683', '15000000000', '-0.25', '7.7e-34')
    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-0.5"), csv_cell(None)
    ('\\'=HYPERLINK("http://x")', '-0.5', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        if not math.isfinite(x):
            return ""
        if x != 0 and abs(x) < 1e-6:
            return f"{x:.{CSV_DIGITS}g}"
        return np.format_float_positional(x, precision=CSV_DIGITS, unique=True,
                                          fractional=False, trim="-")
    text = str(value)
    if text.startswith(_FORMULA) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def to_csv(rows: list[dict]) -> str:
    """CSV text of a list of same-keyed dicts (header from the first row), without BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    names = list(rows[0])
    writer.writerow([csv_cell(n) for n in names])
    for row in rows:
        writer.writerow([csv_cell(row.get(n)) for n in names])
    return buf.getvalue()


def write_csv(path: str | Path, rows: list[dict]) -> None:
    """Write rows as CSV for Excel (UTF-8 with BOM, header first), atomically."""
    write_atomic(path, BOM + to_csv(rows))
