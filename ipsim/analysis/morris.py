"""Morris elementary-effects screening: design points in, mu*, sigma and intervals out.

For scenarios with many uncertain parameters, where Sobol' indices (``n (d + 2)`` model
runs) are too dear, ``r`` one-at-a-time trajectories of ``d + 1`` points each rank the
parameters: ``mu*`` (the mean absolute elementary effect) measures overall influence,
``sigma`` (their standard deviation) non-linearity or interaction. Design and analysis are
SALib's (:func:`SALib.sample.morris.sample`, :func:`SALib.analyze.morris.analyze`), on the
unit hypercube with seeded generators; like :mod:`ipsim.analysis.sobol`, nothing here knows
about scenarios.

References
----------
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174. Campolongo, F., Cariboni, J., Saltelli, A. (2007). An
effective screening design for sensitivity analysis of large models. Environmental
Modelling & Software 22(10), 1509-1518 (mu*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MorrisEffects", "design", "effects", "LEVELS"]

LEVELS = 4
"""Grid levels per input (SALib's default; even, as Morris's design needs)."""


@dataclass(frozen=True)
class MorrisEffects:
    """Elementary-effect statistics of ``s`` outputs to ``d`` inputs, arrays (s, d).

    Effects are per unit of the hypercube coordinate (the input's quantile), so they are
    comparable across inputs; ``mu_star_conf`` is the half-width of SALib's bootstrap
    ``level`` interval of ``mu_star``.
    """

    mu: np.ndarray
    mu_star: np.ndarray
    sigma: np.ndarray
    mu_star_conf: np.ndarray
    trajectories: int
    level: float


def _problem(d: int) -> dict:
    return {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}


def design(d: int, trajectories: int, seed: int | np.random.SeedSequence) -> np.ndarray:
    """``trajectories (d + 1)`` points of the unit hypercube on a :data:`LEVELS` grid, (rows, d).

    Parameters
    ----------
    d : int
        Number of inputs, >= 1.
    trajectories : int
        Morris trajectories ``r`` (10 to 50 is usual).
    seed : int or numpy.random.SeedSequence
        Seed of the trajectories.
    """
    from SALib.sample import morris

    return morris.sample(_problem(d), trajectories, num_levels=LEVELS,
                         seed=np.random.default_rng(seed))


def effects(x: np.ndarray, y: np.ndarray, *, level: float = 0.95, resamples: int = 1000,
            seed: int | np.random.SeedSequence = 0) -> MorrisEffects:
    """mu, mu*, sigma and the mu* interval of each output from the design ``x`` and outputs.

    Parameters
    ----------
    x : numpy.ndarray
        (rows, d) points of :func:`design`, in its order.
    y : numpy.ndarray
        (rows,) or (rows, s) outputs at those points.
    level : float
        Confidence level of the mu* interval.
    resamples : int
        Bootstrap resamples of the trajectories for the interval.
    seed : int or numpy.random.SeedSequence
        Seed of the bootstrap (one child per output).
    """
    from SALib.analyze import morris

    y = np.asarray(y, dtype=float)
    y = y[:, None] if y.ndim == 1 else y
    d = x.shape[1]
    seeds = np.random.SeedSequence(seed) if isinstance(seed, int) else seed
    out: dict[str, list] = {"mu": [], "mu_star": [], "sigma": [], "mu_star_conf": []}
    for j, child in enumerate(seeds.spawn(y.shape[1])):
        res = morris.analyze(_problem(d), x, np.ascontiguousarray(y[:, j]),
                             num_resamples=resamples, conf_level=level, num_levels=LEVELS,
                             seed=np.random.default_rng(child))
        for key in out:
            out[key].append(np.asarray(res[key], dtype=float))
    return MorrisEffects(*(np.array(out[k]) for k in out), x.shape[0] // (d + 1), level)
