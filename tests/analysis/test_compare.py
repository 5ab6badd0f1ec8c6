"""Paired comparisons: interval methods, common random numbers, and the comparison itself."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ipsim.analysis.attainment import attainment_matrix
from ipsim.analysis.compare import compare, pairing_notes, same_model
from ipsim.analysis.paired import (
    mcnemar_exact,
    newcombe_independent_ci,
    newcombe_paired_ci,
    paired_difference,
    tango_paired_ci,
)
from ipsim.engines.streams import BLOCK
from ipsim.engines.vectorised import simulate
from ipsim.scenario.variants import load_variants
from ipsim.study.pipeline import run
from tests.compare_helpers import no_drain

PLEDGE = ("pledge_amount", "pledge_projects")


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    """The no-drain base, an identical variant and a bigger pool from the reserve."""
    base, (same, plus) = load_variants(no_drain(tmp_path_factory.mktemp("compare")))
    return base, same, plus


@pytest.fixture(scope="module")
def paired_run(scenarios):
    """Base and both variants on the same 2 blocks of paths, in one run."""
    base, same, plus = scenarios
    return run([base, same, plus], 2 * BLOCK, seed=11)


# -- interval methods --------------------------------------------------------------------

def _paired_tables(n: int, probs, size: int, seed: int) -> np.ndarray:
    """(size, 4) multinomial tables n11, n10, n01, n00."""
    return np.random.default_rng(seed).multinomial(n, probs, size=size)


@pytest.mark.parametrize("method", ["newcombe", "tango"])
def test_paired_interval_matches_bootstrap(method):
    """At simulation scale the paired interval agrees with a bootstrap of the paired table
    (resampling paths, i.e. the four cells) to within 5 % of its half-width plus the
    bootstrap's own error."""
    n, table = 20_000, np.array([6_000, 600, 450, 12_950])
    d = (table[1] - table[2]) / n
    boot = _paired_tables(n, table / n, 40_000, seed=3)
    diffs = (boot[:, 1] - boot[:, 2]) / n
    b_low, b_high = np.quantile(diffs, [0.025, 0.975])
    r = paired_difference(table[0] + table[1], table[0] + table[2], table[1], table[2], n,
                          method=method)
    half = (r.ci_high - r.ci_low) / 2
    se_q = np.std(diffs) * 0.05          # generous error of a 2.5 % quantile of 40,000 draws
    assert r.estimate == pytest.approx(d)
    assert abs(r.ci_low - b_low) < 0.05 * half + se_q
    assert abs(r.ci_high - b_high) < 0.05 * half + se_q


def test_tango_exact_coverage_by_enumeration():
    """Tango's interval depends on (n10, n01) only: its exact coverage, summed over every
    trinomial outcome of 40 pairs, is close to 95 % for several true tables."""
    n = 40
    for p10, p01 in [(0.1, 0.05), (0.2, 0.2), (0.3, 0.1)]:
        cover = 0.0
        for b in range(n + 1):
            for c in range(n + 1 - b):
                prob = stats.multinomial.pmf([b, c, n - b - c], n, [p10, p01, 1 - p10 - p01])
                low, high = tango_paired_ci(b, c, n)
                cover += prob * (low <= p10 - p01 <= high)
        assert 0.93 <= cover <= 0.975, (p10, p01, cover)


def test_newcombe_coverage_by_simulation():
    """Newcombe's method 10 covers the true difference about 95 % of the time (1,000
    simulated tables of 200 pairs; 3 standard errors of tolerance)."""
    probs = np.array([0.35, 0.12, 0.06, 0.47])
    truth = probs[1] - probs[2]
    tables = _paired_tables(200, probs, 1_000, seed=5)
    hits = [lo <= truth <= hi for lo, hi in (newcombe_paired_ci(*t) for t in tables)]
    se = np.sqrt(0.95 * 0.05 / len(tables))
    assert abs(np.mean(hits) - 0.95) < 3 * se + 0.01


