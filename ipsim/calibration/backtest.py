"""Backtest: calibrate on the years up to an origin, simulate the next, score what happened.

For each origin year: :func:`ipsim.calibration.place.calibrate` on the periods up to it (its
baseline is the origin year, ``start_year`` the year after, the estimation uncertainty
carried as distributions), the programme switched off unless the history is from during it
(:data:`~ipsim.calibration.overlay.PROGRAMME_OFF`), then a run of the vectorised engine
through :func:`ipsim.study.pipeline.run` over the years the history holds after the origin. For
each indicator observed up to the origin (else its baseline would be the scenario's, not the
place's) and each later year it is observed: the realised value's percentile among the
simulated values (mid-rank for ties), and whether it fell inside the central 50 % and 90 %
bands.

Pooled over indicators, years and origins, the share of realised values inside the 90 %
band estimates the band's coverage; it is reported with a Wilson interval
(``scipy.stats.binomtest``). The points are not independent (the years of one origin share
its paths and its parameter estimates; indicators share the common shock), so the interval
is optimistic; the test suite measures coverage over independent simulated places.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ipsim.calibration.basis import Basis, basis_of, too_wide
from ipsim.calibration.history import History
from ipsim.calibration.overlay import Base, short_run
from ipsim.calibration.place import Calibration, calibrate
from ipsim.errors import ArgumentError

__all__ = ["Point", "OriginResult", "backtest_origin", "check_cost", "coverage", "check_origins",
           "BANDS", "QUANTILES"]

BANDS = (0.5, 0.9)
"""Central bands scored (nominal coverage)."""
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Point:
    """One realised value against its simulated distribution: ``basis`` what the band
    rests on (effective degrees of freedom, the data's weight), ``too_wide`` whether the
    90 % band is too wide to test anything (:mod:`ipsim.calibration.basis`)."""

    origin: int
    year: int
    indicator: str
    realised: float
    percentile: float
    inside: Mapping[float, bool]   # band -> inside it
    basis: Basis
    too_wide: bool


@dataclass(frozen=True)
class OriginResult:
    """The backtest from one origin: its calibration, the simulated quantiles by year
    (indicator -> (len(QUANTILES), years + 1), column 0 the origin year), the realised
    values over the same years (NaN unobserved) and the points."""

    origin: int
    calibration: Calibration
    years: np.ndarray
    quantiles: Mapping[str, np.ndarray]
    realised: Mapping[str, np.ndarray]
    points: tuple[Point, ...]


def check_origins(history: History, years: Sequence[int] | None = None) -> list[int]:
    """The origin years of a backtest, checked: each needs two years of history up to it and
    at least one after it, and a flow observed in it.

    Parameters
    ----------
    history : History
        The place's figures.
    years : sequence of int, optional
        The origins asked for; None: every year that can be one.

    Raises
    ------
    ArgumentError
        (argument ``origins``) a year outside the history's inner years or without an
        observed flow; None and no year can be an origin.
    """
    span = np.unique(history.years)
    first, last = int(span[0]), int(span[-1])
    y, annual = history.annual()
    seen = {int(v) for i, v in enumerate(y)
            if any(np.isfinite(a[i]) for k, a in annual.items() if k != "invention_stock")}
    if years is None:
        out = [o for o in range(first + 1, last) if o in seen]
        if not out:
            raise ArgumentError("origins", f"{history.file} spans {first}-{last}; a backtest "
                                "needs two years up to an observed origin and one after it",
                                value="all")
        return out
    for year in years:
        if not first < year < last:
            raise ArgumentError("origins", f"must leave a year of {history.file} before and "
                                f"after it: {first + 1}..{last - 1}", value=str(year))
        if year not in seen:
            raise ArgumentError("origins", f"{history.file} has no flow observed in {year}; "
                                "the baseline year must be observed", value=str(year))
    return sorted(set(years))


def _percentile(sim: np.ndarray, value: float) -> float:
    """Share of ``sim`` below ``value``, ties counted half (the mid-rank)."""
    return float((np.count_nonzero(sim < value) + 0.5 * np.count_nonzero(sim == value))
                 / sim.size)


def check_cost(history: History, base: Base, origins: Sequence[int], paths: int,
               workers: int = 1) -> None:
    """Refuse, before the first origin runs, a backtest whose runs together are estimated
    to take too long (:func:`ipsim.runtime.resources.check`; each origin's memory is
    checked when it runs).

    Raises
    ------
    UsageError
        With the estimate.
    """
    from ipsim.runtime import resources
    from ipsim.study.pipeline import DEFAULT_CHUNK_PATHS

    last = int(history.annual()[0][-1])
    months = max([base.scenario.horizon_months, *(12 * (last - o) for o in origins)])
    resources.check(resources.estimate(paths * len(origins), months, 1, workers,
                                       DEFAULT_CHUNK_PATHS, 0), paths)


def backtest_origin(history: History, base: Base, origin: int, paths: int, seed: int, *,
                    level: float = 0.9, prior: str = "none", programme_off: bool = True,
                    progress: Callable[[int], None] | None = None,
                    workers: int = 1, offset_paths: int = 256) -> OriginResult:
    """Calibrate on the years up to ``origin``, simulate the rest, score the realised values.

    Parameters
    ----------
    history : History
        The place's figures.
    base : Base
        The scenario.
    origin : int
        Last year used for the calibration.
    paths, seed : int
        Monte Carlo paths and seed of the run.
    level, prior, programme_off
        As in :func:`ipsim.calibration.place.calibrate`.
    progress : callable, optional
        Called with the paths of each finished chunk.
    workers : int
        Worker processes of the run.
    offset_paths : int
        Paths of the calibration's shock-free run (:mod:`ipsim.calibration.offsets`).
    """
    from ipsim.study.pipeline import run

    cal = calibrate(history.upto(origin), base, level=level, prior=prior,
                    programme_off=programme_off, offset_paths=offset_paths)
    if cal.last_year != origin:
        raise ArgumentError("origins", f"{history.file} has no flow observed in {origin}; "
                            "the baseline year must be observed", value=str(origin))
    years_all, annual = history.annual()
    horizon = int(years_all[-1]) - origin
    if programme_off:
        overrides = {**cal.overrides, **short_run(12 * horizon, base.scenario.policy.budget)}
    else:  # the programme's gate and targets stay; the run covers the base's horizon
        overrides = {**cal.overrides,
                     "horizon_months": max(base.scenario.horizon_months, 12 * horizon)}
    scenario = base.with_overrides(overrides, f"{base.scenario.name}-backtest-{origin}")
    kept = run([scenario], paths, seed, keep_paths=paths, progress=progress,
               workers=workers).base.paths()
    years = origin + np.arange(horizon + 1)
    quantiles, realised, points = {}, {}, []
    for name, values in annual.items():
        if not np.isfinite(values[years_all <= origin]).any():
            continue   # never observed up to the origin: its baseline is the scenario's
        sim = kept.yearly[name][:, :horizon + 1]
        quantiles[name] = q = np.quantile(sim, QUANTILES, axis=0)
        realised[name] = values[np.searchsorted(years_all, years)]
        basis = basis_of(cal, name)
        for k in range(1, horizon + 1):
            v = values[np.searchsorted(years_all, origin + k)]
            if not np.isfinite(v):
                continue
            pct = _percentile(sim[:, k], v)
            inside = {b: bool((1 - b) / 2 <= pct <= (1 + b) / 2) for b in BANDS}
            wide = too_wide(q[QUANTILES.index(0.05), k], q[QUANTILES.index(0.5), k],
                            q[QUANTILES.index(0.95), k])
            points.append(Point(origin, origin + k, name, float(v), pct, inside, basis, wide))
    return OriginResult(origin, cal, years, quantiles, realised, tuple(points))


def coverage(points: Sequence[Point], confidence: float = 0.95) -> list[dict]:
    """Pooled coverage of each band: hits, points, rate and a Wilson interval (rows with
    no points have NaN rate and interval)."""
    out = []
    for b in BANDS:
        hits = sum(p.inside[b] for p in points)
        n = len(points)
        row = {"band": b, "nominal": b, "inside": hits, "points": n,
               "coverage": hits / n if n else float("nan"), "ci_low": float("nan"),
               "ci_high": float("nan")}
        if n:
            ci = stats.binomtest(hits, n).proportion_ci(confidence, method="wilson")
            row.update(ci_low=float(ci.low), ci_high=float(ci.high))
        out.append(row)
    return out
