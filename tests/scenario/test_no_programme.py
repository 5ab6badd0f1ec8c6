"""A scenario with no programme: budget 0 and no tranches (national or counterfactual)."""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.errors import ScenarioErrors
from ipsim.study import pipeline


def _no_programme(data: dict) -> None:
    data["policy"] = {"budget": 0, "tranches": [], "allocation": {}}


def test_budget_zero_without_tranches_runs_and_pays_nothing(make_scenario):
    """No money arrives on any path: funds received and the risk pool stay at zero."""
    s = make_scenario(_no_programme)
    assert s.policy.budget == 0 and s.policy.tranches == ()
    res = pipeline.run([s], 600, 5, keep_paths=600).base
    kept = res.paths()
    assert np.all(kept.yearly["funds_received"] == 0)
    assert np.all(kept.yearly["risk_pool"] == 0)


def test_budget_without_tranches_is_an_error(make_scenario):
    """A positive budget with an empty tranche list is refused (the money would never come)."""
    with pytest.raises(ScenarioErrors, match="no tranches pay the budget"):
        make_scenario(lambda d: d["policy"].update(tranches=[]))


def test_budget_zero_with_a_tranche_is_an_error(make_scenario):
    """A tranche cannot pay more than a zero budget."""
    def bad(data):
        _no_programme(data)
        data["policy"]["tranches"] = [{"month": 0, "amount": 1.0}]
    with pytest.raises(ScenarioErrors, match="more than the budget"):
        make_scenario(bad)


def test_negative_budget_is_still_an_error(make_scenario):
    """Budget below zero: out of range."""
    with pytest.raises(ScenarioErrors, match=r"policy.budget: must be in \[0, 1e\+12\]"):
        make_scenario(lambda d: d["policy"].update(budget=-1))
