"""Short histories, said honestly: each backtest band carries its effective degrees of
freedom and the data's weight, and a band too wide to test anything is said so in words
(``ipsim.calibration.basis``)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from scipy import stats

from ipsim.calibration.basis import FACTOR, basis_of, too_wide
from ipsim.calibration.fit import fit_series
from ipsim.calibration.overlay import Base
from ipsim.calibration.place import calibrate
from ipsim.calibration.series import series_data
from tests.conftest import DEFAULT_SCENARIO, run_cli

# three noisy years of applications, then three to score: the pledge series observed twice
SHORT = """# made-up: a three-point history to fit, three years after it
year,applications,pledge_projects
2016,20000,
2017,36000,100
2018,21000,120
2019,26000,130
2020,24000,150
2021,25000,150
"""


def _lognormal_band(sigma: float) -> tuple[float, float, float]:
    """(q05, q50, q95) of a log-normal with median 1 and log-sd ``sigma``."""
    q = stats.lognorm(sigma).ppf([0.05, 0.5, 0.95])
    return float(q[0]), float(q[1]), float(q[2])


def test_too_wide_is_even_odds_of_catching_a_forecast_off_by_a_factor_two():
    """For a log-normal band the criterion is q95 / q05 >= 4; at that width a realised value
    drawn around twice (or half) the band's median falls outside the band with probability
    one half, and more often for any narrower band."""
    z = stats.norm.ppf(0.95)
    edge = np.log(FACTOR) / z
    assert not too_wide(*_lognormal_band(edge * (1 - 1e-6)))
    assert too_wide(*_lognormal_band(edge * (1 + 1e-6)))
    for sigma in (0.5 * edge, edge, 2 * edge):
        shift = np.log(FACTOR) / sigma
        catch = stats.norm.sf(z - shift) + stats.norm.cdf(-z - shift)
        assert (catch >= 0.5 - 1e-3) == (sigma <= edge), (sigma, catch)
    # a skewed band that can catch a halving is not too wide, whatever its top
    assert not too_wide(0.6, 1.0, 50.0)
    assert too_wide(0.0, 0.0, 0.0)


@pytest.fixture()
def short_history(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(SHORT, encoding="utf-8")
    return path


def test_effective_degrees_of_freedom_of_each_fit(short_history):
    """Three points: a Student-t with 1 df; two points: 0 (the scale assumed); a series not
    observed: not fitted. Pooled with a normal prior: the data's share w of the precision
    and Welch-Satterthwaite df 1 / w^2."""
    from ipsim.calibration.history import read_history

    h, base = read_history(short_history).upto(2018), Base(DEFAULT_SCENARIO)
    cal = calibrate(h, base, offset_paths=64)
    apps = basis_of(cal, "applications")
    assert (apps.df, apps.data_weight, apps.fitted_on) == (1.0, 1.0, "applications")
    assert "1 df from 3 periods" in apps.words
    pledge = basis_of(cal, "pledge_amount")     # fitted on the two projects
    assert pledge.df == 0.0 and pledge.fitted_on == "pledge_projects"
    assert "volatility assumed" in pledge.words
    assert basis_of(cal, "turnover").df is None
    assert basis_of(cal, "invention_stock").df is None

    pooled = calibrate(h, base, prior="scenario", offset_paths=64)
    w = basis_of(pooled, "applications").data_weight
    # the same weight from the two intervals: the data's, as a normal, and the pooled one
    data = cal.drift["patents"]
    z = stats.norm.ppf(0.95)
    s1 = (data.high - data.low) / (2 * z)
    assert w == pytest.approx(pooled.drift["patents"].se ** 2 / s1 ** 2, rel=1e-9)
    assert 0 < w < 0.5
    assert basis_of(pooled, "applications").df == pytest.approx(1 / w ** 2)
    assert "mostly the prior" in basis_of(pooled, "applications").words


def test_one_degree_of_freedom_widens_the_drift_interval_by_the_t_quantile():
    """The fit behind a three-point band: its interval is t_0.95(1) = 6.31 standard errors
    each side, 3.8 times the normal's."""
    s = series_data("applications", np.array([20000, 36000, 21000.0]), 1)
    fit = fit_series(s.d, s.t, s.R, s.C, 0.08)
    half = (fit.drift.high - fit.drift.low) / 2
    assert half / fit.drift.se == pytest.approx(stats.t.ppf(0.95, 1), rel=1e-9)


def test_backtest_reports_df_and_says_when_a_band_is_too_wide(tmp_path, short_history,
                                                             capsys):
    """backtest.json and .csv carry df, data weight, the basis and the too-wide flag; the
    terminal table shows df and says 'too wide to test' in words, with the coverage
    without those points."""
    out = tmp_path / "bt"
    assert run_cli(["backtest", str(short_history), "--scenario", str(DEFAULT_SCENARIO),
                    "--origin", "2018", "--paths", "600", "--out", str(out),
                    "--no-plots"]) == 0
    printed = capsys.readouterr().out
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    points = {(p["year"], p["indicator"]): p for p in data["points"]}
    apps = points[(2021, "applications")]
    assert apps["df"] == 1 and apps["data_weight"] == 1 and apps["too_wide"]
    assert not points[(2019, "applications")]["too_wide"]
    assert points[(2019, "pledge_projects")]["df"] == 0
    wide = sum(p["too_wide"] for p in data["points"])
    assert data["too_wide_points"] == wide >= 1
    assert data["coverage_testable"][1]["points"] == len(data["points"]) - wide
    assert "factor of two" in data["band_criterion"]
    rows = list(csv.DictReader(line for line in
                               (out / "backtest.csv").read_text(encoding="utf-8-sig").splitlines()
                               if not line.startswith("#")))
    row = next(r for r in rows if (r["year"], r["indicator"]) == ("2021", "applications"))
    assert (float(row["df"]), row["too_wide"]) == (1.0, "True") and "Student-t" in row["basis"]
    line = next(x for x in printed.splitlines() if "2021 applications" in x)
    assert line.split()[-5:] == ["1", "too", "wide", "to", "test"]
    assert f"{wide} of {len(points)} bands are too wide to test anything" in printed
    assert "without those" in printed


def test_a_prior_dominated_band_says_so(tmp_path, short_history, capsys):
    """With --prior scenario the three noisy points carry little weight: the table says the
    band rests mostly on the prior, and the JSON gives the weight."""
    out = tmp_path / "bt"
    assert run_cli(["backtest", str(short_history), "--scenario", str(DEFAULT_SCENARIO),
                    "--origin", "2018", "--paths", "300", "--out", str(out), "--no-plots",
                    "--prior", "scenario"]) == 0
    printed = capsys.readouterr().out
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    apps = [p for p in data["points"] if p["indicator"] == "applications"]
    assert all(0 < p["data_weight"] < 0.5 and p["df"] > 1 for p in apps)
    assert "mostly the prior (data" in printed
