"""What a report holds, before it is written as HTML or as a workbook.

A :class:`Document` is a list of :class:`Section` objects, each a list of blocks:
:class:`Paragraph`, :class:`Table` (raw values with a kind per column, so that the HTML shows
``37.6 %`` and the workbook holds the number 0.376 formatted as a percentage),
:class:`Figure` (an inline SVG with a numbered caption), :class:`Image` (a PNG another command
wrote) and :class:`Code` (commands to type). Tables and figures are numbered in the order
they appear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Column", "interval_columns", "Table", "Paragraph", "Figure", "Image", "Code",
           "Facts", "Section", "Document", "KINDS"]

KINDS = ("text", "percent", "points", "pvalue", "yuan", "count", "number", "share",
         "measure", "interval", "points_interval")
"""Column kinds: how a value is shown (see :mod:`ipsim.report.numbers`)."""


@dataclass(frozen=True)
class Column:
    """A table column: ``key`` into each row, its heading, and how values are shown.

    ``html`` / ``xlsx`` false leave the column out of the page / the workbook: an interval
    is one column ``[37.0 %, 38.3 %]`` on the page (kind ``interval`` or
    ``points_interval``, the value a ``(low, high)`` pair) and two numbers in the workbook.
    """

    key: str
    title: str
    kind: str = "text"
    html: bool = True
    xlsx: bool = True
    wide: bool = False
    """A column of long texts, given room on the page."""


def interval_columns(key: str, title: str, low: str, high: str, low_title: str,
                     high_title: str, points: bool = False) -> list[Column]:
    """An interval as one column on the page and two in the workbook (rows need ``key`` as
    a ``(low, high)`` pair and ``low``, ``high`` as numbers)."""
    kind = "points" if points else "percent"
    return [Column(key, title, "points_interval" if points else "interval", xlsx=False),
            Column(low, low_title, kind, html=False), Column(high, high_title, kind, html=False)]


@dataclass
class Table:
    """A table: numbered caption, columns, rows of raw values (dicts keyed by column).

    ``sheet`` names the workbook sheet (at most 31 characters). A row may hold
    ``"_measure"`` for a column of kind ``measure`` (the measure's name, for the unit).
    """

    sheet: str
    caption: str
    columns: list[Column]
    rows: list[dict]
    number: int = 0
    note: str = ""


@dataclass
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass
class Figure:
    """An SVG drawn for the report (text kept as text), with a numbered caption."""

    svg: str
    caption: str
    number: int = 0
    label: str = ""


@dataclass
class Image:
    """A PNG written by another command, shown as it is (base64 inside the HTML)."""

    png: bytes
    caption: str
    number: int = 0
    label: str = ""


@dataclass
class Code:
    text: str


@dataclass
class Facts:
    """Key-value pairs (the reproduction block)."""

    pairs: list[tuple[str, str]]


@dataclass
class Section:
    id: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    sections: list[Section]
    provenance: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) pairs for the workbook's provenance sheet."""
    created: str = ""
    """When the results were made (ISO 8601, UTC), for the files' metadata."""

    def number(self) -> None:
        """Number tables and figures in order of appearance."""
        tables = figures = 0
        for s in self.sections:
            for b in s.blocks:
                if isinstance(b, Table):
                    tables += 1
                    b.number = tables
                elif isinstance(b, Figure | Image):
                    figures += 1
                    b.number = figures

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
