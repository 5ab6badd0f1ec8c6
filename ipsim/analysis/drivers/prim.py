"""Scenario discovery with PRIM: boxes of inputs inside which failure is dense.

The Patient Rule Induction Method (Friedman and Fisher 1999), as used for scenario
discovery by Bryant and Lempert (2010), written here from the papers. The data are an input
table ``x`` (n, d) and a 0/1 ``case`` (here: the target missed). A box is a set of
intervals ``low_j <= x_j <= high_j`` (unrestricted sides are infinite). For a box,

* coverage = cases inside / all cases (how much of the failure it explains),
* density = cases inside / paths inside (how sure failure is inside),
* mass = paths inside / n.

**Peeling** (:func:`peel`) starts from the box holding every path and repeatedly removes
the slice of ``alpha`` of the box's paths, from the low or the high end of one input, that
raises the density most per path removed, until the box holds less than ``min_mass`` of the
paths; every box on the way is a step of the **trajectory** (coverage falls, density rises).
**Pasting** (:func:`paste`, optional) then widens the chosen box by ``alpha`` slices while
that raises its density. **Choice** (:func:`choose`): Bryant and Lempert leave the choice
on the trajectory to the analyst; for a report made without one, the step with the highest
F-score, the harmonic mean of coverage and density, among those covering at least
``min_coverage`` of the cases, is chosen: a box that explains most of the failure and
inside which failure is the rule (the whole space wins when failure is everywhere: then no
box is reported). **Pruning** (:func:`prune`): for each restricted input, Bryant and
Lempert's quasi-p-value is the binomial probability of at least the box's cases among its
paths if the box had the density of the box with that input released,
``P(Bin(n_in, density_released) >= k_in)`` (:func:`scipy.stats.binom`); the input with the
largest is released while it exceeds ``max_p`` or releasing it costs less density than
``min_density_gain`` (or a tenth of the room above the base rate, ``0.1 (1 - base)``, if
smaller), so the rule keeps only inputs that matter.
**Stability** (:func:`stability`): the whole procedure is repeated on random halves of the
paths (subsampling; Politis, Romano and Wolf 1999), in the spirit of Bryant and Lempert's
resampling; how often each input is restricted and how much the resampled boxes overlap
the chosen one (Jaccard index of the paths inside, on the original sample) say whether the
box is a feature of the model or of this sample.

References
----------
Politis, D. N., Romano, J. P., Wolf, M. (1999). Subsampling. Springer.
Friedman, J. H., Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics
and Computing 9, 123-143.
Bryant, B. P., Lempert, R. J. (2010). Thinking inside the box: a participatory,
computer-assisted approach to scenario discovery. Technological Forecasting and Social
Change 77, 34-49.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

__all__ = ["Box", "Step", "Prim", "peel", "paste", "choose", "prune", "stability", "prim",
           "rule_text", "ALPHA", "MIN_MASS", "MIN_COVERAGE", "MAX_P", "MIN_DENSITY_GAIN"]

ALPHA = 0.05
"""Share of the box's paths removed by one peel (Friedman and Fisher suggest 0.05-0.10)."""
MIN_MASS = 0.02
"""Peeling stops before the box holds less than this share of the paths."""
MIN_COVERAGE = 0.5
"""A chosen box explains at least this share of the cases."""
MAX_P = 0.05
"""A restricted input whose quasi-p-value is above this is released."""
MIN_DENSITY_GAIN = 0.01
"""A restricted input whose restriction adds less density than this is released."""


def _floats(x) -> np.ndarray:
    """``x`` as float32 (kept: peeling half the bytes) or float64."""
    x = np.asarray(x)
    return x if x.dtype in (np.float32, np.float64) else x.astype(float)


