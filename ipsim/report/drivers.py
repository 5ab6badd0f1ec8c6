"""Write the drivers of a run: ``drivers.json``, three CSV tables and the plots per target.

The folder (default ``results/<scenario>/drivers/``) is swapped in whole when complete.
"""

from __future__ import annotations

from pathlib import Path

from ipsim.report.provenance import provenance
from ipsim.report.tables import write_csv, write_json
from ipsim.runtime.folders import result_folder

__all__ = ["drivers_data", "write_drivers", "MARKER", "p_text"]

MARKER = "drivers.json"


def p_text(p: float | None) -> str:
    """A p-value as people read it: ``< 0.001`` or three decimals."""
    if p is None:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def drivers_data(result) -> dict:
    """The content of ``drivers.json``: provenance, the sample, the settings and, per output
    (each target, then all targets at once), the filtering, indices, noise share and PRIM."""
    run = result.run
    kept = result.sample_paths
    shocks = "shock" in result.kinds
    note = (f"the first {kept:,} of the run's {run.paths:,} paths (the paths the run keeps "
            "whole; --keep-paths for more)" if kept < run.paths else
            f"all {kept:,} paths of the run")
    if not shocks:
        note += ("; the engine reports no per-path shocks, so the economy is not among the "
                 "inputs (its effect is inside the noise share)")
    else:
        note += "; inputs: the parameters and each path's cumulative shocks"
    return {**provenance(result.scenario, run), "method": "drivers from one run",
            "sample": {"paths": kept, "run_paths": run.paths, "note": note},
            "inputs": [{"input": n, "kind": k} for n, k in zip(result.inputs, result.kinds,
                                                                 strict=True)],
            "shocks_as_inputs": shocks, "settings": result.settings,
            "run_elapsed_s": round(run.elapsed_s, 3),
            "elapsed_s": round(result.elapsed_s, 3), "outputs": result.outputs}


def _input_rows(data: dict) -> list[dict]:
    return [{"output": o["output"], "input": i["input"], "kind": i["kind"],
             "ks": i["ks"], "ks_p_value": i["ks_p_value"], "median_met": i["median_met"],
             "median_missed": i["median_missed"], "S1": i["S1"], "S1_low": i["S1_low"],
             "S1_high": i["S1_high"]}
            for o in data["outputs"] if "inputs" in o for i in o["inputs"]]


def _odds_rows(data: dict) -> list[dict]:
    return [{"output": o["output"], "input": i["input"], "bin": b + 1, **row}
            for o in data["outputs"] if "inputs" in o for i in o["inputs"]
            for b, row in enumerate(i["odds"])]


def _output_rows(data: dict) -> list[dict]:
    rows = []
    for o in data["outputs"]:
        noise, prim = o.get("noise") or {}, o.get("prim") or {}
        stab = prim.get("stability") or {}
        ci = noise.get("parameters_share_ci") or [None, None]
        rows.append({
            "output": o["output"], "label": o["label"], "paths": o["paths"],
            "p_met": o["p_met"], "strongest": "; ".join(o.get("strongest", [])),
            "parameters_share_lower": noise.get("parameters_share_lower"),
            "parameters_share_ci_low": ci[0], "parameters_share_ci_high": ci[1],
            "noise_share_upper": noise.get("noise_share_upper"),
            "parameters_and_shocks_share_lower":
                noise.get("parameters_and_shocks_share_lower"),
            "prim_rule": prim.get("rule", prim.get("skipped", o.get("skipped", ""))),
            "prim_coverage": prim.get("coverage"), "prim_density": prim.get("density"),
            "prim_mass": prim.get("mass"),
            "prim_same_inputs_share": stab.get("same_inputs"),
            "prim_jaccard_median": stab.get("jaccard_median")})
    return rows


def _plots(data: dict, stage: Path) -> None:
    from ipsim.report import drivers_plots as dp
    from ipsim.report import plots

    sub = (f"{data['scenario']}: {data['sample']['paths']:,} paths of one run, "
           f"seed {data['seed']}")
    for o in data["outputs"]:
        if "inputs" not in o:
            continue
        name = o["output"]
        plots.save(dp.drivers_chart(o, sub), stage / f"drivers_{name}")
        plots.save(dp.odds_chart(o, sub), stage / f"odds_{name}")
        if "trajectory" in o.get("prim", {}):
            plots.save(dp.prim_chart(o, sub), stage / f"prim_{name}")


def write_drivers(result, out: str | Path, *, make_plots: bool = True) -> dict:
    """Write ``drivers.json``, ``drivers.csv`` (one row per output and input), ``odds.csv``
    (per output, input and quantile bin), ``targets.csv`` (per output: noise share, PRIM
    box) and, unless ``make_plots`` is false, per target the drivers chart, the odds of the
    three strongest inputs and the PRIM trade-off (PNG and SVG), into ``out``, swapped in
    whole; returns the JSON content."""
    data = drivers_data(result)
    with result_folder(out, "drivers") as stage:
        write_json(stage / MARKER, data)
        write_csv(stage / "drivers.csv", _input_rows(data) or [{"output": ""}])
        write_csv(stage / "odds.csv", _odds_rows(data) or [{"output": ""}])
        write_csv(stage / "targets.csv", _output_rows(data))
        if make_plots:
            _plots(data, stage)
    return data
