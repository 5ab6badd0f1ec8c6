"""Patent transfers and licences (mechanism 2).

The monthly number of deals is Poisson with mean

``lam_m = x_m * (stock_m / stock_0)^eta * (1 + u * s / (s + h))``

where ``x_m`` is the market trend with shocks (:mod:`ipsim.model.growth`, calibrated to the
baseline annual count), ``eta`` the elasticity to the invention-patent stock, and the last
factor the uplift bought by spending ``s`` (yuan/yr, annualised) on transfer subsidies and
operation platforms: at most ``u`` (``max_uplift``), half of it at ``h`` (``half_spend``).
The monthly shock makes the counts over-dispersed (Poisson-lognormal).
"""

from __future__ import annotations

import numpy as np

from ipsim.model import draws, growth
from ipsim.model.spec import Param

__all__ = ["PARAMS", "DRAWS", "init", "step", "saturating_uplift", "spend_per_year", "rate"]

PARAMS: tuple[Param, ...] = (
    Param("growth", 0.12, "1/yr", -0.5, 1.0,
          "market trend growth of transfers and licences (annual, fraction), before stock and "
          "programme effects",
          "assumption; data/national-facts.md: transfers + licences + pledges +21.3 % (2019)"),
    Param("volatility", 0.12, "1/sqrt(yr)", 0.0, 1.0,
          "volatility of the log level of the deal rate", "assumption"),
    Param("stock_elasticity", 0.5, "dimensionless", 0.0, 3.0,
          "elasticity of the deal rate to the invention-patent stock", "assumption"),
    Param("max_uplift", 0.4, "fraction", 0.0, 5.0,
          "largest relative rise of the deal rate that subsidies and platforms can buy",
          "assumption"),
    Param("half_spend", 5e6, "yuan/yr", 1.0, 1e10,
          "annual spending on transfer subsidies and platforms that buys half of max_uplift",
          "assumption"),
)
DRAWS = 1
SPEND_LEVERS = ("transfer_subsidy", "operation_platforms")


def saturating_uplift(spend_per_year, max_uplift, half_spend):
    """``1 + u * s / (s + h)``: the multiplier bought by spending ``s`` (Michaelis-Menten)."""
    return 1.0 + max_uplift * spend_per_year / (spend_per_year + half_spend)


def spend_per_year(spend: dict):
    """Annualised spending (yuan/yr) on the levers that raise the deal rate, from one
    month's spending per lever (yuan)."""
    return 12.0 * sum(spend[k] for k in SPEND_LEVERS)


def rate(p, month: int, log_level, log_level0, stock, stock0, spend_year):
    """The month's deal rate and the transfer activity.

    Parameters
    ----------
    p : namespace
        This mechanism's parameters.
    month : int
        1-based month of the period.
    log_level, log_level0 : array_like
        Log of the trend level with shocks in this month and in month 0 (deals/month).
    stock, stock0 : array_like
        Invention patents in force this month and at month 0.
    spend_year : array_like
        :func:`spend_per_year` (yuan/yr).

    Returns
    -------
    lam : array_like
        ``x_m (stock/stock0)^eta (1 + u s/(s + h))``, deals/month.
    activity : array_like
        ``lam`` over the shock-free trend ``x_0 exp(g m / 12)`` (dimensionless).
    """
    g = growth.log_drift(p.growth)
    multiplier = ((stock / stock0) ** p.stock_elasticity
                  * saturating_uplift(spend_year, p.max_uplift, p.half_spend))
    lam = np.exp(log_level) * multiplier
    activity = np.exp(log_level - log_level0 - g * month / 12.0) * multiplier
    return lam, activity


def init(state, p, baseline) -> None:
    """Add ``transfers_log`` (log of the monthly trend level with shocks, deals/month),
    ``transfers_log0`` (its month-0 value) and ``transfers_stock0`` (the stock at month 0)."""
    g = growth.log_drift(p.growth) * np.ones(state.n)
    state.transfers_log = growth.initial_log_level(baseline["transfers"], g)
    state.transfers_log0 = state.transfers_log.copy()
    state.transfers_stock0 = state.stock.copy()


def step(state, p, month: int, shock: np.ndarray, spend: dict, z: np.ndarray):
    """One month of deals.

    Parameters
    ----------
    state : State
        Reads ``stock``; updates ``transfers_log``.
    p : namespace
        This mechanism's parameters.
    month : int
        1-based month of the period.
    shock : numpy.ndarray
        (paths,) standardised shock of the transfers series.
    spend : dict
        This month's spending per lever (yuan, (paths,) each).
    z : numpy.ndarray
        (paths, DRAWS) standard normals of this mechanism's stream.

    Returns
    -------
    flows : dict
        ``transfers``: deals this month, (paths,).
    activity : numpy.ndarray
        ``lam_m`` over the shock-free trend ``x_0 exp(g m / 12)``: the deal rate relative to
        its own trend (stock, spending and shocks together), which drives contract turnover.
    """
    growth.step_log_level(state.transfers_log, growth.log_drift(p.growth), p.volatility, shock)
    lam, activity = rate(p, month, state.transfers_log, state.transfers_log0, state.stock,
                         state.transfers_stock0, spend_per_year(spend))
    return {"transfers": draws.poisson_from_normal(z[:, 0], lam)}, activity
