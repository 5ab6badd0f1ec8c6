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
"""Bootstrap resamples of the PRIM stability check."""
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


def _prim(sample: Sample, k: int, s1: np.ndarray, prim_paths: int, prim_inputs: int,
          resamples: int, seed: int, do_paste: bool) -> dict:
    miss = ~sample.met[:, k]
    rng = np.random.default_rng(_seed(seed, "prim", sample.outputs[k]))
    n = sample.n
    sub = np.sort(rng.choice(n, prim_paths, replace=False)) if n > prim_paths else np.arange(n)
    order = np.argsort(-np.nan_to_num(s1, nan=-np.inf), kind="stable")[:prim_inputs]
    cols = np.sort(order)
    x = sample.x[np.ix_(sub, cols)]
    if miss[sub].sum() < MIN_CASES or (~miss[sub]).sum() < MIN_CASES:
        return {"skipped": "too few met or missed paths in the PRIM subsample"}
    r = prim.prim(x, miss[sub], do_paste=do_paste, resamples=resamples, seed=rng)
    names = [sample.names[c] for c in cols]
    inside = r.box.inside(sample.x[:, cols])
    whole = prim.Step(r.box, int(inside.sum()), int(miss[inside].sum()),
                      float(miss[inside].sum() / max(miss.sum(), 1)),
                      float(miss[inside].mean()) if inside.any() else float("nan"),
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
        "fit": {"paths": int(sub.size), "subsample": bool(sub.size < n),
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


def analyse(sample: Sample, *, seed: int = 0, level: float = 0.95,
            resamples: int = RESAMPLES, odds_bins: int = ODDS_BINS,
            prim_paths: int = PRIM_PATHS, prim_inputs: int = PRIM_INPUTS,
            prim_resamples: int = PRIM_RESAMPLES, do_paste: bool = False) -> list[dict]:
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
    """
    x, met = sample.x, sample.met
    n, d = x.shape
    k = met.shape[1]
    fs, odds, first = [], [], []
    for j in range(d):
        srt = filtering.sorted_input(x[:, j])
        fs.append(filtering.filtering(x[:, j], met, _sorted=srt))
        odds.append(filtering.odds_by_bin(x[:, j], met, odds_bins, level, _sorted=srt))
        ids = indices.bin_ids(x[:, j], indices.default_bins(n), order=srt[0])
        first.append(indices.first_order(x[:, j], met, ids=ids, level=level,
                                         resamples=resamples,
                                         seed=_seed(seed, "index", sample.names[j])))
    s1 = np.array([f.value for f in first])                       # (d, k)
    params = [j for j in range(d) if sample.kinds[j] == "parameter"]
    shocks = [j for j in range(d) if sample.kinds[j] == "shock"]
    share = noise.parameter_share(x[:, params], met, level=level, resamples=resamples,
                                  seed=_seed(seed, "noise"),
                                  first_order_sum=np.nansum(s1[params], axis=0)) \
        if params else None
    with_shocks = noise.parameter_share(x, met, level=level, resamples=0,
                                        seed=_seed(seed, "noise+shocks")) \
        if params and shocks else None
    out = []
    for c in range(k):
        n_met = int(met[:, c].sum())
        row = {"output": sample.outputs[c], "label": sample.labels[c], "paths": n,
               "met": n_met, "p_met": n_met / n if n else None}
        if min(n_met, n - n_met) < MIN_CASES:
            row["skipped"] = (f"met on {n_met:,} of {n:,} paths: fewer than {MIN_CASES} "
                              "met or missed paths, nothing to tell apart")
            out.append(row)
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
        if share is not None:
            row["noise"] = {
                "parameters_share_lower": _f(share.value[c]),
                "parameters_share_ci": [_f(share.low[c]), _f(share.high[c])],
                "noise_share_upper": _f(share.noise_upper[c]),
                "first_order_sum_parameters": _f(share.first_order_sum[c]),
                "joint_inputs": int(share.joint_inputs[c]),
                "parameters_and_shocks_share_lower":
                    _f(with_shocks.value[c]) if with_shocks is not None else None}
        row["prim"] = _prim(sample, c, s1[:, c], prim_paths, prim_inputs, prim_resamples,
                            seed, do_paste)
        out.append(row)
    return out
