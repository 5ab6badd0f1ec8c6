"""Patents: grants of every month as one product against the lag kernel."""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.model import patents


def _filings(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    filed = rng.uniform(1e3, 3e3, (n, patents.MAX_LAG))
    apps = rng.uniform(1e3, 3e3, (36, n))
    return filed, apps


def _params(**kw):
    values = {p.name: p.default for p in patents.PARAMS} | kw
    return patents.PatentsParameters(**values)


def test_grants_equal_the_monthly_lag_sum():
    """grants_m = q sum_l pmf(l) filings(m - l), both tracks, checked month by month."""
    n, H, L = 5, 36, patents.MAX_LAG
    filed, apps = _filings(n)
    p = _params()
    f, q = 0.3, np.linspace(0.4, 0.6, n)
    got = patents.grants_by_month(filed, apps, f, q, patents.lag_matrices(p, H))
    pmf = patents.kernels(p)
    for m in range(1, H + 1):
        want = np.zeros(n)
        for lag in range(1, L):
            month = m - lag
            if month <= 0:
                if month > -L:
                    want += pmf[0, lag] * filed[:, month % L]
            else:
                want += pmf[0, lag] * apps[month - 1] * (1 - f) + pmf[1, lag] * apps[month - 1] * f
        np.testing.assert_allclose(got[m - 1], q * want, rtol=1e-13)


@pytest.mark.parametrize("n, offset", [(1, 0), (7, 3), (4095, 1), (4097, 0), (9000, 5)])
def test_grants_of_a_path_do_not_depend_on_the_other_paths(n, offset):
    """Bit-identity across chunk sizes and batch layouts: a path's grants are the same bits
    however many paths are computed with it and wherever it sits."""
    filed, apps = _filings(10_000)
    p = _params()
    f = np.random.default_rng(1).uniform(0, 1, 10_000)
    m = patents.lag_matrices(p, 36)
    ref = patents.grants_by_month(filed, apps, f, 0.5, m)
    rows = slice(offset, offset + n)
    part = patents.grants_by_month(filed[rows], apps[:, rows], f[rows], 0.5, m)
    assert np.array_equal(part, ref[:, rows])
    copied = patents.grants_by_month(filed[rows].copy(), apps[:, rows].copy(), f[rows].copy(),
                                     0.5, m)
    assert np.array_equal(copied, ref[:, rows])
