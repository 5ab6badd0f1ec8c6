"""The start: month 0's level drawn given the year-0 total (ipsim.model.growth).

Closed forms (year 0 sums to the baseline; no shocks is the trend), the law of the first
year against a long random walk, the correlation of the start offsets through the common
factor, the accuracy of the count-rate quantile, and the issue's test: the 50 % and 90 %
bands of years 1-3 cover histories simulated by the engine with known parameters at their
nominal rate (``bench/coverage_bench.py`` runs a larger version).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from ipsim.model import growth
from ipsim.scenario.params import FrozenMap
from ipsim.scenario.validate import load_scenario
from ipsim.study.coverage import engine_coverage, nominal
from ipsim.study.pipeline import run
from tests.conftest import ROOT

TRUTH = ROOT / "tests" / "data" / "calib" / "truth.yaml"


def _truth(**shocks):
    s = load_scenario(TRUTH)
    if shocks:
        params = dict(s.parameters)
        params["shocks"] = FrozenMap({**params["shocks"], **shocks})
        s = dataclasses.replace(s, parameters=FrozenMap(params))
    return s


def test_year0_sums_to_the_total_and_without_shocks_is_the_trend():
    rng = np.random.default_rng(1)
    past = rng.standard_normal((500, 70))
    g = np.log1p(rng.uniform(-0.2, 0.5, 500))
    x = growth.start_log_levels(3000.0, g, 0.3, past)
    assert x.shape == (500, 71)
    np.testing.assert_allclose(np.exp(x[:, :12]).sum(axis=1), 3000.0, rtol=1e-12)
    # each step back is the walk's step: x_(-j-1) = x_(-j) - g/12 - sigma/sqrt(12) e_(-j)
    np.testing.assert_allclose(x[:, :-1] - x[:, 1:], g[:, None] / 12 + 0.3 / np.sqrt(12) * past,
                               atol=1e-12)
    trend = growth.start_log_levels(3000.0, g, 0.0, past)[:, 0]
    np.testing.assert_allclose(trend, growth.initial_log_level(3000.0, g), rtol=1e-13)


def test_first_year_has_the_law_of_any_later_year():
    """log(year 1 / year 0) of the engine (turnover: no count noise, no elasticity) against
    log(year j+1 / year j) of an exact monthly random walk: the same law (two-sample KS at
    1 %), and a variance of 1156/1728 sigma^2 to first order (650/1728 from a start on the
    trend, which the KS test also rejects)."""
    s = _truth()
    kept = run([dataclasses.replace(s, horizon_months=12)], 20_000, 5,
               keep_paths=20_000).base.paths()
    engine = np.log(kept.yearly["turnover"][:, 1] / kept.yearly["turnover"][:, 0])
    g, sigma = np.log1p(0.20), 0.20
    rng = np.random.default_rng(6)
    walk = np.cumsum(g / 12 + sigma / np.sqrt(12) * rng.standard_normal((20_000, 24)), axis=1)
    years = np.exp(walk).reshape(-1, 2, 12).sum(axis=2)
    real = np.log(years[:, 1] / years[:, 0])
    assert stats.ks_2samp(engine, real).pvalue > 0.01
    assert engine.var() / sigma ** 2 == pytest.approx(1156 / 1728, rel=0.05)
    on_trend = (np.exp(walk[:, 12:] - walk[:, 11:12]).sum(axis=1)
                / np.exp(-g * np.arange(12) / 12).sum())
    assert stats.ks_2samp(engine, np.log(on_trend) + 0 * g).pvalue < 1e-6


def test_start_offsets_are_correlated_through_the_common_factor():
    """With loadings 0.8 (applications) and 0.7 (turnover) the year-1 log growths of the two
    series correlate 0.56, as their year-on-year growths do in any later year; offsets drawn
    independently of each other would give 0.56 x 650/1156 = 0.31."""
    s = _truth(applications=0.8, turnover=0.7)
    kept = run([dataclasses.replace(s, horizon_months=24)], 20_000, 8,
               keep_paths=20_000).base.paths()
    y = {k: np.log(kept.yearly[k]) for k in ("applications", "turnover")}
    r1 = np.corrcoef(y["applications"][:, 1] - y["applications"][:, 0],
                     y["turnover"][:, 1] - y["turnover"][:, 0])[0, 1]
    r2 = np.corrcoef(y["applications"][:, 2] - y["applications"][:, 1],
                     y["turnover"][:, 2] - y["turnover"][:, 1])[0, 1]
    se = 1 / np.sqrt(20_000 - 3)  # Fisher z
    for r in (r1, r2):
        assert abs(np.arctanh(r) - np.arctanh(0.56)) < 3 * se, (r1, r2)


@pytest.mark.parametrize("count", [1.0, 1.5, 2.0, 5.0, 20.0, 120.0, 6000.0, 1e6])
def test_count_rate_factor_is_the_gamma_quantile(count):
    """The tabulated quantile of Gamma(N, 1) / N against scipy's exact inversion on a dense
    grid of normal scores: |log error| < 1e-6 everywhere on [-9, 9] (beyond: probability
    2e-19). A path's start level then moves by less than 1e-6 in log, and any reported
    probability by less than 1e-6 times the density of its statistic per unit log level,
    which is below 40 for any statistic with a spread over 0.01 (the count noise alone of a
    year of 6,000 deals): under 4e-5, a tenth of the standard error of a probability of 0.5
    at 1,000,000 paths (5e-4); the error is 4e-11 at 6,000 and 2e-9 at 120."""
    z = np.linspace(-8.999, 8.999, 100_001)
    table = growth.count_rate_factor(count, z)
    exact = growth.count_rate_factor(np.full(z.size, count), z)
    tolerance = 1e-6 if count < 100 else 1e-8
    assert np.max(np.abs(np.log(table / exact))) < tolerance
    assert np.all(np.diff(table) >= 0)              # monotone in z: common random numbers
    zs = z[::250]
    g = stats.gamma(count)
    reference = np.where(zs < 0, g.ppf(stats.norm.cdf(zs)), g.isf(stats.norm.sf(zs)))
    np.testing.assert_allclose(exact[::250] * count, reference, rtol=1e-9)


def test_nominal_coverage_of_empirical_bands():
    assert nominal(0.9, 150) == pytest.approx(135 / 151)   # ranks 8..142
    assert nominal(0.5, 150) == pytest.approx(75 / 151)    # ranks 38..112


def test_bands_cover_engine_histories_from_year_1():
    """The issue's test: 250 histories of six years simulated by the engine (truth.yaml:
    known parameters, no common shock), origin at year 3, 120 forward paths each from the
    realised year-3 values; the 50 % and 90 % bands of the five baseline flows in years 1,
    2 and 3 ahead cover within 3 standard errors (between histories) of nominal. A start on
    the shock-free trend covers 78 %, 85 % and 88 % with the 90 % band (z = -9, -4, -2 at
    this size): see docs/model.md."""
    c = engine_coverage(_truth(), histories=250, origin=3, ahead=3, paths=120, seed=11)
    assert len(c.indicators) == 5
    z = c.z()
    assert np.all(np.abs(z) < 3), (c.rate, c.se, c.nominal)
