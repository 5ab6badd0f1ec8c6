"""Morris screening (ipsim.analysis.morris) on a function whose elementary effects are known."""

from __future__ import annotations

import numpy as np

from ipsim.analysis import morris


def test_morris_ranks_a_linear_a_quadratic_and_an_idle_input():
    """y = 3 x0 + x1^2 (+ 0 x2): every effect of x0 is exactly 3 (mu* = 3, sigma = 0), x2's
    are exactly 0, and x1's, (x + D)^2 - x^2) / D = 2 x + D with D = 2/3 on the 4-level grid,
    lie in [D, 2 - D], so the ranking is x0 > x1 > x2."""
    x = morris.design(3, 30, seed=5)
    y = 3 * x[:, 0] + x[:, 1] ** 2
    res = morris.effects(x, y, seed=6)
    mu_star, sigma = res.mu_star[0], res.sigma[0]
    delta = morris.LEVELS / (2 * (morris.LEVELS - 1))
    np.testing.assert_allclose([mu_star[0], sigma[0], mu_star[2], sigma[2]], [3, 0, 0, 0],
                               atol=1e-12)
    assert delta - 1e-12 <= mu_star[1] <= 2 - delta + 1e-12
    assert res.trajectories == 30 and res.mu_star.shape == (1, 3)


def test_each_output_is_analysed_separately():
    """Two outputs: the second is the first with the inputs' roles swapped."""
    x = morris.design(2, 10, seed=1)
    y = np.column_stack([2 * x[:, 0], 2 * x[:, 1]])
    res = morris.effects(x, y, seed=2)
    np.testing.assert_allclose(res.mu_star, [[2, 0], [0, 2]], atol=1e-12)
