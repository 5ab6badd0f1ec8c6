"""Sobol' indices (ipsim.analysis.sobol) on the Ishigami function, whose indices are known."""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.analysis import sobol

A, B = 7.0, 0.1
N = 2**12


def ishigami(u: np.ndarray) -> np.ndarray:
    """Ishigami function of three inputs uniform on [-pi, pi], from unit-cube points."""
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """Closed-form S1 and ST (Ishigami & Homma 1990; Saltelli et al. 2008, Global
    Sensitivity Analysis: The Primer, sec. 4.9)."""
    v1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


@pytest.fixture(scope="module")
def result() -> sobol.SobolIndices:
    u = sobol.design(3, N, seed=11)
    return sobol.indices(ishigami(u), 3, N, seed=12)


def test_ishigami_indices_lie_in_their_intervals(result):
    """Each analytic S1 and ST lies inside its 95 % bootstrap interval, and the intervals are
    narrow enough (< 0.15 wide) to tell the three inputs apart."""
    s1, st = ishigami_indices()
    assert np.all((result.first_low[0] <= s1) & (s1 <= result.first_high[0]))
    assert np.all((result.total_low[0] <= st) & (st <= result.total_high[0]))
    assert np.all(result.first_high - result.first_low < 0.15)
    assert np.all(result.total_high - result.total_low < 0.15)


def test_design_is_a_b_and_ab_blocks():
    """Rows are [A; B; AB_1..AB_d]: AB_i equals A except column i, which is B's."""
    d, n = 3, 8
    u = sobol.design(d, n, seed=1)
    a, b = u[:n], u[n:2 * n]
    assert u.shape == (n * (d + 2), d)
    for i in range(d):
        abi = u[(2 + i) * n:(3 + i) * n]
        np.testing.assert_array_equal(abi[:, i], b[:, i])
        np.testing.assert_array_equal(np.delete(abi, i, 1), np.delete(a, i, 1))


def test_constant_output_has_zero_indices_and_no_interval():
    """An output that never varies gets indices 0 and NaN interval bounds (not an error)."""
    n = 16
    res = sobol.indices(np.ones((n * 4, 1)), 2, n, resamples=50, seed=0)
    assert np.all(res.first == 0) and np.all(res.total == 0)
    assert np.all(np.isnan(res.first_low))


def test_n_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of 2"):
        sobol.design(2, 12, seed=0)
