"""Calibrate and backtest a scenario with no programme (``policy.budget: 0``, ``tranches:
[]``) through the normal path, without ``--during-programme``: the national scenario on the
published national series is the one real out-of-sample check the project ships."""

from __future__ import annotations

import json

from ipsim.calibration.overlay import Base, short_run
from ipsim.data import national_path
from ipsim.scenario.variants import load_runnable
from tests.conftest import ROOT, run_cli

NATIONAL = ROOT / "scenarios" / "china-national.yaml"


def test_short_run_of_a_budget_zero_scenario_has_no_tranche():
    """Budget 0: no tranche (a tranche of 0 yuan is not valid); a positive budget is one
    tranche at month 0; either way the scenario validates."""
    assert short_run(24, 0)["policy.tranches"] == []
    assert short_run(24, 1.5e8)["policy.tranches"] == [{"month": 0, "amount": 1.5e8}]
    scenario = Base(NATIONAL).with_overrides(short_run(24, 0))
    assert scenario.policy.budget == 0 and scenario.policy.tranches == ()
    assert scenario.horizon_months == 24 and scenario.policy.midterm is None


def test_calibrate_a_budget_zero_scenario_and_run_the_variant(tmp_path):
    out = tmp_path / "national.yaml"
    assert run_cli(["calibrate", str(national_path()), "--scenario", str(NATIONAL),
                    "--out", str(out), "--quiet"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "history taken as before the programme" in text
    variant = load_runnable(out)
    assert variant.policy.budget == 0 and variant.start_year == 2023
    assert variant.parameters["pledge"]["growth"].kind == "normal"
    assert run_cli(["run", str(out), "--paths", "500", "--no-plots", "--quiet", "--out",
                    str(tmp_path / "run")]) == 0


def test_backtest_a_budget_zero_scenario_from_every_origin(tmp_path, capsys):
    """The national backtest runs with the programme switched off (the default), from every
    origin the national file allows, and scores each observed indicator."""
    out = tmp_path / "bt"
    assert run_cli(["backtest", str(national_path()), "--scenario", str(NATIONAL),
                    "--origin", "all", "--paths", "500", "--out", str(out),
                    "--no-plots"]) == 0
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    assert data["history_period"].startswith("before the programme")
    assert data["origins"] == [2018, 2019, 2020, 2021]
    scored = {(p["origin"], p["year"], p["indicator"]) for p in data["points"]}
    # applications 2019-2022 from 2018; pledge amount from every origin; the stock once
    assert {(2018, y, "applications") for y in (2019, 2020, 2021, 2022)} <= scored
    assert {(o, 2022, "pledge_amount") for o in (2018, 2019, 2020, 2021)} <= scored
    assert (2019, 2021, "invention_stock") in scored
    assert "coverage of the 90% band" in capsys.readouterr().out


def test_before_and_during_give_the_same_points_without_a_programme(tmp_path):
    """With no programme, a history from before it and one from during it are the same
    model: the points agree."""
    points = []
    for flag in ([], ["--during-programme"]):
        out = tmp_path / f"bt{len(flag)}"
        assert run_cli(["backtest", str(national_path()), "--scenario", str(NATIONAL),
                        "--origin", "2020", "--paths", "300", "--no-plots", "--quiet",
                        "--out", str(out)] + flag) == 0
        points.append(json.loads((out / "backtest.json").read_text(encoding="utf-8"))["points"])
    assert points[0] == points[1]
