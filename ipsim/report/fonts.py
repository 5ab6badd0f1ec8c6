"""Fonts for plots: a CJK font for Chinese text, text kept as text in SVG.

Matplotlib's own font (DejaVu Sans) has no Chinese glyphs: a Chinese label would come out
as empty boxes. :func:`configure` puts the first CJK font found among :data:`CJK_FAMILIES`
before DejaVu Sans, so each glyph is taken from the first font that has it (matplotlib's
per-glyph fallback), and makes SVG keep text as ``<text>`` (``svg.fonttype: none``) so that
labels in an SVG can be edited and translated, and read by the report's browser with the
same font list. Fonts installed after matplotlib built its font cache are found too (the
system font folders are scanned once for CJK files when the cache knows none).
"""

from __future__ import annotations

import functools
import re
import sys

import matplotlib
from matplotlib import font_manager

__all__ = ["CJK_FAMILIES", "INSTALL_HINT", "cjk_family", "configure", "require_cjk",
           "CSS_FAMILIES"]

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN",
                "Microsoft YaHei", "PingFang SC", "SimHei", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Noto Sans SC", "Heiti SC", "Hiragino Sans GB",
                "Noto Sans CJK JP", "Source Han Sans")
"""Simplified-Chinese sans-serif families, preferred first (the JP cut of Noto CJK has the
same Chinese glyphs in Japanese forms and comes last)."""

CSS_FAMILIES = ", ".join(f'"{f}"' for f in CJK_FAMILIES[:8]) + ', "DejaVu Sans", sans-serif'
"""The font list the HTML report asks the reader's browser for."""

INSTALL_HINT = ("no CJK font found for Chinese plot text (it would show as empty boxes): "
                "install one, e.g. 'apt-get install fonts-noto-cjk' (Debian/Ubuntu), "
                "'dnf install google-noto-sans-cjk-fonts' (Fedora), or Noto Sans CJK SC / "
                "Source Han Sans SC from their publishers")

_CJK_FILE = re.compile(r"(cjk|sourcehan|msyh|simhei|pingfang|wqy|wenquanyi|notosanssc|"
                       r"hiragino)", re.IGNORECASE)


def _known() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


@functools.cache
def cjk_family() -> str | None:
    """The first installed family of :data:`CJK_FAMILIES`, or None."""
    known = _known()
    if not any(f in known for f in CJK_FAMILIES):
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(path.rsplit("/", 1)[-1]):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # pragma: no cover
                    continue
        known = _known()
    return next((f for f in CJK_FAMILIES if f in known), None)


def configure() -> str | None:
    """Set matplotlib's fonts (CJK family first when installed, then DejaVu Sans) and SVG
    text as text; returns the CJK family used, or None."""
    family = cjk_family()
    rc = matplotlib.rcParams
    rc["font.family"] = ["sans-serif"]
    rc["font.sans-serif"] = ([family] if family else []) + ["DejaVu Sans"]
    rc["svg.fonttype"] = "none"
    rc["svg.hashsalt"] = "ipsim"   # ids in SVG files the same from run to run
    rc["axes.unicode_minus"] = False   # CJK fonts may lack U+2212
    return family


@functools.cache
def require_cjk() -> str | None:
    """:func:`configure`, and say on stderr in one line what to install when no CJK font is
    found (once per process)."""
    family = configure()
    if family is None:
        print(f"ipsim: warning: {INSTALL_HINT}", file=sys.stderr)
    return family
