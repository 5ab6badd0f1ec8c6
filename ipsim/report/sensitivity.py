"""Write a sensitivity analysis: ``sensitivity.json``, ``sensitivity.csv`` and the plots.

The folder (default ``results/<scenario>/sensitivity/``) is swapped in whole when complete.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ipsim.report.outputs import check_out
from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.atomic import carry_over, staged_directory
from ipsim.study.trust import MAX_NOISE, MIN_TOP_SHARE, TOL, assess, overall_fix

__all__ = ["sensitivity_data", "write_sensitivity", "MARKER", "CACHE"]

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


def _rows(data: dict) -> list[dict]:
    return [{"output": o["output"], "output_trusted": o["trust"]["trusted"], **p}
            for o in data["outputs"] for p in o["parameters"]]


def _plots(result, data: dict, stage: Path) -> None:
    """Per output (every target, then all targets at once): the index chart and the tornado;
    ``sobol_all_targets`` / ``morris_all_targets`` and ``tornado`` are the joint ones."""
    from ipsim.report import plots
    from ipsim.report import sensitivity_plots as sp

    sub = (f"{data['scenario']}: {data['method']}, {data['samples']} samples x "
           f"{data['paths_per_sample']:,} paths, seed {data['seed']}")
    labels = [f.label for f in result.factors]
    rows = data.get("tornado", {}).get("parameters", [])
    values = [f"{r['value_low']:.3g} / {r['value_high']:.3g}" for r in rows]
    by_output = data.get("tornado", {}).get("by_output", {})
    for o in data["outputs"]:
        name, joint = o["output"], o["output"] == "all_targets"
        title = f"What drives P({o['label'] if not joint else 'all targets'})"
        if not o["trust"]["trusted"]:
            title += " (NOT TO BE TRUSTED: see sensitivity.json)"
        col = {k: np.array([p[k] for p in o["parameters"]], dtype=float)
               for k in o["parameters"][0] if k not in ("parameter", "distribution")}
        if result.method == "sobol":
            fig = sp.indices_chart(labels, {"value": col["S1"], "low": col["S1_low"],
                                            "high": col["S1_high"]},
                                   {"value": col["ST"], "low": col["ST_low"],
                                    "high": col["ST_high"]}, title, sub)
        else:
            fig = sp.morris_chart(labels, col["mu_star"], col["mu_star_conf"], col["sigma"],
                                  title, sub)
        plots.save(fig, stage / f"{result.method}_{name}")
        t = by_output.get(name)
        if t is not None and rows:
            what = "all targets" if joint else o["label"]
            fig = sp.tornado_chart(t["base"], [r["parameter"] for r in rows],
                                   np.array(t["p_low"]), np.array(t["p_high"]), values,
                                   f"P({what}) with one parameter at its 5th / 95th "
                                   "percentile", sub, what=what)
            plots.save(fig, stage / ("tornado" if joint else f"tornado_{name}"))


def write_sensitivity(result, out: str | Path, *, workers: int = 1,
                      make_plots: bool = True) -> dict:
    """Write ``sensitivity.json``, ``sensitivity.csv`` (one row per output and parameter)
    and, unless ``make_plots`` is false, the index chart and the tornado of every output (PNG
    and SVG) into ``out``, swapped in whole (the task cache ``.cache/`` carried over);
    returns the JSON content."""
    check_out(out, marker=MARKER, kept=(CACHE,))
    data = sensitivity_data(result, workers)
    note = (f"ipsim {data['ipsim_version']}; scenario {data['scenario']} "
            f"(sha256 {data['scenario_sha256'][:12]}); seed {data['seed']}; {data['method']}, "
            f"{data['samples']} samples, {data['paths_per_sample']} paths per sample")
    with staged_directory(out) as stage:
        write_json(stage / MARKER, data)
        write_csv(stage / "sensitivity.csv", _rows(data), note)
        if make_plots:
            _plots(result, data, stage)
        carry_over(out, stage, (CACHE,))
    return data
