"""Given-data first-order indices: Ishigami's analytic values, interval coverage, an inert input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ipsim.analysis.drivers.indices import bin_ids, first_order

A, B = 7.0, 0.1
_V = A ** 2 / 8 + B * np.pi ** 4 / 5 + B ** 2 * np.pi ** 8 / 18 + 0.5
ISHIGAMI_S1 = ((1 + B * np.pi ** 4 / 5) ** 2 / 2 / _V, A ** 2 / 8 / _V, 0.0)
"""First-order indices of the Ishigami function (Ishigami and Homma 1990; closed form in
Saltelli et al. 2008, sec. 4.9)."""


def ishigami(rng, n):
    x = rng.uniform(-np.pi, np.pi, size=(n, 3))
    return x, np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def bernoulli(rng, n):
    """Met with probability x1 (uniform): S1 = Var(x1) / (p (1 - p)) = (1/12) / (1/4) = 1/3;
    x2 and x3 do nothing."""
    u = rng.uniform(size=(n, 3))
    return u, rng.uniform(size=n) < u[:, 0]


BERNOULLI_S1 = (1 / 3, 0.0, 0.0)


def test_ishigami_indices_within_their_intervals_at_100000_points():
    x, y = ishigami(np.random.default_rng(2024), 100_000)
    for j, truth in enumerate(ISHIGAMI_S1):
        r = first_order(x[:, j], y, resamples=99, seed=j)
        assert r.low[0] <= truth <= r.high[0], (j, r.value, r.low, r.high, truth)
        assert r.high[0] - r.low[0] < 0.03


def _coverage(gen, truth, n, reps, inputs, resamples):
    hits = np.zeros(len(inputs), dtype=int)
    for s in range(reps):
        x, y = gen(np.random.default_rng(7_000 + s), n)
        for i, j in enumerate(inputs):
            r = first_order(x[:, j], y, resamples=resamples, seed=s)
            hits[i] += r.low[0] <= truth[j] <= r.high[0]
    return hits


@pytest.mark.parametrize("gen, truth, n, reps, resamples", [
    (bernoulli, BERNOULLI_S1, 2_000, 300, 199),
    (ishigami, ISHIGAMI_S1, 1_000, 120, 99),
])
def test_bootstrap_intervals_cover_near_the_nominal_rate(gen, truth, n, reps, resamples):
    """95 % intervals of the influential inputs over independent seeds: the count covering
    the true index is consistent with 95 % (two-sided binomial test, p > 0.001)."""
    inputs = [j for j in range(3) if truth[j] > 0]
    hits = _coverage(gen, truth, n, reps, inputs, resamples)
    for h in hits:
        assert stats.binomtest(int(h), reps, 0.95).pvalue > 0.001, hits / reps


def test_inert_input_interval_holds_zero():
    """At a run's size (100,000 paths) the index of an input the outcome does not depend on
    has an interval holding 0 (the raw between-bin ratio, about bins / n = 0.001, would
    not), and over seeds the interval holds 0 at least at the nominal rate."""
    u, met = bernoulli(np.random.default_rng(5), 100_000)
    for j in (1, 2):
        r = first_order(u[:, j], met, seed=j)
        assert r.low[0] <= 0 <= r.high[0] and abs(r.value[0]) < 0.002
    hits = _coverage(bernoulli, BERNOULLI_S1, 2_000, 100, [1], 199)
    assert hits[0] >= 90


def test_bins_keep_ties_together_and_constant_output_is_nan():
    x = np.repeat(np.arange(10.0), 7)
    ids = bin_ids(x, 4)
    for v in np.unique(x):
        assert np.unique(ids[x == v]).size == 1
    assert ids.min() == 0 and np.all(np.diff(np.unique(ids)) == 1)
    r = first_order(np.arange(50.0), np.ones(50), resamples=20)
    assert np.isnan(r.value[0]) and np.isnan(r.low[0])


def test_several_outputs_at_once_equal_one_by_one():
    u, met = bernoulli(np.random.default_rng(9), 3_000)
    both = np.column_stack([met, u[:, 0] > 0.5])
    r = first_order(u[:, 0], both, resamples=0)
    for j in range(2):
        assert r.value[j] == pytest.approx(first_order(u[:, 0], both[:, j], resamples=0).value[0],
                                           rel=1e-12)
    assert r.value[1] > 0.95   # a step at the median of the input: nearly all of the variance
