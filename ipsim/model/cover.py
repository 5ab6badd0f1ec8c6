"""Whole-loan cover under a lending capacity: how many of a month's loans the pool covers.

The contract (``docs/model.md``, "The pool's accounting"): loans are covered whole, in the
order they are made, while the capacity left covers the next one; the first loan that does
not fit ends the cover until the capacity is reviewed (the next month). With ``n`` loans of
total amount ``s`` and capacity ``R``, the covered ones are the first ``K`` with
``S_K <= R < S_(K+1)`` (``S_j`` the running total), all ``n`` when ``s <= R``.

For loan amounts with a gamma law of integer shape ``k`` (Erlang: each loan the sum of ``k``
exponential parts), the expected number and amount covered, given ``n`` and ``s``, have a
closed form: given the total, the ``n k - 1`` inner ends of the parts are uniform on
``[0, s]``, so the number ``M`` of them below ``R`` is ``Binomial(n k - 1, R / s)``, the
loans covered are ``K = floor(M / k)``, and the ``M`` points below ``R`` are uniform on
``[0, R]``, so ``E[S_K | M] = R K k / (M + 1)``. Hence

``E[K] = E[floor(M/k)]``,   ``E[S_K] = R k E[floor(M/k) / (M + 1)]``,

both sums over the binomial law, computed from its generating functions
``E[w^M] = (q + p w)^N`` and ``E[w^M / (M + 1)] = ((q + p w)^(N+1) - q^(N+1)) / ((N+1) p w)``
at the ``k``-th roots of unity (``floor(m/k) = (m - m mod k) / k``, and ``m mod k`` is a
finite Fourier sum over them). This is what lets the vectorised engine follow the contract
exactly in expectation without drawing the loans one by one.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["expected_cover", "MAX_SHAPE"]

MAX_SHAPE = 10
"""Largest loan shape (``pledge.loan_shape``, a whole number) the closed form is used for."""


@functools.lru_cache(maxsize=MAX_SHAPE)
def _roots(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k``-th roots of unity other than 1, and ``c_j = sum_r r w_j^-r`` for each; real
    for ``k = 2`` (``w = -1``, ``c = -1``), so that the common loan shape is computed in real
    arithmetic (with :func:`_root_terms`' signed power: 0.9 against 1.3-1.6 ms for 8,192
    paths, and no rounding of a zero imaginary part)."""
    if k == 2:
        return np.array([-1.0]), np.array([-1.0])
    j = np.arange(1, k)
    w = np.exp(2j * np.pi * j / k)
    r = np.arange(k)
    c = (r[None, :] * w[:, None] ** (-r[None, :])).sum(axis=1)
    return w, c


def _root_terms(p, q, nn, log_q, w):
    """``E[w^M]``, ``E[w^M / (M + 1)]`` and ``E[w^M / (M + 2)]`` of ``M ~ Binomial(nn, p)``
    at the root(s) of unity ``w`` (``q = 1 - p``, ``log_q = log(q)``)."""
    x = p * w                                           # p w
    base = q + x                                        # q + p w
    if np.isrealobj(base):
        # w = -1: a power of a negative base is 15 times slower than of its absolute
        # value, so |base|^nn with the sign (-1)^nn (nn is a whole number)
        phi = np.abs(base) ** nn
        half = nn * 0.5
        odd = half != np.floor(half)                    # (np.fmod is 10 times slower)
        odd &= base < 0.0
        np.negative(phi, out=phi, where=odd)
    else:
        phi = base ** nn                                # E[w^M]
    q1 = np.exp((nn + 1.0) * log_q)                     # q^(N+1)
    q2 = q1 * q                                         # q^(N+2)
    psi1 = (base * phi - q1) / ((nn + 1.0) * x)
    psi2 = ((base * base * phi - q2) / (nn + 2.0) - q * (base * phi - q1) / (nn + 1.0)) / (x * x)
    return phi, psi1, psi2


