"""The registry and the measure table are the one place: a toy mechanism and a toy measure,
registered in a test, work everywhere (schema, both engines, targets, the gate, outputs)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import ipsim
from ipsim.errors import ModelError, ScenarioErrors
from ipsim.model import measures, registry
from ipsim.model.mechanism import Mechanism
from ipsim.scenario.reference import render_markdown
from tests.compare_helpers import default_data
from tests.model import toy

SPEND = 1.2e7           # yuan to the toy's lever over 36 months, paid at month 0
BASELINE = 600.0        # policies in year 0
GROWTH = 0.10


@pytest.fixture
def insurance():
    """The toy mechanism, registered after every shipped mechanism for the test."""
    with registry.registered(toy.TOY):
        yield toy.TOY


def _toy_scenario(**target) -> dict:
    """The default scenario with one tranche, no gate, the toy's baseline, parameters (no
    shocks) and lever, and one target on its indicator."""
    data = default_data()
    data["name"] = "toy"
    data.pop("provenance", None)
    data["policy"]["tranches"] = [{"month": 0, "amount": 1.2e8}]
    data["policy"].pop("midterm", None)
    data["policy"]["allocation"] = {"insurance": SPEND / 1.2e8, "navigation": 0.1}
    data["baseline"]["insurance_policies"] = BASELINE
    data["parameters"]["insurance"] = {"growth": GROWTH, "volatility": 0.0, "unit_cost": 1e4,
                                       "reserve_share": 0.5}
    data["targets"] = [{"id": "insured", "indicator": "insurance_policies",
                        "measure": "cagr", "threshold": 0.2, **target}]
    return data


def test_toy_is_in_the_schema_and_its_keys_are_checked(insurance):
    """Its section, baseline figure, lever, shock series and indicators are in the schema
    (and the generated reference); a misspelt key of its section is refused by name."""
    text = render_markdown()
    for word in ("parameters.insurance", "`insurance_policies`", "`insurance_reserve`",
                 "- `insurance`"):
        assert word in text
    data = _toy_scenario()
    data["parameters"]["insurance"]["unit_cots"] = 1.0
    with pytest.raises(ScenarioErrors, match="did you mean 'unit_cost'"):
        ipsim.load(data)


def _expected_yearly(years: int = 3) -> np.ndarray:
    """E[policies in year k] = the trend's exact year-k total plus what the spending buys."""
    k = np.arange(1, years + 1)
    return BASELINE * (1 + GROWTH) ** k + SPEND / years / 1e4


@pytest.mark.parametrize("engine, paths", [("vectorised", 8192), ("des", 96)])
def test_toy_runs_in_both_engines_with_its_closed_form(insurance, engine, paths):
    """Both engines step the toy: yearly policies have the closed-form mean (Poisson, within
    4 standard errors), the reserve stock is recorded at year ends exactly, and its target's
    probability is the share of paths whose measured cagr beats it."""
    s = ipsim.load(_toy_scenario())
    r = ipsim.run(s, paths=paths, engine=engine, seed=5)
    yearly = r.paths.yearly["insurance_policies"]
    expected = _expected_yearly()
    se = np.sqrt(expected / paths)
    np.testing.assert_array_less(np.abs(yearly[:, 1:].mean(axis=0) - expected), 4 * se)
    reserve = r.paths.yearly["insurance_reserve"]
    np.testing.assert_allclose(reserve[:, 1:],
                               np.broadcast_to(0.5 * SPEND * np.arange(1, 4) / 3, (paths, 3)),
                               rtol=1e-9)
    met = r.measures()["insured"] > 0.2
    assert r.target("insured").attainment.k == int(met.sum())
    assert "insurance" in r.paths.shocks


def test_toy_shows_in_the_outputs(insurance, tmp_path):
    """The written summary, indicator table and fan chart carry the toy's indicator."""
    r = ipsim.run(ipsim.load(_toy_scenario()), paths=4096, seed=1)
    r.write(tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["targets"][0]["indicator"] == "insurance_policies"
    table = (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8")
    assert "insurance_policies" in table and "insurance_reserve" in table
    assert (tmp_path / "out" / "fan_insurance_policies.png").is_file()


def test_gate_judges_the_toy_indicator(insurance):
    """A mid-term gate at month 12 on the toy's growth target opens exactly on the paths whose
    year-1 policies grew by at least the threshold over the baseline."""
    data = _toy_scenario()
    data["parameters"]["insurance"]["volatility"] = 0.2
    data["policy"]["tranches"] = [{"month": 0, "amount": 6e7},
                                  {"month": 12, "amount": 6e7, "conditional": True}]
    data["policy"]["midterm"] = {"month": 12, "rule": "on_track", "targets": ["insured"],
                                 "min_on_track": 1}
    r = ipsim.run(ipsim.load(data), paths=4096, seed=2)
    year1 = r.paths.yearly["insurance_policies"][:, 1]
    on_pace = year1 / BASELINE - 1 >= 0.2
    assert 0 < on_pace.sum() < on_pace.size
    np.testing.assert_array_equal(r.paths.released, on_pace)


def test_toy_measure_in_a_target_the_gate_and_the_fan_chart(tmp_path):
    """A measure registered in a test is a target's measure (validated), the gate judges it by
    its own rule, and the run draws its fan chart against its implied path."""
    data = default_data()
    data["name"] = "peak"
    data.pop("provenance", None)
    data["targets"] = [{"id": "peak", "indicator": "transfers", "measure": "peak",
                        "threshold": 7500}]
    data["policy"]["midterm"] = {"month": 12, "rule": "on_track", "targets": ["peak"],
                                 "min_on_track": 1, "tolerance": 0.9}
    with pytest.raises(ScenarioErrors, match="unknown value 'peak'"):
        ipsim.load(data)
    with measures.registered(toy.PEAK):
        r = ipsim.run(ipsim.load(data), paths=4096, seed=3)
        yearly = r.paths.yearly["transfers"]
        assert r.target("peak").attainment.k == int((yearly[:, 1:].max(axis=1) > 7500).sum())
        np.testing.assert_array_equal(r.paths.released, yearly[:, 1] >= 0.9 * 7500)
        r.write(tmp_path / "out")
    assert (tmp_path / "out" / "fan_transfers.png").is_file()


def test_undeclared_state_is_an_error():
    """A mechanism that reads state it did not declare stops the run naming it and the
    array; the registry refuses a read that no earlier mechanism owns."""
    def sneaky_step(state, p, month):
        return {"insurance_policies": state.balance * 0.0}   # reads pledge's book, undeclared

    bad = Mechanism(**{**vars(toy.TOY), "step": sneaky_step})
    with registry.registered(bad):
        with pytest.raises(ModelError, match="'insurance' reads undeclared state 'balance'"):
            ipsim.run(ipsim.load(_toy_scenario()), paths=64)
    late = Mechanism(**{**vars(toy.TOY), "reads": ("stock", "structuring")})
    with pytest.raises(ValueError, match="owned by no earlier mechanism"):
        registry.register(late, after="patents")
    assert "insurance" not in [m.name for m in registry.mechanisms()]
