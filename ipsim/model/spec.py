"""Declarations shared by every mechanism: a parameter's meaning, unit, default and source.

Each mechanism module lists its parameters in a ``PARAMS`` tuple of :class:`Param`.
``ipsim.scenario.schema`` gathers them, so the validator, the defaults and
``docs/scenario.md`` all read one table.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Param"]


@dataclass(frozen=True)
class Param:
    """One model input.

    Parameters
    ----------
    name : str
        Key under the mechanism's section of ``parameters:`` in a scenario.
    default : float
        Value used when the scenario does not give one.
    unit : str
        Unit of the value (``"1/yr"``, ``"yuan"``, ``"fraction"``, ...).
    low, high : float
        Allowed range, inclusive. Draws of an uncertain parameter are checked against it.
    doc : str
        What the parameter means in the model.
    source : str
        Where the default comes from (a seed, ``data/national-facts.md``, or "assumption").
    integer : bool
        The value must be a whole number.
    """

    name: str
    default: float
    unit: str
    low: float
    high: float
    doc: str
    source: str
    integer: bool = False