def expected_cover(n, total, room, shape: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected number, amount and sum of squared amounts of ``n`` loans covered whole, in
    order, within ``room``.

    Parameters
    ----------
    n : numpy.ndarray
        Loans (whole numbers >= 0), ``(paths,)``.
    total : numpy.ndarray
        Their total amount (yuan), ``(paths,)``.
    room : numpy.ndarray
        The capacity left (yuan), ``(paths,)``.
    shape : int
        Gamma shape of one loan's amount, a whole number in ``1..MAX_SHAPE``.

    Returns
    -------
    count, amount, square : numpy.ndarray
        ``E[K]``, ``E[S_K]`` and ``E[sum_(j<=K) X_j^2]`` given ``n`` and ``total`` (see the
        module docstring; a covered loan is ``k`` of the ``M + 1`` spacings of ``M`` uniform
        points on ``[0, R]``, so ``E[X_j^2 | M] = R^2 k (k+1) / ((M+1)(M+2))``); ``n``,
        ``total`` and ``total^2 (k+1) / (n k + 1)`` where everything fits, 0 where there is
        no room.
    """
    k = int(shape)
    if not (k == shape and 1 <= k <= MAX_SHAPE):
        raise ValueError(f"loan shape must be a whole number in 1..{MAX_SHAPE}, got {shape}")
    n, total, room = np.broadcast_arrays(*(np.asarray(x, float) for x in (n, total, room)))
    fits = total <= room
    partial = ~fits & (room > 0) & (n > 0)
    p = np.where(partial, room / np.where(partial, total, 1.0), 0.5)
    big_n = np.where(partial, n * k - 1.0, 0.0)
    q = 1.0 - p
    log_q = np.log1p(-p)
    # E[1 / (M + 1)] and E[1 / (M + 2)], written to keep their precision when p is small
    # (q^(N+2) - 1 = q (q^(N+1) - 1) - p: one expm1 for both, no cancellation)
    e1 = np.expm1((big_n + 1.0) * log_q)               # q^(N+1) - 1
    e2 = q * e1 - p                                     # q^(N+2) - 1
    inv1 = -e1 / ((big_n + 1.0) * p)
    inv2 = (-e2 / (big_n + 2.0) + q * e1 / (big_n + 1.0)) / (p * p)
    c0 = (k - 1) / 2.0                                  # the root w = 1 of E[(M mod k) ...]
    rem, rem1, rem2 = np.full(p.shape, c0), c0 * inv1, c0 * (inv1 - inv2)
    if k > 1:
        w, c = _roots(k)
        if k == 2:      # one real root: (paths,) arrays, no trailing axis, no complex
            terms = _root_terms(p, q, big_n, log_q, w[0])
            phi, psi1, psi2 = (t * c[0] for t in terms)
        else:
            terms = _root_terms(p[..., None], q[..., None], big_n[..., None],
                                log_q[..., None], w)
            phi, psi1, psi2 = ((t @ c).real for t in terms)
        rem = rem + phi / k
        rem1 = rem1 + psi1 / k
        rem2 = rem2 + (psi1 - psi2) / k
    count = (big_n * p - rem) / k                                  # E[floor(M/k)]
    amount = room * (1.0 - inv1 - rem1)                            # R k E[floor(M/k)/(M+1)]
    per = (2.0 * inv2 - inv1) - rem2               # k E[floor(M/k) / ((M+1)(M+2))]
    square = room * room * (k + 1.0) * per
    count = np.where(fits, n, np.where(partial, np.maximum(count, 0.0), 0.0))
    amount = np.where(fits, total, np.where(partial, np.clip(amount, 0.0, room), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        whole = total * total * (k + 1.0) / (n * k + 1.0)
    square = np.where(fits, np.where(n > 0, whole, 0.0),
                      np.where(partial, np.clip(square, 0.0, room * amount), 0.0))
    return count, amount, square