@dataclass(frozen=True)
class Box:
    """Intervals ``low <= x <= high`` per input, (d,) arrays; ``-inf``/``inf``: unrestricted."""

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def everything(cls, d: int) -> Box:
        return cls(np.full(d, -np.inf), np.full(d, np.inf))

    def inside(self, x: np.ndarray) -> np.ndarray:
        """(n,) bool: the rows of ``x`` inside the box."""
        dims = self.restricted()
        if not dims.size:
            return np.ones(x.shape[0], dtype=bool)
        sub = x[:, dims]
        return np.all((sub >= self.low[dims]) & (sub <= self.high[dims]), axis=1)

    def restricted(self) -> np.ndarray:
        """Indices of the inputs the box restricts."""
        return np.flatnonzero(np.isfinite(self.low) | np.isfinite(self.high))

    def release(self, j: int) -> Box:
        """The box with input ``j`` unrestricted."""
        low, high = self.low.copy(), self.high.copy()
        low[j], high[j] = -np.inf, np.inf
        return Box(low, high)


@dataclass(frozen=True)
class Step:
    """One box of the trajectory and what it holds."""

    box: Box
    n_in: int
    k_in: int
    coverage: float
    density: float
    mass: float


def _step(box: Box, inside: np.ndarray, case: np.ndarray, total: int) -> Step:
    n_in, k_in = int(inside.sum()), int(case[inside].sum())
    return Step(box, n_in, k_in, k_in / total if total else np.nan,
                k_in / n_in if n_in else np.nan, n_in / case.size)


def peel(x: np.ndarray, case: np.ndarray, *, alpha: float = ALPHA,
         min_mass: float = MIN_MASS, min_coverage: float = 0.0) -> list[Step]:
    """The peeling trajectory, from the box of all paths to the last box of at least
    ``min_mass`` of them (see the module docstring); it also stops at the first box that
    covers less than ``min_coverage`` of the cases (no later box can be chosen)."""
    x = _floats(x)
    case = np.asarray(case, dtype=bool)
    n, d = x.shape
    total = int(case.sum())
    low, high = np.full(d, -np.inf), np.full(d, np.inf)
    xt = np.ascontiguousarray(x.T)          # (d, m): the paths of the current box
    ys = case.astype(float)
    steps = [Step(Box(low.copy(), high.copy()), n, total, 1.0 if total else np.nan,
                  total / n if n else np.nan, 1.0)]
    while True:
        m = ys.size
        cut = max(1, int(alpha * m))
        if m - cut < min_mass * n or m < 2 or steps[-1].coverage < min_coverage:
            break
        # the cut smallest and largest of every input, with their cases: a peel removes
        # the paths strictly beyond the new bound (ties with it stay inside)
        order = np.argpartition(xt, [cut, m - cut - 1], axis=1)
        part = np.take_along_axis(xt, order, axis=1)
        lo_new, hi_new = part[:, cut], part[:, m - cut - 1]   # keep >= lo / <= hi
        out_lo = part[:, :cut] < lo_new[:, None]
        out_hi = part[:, m - cut:] > hi_new[:, None]
        gone = np.concatenate([out_lo.sum(1), out_hi.sum(1)])
        cases = np.concatenate([(ys[order[:, :cut]] * out_lo).sum(1),
                                (ys[order[:, m - cut:]] * out_hi).sum(1)])
        density = ys.mean()
        k_all = ys.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            gain = ((k_all - cases) / (m - gone) - density) / gone
        gain = np.where((gone > 0) & (gone < m), gain, -np.inf)
        if not np.isfinite(gain).any():
            break
        best = int(np.argmax(gain))
        j, side = best % d, best // d
        if side == 0:
            low[j], keep = lo_new[j], xt[j] >= lo_new[j]
        else:
            high[j], keep = hi_new[j], xt[j] <= hi_new[j]
        xt, ys = xt[:, keep], ys[keep]
        k_in = int(ys.sum())
        steps.append(Step(Box(low.copy(), high.copy()), ys.size, k_in,
                          k_in / total if total else np.nan, k_in / ys.size, ys.size / n))
    return steps


