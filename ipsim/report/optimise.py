"""Write what ``ipsim optimise`` produces into one result folder, atomically.

``optimise.json`` (provenance of the search and of the verification, the search space and
objective, the winner as shares and as yuan per lever and per tranche, every verified
allocation with its odds per target and jointly, their paired differences from the plan and
the winner's from the runner-up, the search trace), ``optimise.csv`` (one row per verified
allocation and target), ``optimum.yaml`` (a variant file of the winner: ``base:`` and
``overrides:``, which ``ipsim run`` and ``ipsim compare --variants`` accept), and plots
(PNG and SVG): ``allocation`` (yuan per lever, plan against optimum), ``odds`` (per target,
both), ``convergence`` (the search trace). The task cache (``.cache/``) is kept across the
swap of the folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ipsim.analysis.paired import PairedDifference
from ipsim.report.numbers import p_value, percent, points
from ipsim.report.numbers import yuan_both as yuan
from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import result_folder

__all__ = ["optimise_dict", "optimise_rows", "write_optimise", "variant_overrides", "CACHE",
           "VARIANT", "TEXT"]

CACHE = ".cache"
"""The task cache's folder inside an optimisation's output folder."""
VARIANT = "optimum.yaml"
"""The winner's variant file."""

TEXT = {
    "variant_name": "{scenario}-optimum",
    "variant_description": "the allocation with the best {objective} found by ipsim optimise "
                           "(verified {value} on {paths:,} fresh paths)",
    "allocation_title": "Money per lever: the plan and the optimum",
    "odds_title": "Odds per target: the plan and the optimum (fresh paths)",
    "trace_title": "Search: {objective}",
    "subtitle": "{scenario}: search {paths:,} paths, verified on {verify:,} fresh paths",
    "plan": "the scenario's plan",
    "optimum": "the optimum",
    "all": "All targets at once",
    "trace": ("each generation's best", "best so far (search paths)",
              "winner, verified (fresh paths)"),
    "unit": "million yuan",
}
"""User-visible strings of the files and plots (for the translation catalogue)."""


def _diff(d: PairedDifference | None) -> dict | None:
    if d is None:
        return None
    return {"estimate": d.estimate, "ci_low": d.ci_low, "ci_high": d.ci_high,
            "p_value": d.p_value, "only_a": d.only_a, "only_b": d.only_b, "method": d.method,
            "distinguishable": d.excludes_zero()}


def _odds(t) -> dict:
    k, p, lo, hi = t
    return {"successes": k, "probability": p, "ci_low": lo, "ci_high": hi}


def _money(scenario, space, values) -> dict:
    """Shares and yuan per lever, per tranche and in all."""
    out = {}
    tranches = scenario.policy.tranches
    for lever, share in zip(space.levers, values, strict=False):
        out[lever] = {"share": share, "yuan": share * scenario.policy.budget,
                      "yuan_per_tranche": [share * t.amount for t in tranches],
                      "shown": yuan(share * sum(t.amount for t in tranches))}
    if space.fast_track:
        out["fast_track_share"] = {"share": values[-1]}
    return out


def _verified(run, v) -> dict:
    ids = [t.id for t in run.scenario.targets]
    return {"name": v.name, "values": run.space.overrides(np.array(v.values)),
            "money": _money(run.scenario, run.space, v.values),
            "search_value": v.search_value, "objective": v.objective.as_dict(),
            "targets": [{"id": i, **_odds(t)} for i, t in zip(ids, v.targets, strict=True)],
            "all_targets": _odds(v.all_targets), "midterm_release": _odds(v.released),
            "vs_plan": _diff(v.vs_plan), "requirements_met": v.requirements_met,
            "requirements_sure": v.requirements_sure}


