"""``poisson_from_normal`` and ``gamma_from_normal`` against ``scipy.stats``.

Two kinds of check. *Exact*: the distribution the sampler induces on a standard normal is
computed without sampling (for the Poisson counts, from the boundaries of the monotone step
function ``z -> k``, found by bisection on the implementation itself; for the Gamma amounts,
by numerical integration against the normal density), and compared with the documented
bounds. *Sampled*: moments of fixed-seed draws are compared with scipy's within the
documented bound plus 5 standard errors computed from the sample size.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special, stats

from ipsim.model.draws import EXACT_POISSON_BELOW, gamma_from_normal, poisson_from_normal

SWITCH = EXACT_POISSON_BELOW
SMALL_LAMS = tuple(lam for lam in (0.001, 0.05, 0.3, 1.0, 1.7, 2.5, 2.999, 3.0, 4.2, 4.999)
                   if lam < SWITCH)
BRIEF_LAMS = (3.0, 5.0, 10.0, 30.0, 100.0)
CF_LAMS = tuple(sorted({max(lam, SWITCH) for lam in (5.0, 5.5, 6.0, 7.0, 10.0, 30.0, 100.0)}))
N_SAMPLE = 400_000
Z_SE = 5.0  # tolerance in standard errors


def documented_bounds(lam: float) -> tuple[float, float, float]:
    """(mean, variance, total variation) error bounds that draws.py documents for ``lam``.

    Relative mean error below 2.5e-3 at lam = 5 and 5e-4 from lam = 6 on, relative variance
    error below 0.5 %, total variation below 1.5 %; zero below the switch (exact inversion).
    """
    if lam < SWITCH:
        return 0.0, 0.0, 0.0
    return (2.5e-3 if lam < 6 else 5e-4), 0.005, 0.015


def _normals(seed: int, n: int = N_SAMPLE) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


def _exact_pmf(lam: float) -> tuple[np.ndarray, float]:
    """pmf of ``poisson_from_normal(Z, lam)`` for Z ~ N(0, 1) on 0..jmax, and P(k > jmax).

    ``k(z)`` is a non-decreasing step function of ``z`` (checked in
    ``test_poisson_is_monotone_in_z``), so ``P(k <= j) = Phi(b_j)`` with ``b_j`` the edge of
    the step; each edge is located by bisection to float precision.
    """
    jmax = int(lam + 15 * np.sqrt(lam) + 40)
    j = np.arange(jmax + 1, dtype=float)
    lo, hi = np.full(j.size, -40.0), np.full(j.size, 40.0)
    assert np.all(poisson_from_normal(lo, lam) <= j) and np.all(poisson_from_normal(hi, lam) > j)
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        below = poisson_from_normal(mid, lam) <= j
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    cdf = special.ndtr(lo)
    pmf = np.diff(cdf, prepend=0.0)
    return pmf, float(special.ndtr(-lo[-1]))


def _exact_moments(lam: float) -> tuple[float, float, float]:
    """Mean, variance and total-variation distance to Poisson(lam) of the sampler, exactly."""
    pmf, tail = _exact_pmf(lam)
    assert tail < 1e-15
    j = np.arange(pmf.size)
    mean = float(np.sum(j * pmf))
    var = float(np.sum((j - mean) ** 2 * pmf))
    target = stats.poisson(lam)
    tv = 0.5 * (np.abs(pmf - target.pmf(j)).sum() + abs(tail - target.sf(j[-1])))
    return mean, var, float(tv)


# -- Poisson, exact branch ------------------------------------------------------------------


@pytest.mark.parametrize("lam", SMALL_LAMS)
def test_small_means_equal_scipy_quantile(lam):
    """Below EXACT_POISSON_BELOW the count is exactly scipy.stats.poisson.ppf(Phi(z), lam)."""
    assert lam < SWITCH
    z = _normals(11, 200_000)
    expected = stats.poisson.ppf(special.ndtr(z), lam)
    assert np.array_equal(poisson_from_normal(z, lam), expected)


def test_small_means_mixed_array_equal_scipy_quantile():
    """With a different mean on every draw (the compacting search) the counts are still exact."""
    rng = np.random.default_rng(12)
    z = rng.standard_normal(200_000)
    lam = rng.uniform(0.0, SWITCH, z.size)
    assert np.array_equal(poisson_from_normal(z, lam), stats.poisson.ppf(special.ndtr(z), lam))


def test_zero_mean_gives_zero():
    """A zero mean gives a zero count whatever the draw (alone and next to large means)."""
    z = np.linspace(-8, 8, 101)
    assert np.all(poisson_from_normal(z, 0.0) == 0.0)
    lam = np.where(np.arange(z.size) % 2 == 0, 0.0, 50.0)
    assert np.all(poisson_from_normal(z, lam)[lam == 0] == 0.0)


def test_mixed_branches_match_elementwise():
    """An array mixing means below and above the switch gives each element its own branch."""
    rng = np.random.default_rng(13)
    z = rng.standard_normal(20_000)
    lam = rng.choice([0.2, 1.5, 2.9, 3.0, SWITCH - 1e-9, SWITCH, 7.0, 40.0], z.size)
    mixed = poisson_from_normal(z, lam)
    for value in np.unique(lam):
        sel = lam == value
        assert np.array_equal(mixed[sel], poisson_from_normal(z[sel], value))


# -- Poisson, Cornish-Fisher branch -----------------------------------------------------------


@pytest.mark.parametrize("lam", CF_LAMS)
def test_cornish_fisher_exact_moments_within_documented_bounds(lam):
    """Exact mean, variance and total variation to Poisson(lam) are within the documented
    bounds (which also meet the 1 % variance and 1.5 % total-variation requirement)."""
    mean, var, tv = _exact_moments(lam)
    bound_mean, bound_var, bound_tv = documented_bounds(lam)
    assert abs(mean - lam) / lam < bound_mean
    assert abs(var - lam) / lam < min(bound_var, 0.01)
    assert tv < min(bound_tv, 0.015)


@pytest.mark.parametrize("lam", BRIEF_LAMS)
def test_sampled_moments_match_scipy(lam):
    """Sampled mean and variance match scipy.stats.poisson within the documented bound + 5 SE."""
    z = _normals(int(lam * 10) + 1)
    k = poisson_from_normal(z, lam)
    n = k.size
    target = stats.poisson(lam)
    mu, sigma2 = target.mean(), target.var()
    mu4 = lam * (1 + 3 * lam)  # fourth central moment of Poisson(lam)
    se_mean = np.sqrt(sigma2 / n)
    se_var = np.sqrt((mu4 - sigma2 ** 2) / n)
    bound_mean, bound_var, _ = documented_bounds(lam)
    assert abs(k.mean() - mu) <= bound_mean * mu + Z_SE * se_mean
    assert abs(k.var(ddof=1) - sigma2) <= bound_var * sigma2 + Z_SE * se_var


def test_exact_moments_agree_with_sampling():
    """The bisection-derived pmf is the sampler's distribution (chi-square, fixed seed)."""
    lam = 7.0
    pmf, _ = _exact_pmf(lam)
    k = poisson_from_normal(_normals(14), lam).astype(int)
    observed = np.bincount(k, minlength=pmf.size)[:pmf.size].astype(float)
    expected = pmf * k.size
    keep = expected >= 5  # pool the thin tails into one bin
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    exp *= obs.sum() / exp.sum()
    assert stats.chisquare(obs, exp).pvalue > 1e-6


