"""Numbers as people write and read them, in English and in Chinese.

Amounts of money: ``150 million yuan`` / ``1.5 亿元``, ``37.5 million yuan`` / ``3,750 万元``;
probabilities and shares with one decimal (``37.6 %`` / ``37.6%``); differences in percentage
points (``+0.27 pp`` / ``+0.27 个百分点``); p-values as ``< 0.001``; counts with thousands
separators; never an exponent such as ``5e+09``.
"""

from __future__ import annotations

import math

from ipsim.report.i18n import tr

__all__ = ["plain", "count", "percent", "interval", "points", "p_value", "p_relation", "yuan",
           "yuan_both", "growth", "measure_value"]

_DASH = "—"


def plain(x: float, digits: int = 2) -> str:
    """``x`` with thousands separators and at most ``digits`` decimals, trailing zeros off.

    >>> plain(1.5), plain(3750.0), plain(1234567.891), plain(-0.25)
    ('1.5', '3,750', '1,234,567.89', '-0.25')
    """
    text = f"{x:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _finite(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def count(x: float | None, lang: str = "en") -> str:
    """A count: ``1,000``; a non-integer with one decimal (``2.5``)."""
    if not _finite(x):
        return _DASH
    return plain(x, 0 if float(x).is_integer() else 1)


def percent(p: float | None, lang: str = "en", digits: int = 1) -> str:
    """A fraction as a percentage with one decimal: ``0.3762`` -> ``37.6 %`` / ``37.6%``."""
    if not _finite(p):
        return _DASH
    return tr(lang, "num.percent", value=f"{p * 100:.{digits}f}")


def interval(low: float | None, high: float | None, lang: str = "en", digits: int = 1) -> str:
    """An interval of fractions: ``[37.0 %, 38.3 %]`` / ``37.0%～38.3%``."""
    return tr(lang, "num.interval", low=percent(low, lang, digits),
              high=percent(high, lang, digits))


def points(d: float | None, lang: str = "en", digits: int = 2) -> str:
    """A difference of fractions in percentage points, signed: ``+0.27 pp``."""
    if not _finite(d):
        return _DASH
    return tr(lang, "num.points", value=f"{d * 100:+.{digits}f}")


def p_value(p: float | None, lang: str = "en") -> str:
    """A p-value: ``< 0.001`` below 0.001, else three decimals (``0.190``)."""
    if not _finite(p):
        return _DASH
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_relation(p: float | None, lang: str = "en") -> str:
    """A p-value after "p": ``< 0.001`` or ``= 0.190``."""
    text = p_value(p, lang)
    return text if text.startswith("<") or text == _DASH else f"= {text}"


def yuan(x: float | None, lang: str = "en") -> str:
    """An amount of money: ``150 million yuan`` / ``1.5 亿元``, ``3,000 万元``, ``800 元``.

    >>> yuan(1.5e8, "zh"), yuan(3.0e7, "zh"), yuan(1.5e8), yuan(3.75e7), yuan(2.5e10)
    ('1.5 亿元', '3,000 万元', '150 million yuan', '37.5 million yuan', '25 billion yuan')
    """
    if not _finite(x):
        return _DASH
    a = abs(x)
    steps = ((1e8, "yi"), (1e4, "wan")) if lang == "zh" else ((1e9, "billion"),
                                                              (1e6, "million"))
    for factor, word in steps:
        if a >= factor:
            return tr(lang, f"num.yuan_{word}", value=plain(x / factor, 2))
    return tr(lang, "num.yuan", value=plain(x, 0))


def yuan_both(x: float | None) -> str:
    """An amount in both languages, for texts read by both: ``1.5 亿元 / 150 million yuan``."""
    return f"{yuan(x, 'zh')} / {yuan(x, 'en')}"


def growth(g: float | None, lang: str = "en") -> str:
    """An annual growth rate: ``+17.2 %/yr`` / ``年均 17.2%``."""
    if not _finite(g):
        return _DASH
    return tr(lang, "num.growth", value=f"{g * 100:+.1f}" if lang == "en" else f"{g * 100:.1f}")


def measure_value(value: float | None, measure: str, lang: str = "en", unit: str = "") -> str:
    """A level of a target's measure in its own unit: a growth rate for ``cagr`` and
    ``mean_yoy``, a month for ``event``, an amount in yuan or a count otherwise."""
    if not _finite(value):
        return _DASH
    if measure in ("cagr", "mean_yoy"):
        return growth(value, lang)
    if measure == "event":
        return tr(lang, "num.month", value=count(round(value)))
    if unit.startswith("yuan"):
        return yuan(value, lang)
    return count(value, lang)
