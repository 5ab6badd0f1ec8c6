"""When a sensitivity result is not to be trusted, say so, and what size would fix it.

Small analyses print numbers that look like any others: a total index whose upper bound is
5.54, a top parameter that changes between 8 and 16 samples, a noise share of 0.2. Per
output, :func:`assess` checks

* **wide**: the interval of one of the three strongest parameters' indices (Sobol' ST,
  or S1 where S1 > :data:`MATTERS`; Morris mu*) is wider than the index itself;
* **bounds** (Sobol'): an index or a bound outside ``[-TOL, 1 + TOL]`` (indices are shares
  of variance: outside [0, 1] is estimation noise);
* **noise**: the share of the outputs' variance across sets that is binomial noise from the
  finite paths per set exceeds :data:`MAX_NOISE`;
* **ranking**: the first-ranked parameter is first in fewer than :data:`MIN_TOP_SHARE` of
  the bootstrap resamples (Sobol'), or its mu* interval overlaps the second's (Morris);

and suggests a size that would fix each: interval widths shrink as ``1 / sqrt(samples)``,
so a width ``w`` that must fall below ``t`` needs ``samples (w / t)^2`` (rounded up to a
power of 2 for Sobol'), and the noise share falls as ``1 / paths``, so a share ``s`` needs
``paths s / MAX_NOISE`` paths per set; the suggestion's cost comes from
:func:`ipsim.study.sensitivity_plan.plan`.
"""

from __future__ import annotations

import numpy as np

from ipsim.study import sensitivity_plan

__all__ = ["assess", "overall_fix", "MAX_NOISE", "MIN_TOP_SHARE", "TOL", "MATTERS", "TOP"]

MAX_NOISE = 0.1
"""Largest acceptable share of the variance across sets that is path noise."""
MIN_TOP_SHARE = 0.9
"""Least share of bootstrap resamples in which the first-ranked parameter stays first."""
TOL = 0.05
"""How far outside [0, 1] an index or bound may stray before it is flagged."""
MATTERS = 0.05
"""A first-order index above this is checked for its width too."""
TOP = 3
"""Parameters checked for the width of their intervals (the strongest)."""


def _pow2(x: float) -> int:
    return 1 << max(0, int(np.ceil(np.log2(max(x, 1.0)))))


def _noise_share(y: np.ndarray, paths: int) -> np.ndarray:
    var = np.var(y, axis=0)
    noise = np.mean(y * (1 - y), axis=0) / paths
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 0, noise / var, np.nan)


def _sobol(result, k: int) -> tuple[list[dict], float]:
    """Problems of output ``k`` and the factor by which the samples should grow."""
    i, labels = result.indices, [f.label for f in result.factors]
    problems, grow = [], 1.0
    order = np.argsort(-np.nan_to_num(i.total[k], nan=-np.inf), kind="stable")[:TOP]
    wide = []
    for j in order:
        for name, v, lo, hi in (("ST", i.total, i.total_low, i.total_high),
                                ("S1", i.first, i.first_low, i.first_high)):
            value, width = v[k, j], hi[k, j] - lo[k, j]
            if not (value > MATTERS or (name == "ST" and hi[k, j] > 2 * MATTERS)):
                continue            # an index that does not matter may be vague
            if np.isfinite(width) and width > abs(value):
                wide.append(f"{name} of {labels[j]} {value:.2f} [{lo[k, j]:.2f}, "
                            f"{hi[k, j]:.2f}]")
                grow = max(grow, (width / max(abs(value), 1e-3)) ** 2)
    if wide:
        more = f" (and {len(wide) - 1} more)" if len(wide) > 1 else ""
        problems.append({"kind": "wide", "message": f"interval wider than the index: "
                         f"{wide[0]}{more}", "all": wide})
    arrays = np.stack([i.first[k], i.first_low[k], i.first_high[k], i.total[k],
                       i.total_low[k], i.total_high[k]])
    excess = np.maximum(arrays - 1, -arrays)
    if np.nanmax(excess, initial=-np.inf) > TOL:
        r, j = np.unravel_index(np.nanargmax(excess), excess.shape)
        what = ("S1", "S1 lower bound", "S1 upper bound", "ST", "ST lower bound",
                "ST upper bound")[r]
        problems.append({"kind": "bounds", "message": f"{what} of {labels[j]} is "
                         f"{arrays[r, j]:.2f}, outside [0, 1]"})
        half = (i.total_high[k] - i.total_low[k]) / 2
        grow = max(grow, (np.nanmax(half, initial=0.0) / TOL) ** 2)
    if i.total_boot is not None and np.nanmax(i.total[k], initial=0) > 0:
        boot = np.nan_to_num(i.total_boot[:, k], nan=-np.inf)
        top = int(order[0])
        share = float(np.mean(np.argmax(boot, axis=1) == top))
        if share < MIN_TOP_SHARE:
            problems.append({"kind": "ranking", "message": f"{labels[top]} ranks first in "
                             f"only {100 * share:.1f} % of the bootstrap resamples"})
            if len(order) > 1:
                second = int(order[1])
                gap = i.total[k, top] - i.total[k, second]
                half = (i.total_high[k, top] - i.total_low[k, top]
                        + i.total_high[k, second] - i.total_low[k, second]) / 2
                grow = max(grow, (half / max(gap, 1e-3)) ** 2)
    return problems, grow


