"""A target's measure on every simulated path, and whether each path meets it.

The measures themselves (their definitions, values, gate rules and target paths) are one
table in :mod:`ipsim.model.measures`; this module applies a target's row of it to the paths
an engine returned.
"""

from __future__ import annotations

import numpy as np

from ipsim.model.measures import measure
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Target

__all__ = ["value", "attained"]


def value(target: Target, paths: IndicatorPaths) -> np.ndarray:
    """The target's measure on every path ((paths,), in the measure's unit; for a measure
    that needs a month, the month of the first occurrence).

    Raises
    ------
    UnknownMeasure
        The target's measure is not in the table.
    """
    m = measure(target.measure)
    if m.needs == "by_month":
        return m.value(paths.events[target.indicator])
    return m.value(paths.yearly[target.indicator])


def attained(target: Target, paths: IndicatorPaths) -> np.ndarray:
    """(paths,) bool: whether each path meets the target."""
    return measure(target.measure).met(value(target, paths), target.op, target.threshold,
                                        target.by_month)
