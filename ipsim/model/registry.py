"""The mechanisms of the model, in monthly order: the one place that lists them.

Everything that used to name mechanisms one by one reads this registry instead: the scenario
schema (``parameters:`` sections, ``baseline:``, ``shocks:``, the levers of
``policy.allocation``, the indicators a target may judge), the initial state, year 0, the
engines' month loops, year-end stock recording, the discrete-event engine's month and the
benchmark's stream plan. Adding a mechanism is one module that builds a
:class:`~ipsim.model.mechanism.Mechanism` plus one entry in :data:`MECHANISMS`
(``docs/model.md``, "Adding a mechanism").

The order is the order in which the steps run within a month, and it fixes the order of the
shock series (the columns of the ``shocks`` stream). A mechanism may read only state that an
earlier mechanism owns (:func:`check` enforces it), so every read sees this month's value.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ipsim.model import funding, patents, pledge, programme, securitisation, transfers, turnover
from ipsim.model.indicators import KINDS, Indicator
from ipsim.model.mechanism import Lever, Mechanism, Series
from ipsim.model.spec import Param

__all__ = ["MECHANISMS", "mechanisms", "mechanism", "sections", "fixed", "baseline_params",
           "indicators", "levers", "series", "settings", "owner", "check", "register",
           "registered", "SETTINGS"]

MECHANISMS: list[Mechanism] = [
    patents.MECHANISM,          # filings, grants and the stock: transfers read the stock
    transfers.MECHANISM,        # deals, and the transfer activity turnover follows
    pledge.MECHANISM,           # the pool, the loan book: securitisation pools the book
    turnover.MECHANISM,
    securitisation.MECHANISM,
    programme.MECHANISM,
]
"""The mechanisms in monthly order (change it through :func:`register` / :func:`registered`,
which check the result)."""

SETTINGS = ("fast_track_share",)
"""Policy settings (keys of ``policy:`` besides the money) a mechanism may read."""


def mechanisms() -> tuple[Mechanism, ...]:
    """The mechanisms, in monthly order."""
    return tuple(MECHANISMS)


def mechanism(name: str) -> Mechanism:
    """The mechanism called ``name`` (KeyError naming the known ones otherwise)."""
    for m in MECHANISMS:
        if m.name == name:
            return m
    raise KeyError(f"no mechanism {name!r}; registered: {', '.join(m.name for m in MECHANISMS)}")


def sections() -> dict[str, tuple[Param, ...]]:
    """``parameters:`` section -> its parameter table, in registry order."""
    return {m.name: m.params for m in MECHANISMS}


def fixed() -> dict[str, tuple[str, ...]]:
    """Section -> its parameters that must be numbers (shared by all paths)."""
    return {m.name: m.fixed for m in MECHANISMS if m.fixed}


def baseline_params() -> tuple[Param, ...]:
    """Every ``baseline:`` figure, in registry order."""
    return tuple(p for m in MECHANISMS for p in m.baseline)


def indicators() -> dict[str, Indicator]:
    """Indicator name -> :class:`Indicator`: the mechanisms' in order, then funding's."""
    return {i.name: i for i in (*(i for m in MECHANISMS for i in m.indicators),
                                *funding.INDICATORS)}


def levers() -> tuple[Lever, ...]:
    """Every lever of ``policy.allocation``, in registry order."""
    return tuple(lv for m in MECHANISMS for lv in m.levers)


def series() -> tuple[Series, ...]:
    """Every shock series, in registry order (the columns of the ``shocks`` stream)."""
    return tuple(s for m in MECHANISMS for s in m.series)


def settings() -> tuple[str, ...]:
    """The policy settings some mechanism reads."""
    return tuple(dict.fromkeys(s for m in MECHANISMS for s in m.settings))


def owner(indicator: str) -> str:
    """The name of the mechanism that reports ``indicator`` (``funding`` for the funds)."""
    for m in MECHANISMS:
        if any(i.name == indicator for i in m.indicators):
            return m.name
    return "funding"


def _unique(what: str, names) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"registry: {what} {name!r} is declared twice")
        seen.add(name)


def check(mechs=None) -> None:
    """Raise ValueError if the mechanisms do not fit together.

    Names, indicators, levers, series, baseline figures and owned state are unique; every
    series a mechanism loads on is declared; every state array a mechanism reads is owned by
    an earlier one; stocks and events name owned arrays and indicators of the right kind;
    fixed parameters are parameters; settings are :data:`SETTINGS`.
    """
    mechs = list(MECHANISMS if mechs is None else mechs)
    _unique("mechanism", (m.name for m in mechs))
    _unique("indicator", [*(i.name for m in mechs for i in m.indicators),
                          *(i.name for i in funding.INDICATORS)])
    _unique("lever", (lv.name for m in mechs for lv in m.levers))
    _unique("shock series", (s.name for m in mechs for s in m.series))
    _unique("baseline figure", (p.name for m in mechs for p in m.baseline))
    _unique("state array", (a for m in mechs for a in m.owns))
    known = {s.name for m in mechs for s in m.series}
    owned: set[str] = set()
    for m in mechs:
        where = f"registry: mechanism {m.name!r}"
        if missing := [s for s in m.shocks if s not in known]:
            raise ValueError(f"{where} loads on undeclared series {missing}")
        if missing := [a for a in m.reads if a not in owned]:
            raise ValueError(f"{where} reads {missing}, owned by no earlier mechanism")
        kinds = {i.name: i for i in m.indicators}
        for ind, attr in {**m.stocks, **m.events}.items():
            if attr not in m.owns:
                raise ValueError(f"{where}: {ind!r} records {attr!r}, which it does not own")
            if ind not in kinds:
                raise ValueError(f"{where}: {ind!r} is not one of its indicators")
        for ind in m.stocks:
            if kinds[ind].kind != "stock":
                raise ValueError(f"{where}: {ind!r} is recorded as a stock but is a "
                                 f"{kinds[ind].kind}")
        for ind in m.events:
            if not kinds[ind].event:
                raise ValueError(f"{where}: {ind!r} records an event but is not event=True")
        for i in m.indicators:
            if i.kind not in KINDS:
                raise ValueError(f"{where}: indicator {i.name!r} has kind {i.kind!r}; "
                                 f"allowed: {', '.join(KINDS)}")
            if i.kind == "stock" and i.name not in m.stocks:
                raise ValueError(f"{where}: stock {i.name!r} names no state in stocks")
        if bad := [f for f in m.fixed if f not in {p.name for p in m.params}]:
            raise ValueError(f"{where}: fixed {bad} are not its parameters")
        if bad := [s for s in m.settings if s not in SETTINGS]:
            raise ValueError(f"{where}: unknown settings {bad}; allowed: {', '.join(SETTINGS)}")
        owned |= set(m.owns)


def register(m: Mechanism, *, after: str | None = None) -> None:
    """Add ``m`` to the registry, after the mechanism ``after`` (default: last), checked."""
    names = [x.name for x in MECHANISMS]
    at = len(MECHANISMS) if after is None else names.index(after) + 1
    candidate = [*MECHANISMS[:at], m, *MECHANISMS[at:]]
    check(candidate)
    MECHANISMS[:] = candidate


@contextlib.contextmanager
def registered(m: Mechanism, *, after: str | None = None) -> Iterator[Mechanism]:
    """Register ``m`` for the duration of a block (a test's toy mechanism), then remove it."""
    register(m, after=after)
    try:
        yield m
    finally:
        MECHANISMS[:] = [x for x in MECHANISMS if x is not m]


check()
