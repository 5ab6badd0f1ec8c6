"""The commit levels of a run: ``commit.csv``, ``exceedance.csv``, the ``commit`` keys of
``summary.json`` and a plot per target (``commit_<target id>.png`` / ``.svg``).

Levels are in the measure's unit: a growth rate as a fraction a year, a count, a month
(:mod:`ipsim.analysis.commit`). They rest on the run's kept paths (``commit_paths``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ipsim.analysis.commit import ODDS, CommitLevel, commit_levels, exceedance
from ipsim.analysis.measures import value as measure_value
from ipsim.model import registry
from ipsim.model.measures import measure
from ipsim.scenario.params import Scenario, Target

__all__ = ["levels", "unit_of", "summary_keys", "commit_rows", "exceedance_rows", "plots",
           "TEXT"]

TEXT = {
    "title": "{label}: what can be committed to",
    "subtitle": "{scenario}: {paths:,} paths; the target and the level met with 80 % odds",
    "y": "P(measure reaches x)",
    "event_y": "P(happens by month x)",
    "target": "target: {op} {threshold}",
    "level": "met with 80 % odds: {op} {level}",
}
"""User-visible strings of the commit plots (for the translation catalogue)."""


def unit_of(target: Target) -> str:
    """The unit of a target's measure: ``fraction/yr``, ``month`` or the indicator's count."""
    m = measure(target.measure)
    if m.unit:
        return m.unit
    return registry.indicators()[target.indicator].unit.split("/")[0]


def levels(scenario: Scenario, kept) -> dict[str, list[CommitLevel]]:
    """Target id -> its commit levels at :data:`ODDS` from the kept paths ``kept``."""
    return {t.id: commit_levels(t, measure_value(t, kept), ODDS) for t in scenario.targets}


def _key(p: float) -> str:
    return f"{p:g}"


def summary_keys(found: list[CommitLevel]) -> dict:
    """What a target row of ``summary.json`` gains: ``commit`` (odds -> level; keys "0.5",
    "0.8", "0.9"), ``commit_ci`` (odds -> [low, high]), ``commit_paths``."""
    return {"commit": {_key(c.odds): c.level for c in found},
            "commit_ci": {_key(c.odds): [c.ci_low, c.ci_high] for c in found},
            "commit_paths": found[0].paths if found else 0}


def commit_rows(scenario: Scenario, found: dict[str, list[CommitLevel]],
                probability: dict[str, float]) -> list[dict]:
    """One row per target and odds: the level, its interval, the unit and the paths; and the
    probability of the scenario's own target (from every path of the run)."""
    rows = []
    for t in scenario.targets:
        for c in found[t.id]:
            rows.append({"id": t.id, "label": t.label, "measure": t.measure,
                         "op": "<=" if measure(t.measure).needs == "by_month" else t.op,
                         "unit": unit_of(t), "odds": c.odds, "level": c.level,
                         "ci_low": c.ci_low, "ci_high": c.ci_high, "achieved": c.achieved,
                         "threshold": t.by_month if t.measure == "event" else t.threshold,
                         "threshold_probability": probability[t.id], "paths": c.paths})
    return rows


def exceedance_rows(scenario: Scenario, kept) -> list[dict]:
    """The exceedance curve of every target: ``id``, ``x``, ``probability``."""
    rows = []
    for t in scenario.targets:
        x, p = exceedance(measure_value(t, kept))
        rows += [{"id": t.id, "unit": unit_of(t), "x": float(a), "probability": float(b)}
                 for a, b in zip(x, p, strict=True)]
    return rows


def _show(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "never"
    if unit == "fraction/yr":
        return f"{value * 100:+.1f} %/yr"
    if unit == "month":
        return f"month {value:g}"
    return f"{value:,.0f}" if value == round(value) else f"{value:,.3g}"


def plots(scenario: Scenario, kept, found: dict[str, list[CommitLevel]], out: Path) -> None:
    """``commit_<id>`` per target: the exceedance curve (an event's: by month) against the
    threshold, with the 80 % level marked."""
    from ipsim.report import decide_plots

    for t in scenario.targets:
        v = measure_value(t, kept)
        unit = unit_of(t)
        event = measure(t.measure).needs == "by_month"
        finite = np.sort(v[np.isfinite(v)])
        if event:     # P(happens by month x)
            x = np.arange(0, scenario.horizon_months + 1)
            p = np.searchsorted(np.sort(v), x, side="right") / len(v)
        else:
            x = finite
            p = 1.0 - np.arange(len(finite)) / len(v)
        c80 = next(c for c in found[t.id] if c.odds == 0.8)
        threshold = t.by_month if event else t.threshold
        op = "by" if event else t.op
        scale = 100.0 if unit == "fraction/yr" else 1.0
        fig = decide_plots.exceedance_chart(
            x * scale, p, threshold * scale, c80.level * scale if np.isfinite(c80.level)
            else None, TEXT["title"].format(label=t.label),
            TEXT["subtitle"].format(scenario=scenario.name, paths=len(v)),
            {"fraction/yr": "%/yr"}.get(unit, unit),
            TEXT["event_y"] if event else TEXT["y"],
            TEXT["target"].format(op=op, threshold=_show(threshold, unit)),
            TEXT["level"].format(op=op, level=_show(c80.level, unit)), step=event)
        decide_plots.save(fig, out / f"commit_{t.id}")
