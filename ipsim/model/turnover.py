"""Patented-technology contract turnover (mechanism 5).

Turnover in month ``m`` (yuan) is its own compound-growth level with shocks times the
transfer activity raised to an elasticity:

``turnover_m = y_m * activity_m^eta``

with ``y_m`` from :mod:`ipsim.model.growth` (month 0 drawn given the baseline annual
turnover) and
``activity_m`` the deal rate over its shock-free trend (:func:`ipsim.model.transfers.step`):
deals above trend, whether from the stock, programme spending or luck, carry turnover with
them. With ``eta = 0`` and no shocks the annual turnover grows by exactly ``growth`` a year.

Owns ``turnover_log`` (log of the monthly turnover level, yuan/month); reads
``transfer_activity``.
"""

from __future__ import annotations

import numpy as np

from ipsim.model import growth
from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Mechanism, Month, Series, Start, parameters_class
from ipsim.model.spec import Param

__all__ = ["MECHANISM", "PARAMS", "init", "step", "level", "TurnoverParameters"]

PARAMS: tuple[Param, ...] = (
    Param("growth", 0.20, "1/yr", -0.5, 1.5,
          "trend growth of contract turnover (annual, fraction)",
          "assumption; data/national-facts.md: national technology-contract turnover +26.6 % "
          "(2019), IP-related contracts +137.7 % (2019), +6.5 % (H1 2020)"),
    Param("volatility", 0.15, "1/sqrt(yr)", 0.0, 1.0,
          "volatility of the log level of turnover", "assumption"),
    Param("transfer_elasticity", 0.6, "dimensionless", 0.0, 3.0,
          "elasticity of turnover to transfer activity above its trend", "assumption"),
)
TurnoverParameters = parameters_class("turnover", PARAMS, __name__)


def init(state, p: TurnoverParameters, start: Start) -> None:
    """Draw month 0's turnover level given the baseline annual turnover and year 0's shocks
    (:func:`ipsim.model.growth.start_log_levels`)."""
    g = growth.log_drift(p.growth) * np.ones(state.n)
    state.turnover_log = growth.start_log_levels(start.baseline["turnover"], g, p.volatility,
                                                 start.past["turnover"])[:, 0]


def level(p: TurnoverParameters, log_level, activity):
    """Turnover of a month (yuan): ``y_m * activity_m^eta`` with ``log_level = log y_m``."""
    return np.exp(log_level) * activity ** p.transfer_elasticity


def step(state, p: TurnoverParameters, month: Month) -> dict[str, np.ndarray]:
    """One month of turnover (yuan, (paths,)), from the ``turnover`` shock and this month's
    ``transfer_activity``."""
    growth.step_log_level(state.turnover_log, growth.log_drift(p.growth), p.volatility,
                          month.shocks["turnover"])
    return {"turnover": level(p, state.turnover_log, state.transfer_activity)}


MECHANISM = Mechanism(
    name="turnover", doc="patented-technology contract turnover, linked to transfer activity",
    params=PARAMS, init=init, step=step, Parameters=TurnoverParameters,
    baseline=(Param("turnover", 1.5e10, "yuan/yr", 1.0, 1e14,
                    "patented-technology contract turnover in year 0",
                    "assumption; data/national-facts.md: IP-related contracts 928.69 bn "
                    "nationally (2019)"),),
    indicators=(Indicator("turnover", "flow", "yuan/yr",
                          "Patented-technology contract turnover"),),
    series=(Series("turnover", 0.6, "turnover"),), shocks=("turnover",),
    owns=("turnover_log",), reads=("transfer_activity",),
)
