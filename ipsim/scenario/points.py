"""The points of a policy sweep: levers, their values, and one validated scenario per point.

A lever is a key path of the scenario (as in ``variants:``, :mod:`ipsim.scenario.overrides`)
with a list of values (the command line writes them ``KEY=START:STOP:N`` or
``KEY=v1,v2,...``: :mod:`ipsim.cli.parsing`). One lever gives a curve of points,
two give a grid. Each point's overrides are applied to a copy of the base's raw data and
validated like any scenario. A point that breaks only a rule across keys (allocation shares
summing to more than 1, tranches paying more than the budget: ``ScenarioError.constraint``)
is *infeasible*: it is reported, not run. Any other problem (a value out of its range, a
text where a number belongs) is a bad argument.

``balance`` keeps the sum of the allocation shares fixed: when swept shares rise (or fall)
by ``delta`` in total, the named balance levers give up (or receive) ``delta`` in proportion
to their shares in the base scenario; a point that would push one below 0 is infeasible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

from ipsim.errors import ArgumentError, ScenarioErrors
from ipsim.scenario.overrides import apply_overrides, check_key_path, parse_key_path
from ipsim.scenario.params import Lever, Point, Scenario
from ipsim.scenario.provenance import mark_overridden
from ipsim.scenario.validate import build, load_scenario

__all__ = ["Lever", "Point", "make_lever", "check_balance", "count_points", "load_points",
           "MAX_POINTS", "MAX_LEVERS"]

MAX_LEVERS = 2
MAX_POINTS = 400
"""At most this many points: the pairwise counts of a sweep grow as points squared."""

_ALLOCATION = ("policy", "allocation")


def make_lever(key: str, values: Sequence) -> Lever:
    """A lever from a key path and its values, checked against the scenario schema.

    Parameters
    ----------
    key : str
        Dotted key path (``policy.allocation.risk_pool``, ``policy.tranches[1].amount``).
    values : sequence
        The values to sweep, in order (numbers, texts or booleans), without repeats.

    Raises
    ------
    ArgumentError
        (argument ``levers``) a key that is not a key path of the schema (with a
        did-you-mean), no values, or a repeated value.
    """
    path = parse_key_path(key)
    if path is None:
        raise ArgumentError("levers", "not a key path (write e.g. policy.allocation.risk_pool "
                            "or policy.tranches[1].amount)", value=key)
    if problem := check_key_path(path):
        raise ArgumentError("levers", problem, value=key)
    values = tuple(values)
    if not values:
        raise ArgumentError("levers", "no values", value=key)
    dup = next((v for i, v in enumerate(values) if v in values[:i]), None)
    if dup is not None:
        raise ArgumentError("levers", f"value {dup!r} is given twice", value=key)
    return Lever(key, path, values)


def check_balance(names: Sequence[str], levers: Sequence[Lever]) -> tuple[str, ...]:
    """The allocation shares that balance the swept ones (``interest_subsidy`` or the full key
    path ``policy.allocation.interest_subsidy``), checked.

    Raises
    ------
    ArgumentError
        (argument ``balance``) an unknown share (did-you-mean), a swept share, a share given
        twice, or no swept allocation share to balance.
    """
    out: list[str] = []
    for item in names:
        name = item.removeprefix("policy.allocation.")
        if problem := check_key_path(_ALLOCATION + (name,)):
            raise ArgumentError("balance", problem, value=item)
        if any(lv.path == _ALLOCATION + (name,) for lv in levers):
            raise ArgumentError("balance", "is swept; balance with other shares", value=item)
        if name in out:
            raise ArgumentError("balance", "given twice", value=item)
        out.append(name)
    if out and not any(lv.path[:2] == _ALLOCATION for lv in levers):
        raise ArgumentError("balance", "needs a swept share policy.allocation.<lever> whose "
                            "changes it offsets")
    return tuple(out)


def count_points(levers: Sequence[Lever]) -> int:
    """Points of the grid of ``levers``, checked against :data:`MAX_LEVERS` and
    :data:`MAX_POINTS` before any is built.

    Raises
    ------
    ArgumentError
        (argument ``levers``) none or too many levers, a lever given twice, too many points.
    """
    if not 1 <= len(levers) <= MAX_LEVERS:
        raise ArgumentError("levers", f"give one or two levers, got {len(levers)}")
    if len({lv.path for lv in levers}) < len(levers):
        raise ArgumentError("levers", "given twice", value=levers[0].key)
    n = math.prod(len(lv.values) for lv in levers)
    if n > MAX_POINTS:
        raise ArgumentError("levers", f"{n} points; at most {MAX_POINTS} (the pairwise counts "
                            "grow as points squared): use fewer values")
    return n


def _balanced(base: Scenario, levers: Sequence[Lever], values: tuple,
              balance: Sequence[str]) -> tuple[dict, str]:
    """The balance levers' new shares at a point, or why the point is infeasible."""
    shares = base.policy.allocation
    delta = sum(v - shares.get(lv.path[2], 0.0) for lv, v in zip(levers, values, strict=True)
                if lv.path[:2] == _ALLOCATION)
    pool = sum(shares.get(b, 0.0) for b in balance)
    out, short = {}, []
    for b in balance:
        weight = shares.get(b, 0.0) / pool if pool > 0 else 1 / len(balance)
        new = round(shares.get(b, 0.0) - delta * weight, 12)
        if new < 0:
            short.append(f"{b} would be {new:.3g}")
        out[f"policy.allocation.{b}"] = max(new, 0.0)
    if short:
        return out, f"the balance cannot offset +{delta:.3g}: {', '.join(short)} (< 0)"
    return out, ""


