"""Whole-loan cover under a capacity (ipsim.model.cover) against loans drawn one by one.

The closed form of the expected number and amount of loans covered (whole, in order, until
the first that does not fit) is checked against the rule applied to simulated loans: ``n``
Gamma(``k``) amounts scaled to the month's total (a Dirichlet split, as the DES's book and,
given the total, a month's loans are), within 4 standard errors of the simulation.
"""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.model.cover import MAX_SHAPE, expected_cover

CASES = [(5, 50.0, 23.0), (12, 120.0, 30.0), (40, 400.0, 7.0), (8, 80.0, 79.0),
         (3, 30.0, 29.9), (1, 10.0, 5.0), (60, 600.0, 450.0)]


def _simulated(n: int, total: float, room: float, k: int, draws: int, seed: int):
    """Mean and standard error of the covered count, amount and sum of squared amounts
    under the contract's rule."""
    rng = np.random.default_rng(seed)
    x = rng.standard_gamma(k, (draws, n))
    running = np.cumsum(x / x.sum(axis=1, keepdims=True) * total, axis=1)
    count = (running <= room).sum(axis=1)        # running totals rise: the prefix that fits
    amount = np.where(count > 0, running[np.arange(draws), np.maximum(count - 1, 0)], 0.0)
    loans = x / x.sum(axis=1, keepdims=True) * total
    square = np.where(np.arange(n)[None, :] < count[:, None], loans ** 2, 0.0).sum(axis=1)
    return [(v.mean(), v.std() / np.sqrt(draws)) for v in (count, amount, square)]


@pytest.mark.parametrize("k", [1, 2, 3, 5, MAX_SHAPE])
@pytest.mark.parametrize(("n", "total", "room"), CASES)
def test_expected_cover_matches_loans_drawn_one_by_one(n, total, room, k):
    count, amount, square = expected_cover(np.array([n]), np.array([total]), np.array([room]),
                                           k)
    (mc, se_c), (ma, se_a), (ms, se_s) = _simulated(n, total, room, k, 60_000, 17 * n + k)
    # plus what an outcome too rare for the simulation to see (P < 5 / draws) can move
    assert abs(count[0] - mc) <= 4 * se_c + 5 * n / 60_000, (count[0], mc, se_c)
    assert abs(amount[0] - ma) <= 4 * se_a + 5 * total / 60_000, (amount[0], ma, se_a)
    assert abs(square[0] - ms) <= 4 * se_s + 5 * total ** 2 / 60_000, (square[0], ms, se_s)


def test_edges_and_monotonicity():
    n = np.array([0, 4, 4, 4, 4, 4])
    total = np.array([0.0, 40.0, 40.0, 40.0, 40.0, 40.0])
    room = np.array([10.0, 50.0, 40.0, 0.0, -1.0, 1e-12])
    count, amount, square = expected_cover(n, total, room, 2)
    np.testing.assert_allclose(count, [0, 4, 4, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(amount, [0, 40, 40, 0, 0, 0], atol=1e-9)
    # n Dirichlet(k) shares of s: s^2 (k + 1) / (n k + 1)
    np.testing.assert_allclose(square[1], 40.0 ** 2 * 3 / 9)
    rooms = np.linspace(0, 120, 241)
    c, a, q = expected_cover(np.full(rooms.size, 12.0), np.full(rooms.size, 120.0), rooms, 2)
    assert np.all(np.diff(c) >= -1e-12) and np.all(np.diff(a) >= -1e-9)
    assert np.all(a <= rooms + 1e-9) and np.all(c <= 12 + 1e-12)
    assert np.all(q >= a ** 2 / np.maximum(c, 1e-300) * (c > 0) - 1e-6)   # Cauchy-Schwarz
    tiny = expected_cover(np.full(3, 20.0), np.full(3, 1e8), np.array([1e-3, 1e2, 1e4]), 3)
    assert all(np.all(np.isfinite(v) & (v >= 0)) for v in tiny)
    with pytest.raises(ValueError, match="whole number"):
        expected_cover(n, total, room, 2.5)
