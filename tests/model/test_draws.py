"""``poisson_from_normal`` and ``gamma_from_normal`` against the exact distributions.

Counts: the count of a draw ``z`` must be the exact Poisson quantile of ``u = Phi(z)``,
``min{k : F(k; lam) >= u}``; it is checked from that definition with scipy's CDFs (for
``z > 0`` on upper tails, ``pdtrc``, so that the check keeps its precision), on random draws,
on draws placed at the step boundaries, and in the far tails. The series the fast path starts
from is checked against its error bound on a dense grid; the law of sampled counts is
compared with ``scipy.stats.poisson`` within 5 standard errors at the sample size used.

Amounts: the relative error of ``gamma_from_normal`` against scipy's exact inversion
(``gammaincinv``) and the Kolmogorov distance of its law to the Gamma law are bounded on a
dense grid; sampled moments and a Kolmogorov-Smirnov test against ``scipy.stats.gamma``
follow.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from ipsim.model import draws
from ipsim.model.draws import (
    SERIES_FROM,
    Z_LIMIT,
    continuous_poisson_quantile,
    gamma_from_normal,
    poisson_from_normal,
    series_error_bound,
)

# means across the switch between the two exact methods, and far from it
LAMS = (0.001, 0.05, 0.3, 0.5, 1.0, 1.7, 2.5, 3.0, SERIES_FROM - 1e-9, SERIES_FROM, 4.2, 5.0,
        5.3, 7.0, 10.0, 23.0, 50.0, 200.0, 5000.0, 2e5)
N_SAMPLE = 400_000
Z_SE = 5.0  # tolerance in standard errors


def documented_bounds(lam: float) -> tuple[float, float, float]:
    """(mean, variance, total variation) error bounds of the counts at mean ``lam``: zero,
    since every count is the exact Poisson quantile of its draw."""
    return 0.0, 0.0, 0.0


def _normals(seed: int, n: int = N_SAMPLE) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


def is_exact_quantile(k: np.ndarray, z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Whether ``k = min{j : F(j; lam) >= Phi(z)}``, from the definition, elementwise.

    ``F(k) >= u`` and ``F(k - 1) < u``; for ``z > 0`` as ``S(k) <= 1 - u`` and
    ``S(k - 1) > 1 - u`` with ``S = pdtrc`` and ``1 - u = Phi(-z)`` (no rounding to 1).
    """
    k, z, lam = np.broadcast_arrays(k, z, lam)
    low = z <= 0
    u, q = special.ndtr(z), special.ndtr(-z)
    reaches = np.where(low, special.pdtr(k, lam) >= u, special.pdtrc(k, lam) <= q)
    prev = k - 1.0
    below = np.where(low, special.pdtr(prev, lam) < u, special.pdtrc(prev, lam) > q)
    return (k == np.round(k)) & reaches & ((k == 0) | below)


# -- counts: exact quantiles ----------------------------------------------------------------


@pytest.mark.parametrize("lam", LAMS)
def test_counts_are_exact_poisson_quantiles(lam):
    """Random draws: every count is the exact quantile (and equals scipy's poisson.ppf)."""
    z = _normals(11, 40_000)
    k = poisson_from_normal(z, lam)
    assert np.all(is_exact_quantile(k, z, lam))
    sel = np.abs(z) < 5  # where u = Phi(z) keeps enough digits for scipy's ppf
    assert np.array_equal(k[sel], stats.poisson.ppf(special.ndtr(z[sel]), lam))


@pytest.mark.parametrize("lam", LAMS)
def test_counts_are_exact_at_the_step_boundaries(lam):
    """Draws placed at each step of the exact quantile function, and a few ulps and 1e-12
    either side: the hardest case for the band check of the series."""
    j = np.arange(max(0, int(lam - 6 * np.sqrt(lam))), int(lam + 6 * np.sqrt(lam)) + 3,
                  dtype=float)
    edges = np.where(special.pdtr(j, lam) < 0.5, special.ndtri(special.pdtr(j, lam)),
                     -special.ndtri(special.pdtrc(j, lam)))
    edges = edges[np.isfinite(edges) & (np.abs(edges) < Z_LIMIT)]
    shifts = [0.0, 1e-12, -1e-12]
    z = np.concatenate([edges + s for s in shifts]
                       + [np.nextafter(edges, d) for d in (np.inf, -np.inf)])
    assert np.all(is_exact_quantile(poisson_from_normal(z, lam), z, lam))


