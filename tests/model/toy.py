"""A toy mechanism and a toy measure, registered by tests only: proof that the registry and
the measure table are the one place a mechanism or a measure is declared.

The toy is "patent insurance": policies sold a month are Poisson with mean
``x_m + spend / unit_cost``, ``x_m`` a compound-growth trend on its own shock series
(``insurance``) calibrated to the baseline ``insurance_policies`` a year; a reserve (a stock)
grows by ``reserve_share`` of the spending. It reads the patent stock (declared) to scale its
trend by ``(stock / stock_0)^0`` = 1 (a read that must be declared, with no effect on the
numbers), spends the lever ``insurance``, and draws one normal a month.

The toy measure ``peak`` is the largest yearly value over years 1..Y.
"""

from __future__ import annotations

import numpy as np

from ipsim.model import draws, growth
from ipsim.model.indicators import Indicator
from ipsim.model.measures import Measure
from ipsim.model.mechanism import Lever, Mechanism, Month, Series, Start, parameters_class
from ipsim.model.spec import Param

PARAMS = (
    Param("growth", 0.1, "1/yr", -0.5, 1.0, "trend growth of policies sold", "test"),
    Param("volatility", 0.1, "1/sqrt(yr)", 0.0, 1.0, "volatility of the trend", "test"),
    Param("unit_cost", 1e4, "yuan", 1.0, 1e9, "programme spending per extra policy", "test"),
    Param("reserve_share", 0.5, "fraction", 0.0, 1.0, "share of spending kept in reserve",
          "test"),
)
InsuranceParameters = parameters_class("insurance", PARAMS, __name__)


def init(state, p: InsuranceParameters, start: Start) -> None:
    g = growth.log_drift(p.growth) * np.ones(state.n)
    state.insurance_log = growth.initial_log_level(start.baseline["insurance_policies"], g)
    state.insurance_reserve = np.zeros(state.n)
    state.insurance_stock0 = state.stock.copy()


def step(state, p: InsuranceParameters, month: Month) -> dict[str, np.ndarray]:
    growth.step_log_level(state.insurance_log, growth.log_drift(p.growth), p.volatility,
                          month.shocks["insurance"])
    scale = (state.stock / state.insurance_stock0) ** 0.0
    spend = month.spend["insurance"]
    lam = np.exp(state.insurance_log) * scale + spend / p.unit_cost
    state.insurance_reserve = state.insurance_reserve + p.reserve_share * spend
    return {"insurance_policies": draws.poisson_from_normal(month.draws[:, 0], lam)}


TOY = Mechanism(
    name="insurance", doc="patent insurance policies (a test's toy)", params=PARAMS,
    init=init, step=step, Parameters=InsuranceParameters,
    baseline=(Param("insurance_policies", 600, "policies/yr", 1.0, 1e7,
                    "insurance policies sold in year 0", "test"),),
    indicators=(Indicator("insurance_policies", "flow", "policies/yr", "Insurance policies"),
                Indicator("insurance_reserve", "stock", "yuan", "Insurance reserve")),
    levers=(Lever("insurance", "subsidised patent insurance"),),
    series=(Series("insurance", 0.3, "insurance"),), shocks=("insurance",), draws=1,
    owns=("insurance_log", "insurance_reserve", "insurance_stock0"), reads=("stock",),
    stocks={"insurance_reserve": "insurance_reserve"},
)


def _peak_pace(progress, baseline, threshold, month, horizon, tolerance):
    return progress >= tolerance * threshold


PEAK = Measure("peak", "largest yearly value over years 1..Y", ("flow", "output"),
               "threshold", "", lambda y: y[:, 1:].max(axis=1),
               progress=lambda kind: "window", pace=_peak_pace, fan=lambda y: y,
               path=lambda b, t, years: np.full(years + 1, float(t)))
