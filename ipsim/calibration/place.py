"""Calibrate a scenario to a place's history: fit every observed series, then the overrides.

Steps (``docs/calibration.md`` explains each):

1. each observed flow gives the drift ``g`` and volatility ``sigma`` of its model series
   (:func:`ipsim.calibration.fit.fit_series`); the pledge series is fitted on the number of
   projects or on the amount, whichever has more observed periods (projects on a tie);
2. optionally (``prior="scenario"``) the drift is pooled with the scenario's own
   distribution of the growth rate (a normal prior, precision-weighted), which is how a
   3-year history borrows strength from what was assumed (e.g. national rates);
3. the common-shock loadings, when identified (:mod:`ipsim.calibration.shocks`);
4. the model's own drift beyond the growth parameter (the patent stock's pull on transfers,
   transfer activity on turnover), measured on a shock-free run of the calibrated scenario
   with the programme off (:mod:`ipsim.calibration.offsets`), is subtracted, so that the
   model reproduces the observed drift;
5. the overrides: baseline = the last observed year (``start_year`` the year after),
   ``growth`` a normal distribution whose 90 % interval is the fitted one, ``volatility`` a
   lognormal whose 90 % interval is the exact one (if identified; else the scenario's value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ipsim.calibration import offsets as offsets_
from ipsim.calibration.fit import LEVEL, Estimate, SeriesFit, fit_series
from ipsim.calibration.history import History
from ipsim.calibration.overlay import Base, short_run
from ipsim.calibration.series import FITTED, series_data
from ipsim.calibration.shocks import ShockFit, fit_loadings
from ipsim.errors import ArgumentError, ScenarioError, ScenarioErrors, UsageError
from ipsim.model import registry
from ipsim.scenario.params import Distribution, Scenario

__all__ = ["Calibration", "calibrate", "PRIORS", "mean_of"]

PRIORS = ("none", "scenario")
"""``none``: the data alone; ``scenario``: pool each drift with the scenario's growth."""

OFFSET_MONTHS = 36
"""Length of the shock-free run that measures the model offsets (programme off)."""

BASELINE_KEYS = ("applications", "transfers", "turnover", "pledge_amount", "pledge_projects",
                 "invention_stock")


def mean_of(value: float | Distribution) -> float:
    """A parameter's value, or its distribution's mean."""
    return value.mean() if isinstance(value, Distribution) else float(value)


@dataclass(frozen=True)
class Calibration:
    """What :func:`calibrate` found and the overrides it proposes.

    ``fits`` maps an observed indicator to its :class:`SeriesFit`; ``used`` maps a parameter
    section to the indicator its growth was fitted on; ``drift`` the final log-drift
    estimates per section after the prior and the model offsets (in 1/yr); ``offsets`` the
    model's drift beyond the growth parameter; ``notes`` what the user should know;
    ``data_weight`` per section the history's share of the drift's precision (1 with the
    data alone; below 1 when pooled with the scenario's prior).
    """

    history: History
    base: Base
    fits: Mapping[str, SeriesFit]
    used: Mapping[str, str]
    drift: Mapping[str, Estimate]
    shocks: ShockFit
    offsets: Mapping[str, float]
    overrides: Mapping[str, Any]
    last_year: int
    level: float
    prior: str
    programme_off: bool
    offset_paths: int
    notes: tuple[str, ...] = field(default=())
    data_weight: Mapping[str, float] = field(default_factory=dict)

    def scenario(self, name: str | None = None) -> Scenario:
        """The calibrated scenario (the base with :attr:`overrides`)."""
        return self.base.with_overrides(self.overrides, name)


