"""The ``provenance:`` section of a scenario: where each input figure comes from.

One entry per key path of the scenario (``baseline.transfers``,
``parameters.pledge.default_rate``, ``policy.budget``, ``targets[0].threshold``)::

    provenance:
      baseline.pledge_amount:
        value: 1.5e9
        unit: yuan/yr
        source: data/national-facts.md (national 151.5 bn, 2019)
        kind: assumption
        note: sized as about 1 % of the national amount

``kind`` says whether the figure is a published ``fact``, an ``assumption`` of ours, or
``derived`` (computed from published figures). Provenance does not change the model: it is
checked here (key paths against :mod:`ipsim.scenario.schema`, with a did-you-mean), carried
on the :class:`~ipsim.scenario.params.Scenario` and written into ``summary.json``.
:func:`uncovered` lists the figures a file sets that have no entry (the shipped scenarios
must have none).

An entry must agree with the figure it documents: a number with the number in the file, a
text written like a distribution (``normal(0.10, 0.04)``) with the file's distribution;
``provenance says 0.1, the file says 0.3`` is a warning (``Scenario.warnings``, printed by
every command that reads the file, and kept in the entry's note; other texts are free).
When a variant, a sweep point or a calibration overrides a documented figure,
:func:`mark_overridden` replaces its entry by one that describes the new value and says who
set it (``overridden_by``), so that no result shows the base's value and source for a
figure the base no longer decides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ipsim.errors import did_you_mean
from ipsim.scenario.overrides import check_key_path, parse_key_path
from ipsim.scenario.params import DISTRIBUTIONS
from ipsim.scenario.yaml_loader import KeyPath, dotted

__all__ = ["KINDS", "ENTRY_KEYS", "REQUIRED_KEYS", "TOP_KEYS", "Source", "check", "uncovered",
           "mark_overridden", "DOC"]

KINDS: tuple[str, ...] = ("fact", "assumption", "derived")
"""Allowed ``kind`` of an entry: published figure, our assumption, computed from facts."""

ENTRY_KEYS: tuple[str, ...] = ("value", "unit", "source", "kind", "note", "overridden_by")
REQUIRED_KEYS: tuple[str, ...] = ("value", "unit", "source", "kind")

TOP_KEYS: tuple[str, ...] = ("baseline", "parameters", "shocks", "correlations", "policy",
                             "targets", "horizon_months", "start_year")
"""Top-level keys whose figures a provenance entry may document."""

DOC = [
    "Optional: where each input figure comes from. One entry per key path (as in "
    "`variants:` overrides, e.g. `baseline.transfers`, `parameters.pledge.default_rate`, "
    "`policy.budget`, `targets[0].threshold`; under " + ", ".join(f"`{k}`" for k in TOP_KEYS)
    + "), each a mapping with:",
    "",
    "| key | required | meaning |",
    "|---|---|---|",
    "| `value` | required | the figure as written in the file, or a short text |",
    "| `unit` | required | its unit (`yuan/yr`, `fraction`, `-` for none) |",
    "| `source` | required | a seed (`seed 002`) or a publication (publisher, title, date) |",
    "| `kind` | required | " + ", ".join(f"`{k}`" for k in KINDS) + " (published figure, "
    "our assumption, computed from published figures) |",
    "| `note` | default `''` | how the figure was obtained, or what is missing |",
    "| `overridden_by` | default `''` | written by ipsim: the variant (or sweep point, or "
    "calibration) that overrides the figure; the entry then describes the new value |",
    "",
    "A `value` must agree with the figure in the file: a number with the number (`value: "
    "0.1` for `default_rate: 0.3` gives the warning \"provenance says 0.1, the file says "
    "0.3\", printed by every command that reads the file and kept in the entry's note), "
    "a text written as a distribution, `normal(0.10, 0.04)` (arguments in the order of the "
    "table of distributions), with the distribution; any other text is not checked.",
    "",
    "Provenance does not change the results; it is copied into `summary.json` (key "
    "`provenance`). Every scenario shipped in `scenarios/` has an entry for every baseline "
    "figure, shock loading, correlation and parameter it sets.",
]


@dataclass(frozen=True)
class Source:
    """Where one input figure comes from.

    ``key`` is the dotted key path, ``value`` the figure as written (a number or a text),
    ``kind`` one of :data:`KINDS`.
    """

    key: str
    value: float | str
    unit: str
    source: str
    kind: str
    note: str = ""
    overridden_by: str = ""

    def as_dict(self) -> dict:
        """The entry as a JSON-ready mapping (``key`` first; ``overridden_by`` if set)."""
        out = {"key": self.key, "value": self.value, "unit": self.unit,
               "source": self.source, "kind": self.kind, "note": self.note}
        return {**out, "overridden_by": self.overridden_by} if self.overridden_by else out


def _key_problem(text: str, data: Mapping) -> str:
    """Why ``text`` is not a documentable key path of ``data`` (``""`` if it is one)."""
    path = parse_key_path(text)
    if path is None:
        return ("not a key path; write dotted keys with list items by index, e.g. "
                "baseline.transfers or targets[0].threshold")
    if path[0] not in TOP_KEYS:
        return (f"unknown key '{path[0]}'{did_you_mean(str(path[0]), TOP_KEYS)}; provenance "
                f"documents keys under: {', '.join(TOP_KEYS)}")
    problem = check_key_path(path)
    if problem:
        return problem
    node: Any = data
    for j, key in enumerate(path):
        if isinstance(key, int):
            size = len(node) if isinstance(node, list) else 0
            if key >= size:
                return (f"no item [{key}]: '{dotted(path[:j])}' has {size} item(s) "
                        f"(indices from 0)")
            node = node[key]
        else:
            node = node.get(key) if isinstance(node, Mapping) else None
    return ""


def check(c, value: Any, path: tuple, data: Mapping) -> tuple[Source, ...]:
    """Check the raw ``provenance:`` mapping and return its entries.

    Parameters
    ----------
    c : ipsim.scenario.checker.Checker
        Collects the problems (file, line, column, key path, message).
    value : object
        The raw section (absent: an empty mapping).
    path : tuple
        Its key path, ``("provenance",)``.
    data : mapping
        The whole raw scenario, to check that list items named by index exist.
    """
    section = c.mapping(value, path, allowed=_AnyKey())
    if not section:
        return ()
    out = []
    for key, raw in section.items():
        where = path + (key,)
        problem = _key_problem(key, data) if isinstance(key, str) else "must be a key path"
        if problem:
            c.error(where, problem)
            continue
        entry = c.mapping(raw, where, ENTRY_KEYS, REQUIRED_KEYS)
        if entry is None or any(k not in entry for k in REQUIRED_KEYS):
            continue
        fig = entry["value"]
        if isinstance(fig, bool) or not isinstance(fig, int | float | str) or fig == "":
            c.error(where + ("value",), f"must be a number or a short text, got {fig!r}")
            fig = None
        texts = {k: c.string(entry[k], where + (k,)) for k in ("unit", "source")}
        note = c.string(entry["note"], where + ("note",)) if "note" in entry else ""
        by = c.string(entry["overridden_by"], where + ("overridden_by",)) \
            if "overridden_by" in entry else ""
        kind = c.choice(entry["kind"], where + ("kind",), KINDS)
        if fig is None or kind is None or note is None or by is None \
                or None in texts.values():
            continue
        if _failed(c, key):
            continue   # the figure itself is invalid: already said
        if problem := _contradiction(fig, _figure(data, parse_key_path(key))):
            c.warn(where + ("value",), problem)
            note = f"{note} (warning: {problem})" if note else f"warning: {problem}"
        out.append(Source(key, fig, texts["unit"], texts["source"], kind, note, by))
    return tuple(out)


def _failed(c, key: str) -> bool:
    """Whether the checker already reported a problem at ``key`` or inside it."""
    return any(e.key_path == key or e.key_path.startswith((key + ".", key + "["))
               for e in c.errors)


_MISSING = object()
_DIST_TEXT = re.compile(r"^\s*([a-z]+)\s*\((.*)\)\s*$")


def _figure(data: Any, path: KeyPath) -> Any:
    """The value at ``path`` in the raw ``data`` (:data:`_MISSING` if absent)."""
    node = data
    for key in path:
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                return _MISSING
            node = node[key]
        elif isinstance(node, Mapping) and key in node:
            node = node[key]
        else:
            return _MISSING
    return node


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _dist_text(dist: Mapping) -> str | None:
    """``normal(0.1, 0.05)`` for a raw distribution mapping (None if it is not one)."""
    kind = dist.get("dist")
    if kind not in DISTRIBUTIONS:
        return None
    args = [dist[n] for n in DISTRIBUTIONS[kind] if n in dist]
    if not all(_number(a) for a in args):
        return None
    return f"{kind}({', '.join(f'{a:g}' for a in args)})"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _as_written(written: Decimal, actual: float) -> bool:
    """Whether ``actual`` rounds to ``written`` at the digits written (``0.10`` stands for
    anything in [0.095, 0.105])."""
    half = Decimal(1).scaleb(written.as_tuple().exponent) / 2
    return abs(Decimal(repr(float(actual))) - written) <= half * (1 + Decimal("1e-9"))


def _contradiction(value: float | str, figure: Any) -> str:
    """Why entry ``value`` contradicts the ``figure`` it documents (``""`` if it does not)."""
    if figure is _MISSING or figure is None:
        return ""
    shown = _dist_text(figure) if isinstance(figure, Mapping) else figure
    if _number(value):
        if _number(figure) and not _close(value, figure):
            return f"provenance says {value:g}, the file says {figure:g}"
        if isinstance(figure, Mapping) and shown:
            return f"provenance says {value:g}, the file says {shown}"
        return ""
    m = _DIST_TEXT.match(value) if isinstance(value, str) else None
    if not m or m[1] not in DISTRIBUTIONS:
        return ""    # free text: not checked
    try:
        args = [Decimal(a.strip().replace("_", "")) for a in m[2].split(",")]
    except ArithmeticError:
        return ""
    if not all(a.is_finite() for a in args):
        return ""
    if _number(figure):
        return f"provenance says {value.strip()}, the file says {figure:g}"
    if not isinstance(figure, Mapping) or shown is None:
        return ""
    names = DISTRIBUTIONS[m[1]]
    same = figure.get("dist") == m[1] and len(args) <= len(names) and all(
        n in figure and _as_written(a, figure[n]) for a, n in zip(args, names, strict=False))
    return "" if same else f"provenance says {value.strip()}, the file says {shown}"


def mark_overridden(data: dict, paths: Iterable[KeyPath], by: str) -> None:
    """Replace, in the overridden raw ``data``, each provenance entry that documents a
    figure one of ``paths`` overrides (the key itself, one inside it, or one around it) by
    an entry that describes the new value, with ``source`` and ``overridden_by`` ``by``
    (e.g. ``"variant 'bigger-pool'"``)."""
    section = data.get("provenance")
    paths = [tuple(p) for p in paths]
    if not isinstance(section, Mapping) or not paths:
        return
    out = {}
    for key, entry in section.items():
        kp = parse_key_path(key) if isinstance(key, str) else None
        if kp is None or not isinstance(entry, Mapping) or not any(
                kp[:len(p)] == p or p[:len(kp)] == kp for p in paths):
            out[key] = entry
            continue
        figure = _figure(data, kp)
        value = figure if _number(figure) else (
            _dist_text(figure) if isinstance(figure, Mapping) else None) or "overridden"
        unit = entry.get("unit") if isinstance(entry.get("unit"), str) and entry.get("unit") \
            else "-"
        out[key] = {"value": value, "unit": unit, "source": by, "kind": "assumption",
                    "note": f"set by {by}; the base scenario's entry does not apply",
                    "overridden_by": by}
    data["provenance"] = out


class _AnyKey(tuple):
    """Accepts every key in :meth:`_Checker.mapping` (key paths are checked one by one)."""

    def __contains__(self, item: object) -> bool:
        return True


def uncovered(data: Mapping, sources: tuple[Source, ...]) -> list[str]:
    """Key paths of figures ``data`` sets with no provenance entry.

    A figure is every key under ``baseline:``, ``shocks:`` and ``correlations:``, every
    parameter under ``parameters:`` and ``policy.budget``; an entry covers it if it names
    the key itself or a key inside it (``parameters.pledge.growth.sd`` covers
    ``parameters.pledge.growth``).
    """
    wanted = [f"baseline.{k}" for k in data.get("baseline") or {}]
    wanted += [f"shocks.{k}" for k in data.get("shocks") or {}]
    wanted += [f"parameters.{s}.{k}" for s, ps in (data.get("parameters") or {}).items()
               for k in (ps or {})]
    wanted += [f"correlations.{k}" for k in data.get("correlations") or {}]
    if "budget" in (data.get("policy") or {}):
        wanted.append("policy.budget")
    keys = [s.key for s in sources]
    return [w for w in wanted
            if not any(k == w or k.startswith(w + ".") for k in keys)]
