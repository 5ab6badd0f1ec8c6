"""The shipped scenarios: every input figure has a provenance entry, each place runs with
attainment odds that are not degenerate, and the national scenario backtests against the
published 2020-2022 national series (ipsim/data)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from ipsim.data import national_path, national_sources
from ipsim.engines.streams import BLOCK
from ipsim.scenario.provenance import uncovered
from ipsim.scenario.validate import load_scenario
from ipsim.scenario.yaml_loader import load_yaml
from ipsim.study import pipeline

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))
PLACES = ("xuhui-caohejing", "shanghai", "yuhang-hangzhou", "zhongguancun-haidian")
NATIONAL = SCENARIOS / "china-national.yaml"
PATHS = 2 * BLOCK


def test_the_places_and_the_national_scenario_are_shipped():
    """One scenario per seed place, the key-city template and the national scenario."""
    names = {f.stem for f in FILES}
    assert names >= {*PLACES, "key-city-2020", "china-national"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_figure_has_provenance(path):
    """Every baseline figure, shock loading, parameter and the budget the file sets has a
    provenance entry, and every entry names a source."""
    scenario = load_scenario(path)
    data, _ = load_yaml(str(path))
    assert uncovered(data, scenario.provenance) == []
    assert all(s.source.strip() and s.unit.strip() for s in scenario.provenance)


@pytest.mark.parametrize("name", PLACES)
def test_place_runs_with_odds_that_are_not_degenerate(name):
    """Each place runs; every target and the mid-term gate have odds strictly inside
    (0, 1), and all targets together are possible."""
    s = load_scenario(SCENARIOS / f"{name}.yaml")
    tally = pipeline.run([s], PATHS, s.seed).base.tally
    p = tally.met / tally.n
    assert np.all((p > 0) & (p < 1)), dict(zip([t.id for t in s.targets], p, strict=False))
    assert 0 < tally.released < tally.n


def _observed() -> dict[tuple[str, int], float]:
    lines = [x for x in national_path().read_text(encoding="utf-8").splitlines()
             if not x.startswith("#")]
    out = {}
    for row in csv.DictReader(lines):
        for col, text in row.items():
            if col != "year" and text:
                out[(col, int(row["year"]))] = float(text)
    return out


def test_national_baseline_is_the_published_2019_data():
    """The national scenario's baseline equals national.csv for 2019 where published, and
    its derived pledge projects equal the derived row of national-sources.csv."""
    s = load_scenario(NATIONAL)
    base_year = s.start_year - 1
    observed = _observed()
    shared = [c for (c, y) in observed if y == base_year]
    assert {"applications", "pledge_amount", "invention_stock"} <= set(shared)
    for c in shared:
        assert s.baseline[c] == observed[(c, base_year)], c
    derived = {(r["column"], r["year"]): r["value"] for r in national_sources()
               if r["kind"] == "derived"}
    assert s.baseline["pledge_projects"] == derived[("pledge_projects", base_year)]
    assert s.policy.budget == 0 and s.policy.tranches == ()


@pytest.fixture(scope="module")
def national_pit() -> dict[tuple[str, int], float]:
    """Share of simulated paths below each published 2020-2022 national figure (the
    probability integral transform of the observation under the model's forecast)."""
    s = load_scenario(NATIONAL)
    kept = pipeline.run([s], PATHS, s.seed, keep_paths=PATHS).base.paths()
    pit = {}
    for (col, year), value in _observed().items():
        k = year - (s.start_year - 1)
        if 1 <= k <= s.years:
            pit[(col, year)] = float(np.mean(kept.yearly[col][:, k] < value))
    return pit


def _band(p: float) -> float:
    """Five standard errors of a share estimated from PATHS paths."""
    return 5 * np.sqrt(p * (1 - p) / PATHS)


def test_national_backtest_stable_series_inside_the_98_percent_band(national_pit):
    """Out of sample (parameters from data to 2019 only): the published invention
    applications, patents in force and transfers of 2020-2022 lie inside the model's central
    98 % forecast band."""
    checked = [(k, p) for k, p in national_pit.items()
               if k[0] in ("applications", "invention_stock", "transfers")]
    assert len(checked) >= 5
    for key, p in checked:
        assert 0.01 - _band(0.01) < p < 0.99 + _band(0.99), (key, p)


def test_national_backtest_pledge_boom_is_above_the_pre_2020_trend(national_pit):
    """The 2020-2022 pledge-financing boom (+44 %, +42 %, +57 % a year) lies above the median
    of a forecast built on the 2018-2019 growth (about +21 %): every published pledge figure
    is in the upper half, and 2022 beyond the 95th percentile (docs/places.md)."""
    pledge = {k: p for k, p in national_pit.items() if k[0].startswith("pledge_")}
    assert len(pledge) >= 5
    assert all(p > 0.5 + _band(0.5) for p in pledge.values()), pledge
    assert pledge[("pledge_amount", 2022)] > 0.95 + _band(0.95), pledge
