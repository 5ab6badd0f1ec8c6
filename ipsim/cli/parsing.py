"""Command-line texts into the values the Python API takes: numbers, value lists, levers.

The API takes structured arguments (a lever is a key path and a tuple of values); only the
command line writes them as text: ``KEY=START:STOP:N`` (``N`` evenly spaced values, both
ends included), ``KEY=v1,v2,...``, ``a,b`` lists and ``LO:HI`` ranges. Every function here
raises :class:`~ipsim.errors.ArgumentError` naming the API argument its flag feeds
(:data:`ipsim.cli.options.FLAGS` maps it back to the flag).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ipsim.errors import ArgumentError
from ipsim.scenario.points import MAX_POINTS, Lever, make_lever

__all__ = ["parse_value", "parse_values", "parse_lever", "parse_names", "parse_interval",
           "parse_bounds", "parse_requirements"]

_INT = re.compile(r"^[+-]?\d[\d_]*$")


def parse_value(text: str) -> Any:
    """A number (``0.25``, ``1e8``, ``100_000``), ``true``/``false``, or a text."""
    t = text.strip()
    if _INT.match(t):
        return int(t.replace("_", ""))
    try:
        return float(t.replace("_", ""))
    except ValueError:
        pass
    return {"true": True, "false": False}.get(t.lower(), t)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _grid(argument: str, key: str, spec: str) -> tuple:
    """``START:STOP:N``: ``N`` evenly spaced values; ``N`` is checked before any is built."""
    parts = spec.split(":")
    start, stop = (parse_value(p) for p in parts[:2])
    n = parse_value(parts[2])
    if not (_number(start) and _number(stop)) or not isinstance(n, int) or n < 1:
        raise ArgumentError(argument, f"write START:STOP:N with numbers START and STOP and a "
                            f"whole number N >= 1, e.g. {key}=0.1:0.4:7", value=f"{key}={spec}")
    if n > MAX_POINTS:
        raise ArgumentError(argument, f"{n:,} values; at most {MAX_POINTS} points in all",
                            value=f"{key}={spec}")
    if n == 1 and start != stop:
        raise ArgumentError(argument, "N = 1 needs START = STOP (N counts the values, both "
                            "ends included)", value=f"{key}={spec}")
    values = [float(round(v, 12)) for v in np.linspace(start, stop, n)]
    if isinstance(start, int) and isinstance(stop, int) and all(v.is_integer() for v in values):
        return tuple(int(v) for v in values)
    return tuple(values)


def parse_values(argument: str, key: str, spec: str) -> tuple:
    """The values of ``KEY=SPEC``: ``START:STOP:N`` or ``v1,v2,...`` (no empty value)."""
    if spec.count(":") == 2:
        return _grid(argument, key, spec)
    if ":" in spec:
        raise ArgumentError(argument, "a range is START:STOP:N (three parts)",
                            value=f"{key}={spec}")
    values = tuple(parse_value(v) for v in spec.split(","))
    if any(v == "" for v in values):
        raise ArgumentError(argument, "an empty value in the list", value=f"{key}={spec}")
    return values


def parse_lever(text: str, argument: str = "levers") -> Lever:
    """One ``--param KEY=VALUES`` text as a checked :class:`~ipsim.scenario.points.Lever`."""
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not sep or not key or not spec:
        raise ArgumentError(argument, "write KEY=START:STOP:N or KEY=v1,v2,... (e.g. "
                            "policy.allocation.risk_pool=0.1:0.4:7)", value=repr(text))
    return make_lever(key, parse_values(argument, key, spec))


def parse_names(text: str | None) -> list[str]:
    """``"a, b,c"`` -> ``["a", "b", "c"]`` (empty items dropped); None -> ``[]``."""
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def parse_interval(argument: str, text: str) -> tuple[float, float]:
    """``LO:HI`` with numbers ``LO <= HI``."""
    lo, sep, hi = text.partition(":")
    low, high = parse_value(lo), parse_value(hi)
    if not sep or not (_number(low) and _number(high)) or low > high:
        raise ArgumentError(argument, "write LO:HI with numbers LO <= HI, e.g. 0.05:0.5",
                            value=text)
    return float(low), float(high)


def parse_bounds(texts: list[str] | None) -> dict[str, tuple[float, float]]:
    """``["risk_pool=0.1:0.4", ...]`` -> ``{"risk_pool": (0.1, 0.4)}`` (argument
    ``bounds``)."""
    out = {}
    for text in texts or []:
        key, sep, spec = text.partition("=")
        if not sep or not key.strip():
            raise ArgumentError("bounds", "write KEY=LO:HI, e.g. risk_pool=0.1:0.4",
                                value=text)
        if key.strip() in out:
            raise ArgumentError("bounds", "given twice", value=key.strip())
        out[key.strip()] = parse_interval("bounds", spec.strip())
    return out


_REQUIRE = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9.eE_+-]+)\s*$")


def parse_requirements(texts: list[str] | None) -> dict[str, float]:
    """``["pledge_amount>=0.8", ...]`` (or comma-separated) -> ``{"pledge_amount": 0.8}``
    (argument ``require``)."""
    out = {}
    for text in texts or []:
        for item in parse_names(text):
            m = _REQUIRE.match(item)
            value = parse_value(m.group(2)) if m else None
            if not m or not _number(value):
                raise ArgumentError("require", "write TARGET>=P with P in (0, 1), e.g. "
                                    "pledge_amount>=0.8", value=item)
            out[m.group(1)] = float(value)
    return out
