"""What a DES path starts from: its parameters, its economy, its state and its own generator.

The uncertain parameters and the monthly economic shocks are not the DES's to draw: they
come from the run's named streams (:mod:`ipsim.engines.streams`), exactly as the vectorised
engine draws them, so path ``i`` of a run has the same parameter values and the same economy
whichever engine simulates it. The initial state is the vectorised one too: every
mechanism's ``init`` runs once for the paths of the part (:func:`ipsim.engines.common.
initial_state`), and each path takes its one-path slice (:meth:`ipsim.model.state.State.
take`).

Everything the DES draws itself (arrivals, amounts, lives, outcomes, and the counts of the
mechanisms it steps as the vectorised engine does) comes from the path's own generator,
seeded by ``SeedSequence(seed, spawn_key=(block, path_in_block, crc32("des")))`` with the
block of :data:`ipsim.engines.streams.BLOCK` paths: a path's numbers depend only on the seed
and its index, whatever the chunking or the number of workers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ipsim.engines.common import (
    SHOCKS,
    draw_start,
    initial_state,
    realise_parameters,
    take_paths,
    year0,
)
from ipsim.engines.streams import BLOCK, Streams
from ipsim.model import registry, uncertainty
from ipsim.model.state import State
from ipsim.scenario.params import Scenario

__all__ = ["PathInputs", "prepare", "DES_KEY"]

DES_KEY = zlib.crc32(b"des")
"""Last word of the spawn key of every path's own generator."""


@dataclass
class PathInputs:
    """The starting point of one DES path.

    Attributes
    ----------
    p : dict
        Mechanism name -> this path's frozen parameters (floats); ``"shocks"`` -> series
        loadings.
    state : State
        The path's state at month 0 (one path).
    shocks : numpy.ndarray
        (H, series) the path's standardised shock of each series in months 1..H
        (:func:`ipsim.model.registry.series` order).
    economy : dict of str to float
        The path's cumulative shocks (:attr:`ipsim.model.paths.IndicatorPaths.shocks`).
    year0 : dict of str to float
        Column 0 of each indicator for this path.
    rng : numpy.random.Generator
        The path's own generator.
    """

    p: dict
    state: State
    shocks: np.ndarray
    economy: dict
    year0: dict
    rng: np.random.Generator


def _floats(sections: dict) -> dict:
    """One path's parameter sections (arrays of one value) as floats."""
    def one(v):
        return float(np.asarray(v).reshape(-1)[0]) if isinstance(v, np.ndarray) else v

    out = {SHOCKS: {k: one(v) for k, v in sections[SHOCKS].items()}}
    for m in registry.mechanisms():
        ps = sections[m.name]
        out[m.name] = m.parameters({f: one(getattr(ps, f)) for f in ps.__dataclass_fields__})
    return out


def prepare(scenario: Scenario, seed: int, paths: int, block: int, lo: int,
            hi: int) -> tuple[list[PathInputs], dict[str, np.ndarray]]:
    """Inputs of paths ``lo .. hi - 1`` of random-number block ``block`` of a ``paths`` run.

    The parameters, the start's draws and the shocks are drawn for the whole block (as the
    vectorised engine draws them) and the requested paths taken from it.

    Returns
    -------
    inputs : list of PathInputs
        One per path, in order.
    drawn : dict of str to numpy.ndarray
        ``section.name`` -> (hi - lo,) values of the uncertain parameters.
    """
    size = min(BLOCK, paths - block * BLOCK)
    streams = Streams(seed, block, [size])
    sections, drawn = realise_parameters(scenario, streams)
    start = draw_start(sections, streams)
    H, series = scenario.horizon_months, registry.series()
    loadings = [sections[SHOCKS][s.name] for s in series]
    z = streams.normals("shocks", uncertainty.draws(series), H)             # (H, n, 1 + S)
    shocks = np.stack([uncertainty.shocks(z[m], loadings) for m in range(H)])  # (H, n, S)
    sums = z.sum(axis=0) / np.sqrt(H)                                       # (n, 1 + S)
    index = slice(lo, hi)
    p = take_paths(sections, index)
    state = initial_state(scenario, p, hi - lo, start.take(index))
    first = year0(scenario, state, p)
    names = [uncertainty.ECONOMY, *(s.name for s in series)]
    inputs = []
    for i in range(hi - lo):
        one = slice(i, i + 1)
        rng = np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(seed, spawn_key=(block, lo + i, DES_KEY))))
        inputs.append(PathInputs(
            p=_floats(take_paths(p, one)), state=state.take(one), shocks=shocks[:, lo + i],
            economy={k: float(sums[lo + i, j]) for j, k in enumerate(names)},
            year0={k: float(np.asarray(v).reshape(-1)[i] if np.ndim(v) else v)
                   for k, v in first.items()},
            rng=rng))
    return inputs, {k: v[index] for k, v in drawn.items()}