def _morris(result, k: int) -> tuple[list[dict], float]:
    e, labels = result.indices, [f.label for f in result.factors]
    problems, grow = [], 1.0
    order = np.argsort(-e.mu_star[k], kind="stable")[:TOP]
    wide = [j for j in order if 2 * e.mu_star_conf[k, j] > e.mu_star[k, j] > 0]
    if wide:
        texts = [f"mu* of {labels[j]} {e.mu_star[k, j]:.3f} +/- {e.mu_star_conf[k, j]:.3f}"
                 for j in wide]
        more = f" (and {len(texts) - 1} more)" if len(texts) > 1 else ""
        problems.append({"kind": "wide", "message": f"interval wider than the index: "
                         f"{texts[0]}{more}", "all": texts})
        grow = max(grow, *((2 * e.mu_star_conf[k, j] / e.mu_star[k, j]) ** 2 for j in wide))
    if len(order) > 1 and e.mu_star[k, order[0]] > 0:
        a, b = order[0], order[1]
        gap = e.mu_star[k, a] - e.mu_star[k, b]
        half = e.mu_star_conf[k, a] + e.mu_star_conf[k, b]
        if half >= gap:
            problems.append({"kind": "ranking", "message": f"{labels[a]} is not separated "
                             f"from {labels[b]} (mu* {e.mu_star[k, a]:.3f} vs "
                             f"{e.mu_star[k, b]:.3f}, +/- {half:.3f} together)"})
            grow = max(grow, (half / max(gap, 1e-6)) ** 2)
    return problems, grow


def assess(result) -> list[dict]:
    """Per output of ``result`` (a :class:`~ipsim.study.sensitivity.SensitivityResult`):
    ``output``, ``trusted``, ``problems`` (``kind``, ``message``) and ``fix`` (suggested
    ``samples`` and ``paths_per_sample``, their ``estimated_seconds`` on one worker, and a
    ``text`` saying so), or ``fix`` None when trusted; outputs that do not vary across sets
    are trusted with nothing to say."""
    share = _noise_share(result.y, result.paths_per_sample)
    months = result.scenario.horizon_months
    d, out = len(result.factors), []
    for k, name in enumerate(result.outputs):
        if not np.var(result.y[:, k]) > 0:
            out.append({"output": name, "trusted": True, "problems": [], "fix": None,
                        "note": "does not vary across the parameter sets"})
            continue
        problems, grow = (_sobol if result.method == "sobol" else _morris)(result, k)
        paths = result.paths_per_sample
        if share[k] > MAX_NOISE:
            problems.append({"kind": "noise", "message": f"noise share {share[k]:.3f} > "
                             f"{MAX_NOISE} (binomial noise of {paths:,} paths per set)"})
            paths = int(np.ceil(paths * share[k] / MAX_NOISE / 1024) * 1024)
        fix = None
        if problems:
            samples = result.samples * grow
            samples = _pow2(samples) if result.method == "sobol" else int(np.ceil(samples))
            samples = max(samples, result.samples)
            cost = sensitivity_plan.plan(result.method, samples, paths, d, months,
                                         len(result.outputs), check=False)
            fix = {"samples": samples, "paths_per_sample": paths,
                   "estimated_seconds": cost.seconds,
                   "text": f"--samples {samples:,} --paths-per-sample {paths:,} (about "
                           f"{sensitivity_plan.duration(cost.seconds)} on one worker)"}
        out.append({"output": name, "trusted": not problems, "problems": problems,
                    "fix": fix})
    return out


def overall_fix(result, assessed: list[dict]) -> dict | None:
    """The size that would fix every output at once (the largest samples and paths per set
    suggested), with its estimated time on one worker; None when all are trusted."""
    fixes = [a["fix"] for a in assessed if a["fix"]]
    if not fixes:
        return None
    samples = max(f["samples"] for f in fixes)
    paths = max(f["paths_per_sample"] for f in fixes)
    cost = sensitivity_plan.plan(result.method, samples, paths, len(result.factors),
                                 result.scenario.horizon_months, len(result.outputs),
                                 check=False)
    return {"samples": samples, "paths_per_sample": paths, "estimated_seconds": cost.seconds,
            "text": f"--samples {samples:,} --paths-per-sample {paths:,} (about "
                    f"{sensitivity_plan.duration(cost.seconds)} on one worker)"}
