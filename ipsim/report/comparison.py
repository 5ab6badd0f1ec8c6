"""Write what ``ipsim compare`` produces into one result folder, atomically.

``comparison.json`` (provenance, then every scenario's attainment and paired difference from
the base per target and jointly, and the best scenario for all targets at once),
``comparison.csv`` (one row per scenario and target) and two plots (PNG and SVG):
``attainment_by_variant`` and ``differences`` (a forest plot).
"""

from __future__ import annotations

from pathlib import Path

from ipsim.analysis.compare import Comparison, Side
from ipsim.analysis.paired import METHODS
from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import result_folder

__all__ = ["comparison_dict", "comparison_rows", "write_comparison", "comparison_figures"]


def _row(row) -> dict:
    a, d = row.attainment, row.diff
    return {"id": row.id, "label": row.label, "probability": a.estimate, "ci_low": a.ci_low,
            "ci_high": a.ci_high, "successes": a.k, "diff": d.estimate,
            "diff_ci_low": d.ci_low, "diff_ci_high": d.ci_high, "p_value": d.p_value,
            "gained": d.only_a, "lost": d.only_b}


def _side(side: Side, overrides: dict | None, file: str) -> dict:
    s = side.scenario
    return {"name": side.name, "description": s.description, "file": file,
            "scenario_sha256": s.sha256, "overrides": overrides or {},
            "identical_to_base": side.identical, "pairing_notes": list(side.notes),
            "targets": [_row(r) for r in side.rows[:-1]], "all_targets": _row(side.joint),
            "midterm_release": side.released.as_dict()}


def comparison_dict(comparison: Comparison, run, variants=()) -> dict:
    """The content of ``comparison.json``.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ipsim.analysis.compare.compare`.
    run : RunResult
        The run it was computed from (seed, paths, engine, timing).
    variants : sequence of ipsim.scenario.variants.Variant
        The variants as loaded (for their overrides and files), in run order.
    """
    base = comparison.base.scenario
    specs = {v.name: v for v in variants}
    best = comparison.best
    best_info = {"target": "all_targets", "best": best.best,
                 "best_is_base": best.best == base.name, "runner_up": best.runner_up}
    if best.diff is not None:
        d = best.diff
        best_info.update(best_probability=d.p_a, runner_up_probability=d.p_b,
                         diff=d.estimate, diff_ci_low=d.ci_low, diff_ci_high=d.ci_high,
                         p_value=d.p_value, distinguishable=best.distinguishable)
    return {
        **provenance(base, run),
        "level": comparison.level,
        "interval": METHODS[comparison.method] + "; attainment: Wilson score intervals",
        "test": "McNemar exact test on the discordant paths (scipy.stats.binomtest)",
        "diff": "variant minus base, on the same paths (common random numbers)",
        "base": _side(comparison.base, None, base.file),
        "variants": [_side(s, getattr(specs.get(s.name), "overrides", None),
                           getattr(specs.get(s.name), "file", s.scenario.file))
                     for s in comparison.variants],
        "best": best_info,
        "elapsed_s": round(run.elapsed_s, 3),
    }


def comparison_rows(data: dict) -> list[dict]:
    """``comparison.csv``: one row per scenario (base first) and target, then jointly."""
    rows = []
    for role, side in [("base", data["base"])] + [("variant", v) for v in data["variants"]]:
        for r in [*side["targets"], {**side["all_targets"], "id": "all_targets"}]:
            rows.append({"scenario": side["name"], "role": role, "target": r["id"],
                         "label": r["label"], "probability": r["probability"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "diff": r["diff"],
                         "diff_ci_low": r["diff_ci_low"], "diff_ci_high": r["diff_ci_high"],
                         "p_value": r["p_value"], "gained": r["gained"], "lost": r["lost"],
                         "paths": data["paths"]})
    return rows


def comparison_figures(data: dict, lang: str = "en", labels: list[str] | None = None
                       ) -> list[tuple[str, object]]:
    """``(file stem, figure)`` of the comparison: attainment by variant and, when there are
    variants, the forest plot of differences; texts in ``lang``, target ``labels`` as given
    (default: the labels in ``data``)."""
    from ipsim.report import plots
    from ipsim.report.i18n import tr

    sides = [data["base"], *data["variants"]]
    labels = (labels or [r["label"] for r in data["base"]["targets"]]) + [
        tr(lang, "plot.all_targets_label"), tr(lang, "plot.midterm_label")]
    sub = tr(lang, "plot.subtitle_crn", scenario=data["scenario"], paths=f"{data['paths']:,}",
             seed=data["seed"])

    def column(side: dict, key: str) -> list[float]:
        rel = side["midterm_release"]
        return [r[key] for r in side["targets"]] + [side["all_targets"][key], rel[key]]

    series = [{"name": s["name"] + (tr(lang, "plot.base_suffix") if i == 0 else ""),
               **{k: column(s, k) for k in ("probability", "ci_low", "ci_high")}}
              for i, s in enumerate(sides)]
    out = [("attainment_by_variant", plots.grouped_attainment_chart(
        labels, series, tr(lang, "plot.title_by_variant"), sub, lang=lang))]
    if data["variants"]:
        series = [{"name": s["name"],
                   **{k: [r[k] for r in s["targets"]] + [s["all_targets"][k]]
                      for k in ("diff", "diff_ci_low", "diff_ci_high")}}
                  for s in data["variants"]]
        out.append(("differences", plots.forest_plot(
            labels[:-1], series, tr(lang, "plot.title_difference", base=data["base"]["name"]),
            sub, lang=lang)))
    return out


def _plots(data: dict, out: Path) -> None:
    from ipsim.report import plots

    for stem, fig in comparison_figures(data):
        plots.save(fig, out / stem)


def write_comparison(comparison: Comparison, run, out: str | Path, variants=(),
                     make_plots: bool = True) -> dict:
    """Write ``comparison.json``, ``comparison.csv`` and the plots to ``out`` (swapped in
    whole when complete); returns the content of ``comparison.json``."""
    data = comparison_dict(comparison, run, variants)
    with result_folder(out, "compare") as stage:
        write_json(stage / "comparison.json", data)
        write_csv(stage / "comparison.csv", comparison_rows(data))
        if make_plots:
            _plots(data, stage)
    return data
