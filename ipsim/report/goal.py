"""Write what ``ipsim goal`` produces into one result folder, atomically: ``goal.json``
(provenance, the question, the grid on the search paths, the verified refinement, every
crossing, the answer or the best value), ``goal.csv`` (one row per value) and ``goal``
(PNG and SVG: the odds and their lower bound against the lever). The task cache
(``.cache/``) is kept across the swap."""

from __future__ import annotations

from pathlib import Path

from ipsim.report.numbers import percent
from ipsim.report.numbers import yuan_both as yuan
from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import result_folder

__all__ = ["goal_dict", "write_goal", "answer_lines", "show_value", "CACHE", "TEXT"]

CACHE = ".cache"

TEXT = {
    "reached": "{target}: {probability} odds (one-sided 95 % lower bound, {verify:,} fresh "
               "paths) from {lever} = {value} (precision {tolerance})",
    "unreached": "{target}: {probability} odds not reached anywhere in {low}:{high}; the "
                 "best is {best} at {value} (verified, lower bound {bound})",
    "crossings": "the odds are not monotone in {lever}: the lower bound crosses "
                 "{probability} at {values}",
    "falls": "it falls back below {probability} after {values}",
    "title": "{target}: odds against {lever}",
    "subtitle": "{scenario}: grid {paths:,} paths, verified on {verify:,} fresh paths",
    "series": ("P(target), grid", "95 % lower bound, grid", "95 % lower bound, fresh paths",
               "least value reaching the goal"),
}
"""User-visible strings (for the translation catalogue)."""


def show_value(lever: str, v: float) -> str:
    """A lever value as people read it: a share in %, the budget in yuan."""
    return yuan(v) if lever == "policy.budget" else percent(v)


def goal_dict(run) -> dict:
    """The content of ``goal.json`` for a :class:`~ipsim.study.goal.GoalRun`."""
    class _Grid:
        seed, paths, engine, workers, chunk_paths = run.seed, run.paths, "vectorised", None, \
            None

    return {**provenance(run.scenario, _Grid), "verify_seed": run.verify_seed,
            "verify_paths": run.verify_paths, "target": run.target,
            "probability": run.probability, "lever": run.lever, "balance": list(run.balance),
            "range": [run.low, run.high], "confidence": 0.95,
            "bound": "one-sided Clopper-Pearson lower bound",
            "reached": run.reached, "value": run.answer, "tolerance": run.tolerance,
            "monotone": run.monotone, "crossings": run.crossings, "falls": run.falls,
            "best": run.best, "grid": run.grid, "verified": run.fine, "skipped": run.skipped,
            "notes": run.notes, "elapsed_s": round(run.elapsed_s, 3)}


def answer_lines(data: dict) -> list[str]:
    """The answer in words (what the terminal shows)."""
    lever = data["lever"]
    p = percent(data["probability"])
    if data["reached"]:
        lines = [TEXT["reached"].format(target=data["target"], probability=p,
                                        verify=data["verify_paths"], lever=lever,
                                        value=show_value(lever, data["value"]),
                                        tolerance=show_value(lever, data["tolerance"]))]
    else:
        b = data["best"] or {"probability": float("nan"), "value": float("nan"),
                             "lower_bound": float("nan")}
        lines = [TEXT["unreached"].format(target=data["target"], probability=p,
                                          low=show_value(lever, data["range"][0]),
                                          high=show_value(lever, data["range"][1]),
                                          best=percent(b["probability"]),
                                          value=show_value(lever, b["value"]),
                                          bound=percent(b["lower_bound"]))]
    if len(data["crossings"]) > 1:
        lines.append(TEXT["crossings"].format(lever=lever, probability=p, values=", ".join(
            show_value(lever, c["value"]) for c in data["crossings"])))
    if data["falls"]:
        lines.append(TEXT["falls"].format(probability=p, values=", ".join(
            show_value(lever, v) for v in data["falls"])))
    return lines + list(data["notes"])


def write_goal(run, out: str | Path, make_plots: bool = True) -> dict:
    """Write ``goal.json``, ``goal.csv`` and the plot into ``out`` (swapped in whole, the
    cache carried over); returns the JSON's content."""
    out = Path(out)
    data = goal_dict(run)
    rows = ([{"stage": "grid", "paths": run.paths, **r} for r in run.grid]
            + [{"stage": "verified", "paths": run.verify_paths, **r} for r in run.fine])
    with result_folder(out, "goal", (CACHE,)) as stage:
        write_json(stage / "goal.json", data)
        write_csv(stage / "goal.csv", rows)
        if make_plots:
            from ipsim.report import decide_plots

            fig = decide_plots.goal_chart(
                [r["value"] for r in run.grid], [r["probability"] for r in run.grid],
                [r["lower_bound"] for r in run.grid], [r["value"] for r in run.fine],
                [r["probability"] for r in run.fine], [r["lower_bound"] for r in run.fine],
                run.probability, run.answer,
                TEXT["title"].format(target=run.target, lever=run.lever),
                TEXT["subtitle"].format(scenario=run.scenario.name, paths=run.paths,
                                        verify=run.verify_paths), run.lever, TEXT["series"])
            decide_plots.save(fig, stage / "goal")
    return data
