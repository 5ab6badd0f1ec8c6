"""The points of a policy sweep: levers, their values, and one validated scenario per point.

A lever is a key path of the scenario (as in ``variants:``, :mod:`ipsim.scenario.overrides`)
with a list of values, written on the command line as ``KEY=START:STOP:N`` (``N`` evenly
spaced values, both ends included) or ``KEY=v1,v2,...``. One lever gives a curve of points,
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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ipsim.errors import ScenarioErrors, UsageError
from ipsim.scenario.overrides import apply_overrides, check_key_path, parse_key_path
from ipsim.scenario.params import Scenario
from ipsim.scenario.provenance import mark_overridden
from ipsim.scenario.validate import build
from ipsim.scenario.variants import check_comparable, load_variant_specs, read_source
from ipsim.scenario.yaml_loader import KeyPath

__all__ = ["Lever", "Point", "parse_lever", "parse_balance", "load_points", "MAX_POINTS",
           "MAX_LEVERS"]

MAX_LEVERS = 2
MAX_POINTS = 400
"""At most this many points: the pairwise counts of a sweep grow as points squared."""

_ALLOCATION = ("policy", "allocation")
_INT = re.compile(r"^[+-]?\d[\d_]*$")


@dataclass(frozen=True)
class Lever:
    """A swept key path and its values, in order."""

    key: str
    path: KeyPath
    values: tuple

    @property
    def label(self) -> str:
        """Short name for tables: the last named segment (``risk_pool``)."""
        return next(str(p) for p in reversed(self.path) if isinstance(p, str))


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its lever values, all its overrides and its scenario.

    ``scenario`` is None and ``infeasible`` says why when the point breaks a constraint.
    """

    index: int
    values: tuple
    overrides: Mapping[str, Any]
    scenario: Scenario | None
    infeasible: str = ""

    @property
    def feasible(self) -> bool:
        return self.scenario is not None


def _value(text: str) -> Any:
    """A number (``0.25``, ``1e8``, ``100_000``), ``true``/``false``, or a text."""
    t = text.strip()
    if _INT.match(t):
        return int(t.replace("_", ""))
    try:
        return float(t.replace("_", ""))
    except ValueError:
        pass
    return {"true": True, "false": False}.get(t.lower(), t)


def _range(key: str, spec: str) -> tuple:
    parts = spec.split(":")
    start, stop = (_value(p) for p in parts[:2])
    n = _value(parts[2])
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
               for v in (start, stop)) or not isinstance(n, int) or n < 1:
        raise UsageError(f"--param {key}={spec}: write START:STOP:N with numbers START and "
                         f"STOP and a whole number N >= 1, e.g. {key}=0.1:0.4:7")
    if n == 1 and start != stop:
        raise UsageError(f"--param {key}={spec}: N = 1 needs START = STOP (N counts the "
                         f"values, both ends included)")
    if n > MAX_POINTS:   # before a single value is made
        raise UsageError(f"--param {key}={spec}: {n:,} values; a sweep has at most "
                         f"{MAX_POINTS} points (the pairwise counts grow as points squared)")
    values = [float(round(v, 12)) for v in np.linspace(start, stop, n)]
    if isinstance(start, int) and isinstance(stop, int) and all(v.is_integer() for v in values):
        return tuple(int(v) for v in values)
    return tuple(values)


