"""A calibration as rows (for the printed table and JSON) and as the written file's header."""

from __future__ import annotations

import numpy as np

import ipsim
from ipsim.calibration.offsets import OFFSET_SEED
from ipsim.calibration.place import Calibration

__all__ = ["estimate_rows", "header_lines", "unidentified"]


def estimate_rows(cal: Calibration) -> list[dict]:
    """One row per fitted indicator and parameter: the estimate and interval in the model's
    units (growth as an annual rate, volatility in 1/sqrt(yr)), the standard error (of the
    log-drift, 1/yr; of the volatility, the interval's half-width over the normal quantile)
    and whether it is used."""
    rows = []
    for name, fit in cal.fits.items():
        section = next(s for s, i in cal.used.items() if i == name) \
            if name in cal.used.values() else None
        d = cal.drift[section] if section else fit.drift
        off = cal.offsets.get(section, 0.0) if section else 0.0
        label = "growth (observed)" if cal.prior == "none" or not section else "growth (pooled)"
        rows.append({"indicator": name, "parameter": label, "periods": fit.n,
                     "estimate": float(np.expm1(d.value)), "se": d.se,
                     "low": float(np.expm1(d.low)),
                     "high": float(np.expm1(d.high)), "identified": d.identified,
                     "written": f"parameters.{section}.growth" if section else "",
                     "note": d.note + (f"; model offset {off:+.4f}/yr subtracted when "
                                       "written" if section else "; not used (another "
                                       "indicator calibrates this series)")})
        v = fit.volatility
        rows.append({"indicator": name, "parameter": "volatility", "periods": fit.n,
                     "estimate": v.value, "se": v.se, "low": v.low, "high": v.high,
                     "identified": v.identified,
                     "written": f"parameters.{section}.volatility"
                     if section and v.identified else "", "note": v.note})
    return rows


def unidentified(cal: Calibration) -> list[str]:
    """Parameters the data could not identify (kept at the scenario's value)."""
    out = [f"parameters.{s}.volatility" for s, i in cal.used.items()
           if not cal.fits[i].volatility.identified]
    if not cal.shocks.identified:
        out.append("shocks.* (common-shock loadings)")
    return out


def header_lines(cal: Calibration) -> list[str]:
    """The comment header of the written variant file: provenance, estimates, gaps."""
    h = cal.history
    lines = [f"Calibrated by ipsim {ipsim.__version__} (ipsim calibrate) from the history "
             f"{h.file}",
             f"  sha256 {h.sha256}; {len(h.periods)} {h.frequency}ly periods "
             f"{h.label(0)}..{h.label(len(h.periods) - 1)}",
             f"base scenario {cal.base.scenario.name} (sha256 {cal.base.scenario.sha256})",
             f"intervals at {cal.level:.0%}; prior: {cal.prior}; history taken as "
             f"{'before' if cal.programme_off else 'during'} the programme",
             "", "estimates (growth as an annual rate; volatility 1/sqrt(yr)):"]
    for r in estimate_rows(cal):
        flag = "" if r["identified"] else "  NOT IDENTIFIED"
        lines.append(f"  {r['indicator']} {r['parameter']}: {r['estimate']:.4g} (s.e. "
                     f"{r['se']:.2g}) [{r['low']:.4g}, {r['high']:.4g}] from {r['periods']} "
                     f"periods{flag}")
    lines.append("model offsets subtracted from the growth (1/yr): "
                 + ", ".join(f"{s} {v:+.4f}" for s, v in cal.offsets.items())
                 + f" (shock-free run: seed {OFFSET_SEED}, {cal.offset_paths} paths)")
    lines.append(f"common shocks: {cal.shocks.note}")
    gaps = unidentified(cal)
    lines.append("not identified by the data (scenario's value kept): "
                 + (", ".join(gaps) if gaps else "none"))
    lines += [f"note: {n}" for n in cal.notes]
    lines.append("distributions: growth normal with the fitted interval as its central "
                 "interval; volatility lognormal likewise (docs/calibration.md)")
    return lines
