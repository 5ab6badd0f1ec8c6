"""Many parameter sets in one vectorised run, every set on the same random numbers.

A sensitivity analysis evaluates the model at thousands of parameter sets, each on the same
``paths`` paths (common random numbers: a set's paths use the random numbers of paths
``0..paths-1`` of an ordinary run with the same seed). One engine call has a fixed cost of
about 0.1 s (the monthly loop of array operations), so small sets are simulated together:
the sets are laid end to end along the path axis, each uncertain parameter becomes a
per-path array (the set's value repeated ``paths`` times), and the random numbers of the
first ``paths`` paths are drawn once and repeated for every set (:class:`RepeatedStreams`).
A set's paths are the same, bit for bit, whichever sets it is simulated with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ipsim.engines.common import has_gate
from ipsim.engines.streams import BLOCK, Streams, block_sizes
from ipsim.engines.vectorised import simulate_streams
from ipsim.model.paths import IndicatorPaths
from ipsim.scenario.params import FrozenMap, Policy, Scenario

__all__ = ["RepeatedStreams", "simulate_sets", "simulate_policies", "batchable",
           "POLICY_KEYS"]

POLICY_KEYS = ("policy.allocation.<lever>", "policy.fast_track_share", "policy.budget")
"""The policy settings :func:`simulate_policies` can vary set by set (``policy.budget``
scales every tranche in proportion)."""


class RepeatedStreams:
    """The named streams of paths ``0..paths-1`` of a run, repeated ``copies`` times.

    Has the interface the vectorised engine uses of :class:`~ipsim.engines.streams.Streams`
    (``n``, ``normal``, ``normals``, ``uniform``); the numbers are drawn once and tiled.

    Parameters
    ----------
    seed : int
        The run's seed (>= 0).
    paths : int
        Paths of the run (>= 1).
    copies : int
        How many times they are repeated (>= 1).
    first_block, n_blocks : int, optional
        Only these blocks of the run (a chunk; default: every block): the copies are then
        paths ``first_block * BLOCK ..`` of the run.
    """

    def __init__(self, seed: int, paths: int, copies: int, first_block: int = 0,
                 n_blocks: int | None = None):
        n_blocks = -(-paths // BLOCK) - first_block if n_blocks is None else n_blocks
        self._one = Streams(seed, first_block, block_sizes(paths, first_block, n_blocks))
        self.copies = copies
        self.n = self._one.n * copies

    def normal(self, name: str, k: int) -> np.ndarray:
        """Next ``(paths * copies, k)`` standard normals of stream ``name``."""
        return np.tile(self._one.normal(name, k), (self.copies, 1))

    def normals(self, name: str, k: int, months: int) -> np.ndarray:
        """Next ``months`` months of ``(paths * copies, k)`` normals, ``(months, paths * copies,
        k)``."""
        return np.tile(self._one.normals(name, k, months), (1, self.copies, 1))

    def uniform(self, name: str) -> np.ndarray:
        """Next ``(paths * copies,)`` uniforms on [0, 1) of stream ``name``."""
        return np.tile(self._one.uniform(name), self.copies)


def batchable(scenario: Scenario) -> bool:
    """Whether several sets may share one engine call.

    The mid-term gate judges progress against each target's baseline averaged over the
    paths of the call; only the year-0 grants depend on a parameter (``grant_rate``), so a
    gate on a grants target would mix the sets' baselines: such a scenario runs one set
    per call.
    """
    if not has_gate(scenario):
        return True
    return all(scenario.target(t).indicator != "grants"
               for t in scenario.policy.midterm.targets)


def simulate_sets(scenario: Scenario, names: Sequence[tuple[str, str]], values: np.ndarray,
                  seed: int, paths: int) -> IndicatorPaths:
    """Simulate ``len(values)`` parameter sets on the same ``paths`` paths each.

    Parameters
    ----------
    scenario : Scenario
        The scenario; parameters not in ``names`` keep their value or distribution.
    names : sequence of (section, name)
        The parameters that each set fixes.
    values : numpy.ndarray
        (sets, len(names)) values, in each parameter's unit.
    seed : int
        Seed of the random numbers (the same for every set).
    paths : int
        Paths per set.

    Returns
    -------
    IndicatorPaths
        ``sets * paths`` paths, set by set: set ``k`` is paths ``k*paths .. (k+1)*paths-1``.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != len(names):
        raise ValueError(f"values must be (sets, {len(names)}), got {values.shape}")
    params = {s: dict(ps) for s, ps in scenario.parameters.items()}
    for j, (section, name) in enumerate(names):
        params[section][name] = np.repeat(values[:, j], paths)
    fixed = replace(scenario, parameters=FrozenMap({s: FrozenMap(ps)
                                                    for s, ps in params.items()}))
    return simulate_streams(fixed, RepeatedStreams(seed, paths, len(values)))


