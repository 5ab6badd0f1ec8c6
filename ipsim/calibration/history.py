"""A place's own figures: the history file shared by ``calibrate``, ``backtest`` and the
national data.

The file is a CSV: lines starting with ``#`` are comments (the source and the units go
there), then a header row, then one row per period. The first column is ``year`` (yearly
data, ``2019``) or ``month`` (monthly data, ``2019-03``); the others are observed indicators
named as in :func:`ipsim.model.registry.indicators` (:data:`COLUMNS`), each in the
indicator's unit (yuan for amounts, counts for flows; per year, or per month in a monthly
file). An empty cell means "not observed that period". Periods must be consecutive and
increasing. Numbers may be written ``1.5e8`` or ``150_000_000``.

Every problem is a :class:`~ipsim.errors.UsageError` of one line naming the file, the line
and the column (exit status 2 on the command line).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ipsim.errors import UsageError, did_you_mean
from ipsim.model import registry
from ipsim.runtime.files import FileProblem, read_regular

__all__ = ["History", "COLUMNS", "PERIOD_COLUMNS", "read_history", "parse_history",
           "MAX_HISTORY_BYTES", "MAX_CELL_CHARS"]

MAX_HISTORY_BYTES = 10_000_000
"""Largest history file read (bytes); a place's history is a few hundred rows."""

MAX_CELL_CHARS = 1000
"""Longest cell accepted (characters)."""

COLUMNS: tuple[str, ...] = ("applications", "transfers", "turnover", "pledge_amount",
                            "pledge_projects", "invention_stock")
"""Indicators a history may hold (the growing flows, and the patent stock)."""

