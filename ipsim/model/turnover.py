"""Patented-technology contract turnover (mechanism 5).

Turnover in month ``m`` (yuan) is its own compound-growth level with shocks times the
transfer activity raised to an elasticity:

``turnover_m = y_m * activity_m^eta``

with ``y_m`` from :mod:`ipsim.model.growth` (calibrated to the baseline annual turnover) and
``activity_m`` the deal rate over its shock-free trend (:func:`ipsim.model.transfers.step`):
deals above trend, whether from the stock, programme spending or luck, carry turnover with
them. With ``eta = 0`` and no shocks the annual turnover grows by exactly ``growth`` a year.
"""

from __future__ import annotations

import numpy as np

from ipsim.model import growth
from ipsim.model.spec import Param

__all__ = ["PARAMS", "DRAWS", "init", "step", "level"]

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
DRAWS = 0  # the shock comes from the common-shock block


def init(state, p, baseline) -> None:
    """Add ``turnover_log``: log of the monthly turnover level (yuan/month)."""
    g = growth.log_drift(p.growth) * np.ones(state.n)
    state.turnover_log = growth.initial_log_level(baseline["turnover"], g)


def level(p, log_level, activity):
    """Turnover of a month (yuan): ``y_m * activity_m^eta`` with ``log_level = log y_m``."""
    return np.exp(log_level) * activity ** p.transfer_elasticity


def step(state, p, shock: np.ndarray, activity: np.ndarray) -> dict[str, np.ndarray]:
    """One month of turnover (yuan, (paths,)), given the shock and the transfer activity."""
    growth.step_log_level(state.turnover_log, growth.log_drift(p.growth), p.volatility, shock)
    return {"turnover": level(p, state.turnover_log, activity)}
