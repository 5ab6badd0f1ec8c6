"""Funding tranches, spending by lever, and the mid-term gate (mechanism 7).

Money arrives by tranche. A tranche paid after ``month`` months of the period is split by
the policy's allocation: the ``risk_pool`` share is paid into the pledge risk-compensation
pool at once (it is capital, not spending); every other lever's share goes into that lever's
budget and is spent evenly over the months that remain. The unallocated share (reserve,
administration) buys nothing in the model.

A conditional tranche is paid only on the paths where the mid-term evaluation found the
city on track. Rules:

* ``always`` / ``never``: the gate always / never opens;
* ``on_track``: at least ``min_on_track`` of the listed targets are on pace at the
  evaluation month ``M`` (of a horizon of ``H`` months), with a ``tolerance`` in [0, 1]:
  a growth target (``cagr``/``mean_yoy``) is on pace if the annualised growth of the last 12
  months' flow over the baseline, ``(flow_12 / baseline)^(12/M) - 1``, is at least
  ``tolerance x threshold``; a ``cumulative`` target if the count so far is at least
  ``tolerance x threshold x M / H``; a ``final`` target if the level has covered
  ``tolerance x M / H`` of the way from the baseline to the threshold (for a flow, its last
  12 months against the target for its final year); an ``event`` target
  if the event has happened.

Withheld money means less spending afterwards on every lever (and a smaller pool), so early
bad luck compounds: the model is path dependent.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["LEVERS", "init", "pay_tranches", "spend", "midterm_verdict", "on_pace"]

LEVERS: tuple[str, ...] = (
    "risk_pool", "interest_subsidy", "transfer_subsidy", "operation_platforms",
    "securitisation_support", "navigation", "certification", "trusteeship",
    "operation_centres", "sme_transformation",
)
"""Uses of the funds a policy allocates shares to (keys of ``policy.allocation``)."""

_SPENT_LEVERS = LEVERS[1:]


def init(state, policy, baseline: Mapping[str, float]) -> None:
    """Add funding state: ``budgets`` (paths, levers-1) yuan unspent per spending lever,
    ``pool`` (paths,) yuan in the risk-compensation pool, ``released`` (paths,) bool verdict
    of the mid-term gate, ``received`` (paths,) yuan received this month."""
    state.budgets = state.zeros(len(_SPENT_LEVERS))
    state.pool = np.full(state.n, float(baseline.get("risk_pool", 0.0)))
    state.released = np.zeros(state.n, dtype=bool)
    state.received = state.zeros()


def pay_tranches(state, policy, elapsed: int) -> None:
    """Pay every tranche due after ``elapsed`` months (0 = at the start).

    Parameters
    ----------
    state : State
        Updates ``pool``, ``budgets`` and ``received`` (yuan).
    policy : Policy
        ``tranches`` (month, amount in yuan, conditional) and ``allocation`` (shares).
    elapsed : int
        Months of the period already simulated.
    """
    state.received[:] = 0.0
    for tranche in policy.tranches:
        if tranche.month != elapsed:
            continue
        paid = np.full(state.n, tranche.amount)
        if tranche.conditional:
            paid *= state.released
        state.received += paid
        state.pool += paid * policy.allocation.get("risk_pool", 0.0)
        shares = np.array([policy.allocation.get(k, 0.0) for k in _SPENT_LEVERS])
        state.budgets += np.multiply.outer(paid, shares)


def spend(state, elapsed: int, horizon: int) -> dict[str, np.ndarray]:
    """This month's spending per lever (yuan, (paths,) each), evenly over the months left."""
    monthly = state.budgets / (horizon - elapsed)
    state.budgets -= monthly
    return {k: monthly[:, j] for j, k in enumerate(_SPENT_LEVERS)}


def on_pace(target, progress: np.ndarray, baseline: float, month: int, horizon: int,
            tolerance: float) -> np.ndarray:
    """Whether each path is on pace for ``target`` after ``month`` of ``horizon`` months.

    ``progress`` is, by the target's measure: the last 12 months' flow (growth measures, and
    ``final`` on a flow or output), the count so far (``cumulative``), the current level
    (``final`` on a stock), or 1/0 for whether the event has happened (``event``).
    """
    share = month / horizon
    if target.measure in ("cagr", "mean_yoy"):
        with np.errstate(divide="ignore", invalid="ignore"):
            pace = (progress / baseline) ** (12.0 / month) - 1.0
        return pace >= tolerance * target.threshold
    if target.measure == "cumulative":
        return progress >= tolerance * target.threshold * share
    if target.measure == "final":
        return progress >= baseline + tolerance * share * (target.threshold - baseline)
    return progress > 0  # event


def midterm_verdict(midterm, targets: Mapping[str, object], progress: Mapping[str, np.ndarray],
                    baselines: Mapping[str, float], horizon: int, n: int) -> np.ndarray:
    """Apply the mid-term rule; returns (paths,) bool, True where the gate opens.

    Parameters
    ----------
    midterm : Midterm
        ``rule``, ``month``, ``targets`` (ids), ``min_on_track``, ``tolerance``.
    targets : mapping
        Target id to Target.
    progress : mapping
        Target id to its progress array (see :func:`on_pace`).
    baselines : mapping
        Target id to the baseline value of its indicator.
    """
    if midterm.rule == "always":
        return np.ones(n, dtype=bool)
    if midterm.rule == "never":
        return np.zeros(n, dtype=bool)
    count = np.zeros(n, dtype=int)
    for tid in midterm.targets:
        count += on_pace(targets[tid], progress[tid], baselines[tid], midterm.month, horizon,
                         midterm.tolerance)
    return count >= midterm.min_on_track
