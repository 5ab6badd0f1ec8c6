"""Write everything a ``run`` produces into one result folder, atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ipsim.analysis.summary import indicator_rows, target_rows
from ipsim.model import registry
from ipsim.model.measures import measure
from ipsim.report import commit
from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import check_out, result_folder

__all__ = ["summarise", "write_run", "check_out", "policy_dict", "KEPT_INSIDE"]


KEPT_INSIDE = ("compare", "sweep", "sensitivity", "calibration", "backtest", "optimise", "goal",
               "drivers")
"""Sub-folders of a run's folder that other commands write by default (``ipsim compare``,
``sweep``, ``sensitivity``, ``calibrate``, ``backtest``, ``optimise``, ``goal``, ``drivers``);
a new run carries them over."""


def policy_dict(policy) -> dict:
    """The plan as data: budget and tranches (yuan), allocation shares, fast-track share and
    the mid-term rule (for the report's table of yuan per lever and tranche)."""
    m = policy.midterm
    return {"budget": policy.budget,
            "tranches": [{"month": t.month, "amount": t.amount, "conditional": t.conditional}
                         for t in policy.tranches],
            "allocation": dict(policy.allocation), "fast_track_share": policy.fast_track_share,
            "midterm": None if m is None else {
                "month": m.month, "rule": m.rule, "targets": list(m.targets),
                "min_on_track": m.min_on_track, "tolerance": m.tolerance}}


def summarise(run, found: dict | None = None) -> dict:
    """The content of ``summary.json`` for the base scenario of ``run``; every target row has
    its commit levels (``commit``, ``commit_ci``, ``commit_paths``: :mod:`ipsim.report.commit`;
    ``found`` if already computed)."""
    base = run.base
    scenario = base.scenario
    targets, joint, released = target_rows(scenario, base.tally)
    found = commit.levels(scenario, base.paths()) if found is None else found
    for row in targets:
        row.update(commit.summary_keys(found[row["id"]]))
    return {**provenance(scenario, run), "description": scenario.description,
            "provenance": [s.as_dict() for s in scenario.provenance],
            "horizon_months": scenario.horizon_months, "start_year": scenario.start_year,
            "policy": policy_dict(scenario.policy),
            "quantile_paths": base.paths().n, "targets": targets, "all_targets": joint,
            "midterm_release": released, "elapsed_s": round(run.elapsed_s, 3)}


def _plots(run, summary: dict, out: Path) -> None:
    from ipsim.report import plots
    from ipsim.report.i18n import tr

    scenario, kept = run.base.scenario, run.base.paths()
    sub = tr("en", "plot.subtitle", scenario=scenario.name, paths=f"{run.paths:,}",
             seed=run.seed)
    rows = [*summary["targets"],
            {**summary["all_targets"], "label": tr("en", "plot.all_targets_label"),
             "emphasis": True},
            {**summary["midterm_release"], "label": tr("en", "plot.midterm_label"),
             "emphasis": True}]
    plots.save(plots.attainment_chart(rows, tr("en", "plot.title_attainment"), sub),
               out / "attainment")
    years = scenario.start_year - 1 + np.arange(scenario.years + 1)
    done = set()
    indicators = registry.indicators()
    for t in scenario.targets:
        m = measure(t.measure)
        key = (t.indicator, m.fan_name)
        if m.fan is None or key in done:
            continue
        done.add(key)
        yearly = kept.yearly[t.indicator]
        series = m.fan_series(yearly)
        qs = dict(zip(("q05", "q25", "q50", "q75", "q95"),
                      np.quantile(series, (0.05, 0.25, 0.5, 0.75, 0.95), axis=0), strict=True))
        path = m.target_path(float(np.mean(yearly[:, 0])), t.threshold, scenario.years)
        ind = indicators[t.indicator]
        unit = ind.unit.split("/")[0]
        title = f"{ind.label}, {m.fan_name}" if m.fan_name else ind.label
        fig = plots.fan_chart(years, qs, unit, title, sub, path,
                              tr("en", "plot.target_legend", label=t.label))
        plots.save(fig, out / "_".join(("fan", t.indicator, m.fan_name)).rstrip("_"))


def write_run(run, out: str | Path, make_plots: bool = True) -> dict:
    """Write ``summary.json``, ``attainment.csv``, ``indicators.csv`` and the plots to
    ``out`` (swapped in whole when complete, with its marker; see
    :func:`ipsim.runtime.folders.result_folder`); returns the summary."""
    scenario, kept = run.base.scenario, run.base.paths()
    found = commit.levels(scenario, kept)
    summary = summarise(run, found)
    with result_folder(out, "run", KEPT_INSIDE) as stage:
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
        odds = {r["id"]: r["probability"] for r in summary["targets"]}
        write_csv(stage / "commit.csv", commit.commit_rows(scenario, found, odds))
        write_csv(stage / "exceedance.csv", commit.exceedance_rows(scenario, kept))
        if make_plots:
            _plots(run, summary, stage)
            commit.plots(scenario, kept, found, stage)
    return summary