def parse_lever(text: str) -> Lever:
    """Parse one ``--param`` argument.

    Raises
    ------
    UsageError
        Not ``KEY=...``, a key that is not in the scenario schema (with a did-you-mean), or
        values that are not ``START:STOP:N`` or a list without repeats.
    """
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not sep or not key or not spec:
        raise UsageError(f"--param {text!r}: write KEY=START:STOP:N or KEY=v1,v2,... (e.g. "
                         f"policy.allocation.risk_pool=0.1:0.4:7)")
    path = parse_key_path(key)
    if path is None:
        raise UsageError(f"--param {key}: not a key path (write e.g. "
                         f"policy.allocation.risk_pool or policy.tranches[1].amount)")
    if problem := check_key_path(path):
        raise UsageError(f"--param {key}: {problem}")
    if spec.count(":") == 2:
        values = _range(key, spec)
    elif ":" in spec:
        raise UsageError(f"--param {key}={spec}: a range is START:STOP:N (three parts)")
    else:
        if spec.count(",") >= MAX_POINTS:
            raise UsageError(f"--param {key}: {spec.count(',') + 1:,} values; a sweep has at "
                             f"most {MAX_POINTS} points")
        values = tuple(_value(v) for v in spec.split(","))
        if any(v == "" for v in values):
            raise UsageError(f"--param {key}={spec}: an empty value in the list")
        dup = next((v for i, v in enumerate(values) if v in values[:i]), None)
        if dup is not None:
            raise UsageError(f"--param {key}={spec}: value {dup!r} is given twice")
    return Lever(key, path, values)


def parse_balance(text: str | None, levers: Sequence[Lever]) -> tuple[str, ...]:
    """The allocation shares named by ``--balance`` (``a,b`` or full key paths).

    Raises
    ------
    UsageError
        An unknown share (did-you-mean), a swept share, or no swept allocation share.
    """
    if not text:
        return ()
    names = []
    for item in (s.strip() for s in text.split(",")):
        name = item.removeprefix("policy.allocation.")
        if problem := check_key_path(_ALLOCATION + (name,)):
            raise UsageError(f"--balance {item}: {problem}")
        if any(lv.path == _ALLOCATION + (name,) for lv in levers):
            raise UsageError(f"--balance {item}: is swept; balance with other shares")
        if name in names:
            raise UsageError(f"--balance {item}: given twice")
        names.append(name)
    if not any(lv.path[:2] == _ALLOCATION for lv in levers):
        raise UsageError("--balance: needs a swept share policy.allocation.<lever> whose "
                         "changes it offsets")
    return tuple(names)


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
        return out, f"--balance cannot offset +{delta:.3g}: {', '.join(short)} (< 0)"
    return out, ""


def _assignment(levers: Sequence[Lever], values: tuple) -> str:
    return ", ".join(f"{lv.key}={v}" for lv, v in zip(levers, values, strict=True))


def load_points(path: str | Path, levers: Sequence[Lever], balance: Sequence[str] = ()
                ) -> tuple[Scenario, list[Point]]:
    """The base scenario and every point of the grid of ``levers`` (first lever slowest).

    Raises
    ------
    ScenarioErrors
        The base scenario is invalid.
    UsageError
        Too many levers or points, or a point with a problem other than a constraint.
    """
    if not 1 <= len(levers) <= MAX_LEVERS:
        raise UsageError(f"--param: give one or two levers, got {len(levers)}")
    if len({lv.path for lv in levers}) < len(levers):
        raise UsageError(f"--param {levers[0].key}: given twice")
    n = math.prod(len(lv.values) for lv in levers)
    if n > MAX_POINTS:
        raise UsageError(f"--param: {n} points; at most {MAX_POINTS} (the pairwise counts grow "
                         f"as points squared): use fewer values")
    load_variant_specs(path, select=[])   # the whole file is valid, variants: included
    data, marks, text = read_source(path)
    base = build(data, marks, str(path), text)
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
            raise UsageError(f"--param {_assignment(levers, values)}: {message}")
        raw["description"] = f"{base.name} at {_assignment(levers, values)}"
        try:
            scenario = build(raw, marks, str(path), text)
        except ScenarioErrors as exc:
            bad = [e for e in exc.errors if not e.constraint]
            if bad:
                raise UsageError(f"--param {_assignment(levers, values)}: {bad[0].key_path}: "
                                 f"{bad[0].message}") from None
            points.append(Point(i, values, overrides, None,
                                "; ".join(f"{e.key_path}: {e.message}" for e in exc.errors)))
            continue
        if problem := check_comparable(base, scenario):
            raise UsageError(f"--param {_assignment(levers, values)}: {problem}")
        points.append(Point(i, values, overrides, scenario))
    return base, points
