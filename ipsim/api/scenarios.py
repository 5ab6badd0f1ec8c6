"""Scenarios for the API: load one (from a file, a mapping or a scenario), change it, list
its variants."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipsim.errors import ArgumentError
from ipsim.scenario.overrides import apply_overrides, check_key_path, parse_key_path
from ipsim.scenario.params import Scenario
from ipsim.scenario.validate import build
from ipsim.scenario.variants import load_runnable as _load_runnable
from ipsim.scenario.variants import variants_of
from ipsim.scenario.yaml_loader import Marks

__all__ = ["ScenarioLike", "load", "load_runnable", "with_overrides", "variants"]

ScenarioLike = Scenario | str | Path | Mapping[str, Any]
"""A scenario, a scenario file's path, or a scenario as a mapping (as its YAML would load)."""


def load(source: ScenarioLike) -> Scenario:
    """A validated scenario from a file, from a mapping, or as it is.

    Parameters
    ----------
    source : Scenario, str, pathlib.Path or mapping
        A scenario file (YAML: numbers may be written ``1.5e8`` or ``150_000_000``), the
        mapping such a file holds, or a scenario already loaded.

    Raises
    ------
    ScenarioErrors
        Every problem found, each naming the key path (and, for a file, the line).
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        text = json.dumps(source, sort_keys=True, default=str)
        return build(copy.deepcopy(dict(source)), Marks({}), "<mapping>", text)
    from ipsim.scenario.validate import load_scenario

    return load_scenario(source)


def load_runnable(path: str | Path) -> Scenario:
    """The scenario of a scenario file, or the variant of a variant file (one that names its
    ``base:``, as ``ipsim calibrate`` writes), validated: what :func:`run` accepts from a file.
    """
    return _load_runnable(path)


def with_overrides(scenario: ScenarioLike, overrides: Mapping[str, Any], *,
                   name: str | None = None, description: str | None = None) -> Scenario:
    """A copy of ``scenario`` with values replaced by dotted key path, validated again.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario to start from.
    overrides : mapping
        Key path -> new value, as in a ``variants:`` section
        (``{"policy.allocation.risk_pool": 0.35}``, ``{"targets[0].threshold": 0.15}``).
    name, description : str, optional
        The new scenario's name (default ``<name>+overrides``) and description.

    Raises
    ------
    ArgumentError
        A key path that is not in the scenario schema (argument ``overrides``).
    ScenarioErrors
        The overridden scenario breaks a rule (a share above 1, shares summing above 1).
    """
    base = load(scenario)
    parsed = {}
    for key, value in overrides.items():
        path = parse_key_path(key)
        if path is None:
            raise ArgumentError("overrides", "not a key path (write e.g. "
                                "policy.allocation.risk_pool)", value=repr(key))
        if problem := check_key_path(path):
            raise ArgumentError("overrides", problem, value=key)
        parsed[path] = value
    data, problems = apply_overrides(base.raw or {}, parsed)
    if problems:
        path, message = next(iter(problems.items()))
        raise ArgumentError("overrides", message, value=".".join(map(str, path)))
    data["name"] = name or f"{base.name}+overrides"
    if description is not None:
        data["description"] = description
    return build(data, base.marks or Marks({}), base.file, base.text)


def variants(scenario: ScenarioLike) -> dict[str, Scenario]:
    """The variants of the scenario's ``variants:`` section, by name, validated."""
    return {v.name: v.scenario for v in variants_of(load(scenario))}
