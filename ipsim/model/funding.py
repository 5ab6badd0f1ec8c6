"""Funding tranches, spending by lever, and the mid-term gate (mechanism 7).

Money arrives by tranche. A tranche paid after ``month`` months of the period is split by
the policy's allocation over the levers the mechanisms declare
(:func:`ipsim.model.registry.levers`): a *capital* lever's share (the risk-compensation pool)
is paid in at once, and is that month's ``spend`` of the lever; every other lever's share goes
into that lever's budget and is spent evenly over the months that remain. The unallocated
share (reserve, administration) buys nothing in the model.

A conditional tranche is paid only on the paths where the mid-term evaluation found the
city on track. Rules:

* ``always`` / ``never``: the gate always / never opens;
* ``on_track``: at least ``min_on_track`` of the listed targets are on pace at the
  evaluation month ``M`` (of a horizon of ``H`` months), with a ``tolerance`` in [0, 1]; what
  "on pace" means is the target measure's (:meth:`ipsim.model.measures.Measure.on_pace`).

Withheld money means less spending afterwards on every lever (and a smaller pool), so early
bad luck compounds: the model is path dependent.

The funding state (``budgets`` per spending lever, ``released``, ``received``) is this
module's; no mechanism reads it: they see the month's ``spend`` (:class:`ipsim.model.
mechanism.Month`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ipsim.model import measures
from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Lever

__all__ = ["INDICATORS", "init", "month_spending", "midterm_verdict"]

INDICATORS = (Indicator("funds_received", "output", "yuan/yr", "Central funds received"),)
"""What funding reports: the central funds received each year."""


def init(state, levers: Sequence[Lever]) -> None:
    """Add the funding state: ``budgets`` (lever -> (paths,) yuan unspent, per spending
    lever), ``released`` (paths,) bool verdict of the mid-term gate, ``received`` (paths,)
    yuan received this month."""
    state.budgets = {lv.name: state.zeros() for lv in levers if not lv.capital}
    state.released = np.zeros(state.n, dtype=bool)
    state.received = state.zeros()


def month_spending(state, policy, levers: Sequence[Lever], elapsed: int,
                   horizon: int) -> dict[str, np.ndarray]:
    """Pay the tranches due after ``elapsed`` months (0 = at the start) and return this
    month's money per lever.

    Parameters
    ----------
    state : State
        Updates ``budgets``, ``received`` (yuan).
    policy : Policy
        ``tranches`` (month, amount in yuan, conditional) and ``allocation`` (share per lever,
        a number or a (paths,) array).
    levers : sequence of Lever
        Every lever (:func:`ipsim.model.registry.levers`).
    elapsed, horizon : int
        Months of the period already simulated, and in all.

    Returns
    -------
    dict
        Lever -> (paths,) yuan: a capital lever's payment this month, a spending lever's
        budget spread over the months left.
    """
    state.received[:] = 0.0
    paid_in = {lv.name: np.zeros(state.n) for lv in levers if lv.capital}
    for tranche in policy.tranches:
        if tranche.month != elapsed:
            continue
        paid = np.full(state.n, tranche.amount)
        if tranche.conditional:
            paid *= state.released
        state.received += paid
        for lv in levers:
            share = policy.allocation.get(lv.name, 0.0)
            if lv.capital:
                paid_in[lv.name] += paid * share
            else:
                state.budgets[lv.name] += paid * share
    out = {}
    for lv in levers:
        if lv.capital:
            out[lv.name] = paid_in[lv.name]
        else:
            monthly = state.budgets[lv.name] / (horizon - elapsed)
            state.budgets[lv.name] -= monthly
            out[lv.name] = monthly
    return out


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
        Target id to its progress array (the kind its measure tracks:
        :data:`ipsim.model.measures.PROGRESS`).
    baselines : mapping
        Target id to the baseline value of its indicator.
    """
    if midterm.rule == "always":
        return np.ones(n, dtype=bool)
    if midterm.rule == "never":
        return np.zeros(n, dtype=bool)
    count = np.zeros(n, dtype=int)
    for tid in midterm.targets:
        t = targets[tid]
        count += measures.measure(t.measure).on_pace(progress[tid], baselines[tid], t.threshold,
                                                     midterm.month, horizon, midterm.tolerance)
    return count >= midterm.min_on_track
