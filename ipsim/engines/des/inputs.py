"""What a DES path starts from: its parameters, its economy and its own random generator.

The uncertain parameters and the monthly economic shocks are not the DES's to draw: they
come from the run's named streams (:mod:`ipsim.engines.streams`), exactly as the vectorised
engine draws them, so path ``i`` of a run has the same parameter values and the same economy
whichever engine simulates it. The trend levels these imply (applications, deal trend, loan
demand, turnover) depend on nothing the path does, so they are computed for all the paths
of a random-number block at once with :func:`ipsim.model.growth.step_log_level`.

Everything the DES draws itself (arrivals, amounts, lives, outcomes) comes from the path's
own generator, seeded by ``SeedSequence(seed, spawn_key=(block, path_in_block, crc32("des")))``
with the block of :data:`ipsim.engines.streams.BLOCK` paths: a path's numbers depend only on
the seed and its index, whatever the chunking or the number of workers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ipsim.engines.common import initial_state, realise_parameters, take_paths
from ipsim.engines.streams import BLOCK, Streams
from ipsim.model import growth, patents, uncertainty
from ipsim.scenario.params import Scenario

__all__ = ["PathInputs", "prepare", "DES_KEY"]

DES_KEY = zlib.crc32(b"des")
"""Last word of the spawn key of every path's own generator."""


@dataclass
class PathInputs:
    """The starting point of one DES path.

    Attributes
    ----------
    p : dict of str to types.SimpleNamespace
        Section -> this path's parameter values (floats).
    apps_level : numpy.ndarray
        (H + 1,) expected invention filings of month ``m`` (filings/month; index 0 unused).
    transfers_log, pledge_log, turnover_log : numpy.ndarray
        (H + 1,) log trend levels with shocks of month ``m`` (0 = month 0): deals/month,
        loans/month at the base approval share, yuan/month.
    pre_grants : numpy.ndarray
        (H + 1,) expected grants in month ``m`` from filings made before the period.
    pmf : numpy.ndarray
        (2, MAX_LAG) examination-lag pmfs (ordinary, fast track), per month of lag.
    stock0 : float
        Invention patents in force at month 0.
    pool0, balance0, covered0 : float
        Risk pool, pledge-book balance and its pool-covered part at month 0 (yuan).
    loans0 : float
        Expected number of loans on the book at month 0.
    mean_loan : float
        Mean amount of one loan (yuan).
    grants_year0 : float
        Expected grants of year 0 (the baseline column).
    rng : numpy.random.Generator
        The path's own generator.
    """

    p: dict
    apps_level: np.ndarray
    transfers_log: np.ndarray
    pledge_log: np.ndarray
    turnover_log: np.ndarray
    pre_grants: np.ndarray
    pmf: np.ndarray
    stock0: float
    pool0: float
    balance0: float
    covered0: float
    loans0: float
    mean_loan: float
    grants_year0: float
    rng: np.random.Generator


def _trajectories(state, p: dict, shocks: np.ndarray) -> dict[str, np.ndarray]:
    """Log levels of months 0..H, (paths, H + 1) each, stepped as the vectorised engine does."""
    series = (("apps_log", "patents", 0), ("transfers_log", "transfers", 1),
              ("pledge_log", "pledge", 2), ("turnover_log", "turnover", 3))
    H = shocks.shape[0]
    out = {name: np.empty((state.n, H + 1)) for name, _, _ in series}
    for name, section, column in series:
        level = getattr(state, name).copy()
        out[name][:, 0] = level
        g = growth.log_drift(p[section].growth)
        for m in range(1, H + 1):
            growth.step_log_level(level, g, p[section].volatility, shocks[m - 1, :, column])
            out[name][:, m] = level
    return out


def _pre_period_grants(state, grant_rate, horizon: int) -> np.ndarray:
    """Expected grants in months 1..H (column m) from the filings of months -MAX_LAG+1..0
    held in ``state.filed`` by :func:`ipsim.model.patents.init`."""
    L = patents.MAX_LAG
    out = np.zeros((state.n, horizon + 1))
    filed_months = -np.arange(L)                       # 0, -1, ..., -(L-1)
    for m in range(1, min(horizon, L - 1) + 1):
        lags = m - filed_months
        ok = lags < L
        out[:, m] = state.filed[:, filed_months[ok] % L] @ state.pmf[0, lags[ok]]
    return out * np.asarray(grant_rate, float).reshape(-1, 1)


def prepare(scenario: Scenario, seed: int, paths: int, block: int, lo: int,
            hi: int) -> tuple[list[PathInputs], dict[str, np.ndarray]]:
    """Inputs of paths ``lo .. hi - 1`` of random-number block ``block`` of a ``paths`` run.

    The parameters and shocks are drawn for the whole block (as the vectorised engine draws
    them) and the requested paths taken from it.

    Returns
    -------
    inputs : list of PathInputs
        One per path, in order.
    drawn : dict of str to numpy.ndarray
        ``section.name`` -> (hi - lo,) values of the uncertain parameters.
    """
    size = min(BLOCK, paths - block * BLOCK)
    streams = Streams(seed, block, [size])
    sections, drawn = realise_parameters(scenario, streams)
    H = scenario.horizon_months
    loadings = [getattr(sections["shocks"], s) for s in uncertainty.SERIES]
    shocks = np.stack([uncertainty.shocks(streams.normal("shocks", uncertainty.DRAWS), loadings)
                       for _ in range(H)])             # (H, block paths, series)
    index = slice(lo, hi)
    p = take_paths(sections, index)
    state = initial_state(scenario, p, hi - lo)
    logs = _trajectories(state, p, shocks[:, index])
    apps_level = np.exp(logs["apps_log"])
    pre = _pre_period_grants(state, p["patents"].grant_rate, H)
    inputs = []
    for i in range(hi - lo):
        path_p = {s: SimpleNamespace(**{k: float(v[i]) if isinstance(v, np.ndarray) else v
                                        for k, v in vars(ns).items()})
                  for s, ns in p.items()}
        rng = np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(seed, spawn_key=(block, lo + i, DES_KEY))))
        inputs.append(PathInputs(
            p=path_p, apps_level=apps_level[i], transfers_log=logs["transfers_log"][i],
            pledge_log=logs["pledge_log"][i], turnover_log=logs["turnover_log"][i],
            pre_grants=pre[i], pmf=state.pmf, stock0=float(state.stock[i]),
            pool0=float(state.pool[i]), balance0=float(state.balance[i]),
            covered0=float(state.covered[i]), loans0=float(state.loans[i]),
            mean_loan=float(state.mean_loan), grants_year0=float(state.grants_year0[i]),
            rng=rng))
    return inputs, {k: v[index] for k, v in drawn.items()}