def test_mixed_means_are_exact_elementwise():
    """An array mixing means on both sides of the switch, zeros included."""
    rng = np.random.default_rng(12)
    z = rng.standard_normal(100_000)
    lam = rng.choice([0.0, 0.2, 1.5, 3.0, SERIES_FROM - 1e-9, SERIES_FROM, 7.0, 40.0,
                      rng.uniform(0, 60)], z.size) * rng.uniform(0.5, 1.5, z.size)
    k = poisson_from_normal(z, lam)
    assert np.all(is_exact_quantile(k, z, lam))
    for value in (0.2, 7.0):  # each element as if alone
        sel = np.isclose(lam, value, rtol=0.5)
        assert np.array_equal(k[sel], poisson_from_normal(z[sel], lam[sel]))


@pytest.mark.parametrize("lam", (0.01, 1.0, 3.9, SERIES_FROM, 6.0, 50.0, 1e4))
def test_counts_are_exact_in_the_far_tails(lam):
    """Draws up to +-Z_LIMIT, where u = Phi(z) rounds to 1 beyond 8.3: still exact (upper
    tails compared directly); beyond Z_LIMIT the draw is clipped."""
    z = np.concatenate([np.linspace(-Z_LIMIT, Z_LIMIT, 1501), [-4.01, 4.01, -5.01, 5.01]])
    k = poisson_from_normal(z, lam)
    assert np.all(is_exact_quantile(k, z, lam))
    assert np.all(np.diff(k[:1501]) >= 0)
    assert poisson_from_normal(60.0, lam) == poisson_from_normal(Z_LIMIT, lam)


def test_zero_mean_gives_zero():
    """A zero mean gives a zero count whatever the draw (alone and next to large means)."""
    z = np.linspace(-8, 8, 101)
    assert np.all(poisson_from_normal(z, 0.0) == 0.0)
    lam = np.where(np.arange(z.size) % 2 == 0, 0.0, 50.0)
    assert np.all(poisson_from_normal(z, lam)[lam == 0] == 0.0)


def test_impossible_means_give_nan():
    """A NaN or infinite mean gives NaN (so the engine's flow checks name the mechanism),
    next to ordinary means that keep their exact counts."""
    z = np.array([0.3, -1.0, 2.0, 0.5])
    k = poisson_from_normal(z, np.array([np.nan, np.inf, 7.0, 0.5]))
    assert np.isnan(k[:2]).all()
    assert np.array_equal(k[2:], poisson_from_normal(z[2:], np.array([7.0, 0.5])))


def test_shapes_and_dtype():
    """Broadcast shape of z and lam, float64 whole numbers, a 0-d result for scalars."""
    z = _normals(3, 24).reshape(4, 6)
    k = poisson_from_normal(z, np.array([1.0, 3.0, 9.0, 30.0, 0.0, 4.0]))
    assert k.shape == (4, 6) and k.dtype == np.float64 and np.all(k == np.round(k))
    assert np.shape(poisson_from_normal(0.3, 7.0)) == ()


# -- counts: the series and its bound -------------------------------------------------------


def test_series_is_within_its_error_bound():
    """Dense grid, lam in [2, 1e4], |z| <= 4: |series - a| <= bound / 2 where the continuous
    quantile a (scipy: pdtrik / gdtrib) is above 1; where it is not (count 0), the series is
    below 1 + bound / 2. (The bound is 3.4 times the largest error measured.)"""
    z = np.linspace(-4, 4, 641)
    lam = np.geomspace(2, 1e4, 160)[:, None]
    exact = np.where(z <= 0, special.pdtrik(special.ndtr(z), lam) + 1.0,
                     special.gdtrib(1.0, special.ndtr(-z), lam))
    approx = continuous_poisson_quantile(z, lam)
    bound = series_error_bound(z, lam)
    above = exact > 1.0 + 1e-12
    assert np.all(np.abs(approx - exact)[above] <= 0.5 * bound[above])
    assert np.all((approx - 1.0)[~above] <= 0.5 * bound[~above])


