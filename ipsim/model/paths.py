"""What an engine hands to the analysis: yearly indicators, events and the gate, per path."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["IndicatorPaths"]


@dataclass
class IndicatorPaths:
    """Simulated paths of one scenario.

    Attributes
    ----------
    yearly : dict of str to numpy.ndarray
        Indicator name -> (paths, years + 1); column 0 is year 0 (see
        :mod:`ipsim.model.indicators`).
    events : dict of str to numpy.ndarray
        Event indicator -> (paths,) month of first occurrence (1-based; ``inf`` if never).
    released : numpy.ndarray
        (paths,) bool: the mid-term gate opened (all True when there is no conditional
        tranche to gate).
    inputs : dict of str to numpy.ndarray
        ``section.name`` -> (paths,) values drawn for each uncertain parameter.
    shocks : dict of str to numpy.ndarray
        The economy each path lived through: ``economy`` -> (paths,) the sum over the months
        of the common factor, and each shock series -> the sum of its own noise (the part
        independent of the economy), both divided by ``sqrt(months)`` so that each is
        standard normal across paths (negative: a worse economy or series than average).
    """

    yearly: dict[str, np.ndarray]
    events: dict[str, np.ndarray]
    released: np.ndarray
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    shocks: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of paths."""
        return self.released.shape[0]

    def take(self, index) -> IndicatorPaths:
        """The paths selected by ``index`` (a slice or an index array)."""
        return IndicatorPaths({k: v[index] for k, v in self.yearly.items()},
                              {k: v[index] for k, v in self.events.items()},
                              self.released[index],
                              {k: v[index] for k, v in self.inputs.items()},
                              {k: v[index] for k, v in self.shocks.items()})

    def _fields(self) -> tuple:
        return self.yearly, self.events, {"released": self.released}, self.inputs, self.shocks

    @staticmethod
    def allocate(like: IndicatorPaths, n: int) -> IndicatorPaths:
        """Room for ``n`` paths with the indicators, inputs and types of ``like`` (to be
        filled by :meth:`put`)."""
        yearly, events, released, inputs, shocks = (
            {k: np.empty((n,) + v.shape[1:], v.dtype) for k, v in group.items()}
            for group in like._fields())
        return IndicatorPaths(yearly, events, released["released"], inputs, shocks)

    def put(self, start: int, part: IndicatorPaths) -> None:
        """Copy the paths of ``part`` into paths ``start .. start + part.n - 1``."""
        for mine, theirs in zip(self._fields(), part._fields(), strict=True):
            for k, v in theirs.items():
                mine[k][start:start + part.n] = v

    @staticmethod
    def concatenate(parts: list[IndicatorPaths]) -> IndicatorPaths:
        """Paths of several chunks, in order."""
        out = IndicatorPaths.allocate(parts[0], sum(p.n for p in parts))
        start = 0
        for p in parts:
            out.put(start, p)
            start += p.n
        return out