def optimise_dict(run) -> dict:
    """The content of ``optimise.json`` for an :class:`~ipsim.study.optimise.OptimiseRun`."""
    from ipsim.study.optimise import METHODS

    class _Search:        # what provenance() reads of a run
        seed, paths, engine, workers, chunk_paths = run.seed, run.paths, "vectorised", \
            run.workers, None

    sp, ob = run.space, run.objective
    winner = run.winner
    return {
        **provenance(run.scenario, _Search),
        "verify_seed": run.verify_seed, "verify_paths": run.verify_paths,
        "method": run.method, "method_doc": METHODS[run.method], "backend": run.backend,
        "objective": {"kind": ob.kind, "describe": ob.describe(),
                      "subset": [ob.labels[i] for i in ob.subset],
                      "require": {ob.labels[i]: r for i, r in ob.require},
                      "constraints": "feasibility rule: a candidate breaking a chance "
                                     "constraint scores -1 - (sum of shortfalls)"},
        "space": {"levers": list(sp.levers), "low": sp.low.tolist(), "high": sp.high.tolist(),
                  "total": sp.total, "keep_total": sp.keep_total,
                  "fast_track": list(sp.fast_track) if sp.fast_track else None,
                  "map": "Euclidean projection of the unit cube's point onto the bounded, "
                         "capped simplex (docs/decide.md)"},
        "budget": run.scenario.policy.budget,
        "tranches": [{"month": t.month, "amount": t.amount, "conditional": t.conditional}
                     for t in run.scenario.policy.tranches],
        "evaluations": run.evaluations, "generations": len(run.trace),
        "stop_reason": run.stop_reason,
        "search": {"best_value": max(c.value for c in run.candidates),
                   "note": "the best of many candidates on the same paths is biased upwards "
                           "(the optimiser's curse): the verified figure is the headline"},
        "winner": _verified(run, winner),
        "plan": _verified(run, run.plan),
        "headline": {"objective": winner.objective.as_dict(),
                     "plan_objective": run.plan.objective.as_dict(),
                     "vs_plan": _diff(winner.vs_plan),
                     "vs_runner_up": _diff(run.winner_vs_runner_up)},
        "verified": [_verified(run, v) for v in run.verified],
        "trace": run.trace,
        "tasks": run.tasks, "reused_tasks": run.reused_tasks,
        "elapsed_s": round(run.elapsed_s, 3), "search_s": round(run.search_s, 3),
    }


def optimise_rows(data: dict) -> list[dict]:
    """One row per verified allocation and target (then all targets, the objective)."""
    rows = []
    for v in data["verified"]:
        shares = {f"share_{k.rsplit('.', 1)[-1]}": x for k, x in v["values"].items()}
        for t in [*v["targets"], {"id": "all_targets", **v["all_targets"]}]:
            rows.append({"allocation": v["name"], "target": t["id"],
                         "probability": t["probability"], "ci_low": t["ci_low"],
                         "ci_high": t["ci_high"], "successes": t["successes"],
                         "paths": data["verify_paths"], **shares})
        o = v["objective"]
        rows.append({"allocation": v["name"], "target": "objective", "probability": o["value"],
                     "ci_low": o["ci_low"], "ci_high": o["ci_high"], "successes": "",
                     "paths": data["verify_paths"], **shares})
    return rows


def variant_overrides(data: dict) -> dict:
    """The winner's overrides (key path -> value), as the variant file holds them."""
    return dict(data["winner"]["values"])


def _plots(run, data: dict, out: Path) -> None:
    from ipsim.report import decide_plots

    sub = TEXT["subtitle"].format(scenario=run.scenario.name, paths=run.paths,
                                  verify=run.verify_paths)
    levers = list(run.space.levers)
    money = [[data[side]["money"][lv]["yuan"] / 1e6 for lv in levers]
             for side in ("plan", "winner")]
    decide_plots.save(decide_plots.allocation_chart(
        levers, np.array(money[0]), np.array(money[1]), TEXT["allocation_title"], sub,
        TEXT["unit"], (TEXT["plan"], TEXT["optimum"])), out / "allocation")
    labels = [t.label for t in run.scenario.targets] + [TEXT["all"]]
    series = []
    for side, name in (("plan", TEXT["plan"]), ("winner", TEXT["optimum"])):
        rows = [*data[side]["targets"], data[side]["all_targets"]]
        series.append({"name": name, "p": [r["probability"] for r in rows],
                       "low": [r["ci_low"] for r in rows], "high": [r["ci_high"] for r in rows]})
    decide_plots.save(decide_plots.odds_chart(labels, series, TEXT["odds_title"], sub),
                      out / "odds")
    tr = run.trace
    decide_plots.save(decide_plots.trace_chart(
        [r["evaluations"] for r in tr], [r["best_value"] for r in tr],
        [r["generation_best"] for r in tr], data["winner"]["objective"]["value"],
        TEXT["trace_title"].format(objective=run.objective.describe()), sub,
        run.objective.describe(), TEXT["trace"]), out / "convergence")


