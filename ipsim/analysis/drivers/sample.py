"""The sample of a run: each kept path's inputs and which targets it met.

An engine returns :class:`ipsim.model.paths.IndicatorPaths`; its ``inputs`` hold the
values every uncertain parameter took on each path, and its ``shocks`` the economy each
path lived through: ``economy`` -> (paths,) the sum over the months of the common factor,
and each shock series (``applications``, ``transfers``, ``pledge``, ``turnover``) -> the sum
of its own noise, each divided by ``sqrt(months)``. Those enter the sample as inputs named
``shock.<name>``, so "missed because of a bad economy" is told apart from "missed because
growth was assumed too high". Paths without shocks (an empty ``shocks``, or an older
engine without the attribute) give the parameters only.
"""

from __future__ import annotations

import numpy as np

from ipsim.analysis.attainment import ALL, attainment_matrix
from ipsim.analysis.drivers.table import Sample
from ipsim.model.paths import IndicatorPaths

__all__ = ["sample_of", "SHOCK_PREFIX"]

SHOCK_PREFIX = "shock."


def sample_of(scenario, paths: IndicatorPaths) -> Sample:
    """The :class:`~ipsim.analysis.drivers.table.Sample` of ``paths`` of ``scenario``:
    every target and all of them at once, against the parameters and (when reported) the
    cumulative shocks."""
    met = attainment_matrix(scenario.targets, paths)
    names = list(paths.inputs)
    kinds = ["parameter"] * len(names)
    columns = [np.asarray(paths.inputs[k], dtype=float) for k in names]
    for name, values in (getattr(paths, "shocks", None) or {}).items():
        names.append(SHOCK_PREFIX + name)
        kinds.append("shock")
        columns.append(np.asarray(values, dtype=float))
    x = np.column_stack(columns) if columns else np.empty((paths.n, 0))
    outputs = [t.id for t in scenario.targets] + [ALL]
    labels = [t.label for t in scenario.targets] + ["All targets at once"]
    return Sample(names, kinds, x, outputs, labels, met)
