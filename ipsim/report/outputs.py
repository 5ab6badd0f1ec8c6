"""Write everything a ``run`` produces into one result folder, atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ipsim.analysis.summary import indicator_rows, target_path, target_rows
from ipsim.errors import UsageError
from ipsim.model.indicators import INDICATORS
from ipsim.report.atomic import carry_over, staged_directory
from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json

__all__ = ["summarise", "write_run", "check_out", "KEPT_INSIDE"]


KEPT_INSIDE = ("compare", "sweep", "sensitivity", "calibration", "backtest")
"""Sub-folders of a run's folder that other commands write by default (``ipsim compare``,
``sweep``, ``sensitivity``, ``calibrate``, ``backtest``); a new run carries them over."""


def check_out(out: str | Path, marker: str = "summary.json", kept: tuple[str, ...] = ()
              ) -> None:
    """Refuse an output folder that a run's swap would wrongly replace.

    A run replaces its output folder whole, so the folder must be new, empty, or an
    earlier result of the same command (it holds ``marker``, e.g. ``summary.json``): never,
    say, the home folder. Sub-folders named in ``kept`` (which the writer carries over, as
    :func:`write_run` does :data:`KEPT_INSIDE`) do not count.

    Raises
    ------
    UsageError
        ``out`` is a file, or a folder holding something other than an ipsim result.
    """
    out = Path(out)
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir() or out.is_symlink():
        raise UsageError(f"--out {out}: exists and is not a folder")
    others = [p for p in out.iterdir() if not (p.name in kept and p.is_dir())]
    if others and not (out / marker).is_file():
        raise UsageError(f"--out {out}: folder is not empty and holds no ipsim result "
                         f"({marker}); a run replaces its output folder whole, so name a "
                         "new or empty folder")


def summarise(run) -> dict:
    """The content of ``summary.json`` for the base scenario of ``run``."""
    base = run.base
    scenario = base.scenario
    targets, joint, released = target_rows(scenario, base.tally)
    return {**provenance(scenario, run), "description": scenario.description,
            "provenance": [s.as_dict() for s in scenario.provenance],
            "horizon_months": scenario.horizon_months, "start_year": scenario.start_year,
            "quantile_paths": base.paths().n, "targets": targets, "all_targets": joint,
            "midterm_release": released, "elapsed_s": round(run.elapsed_s, 3)}


def _plots(run, summary: dict, out: Path) -> None:
    from ipsim.report import plots

    scenario, kept = run.base.scenario, run.base.paths()
    sub = f"{scenario.name}: {run.paths:,} paths, seed {run.seed}"
    rows = [*summary["targets"],
            {**summary["all_targets"], "label": "All targets at once", "emphasis": True},
            {**summary["midterm_release"], "label": "Mid-term tranche released",
             "emphasis": True}]
    plots.save(plots.attainment_chart(rows, "Probability of meeting each target", sub),
               out / "attainment")
    years = scenario.start_year - 1 + np.arange(scenario.years + 1)
    done = set()
    for t in scenario.targets:
        if t.measure not in ("cagr", "mean_yoy") or t.indicator in done:
            continue
        done.add(t.indicator)
        yearly = kept.yearly[t.indicator]
        qs = dict(zip(("q05", "q25", "q50", "q75", "q95"),
                      np.quantile(yearly, (0.05, 0.25, 0.5, 0.75, 0.95), axis=0), strict=True))
        path = target_path(t, float(np.mean(yearly[:, 0])), scenario.years)
        ind = INDICATORS[t.indicator]
        fig = plots.fan_chart(years, qs, ind.unit.split("/")[0], ind.label, sub, path,
                              f"target: {t.label}")
        plots.save(fig, out / f"fan_{t.indicator}")


def write_run(run, out: str | Path, make_plots: bool = True) -> dict:
    """Write ``summary.json``, ``attainment.csv``, ``indicators.csv`` and the plots to
    ``out`` (swapped in whole when complete); returns the summary."""
    check_out(out, kept=KEPT_INSIDE)
    summary = summarise(run)
    scenario = run.base.scenario
    with staged_directory(out) as stage:
        write_json(stage / "summary.json", summary)
        rows = [{k: r[k] for k in ("id", "label", "indicator", "measure", "op", "threshold",
                                   "probability", "ci_low", "ci_high", "successes", "paths")}
                for r in summary["targets"]]
        rows.append({"id": "all_targets", "label": "All targets at once", "indicator": "",
                     "measure": "", "op": "", "threshold": "", **summary["all_targets"]})
        rows.append({"id": "midterm_release", "label": "Mid-term tranche released",
                     "indicator": "", "measure": "", "op": "", "threshold": "",
                     **summary["midterm_release"]})
        write_csv(stage / "attainment.csv", rows)
        write_csv(stage / "indicators.csv",
                  indicator_rows(scenario, run.base.paths(), run.base.means()))
        if make_plots:
            _plots(run, summary, stage)
        carry_over(out, stage, KEPT_INSIDE)   # other commands' default outputs live inside
    return summary