def _pooled(est: Estimate, growth: float | Distribution, level: float
            ) -> tuple[Estimate, float]:
    """``est`` pooled with a normal prior from the scenario's growth distribution, and the
    data's share of the pooled precision (1: not pooled, the prior is not a normal)."""
    if not isinstance(growth, Distribution) or growth.kind != "normal":
        return est, 1.0
    mean, sd = growth.args["mean"], growth.args["sd"]
    mu0, s0 = np.log1p(mean), sd / (1.0 + mean)           # delta method, on the log scale
    z = stats.norm.ppf((1 + level) / 2)
    s1 = (est.high - est.low) / (2 * z)                   # the data's interval as a normal
    w0, w1 = 1 / s0 ** 2, 1 / s1 ** 2
    mu = (w0 * mu0 + w1 * est.value) / (w0 + w1)
    s = (w0 + w1) ** -0.5
    return Estimate("drift", float(mu), float(s), float(mu - z * s), float(mu + z * s), True,
                    f"pooled with the scenario's prior growth {mean:g} +- {sd:g}"), \
        float(w1 / (w0 + w1))


def _baseline(history: History, fits: Mapping[str, SeriesFit]) -> tuple[int, dict, list]:
    """Last year with any observed flow, and the baseline there (projected by the fitted
    drift where a series was last observed earlier)."""
    years, annual = history.annual()
    seen = [i for i in range(len(years)) if any(np.isfinite(annual[k][i]) for k in annual
                                                if k != "invention_stock")]
    if not seen:
        raise UsageError(f"{history.file}: no complete year of any flow to start from")
    last = int(years[seen[-1]])
    out, notes = {}, []
    for key in BASELINE_KEYS:
        if key not in annual:
            continue
        v = annual[key]
        ok = np.flatnonzero(np.isfinite(v) & (v > 0))
        if not ok.size:
            continue
        i = ok[-1]
        value = float(v[i])
        if years[i] != last:
            g = fits[key].drift.value if key in fits else 0.0
            value *= float(np.exp(g * (last - years[i])))
            notes.append(f"baseline.{key}: last observed {years[i]}, projected to {last} "
                         f"with the fitted drift" if key in fits else
                         f"baseline.{key}: last observed {years[i]}, carried to {last}")
        out[key] = value
    return last, out, notes


def calibrate(history: History, base: Base, *, level: float = LEVEL, prior: str = "none",
              programme_off: bool = True, offset_paths: int = 256) -> Calibration:
    """Fit the growth parameters of every observed series and propose the overrides.

    Parameters
    ----------
    history : History
        The place's figures.
    base : Base
        The scenario to calibrate.
    level : float
        Confidence level of the intervals (the written distributions match them).
    prior : str
        One of :data:`PRIORS`.
    programme_off : bool
        Whether the history predates the programme: the model offsets are then measured with
        the programme off. The overrides keep the base's policy either way (a backtest adds
        :func:`~ipsim.calibration.overlay.short_run` itself).
    offset_paths : int
        Paths of the shock-free run that measures the model offsets.
    """
    if prior not in PRIORS:
        raise ArgumentError("prior", f"unknown prior '{prior}'; allowed: {', '.join(PRIORS)}")
    sc = base.scenario
    p = sc.parameters
    mean_loan = sc.baseline.get("pledge_amount", 1.5e9) / sc.baseline.get("pledge_projects", 120)
    shape = mean_of(p["pledge"]["loan_shape"])
    fits, used, notes = {}, {}, []
    for name in FITTED:
        if name not in history.values:
            continue
        section, _ = FITTED[name]
        data = series_data(name, history.values[name], history.per_year, mean_loan, shape)
        if data.zeros:
            notes.append(f"{name}: {data.zeros} period(s) with 0 left out (logs)")
        if data.k < 1:
            notes.append(f"{name}: fewer than 2 observed periods, not fitted")
            continue
        fits[name] = fit_series(data.d, data.t, data.R, data.C,
                                mean_of(p[section]["volatility"]), level)
        if section not in used or fits[name].n > fits[used[section]].n:
            used[section] = name    # the indicator with the most observed periods
    pooled = {s: (fits[i].drift, 1.0) if prior == "none"
              else _pooled(fits[i].drift, p[s]["growth"], level) for s, i in used.items()}
    drift = {s: est for s, (est, _) in pooled.items()}
    shocks = fit_loadings(history.values, history.per_year, level)
    last, baseline, bnotes = _baseline(history, fits)
    notes += bnotes
    overrides: dict[str, Any] = {"start_year": last + 1}
    overrides |= {f"baseline.{k}": v for k, v in baseline.items()}
    if ("pledge_amount" in baseline) != ("pledge_projects" in baseline):
        if "pledge_amount" in baseline:
            overrides["baseline.pledge_projects"] = max(baseline["pledge_amount"] / mean_loan,
                                                        1.0)
        else:
            overrides["baseline.pledge_amount"] = baseline["pledge_projects"] * mean_loan
        notes.append("pledge amount and projects: one observed, the other from the "
                     "scenario's mean loan")
    z = stats.norm.ppf((1 + level) / 2)
    for section, name in used.items():
        overrides[f"parameters.{section}.growth"] = _growth(drift[section], 0.0, z)
        vol = fits[name].volatility
        if vol.identified:
            overrides[f"parameters.{section}.volatility"] = _within(section, "volatility", {
                "dist": "lognormal", "median": float(np.sqrt(vol.low * vol.high)),
                "sigma": float(np.log(vol.high / vol.low) / (2 * z))}, notes)
    if shocks.identified:
        overrides |= {f"shocks.{s}": v for s, v in shocks.loadings.items()}
    _check_fits(history, base, overrides)
    off = offsets_.model_offsets(base, {**overrides, **(short_run(OFFSET_MONTHS, sc.policy.budget)
                                                         if programme_off else {})},
                                 used, offset_paths)
    for section in used:
        overrides[f"parameters.{section}.growth"] = _within(
            section, "growth", _growth(drift[section], off[section], z), notes)
    return Calibration(history, base, fits, used, drift, shocks, off, overrides, last, level,
                       prior, programme_off, offset_paths, tuple(notes),
                       {s: w for s, (_, w) in pooled.items()})


