"""Turn a run's counts and kept paths into the numbers a report shows."""

from __future__ import annotations

import numpy as np

from ipsim.analysis.attainment import proportion
from ipsim.model import registry
from ipsim.scenario.params import Scenario

__all__ = ["QUANTILES", "target_rows", "indicator_rows"]

QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


def target_rows(scenario: Scenario, tally, level: float = 0.95) -> tuple[list, dict, dict]:
    """Per-target attainment, the joint probability and the mid-term release, with intervals.

    Returns
    -------
    targets : list of dict
        One per target: ``id``, ``label``, ``indicator``, ``measure``, ``op``, ``threshold``,
        ``by_month``, ``probability``, ``ci_low``, ``ci_high``, ``successes``, ``paths``.
    all_targets, midterm_release : dict
        ``probability``, ``ci_low``, ``ci_high``, ``successes``, ``paths``.
    """
    rows = []
    for j, t in enumerate(scenario.targets):
        rows.append({"id": t.id, "label": t.label, "indicator": t.indicator,
                     "measure": t.measure, "op": "<=" if t.measure == "event" else t.op,
                     "threshold": t.by_month if t.measure == "event" else t.threshold,
                     "by_month": t.by_month,
                     **proportion(int(tally.met[j]), tally.n, level).as_dict()})
    joint = proportion(int(tally.met[-1]), tally.n, level).as_dict()
    released = proportion(tally.released, tally.n, level).as_dict()
    return rows, joint, released


def indicator_rows(scenario: Scenario, kept, means: dict[str, np.ndarray]) -> list[dict]:
    """Per indicator and year: calendar year, mean over all paths, and quantiles of the kept
    paths (``q05`` .. ``q95``)."""
    rows = []
    for name, yearly in kept.yearly.items():
        qs = np.quantile(yearly, QUANTILES, axis=0)
        for year in range(yearly.shape[1]):
            rows.append({"indicator": name, "unit": registry.indicators()[name].unit, "year": year,
                         "calendar_year": scenario.start_year - 1 + year,
                         "mean": float(means[name][year]),
                         **{f"q{round(q * 100):02d}": float(qs[i, year])
                            for i, q in enumerate(QUANTILES)}})
    return rows
