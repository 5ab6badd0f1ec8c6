"""Target measures on hand-made series, and how a target reads them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from ipsim.analysis import measures as applied
from ipsim.model import measures
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import Target


def _rows(*series) -> np.ndarray:
    return np.array(series, dtype=float)


def test_cagr_and_mean_yoy_differ_on_uneven_growth():
    """[100, 150, 150, 200]: cagr = 2^(1/3) - 1, mean_yoy = (0.5 + 0 + 1/3) / 3."""
    y = _rows([100, 150, 150, 200])
    assert measures.cagr(y)[0] == pytest.approx(2 ** (1 / 3) - 1, rel=1e-14)
    assert measures.mean_yoy(y)[0] == pytest.approx((0.5 + 0.0 + 1 / 3) / 3, rel=1e-14)
    assert measures.mean_yoy(y)[0] > measures.cagr(y)[0]


def test_round_trip_has_zero_cagr_but_positive_mean_yoy():
    """[100, 50, 100]: halving then doubling is no compound growth but a +25 % mean rate."""
    y = _rows([100, 50, 100])
    assert measures.cagr(y)[0] == pytest.approx(0.0, abs=1e-15)
    assert measures.mean_yoy(y)[0] == pytest.approx(0.25, rel=1e-14)


def test_constant_growth_gives_equal_measures():
    """[100, 110, 121, 133.1]: both measures are exactly the 10 % rate."""
    y = _rows([100, 110, 121, 133.1])
    assert measures.cagr(y)[0] == pytest.approx(0.1, rel=1e-12)
    assert measures.mean_yoy(y)[0] == pytest.approx(0.1, rel=1e-12)


def test_measures_work_row_by_row():
    """Each row (path) is measured on its own: cagr, mean_yoy, cumulative and final."""
    y = _rows([100, 150, 150, 200], [10, 20, 40, 80], [5, 5, 5, 5], [0, 1, 2, 3])
    np.testing.assert_allclose(measures.cagr(y)[:3], [2 ** (1 / 3) - 1, 1.0, 0.0], atol=1e-14)
    np.testing.assert_allclose(measures.mean_yoy(y)[:3], [5 / 18, 1.0, 0.0], atol=1e-14)
    np.testing.assert_array_equal(measures.cumulative(y), [500, 140, 15, 6])  # year 0 excluded
    np.testing.assert_array_equal(measures.final(y), [200, 80, 5, 3])


def test_zero_baseline_gives_infinite_growth_without_warnings():
    """A zero year-0 value gives cagr = inf (not an exception or a RuntimeWarning)."""
    y = _rows([0, 10, 20])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(measures.cagr(y)[0])
        assert np.isinf(measures.mean_yoy(y)[0])


def test_cagr_is_geometric_and_mean_yoy_arithmetic_mean_of_growth_factors():
    """On random positive series cagr + 1 = gmean of the factors, mean_yoy + 1 their mean."""
    rng = np.random.default_rng(5)
    y = np.cumprod(rng.lognormal(0.1, 0.3, size=(2000, 4)), axis=1)
    factors = y[:, 1:] / y[:, :-1]
    np.testing.assert_allclose(measures.cagr(y) + 1, stats.gmean(factors, axis=1), rtol=1e-12)
    np.testing.assert_allclose(measures.mean_yoy(y) + 1, factors.mean(axis=1), rtol=1e-12)
    assert np.all(measures.mean_yoy(y) >= measures.cagr(y) - 1e-12)  # AM >= GM


def _paths(yearly: dict, first_issue=None) -> IndicatorPaths:
    n = len(next(iter(yearly.values())))
    events = {"securitisations": np.asarray(first_issue if first_issue is not None
                                            else np.full(n, np.inf), float)}
    return IndicatorPaths({k: _rows(*v) for k, v in yearly.items()}, events,
                          np.ones(n, dtype=bool))


def test_attained_distinguishes_strict_and_non_strict_thresholds():
    """A value equal to the threshold meets '>=' but not '>'."""
    ip = _paths({"navigation_projects": [[0, 2, 2, 1], [0, 3, 3, 0], [0, 0, 0, 0]]})
    strict = Target("n", "navigation_projects", "cumulative", ">", 5.0)
    loose = Target("n", "navigation_projects", "cumulative", ">=", 5.0)
    np.testing.assert_array_equal(applied.value(strict, ip), [5, 6, 0])
    np.testing.assert_array_equal(applied.attained(strict, ip), [False, True, False])
    np.testing.assert_array_equal(applied.attained(loose, ip), [True, True, False])


def test_event_target_met_by_its_month():
    """An event target is met when the first occurrence is at or before by_month (inf: never)."""
    ip = _paths({"securitisations": [[0, 0], [0, 0], [0, 0], [0, 0]]},
                first_issue=[12, 13, np.inf, 1])
    t = Target("s", "securitisations", "event", ">", 0.0, by_month=12)
    np.testing.assert_array_equal(applied.attained(t, ip), [True, False, False, True])


def test_unknown_measure_is_an_error_naming_the_known_ones():
    """A measure missing from the table is an error, never a silent fall-through."""
    ip = _paths({"transfers": [[1, 2]]})
    with pytest.raises(measures.UnknownMeasure, match="known: cagr, mean_yoy"):
        applied.attained(Target("t", "transfers", "peak", ">", 1.0), ip)
