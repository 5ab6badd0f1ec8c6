"""Every key a scenario may hold: one table read by the validator, the defaults and the docs.

Mechanism parameters, baseline figures, shock series, levers and indicators are declared
beside their equations (each mechanism's :class:`~ipsim.model.mechanism.Mechanism`) and read
here from the registry (:mod:`ipsim.model.registry`); target measures come from their table
(:mod:`ipsim.model.measures`); the rest of the file's structure is declared as :class:`Field`
trees. The functions build the tables anew from the registry each time, so a mechanism or a
measure registered at run time (an extension, a test's toy) is part of the schema at once.
``docs/scenario.md`` is generated from these tables (``python -m ipsim.scenario.reference``),
so the documentation cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipsim.model import measures, registry
from ipsim.model.spec import Param
from ipsim.scenario.names import NAME_RULE

__all__ = ["Field", "LANGUAGES", "sections", "fixed", "baseline", "shock_params", "top",
           "policy_fields", "target_fields", "TRANCHE", "MIDTERM", "OPS", "RULES",
           "field_range"]


def sections() -> dict[str, tuple[Param, ...]]:
    """``parameters:`` sections -> their parameters (``shocks:`` is a top-level section)."""
    return registry.sections()


def fixed() -> dict[str, tuple[str, ...]]:
    """Parameters that must be plain numbers (shared by all paths), by section."""
    return registry.fixed()


def baseline() -> tuple[Param, ...]:
    """The ``baseline:`` figures."""
    return registry.baseline_params()


def shock_params() -> tuple[Param, ...]:
    """The ``shocks:`` section: one loading per shock series."""
    return tuple(s.param() for s in registry.series())


OPS = (">", ">=")
LANGUAGES = ("en", "zh")
"""Languages a ``text`` field (a label, a description) may be given in: ``{en: .., zh: ..}``."""
RULES = ("on_track", "always", "never")


@dataclass(frozen=True)
class Field:
    """One key of the scenario's structure.

    ``kind`` is one of ``str``, ``int``, ``number``, ``bool``, ``choice`` (one of
    ``choices``), ``ids`` (list of names), ``map`` (``fields``), ``list`` (of ``map`` items
    with ``fields``), ``shares`` (names in ``choices`` -> fractions summing to at most 1),
    ``params`` (a parameter section), ``baseline``, ``correlations`` (pairs of parameters ->
    rank correlations). ``low`` and ``high`` are inclusive
    bounds, except that ``low_open`` excludes ``low`` (``> 0`` for amounts that must be
    positive). A ``list`` holds at least ``min_items`` items.
    """

    name: str
    kind: str
    doc: str
    required: bool = False
    default: object = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    unit: str = ""
    low_open: bool = False
    min_items: int = 1


TRANCHE = (
    Field("month", "int", "months elapsed when paid (0 = at the start)", True, low=0,
          unit="months"),
    Field("amount", "number", "amount paid", True, low=0, high=1e12, unit="yuan",
          low_open=True),
    Field("conditional", "bool", "paid only if the mid-term gate opens", default=False),
)
MIDTERM = (
    Field("month", "int", "months elapsed at the evaluation", True, low=1, unit="months"),
    Field("rule", "choice", "how the verdict is reached", default="on_track", choices=RULES),
    Field("targets", "ids", "target ids judged on pace (rule on_track)", default=()),
    Field("min_on_track", "int", "targets that must be on pace to open the gate", default=1,
          low=0),
    Field("tolerance", "number", "share of the target pace that counts as on pace",
          default=1.0, low=0, high=1, unit="fraction"),
)


def policy_fields() -> tuple[Field, ...]:
    """The keys of ``policy:`` (the levers are the registry's)."""
    return (
        Field("budget", "number", "central funds for the period (0: no programme, e.g. a "
              "national or counterfactual baseline)", True, low=0, high=1e12, unit="yuan"),
        Field("tranches", "list", "payments of the budget (`[]` only when the budget is 0)", True,
              fields=TRANCHE, min_items=0),
        Field("allocation", "shares", "share of each tranche per lever (sum at most 1)", True,
              choices=tuple(lv.name for lv in registry.levers()), unit="fraction"),
        Field("fast_track_share", "number", "share of new invention applications examined on "
              "the fast track", default=0.0, low=0, high=1, unit="fraction"),
        Field("midterm", "map", "the mid-term evaluation", fields=MIDTERM),
    )


def target_fields() -> tuple[Field, ...]:
    """The keys of a target (the indicators and measures are the registry's and the
    measure table's)."""
    return (
        Field("id", "str", "a unique name for the target", True),
        Field("indicator", "choice", "the indicator judged", True,
              choices=tuple(registry.indicators())),
        Field("measure", "choice", "how the indicator is summarised", True,
              choices=measures.names()),
        Field("op", "choice", "comparison with the threshold", default=">", choices=OPS),
        Field("threshold", "number", "the target value (growth as a fraction: 0.2 = 20 %)",
              default=None),
        Field("by_month", "int", "for measure event: the month by which it must happen",
              default=None, low=1, unit="months"),
        Field("label", "text", "short label for tables and plots: a text, or one per "
              "language (`{en: Pledge amount +30 %/yr, zh: 知识产权质押融资金额年均增长 30% "
              "以上}`)", default=""),
    )


def top() -> tuple[Field, ...]:
    """The top-level keys of a scenario file."""
    return (
        Field("name", "str", f"scenario name, also its results folder: {NAME_RULE}", True),
        Field("description", "text", "what the scenario represents: a text, or one per "
              "language (`{en: ..., zh: ...}`)", default=""),
        Field("seed", "int", "seed of the random numbers (a run's own seed overrides it)",
              default=0, low=0),
        Field("horizon_months", "int", "length of the funding period, a multiple of 12",
              default=36, low=12, high=120, unit="months"),
        Field("start_year", "int", "calendar year of the period's first year", default=2020,
              low=1900, high=2200),
        Field("baseline", "baseline", "year-0 value of every indicator", True),
        Field("parameters", "params", "model parameters by mechanism: a number, or a "
              "distribution drawn once per path", default={}),
        Field("shocks", "params", "loadings of each series' monthly shock on the common "
              "economic factor", default={}),
        Field("correlations", "correlations", "rank correlations between uncertain "
              "parameters, `a ~ b: rho` (see below)", default={}),
        Field("policy", "map", "how the funds arrive and are spent", True,
              fields=policy_fields()),
        Field("targets", "list", "the programme's targets", True, fields=target_fields()),
        Field("variants", "variants", "policy variants to compare with this scenario on common "
              "random numbers (`ipsim compare`; see below and docs/compare.md)", default={}),
        Field("provenance", "provenance", "where each input figure comes from (see below)",
              default={}),
    )


def field_range(f: Field) -> str:
    """The allowed range of a number field, e.g. ``(0, 1e+12]`` or ``>= 1``; ``""`` if none."""
    if f.low is None and f.high is None:
        return ""
    if f.high is None:
        return f"{'>' if f.low_open else '>='} {f.low:g}"
    if f.low is None:
        return f"<= {f.high:g}"
    return f"{'(' if f.low_open else '['}{f.low:g}, {f.high:g}]"