def test_paired_methods_agree_and_collapse_only_when_exact():
    """Newcombe and Tango agree at simulation scale; with no discordant path a score
    interval keeps a width of order z^2/n unless the models are known to be identical."""
    n, b, c = 100_000, 1_200, 1_000
    nw = newcombe_paired_ci(30_000, b, c, n - 30_000 - b - c)
    tg = tango_paired_ci(b, c, n)
    assert nw == pytest.approx(tg, abs=0.01 * (tg[1] - tg[0]))
    z2 = stats.norm.ppf(0.975) ** 2
    assert tango_paired_ci(0, 0, n) == pytest.approx((-z2 / (n + z2), z2 / (n + z2)))
    exact = paired_difference(40_000, 40_000, 0, 0, n, exact=True)
    assert (exact.estimate, exact.ci_low, exact.ci_high, exact.p_value) == (0, 0, 0, 1)
    with pytest.raises(ValueError, match="cannot differ"):
        paired_difference(40_001, 40_000, 1, 0, n, exact=True)
    with pytest.raises(ValueError, match="inconsistent"):
        paired_difference(10, 40, 5, 0, 100)


def test_mcnemar_exact():
    """McNemar's exact p is the two-sided binomial test of the discordant paths."""
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(5, 5) == 1.0
    assert mcnemar_exact(1, 7) == pytest.approx(stats.binomtest(1, 8).pvalue)


# -- common random numbers ---------------------------------------------------------------

def test_identical_variant_has_exactly_zero_difference(scenarios, paired_run):
    """A variant identical to the base differs on no path: difference 0 on every target,
    with a zero-width interval and p-value 1."""
    base, same, _ = scenarios
    assert same_model(base, same)
    tallies = [r.tally for r in paired_run.results]
    assert not tallies[1].gained.any() and not tallies[1].lost.any()
    side = compare([base, same], tallies[:2]).variants[0]
    assert side.identical
    for row in side.rows:
        assert (row.diff.estimate, row.diff.ci_low, row.diff.ci_high) == (0.0, 0.0, 0.0)
        assert row.diff.p_value == 1.0


def test_bigger_pool_never_lowers_pledge_attainment_on_any_path(scenarios):
    """With no defaults to drain it, a bigger pool (from the unallocated reserve) lowers no
    path's pledge targets nor its mid-term release, and raises the yearly amounts on average.

    A path's yearly amount may dip a little: cover is by whole loans, so a bigger pool can
    cover one more loan this month and have less room left next month (as under a bank's
    contract with the pool, and in the DES); such a dip is bounded by a few loans' worth.
    """
    base, _, plus = scenarios
    runs = [simulate(s, 7, 2 * BLOCK, 0, 2) for s in (base, plus)]
    mats = [attainment_matrix(s.targets, ip) for s, ip in zip((base, plus), runs, strict=True)]
    for tid in PLEDGE:
        j = [t.id for t in base.targets].index(tid)
        assert not (mats[0][:, j] & ~mats[1][:, j]).any(), tid
        assert (mats[1][:, j] & ~mats[0][:, j]).any(), tid   # and it does help some paths
        small, big = runs[0].yearly[tid][:, 1:], runs[1].yearly[tid][:, 1:]
        assert (big >= 0.95 * small).all(), tid                # dips of whole loans only
        diff = (big - small).mean(axis=0)
        se = (big - small).std(axis=0, ddof=1) / np.sqrt(len(big))
        assert (diff > 5 * se).all(), (tid, diff, se)          # and it helps on average
    assert not (runs[0].released & ~runs[1].released).any()


