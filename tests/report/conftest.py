"""One small study, built once per test session: a run, a comparison, a sweep, a sensitivity
analysis, its drivers, a goal search, a calibration and a backtest of the default scenario (a
few thousand paths, no plots: the report draws its own), and its reports in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_SCENARIO, run_cli

HISTORY = Path(__file__).resolve().parents[2] / "ipsim" / "data" / "national.csv"
SECTIONS_ALL = ["summary", "figures", "compare", "sweep", "sensitivity", "drivers", "goal",
                "calibration", "backtest", "assumptions", "reproduce"]


@pytest.fixture(scope="session")
def study(tmp_path_factory) -> Path:
    """results/key-city-2020 of a small study (read-only for the tests: copy to change)."""
    out = tmp_path_factory.mktemp("study") / "key-city-2020"
    s = str(DEFAULT_SCENARIO)
    quiet = ["--no-plots", "--quiet"]
    steps = [
        ["run", s, "--paths", "2000", "--out", str(out), *quiet],
        ["compare", s, "--paths", "2000", "--variants", "fast-track,strict-midterm",
         "--out", str(out / "compare"), *quiet],
        ["sweep", s, "--param", "policy.allocation.risk_pool=0.2,0.3", "--balance",
         "interest_subsidy", "--paths", "1000", "--out", str(out / "sweep"), *quiet],
        ["sensitivity", s, "--samples", "8", "--paths-per-sample", "32", "--out",
         str(out / "sensitivity"), *quiet],
        ["drivers", s, "--paths", "2000", "--keep-paths", "2000", "--out",
         str(out / "drivers"), *quiet],
        ["goal", s, "--target", "pledge_amount", "--probability", "0.3", "--lever",
         "policy.allocation.risk_pool", "--balance", "interest_subsidy", "--paths", "500",
         "--verify-paths", "1000", "--grid", "5", "--refine", "2", "--out", str(out / "goal"),
         *quiet],
        ["calibrate", str(HISTORY), "--scenario", s, "--out",
         str(out / "calibration" / "national.yaml"), "--quiet"],
        ["backtest", str(HISTORY), "--scenario", s, "--origin", "2018", "--paths", "500",
         "--out", str(out / "backtest"), *quiet],
    ]
    for argv in steps:
        assert run_cli(argv) == 0, argv
    return out


@pytest.fixture
def study_copy(study, tmp_path) -> Path:
    """A copy of the study to change."""
    return Path(shutil.copytree(study, tmp_path / "key-city-2020"))


@pytest.fixture(scope="session")
def reports(study, tmp_path_factory) -> dict[str, Path]:
    """The HTML report of the study in each language (with its workbook beside it)."""
    from ipsim.report.build import write_report

    folder = tmp_path_factory.mktemp("reports")
    return {lang: write_report(study, lang, folder / f"report.{lang}.html").html
            for lang in ("en", "zh")}
