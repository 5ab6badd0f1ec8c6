"""Published national figures for China shipped with ipsim.

``national.csv`` is a yearly history file (the format ``ipsim calibrate`` and
``ipsim backtest`` read: ``#`` comments, a ``year`` column, one column per model indicator,
empty where not published). ``national-sources.csv`` has one row per number, with its
unit, the figure as printed, the source, the page it was read on, whether it is a published
fact or derived, and a confidence grade; it also holds the series that are not model
indicators (technology-contract turnover, patent-only pledge financing, ...). See
``README.md`` beside this file for the sources, the scope breaks and what is missing.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

__all__ = ["national_path", "national_sources", "SOURCE_FIELDS"]

SOURCE_FIELDS: tuple[str, ...] = ("year", "column", "value", "unit", "published", "source",
                                  "retrieval", "kind", "confidence", "note")
"""Columns of ``national-sources.csv``."""


def _text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def national_path() -> Path:
    """Path of ``national.csv`` (the package is installed as files, not zipped)."""
    return Path(str(resources.files(__package__).joinpath("national.csv")))


def national_sources() -> list[dict]:
    """Rows of ``national-sources.csv``, ``#`` comment lines skipped.

    Returns
    -------
    list of dict
        Keys :data:`SOURCE_FIELDS`; ``year`` is an int, ``value`` a float in ``unit``
        (yuan, counts per year, patents, or a fraction for ``*_yoy`` growth rates), and
        ``value_text`` the value as written in the file.
    """
    lines = [line for line in io.StringIO(_text("national-sources.csv"))
             if not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        rows.append({**row, "year": int(row["year"]), "value": float(row["value"]),
                     "value_text": row["value"]})
    return rows
