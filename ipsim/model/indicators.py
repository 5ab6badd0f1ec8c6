"""The indicators the engines report, one row per year of every path.

An indicator's yearly array has shape ``(paths, years + 1)``. Column 0 is year 0, the
baseline year before the funding period; column ``k`` is year ``k`` of the period:

* ``flow``: the amount or count during the year (transfers, pledge amount, ...); year 0 is
  the scenario's baseline;
* ``stock``: the level at the end of the year (patents in force, pool balance); year 0 is the
  level at the start;
* ``output``: deliveries or events during the year with no baseline (programme outputs,
  defaults, funds received); year 0 is 0, so growth measures do not apply and ``cumulative``
  sums the period only.

Each mechanism declares the indicators it reports (:attr:`ipsim.model.mechanism.Mechanism.
indicators`); :func:`ipsim.model.registry.indicators` gathers them in monthly order.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Indicator", "KINDS"]

KINDS = ("flow", "stock", "output")
"""Indicator kinds (see the module docstring)."""


@dataclass(frozen=True)
class Indicator:
    """Metadata of one reported series.

    Attributes
    ----------
    name : str
        Its key in targets, tables and :class:`~ipsim.model.paths.IndicatorPaths`.
    kind : str
        One of :data:`KINDS`.
    unit : str
        Unit of a year's value (``yuan/yr``, ``patents``).
    label : str
        Short English label for tables and plots.
    event : bool
        Whether the engines also record the month of its first occurrence (a target can
        then be ``event``: it happens by a given month).
    """

    name: str
    kind: str
    unit: str
    label: str
    event: bool = False
