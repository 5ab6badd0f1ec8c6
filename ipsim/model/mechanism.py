"""The one face every mechanism shows the engines: what it declares, and what a step sees.

A mechanism is a module of :mod:`ipsim.model` that builds one :class:`Mechanism`: its
parameter table, the baseline figures and indicators it introduces, the levers it spends on,
the shock series it loads on (by name), the standard normals it draws each month, the state it
owns and the state of other mechanisms it reads, and two functions with one signature each,
plus an optional third::

    init(state, p, start)     -> None                     # adds the arrays it owns (month 0)
    prepare(state, p, period) -> None                     # optional: once, all months
    step(state, p, month)     -> dict[str, numpy.ndarray] # one month; returns its flows

``prepare`` is for work that depends only on the mechanism's own shock series and its
parameters (patents: filings follow their own shocks, so the grants of every month are one
matrix product): the engines call it once, after every ``init`` and before month 1, in
registry order, with a :class:`Period` holding the shocks of every month of the series it
loads on; ``step`` still sees each month's shocks in its :class:`Month`.

``state`` is a :class:`~ipsim.model.state.StateView` that lets the mechanism write only what
it owns and read only what it owns or declares it reads; ``p`` is its frozen parameters (one
:func:`parameters_class` per mechanism, generated from the parameter table; each value a float
or a ``(paths,)`` array); ``start`` is a :class:`Start` and ``month`` a :class:`Month`, both
frozen (``period`` a :class:`Period`). The registry (:mod:`ipsim.model.registry`) lists the
mechanisms in monthly order; ``docs/model.md`` ("Adding a mechanism") says how to add one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ipsim.model.indicators import Indicator
from ipsim.model.spec import Param

__all__ = ["Lever", "Series", "Start", "Period", "Month", "Mechanism", "parameters_class"]


@dataclass(frozen=True)
class Lever:
    """A use of the funds that a policy allocates a share to (a ``policy.allocation`` key).

    Attributes
    ----------
    name : str
        The key (``interest_subsidy``).
    doc : str
        What the money buys.
    capital : bool
        True: a tranche's share is paid in at once (the risk-compensation pool is capital, not
        spending); False: it goes into the lever's budget, spent evenly over the months left.
    """

    name: str
    doc: str
    capital: bool = False


@dataclass(frozen=True)
class Series:
    """A monthly shock series: standard normal, loading ``loading`` on the common economic
    factor (the ``shocks:`` section of a scenario may set another loading).

    Attributes
    ----------
    name : str
        The series (``pledge``); mechanisms name it in :attr:`Mechanism.shocks`.
    loading : float
        Default loading on the common factor, in [0, 1).
    doc : str
        Which quantity the shock moves.
    """

    name: str
    loading: float
    doc: str

    def param(self) -> Param:
        """The series' entry of the ``shocks:`` section."""
        return Param(self.name, self.loading, "correlation", 0.0, 0.99,
                     f"loading of the {self.doc} shock on the common economic factor; two "
                     "series are correlated by the product of their loadings", "assumption")


@dataclass(frozen=True)
class Start:
    """What a mechanism's ``init`` sees: the paths, the scenario's year-0 figures and the
    random numbers of the start (the engine makes one per mechanism).

    Attributes
    ----------
    n : int
        Paths of the chunk.
    baseline : Mapping[str, float]
        Every baseline figure (the scenario's, else the default), in its unit (a ``(paths,)``
        array where a caller gives one per path).
    horizon : int
        Months of the period.
    past : Mapping[str, numpy.ndarray]
        Series -> ``(paths, 11)`` standardised shocks of the eleven monthly steps within year
        0, column ``j`` the step into month ``-j`` (most recent first), correlated across
        series through the common factor like the monthly shocks: with them the month-0
        level is drawn given the year-0 total (:func:`ipsim.model.growth.start_log_levels`).
    draws : numpy.ndarray
        ``(paths, mechanism.start_draws)`` standard normals of the mechanism's own start
        stream ``start:<name>`` (more steps before year 0, the count noise of a baseline).
    """

    n: int
    baseline: Mapping[str, float]
    horizon: int
    past: Mapping[str, np.ndarray] = field(default_factory=dict)
    draws: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))


@dataclass(frozen=True)
class Period:
    """What a mechanism's optional ``prepare`` sees: every month of the period at once.

    Attributes
    ----------
    months : int
        Months of the period (H).
    shocks : Mapping[str, numpy.ndarray]
        Series -> (H, paths) standardised shocks of months 1..H (row ``m - 1`` is what
        :attr:`Month.shocks` holds in month ``m``): only the series the mechanism loads on.
    settings : Mapping[str, float | numpy.ndarray]
        The policy settings the mechanism reads (as in :class:`Month`).
    """

    months: int
    shocks: Mapping[str, np.ndarray]
    settings: Mapping[str, float | np.ndarray]


