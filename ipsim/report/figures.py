"""Figures of the report, drawn from the result data with :mod:`ipsim.report.plots` in the
report's language and returned as SVG text to place inside the HTML.

SVG keeps text as text (``svg.fonttype: none``; the reader's browser draws it with the
report's CJK-first font list), so figures stay small, sharp in print and searchable. Each
figure's element ids are prefixed with its number so several can live in one page.
"""

from __future__ import annotations

import io
import re

from ipsim.report.fonts import CSS_FAMILIES

__all__ = ["to_svg"]

_HEAD = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|xlink:href="#|href="#)([^")]+)')
_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')
_META = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_FAMILY = re.compile(r"font-family: [^;\"]*")


def to_svg(fig, prefix: str, label: str = "") -> str:
    """``fig`` as an SVG element for an HTML page (ids prefixed with ``prefix``); closes it.

    Matplotlib warnings about missing glyphs are not silenced: the report's tests turn them
    into errors.
    """
    from ipsim.report.plots import plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg")   # the plots lay themselves out (tight_layout)
    plt.close(fig)
    svg = _META.sub("", _HEAD.sub("", buf.getvalue(), count=1))
    svg = _FAMILY.sub(f"font-family: {CSS_FAMILIES}".replace('"', "'"), svg)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m[1]}"', svg)
    svg = _REF.sub(lambda m: f"{m[1]}{prefix}-{m[2]}", svg)
    svg = _SIZE.sub(r'<svg\1', svg, count=1)
    return svg.replace("<svg", f'<svg role="img" class="figure" aria-label="{label}"', 1) \
        if label else svg.replace("<svg", '<svg role="img" class="figure"', 1)
