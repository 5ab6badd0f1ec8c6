"""PRIM: a planted box is found, inputs that do nothing stay out, the parts behave."""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.analysis.drivers import prim

NAMES = [f"x{i + 1}" for i in range(6)]


def planted(n: int, seed: int, noise: float = 0.0):
    """Failure exactly when x1 < 0.3 and x2 > 0.6 (with ``noise``: flipped at that rate)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, len(NAMES)))
    case = (x[:, 0] < 0.3) & (x[:, 1] > 0.6)
    if noise:
        case ^= rng.uniform(size=n) < noise
    return x, case


@pytest.fixture(scope="module")
def found():
    x, case = planted(10_000, 1)
    return x, case, prim.prim(x, case, resamples=10, seed=2)


def test_planted_box_is_recovered(found):
    """Coverage and density >= 0.9, only x1 and x2 restricted, bounds near 0.3 and 0.6."""
    x, case, r = found
    assert r.result.coverage >= 0.9 and r.result.density >= 0.9
    assert r.box.restricted().tolist() == [0, 1]
    assert r.box.high[0] == pytest.approx(0.3, abs=0.02) and np.isinf(r.box.low[0])
    assert r.box.low[1] == pytest.approx(0.6, abs=0.02) and np.isinf(r.box.high[1])
    text = prim.rule_text(r.box, NAMES, r.result)
    assert text.startswith("x1 <= 0.") and " and x2 >= 0." in text
    assert "% of the misses" in text and "% of paths inside miss" in text


def test_stability_on_resamples(found):
    _, _, r = found
    s = r.stability
    assert s["restricted_share"][:2].tolist() == [1.0, 1.0]
    assert s["restricted_share"][2:].max() == 0 and s["same_inputs"] == 1.0
    assert np.median(s["jaccard"]) > 0.9


def test_noisy_box_keeps_inert_inputs_out():
    """With 10 % of the outcomes flipped, the box is still x1 and x2 only, and denser than
    the base rate."""
    x, case = planted(10_000, 3, noise=0.1)
    r = prim.prim(x, case)
    assert r.box.restricted().tolist() == [0, 1]
    assert r.result.density > 2 * case.mean()


def test_trajectory_shrinks_and_paste_never_lowers_density():
    x, case = planted(5_000, 4, noise=0.05)
    steps = prim.peel(x, case, alpha=0.1)
    mass = [s.mass for s in steps]
    cov = [s.coverage for s in steps]
    assert np.all(np.diff(mass) < 0) and np.all(np.diff(cov) <= 0)
    assert steps[0].mass == 1 and steps[0].coverage == 1
    assert steps[-1].mass >= prim.MIN_MASS
    box = steps[prim.choose(steps)].box
    pasted = prim.paste(x, case, box, alpha=0.1)
    before = case[box.inside(x)].mean()
    assert case[pasted.inside(x)].mean() >= before


def test_prune_releases_a_restriction_that_does_nothing():
    """The planted box plus x4 <= 0.9: x4's quasi-p-value is large and it is released."""
    x, case = planted(10_000, 5)
    box = prim.Box(np.array([-np.inf, 0.6, -np.inf, -np.inf, -np.inf, -np.inf]),
                   np.array([0.3, np.inf, np.inf, 0.9, np.inf, np.inf]))
    q = prim.quasi_p(x, case, box)
    assert q[3][0] > 0.05 and q[0][0] < 1e-6 and q[1][0] < 1e-6
    pruned, sig = prim.prune(x, case, box)
    assert pruned.restricted().tolist() == [0, 1] and set(sig) == {0, 1}


def test_failure_everywhere_gives_no_box():
    rng = np.random.default_rng(6)
    x = rng.uniform(size=(3_000, 3))
    case = rng.uniform(size=3_000) < 0.97
    r = prim.prim(x, case)
    assert r.box.restricted().size == 0
    assert prim.rule_text(r.box, NAMES[:3], r.result).startswith("anywhere: 100.0 %")