@dataclass(frozen=True)
class Month:
    """What a mechanism's ``step`` sees of one month; the engine makes one per mechanism.

    Attributes
    ----------
    month : int
        1-based month of the period.
    spend : Mapping[str, numpy.ndarray]
        Lever -> yuan this month, (paths,) each: spending of a spending lever, or what a
        tranche paid into a capital lever this month.
    shocks : Mapping[str, numpy.ndarray]
        Series -> this month's standardised shock, (paths,): only the series the mechanism
        loads on.
    draws : numpy.ndarray
        (paths, mechanism.draws) standard normals of the mechanism's own stream, drawn the
        same way under every policy (common random numbers).
    settings : Mapping[str, float | numpy.ndarray]
        The policy settings the mechanism reads (``fast_track_share``).
    """

    month: int
    spend: Mapping[str, np.ndarray]
    shocks: Mapping[str, np.ndarray]
    draws: np.ndarray
    settings: Mapping[str, float | np.ndarray]


@dataclass(frozen=True)
class Mechanism:
    """A mechanism's declaration (see the module docstring).

    Attributes
    ----------
    name : str
        Its section of ``parameters:`` and the name errors use.
    doc : str
        One line: what it models.
    params : tuple of Param
        Its parameter table (``parameters.<name>.*``).
    step, init : callable
        ``step(state, p, month) -> flows`` and ``init(state, p, start)``.
    prepare : callable, optional
        ``prepare(state, p, period)``: once, after every ``init``, with every month's shocks
        of the series it loads on (see the module docstring).
    Parameters : type
        Its frozen parameter class (:func:`parameters_class`).
    fixed : tuple of str
        Parameters that must be numbers, not distributions (shared by every path).
    baseline : tuple of Param
        The ``baseline:`` figures it introduces.
    indicators : tuple of Indicator
        The series it reports: every flow its step returns, every stock it records.
    levers : tuple of Lever
        The ``policy.allocation`` keys whose money it uses (``month.spend``).
    series : tuple of Series
        The shock series it introduces.
    shocks : tuple of str
        The series it loads on (``month.shocks``); any mechanism's series may be named.
    settings : tuple of str
        Policy settings it reads (``month.settings``), by their name in ``policy:``.
    draws : int
        Standard normals it draws per path per month (``month.draws`` columns).
    start_draws : int
        Standard normals it draws per path once, at the start (``start.draws`` columns).
    owns : tuple of str
        State arrays its ``init`` creates and only it writes.
    reads : tuple of str
        State arrays of other mechanisms it reads (the registry checks each has an owner).
    stocks : Mapping[str, str]
        Stock indicator -> the state array recorded as its level at each year end.
    events : Mapping[str, str]
        Event indicator -> the state array holding the month of its first occurrence
        (1-based; ``inf`` until it happens).
    year0 : callable, optional
        ``year0(state, p) -> {indicator: value}`` for indicators whose year 0 is neither a
        baseline figure of the same name nor 0 (grants: the expected grants of year 0).
    """

    name: str
    doc: str
    params: tuple[Param, ...]
    init: Callable
    step: Callable
    Parameters: type
    fixed: tuple[str, ...] = ()
    baseline: tuple[Param, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    levers: tuple[Lever, ...] = ()
    series: tuple[Series, ...] = ()
    shocks: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    draws: int = 0
    start_draws: int = 0
    owns: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    stocks: Mapping[str, str] = field(default_factory=dict)
    events: Mapping[str, str] = field(default_factory=dict)
    year0: Callable | None = None
    prepare: Callable | None = None

    def flows(self) -> tuple[str, ...]:
        """The indicators its ``step`` returns each month (all but its stocks)."""
        return tuple(i.name for i in self.indicators if i.name not in self.stocks)

    def parameters(self, values: Mapping[str, float | np.ndarray]):
        """Its frozen parameters from ``values`` (name -> float or (paths,) array)."""
        return self.Parameters(**values)


def parameters_class(name: str, params: tuple[Param, ...], module: str) -> type:
    """A frozen dataclass with one field per parameter of ``params`` (float or (paths,)
    array each), named ``<Name>Parameters`` and documented from the table.

    Parameters
    ----------
    name : str
        The mechanism (``pledge``).
    params : tuple of Param
        Its parameter table.
    module : str
        The module that assigns the class to a module-level name (``__name__``), so that the
        class pickles by reference.
    """
    cls_name = "".join(w.capitalize() for w in name.split("_")) + "Parameters"
    cls = dataclasses.make_dataclass(
        cls_name, [(p.name, "float | numpy.ndarray") for p in params], frozen=True, slots=True)
    cls.__module__ = module
    cls.__doc__ = (f"Parameters of the {name} mechanism (float, or a (paths,) array when "
                   "drawn per path).\n\nAttributes\n----------\n"
                   + "".join(f"{p.name} : float or numpy.ndarray\n    {p.doc} ({p.unit}).\n"
                             for p in params))
    return cls
