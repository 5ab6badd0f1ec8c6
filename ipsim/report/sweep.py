"""Write what ``ipsim sweep`` produces into one result folder, atomically.

``sweep.json`` (provenance, the levers and their values, every point with its attainment per
target and jointly, the mid-term release, and the best point against the runner-up, paired),
``sweep.csv`` (one row per point and target) and a plot (PNG and SVG): ``sweep`` (curves
against one lever, or a heat map over two). The task cache (``.cache/``) is kept across the
swap of the folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ipsim.analysis.attainment import ALL
from ipsim.analysis.paired import METHODS
from ipsim.analysis.sweep import SweepSummary
from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import result_folder

__all__ = ["sweep_dict", "sweep_rows", "write_sweep", "sweep_figure", "CACHE"]

CACHE = ".cache"
"""The task cache's folder inside a sweep's output folder."""

_NAN = {"probability": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"),
        "successes": None, "paths": None}


def _point(pr, target_ids: list[str], levers) -> dict:
    p = pr.point
    out = {"index": p.index, "values": {lv.key: v for lv, v in zip(levers, p.values,
                                                                    strict=True)},
           "overrides": dict(p.overrides), "feasible": p.feasible,
           "infeasible_reason": p.infeasible or None}
    if pr.columns is None:
        return {**out, "targets": [{"id": t, **_NAN} for t in target_ids],
                "all_targets": dict(_NAN), "midterm_release": dict(_NAN)}
    return {**out, "targets": [{"id": t, **c.as_dict()}
                               for t, c in zip(target_ids, pr.columns[:-1], strict=True)],
            "all_targets": pr.columns[-1].as_dict(), "midterm_release": pr.released.as_dict()}


def sweep_dict(summary: SweepSummary, run) -> dict:
    """The content of ``sweep.json`` for ``summary`` computed from ``run`` (a SweepRun)."""
    base = run.base
    ids = [t.id for t in base.targets]
    best = {"target": ALL, "point": summary.best, "runner_up": summary.runner_up}
    if summary.best is not None:
        best["values"] = summary.points[summary.best].point.values
    if summary.diff is not None:
        d = summary.diff
        best.update(runner_up_values=summary.points[summary.runner_up].point.values,
                    best_probability=d.p_a, runner_up_probability=d.p_b, diff=d.estimate,
                    diff_ci_low=d.ci_low, diff_ci_high=d.ci_high, p_value=d.p_value,
                    only_best=d.only_a, only_runner_up=d.only_b,
                    distinguishable=d.ci_low > 0.0)
    return {
        **provenance(base, run),
        "backend": run.backend, "tasks": run.tasks, "reused_tasks": run.reused,
        "level": summary.level,
        "interval": "Wilson score intervals (scipy.stats.binomtest); best vs runner-up: "
                    + METHODS[summary.method] + "; McNemar exact test",
        "levers": [{"key": lv.key, "values": list(lv.values)} for lv in run.levers],
        "balance": [f"policy.allocation.{b}" for b in run.balance],
        "targets": [{"id": t.id, "label": t.label} for t in base.targets],
        "points": [_point(pr, ids, run.levers) for pr in summary.points],
        "feasible_points": sum(pr.point.feasible for pr in summary.points),
        "best": best,
        "elapsed_s": round(run.elapsed_s, 3),
    }


def sweep_rows(data: dict) -> list[dict]:
    """``sweep.csv``: one row per point and target, then all targets and the release."""
    keys = [lv["key"] for lv in data["levers"]]
    rows = []
    for p in data["points"]:
        cols = [*p["targets"], {**p["all_targets"], "id": ALL},
                {**p["midterm_release"], "id": "midterm_release"}]
        for c in cols:
            rows.append({"point": p["index"], **{k: p["values"][k] for k in keys},
                         "feasible": p["feasible"], "target": c["id"],
                         "probability": c["probability"], "ci_low": c["ci_low"],
                         "ci_high": c["ci_high"], "successes": c["successes"],
                         "paths": data["paths"]})
    return rows


def sweep_figure(data: dict, lang: str = "en", labels: list[str] | None = None):
    """The sweep's figure: curves against one lever, or a heat map over two; texts in
    ``lang``, target ``labels`` as given (default: the labels in ``data``)."""
    from ipsim.report import sweep_plots
    from ipsim.report.i18n import tr

    levers, points = data["levers"], data["points"]
    sub = tr(lang, "plot.subtitle_sweep", scenario=data["scenario"],
             paths=f"{data['paths']:,}", seed=data["seed"])
    best = data["best"]["point"]
    title = tr(lang, "plot.title_sweep")
    labels = labels or [t["label"] for t in data["targets"]]

    def lists(key: str, j: int | None) -> dict:
        col = [p["all_targets"] if j is None else p["targets"][j] for p in points]
        return {k: [float("nan") if c[k] is None else c[k] for c in col]
                for k in ("probability", "ci_low", "ci_high")} | {"key": key}

    if len(levers) == 1:
        targets = [{**lists(t["id"], j), "label": label}
                   for j, (t, label) in enumerate(zip(data["targets"], labels, strict=True))]
        return sweep_plots.sweep_curves(levers[0]["key"], levers[0]["values"],
                                        lists(ALL, None), targets, best,
                                        [not p["feasible"] for p in points], title, sub,
                                        lang=lang)
    shape = (len(levers[0]["values"]), len(levers[1]["values"]))
    joint = np.array(lists(ALL, None)["probability"], dtype=float).reshape(shape)
    return sweep_plots.sweep_heatmap((levers[0]["key"], levers[1]["key"]),
                                     (levers[0]["values"], levers[1]["values"]), joint,
                                     None if best is None else divmod(best, shape[1]),
                                     title, sub, lang=lang)


def _plot(data: dict, out: Path) -> None:
    from ipsim.report import plots

    plots.save(sweep_figure(data), out / "sweep")


def write_sweep(summary: SweepSummary, run, out: str | Path, make_plots: bool = True) -> dict:
    """Write ``sweep.json``, ``sweep.csv`` and the plot to ``out`` (swapped in whole when
    complete, keeping the task cache); returns the content of ``sweep.json``."""
    data = sweep_dict(summary, run)
    with result_folder(out, "sweep", (CACHE,)) as stage:
        write_json(stage / "sweep.json", data)
        write_csv(stage / "sweep.csv", sweep_rows(data))
        if make_plots:
            _plot(data, stage)
    return data