def _assignment(levers: Sequence[Lever], values: tuple) -> str:
    return ", ".join(f"{lv.key}={v}" for lv, v in zip(levers, values, strict=True))


def load_points(source: str | Path | Scenario, levers: Sequence[Lever],
                balance: Sequence[str] = ()) -> tuple[Scenario, list[Point]]:
    """The base scenario and every point of the grid of ``levers`` (first lever slowest).

    ``source`` is a scenario file or a loaded :class:`Scenario` (its ``raw`` data and marks
    are overridden point by point).

    Raises
    ------
    ScenarioErrors
        The base scenario is invalid.
    ArgumentError
        Too many levers or points, a bad balance, or a point with a problem other than a
        constraint (argument ``levers``).
    """
    count_points(levers)
    balance = check_balance(balance, levers)
    if isinstance(source, Scenario):
        base, data, marks, text = source, source.raw, source.marks, source.text
        path = source.file
    else:   # the whole file is validated, variants: included
        base = load_scenario(source)
        data, marks, text, path = base.raw, base.marks, base.text, base.file
    points = []
    for i, values in enumerate(itertools.product(*(lv.values for lv in levers))):
        overrides = {lv.key: v for lv, v in zip(levers, values, strict=True)}
        extra, reason = _balanced(base, levers, values, balance) if balance else ({}, "")
        overrides.update(extra)
        if reason:
            points.append(Point(i, values, overrides, None, reason))
            continue
        paths = {parse_key_path(k): v for k, v in overrides.items()}
        raw, problems = apply_overrides(data, paths)
        mark_overridden(raw, paths, f"sweep point {_assignment(levers, values)}")
        if problems:
            message = next(iter(problems.values()))
            raise ArgumentError("levers", message, value=_assignment(levers, values))
        raw["description"] = f"{base.name} at {_assignment(levers, values)}"
        try:
            scenario = build(raw, marks, path, text)
        except ScenarioErrors as exc:
            bad = [e for e in exc.errors if not e.constraint]
            if bad:
                raise ArgumentError("levers", f"{bad[0].key_path}: {bad[0].message}",
                                    value=_assignment(levers, values)) from None
            points.append(Point(i, values, overrides, None,
                                "; ".join(f"{e.key_path}: {e.message}" for e in exc.errors)))
            continue
        if problem := base.comparable_with(scenario):
            raise ArgumentError("levers", problem, value=_assignment(levers, values))
        points.append(Point(i, values, overrides, scenario))
    return base, points