def test_poisson_is_monotone_in_z():
    """For a fixed mean the count never decreases as the normal draw increases."""
    z = np.linspace(-12, 12, 24_001)
    for lam in (*SMALL_LAMS, *CF_LAMS, 3.3, 17.0, 1000.0):
        k = poisson_from_normal(z[np.abs(z) <= (7 if lam < SWITCH else 12)], lam)
        assert np.all(np.diff(k) >= 0), lam


def test_poisson_is_monotone_in_lam():
    """For a fixed draw (|z| <= 6) the count never decreases as the mean increases (both
    methods and the switch between them)."""
    z = np.linspace(-6, 6, 2401)
    lams = np.unique(np.concatenate([np.linspace(0.0, 2 * SWITCH, 2001),
                                     np.linspace(2 * SWITCH, 250.0, 1500)]))
    counts = np.stack([poisson_from_normal(z, lam) for lam in lams])
    assert np.all(np.diff(counts, axis=0) >= 0)


def test_poisson_is_monotone_across_the_switch():
    """The largest mean below the switch never gives a larger count than the switch itself."""
    z = np.linspace(-6, 6, 120_001)
    below = poisson_from_normal(z, np.nextafter(SWITCH, 0.0))
    at = poisson_from_normal(z, SWITCH)
    assert np.all(at >= below)


# -- Gamma -------------------------------------------------------------------------------------

SHAPES = (1.0, 1.5, 2.0, 5.0, 20.0, 100.0)


@pytest.mark.parametrize("shape", SHAPES)
def test_gamma_exact_moments_within_one_percent(shape):
    """Mean and variance of the Wilson-Hilferty amounts (by quadrature) are within 1 % of Gamma."""
    scale = 3.7
    phi = stats.norm.pdf

    def moment(power):
        return integrate.quad(lambda z: gamma_from_normal(z, shape, scale) ** power * phi(z),
                              -np.inf, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]

    mean = moment(1)
    var = moment(2) - mean ** 2
    target = stats.gamma(shape, scale=scale)
    assert abs(mean / target.mean() - 1) < 0.01
    assert abs(var / target.var() - 1) < 0.01


@pytest.mark.parametrize("shape", SHAPES)
def test_gamma_sampled_moments_match_scipy(shape):
    """Sampled mean and variance match scipy.stats.gamma within 1 % + 5 SE."""
    scale = 2.0e5
    x = gamma_from_normal(_normals(int(shape * 10) + 2), shape, scale)
    n = x.size
    target = stats.gamma(shape, scale=scale)
    mu, sigma2 = target.mean(), target.var()
    se_mean = np.sqrt(sigma2 / n)
    se_var = sigma2 * np.sqrt((2 + 6 / shape) / n)  # excess kurtosis of Gamma is 6/shape
    assert abs(x.mean() - mu) <= 0.01 * mu + Z_SE * se_mean
    assert abs(x.var(ddof=1) - sigma2) <= 0.01 * sigma2 + Z_SE * se_var


def test_gamma_is_monotone_in_shape_and_z():
    """For a fixed scale the amount never decreases in the shape (shape >= 1) nor in z."""
    z = np.linspace(-6, 6, 1201)
    shapes = np.linspace(1.0, 300.0, 3000)
    x = np.stack([gamma_from_normal(z, s, 1.0) for s in shapes])
    assert np.all(np.diff(x, axis=0) >= 0)
    assert np.all(np.diff(x, axis=1) >= 0)


def test_gamma_zero_shape_gives_zero():
    """A zero shape (no loans) gives a zero amount, with no NaN, whatever the draw."""
    z = np.linspace(-5, 5, 11)
    out = gamma_from_normal(z, np.zeros_like(z), 1e6)
    assert np.array_equal(out, np.zeros_like(z))
