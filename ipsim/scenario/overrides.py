"""Override a scenario's raw data by dotted key path, checked against the schema.

A key path names one key of a scenario: dotted, with list items by index from 0
(``policy.allocation.risk_pool``, ``policy.tranches[1].amount``,
``parameters.pledge.growth.sd`` for one argument of a distribution), and one correlation as
``correlations.pledge.growth~pledge.default_rate`` (the pair is one key). :func:`check_key_path`
says why a path is not in :mod:`ipsim.scenario.schema` (with a did-you-mean);
:func:`apply_overrides` sets values on a copy of the raw data, to be validated by
:func:`ipsim.scenario.validate.build` like any scenario.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ipsim.errors import did_you_mean
from ipsim.model import uncertainty
from ipsim.scenario import schema
from ipsim.scenario.params import DISTRIBUTIONS
from ipsim.scenario.yaml_loader import KeyPath, Marks, dotted

__all__ = ["parse_key_path", "check_key_path", "apply_overrides", "moved_marks", "FIXED_KEYS"]

FIXED_KEYS = {
    "name": "a variant's name is its key in variants: (or its file's name:)",
    "seed": "every variant of a comparison runs on the comparison's one seed",
    "variants": "a variant cannot hold variants",
    "provenance": "a variant's inputs are documented in its base's provenance: section",
}
_DIST_ARGS = tuple(dict.fromkeys(("dist",) + tuple(a for v in DISTRIBUTIONS.values()
                                                   for a in v)))
_CORRELATIONS = "correlations"
_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


def parse_key_path(text: str) -> KeyPath | None:
    """``"policy.tranches[1].amount"`` -> ``("policy", "tranches", 1, "amount")``; None if
    ``text`` is not a key path."""
    if not isinstance(text, str) or not text:
        return None
    if text.startswith(_CORRELATIONS + "."):    # correlations.<a>~<b>: one key, dots and all
        pair = uncertainty.pair_of(text[len(_CORRELATIONS) + 1:])
        return None if pair is None else (_CORRELATIONS, f"{pair[0]}~{pair[1]}")
    out: list[str | int] = []
    for part in text.split("."):
        m = _SEGMENT.fullmatch(part)
        if not m:
            return None
        out.append(m.group(1))
        out += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    return tuple(out)


def check_key_path(path: KeyPath) -> str:
    """Why ``path`` is not a key of the scenario schema (``""`` if it is one)."""
    fields: Sequence[schema.Field] = schema.top()
    i = 0
    while True:
        key = path[i]
        names = [f.name for f in fields]
        if key not in names:
            where = f" under '{dotted(path[:i])}'" if i else ""
            return (f"unknown key '{key}'{where}{did_you_mean(str(key), names)}; allowed: "
                    f"{', '.join(names)}")
        if i == 0 and key in FIXED_KEYS:
            return f"cannot be overridden: {FIXED_KEYS[key]}"
        f = next(f for f in fields if f.name == key)
        rest = path[i + 1:]
        if not rest:
            return ""
        if f.kind == "correlations":
            return _correlation(rest)
        if f.kind == "map":
            fields, i = f.fields, i + 1
            continue
        if f.kind in ("list", "ids"):
            if not isinstance(rest[0], int):
                return f"'{dotted(path[:i + 1])}' is a list: give an index, e.g. " \
                       f"{dotted(path[:i + 1])}[0]"
            if f.kind == "ids" or len(rest) == 1:
                return "" if len(rest) == 1 else f"'{dotted(path[:i + 2])}' has no keys"
            fields, i = f.fields, i + 2
            continue
        choices = {"shares": f.choices,
                   "baseline": [p.name for p in schema.baseline()]}.get(f.kind)
        if choices is not None:
            return _leaf(path, i + 1, choices)
        if f.kind == "params" and f.name == "shocks":
            return _param(path, i + 1, [p.name for p in schema.shock_params()])
        if f.kind == "params":
            sections = schema.sections()
            problem = _leaf(path, i + 1, list(sections), leaf=False)
            if problem or len(path) == i + 2:
                return problem
            return _param(path, i + 2, [p.name for p in sections[path[i + 1]]])
        return f"'{dotted(path[:i + 1])}' is a {f.kind}; it has no key '{rest[0]}'"


def _correlation(rest: KeyPath) -> str:
    """Why ``rest`` (after ``correlations``) is not one pair ``a~b`` of known parameters."""
    from ipsim.scenario.correlations import order

    pair = uncertainty.pair_of(rest[0]) if len(rest) == 1 else None
    if pair is None:
        return ("a correlation is one key 'correlations.<a>~<b>', e.g. "
                "correlations.pledge.growth~pledge.default_rate")
    known = order()
    for name in pair:
        if name not in known:
            return f"unknown parameter '{name}'{did_you_mean(name, known)} (write section.name)"
    return ""


def _leaf(path: KeyPath, i: int, choices, leaf: bool = True) -> str:
    key = path[i]
    if key not in choices:
        return (f"unknown key '{key}' under '{dotted(path[:i])}'{did_you_mean(str(key), choices)}"
                f"; allowed: {', '.join(choices)}")
    if leaf and len(path) > i + 1:
        return f"'{dotted(path[:i + 1])}' is a number; it has no key '{path[i + 1]}'"
    return ""


def _param(path: KeyPath, i: int, names) -> str:
    """A parameter, or one argument of its distribution (``parameters.pledge.growth.sd``)."""
    problem = _leaf(path, i, names, leaf=False)
    if problem or len(path) == i + 1:
        return problem
    return _leaf(path, i + 1, _DIST_ARGS)


def apply_overrides(data: Mapping, overrides: Mapping[KeyPath, Any]) -> tuple[dict, dict]:
    """A deep copy of ``data`` with each override set, and the problems found.

    Missing mappings on the way are created (``policy.midterm.rule`` in a base without a
    mid-term rule); list items must exist.

    Returns
    -------
    data : dict
        The overridden copy (without ``variants``).
    problems : dict
        Key path -> message, for overrides that cannot be applied.
    """
    out = copy.deepcopy({k: v for k, v in data.items() if k != "variants"})
    problems = {}
    for path, value in overrides.items():
        if path[0] == _CORRELATIONS and len(path) == 2:
            _set_pair(out, path, value, problems)
            continue
        node: Any = out
        for j, key in enumerate(path[:-1]):
            nxt = path[j + 1]
            if isinstance(key, int):
                child = node[key] if key < len(node) else None
            else:
                if key not in node:
                    node[key] = {}
                child = node[key]
            if isinstance(nxt, int):
                if not isinstance(child, list) or nxt >= len(child):
                    size = len(child) if isinstance(child, list) else 0
                    problems[path] = (f"no item [{nxt}]: the base's '{dotted(path[:j + 1])}' "
                                      f"has {size} item(s) (indices from 0)")
                    break
            elif not isinstance(child, dict):
                problems[path] = (f"the base's '{dotted(path[:j + 1])}' is {child!r}, not a "
                                  f"mapping; override it whole")
                break
            node = child
        else:
            node[path[-1]] = copy.deepcopy(value)
    return out, problems


def _set_pair(out: dict, path: KeyPath, value: Any, problems: dict) -> None:
    """Set one correlation, replacing the base's entry for the same pair however it is
    spelled (either order, spaces around ``~``)."""
    section = out.setdefault(_CORRELATIONS, {})
    if not isinstance(section, dict):
        problems[path] = f"the base's '{_CORRELATIONS}' is {section!r}, not a mapping"
        return
    pair = set(uncertainty.pair_of(path[1]) or ())
    for key in [k for k in section if set(uncertainty.pair_of(k) or ()) == pair]:
        del section[key]
    section[path[1]] = copy.deepcopy(value)


def moved_marks(marks: Marks, anchor: KeyPath, parsed: Mapping[str, KeyPath]) -> Marks:
    """The base's marks, with each overridden key pointing at its override's line."""
    positions = dict(marks.positions)
    for key, path in parsed.items():
        for p in [p for p in positions if p[:len(path)] == path]:
            del positions[p]
        src = anchor + (key,)
        positions.update({path + p[len(src):]: pos for p, pos in marks.positions.items()
                          if p[:len(src)] == src})
    return Marks(positions)
