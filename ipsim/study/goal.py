"""Goal seek: the least value of a lever that gives a target the asked odds, with confidence.

The question "what is the least risk pool (or budget) that gives 80 % odds on pledge
financing?" is answered with a one-sided 95 % lower bound: the least lever value ``v`` at
which the Clopper-Pearson lower bound of P(target) (:func:`lower_bound`, from
:func:`scipy.stats.beta`) is at least the asked probability.

1. **Grid** (search paths): ``grid`` evenly spaced values over ``[low, high]``, all on the
   same paths (:func:`ipsim.study.policies.evaluate_sets`: the values batched along the path
   axis, on common random numbers, so the curve is smooth in the lever and its steps are
   the lever's, not the noise's). A *crossing* is a grid cell where the bound rises through
   the asked probability; a *fall* is one where it drops back below it (the odds are not
   monotone in the lever there). No grid value reaching it: the goal is unreachable in the
   range, and the best value is verified on fresh paths and reported.
2. **Refinement and verification** (fresh paths, another seed): for every crossing, the two
   grid cells about it are laid out again in ``refine`` steps a cell and simulated on
   ``verify_paths`` fresh paths (again all on common random numbers); the crossing is the
   least of those values whose verified bound reaches the probability. The answer is the
   least confirmed crossing; its precision is the fine step (``tolerance``).

A lever is an allocation share ``policy.allocation.<lever>`` (with ``balance`` shares giving
up, or taking, what it gains or loses, in proportion to their shares in the scenario), the
fast-track share ``policy.fast_track_share``, or the budget ``policy.budget`` (every tranche
scaled in proportion). A value that makes the scenario invalid (shares summing above 1, a
balance share below 0) is skipped and listed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ipsim.errors import ArgumentError
from ipsim.model import registry
from ipsim.runtime.taskcache import TaskCache
from ipsim.scenario.params import Scenario
from ipsim.study import policies
from ipsim.study.optimise import verify_seed

__all__ = ["GoalRun", "run_goal", "lower_bound", "lever_overrides", "DEFAULTS", "CONFIDENCE"]

CONFIDENCE = 0.95
"""Confidence of the one-sided lower bound."""

DEFAULTS = {"grid": 17, "refine": 9}
"""Grid values over the range; fine steps a grid cell (both ends counted)."""

_ALLOCATION = "policy.allocation."
_LEVERS = ("policy.allocation.<lever>", "policy.fast_track_share", "policy.budget")


def lower_bound(k: np.ndarray, n: int, confidence: float = CONFIDENCE) -> np.ndarray:
    """One-sided Clopper-Pearson lower bound of a probability from ``k`` of ``n`` paths."""
    k = np.asarray(k)
    low = stats.beta.ppf(1 - confidence, np.maximum(k, 1), n - k + 1)
    return np.where(k == 0, 0.0, low)


@dataclass
class GoalRun:
    """What :func:`run_goal` returns (probabilities in [0, 1], values in the lever's unit)."""

    scenario: Scenario
    target: str
    probability: float
    lever: str
    balance: tuple[str, ...]
    low: float
    high: float
    seed: int
    paths: int
    verify_seed: int
    verify_paths: int
    grid: list[dict]           # value, successes, probability, lower_bound (search paths)
    fine: list[dict]           # the same on the verification paths
    skipped: list[dict]        # value, reason
    crossings: list[dict]      # value, probability, lower_bound (verified); least first
    falls: list[float]         # grid values after which the bound drops below the goal
    answer: float | None
    best: dict | None          # unreachable: value, probability, lower_bound (verified)
    tolerance: float
    elapsed_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def reached(self) -> bool:
        return self.answer is not None

    @property
    def monotone(self) -> bool:
        """Whether the bound crosses the goal once and never falls back (on the grid)."""
        return len(self.crossings) <= 1 and not self.falls


def lever_overrides(base: Scenario, lever: str, value: float,
                    balance: Sequence[str] = ()) -> dict[str, float]:
    """The overrides that set ``lever`` to ``value`` (balance and tranches included)."""
    policy = base.policy
    if lever == "policy.budget":
        scale = value / policy.budget if policy.budget else 0.0
        return {"policy.budget": float(value), **{f"policy.tranches[{i}].amount":
                                                  float(t.amount * scale)
                                                  for i, t in enumerate(policy.tranches)}}
    out = {lever: float(value)}
    if balance:
        shares = policy.allocation
        delta = value - shares.get(lever.removeprefix(_ALLOCATION), 0.0)
        pool = sum(shares.get(b, 0.0) for b in balance)
        for b in balance:
            weight = shares.get(b, 0.0) / pool if pool > 0 else 1 / len(balance)
            out[_ALLOCATION + b] = float(shares.get(b, 0.0) - delta * weight)
    return out


def _check(base: Scenario, lever: str, balance: Sequence[str], target: str,
           probability: float, low: float, high: float) -> None:
    known = [lv.name for lv in registry.levers()]
    ok = lever in ("policy.fast_track_share", "policy.budget") or (
        lever.startswith(_ALLOCATION) and lever.removeprefix(_ALLOCATION) in known)
    if not ok:
        raise ArgumentError("lever", f"allowed: {', '.join(_LEVERS)} (levers: "
                            f"{', '.join(known)})", value=lever)
    if balance and not lever.startswith(_ALLOCATION):
        raise ArgumentError("balance", "balances an allocation share only", value=lever)
    for b in balance:
        if b not in known or _ALLOCATION + b == lever or balance.count(b) > 1:
            raise ArgumentError("balance", f"name other levers once each ({', '.join(known)})",
                                value=b)
    if target not in [t.id for t in base.targets]:
        raise ArgumentError("target", f"no target '{target}'; targets: "
                            f"{', '.join(t.id for t in base.targets)}", value=target)
    if not 0.0 < probability < 1.0:
        raise ArgumentError("probability", "must be in (0, 1)", value=str(probability))
    if not low < high:
        raise ArgumentError("value_range", "needs LO < HI", value=f"{low}:{high}")


def _problem(base: Scenario, overrides: dict[str, float]) -> str:
    """Why ``overrides`` make an invalid policy ("" if they do not): the only rules on these
    keys are shares in [0, 1] summing to at most 1 and a budget >= 0."""
    shares = dict(base.policy.allocation)
    for key, v in overrides.items():
        if key.startswith(_ALLOCATION):
            shares[key.removeprefix(_ALLOCATION)] = v
        elif key in ("policy.fast_track_share",) and not 0.0 <= v <= 1.0:
            return f"{key} = {v:.4g} is outside [0, 1]"
        elif key == "policy.budget" and v < 0:
            return f"{key} = {v:.4g} is negative"
    bad = [f"{k} = {v:.4g}" for k, v in shares.items() if not -1e-12 <= v <= 1.0]
    if bad:
        return f"shares outside [0, 1]: {', '.join(bad)}"
    if sum(shares.values()) > 1 + 1e-9:
        return f"shares sum to {sum(shares.values()):.4g}, above 1"
    return ""


def _settings(base: Scenario, lever: str, balance: Sequence[str], values: Sequence[float]
              ) -> tuple[list[str], np.ndarray, list[dict]]:
    """The batch keys, the rows of the valid values, and the skipped ones with reasons."""
    keys = [lever, *(_ALLOCATION + b for b in balance)]
    rows, skipped = [], []
    for v in values:
        o = lever_overrides(base, lever, v, balance)
        reason = _problem(base, o)
        if reason:
            skipped.append({"value": float(v), "reason": reason})
        else:
            rows.append([max(o[k], 0.0) for k in keys])
    return keys, np.array(rows, dtype=float).reshape(len(rows), len(keys)), skipped


def _rows(values: np.ndarray, met: np.ndarray, n: int) -> list[dict]:
    lb = lower_bound(met, n)
    return [{"value": float(v), "successes": int(k), "probability": k / n,
             "lower_bound": float(b)} for v, k, b in zip(values, met, lb, strict=True)]


def run_goal(scenario: Scenario, target: str, probability: float, lever: str, *,
             balance: Sequence[str] = (), value_range: tuple[float, float] | None = None,
             paths: int, seed: int, verify_paths: int, grid: int = DEFAULTS["grid"],
             refine: int = DEFAULTS["refine"], workers: int = 1, dask=None,
             cache: str | None = None, reuse: bool = True,
             progress: Callable[[int], None] | None = None) -> GoalRun:
    """The least value of ``lever`` whose verified lower bound of P(``target``) reaches
    ``probability`` (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    target : str
        The target's id.
    probability : float
        The asked odds, in (0, 1).
    lever : str
        ``policy.allocation.<lever>``, ``policy.fast_track_share`` or ``policy.budget``.
    balance : sequence of str
        Allocation shares that offset the lever's changes (lever names).
    value_range : (float, float), optional
        ``(low, high)``; default ``(0, 1)`` for a share, ``(0, 2 x budget)`` for the budget.
    paths, verify_paths : int
        Paths of the grid and of the verification.
    seed : int
        Seed of the grid's paths; the verification's is
        :func:`ipsim.study.optimise.verify_seed` of it.
    grid, refine : int
        Grid values over the range (>= 2) and fine steps a cell (>= 2).
    workers, dask, cache, reuse, progress
        As :func:`ipsim.study.policies.evaluate_sets` (``cache`` a folder).

    Raises
    ------
    ArgumentError
        A bad lever, balance, target, probability, range or grid.
    """
    t0 = time.perf_counter()
    balance = tuple(b.removeprefix(_ALLOCATION) for b in balance)
    if value_range is None:
        value_range = (0.0, 2.0 * scenario.policy.budget) if lever == "policy.budget" \
            else (0.0, 1.0)
    low, high = map(float, value_range)
    _check(scenario, lever, balance, target, probability, low, high)
    for name, value, least in (("grid", grid, 2), ("refine", refine, 2), ("paths", paths, 1),
                               ("verify_paths", verify_paths, 1), ("seed", seed, 0)):
        if value < least:
            raise ArgumentError(name, f"must be >= {least}, got {value}")
    tid = [t.id for t in scenario.targets].index(target)
    run = {"workers": workers, "dask": dask, "reuse": reuse, "progress": progress}
    vseed = verify_seed(seed)

    def evaluate(values, s, n, job):
        keys, rows, skipped = _settings(scenario, lever, balance, values)
        if not len(rows):
            return keys, rows, np.zeros(0, dtype=int), skipped
        store = None if cache is None else TaskCache(cache, policies.context(
            scenario, job, keys, (), s, n))
        counts = policies.evaluate_sets(scenario, keys, rows, s, n, cache=store, **run)
        return keys, rows, counts.met[:, tid], skipped

    _, rows, met, skipped = evaluate(np.linspace(low, high, grid), seed, paths, "goal")
    if not len(rows):
        raise ArgumentError("value_range", f"no valid value of {lever} in {low:g}:{high:g}: "
                            f"{skipped[0]['reason']}")
    coarse = _rows(rows[:, 0], met, paths)
    lb = np.array([r["lower_bound"] for r in coarse])
    up = lb >= probability
    rises = [i for i in range(len(up)) if up[i] and (i == 0 or not up[i - 1])]
    falls = [coarse[i - 1]["value"] for i in range(1, len(up)) if up[i - 1] and not up[i]]
    cell = (high - low) / (grid - 1)
    fine_values, spans = [], []
    for i in rises:
        a = max(low, coarse[i]["value"] - cell)
        b = min(high, coarse[i]["value"] + cell)
        steps = max(2, int(round((b - a) / cell * (refine - 1))) + 1)
        span = np.linspace(a, b, steps)
        spans.append((len(fine_values), len(fine_values) + len(span)))
        fine_values.extend(span)
    best = None
    if not rises:   # unreachable: verify the best grid value
        fine_values = [coarse[int(np.argmax(met))]["value"]]
    _, frows, fmet, fskipped = evaluate(np.array(fine_values), vseed, verify_paths,
                                        "goal-verify")
    fine = _rows(frows[:, 0], fmet, verify_paths) if len(frows) else []
    crossings, notes = [], []
    if rises:
        by_value = {r["value"]: r for r in fine}
        for (a, b), i in zip(spans, rises, strict=True):
            hits = [by_value[v] for v in fine_values[a:b]
                    if v in by_value and by_value[v]["lower_bound"] >= probability]
            if hits:
                crossings.append(min(hits, key=lambda r: r["value"]))
            else:
                notes.append(f"the grid's crossing near {coarse[i]['value']:g} was not "
                             "confirmed on the fresh paths")
    elif fine:
        best = fine[0]
    crossings.sort(key=lambda r: r["value"])
    return GoalRun(scenario, target, probability, lever, balance, low, high, seed, paths,
                   vseed, verify_paths, coarse, fine, skipped + fskipped, crossings, falls,
                   crossings[0]["value"] if crossings else None, best,
                   cell / (refine - 1), time.perf_counter() - t0, notes)
