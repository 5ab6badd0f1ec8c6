"""Monte Carlo filtering: the KS statistic and p-value are scipy's, the odds table is counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ipsim.analysis.drivers import filtering


def _data(n: int, seed: int, ties: bool = False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=n)
    if ties:
        x = np.round(x * 7) / 7
    met = np.column_stack([rng.uniform(size=n) < x, rng.uniform(size=n) < 0.3])
    return x, met


@pytest.mark.parametrize("n, ties", [(60, False), (60, True), (5_000, False), (5_000, True)])
def test_statistic_p_value_and_medians_are_scipys(n, ties):
    """Small groups: ks_2samp's exact p-value; larger (effective size up to LIMIT_EN): its
    asymptotic one; ties handled."""
    x, met = _data(n, 1, ties)
    f = filtering.filtering(x, met)
    for j in range(met.shape[1]):
        a, b = x[met[:, j]], x[~met[:, j]]
        method = "exact" if a.size * b.size <= filtering.EXACT_LIMIT else "asymp"
        ref = stats.ks_2samp(a, b, method=method)
        assert f.ks[j] == pytest.approx(ref.statistic, abs=1e-12)
        assert f.p_value[j] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-12)
        assert f.median_met[j] == np.median(a) and f.median_missed[j] == np.median(b)
        assert f.n_met[j] == a.size


@pytest.mark.parametrize("en", [10_001, 30_000])
def test_limiting_p_values_beyond_limit_en_are_close_to_scipys(en):
    """Beyond LIMIT_EN: within 0.0014 of ks_2samp's asymptotic p-value everywhere and
    within 3.5 % of it below 0.01, over the whole range of the statistic."""
    d = np.linspace(2e-4, 7 / np.sqrt(en), 60)
    ours = np.array([filtering._asymptotic_p(v, en) for v in d])
    ref = stats.kstwo.sf(d, round(en))
    assert np.max(np.abs(ours - ref)) < 0.0014
    small = (ref < 0.01) & (ref > 1e-12)
    assert np.max(np.abs(ours - ref)[small] / ref[small]) < 0.035


def test_tiny_p_values_from_the_limit_agree_with_scipy():
    """Where the limiting distribution gives p < TINY, ks_2samp's p is also below 1e-9."""
    rng = np.random.default_rng(2)
    x = rng.uniform(size=20_000)
    met = rng.uniform(size=x.size) < 0.2 + 0.6 * x
    f = filtering.filtering(x, met)
    ref = stats.ks_2samp(x[met], x[~met], method="asymp").pvalue
    assert f.p_value[0] < filtering.TINY and ref < 1e-9 and abs(f.p_value[0] - ref) < 1e-9


def test_empty_group_gives_nan():
    x = np.arange(10.0)
    f = filtering.filtering(x, np.ones(10, dtype=bool))
    assert np.isnan(f.ks[0]) and np.isnan(f.p_value[0]) and np.isnan(f.median_missed[0])


def test_inert_input_p_values_are_uniform_over_seeds():
    """An input that no outcome depends on: its KS p-values over 300 seeds pass a KS test
    of uniformity (p > 0.001), and about 5 % fall below 0.05."""
    ps = []
    for seed in range(300):
        rng = np.random.default_rng(10_000 + seed)
        x = rng.normal(size=2_000)
        met = rng.uniform(size=x.size) < 0.4
        ps.append(filtering.filtering(x, met).p_value[0])
    ps = np.array(ps)
    assert stats.kstest(ps, "uniform").pvalue > 0.001
    assert stats.binomtest(int(np.sum(ps < 0.05)), ps.size, 0.05).pvalue > 0.001


@pytest.mark.parametrize("ties", [False, True])
def test_odds_by_bin_counts_and_wilson_intervals(ties):
    x, met = _data(4_001, 3, ties)
    o = filtering.odds_by_bin(x, met, bins=4)
    assert o.paths.sum() == x.size and np.all(o.paths > 0)
    lo = np.concatenate([[-np.inf], o.edges[1:-1]])
    for b in range(o.paths.size):
        inside = (x > lo[b]) & (x <= o.edges[b + 1])
        assert inside.sum() == o.paths[b]
        for j in range(met.shape[1]):
            k = int(met[inside, j].sum())
            ci = stats.binomtest(k, int(inside.sum())).proportion_ci(method="wilson")
            assert o.met[b, j] == k and o.low[b, j] == pytest.approx(ci.low)
            assert o.high[b, j] == pytest.approx(ci.high)
    if not ties:  # quartiles of a continuous input: equal counts (to one path)
        assert o.paths.max() - o.paths.min() <= 1
    # the decisive input's odds rise bin by bin; the idle outcome's do not order
    assert np.all(np.diff(o.p[:, 0]) > 0)


@pytest.mark.parametrize("k, n", [(0, 10), (10, 10), (3, 17), (500, 1000), (1, 100_000)])
def test_wilson_equals_binomtest(k, n):
    lo, hi = filtering.wilson(np.array([k]), np.array([n]))
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    assert lo[0] == pytest.approx(ci.low, abs=1e-14) and hi[0] == pytest.approx(ci.high,
                                                                                 abs=1e-14)
