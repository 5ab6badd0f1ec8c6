"""Write a sensitivity analysis: ``sensitivity.json``, ``sensitivity.csv`` and the plots.

The folder (default ``results/<scenario>/sensitivity/``) is swapped in whole when complete.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import result_folder
from ipsim.study.trust import MAX_NOISE, MIN_TOP_SHARE, TOL, assess, overall_fix

__all__ = ["sensitivity_data", "sensitivity_rows", "write_sensitivity", "sensitivity_figures",
           "MARKER", "CACHE"]

MARKER = "sensitivity.json"
CACHE = ".cache"
"""The task cache inside the output folder (kept across a result swap)."""

_SOBOL = ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")
_MORRIS = ("mu", "mu_star", "mu_star_conf", "sigma")


def _stats(result) -> dict[str, np.ndarray]:
    """Statistic name -> (outputs, parameters) array."""
    i = result.indices
    if result.method == "sobol":
        return dict(zip(_SOBOL, (i.first, i.first_low, i.first_high, i.total, i.total_low,
                                 i.total_high), strict=True))
    return dict(zip(_MORRIS, (i.mu, i.mu_star, i.mu_star_conf, i.sigma), strict=True))


def _noise_share(result) -> list[float]:
    """Per output: the binomial variance of a set's estimate from its finite paths,
    ``mean(p (1 - p)) / paths``, as a share of the outputs' variance across sets (an upper
    bound on how much of that variance is Monte Carlo noise rather than the parameters)."""
    y = result.y
    var = np.var(y, axis=0)
    noise = np.mean(y * (1 - y), axis=0) / result.paths_per_sample
    return [float(n / v) if v > 0 else None for n, v in zip(noise, var, strict=True)]


def sensitivity_data(result, workers: int = 1) -> dict:
    """The content of ``sensitivity.json``: provenance, the design, and per output and
    parameter the indices (Sobol': S1, ST and their intervals; Morris: mu, mu*, its interval
    half-width, sigma), plus the tornado when computed."""
    s = result.scenario
    run = SimpleNamespace(seed=result.seed, paths=result.paths_per_sample, engine="vectorised",
                          workers=workers, chunk_paths=None)
    stats = _stats(result)
    share = _noise_share(result)
    outputs = []
    for k, name in enumerate(result.outputs):
        label = s.target(name).label if name != "all_targets" else "All targets at once"
        params = [{"parameter": f.label, "distribution": f.dist.kind,
                   **{key: float(v[k, j]) for key, v in stats.items()}}
                  for j, f in enumerate(result.factors)]
        outputs.append({"output": name, "label": label,
                        "mean_probability": float(np.mean(result.y[:, k])),
                        "variance": float(np.var(result.y[:, k])),
                        "noise_variance_share": share[k], "parameters": params})
    trust = assess(result)
    for o, t in zip(outputs, trust, strict=True):
        o["trust"] = t
    data = {**provenance(s, run), "method": result.method,
            "samples": result.samples, "paths_per_sample": result.paths_per_sample,
            "parameter_sets": result.sets,
            "total_paths": result.sets * result.paths_per_sample,
            "level": result.indices.level, "elapsed_s": round(result.elapsed_s, 3),
            "trusted": all(t["trusted"] for t in trust),
            "fix_all": overall_fix(result, trust),
            "trust_checks": {"max_noise_share": MAX_NOISE, "min_top_share": MIN_TOP_SHARE,
                             "bounds_tolerance": TOL},
            "outputs": outputs}
    if result.tornado:
        base = result.tornado["base"]
        data["tornado"] = {"base_all_targets": base, "parameters": [
            {"parameter": f, "p_low": lo, "p_high": hi, "value_low": vl, "value_high": vh}
            for f, (lo, hi, vl, vh) in result.tornado["parameters"].items()]}
        every = result.tornado.get("by_output")
        if every is not None:
            d = len(result.factors)
            data["tornado"]["by_output"] = {
                name: {"base": float(every[0, k]),
                       "p_low": [float(every[1 + 2 * j, k]) for j in range(d)],
                       "p_high": [float(every[2 + 2 * j, k]) for j in range(d)]}
                for k, name in enumerate(result.outputs)}
    return data


def sensitivity_rows(data: dict) -> list[dict]:
    """The rows of ``sensitivity.csv``: one per output and parameter, from
    :func:`sensitivity_data`."""
    return [{"output": o["output"], "output_trusted": o["trust"]["trusted"], **p}
            for o in data["outputs"] for p in o["parameters"]]


def sensitivity_figures(data: dict, lang: str = "en") -> list[tuple[str, object]]:
    """``(file stem, figure)`` of a sensitivity analysis, from its JSON content, texts in
    ``lang``: per output (every target, then all targets at once) the index chart and, when
    computed, the tornado; ``<method>_all_targets`` and ``tornado`` are the joint ones."""
    from ipsim.report import sensitivity_plots as sp
    from ipsim.report.i18n import tr

    sub = tr(lang, "plot.subtitle_sensitivity", scenario=data["scenario"],
             method=data["method"], samples=data["samples"],
             paths=f"{data['paths_per_sample']:,}", seed=data["seed"])
    tornado = data.get("tornado", {})
    rows = tornado.get("parameters", [])
    values = [f"{r['value_low']:.3g} / {r['value_high']:.3g}" for r in rows]
    by_output = tornado.get("by_output", {})
    out = []
    for o in data["outputs"]:
        name, joint = o["output"], o["output"] == "all_targets"
        what = tr(lang, "plot.all_targets_what") if joint else o["label"]
        title = tr(lang, "plot.title_drivers_of", what=what)
        if not o.get("trust", {}).get("trusted", True):
            title += tr(lang, "plot.not_trusted")
        labels = [p["parameter"] for p in o["parameters"]]
        col = {k: np.array([p[k] for p in o["parameters"]], dtype=float)
               for k in o["parameters"][0] if k not in ("parameter", "distribution")}
        if data["method"] == "sobol":
            fig = sp.indices_chart(labels, {"value": col["S1"], "low": col["S1_low"],
                                            "high": col["S1_high"]},
                                   {"value": col["ST"], "low": col["ST_low"],
                                    "high": col["ST_high"]}, title, sub, lang=lang)
        else:
            fig = sp.morris_chart(labels, col["mu_star"], col["mu_star_conf"], col["sigma"],
                                  title, sub, lang=lang)
        out.append((f"{data['method']}_{name}", fig))
        t = by_output.get(name)
        if t is None and joint and rows:   # the joint tornado, as older results hold it
            t = {"base": tornado["base_all_targets"], "p_low": [r["p_low"] for r in rows],
                 "p_high": [r["p_high"] for r in rows]}
        if t is not None and rows:
            fig = sp.tornado_chart(t["base"], [r["parameter"] for r in rows],
                                   np.array(t["p_low"], dtype=float),
                                   np.array(t["p_high"], dtype=float), values,
                                   tr(lang, "plot.title_tornado_of", what=what), sub,
                                   what=what, lang=lang)
            out.append(("tornado" if joint else f"tornado_{name}", fig))
    return out


def _plots(data: dict, stage: Path) -> None:
    from ipsim.report import plots

    for stem, fig in sensitivity_figures(data):
        plots.save(fig, stage / stem)


def write_sensitivity(result, out: str | Path, *, workers: int = 1,
                      make_plots: bool = True) -> dict:
    """Write ``sensitivity.json``, ``sensitivity.csv`` (one row per output and parameter)
    and, unless ``make_plots`` is false, the index chart and the tornado of every output (PNG
    and SVG) into ``out``, swapped in whole (the task cache ``.cache/`` carried over);
    returns the JSON content."""
    data = sensitivity_data(result, workers)
    with result_folder(out, "sensitivity", (CACHE,)) as stage:
        write_json(stage / MARKER, data)
        write_csv(stage / "sensitivity.csv", sensitivity_rows(data))
        if make_plots:
            _plots(data, stage)
    return data