def choose(steps: list[Step], *, min_coverage: float = MIN_COVERAGE) -> int:
    """Index of the chosen step: the highest F-score, the harmonic mean of coverage and
    density ``2 c d / (c + d)``, among the steps covering at least ``min_coverage`` (ties:
    the larger coverage); see the module docstring."""
    ok = [i for i, s in enumerate(steps) if s.coverage >= min_coverage] or [0]

    def score(i: int) -> tuple[float, float]:
        c, d = steps[i].coverage, steps[i].density
        return (2 * c * d / (c + d) if c + d > 0 else 0.0, c)

    return max(ok, key=score)


def paste(x: np.ndarray, case: np.ndarray, box: Box, *, alpha: float = ALPHA) -> Box:
    """Widen ``box`` by slices of ``alpha`` of its paths, one side of one input at a time,
    while that raises its density (Friedman and Fisher's pasting)."""
    x = _floats(x)
    case = np.asarray(case, dtype=bool)
    while True:
        inside = box.inside(x)
        n_in = int(inside.sum())
        if n_in == 0:
            return box
        density = case[inside].mean()
        add = max(1, int(alpha * n_in))
        best, best_density = None, density
        for j in box.restricted():
            others = box.release(j).inside(x)
            for side in (0, 1):
                bound = box.low[j] if side == 0 else box.high[j]
                if not np.isfinite(bound):
                    continue
                out = others & ((x[:, j] < bound) if side == 0 else (x[:, j] > bound))
                vals = x[out, j]
                if not vals.size:
                    continue
                take = min(add, vals.size)
                new = np.partition(vals, vals.size - take)[vals.size - take] if side == 0 \
                    else np.partition(vals, take - 1)[take - 1]
                low, high = box.low.copy(), box.high.copy()
                (low if side == 0 else high)[j] = new
                cand = Box(low, high)
                grown = cand.inside(x)
                dens = case[grown].mean()
                if dens > best_density:
                    best, best_density = cand, dens
        if best is None:
            return box
        box = best


def quasi_p(x: np.ndarray, case: np.ndarray, box: Box) -> dict[int, tuple[float, float]]:
    """Restricted input -> (quasi-p-value, density lost by releasing it)."""
    inside = box.inside(x)
    n_in, k_in = int(inside.sum()), int(case[inside].sum())
    out = {}
    for j in box.restricted():
        rel = box.release(j).inside(x)
        n_rel, k_rel = int(rel.sum()), int(case[rel].sum())
        p_rel = k_rel / n_rel if n_rel else 0.0
        p = float(stats.binom.sf(k_in - 1, n_in, p_rel)) if n_in else 1.0
        out[int(j)] = (p, (k_in / n_in if n_in else 0.0) - p_rel)
    return out


def prune(x: np.ndarray, case: np.ndarray, box: Box, *, max_p: float = MAX_P,
          min_density_gain: float = MIN_DENSITY_GAIN) -> tuple[Box, dict]:
    """Release restricted inputs that do not matter (see the module docstring).

    Returns the pruned box and, for each input it still restricts, its quasi-p-value and
    the density its restriction adds."""
    base = float(np.mean(case)) if case.size else 0.0
    gain = min(min_density_gain, 0.1 * (1 - base))
    while True:
        q = quasi_p(x, case, box)
        weak = {j: v for j, v in q.items() if v[0] > max_p or v[1] < gain}
        if not weak:
            return box, q
        box = box.release(max(weak, key=lambda j: (weak[j][0], -weak[j][1])))


@dataclass(frozen=True)
class Prim:
    """What :func:`prim` found: the trajectory, the chosen step, and the final box."""

    steps: list[Step]
    chosen: int
    box: Box
    result: Step                   # the final box (pasted and pruned) on the data
    significance: dict             # input -> (quasi-p-value, density added)
    alpha: float
    pasted: bool
    stability: dict = field(default_factory=dict)


def _fit(x, case, alpha, min_mass, min_coverage, do_paste, whole=True):
    steps = peel(x, case, alpha=alpha, min_mass=min_mass,
                 min_coverage=0.0 if whole else min_coverage)
    chosen = choose(steps, min_coverage=min_coverage)
    box = steps[chosen].box
    if do_paste:
        box = paste(x, case, box, alpha=alpha)
    box, sig = prune(x, case, box)
    return steps, chosen, box, sig


