"""The model's own drift of an observed series beyond its growth parameter.

A series' growth parameter is its market trend; the model adds to it the pull of the patent
stock on transfers (``stock_elasticity``), of transfer activity on turnover
(``transfer_elasticity``) and, with a programme, the spending effects. To reproduce an
observed drift, the calibrated growth parameter must be the observed drift less this
*offset*. It is measured, not derived, so it stays right whatever the mechanisms do: one
run of the calibrated scenario with every volatility 0 and every fitted growth fixed at its
estimate gives each observed indicator's mean log growth a year; the offset is that less
``log(1 + growth)``. Its Monte Carlo error (count noise only) is about
``sqrt(2 / N) / (years sqrt(paths))``, below 0.003/yr for 100 counts a year and 256 paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["model_offsets", "SECTIONS", "OFFSET_SEED"]

OFFSET_SEED = 0
"""Seed of the shock-free run (its only randomness is the count noise)."""

SECTIONS = ("patents", "transfers", "turnover", "pledge")
"""Parameter sections with a growth and a volatility."""


def model_offsets(base, overrides: Mapping[str, Any], used: Mapping[str, str],
                  paths: int = 256, seed: int = OFFSET_SEED) -> dict[str, float]:
    """Offset (1/yr, log scale) of each fitted section's observed indicator.

    Parameters
    ----------
    base : ipsim.calibration.overlay.Base
        The scenario being calibrated.
    overrides : Mapping[str, Any]
        The calibration's overrides so far; each fitted growth is a normal distribution
        whose mean is used.
    used : Mapping[str, str]
        Fitted section -> the indicator it was fitted on.
    paths : int
        Paths of the run.
    seed : int
        Its seed.
    """
    from ipsim.study.pipeline import run

    fixed = dict(overrides)
    growth = {}
    for s in SECTIONS:
        fixed[f"parameters.{s}.volatility"] = 0.0
        g = overrides.get(f"parameters.{s}.growth")
        if isinstance(g, Mapping):
            growth[s] = g["mean"]
            fixed[f"parameters.{s}.growth"] = g["mean"]
    scenario = base.with_overrides(fixed)
    kept = run([scenario], paths, seed, keep_paths=paths).base.paths()
    out = {}
    for section, indicator in used.items():
        y = kept.yearly[indicator]
        rate = np.mean(np.log(y[:, -1]) - np.log(y[:, 0])) / (y.shape[1] - 1)
        out[section] = float(rate - np.log1p(growth[section]))
    return out