def _check_fits(history: History, base: Base, overrides: Mapping[str, Any]) -> None:
    """Refuse figures taken from the history that a scenario does not allow (a baseline
    above its range), naming the history file, where they come from, not the scenario file.

    Raises
    ------
    ScenarioErrors
        One per figure, with the history file and the key path it would set.
    """
    figures = {k: v for k, v in overrides.items() if not isinstance(v, Mapping)}
    try:   # (the fitted distributions are narrowed into their ranges later: not checked)
        base.with_overrides(figures)
    except ScenarioErrors as exc:
        raise ScenarioErrors([ScenarioError(history.file, e.key_path, f"{e.message} (this "
                                            "figure comes from the history; a scenario "
                                            "does not allow it)") for e in exc.errors]) \
            from None


def _growth(drift: Estimate, offset: float, z: float) -> dict:
    """A normal distribution of the annual growth rate whose central interval at the fit's
    level is ``expm1`` of the drift's interval, less the model ``offset``."""
    lo, hi = np.expm1(drift.low - offset), np.expm1(drift.high - offset)
    return {"dist": "normal", "mean": float(np.expm1(drift.value - offset)),
            "sd": float(max((hi - lo) / (2 * z), 1e-6))}


_OUTSIDE = 0.005  # largest share of a written distribution beyond the parameter's range


def _within(section: str, name: str, dist: dict, notes: list) -> dict:
    """``dist`` (normal or lognormal), narrowed if more than 0.5 % of it falls outside the
    parameter's allowed range (a scenario allows 1 %), with a note; the centre is clipped
    into the range first."""
    param = next(p for p in registry.sections()[section] if p.name == name)
    low, high = param.low, param.high
    q = stats.norm.ppf(1 - _OUTSIDE)
    out = dict(dist)
    if dist["dist"] == "normal":
        out["mean"] = float(np.clip(dist["mean"], low, high))
        room = min(out["mean"] - low, high - out["mean"]) / q
        out["sd"] = float(max(min(dist["sd"], room), 1e-6))
    else:
        out["median"] = float(np.clip(dist["median"], max(low, 1e-6), high))
        room = np.log(high / out["median"]) / q
        out["sigma"] = float(max(min(dist["sigma"], room), 1e-6))
    if out != dist:
        notes.append(f"parameters.{section}.{name}: {dist} narrowed to {out} to stay within "
                     f"its range [{low:g}, {high:g}]")
    return out
