"""Scenario files for the tests of variants and ``ipsim compare`` (written to a tmp folder).

``no_drain`` is the default scenario with pledge defaults switched off (``default_rate`` 0:
nothing drains the risk-compensation pool) and 10 % of each tranche left unallocated, so a
variant can give the pool more without taking from any other lever.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ipsim.scenario.yaml_loader import load_yaml

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios" / "key-city-2020.yaml"

NO_DRAIN_VARIANTS = {
    "same": {"description": "the base again, by an override that changes nothing",
             "overrides": {"policy.allocation.risk_pool": 0.15}},
    "pool-plus": {"description": "risk pool 15 -> 25 %, from the unallocated reserve",
                  "overrides": {"policy.allocation.risk_pool": 0.25}},
}


def default_data() -> dict:
    """The default scenario's raw data, without its variants."""
    data, _ = load_yaml(DEFAULT)
    data.pop("variants", None)
    return data


def write_scenario(folder: Path, data: dict, name: str = "scenario.yaml") -> Path:
    """Write raw scenario data as YAML; returns the path."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def no_drain(folder: Path, variants: dict | None = None, name: str = "no-drain.yaml") -> Path:
    """The no-drain test scenario with ``variants`` (default :data:`NO_DRAIN_VARIANTS`)."""
    data = default_data()
    data["name"] = "no-drain"
    data["parameters"]["pledge"]["default_rate"] = 0.0
    data["policy"]["allocation"]["risk_pool"] = 0.15
    data["variants"] = NO_DRAIN_VARIANTS if variants is None else variants
    return write_scenario(folder, data, name)
