"""Attainment probabilities: scipy's intervals, the per-chunk tallies, and a run whose
attainment has a closed form."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ipsim.analysis.attainment import Tally, attainment_matrix, proportion
from ipsim.model.measures import cagr
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Target
from tests.conftest import CLOSED_FORM_PATHS, GROWTH_MU, GROWTH_SD, GROWTH_THRESHOLDS

Z_SE = 5.0

# -- intervals -------------------------------------------------------------------------------

CASES = [(0, 10), (1, 10), (5, 10), (10, 10), (0, 100_000), (37, 1000), (7413, 20000),
         (99_999, 100_000)]


@pytest.mark.parametrize("k, n", CASES)
@pytest.mark.parametrize("level", [0.95, 0.8, 0.99])
@pytest.mark.parametrize("method", ["wilson", "exact"])
def test_proportion_interval_is_scipys(k, n, level, method):
    """proportion() returns k/n and binomtest(k, n).proportion_ci(level, method) bounds."""
    p = proportion(k, n, level, method)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method=method)
    assert (p.k, p.n, p.level) == (k, n, level)
    assert p.estimate == k / n
    assert (p.ci_low, p.ci_high) == (float(ci.low), float(ci.high))
    assert 0.0 <= p.ci_low <= p.estimate <= p.ci_high <= 1.0


def test_default_interval_is_95_percent_wilson():
    """Without arguments the interval is scipy's 95 % Wilson score interval."""
    ci = stats.binomtest(37, 1000).proportion_ci(confidence_level=0.95, method="wilson")
    p = proportion(37, 1000)
    assert (p.ci_low, p.ci_high, p.level) == (float(ci.low), float(ci.high), 0.95)
    assert p.as_dict() == {"probability": 0.037, "ci_low": p.ci_low, "ci_high": p.ci_high,
                           "successes": 37, "paths": 1000}


# -- matrices and tallies --------------------------------------------------------------------

TARGETS = (Target("a", "navigation_projects", "cumulative", ">", 1.0),
           Target("b", "operation_centres", "cumulative", ">=", 2.0))


def _paths(nav, ops) -> IndicatorPaths:
    nav, ops = np.asarray(nav, float), np.asarray(ops, float)
    yearly = {"navigation_projects": np.column_stack([0 * nav, nav]),
              "operation_centres": np.column_stack([0 * ops, ops])}
    return IndicatorPaths(yearly, {}, np.array([True, False, True, True]))


def test_attainment_matrix_has_a_joint_column():
    """One column per target, then a last column true where every target is met."""
    m = attainment_matrix(TARGETS, _paths([2, 1, 5, 0], [2, 3, 1, 2]))
    np.testing.assert_array_equal(m, [[True, True, True], [False, True, False],
                                      [True, False, False], [False, True, False]])


def test_tally_counts_and_adds():
    """Tally.of counts met, released, gained and lost per column; chunks add up."""
    base = attainment_matrix(TARGETS, _paths([2, 1, 5, 0], [2, 3, 1, 2]))
    variant = attainment_matrix(TARGETS, _paths([2, 2, 0, 0], [2, 3, 2, 2]))
    released = np.array([True, False, True, True])
    t = Tally.of(variant, released, base)
    assert t.n == 4 and t.released == 3
    np.testing.assert_array_equal(t.met, [2, 4, 2])
    np.testing.assert_array_equal(t.gained, [1, 1, 1])   # variant only
    np.testing.assert_array_equal(t.lost, [1, 0, 0])     # base only
    own = Tally.of(base, released)
    assert own.gained.sum() == own.lost.sum() == 0
    total = t + t
    assert total.n == 8 and total.released == 6
    np.testing.assert_array_equal(total.met, 2 * t.met)


# -- a closed form (the scenario is tests.conftest.closed_form_data) ------------------------


def _closed_forms(s) -> dict[str, float]:
    """P(met) of every target: normal tail for growth, Poisson tail for outputs."""
    out = {f"turnover{x}": float(stats.norm.sf(x, GROWTH_MU, GROWTH_SD)) for x in GROWTH_THRESHOLDS}
    amount = s.policy.tranches[0].amount
    costs = s.parameters["programme"]
    nav = amount * s.policy.allocation["navigation"] / costs["navigation_projects_unit_cost"]
    ops = amount * s.policy.allocation["operation_centres"] / costs["operation_centres_unit_cost"]
    assert nav == pytest.approx(4.0) and ops == pytest.approx(7 / 3)
    out["navigation"] = float(stats.poisson.sf(5, nav))             # P(N > 5)
    out["centres"] = float(stats.poisson.sf(2, ops))                # P(N >= 3)
    # independent streams: growth draw, and two programme columns
    out["all"] = out[f"turnover{max(GROWTH_THRESHOLDS)}"] * out["navigation"] * out["centres"]
    return out


def test_attainment_matches_closed_forms(closed_form):
    """P(cagr > x) = 1 - Phi((x - mu)/sd), Poisson tails, and their product, within 5 SE."""
    s, result = closed_form
    expected = _closed_forms(s)
    ids = [t.id for t in s.targets] + ["all"]
    n = result.tally.n
    assert n == CLOSED_FORM_PATHS
    for j, tid in enumerate(ids):
        p = expected[tid]
        se = np.sqrt(p * (1 - p) / n)
        assert abs(result.tally.met[j] / n - p) <= Z_SE * se, tid


def test_measured_growth_is_the_drawn_growth(closed_form):
    """With no shocks and elasticity 0 each path's turnover cagr is its drawn growth rate."""
    _, result = closed_form
    ip = result.paths()
    np.testing.assert_allclose(cagr(ip.yearly["turnover"]), ip.inputs["turnover.growth"],
                               rtol=0, atol=1e-12)
    # and the draws are Normal(GROWTH_MU, GROWTH_SD) (Kolmogorov-Smirnov, scipy.stats.norm)
    normal = stats.norm(GROWTH_MU, GROWTH_SD)
    assert stats.kstest(ip.inputs["turnover.growth"], normal.cdf).pvalue > 1e-6


def test_no_gate_means_every_path_released(closed_form):
    """Without a conditional tranche the mid-term release is reported on every path."""
    _, result = closed_form
    assert result.tally.released == result.tally.n
