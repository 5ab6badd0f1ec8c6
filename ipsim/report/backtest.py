"""Write a backtest's results into one folder, atomically: ``backtest.json``,
``backtest.csv`` (one row per indicator, origin and year) and a fan chart per origin and
indicator with the realised values over it."""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy

import ipsim
from ipsim.calibration.backtest import QUANTILES, OriginResult, Point, coverage
from ipsim.calibration.basis import CRITERION
from ipsim.calibration.summary import estimate_rows, unidentified
from ipsim.model import registry
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import result_folder

__all__ = ["backtest_summary", "write_backtest"]


def backtest_summary(results: Sequence[OriginResult], paths: int, seed: int,
                     options: dict) -> dict:
    """The content of ``backtest.json``: provenance, pooled coverage, points, estimates."""
    first = results[0].calibration
    scenario, history = first.base.scenario, first.history
    points = [p for r in results for p in r.points]
    return {
        "scenario": scenario.name, "scenario_file": scenario.file,
        "scenario_sha256": scenario.sha256, "history_file": history.file,
        "history_sha256": history.sha256, "seed": seed, "paths": paths,
        "engine": "vectorised", "ipsim_version": ipsim.__version__,
        "numpy_version": np.__version__, "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **options,
        "origins": [r.origin for r in results],
        "coverage": coverage(points),
        "coverage_note": "Wilson 95 % interval treating the points as independent; they are "
                         "not (years of one origin share its paths and estimates), so it is "
                         "too narrow",
        "band_criterion": CRITERION,
        "too_wide_points": sum(p.too_wide for p in points),
        "coverage_testable": coverage([p for p in points if not p.too_wide]),
        "points": [{"origin": p.origin, "year": p.year, "indicator": p.indicator,
                    "realised": p.realised, "percentile": p.percentile,
                    "in_50": p.inside[0.5], "in_90": p.inside[0.9], **_basis(p)}
                   for p in points],
        "calibrations": [{"origin": r.origin, "estimates": estimate_rows(r.calibration),
                          "offsets": dict(r.calibration.offsets),
                          "not_identified": unidentified(r.calibration),
                          "notes": list(r.calibration.notes)} for r in results],
    }


def _basis(p: Point) -> dict:
    """A point's band basis as table fields (df and data weight None when not fitted)."""
    return {"df": p.basis.df, "data_weight": p.basis.data_weight, "too_wide": p.too_wide,
            "basis": p.basis.words}


def _rows(results: Sequence[OriginResult]) -> list[dict]:
    rows = []
    for r in results:
        for p in r.points:
            q = r.quantiles[p.indicator][:, p.year - r.origin]
            rows.append({"origin": p.origin, "year": p.year, "indicator": p.indicator,
                         "realised": p.realised, "percentile": round(p.percentile, 4),
                         **{f"q{int(round(100 * a)):02d}": float(v)
                            for a, v in zip(QUANTILES, q, strict=True)},
                         "in_50": p.inside[0.5], "in_90": p.inside[0.9], **_basis(p)})
    return rows


def _plots(results: Sequence[OriginResult], stage: Path, paths: int, seed: int) -> None:
    from ipsim.report import plots

    for r in results:
        for name, q in r.quantiles.items():
            qs = {f"q{int(round(100 * a)):02d}": v for a, v in zip(QUANTILES, q, strict=True)}
            ind = registry.indicators()[name]
            fig = plots.fan_chart(r.years, qs, ind.unit.split("/")[0], ind.label,
                                  f"backtest from {r.origin}: {paths:,} paths, seed {seed}",
                                  r.realised[name], "realised (history)")
            plots.save(fig, stage / f"fan_{name}_{r.origin}")


def write_backtest(results: Sequence[OriginResult], out: str | Path, paths: int, seed: int,
                   options: dict, make_plots: bool = True) -> dict:
    """Write the backtest folder (swapped in whole when complete); returns the summary."""
    summary = backtest_summary(results, paths, seed, options)
    with result_folder(out, "backtest") as stage:
        write_json(stage / "backtest.json", summary)
        write_csv(stage / "backtest.csv", _rows(results) or [{"origin": ""}])
        if make_plots:
            _plots(results, stage, paths, seed)
    return summary