def _policy_of_sets(policy: Policy, settings: dict[str, np.ndarray], paths: int) -> Policy:
    """``policy`` with the varied settings as (sets * paths,) arrays, set by set."""
    per_path = {key: np.repeat(np.asarray(v, dtype=float), paths) for key, v in settings.items()}
    allocation = dict(policy.allocation)
    changes: dict = {}
    for key, values in per_path.items():
        if key.startswith("policy.allocation."):
            allocation[key.removeprefix("policy.allocation.")] = values
        elif key == "policy.fast_track_share":
            changes["fast_track_share"] = values
        elif key == "policy.budget":
            scale = values / policy.budget if policy.budget else np.zeros_like(values)
            changes["budget"] = values
            changes["tranches"] = tuple(replace(t, amount=t.amount * scale)
                                        for t in policy.tranches)
        else:
            raise ValueError(f"cannot vary {key!r} set by set; allowed: {', '.join(POLICY_KEYS)}")
    return replace(policy, allocation=FrozenMap(allocation), **changes)


def simulate_policies(scenario: Scenario, settings: dict[str, np.ndarray], seed: int,
                      paths: int, first_block: int = 0,
                      n_blocks: int | None = None) -> IndicatorPaths:
    """Simulate several policies of ``scenario`` on the same ``paths`` paths each.

    The policies differ only in the settings given (allocation shares, the fast-track share,
    the budget); each is laid along the path axis as a per-path array, and every set draws
    the random numbers of paths ``0..paths-1`` of an ordinary run with ``seed``
    (:class:`RepeatedStreams`): set ``k`` is, path by path, what an ordinary run of the
    scenario with set ``k``'s settings gives on its first ``paths`` paths (when
    :func:`batchable`; the caller checks that each set is a valid policy).

    Parameters
    ----------
    scenario : Scenario
        The scenario; settings not given keep its values.
    settings : dict of str to numpy.ndarray
        Key path (:data:`POLICY_KEYS`) -> (sets,) values: shares in [0, 1], the budget in
        yuan.
    seed : int
        Seed of the random numbers (the same for every set).
    paths : int
        Paths of the run.
    first_block, n_blocks : int, optional
        Simulate only this chunk of blocks of the run (default: all of it).

    Returns
    -------
    IndicatorPaths
        ``sets * m`` paths (``m`` the chunk's paths), set by set: set ``k`` is paths
        ``k*m .. (k+1)*m-1``.
    """
    sizes = {len(np.atleast_1d(v)) for v in settings.values()}
    if len(sizes) != 1:
        raise ValueError(f"every setting needs the same number of sets, got {sorted(sizes)}")
    sets = sizes.pop()
    streams = RepeatedStreams(seed, paths, sets, first_block, n_blocks)
    varied = replace(scenario, policy=_policy_of_sets(scenario.policy, settings,
                                                       streams.n // sets))
    return simulate_streams(varied, streams)