def test_series_path_checks_few_draws():
    """From a mean of 5 on, fewer than 1.5 % of the draws need an exact CDF (the cost of the
    fast path); at 50 fewer than 0.02 %."""
    z = _normals(5, 200_000)
    for lam, most in ((5.0, 0.015), (50.0, 2e-4)):
        a = continuous_poisson_quantile(z, lam)
        band = series_error_bound(z, lam)
        doubt = (np.floor(a + band) >= a - band) | (np.abs(z) > 4)
        assert doubt.mean() < most, lam


# -- counts: the law ------------------------------------------------------------------------


@pytest.mark.parametrize("lam", (0.5, 1.0, 2.0, 3.0, 3.99, 4.0, 4.5, 5.0, 7.0, 10.0, 20.0,
                                 50.0))
def test_sampled_counts_follow_the_poisson_law(lam):
    """Sampled CDF at every count, mean and variance within 5 SE of scipy.stats.poisson."""
    z = _normals(int(lam * 100) + 1)
    k = poisson_from_normal(z, lam)
    n = k.size
    j = np.arange(int(lam + 6 * np.sqrt(lam)) + 2)
    cdf = stats.poisson.cdf(j, lam)
    empirical = np.searchsorted(np.sort(k), j, side="right") / n
    assert np.all(np.abs(empirical - cdf) <= Z_SE * np.sqrt(cdf * (1 - cdf) / n) + 1e-12)
    mu4 = lam * (1 + 3 * lam)  # fourth central moment of Poisson(lam)
    assert abs(k.mean() - lam) <= Z_SE * np.sqrt(lam / n)
    assert abs(k.var(ddof=1) - lam) <= Z_SE * np.sqrt((mu4 - lam ** 2) / n)


def test_five_a_month_for_36_months_is_poisson_180():
    """Issue 14: an output with exactly 5 a month; P(36-month total > 180) within 3 SE of
    scipy.stats.poisson.sf(180, 180) = 0.4802 at 200,000 paths (the former Cornish-Fisher
    counts floored at the exact quantile for a mean of 5 gave 0.4896, z = +8.4 here)."""
    paths, months = 200_000, 36
    z = np.random.default_rng(2024).standard_normal((paths, months))
    total = poisson_from_normal(z, 5.0).sum(axis=1)
    p = stats.poisson.sf(180, 180)
    assert abs((total > 180).mean() - p) <= 3 * np.sqrt(p * (1 - p) / paths)


# -- counts: monotone -------------------------------------------------------------------------


def test_poisson_is_monotone_in_z():
    """For a fixed mean the count never decreases as the normal draw increases."""
    z = np.linspace(-12, 12, 24_001)
    for lam in (*LAMS, 3.3, 17.0, 1000.0):
        assert np.all(np.diff(poisson_from_normal(z, lam)) >= 0), lam


def test_poisson_is_monotone_in_lam():
    """For a fixed draw the count never decreases as the mean increases (both methods and the
    switch between them): common random numbers."""
    z = np.linspace(-6, 6, 601)
    lams = np.unique(np.concatenate([np.linspace(0.0, 2 * SERIES_FROM, 1201),
                                     np.linspace(2 * SERIES_FROM, 250.0, 600),
                                     SERIES_FROM + np.array([-1e-12, -1e-15, 0, 1e-15])]))
    counts = poisson_from_normal(z[None, :], lams[:, None])
    assert np.all(np.diff(counts, axis=0) >= 0)


# -- amounts ---------------------------------------------------------------------------------


def _exact_gamma(z, shape):
    z, shape = np.broadcast_arrays(np.asarray(z, float), np.asarray(shape, float))
    return np.where(z <= 0, special.gammaincinv(shape, special.ndtr(z)),
                    special.gammainccinv(shape, special.ndtr(-z)))


