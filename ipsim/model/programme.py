"""Programme outputs bought with the funds (mechanism 6).

Each output is delivered as a Poisson count a month with mean
``spend_m / unit_cost + background / 12``: what the month's spending on its lever buys at an
uncertain unit cost (drawn once per path when given as a distribution), plus what happens
anyway. Targets on these outputs are ``cumulative`` (delivered over the period).

An output is one row of :data:`OUTPUTS`: its indicator, the lever that pays for it, and the
defaults of its two parameters; the parameters, indicators, levers and draws all follow from
that row, so a new output is one more row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipsim.model import draws
from ipsim.model.indicators import Indicator
from ipsim.model.mechanism import Lever, Mechanism, Month, Start, parameters_class
from ipsim.model.spec import Param

__all__ = ["MECHANISM", "Output", "OUTPUTS", "LEVER_OF", "PARAMS", "step", "rates",
           "ProgrammeParameters"]


@dataclass(frozen=True)
class Output:
    """One programme output: indicator ``name`` delivered by spending on ``lever``.

    Attributes
    ----------
    name, lever : str
        The indicator and the ``policy.allocation`` key that pays for it.
    unit_cost : float
        Default programme spending per unit delivered (yuan).
    background : float
        Default deliveries a year without the programme (units/yr).
    unit : str
        What one unit is, in words ("navigation project").
    per_year : str
        The indicator's unit (``projects/yr``).
    label, lever_doc : str
        The indicator's label and what the lever pays for.
    """

    name: str
    lever: str
    unit_cost: float
    background: float
    unit: str
    per_year: str
    label: str
    lever_doc: str


OUTPUTS: tuple[Output, ...] = (
    Output("navigation_projects", "navigation", 2.0e6, 0.5, "navigation project",
           "projects/yr", "Industrial patent navigation projects",
           "industrial patent navigation projects"),
    Output("certified_orgs", "certification", 4.0e4, 20.0, "organisation certified",
           "orgs/yr", "Organisations certified to the IP standard",
           "certification to the IP management standard"),
    Output("trusteeship_smes", "trusteeship", 1.2e4, 50.0, "SME covered by trusteeship",
           "SMEs/yr", "SMEs covered by IP trusteeship", "IP trusteeship services for SMEs"),
    Output("operation_centres", "operation_centres", 3.0e6, 0.2, "operation centre",
           "centres/yr", "Industrial IP operation centres", "industrial IP operation centres"),
    Output("sme_transformations", "sme_transformation", 1.2e5, 5.0, "SME transformation",
           "SMEs/yr", "SMEs transforming university patents",
           "SMEs transforming university patents"),
)
"""The outputs, in the column order of the mechanism's draws."""

LEVER_OF: dict[str, str] = {o.name: o.lever for o in OUTPUTS}
"""Output indicator -> the lever that pays for it."""

PARAMS: tuple[Param, ...] = tuple(
    p for o in OUTPUTS for p in (
        Param(f"{o.name}_unit_cost", o.unit_cost, "yuan", 1.0, 1e10,
              f"programme spending per {o.unit} delivered", "assumption"),
        Param(f"{o.name}_background", o.background, "1/yr", 0.0, 1e6,
              f"deliveries a year ({o.unit}) without the programme", "assumption"),
    )
)

ProgrammeParameters = parameters_class("programme", PARAMS, __name__)


def rates(p: ProgrammeParameters, spend) -> dict:
    """Expected deliveries of the month per output: ``spend / unit_cost + background / 12``.

    Parameters
    ----------
    p : ProgrammeParameters
        ``<output>_unit_cost`` (yuan) and ``<output>_background`` (units/yr).
    spend : mapping
        This month's spending per lever (yuan).

    Returns
    -------
    dict
        Output name (:data:`OUTPUTS` order) -> units/month.
    """
    return {o.name: spend[o.lever] / getattr(p, f"{o.name}_unit_cost")
            + getattr(p, f"{o.name}_background") / 12.0 for o in OUTPUTS}


def init(state, p: ProgrammeParameters, start: Start) -> None:
    """Nothing to keep between months: deliveries depend on the month's spending only."""


def step(state, p: ProgrammeParameters, month: Month) -> dict[str, np.ndarray]:
    """One month of deliveries: ``{output: counts (paths,)}``, one standard normal per
    output (``month.draws`` column ``j`` for output ``j`` of :data:`OUTPUTS`)."""
    return {name: draws.poisson_from_normal(month.draws[:, j], lam)
            for j, (name, lam) in enumerate(rates(p, month.spend).items())}


MECHANISM = Mechanism(
    name="programme", doc="programme outputs bought with the funds at an uncertain unit cost",
    params=PARAMS, init=init, step=step, Parameters=ProgrammeParameters,
    indicators=tuple(Indicator(o.name, "output", o.per_year, o.label) for o in OUTPUTS),
    levers=tuple(Lever(o.lever, o.lever_doc) for o in OUTPUTS), draws=len(OUTPUTS),
)
