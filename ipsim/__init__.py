"""ipsim: the odds that a public IP-financing programme meets its targets.

Monte Carlo simulation of a city's patents, transfers, pledge financing, securitisation,
contract turnover and programme outputs under a funding policy, month by month. The public
API (``docs/api.md``; every name below is :mod:`ipsim.api`'s)::

    import ipsim
    s = ipsim.load("scenarios/key-city-2020.yaml")
    r = ipsim.run(s, paths=100_000)
    r.table()                      # each target's probability with its 95 % interval
    c = ipsim.compare(s)           # the file's variants, paired on common random numbers
    w = ipsim.sweep(s, {"policy.allocation.risk_pool": [0.1, 0.2, 0.3]},
                    balance=["interest_subsidy"])
    o = ipsim.optimise(s)          # the allocation with the best odds, verified
    g = ipsim.goal(s, "pledge_amount", 0.8, "policy.allocation.risk_pool")
    r.commit()                     # the levels each target meets with 50/80/90 % odds
    v = ipsim.sensitivity(s)       # Sobol' indices of the uncertain parameters
    k = ipsim.calibrate("history.csv", "scenarios/key-city-2020.yaml")   # fit to a place
    b = ipsim.backtest("history.csv", "scenarios/key-city-2020.yaml", origins=[2017])

The names are imported from :mod:`ipsim.api` when first used, so that importing one layer
(``ipsim.model``, say) does not load the others.
"""

from __future__ import annotations

import importlib

__version__ = "0.2.0"

__all__ = ["__version__", "load", "load_runnable", "with_overrides", "variants", "run",
           "compare", "sweep", "sweep_points", "optimise", "goal", "sensitivity", "calibrate",
           "backtest", "RunResult", "TargetResult", "ComparisonResult", "SweepResult",
           "OptimiseResult", "GoalResult", "SensitivityResult", "CalibrationResult",
           "BacktestResult", "CommitLevel", "Proportion", "Scenario", "Target",
           "IndicatorPaths"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("ipsim.api"), name)
    raise AttributeError(f"module 'ipsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
