"""The state of every path of a chunk: named arrays of shape ``(paths,)`` or ``(paths, k)``.

One owner per array: the engine creates a :class:`State`; each mechanism's ``init`` adds the
arrays it owns and its ``step`` updates them, month by month. Every array is per path (its
first axis is the paths); what all paths share (a lag kernel) derives from the parameters and
is not state. A mechanism sees the state
through a :class:`StateView` that lets it write only what it owns and read only what it owns
or declares it reads (:attr:`ipsim.model.mechanism.Mechanism.reads`), so an undeclared
dependency between mechanisms is an error, not a silent coupling.
"""

from __future__ import annotations

import numpy as np

from ipsim.errors import ModelError

__all__ = ["State", "StateView"]


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

    def view(self, name: str, owns, reads=()) -> StateView:
        """The view of mechanism ``name``: writes ``owns``, reads ``owns`` and ``reads``."""
        return StateView(self, name, owns, reads)

    def take(self, index) -> State:
        """The state of the paths ``index`` (a slice or an index array): every array (also in
        a dict of arrays) restricted to them; a plain number as it is."""
        def part(value):
            if isinstance(value, dict):
                return {k: part(v) for k, v in value.items()}
            return value[index].copy() if isinstance(value, np.ndarray) else value

        out = State(len(np.arange(self.n)[index]))
        for key, value in vars(self).items():
            if key != "n":
                setattr(out, key, part(value))
        return out

    def __repr__(self) -> str:
        names = ", ".join(k for k in vars(self) if k != "n")
        return f"State(n={self.n}; {names})"


class StateView:
    """What one mechanism may touch of a :class:`State`.

    Reading a name the mechanism neither owns nor reads, or writing one it does not own,
    raises :class:`~ipsim.errors.ModelError` naming the mechanism and the array.
    """

    __slots__ = ("_state", "_name", "_owns", "_readable", "n")

    def __init__(self, state: State, name: str, owns, reads=()):
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_owns", frozenset(owns))
        object.__setattr__(self, "_readable", frozenset(owns) | frozenset(reads))
        object.__setattr__(self, "n", state.n)

    def __getattr__(self, key: str):
        if key in self._readable:
            try:
                return getattr(self._state, key)
            except AttributeError:
                raise ModelError(f"mechanism '{self._name}' reads '{key}' before its owner "
                                 "has made it (check the registry's order)") from None
        raise ModelError(f"mechanism '{self._name}' reads undeclared state '{key}' (declare it "
                         "in its reads, or own it)")

    def __setattr__(self, key: str, value) -> None:
        if key not in self._owns:
            raise ModelError(f"mechanism '{self._name}' writes state '{key}' it does not own")
        setattr(self._state, key, value)

    def zeros(self, *shape: int) -> np.ndarray:
        """A new float array of zeros, shape ``(n, *shape)``."""
        return self._state.zeros(*shape)