def test_added_uncertain_parameter_moves_only_its_own_stream(scenarios):
    """Making one parameter uncertain draws from that parameter's stream only: every other
    drawn parameter and every indicator it does not feed are bit-identical."""
    base, _, _ = scenarios
    from dataclasses import replace

    from ipsim.scenario.params import Distribution, frozen_map

    params = dict(base.parameters)
    params["securitisation"] = frozen_map({**base.parameters["securitisation"], "months":
                                           Distribution("uniform", frozen_map(
                                               {"low": 6.0, "high": 12.0}))})
    variant = replace(base, name="uncertain-months", parameters=frozen_map(params))
    assert pairing_notes(base, variant) == [
        "makes securitisation.months uncertain: it draws from its own stream, no other "
        "number moves"]
    a, b = (simulate(s, 3, BLOCK, 0, 1) for s in (base, variant))
    assert set(b.inputs) - set(a.inputs) == {"securitisation.months"}
    for key, x in a.inputs.items():
        assert np.array_equal(x, b.inputs[key]), key
    for name, x in a.yearly.items():
        same = np.array_equal(x, b.yearly[name])
        assert same == (not name.startswith("securitisation")), name


def test_pairing_notes_for_horizon_and_distribution_kind(scenarios):
    """Changing the horizon or a distribution's kind is reported as weaker pairing."""
    base, _, _ = scenarios
    from dataclasses import replace

    from ipsim.scenario.params import Distribution, frozen_map

    longer = replace(base, horizon_months=48)
    assert "changes the horizon (36 -> 48 months)" in pairing_notes(base, longer)[0]
    params = dict(base.parameters)
    params["pledge"] = frozen_map({**base.parameters["pledge"], "growth": Distribution(
        "uniform", frozen_map({"low": 0.1, "high": 0.3}))})
    kind = replace(base, parameters=frozen_map(params))
    assert pairing_notes(base, kind) == ["changes pledge.growth from normal to uniform: "
                                         "paired by quantile (the same uniform), not by value"]


def test_paired_interval_narrower_than_independent_runs(scenarios, paired_run):
    """On common random numbers the interval of the pledge difference is far narrower than
    what two independent runs of the same size give (different seeds, Newcombe's method 10
    for independent proportions)."""
    base, _, plus = scenarios
    n = paired_run.paths
    independent = run([plus], n, seed=12).base.tally     # the variant on other numbers
    base_t, plus_t = paired_run.results[0].tally, paired_run.results[2].tally
    for tid in PLEDGE:
        j = [t.id for t in base.targets].index(tid)
        paired = paired_difference(int(plus_t.met[j]), int(base_t.met[j]),
                                   int(plus_t.gained[j]), int(plus_t.lost[j]), n)
        low, high = newcombe_independent_ci(int(independent.met[j]), n,
                                            int(base_t.met[j]), n)
        assert paired.ci_high - paired.ci_low < 0.5 * (high - low), tid
        assert paired.excludes_zero()


def test_best_and_runner_up_from_pairwise_counts(scenarios, paired_run):
    """The best scenario for all targets is ranked on the joint column, and its difference
    from the runner-up uses their own discordant paths (Tally.beats), not the base's."""
    base, same, plus = scenarios
    tallies = [r.tally for r in paired_run.results]
    c = compare([base, same, plus], tallies)
    met = [int(t.met[-1]) for t in tallies]
    order = sorted(range(3), key=lambda i: (-met[i], i))
    names = [base.name, same.name, plus.name]
    assert (c.best.best, c.best.runner_up) == (names[order[0]], names[order[1]])
    b, r = order[:2]
    assert c.best.diff.only_a == tallies[b].beats[r, -1]
    assert c.best.diff.only_b == tallies[r].beats[b, -1]
    assert c.best.diff.estimate == pytest.approx((met[b] - met[r]) / paired_run.paths)
    for i, t in enumerate(tallies):         # against the base, beats are gained and lost
        assert np.array_equal(t.beats[0], t.gained)
        assert np.array_equal(tallies[0].beats[i], t.lost)
        assert not t.beats[i].any()
