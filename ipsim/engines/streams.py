"""Random streams: one per (block of paths, named stream), whatever the chunking.

Paths are numbered ``0..paths-1`` and grouped in blocks of :data:`BLOCK` paths. The
generator of block ``b`` and stream ``name`` is seeded by the ``SeedSequence`` child with
spawn key ``(b, crc32(name))`` of the run's seed, so a path's random numbers depend only on
the seed, its block, the stream and the block's size: results are bit-identical for any chunk
size (a chunk is a run of whole blocks) and any number of workers. Only the last block of a
run can be partly filled; its paths therefore differ from the same paths in a larger run.

Each mechanism has its own stream and each uncertain parameter too (``param:<section>.<name>``).
A stream is consumed the same way under every policy (fixed shapes, every month), so policy
variants see the same numbers path by path (common random numbers). A variant that changes
the horizon consumes more months of each stream: its first months still pair with the base.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["BLOCK", "Streams", "block_sizes"]

BLOCK = 4096
"""Paths per random-number block (fixed: changing it changes every result)."""


def block_sizes(paths: int, first_block: int, n_blocks: int) -> list[int]:
    """Sizes of blocks ``first_block .. first_block + n_blocks - 1`` of a ``paths`` run."""
    return [min(BLOCK, paths - b * BLOCK) for b in range(first_block, first_block + n_blocks)]


class Streams:
    """Named random streams for a run of consecutive blocks.

    Parameters
    ----------
    seed : int
        The run's seed (>= 0).
    first_block : int
        Index of the first block of the chunk.
    sizes : list of int
        Paths in each block of the chunk.
    """

    def __init__(self, seed: int, first_block: int, sizes: list[int]):
        self.seed = seed
        self.first_block = first_block
        self.sizes = sizes
        self.n = sum(sizes)
        self._generators: dict[str, list[np.random.Generator]] = {}

    def _gens(self, name: str) -> list[np.random.Generator]:
        gens = self._generators.get(name)
        if gens is None:
            key = zlib.crc32(name.encode("utf-8"))
            gens = [np.random.Generator(np.random.PCG64(
                np.random.SeedSequence(self.seed, spawn_key=(self.first_block + i, key))))
                for i in range(len(self.sizes))]
            self._generators[name] = gens
        return gens

    def normal(self, name: str, k: int) -> np.ndarray:
        """Next ``(paths, k)`` standard normals of stream ``name``."""
        out = np.empty((self.n, k))
        start = 0
        for g, size in zip(self._gens(name), self.sizes, strict=True):
            g.standard_normal(out=out[start:start + size])
            start += size
        return out

    def normals(self, name: str, k: int, months: int) -> np.ndarray:
        """The next ``months`` months of ``(paths, k)`` standard normals of stream ``name`` at
        once, shape ``(months, paths, k)``: the same numbers as ``months`` calls of
        :meth:`normal` (each block's generator fills its months one after the other)."""
        out = np.empty((months, self.n, k))
        start = 0
        for g, size in zip(self._gens(name), self.sizes, strict=True):
            out[:, start:start + size] = g.standard_normal((months, size, k))
            start += size
        return out

    def uniform(self, name: str) -> np.ndarray:
        """Next ``(paths,)`` uniforms on [0, 1) of stream ``name``."""
        return np.concatenate([g.random(s) for g, s in zip(self._gens(name), self.sizes,
                                                           strict=True)])
