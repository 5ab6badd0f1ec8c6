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

``EVENTS`` names indicators that also record the month of their first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Indicator", "INDICATORS", "EVENTS", "GROWTH_INDICATORS"]


@dataclass(frozen=True)
class Indicator:
    """Metadata of one reported series."""

    name: str
    kind: str  # "flow" | "stock" | "output"
    unit: str
    label: str


INDICATORS: dict[str, Indicator] = {i.name: i for i in (
    Indicator("applications", "flow", "applications/yr", "Invention-patent applications"),
    Indicator("grants", "flow", "patents/yr", "Invention patents granted"),
    Indicator("invention_stock", "stock", "patents", "Invention patents in force"),
    Indicator("transfers", "flow", "deals/yr", "Patent transfers and licences"),
    Indicator("turnover", "flow", "yuan/yr", "Patented-technology contract turnover"),
    Indicator("pledge_amount", "flow", "yuan/yr", "IP pledge financing, amount"),
    Indicator("pledge_projects", "flow", "loans/yr", "IP pledge financing, projects"),
    Indicator("pledge_defaults", "output", "loans/yr", "Pledge loans defaulted"),
    Indicator("risk_pool", "stock", "yuan", "Risk-compensation pool balance"),
    Indicator("securitisations", "output", "products/yr", "IP securitisation products issued"),
    Indicator("securitisation_amount", "output", "yuan/yr", "IP securitisation amount issued"),
    Indicator("navigation_projects", "output", "projects/yr",
              "Industrial patent navigation projects"),
    Indicator("certified_orgs", "output", "orgs/yr", "Organisations certified to the IP standard"),
    Indicator("trusteeship_smes", "output", "SMEs/yr", "SMEs covered by IP trusteeship"),
    Indicator("operation_centres", "output", "centres/yr", "Industrial IP operation centres"),
    Indicator("sme_transformations", "output", "SMEs/yr",
              "SMEs transforming university patents"),
    Indicator("funds_received", "output", "yuan/yr", "Central funds received"),
)}

EVENTS: tuple[str, ...] = ("securitisations",)
"""Indicators whose first occurrence is recorded as a month (1-based; ``inf`` if never)."""

GROWTH_INDICATORS: tuple[str, ...] = tuple(
    n for n, i in INDICATORS.items() if i.kind == "flow")

MEASURES: dict[str, str] = {
    "cagr": "compound annual growth of the last year over year 0: (v_Y / v_0)^(1/Y) - 1",
    "mean_yoy": "mean of the year-on-year growth rates v_k / v_(k-1) - 1, k = 1..Y",
    "cumulative": "sum over the period's years 1..Y",
    "final": "value in the last year (the level at its end, for a stock)",
    "event": "happened at least once by month `by_month` (first-occurrence month <= by_month)",
}
"""Target measures: name -> definition (implemented in :mod:`ipsim.analysis.measures`)."""