def test_gamma_relative_error_and_law_are_bounded():
    """Dense grid of shapes (0.1 to 1e5) and |z| <= 8: relative error against scipy's exact
    inversion below GAMMA_REL_ERROR, and the Kolmogorov distance of one amount's law to the
    Gamma law, max_z |P(shape, x(z)) - Phi(z)| (upper tails for z > 0), below GAMMA_KS: the
    bound of the bias of any probability (see gamma_from_normal)."""
    z = np.linspace(-8, 8, 3201)
    shape = np.concatenate([np.geomspace(0.1, 1e5, 200), draws.GAMMA_SERIES_FROM
                            + np.array([0.0, 1e-9, 0.5, 1.0, 2.0, 4.0])])[:, None]
    x = gamma_from_normal(z, shape, 1.0)
    assert np.all(np.abs(x / _exact_gamma(z, shape) - 1.0) <= draws.GAMMA_REL_ERROR)
    ks = np.where(z <= 0, np.abs(special.gammainc(shape, x) - special.ndtr(z)),
                  np.abs(special.gammaincc(shape, x) - special.ndtr(-z)))
    assert np.all(ks <= draws.GAMMA_KS)
    assert ks[-6:].max() > draws.GAMMA_KS / 10  # the bound is not loose at the switch


def test_gamma_bias_on_a_sum_is_below_the_bound():
    """P(sum of 12 monthly loan sums <= t), series against exact amounts on the same draws:
    the paired difference of the indicator is within 12 * GAMMA_KS (here 0: no path moves)."""
    z = _normals(21, 12 * 50_000).reshape(50_000, 12)
    shape = np.random.default_rng(22).uniform(10.0, 40.0, z.shape)
    ours = gamma_from_normal(z, shape, 1.0).sum(axis=1)
    exact = _exact_gamma(z, shape).sum(axis=1)
    for t in np.quantile(exact, [0.01, 0.1, 0.5, 0.9, 0.99]):
        assert abs(np.mean(ours <= t) - np.mean(exact <= t)) <= 12 * draws.GAMMA_KS


@pytest.mark.parametrize("shape", (0.5, 1.0, 2.0, 5.0, 12.0, 20.0, 50.0, 300.0))
def test_gamma_sampled_law_matches_scipy(shape):
    """Sampled mean and variance within 5 SE, and a KS test against scipy.stats.gamma."""
    scale = 2.0e5
    x = gamma_from_normal(_normals(int(shape * 10) + 2, 200_000), shape, scale)
    n = x.size
    target = stats.gamma(shape, scale=scale)
    mu, sigma2 = target.mean(), target.var()
    se_var = sigma2 * np.sqrt((2 + 6 / shape) / n)  # excess kurtosis of Gamma is 6/shape
    assert abs(x.mean() - mu) <= Z_SE * np.sqrt(sigma2 / n)
    assert abs(x.var(ddof=1) - sigma2) <= Z_SE * se_var
    assert stats.kstest(x, target.cdf).pvalue > 1e-6


def test_gamma_is_monotone_in_shape_and_z():
    """For a fixed scale the amount never decreases in the shape nor in z, but across the
    switch of methods, by at most GAMMA_REL_ERROR relative."""
    z = np.linspace(-6, 6, 601)
    shapes = np.linspace(0.2, 300.0, 1500)
    x = gamma_from_normal(z[None, :], shapes[:, None], 1.0)
    assert np.all(np.diff(x, axis=0) >= 0)
    assert np.all(np.diff(x, axis=1) >= 0)
    edge = draws.GAMMA_SERIES_FROM
    below, at = (gamma_from_normal(z, s, 1.0) for s in (np.nextafter(edge, 0), edge))
    assert np.all(at >= below * (1 - draws.GAMMA_REL_ERROR))


def test_gamma_zero_shape_gives_zero():
    """A zero shape (no loans) gives a zero amount, with no NaN, whatever the draw."""
    z = np.linspace(-5, 5, 11)
    out = gamma_from_normal(z, np.zeros_like(z), 1e6)
    assert np.array_equal(out, np.zeros_like(z))
    mixed = gamma_from_normal(z, np.where(z > 0, 20.0, 0.0), 3.0)
    assert np.all(mixed[z <= 0] == 0) and np.all(mixed[z > 0] > 0)
