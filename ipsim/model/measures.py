"""The table of target measures: how an indicator's paths become one number a target judges.

A target is ``measure(indicator) op threshold`` (or, for ``event``, "happens by month
``by_month``"). Each :class:`Measure` of :data:`MEASURES` carries everything every part of
ipsim needs to know about it, so a measure is added in one place:

* its definition (``doc``) and a readable statement of a target (:meth:`Measure.describe`);
* its value on every path, from the indicator's yearly array ``(paths, years + 1)`` (column
  0 is year 0) or, for an event, from the month of the first occurrence;
* what it needs (a ``threshold`` or a ``by_month``) and which indicator kinds it applies to;
* how the mid-term gate judges a path on pace after ``M`` of ``H`` months
  (:meth:`Measure.on_pace`), from one of four kinds of progress (:data:`PROGRESS`);
* the path it implies year by year, against which fan charts are drawn
  (:meth:`Measure.target_path`, over the series :meth:`Measure.fan_series`).

Pure numpy; an unknown measure is an error (:func:`measure`), never a silent fall-through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

__all__ = ["Measure", "MEASURES", "PROGRESS", "measure", "names", "register", "registered",
           "UnknownMeasure", "cagr", "mean_yoy", "cumulative", "final"]

PROGRESS = {
    "window": "the flow of the last 12 months",
    "total": "the count or amount so far",
    "level": "the level now (a stock)",
    "event": "1 if the event has happened, else 0",
}
"""Kinds of progress the gate tracks to month M, by name."""


class UnknownMeasure(ValueError):
    """A measure name that is not in :data:`MEASURES`."""


@dataclass(frozen=True)
class Measure:
    """One target measure (see the module docstring).

    Attributes
    ----------
    name : str
        Its name in a scenario's ``targets[].measure``.
    doc : str
        Its definition, in words and symbols.
    kinds : tuple of str
        Indicator kinds it applies to (``flow``, ``stock``, ``output``), or ``("event",)``
        for indicators that record an event.
    needs : str
        ``"threshold"`` or ``"by_month"``.
    unit : str
        Unit of its value: ``"fraction/yr"``, ``"month"``, or ``""`` for the indicator's own
        (a year's flow, a stock).
    value : callable
        ``value(x) -> (paths,)``; ``x`` is the yearly array, or for ``by_month`` measures the
        first-occurrence months (paths,).
    progress : callable
        ``progress(kind) -> str``: the :data:`PROGRESS` the gate tracks for an indicator of
        ``kind``.
    pace : callable
        ``pace(progress, baseline, threshold, month, horizon, tolerance) -> (paths,) bool``.
    fan : callable or None
        ``fan(yearly) -> (paths, years + 1)``: the series a fan chart shows (None: no chart).
    path : callable or None
        ``path(baseline, threshold, years) -> (years + 1,)``: the implied target path.
    fan_name : str
        What the fan series is, for titles and file names: ``""`` the indicator's yearly
        values, otherwise e.g. ``"cumulative"`` (running totals).
    """

    name: str
    doc: str
    kinds: tuple[str, ...]
    needs: str
    unit: str
    value: Callable[[np.ndarray], np.ndarray]
    progress: Callable[[str], str]
    pace: Callable[..., np.ndarray]
    fan: Callable[[np.ndarray], np.ndarray] | None = None
    path: Callable[[float, float, int], np.ndarray] | None = None
    fan_name: str = ""

    def applies_to(self, kind: str, event: bool) -> bool:
        """Whether a target may take this measure of an indicator of ``kind`` (``event``:
        the indicator records its first occurrence)."""
        return event if self.kinds == ("event",) else kind in self.kinds

    def met(self, value: np.ndarray, op: str, threshold: float | None,
            by_month: int | None) -> np.ndarray:
        """(paths,) bool: each path's ``value`` meets the target."""
        if self.needs == "by_month":
            return value <= by_month
        return value > threshold if op == ">" else value >= threshold

    def on_pace(self, progress: np.ndarray, baseline: float, threshold: float | None,
                month: int, horizon: int, tolerance: float) -> np.ndarray:
        """(paths,) bool: on pace after ``month`` of ``horizon`` months, given the
        :meth:`progress` value (its unit), the indicator's year-0 ``baseline`` and the
        share ``tolerance`` in [0, 1] of the target pace that counts as on pace."""
        return self.pace(progress, baseline, threshold, month, horizon, tolerance)

    def fan_series(self, yearly: np.ndarray) -> np.ndarray | None:
        """The (paths, years + 1) series its fan chart shows, or None."""
        return None if self.fan is None else self.fan(yearly)

    def target_path(self, baseline: float, threshold: float, years: int) -> np.ndarray | None:
        """The (years + 1,) path a target of this measure implies, or None."""
        return None if self.path is None else self.path(baseline, threshold, years)

    def describe(self, indicator: str, op: str, threshold: float | None,
                 by_month: int | None) -> str:
        """A target in words: ``cagr(transfers) > 0.2``, ``securitisations by month 36``."""
        if self.needs == "by_month":
            return f"{indicator} happens by month {by_month}"
        return f"{self.name}({indicator}) {op} {threshold:g}"


# -- the measures ---------------------------------------------------------------------------

def cagr(yearly: np.ndarray) -> np.ndarray:
    """Compound annual growth of the last year over year 0: ``(v_Y / v_0)^(1/Y) - 1``."""
    years = yearly.shape[1] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return (yearly[:, -1] / yearly[:, 0]) ** (1.0 / years) - 1.0


def mean_yoy(yearly: np.ndarray) -> np.ndarray:
    """Mean of the year-on-year growth rates ``v_k / v_(k-1) - 1`` over ``k = 1..Y``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (yearly[:, 1:] / yearly[:, :-1] - 1.0).mean(axis=1)


def cumulative(yearly: np.ndarray) -> np.ndarray:
    """Sum over the period's years ``1..Y`` (year 0 excluded)."""
    return yearly[:, 1:].sum(axis=1)


def final(yearly: np.ndarray) -> np.ndarray:
    """The last year's value (for a stock, its level at the end of the period)."""
    return yearly[:, -1]


def _growth_pace(progress, baseline, threshold, month, horizon, tolerance):
    """Annualised growth of the last 12 months' flow over the baseline,
    ``(flow_12 / baseline)^(12/M) - 1``, at least ``tolerance x threshold``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pace = (progress / baseline) ** (12.0 / month) - 1.0
    return pace >= tolerance * threshold


def _growth_path(baseline, threshold, years):
    return baseline * (1.0 + threshold) ** np.arange(years + 1)


def _cumulative_series(yearly: np.ndarray) -> np.ndarray:
    out = np.zeros_like(yearly)
    np.cumsum(yearly[:, 1:], axis=1, out=out[:, 1:])
    return out


def _final_pace(progress, baseline, threshold, month, horizon, tolerance):
    """The level (or the last 12 months' flow) has covered ``tolerance x M / H`` of the way
    from the baseline to the threshold."""
    return progress >= baseline + tolerance * (month / horizon) * (threshold - baseline)


def _growth(name: str, doc: str, value) -> Measure:
    return Measure(name, doc, ("flow",), "threshold", "fraction/yr", value,
                   progress=lambda kind: "window", pace=_growth_pace, fan=lambda y: y,
                   path=_growth_path)


MEASURES: dict[str, Measure] = {m.name: m for m in (
    _growth("cagr", "compound annual growth of the last year over year 0: "
            "(v_Y / v_0)^(1/Y) - 1", cagr),
    _growth("mean_yoy", "mean of the year-on-year growth rates v_k / v_(k-1) - 1, "
            "k = 1..Y", mean_yoy),
    Measure("cumulative", "sum over the period's years 1..Y", ("flow", "output"),
            "threshold", "", cumulative,
            progress=lambda kind: "total",
            pace=lambda pr, b, t, m, h, tol: pr >= tol * t * m / h,
            fan=_cumulative_series,
            path=lambda b, t, years: t * np.arange(years + 1) / years, fan_name="cumulative"),
    Measure("final", "value in the last year (the level at its end, for a stock)",
            ("flow", "stock", "output"), "threshold", "", final,
            progress=lambda kind: "level" if kind == "stock" else "window",
            pace=_final_pace, fan=lambda y: y,
            path=lambda b, t, years: b + (t - b) * np.arange(years + 1) / years),
    Measure("event", "happened at least once by month `by_month` (first-occurrence month "
            "<= by_month)", ("event",), "by_month", "month", lambda first: first,
            progress=lambda kind: "event", pace=lambda pr, *_: pr > 0),
)}
"""Measure name -> :class:`Measure`, the one table every part of ipsim reads."""


def measure(name: str) -> Measure:
    """The measure called ``name``.

    Raises
    ------
    UnknownMeasure
        ``name`` is not in :data:`MEASURES` (the message lists the known ones).
    """
    try:
        return MEASURES[name]
    except (KeyError, TypeError):
        raise UnknownMeasure(f"unknown measure {name!r}; known: {', '.join(MEASURES)}") from None


def names() -> tuple[str, ...]:
    """The measures' names, in table order."""
    return tuple(MEASURES)


def register(m: Measure) -> None:
    """Add a measure to the table (an extension, or a test's toy measure)."""
    if m.name in MEASURES:
        raise ValueError(f"measure {m.name!r} exists already")
    if m.needs not in ("threshold", "by_month"):
        raise ValueError(f"measure {m.name!r}: needs must be 'threshold' or 'by_month'")
    MEASURES[m.name] = m


@contextlib.contextmanager
def registered(m: Measure) -> Iterator[Measure]:
    """Register ``m`` for the duration of a block, then remove it."""
    register(m)
    try:
        yield m
    finally:
        MEASURES.pop(m.name, None)
