"""Numbers as people read them: yuan in 亿元 and millions, one decimal on percentages,
p-values as ``< 0.001``. One place, so that the report's catalogue can take the words."""

from __future__ import annotations

import math

__all__ = ["yuan", "percent", "points", "p_value", "WORDS"]

WORDS = {"yi_yuan": "亿元", "wan_yuan": "万元", "million_yuan": "million yuan",
         "thousand_yuan": "thousand yuan", "yuan": "yuan"}
"""The unit words of :func:`yuan` (for the translation catalogue)."""


def yuan(x: float) -> str:
    """``150_000_000`` -> ``"1.5 亿元 / 150 million yuan"``; small sums in 万元 / thousands."""
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 1e8:
        return f"{x / 1e8:.4g} {WORDS['yi_yuan']} / {x / 1e6:,.4g} {WORDS['million_yuan']}"
    if abs(x) >= 1e6:
        return (f"{x / 1e4:,.4g} {WORDS['wan_yuan']} / {x / 1e6:.4g} "
                f"{WORDS['million_yuan']}")
    if abs(x) >= 1e4:
        return f"{x / 1e4:.4g} {WORDS['wan_yuan']} / {x / 1e3:,.4g} {WORDS['thousand_yuan']}"
    return f"{x:,.0f} {WORDS['yuan']}"


def percent(p: float) -> str:
    """``0.6123`` -> ``"61.2 %"``."""
    return f"{p * 100:.1f} %" if math.isfinite(p) else "-"


def points(d: float) -> str:
    """A difference of probabilities in percentage points: ``+3.4 pp``."""
    return f"{d * 100:+.1f} pp"


def p_value(p: float) -> str:
    """``< 0.001`` below a thousandth, else three decimals."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"
