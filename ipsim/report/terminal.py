"""Tables for the terminal, aligned by display width so that Chinese text lines up.

A CJK character takes two terminal columns; ``len()`` counts one. :func:`pad` pads by the
width ``wcwidth`` gives (East Asian Wide and Fullwidth characters count two, combining
marks none), and :func:`table` lays out rows of cells in aligned columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from wcwidth import wcswidth

__all__ = ["width", "pad", "table"]


def width(text: str) -> int:
    """Terminal columns ``text`` takes (a character of unknown width counts one)."""
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def pad(text: str, columns: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (``<`` left, ``>``
    right)."""
    gap = " " * max(0, columns - width(text))
    return text + gap if align == "<" else gap + text


def table(rows: Sequence[Sequence[str]], aligns: str, sep: str = "  ") -> list[str]:
    """Lines of ``rows`` (the first is the header) in columns as wide as their widest cell;
    ``aligns`` has one ``<`` or ``>`` per column. A last column aligned left is not
    padded."""
    n = len(aligns)
    widths = [max(width(r[j]) for r in rows if j < len(r)) for j in range(n)]
    lines = []
    for r in rows:
        cells = [pad(c, widths[j], aligns[j]) if j < n - 1 or aligns[j] == ">" else c
                 for j, c in enumerate(r)]
        lines.append(sep.join(cells).rstrip())
    return lines
