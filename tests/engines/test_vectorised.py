"""The vectorised engine against closed forms, and the mid-term gate's path dependence.

Closed forms: with the shocks and volatilities switched off, growth is exactly compound;
with fixed unit costs and constant spending, a programme output's count over the period is
a sum of independent monthly Poisson counts, i.e. Poisson with the summed mean.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ipsim.analysis.attainment import attainment_matrix
from ipsim.engines import vectorised
from ipsim.engines.streams import BLOCK
from ipsim.model import measures
from ipsim.model.draws import EXACT_POISSON_BELOW
from ipsim.model.paths import IndicatorPaths
from ipsim.model.programme import LEVER_OF
from ipsim.scenario.validate import load_scenario
from ipsim.study import pipeline
from tests.conftest import (
    CLOSED_FORM_AMOUNT,
    DEFAULT_SCENARIO,
    UNIT_COSTS,
    single_tranche,
    switch_off_randomness,
)
from tests.model.test_draws import documented_bounds

Z_SE = 5.0
SEED = 20240611


def _simulate(scenario, paths: int, seed: int = SEED) -> IndicatorPaths:
    return vectorised.simulate(scenario, seed, paths, 0, -(-paths // BLOCK))


# -- compound growth without randomness ---------------------------------------------------


@pytest.mark.parametrize("rate", [-0.2, 0.0, 0.07, 0.27, 1.2])
def test_turnover_grows_at_exactly_its_rate_without_randomness(make_scenario, rate):
    """Turnover (elasticity 0, no shocks) has cagr == mean_yoy == growth on every path."""
    def modify(data):
        switch_off_randomness(data)
        data["parameters"]["turnover"].update(growth=rate, transfer_elasticity=0)

    s = make_scenario(modify)
    yearly = _simulate(s, 1000).yearly["turnover"]
    assert np.all(np.abs(measures.cagr(yearly) - rate) <= 1e-12)
    assert np.all(np.abs(measures.mean_yoy(yearly) - rate) <= 1e-12)
    expected = s.baseline["turnover"] * (1 + rate) ** np.arange(s.years + 1)
    np.testing.assert_allclose(yearly, np.broadcast_to(expected, yearly.shape), rtol=1e-12)


@pytest.mark.parametrize("rate", [-0.1, 0.0, 0.13, 0.6])
def test_applications_grow_at_exactly_their_rate_without_randomness(make_scenario, rate):
    """Patent applications (no shocks) have cagr == mean_yoy == growth on every path."""
    def modify(data):
        switch_off_randomness(data)
        data["parameters"]["patents"]["growth"] = rate

    s = make_scenario(modify)
    yearly = _simulate(s, 1000).yearly["applications"]
    assert np.all(np.abs(measures.cagr(yearly) - rate) <= 1e-12)
    assert np.all(np.abs(measures.mean_yoy(yearly) - rate) <= 1e-12)
    expected = s.baseline["applications"] * (1 + rate) ** np.arange(s.years + 1)
    np.testing.assert_allclose(yearly, np.broadcast_to(expected, yearly.shape), rtol=1e-12)


# -- programme outputs: Poisson counts ------------------------------------------------------

_SHARES = load_scenario(DEFAULT_SCENARIO).policy.allocation
EXACT_OUTPUTS = [name for name, cost in UNIT_COSTS.items()
                 if CLOSED_FORM_AMOUNT * _SHARES[LEVER_OF[name]] / cost / 36 < EXACT_POISSON_BELOW]


@pytest.fixture(scope="module")
def output_run(closed_form):
    """Fixed unit costs, no background, one tranche at month 0 (constant spending)."""
    s, result = closed_form
    return s, result.paths()


def _period_mean(s, output: str) -> float:
    """Poisson mean of the output over the period: budget share / unit cost + background."""
    p = s.parameters["programme"]
    amount = sum(t.amount for t in s.policy.tranches)
    return (amount * s.policy.allocation[LEVER_OF[output]] / p[f"{output}_unit_cost"]
            + p[f"{output}_background"] * s.years)


def _is_exact(s, output: str) -> bool:
    return _period_mean(s, output) / s.horizon_months < EXACT_POISSON_BELOW


def test_outputs_cover_both_count_methods(output_run):
    """The outputs checked below include monthly means on both sides of the method switch."""
    s, _ = output_run
    assert {_is_exact(s, name) for name in UNIT_COSTS} == {True, False}
    assert EXACT_OUTPUTS == [name for name in UNIT_COSTS if _is_exact(s, name)]


@pytest.mark.parametrize("output", list(UNIT_COSTS))
def test_output_count_has_poisson_mean_and_variance(output_run, output):
    """An output's period count has mean and variance equal to its Poisson mean (5 SE, plus the
    documented approximation error when the monthly mean is at or above the switch)."""
    s, ip = output_run
    lam = _period_mean(s, output)
    bound_mean, bound_var, _ = documented_bounds(lam / s.horizon_months)
    counts = measures.cumulative(ip.yearly[output])
    n = counts.size
    se_mean = np.sqrt(lam / n)
    se_var = np.sqrt((lam + 2 * lam ** 2) / n)  # (mu4 - sigma^4) / n for Poisson(lam)
    assert abs(counts.mean() - lam) <= bound_mean * lam + Z_SE * se_mean
    assert abs(counts.var(ddof=1) - lam) <= bound_var * lam + Z_SE * se_var


@pytest.mark.parametrize("output", EXACT_OUTPUTS)
def test_exact_output_count_is_poisson_in_distribution(output_run, output):
    """With monthly means below the switch the period count is Poisson (chi-square vs scipy)."""
    s, ip = output_run
    assert _is_exact(s, output)
    lam = _period_mean(s, output)
    counts = measures.cumulative(ip.yearly[output]).astype(int)
    target = stats.poisson(lam)
    lo, hi = int(target.ppf(1e-3)), int(target.isf(1e-3))  # pool the tails into lo and hi
    observed = np.array([np.sum(counts <= lo), *[np.sum(counts == k) for k in range(lo + 1, hi)],
                         np.sum(counts >= hi)], dtype=float)
    expected = counts.size * np.array([target.cdf(lo), *target.pmf(np.arange(lo + 1, hi)),
                                       target.sf(hi - 1)])
    assert expected.min() >= 5 and observed.sum() == counts.size
    assert stats.chisquare(observed, expected).pvalue > 1e-6


# -- the mid-term gate -----------------------------------------------------------------------

GATE_PATHS = BLOCK + 1904
FIRST, SECOND = 100_000_000, 50_000_000


@pytest.fixture(scope="module")
def gate_run(make_scenario):
    """Gate always / never / on_track (default) / on_track impossible, on the same paths."""
    def rule(name):
        def modify(data):
            data["policy"]["midterm"]["rule"] = name
        return modify

    def impossible(data):
        mid = data["policy"]["midterm"]
        mid.update(rule="on_track", tolerance=1.0)
        for t in data["targets"]:
            if t["id"] in mid["targets"]:
                t["threshold"] = 9.0  # +900 %/yr: ~31x the baseline flow by month 18
    scenarios = [make_scenario(rule("always")), make_scenario(rule("never")),
                 make_scenario(), make_scenario(impossible)]
    amounts = [t.amount for t in scenarios[0].policy.tranches]
    assert amounts == [FIRST, SECOND] and scenarios[0].policy.tranches[1].conditional
    run = pipeline.run(scenarios, GATE_PATHS, SEED, keep_paths=GATE_PATHS)
    return {name: r for name, r in zip(("always", "never", "on_track", "impossible"),
                                       run.results, strict=True)}


@pytest.mark.parametrize("case", ["never", "impossible"])
def test_failed_gate_never_pays_the_second_tranche(gate_run, case):
    """A gate that always fails pays only the first tranche, on every path, and never releases."""
    result = gate_run[case]
    ip = result.paths()
    funds = ip.yearly["funds_received"]
    assert ip.n == GATE_PATHS
    assert np.all(funds[:, 1:].sum(axis=1) == FIRST)
    assert np.all(funds[:, 2:] == 0.0)  # the gate is at month 18, in year 2
    assert not ip.released.any()
    assert result.tally.released == 0


def test_always_gate_pays_both_tranches(gate_run):
    """Rule ``always`` releases on every path and pays the second tranche in year 2."""
    result = gate_run["always"]
    ip = result.paths()
    funds = ip.yearly["funds_received"]
    assert ip.released.all() and result.tally.released == GATE_PATHS
    assert np.all(funds[:, 1] == FIRST) and np.all(funds[:, 2] == SECOND)
    assert np.all(funds[:, 1:].sum(axis=1) == FIRST + SECOND)


def test_gate_only_changes_what_follows_it(gate_run):
    """Before the gate (year 1) every indicator is identical path by path whatever the rule."""
    always, never = gate_run["always"].paths(), gate_run["never"].paths()
    for name in always.yearly:
        assert np.array_equal(always.yearly[name][:, :2], never.yearly[name][:, :2]), name


def test_on_track_paths_follow_always_or_never_by_verdict(gate_run):
    """On each path the on_track run equals the always run if released, else the never run."""
    base = gate_run["on_track"].paths()
    always, never = gate_run["always"].paths(), gate_run["never"].paths()
    r = base.released
    assert 0 < r.sum() < base.n  # both verdicts occur
    for name in base.yearly:
        assert np.array_equal(base.yearly[name][r], always.yearly[name][r]), name
        assert np.array_equal(base.yearly[name][~r], never.yearly[name][~r]), name


def test_withholding_the_tranche_lowers_output_attainment(gate_run):
    """Output targets: never met without the tranche where missed with it, and met less often."""
    s = gate_run["always"].scenario
    met_always = attainment_matrix(s.targets, gate_run["always"].paths())
    met_never = attainment_matrix(s.targets, gate_run["never"].paths())
    outputs = [j for j, t in enumerate(s.targets) if t.indicator in LEVER_OF]
    assert outputs
    for j in outputs:
        only_never = int(np.sum(met_never[:, j] & ~met_always[:, j]))
        only_always = int(np.sum(met_always[:, j] & ~met_never[:, j]))
        assert only_never == 0, s.targets[j].id
    # the paired difference is significant for the trusteeship target (exact McNemar test)
    j = next(j for j in outputs if s.targets[j].id == "trusteeship")
    only_always = int(np.sum(met_always[:, j] & ~met_never[:, j]))
    assert stats.binomtest(only_always, only_always, 0.5).pvalue < 1e-6
    assert met_never[:, j].mean() < met_always[:, j].mean()
    # and the pipeline's paired tally (reference: the first scenario, "always") agrees
    tally = gate_run["never"].tally
    assert all(tally.gained[j] == 0 for j in outputs)
    assert tally.lost[j] == only_always


def test_more_spending_never_lowers_an_output_on_any_path(make_scenario):
    """Raising one lever's share (same paths) never lowers that output's count on any path,
    here across the switch between exact and approximate counts."""
    unit_cost, amount = 1.2e5, 100_000_000

    def share(monthly):
        def modify(data):
            switch_off_randomness(data)
            single_tranche(data, amount)
            data["policy"]["allocation"] = {"sme_transformation": monthly * 36 * unit_cost
                                            / amount}
            data["parameters"]["programme"].update(sme_transformations_unit_cost=unit_cost,
                                                   sme_transformations_background=0)
        return make_scenario(modify)

    low, high = share(EXACT_POISSON_BELOW - 0.002), share(EXACT_POISSON_BELOW + 0.002)
    a = measures.cumulative(_simulate(low, BLOCK).yearly["sme_transformations"])
    b = measures.cumulative(_simulate(high, BLOCK).yearly["sme_transformations"])
    assert np.all(b >= a) and np.any(b > a)
