"""Scenarios made from a base scenario and overrides, in memory.

A calibration is written as a variant file (:func:`ipsim.scenario.variants.write_variant_file`):
``base:`` the scenario it started from, ``overrides:`` dotted key paths set to the estimates (a
distribution is a mapping such as ``{dist: normal, mean: 0.1, sd: 0.03}``), and a comment
header that records the history file, its SHA-256, the estimates and what the data could not
identify. ``ipsim run`` and ``ipsim compare`` read it like any variant file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipsim.errors import ArgumentError, ScenarioError, ScenarioErrors
from ipsim.model import registry
from ipsim.scenario.overrides import apply_overrides, check_key_path, parse_key_path
from ipsim.scenario.params import Scenario
from ipsim.scenario.provenance import mark_overridden
from ipsim.scenario.validate import build
from ipsim.scenario.variants import load_variant_specs
from ipsim.scenario.yaml_loader import Marks, load_yaml, read_text

__all__ = ["Base", "load_base", "PROGRAMME_OFF", "short_run"]

PROGRAMME_OFF: dict[str, Any] = {
    **{f"policy.allocation.{lever.name}": 0.0 for lever in registry.levers()},
    "baseline.risk_pool": 0,
}
"""Overrides that switch a programme off: nothing allocated to any lever (the funds arrive
but are not spent, so no spending effect, no pool and no programme outputs), and no pool at
the start; the model's state before a programme, for fitting and backtesting a history from
before it. A scenario with no programme (``policy.budget: 0``, ``tranches: []``) is already
in that state; these overrides leave it so."""


def short_run(months: int, budget: float) -> dict[str, Any]:
    """Overrides for a run of ``months`` months with the programme off: the whole ``budget``
    (yuan) paid at the start, unconditionally and unspent (no tranche at all when the budget
    is 0, a scenario with no programme), no mid-term gate, and one neutral target (the base's
    tranches, gate and targets may refer to months beyond ``months``; none matters to a
    calibration or a backtest, which read the indicators only)."""
    tranches = [{"month": 0, "amount": budget}] if budget > 0 else []
    return {**PROGRAMME_OFF, "horizon_months": months, "policy.midterm": None,
            "policy.tranches": tranches,
            "targets": [{"id": "none", "indicator": "transfers", "measure": "final",
                         "op": ">", "threshold": 0}]}


class Base:
    """A scenario file's raw data, to build scenarios from it with overrides.

    Parameters
    ----------
    path : str or pathlib.Path
        A scenario file (not a variant file).

    Raises
    ------
    ScenarioErrors
        The file is not a valid scenario.
    UsageError
        It is a variant file.
    """

    def __init__(self, path: str | Path):
        self.file = str(path)
        try:
            self.text = read_text(path)
            self.data, self.marks = load_yaml(path, self.text)
        except ScenarioError as exc:
            raise ScenarioErrors([exc]) from None
        if isinstance(self.data, Mapping) and "base" in self.data:
            raise ArgumentError("scenario", "is a variant file (it names its base:); give the "
                                "scenario file itself", value=str(path))
        self.scenario = build(self.data, self.marks, self.file, self.text)
        load_variant_specs(path, select=[])   # the whole file is valid, variants: included

    def with_overrides(self, overrides: Mapping[str, Any], name: str | None = None
                       ) -> Scenario:
        """The base with ``overrides`` (dotted key path -> value; ``None`` removes the key)
        applied and validated."""
        parsed, removed = {}, []
        for key, value in overrides.items():
            path = parse_key_path(key)
            if path is None or check_key_path(path):
                raise ValueError(f"bad override key {key!r}: {check_key_path(path or ())}")
            if value is None:
                removed.append(path)
            else:
                parsed[path] = value
        data, problems = apply_overrides(self.data, parsed)
        if problems:
            raise ValueError(f"overrides cannot be applied: {problems}")
        mark_overridden(data, [*parsed, *removed], f"calibration {name}" if name else
                        "calibration")
        for path in removed:
            node = data
            for key in path[:-1]:
                node = node.get(key, {}) if isinstance(node, dict) else {}
            if isinstance(node, dict):
                node.pop(path[-1], None)
        if name:
            data["name"] = name
        return build(data, Marks({}), self.file, self.text)


def load_base(path: str | Path) -> Base:
    """:class:`Base` of a scenario file."""
    return Base(path)
