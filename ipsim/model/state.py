"""The state of every path of a chunk: named arrays of shape ``(paths,)`` or ``(paths, k)``.

One owner: the engine creates a :class:`State`, each mechanism's ``init`` adds the arrays it
owns (documented there) and its ``step`` updates them in place, month by month.
"""

from __future__ import annotations

import numpy as np

__all__ = ["State"]


class State:
    """Arrays of one chunk of paths; attributes are added by the mechanisms' ``init``.

    Parameters
    ----------
    n : int
        Number of paths in the chunk.
    """

    def __init__(self, n: int):
        self.n = n

    def zeros(self, *shape: int) -> np.ndarray:
        """A new float array of zeros, shape ``(n, *shape)``."""
        return np.zeros((self.n, *shape))

    def __repr__(self) -> str:
        names = ", ".join(k for k in vars(self) if k != "n")
        return f"State(n={self.n}; {names})"
