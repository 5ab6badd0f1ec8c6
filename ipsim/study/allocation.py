"""The allocations an optimiser may propose: searched shares, bounds, the sum, a feasible map.

A search space fixes which ``policy.allocation`` shares move (the others keep the scenario's
values), each one's bounds ``[low, high]`` within [0, 1], and the sum the moving shares may
take: at most ``1 - (the fixed shares)`` (whatever is left unallocated buys nothing), or, with
``keep_total``, exactly the sum they have in the scenario. Optionally the fast-track share
moves too (it is not money: no sum).

The optimiser works on the unit cube: a point ``z`` in [0, 1]^d is first scaled to the
bounds, ``y = low + z (high - low)``, then mapped to the nearest feasible allocation in the
Euclidean sense (:meth:`Space.shares`): ``x = clip(y - lam, low, high)`` with the one
``lam`` that makes the sum right (``lam = 0`` when ``y`` already sums to at most the cap).
``sum(clip(y - lam, low, high))`` is continuous, piecewise linear and non-increasing in
``lam``, so ``lam`` is found exactly from its breakpoints. The map is continuous and the
identity on the feasible set, so every candidate the optimiser proposes is a feasible
allocation and every feasible allocation can be proposed: no candidate is ever rejected or
repaired after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ipsim.errors import ArgumentError
from ipsim.model import registry
from ipsim.scenario.params import Scenario

__all__ = ["Space", "space", "project", "on_lattice", "ALLOCATION", "FAST_TRACK", "TOLERANCE",
           "LATTICE"]

ALLOCATION = "policy.allocation."
FAST_TRACK = "fast_track_share"
TOLERANCE = 1e-9
"""Slack allowed on a sum or a bound (the scenario validator allows the same)."""
LATTICE = 1_000_000
"""Shares are multiples of ``1 / LATTICE`` (150 yuan of 150 million): a variant file writes
them exactly (six significant digits), so the file runs the very allocation evaluated."""


def project(y: np.ndarray, low: np.ndarray, high: np.ndarray, total: float,
            exact: bool) -> np.ndarray:
    """The point nearest to ``y`` with ``low <= x <= high`` and ``sum(x) <= total`` (or
    ``== total`` when ``exact``); ``sum(low) <= total <= sum(high)`` must hold."""
    x = np.clip(y, low, high)
    if not len(x) or (not exact and x.sum() <= total):
        return x
    lams = np.sort(np.concatenate([y - high, y - low]))
    sums = np.array([np.clip(y - lam, low, high).sum() for lam in lams])  # non-increasing
    k = int(np.searchsorted(-sums, -total, side="left"))  # first breakpoint with sum <= total
    if k == 0:
        lam = lams[0]
    elif k == len(lams):
        lam = lams[-1]
    else:
        s0, s1 = sums[k - 1], sums[k]
        lam = lams[k] if s0 == s1 else lams[k - 1] + (s0 - total) / (s0 - s1) * (lams[k]
                                                                                   - lams[k - 1])
    return np.clip(y - lam, low, high)


def on_lattice(x: np.ndarray, low: np.ndarray, high: np.ndarray, total: float,
               exact: bool) -> np.ndarray:
    """Feasible ``x`` moved to multiples of ``1 / LATTICE`` keeping the bounds and the sum
    (largest remainders; unchanged when a bound or the sum is off the lattice)."""
    u = LATTICE
    grid = np.concatenate([low, high, [total]]) * u
    if not len(x) or np.any(np.abs(grid - np.round(grid)) > 1e-6):
        return x
    lo, hi, tot = np.round(low * u), np.round(high * u), round(total * u)
    q = np.clip(np.floor(x * u + 1e-9), lo, hi)
    rest = x * u - q
    if not exact:
        tot = min(tot, int(np.floor(x.sum() * u + 1e-6)))
    while q.sum() < tot:           # hand out the units the floors lost
        room = np.where(q < hi, rest, -np.inf)
        q[int(np.argmax(room))] += 1
        rest[int(np.argmax(room))] = -np.inf
    while q.sum() > tot:
        room = np.where(q > lo, -rest, -np.inf)
        q[int(np.argmax(room))] -= 1
    return q / u


@dataclass(frozen=True)
class Space:
    """Which shares move, within which bounds, and to what sum (see the module docstring).

    Attributes
    ----------
    levers : tuple of str
        The moving allocation shares (lever names).
    low, high : numpy.ndarray
        Their bounds (shares of each tranche).
    total : float
        The sum they may take: at most (``keep_total`` False) or exactly.
    keep_total : bool
        Whether the sum is kept at the scenario's.
    fast_track : tuple of float or None
        Bounds of the fast-track share when it moves too (the last coordinate).
    """

    levers: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    total: float
    keep_total: bool
    fast_track: tuple[float, float] | None = None

    @property
    def keys(self) -> list[str]:
        """The key paths of the coordinates, in order."""
        return [ALLOCATION + lv for lv in self.levers] + (
            [f"policy.{FAST_TRACK}"] if self.fast_track else [])

    @property
    def dim(self) -> int:
        return len(self.keys)

    def values(self, z: np.ndarray) -> np.ndarray:
        """(m, dim) feasible values (shares, then the fast-track share) of points ``z`` of
        the unit cube ((m, dim) or (dim,))."""
        z = np.clip(np.atleast_2d(np.asarray(z, dtype=float)), 0.0, 1.0)
        k = len(self.levers)
        y = self.low + z[:, :k] * (self.high - self.low)
        args = (self.low, self.high, self.total, self.keep_total)
        out = np.array([on_lattice(project(row, *args), *args) for row in y]).reshape(len(z), k)
        if self.fast_track:
            lo, hi = self.fast_track
            f = np.clip(np.round((lo + z[:, k] * (hi - lo)) * LATTICE) / LATTICE, lo, hi)
            out = np.column_stack([out, f])
        return out

    def cube(self, values: np.ndarray) -> np.ndarray:
        """The point of the unit cube that :meth:`values` maps to ``values`` (feasible)."""
        v = np.atleast_2d(np.asarray(values, dtype=float))
        span = np.where(self.high > self.low, self.high - self.low, 1.0)
        z = (v[:, :len(self.levers)] - self.low) / span
        if self.fast_track:
            lo, hi = self.fast_track
            z = np.column_stack([z, (v[:, -1] - lo) / (hi - lo if hi > lo else 1.0)])
        return np.clip(z, 0.0, 1.0)

    def feasible(self, values: np.ndarray) -> bool:
        """Whether every row of ``values`` keeps the bounds and the sum."""
        v = np.atleast_2d(np.asarray(values, dtype=float))
        s = v[:, :len(self.levers)]
        ok = bool(np.all(s >= self.low - TOLERANCE) and np.all(s <= self.high + TOLERANCE))
        sums = s.sum(axis=1)
        ok &= bool(np.all(np.abs(sums - self.total) <= TOLERANCE) if self.keep_total
                   else np.all(sums <= self.total + TOLERANCE))
        if self.fast_track:
            lo, hi = self.fast_track
            ok &= bool(np.all((v[:, -1] >= lo - TOLERANCE) & (v[:, -1] <= hi + TOLERANCE)))
        return ok

    def overrides(self, row: np.ndarray) -> dict[str, float]:
        """Key path -> value of one row of :meth:`values` (what a variant file holds)."""
        return {k: float(v) for k, v in zip(self.keys, row, strict=True)}


def space(scenario: Scenario, levers: Sequence[str] | None = None,
          bounds: Mapping[str, tuple[float, float]] | None = None,
          keep_total: bool = False) -> Space:
    """The search space of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        Its allocation gives the fixed shares, the starting point and, with ``keep_total``,
        the sum.
    levers : sequence of str, optional
        The moving shares (lever names, or key paths ``policy.allocation.<lever>``), plus
        optionally ``fast_track_share``; default every lever of the allocation.
    bounds : mapping, optional
        Lever -> ``(low, high)`` within [0, 1] (default ``(0, 1)``).
    keep_total : bool
        Keep the scenario's sum of the moving shares (default: at most 1 in all).

    Raises
    ------
    ArgumentError
        An unknown lever (``shares``), a bound outside [0, 1] or of a lever that does not
        move, or bounds no allocation can meet (``bounds``).
    """
    known = [lv.name for lv in registry.levers()]
    names = list(known) if levers is None else [
        n.removeprefix(ALLOCATION).removeprefix("policy.") for n in levers]
    fast = FAST_TRACK in names
    shares = [n for n in names if n != FAST_TRACK]
    for n in shares:
        if n not in known:
            raise ArgumentError("shares", f"no lever '{n}'; levers: {', '.join(known)}, "
                                f"{FAST_TRACK}", value=n)
    if len(set(names)) < len(names) or not names:
        raise ArgumentError("shares", "name each lever once, at least one",
                            value=",".join(names))
    bounds = {k.removeprefix(ALLOCATION).removeprefix("policy."): v
              for k, v in (bounds or {}).items()}
    for k, (lo, hi) in bounds.items():
        if k not in names:
            raise ArgumentError("bounds", f"'{k}' is not searched (searched: "
                                f"{', '.join(names)})", value=k)
        if not 0.0 <= lo <= hi <= 1.0:
            raise ArgumentError("bounds", "needs 0 <= LO <= HI <= 1 (shares of each tranche)",
                                value=f"{k}={lo}:{hi}")
    alloc = scenario.policy.allocation
    fixed = sum(v for k, v in alloc.items() if k not in shares)
    low = np.array([bounds.get(n, (0.0, 1.0))[0] for n in shares])
    high = np.array([bounds.get(n, (0.0, 1.0))[1] for n in shares])
    total = sum(alloc.get(n, 0.0) for n in shares) if keep_total else 1.0 - fixed
    if low.sum() > total + TOLERANCE or (keep_total and high.sum() < total - TOLERANCE):
        raise ArgumentError("bounds", f"no allocation meets these bounds: the searched "
                            f"shares must sum to {'exactly' if keep_total else 'at most'} "
                            f"{total:.4g}, the bounds allow {low.sum():.4g} to "
                            f"{high.sum():.4g}")
    return Space(tuple(shares), low, np.minimum(high, max(total, 0.0)), total, keep_total,
                 bounds.get(FAST_TRACK, (0.0, 1.0)) if fast else None)
