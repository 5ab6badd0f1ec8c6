"""Patent transfers and licences (mechanism 2).

The monthly number of deals is Poisson with mean

``lam_m = x_m * (stock_m / stock_0)^eta * (1 + u * s / (s + h))``

where ``x_m`` is the market trend with shocks (:mod:`ipsim.model.growth`; month 0's level drawn
given the baseline annual count), ``eta`` the elasticity to the invention-patent stock, and the
last factor the uplift bought by spending ``s`` (yuan/yr, annualised) on transfer subsidies and
operation platforms: at most ``u`` (``max_uplift``), half of it at ``h`` (``half_spend``). The
monthly shock makes the counts over-dispersed (Poisson-lognormal).

Owns ``transfers_log`` (log of the monthly trend level with shocks, deals/month),
``transfers_log0`` (its month-0 value), ``transfers_stock0`` (the patent stock at month 0) and
``transfer_activity`` (the month's deal rate over its shock-free trend, which drives contract
turnover); reads the patent ``stock``.
"""

from __future__ import annotations

import numpy as np

from ipsim.model import draws, growth
from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Lever, Mechanism, Month, Series, Start, parameters_class
from ipsim.model.spec import Param

__all__ = ["MECHANISM", "PARAMS", "init", "step", "saturating_uplift", "spend_per_year", "rate",
           "TransfersParameters"]

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
SPEND_LEVERS = ("transfer_subsidy", "operation_platforms")

TransfersParameters = parameters_class("transfers", PARAMS, __name__)


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


def init(state, p: TransfersParameters, start: Start) -> None:
    """Draw month 0's level given the baseline count (the year-0 rate, ``Gamma(count, 1)``,
    and year 0's shocks: :mod:`ipsim.model.growth`); remember month 0's level and stock."""
    g = growth.log_drift(p.growth) * np.ones(state.n)
    count = start.baseline["transfers"]
    rate = count * growth.count_rate_factor(count, start.draws[:, 0])
    state.transfers_log = growth.start_log_levels(rate, g, p.volatility,
                                                  start.past["transfers"])[:, 0]
    state.transfers_log0 = state.transfers_log.copy()
    state.transfers_stock0 = state.stock.copy()
    state.transfer_activity = np.ones(state.n)


def step(state, p: TransfersParameters, month: Month) -> dict[str, np.ndarray]:
    """One month of deals.

    Parameters
    ----------
    state : StateView
        Reads ``stock``; updates ``transfers_log`` and ``transfer_activity`` (``lam_m`` over
        the shock-free trend ``x_0 exp(g m / 12)``: the deal rate relative to its own trend,
        from stock, spending and shocks together).
    p : TransfersParameters
        This mechanism's parameters.
    month : Month
        The ``transfers`` shock, the spending on :data:`SPEND_LEVERS` (yuan) and one
        standard normal per path.

    Returns
    -------
    dict
        ``transfers``: deals this month, (paths,).
    """
    growth.step_log_level(state.transfers_log, growth.log_drift(p.growth), p.volatility,
                          month.shocks["transfers"])
    lam, state.transfer_activity = rate(p, month.month, state.transfers_log,
                                        state.transfers_log0, state.stock,
                                        state.transfers_stock0, spend_per_year(month.spend))
    return {"transfers": draws.poisson_from_normal(month.draws[:, 0], lam)}


MECHANISM = Mechanism(
    name="transfers", doc="patent transfers and licences: a Poisson count with a rate that "
    "rises with the stock, a trend and programme spending",
    params=PARAMS, init=init, step=step, Parameters=TransfersParameters,
    baseline=(Param("transfers", 6_000, "deals/yr", 1.0, 1e8,
                    "patent transfers and licences in year 0",
                    "assumption; data/national-facts.md: about 307,000 operations nationally "
                    "(2019)"),),
    indicators=(Indicator("transfers", "flow", "deals/yr", "Patent transfers and licences"),),
    levers=(Lever("transfer_subsidy", "subsidies for patent transfers and licences"),
            Lever("operation_platforms", "IP operation service platforms")),
    series=(Series("transfers", 0.5, "transfers"),), shocks=("transfers",), draws=1,
    start_draws=1,
    owns=("transfers_log", "transfers_log0", "transfers_stock0", "transfer_activity"),
    reads=("stock",),
)
