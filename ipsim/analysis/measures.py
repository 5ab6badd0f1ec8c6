"""Target measures: one function per measure, all with the same signature.

Each takes an indicator's yearly array (paths, years + 1) (column 0 is year 0) and returns a
(paths,) value; ``event`` takes the first-occurrence months instead. The names and their
definitions are :data:`ipsim.model.indicators.MEASURES`.
"""

from __future__ import annotations

import numpy as np

from ipsim.model.indicators import MEASURES
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Target

__all__ = ["cagr", "mean_yoy", "cumulative", "final", "MEASURE_FUNCTIONS", "measure",
           "attained"]


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


MEASURE_FUNCTIONS = {"cagr": cagr, "mean_yoy": mean_yoy, "cumulative": cumulative,
                     "final": final}
assert set(MEASURE_FUNCTIONS) | {"event"} == set(MEASURES)


def measure(target: Target, paths: IndicatorPaths) -> np.ndarray:
    """The target's measure on every path ((paths,); for ``event``, the first month)."""
    if target.measure == "event":
        return paths.events[target.indicator]
    return MEASURE_FUNCTIONS[target.measure](paths.yearly[target.indicator])


def attained(target: Target, paths: IndicatorPaths) -> np.ndarray:
    """(paths,) bool: whether each path meets the target."""
    value = measure(target, paths)
    if target.measure == "event":
        return value <= target.by_month
    if target.op == ">":
        return value > target.threshold
    return value >= target.threshold
