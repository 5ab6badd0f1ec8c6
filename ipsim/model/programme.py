"""Programme outputs bought with the funds (mechanism 6).

Each output is delivered as a Poisson count a month with mean
``spend_m / unit_cost + background / 12``: what the month's spending on its lever buys at an
uncertain unit cost (drawn once per path when given as a distribution), plus what happens
anyway. Targets on these outputs are ``cumulative`` (delivered over the period).
"""

from __future__ import annotations

import numpy as np

from ipsim.model import draws
from ipsim.model.spec import Param

__all__ = ["OUTPUTS", "PARAMS", "DRAWS", "step", "rates"]

OUTPUTS: dict[str, str] = {
    "navigation_projects": "navigation",
    "certified_orgs": "certification",
    "trusteeship_smes": "trusteeship",
    "operation_centres": "operation_centres",
    "sme_transformations": "sme_transformation",
}
"""Output indicator -> the lever (``policy.allocation`` key) that pays for it."""

_DEFAULTS = {  # unit cost (yuan/unit), background (units/yr), what the unit is
    "navigation_projects": (2.0e6, 0.5, "navigation project"),
    "certified_orgs": (4.0e4, 20.0, "organisation certified"),
    "trusteeship_smes": (1.2e4, 50.0, "SME covered by trusteeship"),
    "operation_centres": (3.0e6, 0.2, "operation centre"),
    "sme_transformations": (1.2e5, 5.0, "SME transformation"),
}

PARAMS: tuple[Param, ...] = tuple(
    p for name, (cost, background, unit) in _DEFAULTS.items() for p in (
        Param(f"{name}_unit_cost", cost, "yuan", 1.0, 1e10,
              f"programme spending per {unit} delivered", "assumption"),
        Param(f"{name}_background", background, "1/yr", 0.0, 1e6,
              f"deliveries a year ({unit}) without the programme", "assumption"),
    )
)
DRAWS = len(OUTPUTS)


def rates(p, spend: dict) -> dict:
    """Expected deliveries of the month per output: ``spend / unit_cost + background / 12``.

    Parameters
    ----------
    p : namespace
        ``<output>_unit_cost`` (yuan) and ``<output>_background`` (units/yr).
    spend : dict
        This month's spending per lever (yuan).

    Returns
    -------
    dict
        Output name (:data:`OUTPUTS` order) -> units/month.
    """
    return {name: spend[lever] / getattr(p, f"{name}_unit_cost")
            + getattr(p, f"{name}_background") / 12.0
            for name, lever in OUTPUTS.items()}


def step(p, spend: dict, z: np.ndarray) -> dict[str, np.ndarray]:
    """One month of deliveries: ``{output: counts (paths,)}``.

    Parameters
    ----------
    p : namespace
        ``<output>_unit_cost`` (yuan) and ``<output>_background`` (units/yr).
    spend : dict
        This month's spending per lever (yuan).
    z : numpy.ndarray
        (paths, DRAWS) standard normals, one column per output in :data:`OUTPUTS` order.
    """
    return {name: draws.poisson_from_normal(z[:, j], lam)
            for j, (name, lam) in enumerate(rates(p, spend).items())}
