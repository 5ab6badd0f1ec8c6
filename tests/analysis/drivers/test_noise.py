"""The parameters' share of the indicator's variance: a lower bound, close when it can be."""

from __future__ import annotations

import numpy as np

from ipsim.analysis.drivers.noise import parameter_share


def test_interaction_share_is_a_close_lower_bound():
    """P(met | theta) = u1 u2 (an interaction, no single input explains it), 15 inert
    inputs: S_theta = Var(u1 u2) / (p (1 - p)) = (1/9 - 1/16) / (3/16) = 7/27. The estimate
    is not above it beyond its interval and recovers at least 85 % of it; the noise share's
    upper bound is then at most 1 - 0.85 * 7/27."""
    rng = np.random.default_rng(11)
    n = 100_000
    u = rng.uniform(size=(n, 17))
    met = rng.uniform(size=n) < u[:, 0] * u[:, 1]
    truth = 7 / 27
    r = parameter_share(u, met, seed=1)
    assert r.low[0] <= truth + 0.005 and r.value[0] >= 0.85 * truth
    assert r.joint_inputs[0] >= 2
    assert r.noise_upper[0] <= 1 - 0.85 * truth


def test_additive_share_and_pure_noise():
    """P(met | theta) = 0.2 + 0.4 u1 + 0.3 u2: S_theta = (0.16 + 0.09) / 12 / (p (1 - p)),
    p = 0.55; and an outcome that depends on no input: share near 0."""
    rng = np.random.default_rng(12)
    n = 60_000
    u = rng.uniform(size=(n, 6))
    met = np.column_stack([rng.uniform(size=n) < 0.2 + 0.4 * u[:, 0] + 0.3 * u[:, 1],
                           rng.uniform(size=n) < 0.3])
    truth = 0.25 / 12 / (0.55 * 0.45)
    r = parameter_share(u, met, seed=2)
    assert r.low[0] <= truth + 0.005 and r.value[0] >= 0.9 * truth
    assert r.value[1] < 0.002 and r.noise_upper[1] > 0.998