def summary_lines(data: dict) -> list[str]:
    """What the terminal shows: the headline, the comparison, the winner's money."""
    w, plan, h = data["winner"], data["plan"], data["headline"]
    o, po = w["objective"], plan["objective"]
    show = (lambda x: f"{x:.2f}") if data["objective"]["kind"] == "expected" else percent
    lines = [f"{data['scenario']}: {data['objective']['describe']}; {data['evaluations']} "
             f"evaluations on {data['paths']:,} search paths ({data['stop_reason']}), "
             f"verified on {data['verify_paths']:,} fresh paths; {data['elapsed_s']:.0f} s",
             f"optimum  {show(o['value'])} [{show(o['ci_low'])}, {show(o['ci_high'])}] "
             f"(search figure {show(data['search']['best_value'])}, biased upwards)",
             f"plan     {show(po['value'])} [{show(po['ci_low'])}, {show(po['ci_high'])}]"]
    for label, d in (("vs plan", h["vs_plan"]), ("vs runner-up", h["vs_runner_up"])):
        if d is None:
            continue
        est = points(d["estimate"]) if data["objective"]["kind"] != "expected" \
            else f"{d['estimate']:+.2f}"
        lo, hi = ((points(d[k]) for k in ("ci_low", "ci_high"))
                  if data["objective"]["kind"] != "expected"
                  else (f"{d[k]:+.2f}" for k in ("ci_low", "ci_high")))
        lines.append(f"{label:<13}{est} [{lo}, {hi}], p {p_value(d['p_value'])}")
    width = max(len(k) for k in w["money"])
    for lever, m in w["money"].items():
        if "yuan" in m:
            before = plan["money"][lever]["share"]
            lines.append(f"  {lever:<{width}} {m['share']:6.1%} (plan {before:6.1%})  "
                         f"{m['shown']}")
        else:
            lines.append(f"  {lever:<{width}} {m['share']:6.1%}")
    return lines


def write_optimise(run, out: str | Path, make_plots: bool = True) -> dict:
    """Write ``optimise.json``, ``optimise.csv``, ``optimum.yaml`` and the plots into
    ``out`` (swapped in whole, the task cache carried over); returns the JSON's content."""
    from ipsim.scenario.variants import write_variant_file

    out = Path(out)
    data = optimise_dict(run)
    s = run.scenario
    note = (f"ipsim {data['ipsim_version']}; scenario {s.name} (sha256 "
            f"{data['scenario_sha256'][:12]}); search seed {run.seed}, {run.paths} paths; "
            f"verified with seed {run.verify_seed} on {run.verify_paths} paths")
    with result_folder(out, "optimise", (CACHE,)) as stage:
        write_json(stage / "optimise.json", data)
        write_csv(stage / "optimise.csv", optimise_rows(data))
        if s.file:
            o = data["winner"]["objective"]
            write_variant_file(
                stage / VARIANT, s.file, TEXT["variant_name"].format(scenario=s.name),
                TEXT["variant_description"].format(objective=run.objective.describe(),
                                                   value=f"{o['value']:.4g}",
                                                   paths=run.verify_paths),
                variant_overrides(data), [note])
        if make_plots:
            _plots(run, data, stage)
    return data
