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
from ipsim.scenario.params import FrozenMap, Scenario

__all__ = ["RepeatedStreams", "simulate_sets", "batchable"]


class RepeatedStreams:
    """The named streams of paths ``0..paths-1`` of a run, repeated ``copies`` times.

    Has the interface the vectorised engine uses of :class:`~ipsim.engines.streams.Streams`
    (``n``, ``normal``, ``uniform``); the numbers are drawn once and tiled.

    Parameters
    ----------
    seed : int
        The run's seed (>= 0).
    paths : int
        Paths of one copy (>= 1).
    copies : int
        How many times they are repeated (>= 1).
    """

    def __init__(self, seed: int, paths: int, copies: int):
        self._one = Streams(seed, 0, block_sizes(paths, 0, -(-paths // BLOCK)))
        self.copies = copies
        self.n = paths * copies

    def normal(self, name: str, k: int) -> np.ndarray:
        """Next ``(paths * copies, k)`` standard normals of stream ``name``."""
        return np.tile(self._one.normal(name, k), (self.copies, 1))

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
