"""The levers' behavioural parameters in the shipped programme scenarios: each is drawn per
path over a documented range, the derived half-spends follow their stated rule, and the
documented finding on the ranking of ``risk-pool-plus`` against the base holds
(docs/model.md, "What decides the ranking of the levers")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ipsim
from ipsim.engines.streams import BLOCK
from ipsim.scenario.params import Distribution
from ipsim.scenario.validate import load_scenario
from ipsim.scenario.variants import variants_of

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
PROGRAMMES = [f for f in sorted(SCENARIOS.glob("*.yaml")) if load_scenario(f).policy.budget]

LEVER_PARAMETERS = {
    "risk_pool": ("pledge.lending_multiple", "pledge.approval_base", "pledge.approval_max",
                  "pledge.loss_share", "pledge.recovery_rate", "pledge.default_rate",
                  "pledge.term_months"),
    "interest_subsidy": ("pledge.interest_max_uplift", "pledge.interest_half_spend"),
    "transfer_subsidy, operation_platforms": ("transfers.max_uplift", "transfers.half_spend",
                                              "turnover.transfer_elasticity"),
    "securitisation_support": ("securitisation.success", "securitisation.supported_months",
                               "securitisation.supported_success",
                               "securitisation.support_half",
                               "securitisation.support_pool_cut"),
}
"""Lever -> the behavioural parameters that decide its effect (docs/model.md)."""

SUBSIDY_RATE = 0.0126
"""Median cost of subsidising a yuan of lending for a year (1/yr): 20-50 % of the 3.8 % LPR,
40 % of the interest on a loan at up to 1.4 LPR (docs/model.md, lever evidence L5, L6)."""
YUAN_PER_DEAL = 5e6 / 6000
"""Transfer-subsidy half-spend per baseline deal (yuan/yr), the key city's 5 million."""


def test_every_programme_scenario_is_checked():
    assert {f.stem for f in PROGRAMMES} >= {"key-city-2020", "shanghai", "xuhui-caohejing",
                                            "yuhang-hangzhou", "zhongguancun-haidian"}


@pytest.mark.parametrize("path", PROGRAMMES, ids=lambda p: p.stem)
def test_lever_parameters_are_ranges_with_a_stated_source(path):
    """Each parameter that decides a lever's effect is a distribution drawn per path, and its
    provenance entry names a source or says that none was found."""
    s = load_scenario(path)
    provenance = {e.key: e for e in s.provenance}
    for names in LEVER_PARAMETERS.values():
        for name in names:
            section, key = name.split(".")
            assert isinstance(s.parameters[section][key], Distribution), name
            entry = provenance[f"parameters.{name}"]
            assert entry.source != "none" or "no published" in entry.note.lower(), name


def _median(d: Distribution) -> float:
    return float(d.frozen().median())


@pytest.mark.parametrize("path", PROGRAMMES, ids=lambda p: p.stem)
def test_derived_half_spends_scale_with_the_place(path):
    """interest_half_spend's median is 3 x the subsidy rate x the baseline lending and
    transfers.half_spend's is 830 yuan a baseline deal, both to two significant figures, so
    that the same money buys the same relative uplift in a place of any size."""
    s = load_scenario(path)
    interest = _median(s.parameters["pledge"]["interest_half_spend"])
    transfers = _median(s.parameters["transfers"]["half_spend"])
    assert interest == pytest.approx(3 * SUBSIDY_RATE * s.baseline["pledge_amount"], rel=0.05)
    assert transfers == pytest.approx(YUAN_PER_DEAL * s.baseline["transfers"], rel=0.05)


def _difference(overrides: dict, paths: int) -> tuple[float, float, float]:
    """risk-pool-plus minus base on pledge amount, the pledge parameters in ``overrides``
    fixed in both, as (difference, low, high) with the paired 95 % interval."""
    base = ipsim.load(SCENARIOS / "key-city-2020.yaml")
    fixed = ipsim.with_overrides(base, overrides, name=base.name) if overrides else base
    variant = next(v for v in variants_of(base) if v.name == "risk-pool-plus")
    table = ipsim.compare(fixed, {"rpp": dict(variant.overrides)}, paths=paths,
                          seed=base.seed).table()
    row = next(r for r in table if r["scenario"] == "rpp" and r["target"] == "pledge_amount")
    return row["diff"], row["diff_ci_low"], row["diff_ci_high"]


@pytest.mark.slow
def test_the_pool_beats_the_subsidies_only_where_both_favour_it():
    """With every parameter drawn, moving 10 points to the pool lowers the pledge odds; with
    the subsidies' response weak and the pool's leverage strong at once (the 5th or 95th
    percentile of six pledge parameters), it raises them. Each difference's paired 95 %
    interval excludes 0 (about 4 and 9 standard errors at these paths)."""
    s = load_scenario(SCENARIOS / "key-city-2020.yaml")
    p = s.parameters["pledge"]

    def at(name, q):
        return float(p[name].from_uniform(np.array([q]), 0.0, np.inf)[0])

    corner = {"interest_max_uplift": at("interest_max_uplift", 0.05),
              "interest_half_spend": at("interest_half_spend", 0.95),
              "lending_multiple": at("lending_multiple", 0.95),
              "approval_max": at("approval_max", 0.95),
              "approval_base": at("approval_base", 0.05),
              "term_months": at("term_months", 0.05)}
    drawn = _difference({}, 2 * BLOCK)
    assert drawn[2] < 0, drawn
    favoured = _difference({f"parameters.pledge.{k}": v for k, v in corner.items()},
                           2 * BLOCK)
    assert favoured[1] > 0, favoured