PERIOD_COLUMNS = ("year", "month")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class History:
    """Observed values of a place, period by period.

    Attributes
    ----------
    file : str
        The file as the user named it.
    sha256 : str
        SHA-256 of the file's bytes (hex).
    frequency : str
        ``"year"`` or ``"month"``.
    periods : numpy.ndarray
        Integer period index: the year (yearly data) or ``12 * year + month - 1``.
    values : Mapping[str, numpy.ndarray]
        Indicator -> (periods,) float values in the indicator's unit per period; NaN where
        not observed.
    """

    file: str
    sha256: str
    frequency: str
    periods: np.ndarray
    values: Mapping[str, np.ndarray]

    @property
    def per_year(self) -> int:
        """Periods per year: 1 or 12."""
        return 1 if self.frequency == "year" else 12

    @property
    def years(self) -> np.ndarray:
        """Calendar year of each period."""
        return self.periods // self.per_year

    def label(self, i: int) -> str:
        """The period's label as written in the file (``2019`` or ``2019-03``)."""
        p = int(self.periods[i])
        return str(p) if self.frequency == "year" else f"{p // 12}-{p % 12 + 1:02d}"

    def annual(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Calendar years and each indicator's annual value (flows: sum of the year's periods,
        NaN unless all are observed; ``invention_stock``: its value at the year's last
        period)."""
        years = np.unique(self.years)
        out = {}
        for name, v in self.values.items():
            rows = []
            for y in years:
                sel = v[self.years == y]
                if name == "invention_stock":
                    last = self.periods[self.years == y].max() % self.per_year
                    rows.append(sel[-1] if last == self.per_year - 1 else np.nan)
                elif sel.size < self.per_year or np.isnan(sel).any():
                    rows.append(np.nan)
                else:
                    rows.append(sel.sum())
            out[name] = np.array(rows, float)
        return years, out

    def upto(self, year: int) -> History:
        """The periods of calendar years up to and including ``year``."""
        keep = self.years <= year
        return History(self.file, self.sha256, self.frequency, self.periods[keep],
                       {k: v[keep] for k, v in self.values.items()})


def read_history(path: str | Path) -> History:
    """Read and validate a history file.

    Raises
    ------
    UsageError
        The file cannot be read (missing, not a regular file, such as a folder or a FIFO,
        larger than :data:`MAX_HISTORY_BYTES`), or a row, column or cell is malformed (one
        line naming the file, the line and the column).
    """
    try:
        raw = read_regular(path, MAX_HISTORY_BYTES)
    except FileProblem as exc:
        raise UsageError(f"{path}: cannot read the history file: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse_history(text, str(path), hashlib.sha256(raw).hexdigest())


def _number(cell: str, where: str, column: str) -> float:
    text = cell.strip().replace("_", "")
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{where}: column '{column}': not a number: {cell.strip()!r} (write "
                         "e.g. 1.5e8 or 150_000_000; leave the cell empty if not "
                         "observed)") from None
    if not math.isfinite(value):
        raise UsageError(f"{where}: column '{column}': must be a finite number, got "
                         f"{cell.strip()!r}")
    if value < 0:
        raise UsageError(f"{where}: column '{column}': must be >= 0 "
                         f"({registry.indicators()[column].unit}), got {cell.strip()}")
    return value


def _period(cell: str, frequency: str, where: str) -> int:
    cell = cell.strip()
    if frequency == "year" and _YEAR.match(cell):
        return int(cell)
    m = _MONTH.match(cell)
    if frequency == "month" and m and 1 <= int(m.group(2)) <= 12:
        return 12 * int(m.group(1)) + int(m.group(2)) - 1
    form = "a year such as 2019" if frequency == "year" else "a month such as 2019-03"
    raise UsageError(f"{where}: column '{frequency}': must be {form}, got {cell!r}")


def _header(row: list[str], where: str) -> list[str]:
    names = [c.strip() for c in row]
    if names[0] not in PERIOD_COLUMNS:
        raise UsageError(f"{where}: the first column must be 'year' or 'month'"
                         f"{did_you_mean(names[0], PERIOD_COLUMNS)}, got {names[0]!r}")
    for i, name in enumerate(names[1:], 1):
        if name not in COLUMNS:
            raise UsageError(f"{where}: column {i + 1}: unknown indicator '{name}'"
                             f"{did_you_mean(name, COLUMNS)}; allowed: {', '.join(COLUMNS)}")
        if name in names[1:i]:
            raise UsageError(f"{where}: column {i + 1}: '{name}' is given twice")
    if len(names) < 2:
        raise UsageError(f"{where}: no indicator columns; allowed: {', '.join(COLUMNS)}")
    return names


def parse_history(text: str, file: str = "<history>", sha256: str = "") -> History:
    """Parse the text of a history file (see :func:`read_history`)."""
    rows = []
    reader = csv.reader(io.StringIO(text))
    try:
        for r in reader:
            n = reader.line_num
            if r and not r[0].lstrip().startswith("#") and any(c.strip() for c in r):
                rows.append((n, r))
            long = next((i for i, c in enumerate(r) if len(c) > MAX_CELL_CHARS), None)
            if long is not None and rows and rows[-1][0] == n:
                raise UsageError(f"{file}:{n}: column {long + 1}: a cell of {len(r[long]):,} "
                                 f"characters; at most {MAX_CELL_CHARS:,} (a number, or empty)")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UsageError(f"{file}:{reader.line_num}: a cell longer than "
                             f"{csv.field_size_limit():,} characters; at most "
                             f"{MAX_CELL_CHARS:,} (a number, or empty)") from None
        raise UsageError(f"{file}:{reader.line_num}: not readable as CSV ({exc})") from None
    if not rows:
        raise UsageError(f"{file}: empty history file: no header row (year or month, then "
                         f"indicator columns: {', '.join(COLUMNS)})")
    line, header = rows[0]
    names = _header(header, f"{file}:{line}")
    frequency = names[0]
    if len(rows) == 1:
        raise UsageError(f"{file}: no data rows after the header (line {line})")
    periods: list[int] = []
    cells: list[list[float]] = []
    for line, row in rows[1:]:
        where = f"{file}:{line}"
        if len(row) != len(names):
            raise UsageError(f"{where}: {len(row)} cells, the header has {len(names)} columns "
                             f"({', '.join(names)})")
        p = _period(row[0], frequency, where)
        if periods and p != periods[-1] + 1:
            what = "repeated" if p == periods[-1] else (
                "missing period(s) before it" if p > periods[-1] else "not increasing")
            raise UsageError(f"{where}: column '{frequency}': {row[0].strip()} follows "
                             f"{rows[len(periods)][1][0].strip()}: {what}; periods must be "
                             f"consecutive and increasing (leave cells empty for an "
                             f"unobserved period)")
        periods.append(p)
        cells.append([_number(c, where, n) if c.strip() else np.nan
                      for c, n in zip(row[1:], names[1:], strict=True)])
    values = np.array(cells, float).T
    return History(file, sha256, frequency, np.array(periods),
                   {n: values[i] for i, n in enumerate(names[1:])})