def prim(x: np.ndarray, case: np.ndarray, *, alpha: float = ALPHA, min_mass: float = MIN_MASS,
         min_coverage: float = MIN_COVERAGE, do_paste: bool = False, resamples: int = 0,
         seed: int | np.random.SeedSequence | np.random.Generator = 0) -> Prim:
    """Peel, choose, paste (optional), prune, and check stability on ``resamples`` random
    halves of the paths (0: no check); see the module docstring."""
    x = _floats(x)
    case = np.asarray(case, dtype=bool)
    steps, chosen, box, sig = _fit(x, case, alpha, min_mass, min_coverage, do_paste)
    result = _step(box, box.inside(x), case, int(case.sum()))
    out = Prim(steps, chosen, box, result, sig, alpha, do_paste)
    if resamples > 0:
        out.stability.update(stability(x, case, box, resamples, seed, alpha=alpha,
                                       min_mass=min_mass, min_coverage=min_coverage,
                                       do_paste=do_paste))
    return out


def stability(x: np.ndarray, case: np.ndarray, box: Box, resamples: int,
              seed: int | np.random.SeedSequence | np.random.Generator = 0, **fit) -> dict:
    """Repeat the procedure on ``resamples`` random halves of the paths (drawn without
    replacement: subsampling, which needs no duplicated paths and costs half a bootstrap
    resample; a half has less power, so the check errs on the side of calling a box
    unstable).

    Returns
    -------
    dict
        ``resamples``; ``restricted_share``: (d,) share of resampled boxes restricting each
        input; ``jaccard``: (resamples,) overlap of each resampled box with ``box`` (paths
        inside both / paths inside either, on the original sample); ``coverage`` and
        ``density``: (resamples,) of each resampled box on the original sample;
        ``same_inputs``: share of resampled boxes restricting exactly ``box``'s inputs.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n, d = x.shape
    chosen_in = box.inside(x)
    dims = set(box.restricted().tolist())
    total = int(case.sum())
    shares = np.zeros(d)
    jac, cov, dens, same = [], [], [], 0
    for _ in range(resamples):
        idx = np.sort(rng.choice(n, max(2, n // 2), replace=False))
        _, _, b, _ = _fit(x[idx], case[idx], fit.get("alpha", ALPHA),
                          fit.get("min_mass", MIN_MASS), fit.get("min_coverage", MIN_COVERAGE),
                          fit.get("do_paste", False), whole=False)
        r = b.restricted()
        shares[r] += 1
        same += set(r.tolist()) == dims
        inside = b.inside(x)
        union = np.count_nonzero(inside | chosen_in)
        jac.append(np.count_nonzero(inside & chosen_in) / union if union else 1.0)
        s = _step(b, inside, case, total)
        cov.append(s.coverage)
        dens.append(s.density)
    return {"resamples": resamples, "restricted_share": shares / resamples,
            "jaccard": np.array(jac), "coverage": np.array(cov), "density": np.array(dens),
            "same_inputs": same / resamples}


def _number(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1e5 else f"{v:,.0f}"


def rule_text(box: Box, names: list[str], result: Step, what: str = "misses") -> str:
    """The box as a readable rule with its coverage and density, e.g.
    ``pledge.growth <= 0.12 and pledge.default_rate >= 0.05: 78.0 % of the misses,
    91.0 % of paths inside miss``."""
    parts = []
    for j in box.restricted():
        lo, hi = box.low[j], box.high[j]
        if np.isfinite(lo) and np.isfinite(hi):
            parts.append(f"{_number(lo)} <= {names[j]} <= {_number(hi)}")
        elif np.isfinite(lo):
            parts.append(f"{names[j]} >= {_number(lo)}")
        else:
            parts.append(f"{names[j]} <= {_number(hi)}")
    verb = what[:-2] if what.endswith("es") else what.rstrip("s")
    rule = " and ".join(parts) if parts else "anywhere"
    return (f"{rule}: {100 * result.coverage:.1f} % of the {what}, "
            f"{100 * result.density:.1f} % of paths inside {verb}")
