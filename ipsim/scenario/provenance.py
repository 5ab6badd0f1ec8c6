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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ipsim.errors import did_you_mean
from ipsim.scenario.overrides import check_key_path, parse_key_path
from ipsim.scenario.yaml_loader import dotted

__all__ = ["KINDS", "ENTRY_KEYS", "REQUIRED_KEYS", "TOP_KEYS", "Source", "check", "uncovered",
           "DOC"]

KINDS: tuple[str, ...] = ("fact", "assumption", "derived")
"""Allowed ``kind`` of an entry: published figure, our assumption, computed from facts."""

ENTRY_KEYS: tuple[str, ...] = ("value", "unit", "source", "kind", "note")
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

    def as_dict(self) -> dict:
        """The entry as a JSON-ready mapping (``key`` first)."""
        return {"key": self.key, "value": self.value, "unit": self.unit,
                "source": self.source, "kind": self.kind, "note": self.note}


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
    c : ipsim.scenario.validate._Checker
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
        kind = c.choice(entry["kind"], where + ("kind",), KINDS)
        if fig is None or kind is None or note is None or None in texts.values():
            continue
        out.append(Source(key, fig, texts["unit"], texts["source"], kind, note))
    return tuple(out)


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
