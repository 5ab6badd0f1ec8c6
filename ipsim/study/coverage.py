"""Do the engine's bands contain its own histories? Coverage with known parameters.

A history is one path of a long run of the engine. From an origin year of it, the engine is
started again with that year's realised values as the baseline (the parameters known, no
estimation) and run forward; a band is honest when the realised values of the following
years fall inside it as often as it says. This is the check behind the start law of
:mod:`ipsim.model.growth` (a start on the shock-free trend fails it in year 1:
``docs/model.md``, "The start").

The forward runs of all histories are one engine call per group of histories, with the
baseline given per path (each history's values repeated for its paths). For each history,
indicator and year ahead the realised value's rank among its ``paths`` simulated values is
taken with ties broken at random, so that when the realised value is exchangeable with the
simulated ones the rank is uniform on ``0..paths`` and the share of ranks inside the band
of the empirical quantiles is known exactly (:func:`nominal`). Coverage is averaged over the
indicators of a history, then over histories; its standard error is the spread between
histories (the indicators of one history may be dependent).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ipsim.engines.streams import BLOCK, Streams, block_sizes
from ipsim.engines.vectorised import simulate_streams
from ipsim.model import registry
from ipsim.scenario.params import FrozenMap, Scenario
from ipsim.study.pipeline import run

__all__ = ["Coverage", "engine_coverage", "nominal", "BANDS"]

BANDS = (0.5, 0.9)
"""Central bands scored."""

_GROUP_PATHS = 65_536
"""Largest forward run of one engine call (histories x paths)."""


@dataclass(frozen=True)
class Coverage:
    """Coverage of the central bands, by year ahead.

    Attributes
    ----------
    bands : tuple of float
        The bands (0.9 = from the 5 % to the 95 % quantile).
    rate, se : numpy.ndarray
        ``(len(bands), ahead)``: share of realised values inside each band ``k + 1`` years
        after the origin, and its standard error between histories.
    nominal : numpy.ndarray
        ``(len(bands),)`` the share expected of honest bands with ``paths`` simulated values
        (:func:`nominal`).
    histories, paths : int
        Histories scored and simulated values per history and year.
    indicators : tuple of str
        The indicators scored.
    """

    bands: tuple[float, ...]
    rate: np.ndarray
    se: np.ndarray
    nominal: np.ndarray
    histories: int
    paths: int
    indicators: tuple[str, ...]

    def z(self) -> np.ndarray:
        """``(rate - nominal) / se``, by band and year ahead."""
        return (self.rate - self.nominal[:, None]) / self.se


def nominal(band: float, paths: int) -> float:
    """Share of ranks ``r`` in ``0..paths`` whose percentile ``r / paths`` lies in the central
    ``band``: the coverage of honest bands of ``paths`` simulated values."""
    r = np.arange(paths + 1) / paths
    return float(np.mean(((1 - band) / 2 <= r) & (r <= (1 + band) / 2)))


def _forward(scenario: Scenario, base: dict[str, np.ndarray], paths: int, seed: int,
             first_block: int):
    """One engine call: each history's baseline ``base[name][h]`` repeated for ``paths``."""
    n = paths * len(next(iter(base.values())))
    baseline = FrozenMap({**scenario.baseline,
                          **{k: np.repeat(v, paths) for k, v in base.items()}})
    s = dataclasses.replace(scenario, baseline=baseline)
    sizes = block_sizes(n, 0, -(-n // BLOCK))
    return simulate_streams(s, Streams(seed, first_block, sizes))


def engine_coverage(scenario: Scenario, histories: int, origin: int, ahead: int, paths: int,
                    seed: int, indicators: Sequence[str] | None = None,
                    bands: Sequence[float] = BANDS) -> Coverage:
    """Coverage of the engine's bands on histories it simulates with known parameters.

    Parameters
    ----------
    scenario : Scenario
        The model and its parameters (its horizon is replaced); best without a programme,
        whose spending would make the origin year unlike year 0.
    histories : int
        Histories simulated (each ``origin + ahead`` years long).
    origin : int
        The year of each history used as the baseline (>= 1).
    ahead : int
        Years scored after it.
    paths : int
        Forward paths per history.
    seed : int
        Seed of the histories; the forward runs use the streams of ``seed + 1``.
    indicators : sequence of str, optional
        Flows with a baseline figure to score; default every such flow.
    bands : sequence of float
        Central bands scored.
    """
    flows = [n for n, i in registry.indicators().items() if i.kind == "flow"]
    figures = {p.name for p in registry.baseline_params()}
    names = tuple(indicators or [n for n in flows if n in figures])
    long = dataclasses.replace(scenario, horizon_months=12 * (origin + ahead))
    hist = run([long], histories, seed, keep_paths=histories).base.paths()
    base = {k: hist.yearly[k][:, origin] for k in figures if k in hist.yearly}
    short = dataclasses.replace(scenario, horizon_months=12 * ahead)
    group = max(1, _GROUP_PATHS // paths)
    rng = np.random.default_rng(seed)
    inside = np.zeros((len(bands), ahead, histories))
    for g0 in range(0, histories, group):
        h = slice(g0, min(g0 + group, histories))
        sim = _forward(short, {k: v[h] for k, v in base.items()}, paths, seed + 1,
                       first_block=g0 * 64)
        for name in names:
            values = sim.yearly[name][:, 1:].reshape(-1, paths, ahead)   # (histories, paths, k)
            real = hist.yearly[name][h, origin + 1:origin + 1 + ahead][:, None, :]
            below = (values < real).sum(axis=1)
            ties = (values == real).sum(axis=1)
            rank = below + rng.integers(0, ties + 1)
            pct = rank / paths
            for b, band in enumerate(bands):
                hit = ((1 - band) / 2 <= pct) & (pct <= (1 + band) / 2)
                inside[b, :, h] += hit.T / len(names)
    rate = inside.mean(axis=2)
    se = inside.std(axis=2, ddof=1) / np.sqrt(histories)
    return Coverage(tuple(bands), rate, se, np.array([nominal(b, paths) for b in bands]),
                    histories, paths, names)
