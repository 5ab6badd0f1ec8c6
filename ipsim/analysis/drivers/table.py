"""Drivers of every output of a run at once: filtering, indices, noise share and PRIM.

:func:`analyse` takes the input table of a run's paths (parameters drawn per path and, when
the engine reports them, the paths' cumulative shocks) and the met/missed matrix of its
outputs, and returns a plain, JSON-able dict per output. Each input is sorted once and the
sort serves every output. PRIM runs on a random subsample of at most ``prim_paths`` paths
(the reported coverage and density of each box are then measured on the whole sample, so a
box fitted to the subsample's noise shows it), over the ``prim_inputs`` inputs with the
largest first-order index of that output (inputs that do nothing only add false
restrictions, and each costs peeling time).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ipsim.analysis.drivers import filtering, indices, noise, prim

__all__ = ["Sample", "analyse", "PRIM_PATHS", "PRIM_INPUTS", "PRIM_RESAMPLES", "RESAMPLES",
           "ODDS_BINS", "MIN_CASES"]

RESAMPLES = 199
"""Bootstrap resamples of the indices and the noise share."""
ODDS_BINS = 4
"""Quantile bins of the odds table (quartiles)."""
PRIM_PATHS = 5_000
"""Largest PRIM subsample (paths)."""
PRIM_INPUTS = 8
"""Inputs PRIM may restrict (the strongest by first-order index)."""
PRIM_RESAMPLES = 10
"""Random halves of the PRIM subsample in its stability check."""
MIN_CASES = 20
"""Fewest met and missed paths for an output to be analysed (else: too rare to say)."""


@dataclass(frozen=True)
class Sample:
    """The inputs and outcomes of a run's paths.

    ``names`` (d,) input names (``section.name`` for parameters, ``shock.<series>`` for
    cumulative shocks), ``kinds`` (d,) ``"parameter"`` or ``"shock"``, ``x`` (n, d) their
    values, ``outputs`` (k,) output ids, ``labels`` (k,) their labels, ``met`` (n, k) bool.
    """

    names: list[str]
    kinds: list[str]
    x: np.ndarray
    outputs: list[str]
    labels: list[str]
    met: np.ndarray

    @property
    def n(self) -> int:
        return self.x.shape[0]


def _seed(seed: int, *what) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=tuple(zlib.crc32(str(w).encode())
                                                        for w in what))


def _f(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def _odds_rows(o: filtering.BinOdds, k: int) -> list[dict]:
    return [{"low": _f(o.edges[b]), "high": _f(o.edges[b + 1]), "paths": int(o.paths[b]),
             "met": int(o.met[b, k]), "p_met": _f(o.p[b, k]), "ci_low": _f(o.low[b, k]),
             "ci_high": _f(o.high[b, k])} for b in range(o.paths.size)]


def _prim(x_fit: np.ndarray, miss_fit: np.ndarray, x_all: np.ndarray, miss: np.ndarray,
          names: list[str], subsample: bool, resamples: int, rng: np.random.Generator,
          do_paste: bool) -> dict:
    """PRIM on the subsample ``x_fit``, the final box measured on the whole ``x_all``."""
    if miss_fit.sum() < MIN_CASES or (~miss_fit).sum() < MIN_CASES:
        return {"skipped": "too few met or missed paths in the PRIM subsample"}
    r = prim.prim(x_fit, miss_fit, do_paste=do_paste, resamples=resamples, seed=rng)
    inside = r.box.inside(x_all)
    k_in = int(miss[inside].sum())
    whole = prim.Step(r.box, int(inside.sum()), k_in, k_in / max(int(miss.sum()), 1),
                      k_in / inside.sum() if inside.any() else float("nan"),
                      float(inside.mean()))
    st = r.stability
    box = [{"input": names[j], "low": _f(r.box.low[j]), "high": _f(r.box.high[j]),
            "quasi_p": _f(r.significance[int(j)][0]),
            "density_added": _f(r.significance[int(j)][1])}
           for j in r.box.restricted()]
    return {
        "rule": prim.rule_text(r.box, names, whole),
        "box": box, "coverage": whole.coverage, "density": _f(whole.density),
        "mass": whole.mass, "paths_inside": whole.n_in, "misses_inside": whole.k_in,
        "base_density": float(miss.mean()),
        "fit": {"paths": int(x_fit.shape[0]), "subsample": subsample,
                "inputs": names, "alpha": r.alpha, "pasted": r.pasted,
                "coverage": r.result.coverage, "density": _f(r.result.density)},
        "trajectory": [{"coverage": s.coverage, "density": _f(s.density), "mass": s.mass,
                        "restricted": int(s.box.restricted().size)} for s in r.steps],
        "chosen_step": r.chosen,
        "stability": {"resamples": st["resamples"],
                      "same_inputs": st["same_inputs"],
                      "jaccard_median": _f(np.median(st["jaccard"])),
                      "coverage_range": [_f(np.min(st["coverage"])), _f(np.max(st["coverage"]))],
                      "density_range": [_f(np.nanmin(st["density"])),
                                        _f(np.nanmax(st["density"]))],
                      "restricted_share": {names[j]: float(v) for j, v in
                                           enumerate(st["restricted_share"]) if v > 0}}
        if st else {},
    }


def input_task(task) -> tuple:
    """Everything about one input for every output: filtering, odds, index, its ranks.

    ``task`` is ``(x, met, odds_bins, level, resamples, seed)``; returns
    ``(Filtering, BinOdds, FirstOrder, ranks)`` with ``ranks`` (n,) float32 in [0, 1).
    """
    x, met, odds_bins, level, resamples, seed = task
    n = x.size
    srt = filtering.sorted_input(x)
    f = filtering.filtering(x, met, _sorted=srt)
    o = filtering.odds_by_bin(x, met, odds_bins, level, _sorted=srt)
    ids = indices.bin_ids(x, indices.default_bins(n), order=srt[0])
    s1 = indices.first_order(x, met, ids=ids, level=level, resamples=resamples, seed=seed)
    ranks = np.empty(n, dtype=np.float32)
    ranks[srt[0]] = np.arange(n) / n
    return f, o, s1, ranks


def output_task(task) -> tuple[dict | None, dict]:
    """The noise share and PRIM of one output.

    ``task`` is ``(met, u_params, u_all, first_order_sum, x_prim, sub, names, level,
    resamples, prim_resamples, do_paste, seeds)``: the output's (n,) met column, the
    parameters' ranks (n, p) (None: no parameters), the ranks of every input (None: no
    shocks), the parameters' first-order sum, the PRIM inputs' values (n, q) and the
    subsample's rows; returns ``(noise, prim)`` dicts.
    """
    (met, u_params, u_all, fos, x_prim, sub, names, level, resamples, prim_resamples,
     do_paste, seeds) = task
    nz = None
    if u_params is not None:
        share = noise.parameter_share(u_params, met, level=level, interval=resamples > 0,
                                      seed=seeds[0], first_order_sum=np.array([fos]),
                                      ranked=True)
        both = noise.parameter_share(u_all, met, level=level, interval=False, seed=seeds[1],
                                     ranked=True) if u_all is not None else None
        nz = {"parameters_share_lower": _f(share.value[0]),
              "parameters_share_ci": [_f(share.low[0]), _f(share.high[0])],
              "noise_share_upper": _f(share.noise_upper[0]),
              "first_order_sum_parameters": _f(share.first_order_sum[0]),
              "joint_inputs": int(share.joint_inputs[0]),
              "parameters_and_shocks_share_lower":
                  _f(both.value[0]) if both is not None else None}
    miss = ~met
    # the fit peels float32 values (faster; a box's bounds are float32 values, exact in
    # float64, and its coverage and density are measured on the float64 values)
    pr = _prim(x_prim[sub].astype(np.float32), miss[sub], x_prim, miss, names,
               sub.size < met.size,
               prim_resamples, np.random.default_rng(seeds[2]), do_paste)
    return nz, pr


def _serial(fn, tasks) -> list:
    return [fn(t) for t in tasks]


def analyse(sample: Sample, *, seed: int = 0, level: float = 0.95,
            resamples: int = RESAMPLES, odds_bins: int = ODDS_BINS,
            prim_paths: int = PRIM_PATHS, prim_inputs: int = PRIM_INPUTS,
            prim_resamples: int = PRIM_RESAMPLES, do_paste: bool = False,
            map_tasks=_serial) -> list[dict]:
    """Drivers of every output of ``sample``: one dict per output (see docs/drivers.md).

    Parameters
    ----------
    sample : Sample
        Inputs and outcomes.
    seed : int
        Seed of every bootstrap and subsample (the run's seed).
    level : float
        Confidence level of every interval.
    resamples : int
        Bootstrap resamples of the indices and of the noise share.
    odds_bins : int
        Quantile bins of the odds table.
    prim_paths, prim_inputs, prim_resamples : int
        PRIM subsample size, inputs, and stability resamples.
    do_paste : bool
        Paste the chosen PRIM box.
    map_tasks : callable
        ``map_tasks(fn, tasks)`` -> list of ``fn(task)`` in task order: one task per input
        (:func:`input_task`), then one per output (:func:`output_task`); e.g. a process
        pool's. Every task is seeded from ``seed`` and its own name, so the result does not
        depend on where the tasks run.
    """
    x, met = sample.x, sample.met
    n, d = x.shape
    k = met.shape[1]
    per_input = map_tasks(input_task, [
        (x[:, j], met, odds_bins, level, resamples, _seed(seed, "index", sample.names[j]))
        for j in range(d)])
    fs, odds, first = ([t[i] for t in per_input] for i in range(3))
    u = np.column_stack([t[3] for t in per_input]) if d else np.empty((n, 0), np.float32)
    s1 = np.array([f.value for f in first])                       # (d, k)
    params = [j for j in range(d) if sample.kinds[j] == "parameter"]
    shocks = [j for j in range(d) if sample.kinds[j] == "shock"]
    u_params = u[:, params] if params else None
    u_all = u if params and shocks else None
    rows, tasks = [], []
    for c in range(k):
        n_met = int(met[:, c].sum())
        row = {"output": sample.outputs[c], "label": sample.labels[c], "paths": n,
               "met": n_met, "p_met": n_met / n if n else None}
        rows.append(row)
        if min(n_met, n - n_met) < MIN_CASES:
            row["skipped"] = (f"met on {n_met:,} of {n:,} paths: fewer than {MIN_CASES} "
                              "met or missed paths, nothing to tell apart")
            continue
        row["inputs"] = [{
            "input": sample.names[j], "kind": sample.kinds[j],
            "ks": _f(fs[j].ks[c]), "ks_p_value": _f(fs[j].p_value[c]),
            "median_met": _f(fs[j].median_met[c]), "median_missed": _f(fs[j].median_missed[c]),
            "S1": _f(first[j].value[c]), "S1_low": _f(first[j].low[c]),
            "S1_high": _f(first[j].high[c]),
            "odds": _odds_rows(odds[j], c)} for j in range(d)]
        ranked = sorted(range(d), key=lambda j: -np.nan_to_num(s1[j, c], nan=-1))
        row["strongest"] = [sample.names[j] for j in ranked[:3]]
        name = sample.outputs[c]
        rng = np.random.default_rng(_seed(seed, "prim", name))
        sub = np.sort(rng.choice(n, prim_paths, replace=False)) if n > prim_paths \
            else np.arange(n)
        cols = np.sort(np.array(ranked[:prim_inputs], dtype=int))
        tasks.append((c, (met[:, c], u_params, u_all, float(np.nansum(s1[params, c])),
                          x[:, cols], sub, [sample.names[j] for j in cols], level, resamples,
                          prim_resamples, do_paste,
                          (_seed(seed, "noise", name), _seed(seed, "noise+shocks", name),
                           _seed(seed, "prim-fit", name)))))
    for (c, _), (nz, pr) in zip(tasks, map_tasks(output_task, [t for _, t in tasks]),
                                strict=True):
        if nz is not None:
            rows[c]["noise"] = nz
        rows[c]["prim"] = pr
    return rows
