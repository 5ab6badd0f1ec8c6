"""The API's sensitivity analysis: which uncertain parameter drives attainment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ipsim.api.results import data_frame
from ipsim.api.scenarios import ScenarioLike, load
from ipsim.errors import ArgumentError
from ipsim.study import sensitivity as study
from ipsim.study.sensitivity_plan import DEFAULT_SAMPLES, METHODS

__all__ = ["sensitivity", "SensitivityResult"]


@dataclass
class SensitivityResult:
    """What :func:`sensitivity` returns.

    Attributes
    ----------
    analysis : ipsim.study.sensitivity.SensitivityResult
        The design, the probabilities at every parameter set (``y``), the indices (Sobol':
        ``S1``, ``ST`` with bootstrap intervals; Morris: ``mu_star``, ``sigma``) and the
        tornado.
    reused, stored : int
        Tasks taken from the cache and tasks run (and stored) by this call.
    """

    analysis: study.SensitivityResult
    reused: int = 0
    stored: int = 0
    workers: int = field(default=1, repr=False)

    def data(self) -> dict:
        """The content of ``sensitivity.json``: provenance, the design, per output and
        parameter the indices, the tornado and whether each output's result is to be
        trusted (with the size that would fix it)."""
        from ipsim.report.sensitivity import sensitivity_data

        return sensitivity_data(self.analysis, self.workers)

    def table(self) -> list[dict]:
        """One row per output (each target, then all at once) and parameter, as
        ``sensitivity.csv``."""
        from ipsim.report.sensitivity import sensitivity_rows

        return sensitivity_rows(self.data())

    def to_pandas(self):
        """:meth:`table` as a ``pandas.DataFrame`` (needs pandas)."""
        return data_frame(self.table())

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write the files ``ipsim sensitivity`` writes into ``out``, swapped in whole (a
        task cache ``.cache/`` inside it carried over); returns the JSON content."""
        from ipsim.report.sensitivity import write_sensitivity

        return write_sensitivity(self.analysis, out, workers=self.workers, make_plots=plots)


def sensitivity(scenario: ScenarioLike, *, method: str = "sobol", samples: int | None = None,
                paths_per_sample: int = 2048, seed: int | None = None, workers: int = 1,
                dask=None, cache: str | Path | None = None, reuse: bool = True,
                progress: Callable[[int], None] | None = None,
                tornado: bool = True) -> SensitivityResult:
    """Sobol' indices or Morris screening of a scenario's uncertain parameters, on the
    probability of meeting each target and all at once.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        A scenario with uncertain parameters (see :func:`ipsim.load`).
    method : str
        ``sobol``: first-order and total indices, ``samples (d + 2)`` parameter sets;
        ``morris``: screening, ``samples (d + 1)`` sets (``d`` the uncertain parameters).
    samples : int, optional
        Base samples (a power of 2) for Sobol', trajectories for Morris (default
        :data:`ipsim.study.sensitivity_plan.DEFAULT_SAMPLES`: 256 and 20).
    paths_per_sample : int
        Paths per parameter set, the same paths for every set.
    seed : int, optional
        Seed (default: the scenario's).
    workers, dask
        Where the parameter sets run; results do not depend on it.
    cache : path, optional
        Folder of the task cache: an interrupted analysis resumes from it.
    reuse : bool
        Take finished tasks from the cache (False: run them again, still storing each).
    progress : callable, optional
        Called with the parameter sets of each finished task.
    tornado : bool
        Also simulate each parameter at its low and high quantile, the others at their
        medians (the tornado chart).

    Raises
    ------
    ArgumentError
        An unknown method, a bad size, or a scenario without uncertain parameters.
    """
    if method not in METHODS:
        raise ArgumentError("method", f"unknown method '{method}'; allowed: "
                            f"{', '.join(METHODS)}")
    s = load(scenario)
    fs = study.factors(s)              # refuses a scenario without uncertain parameters
    seed = s.seed if seed is None else seed
    store = None
    if cache is not None:
        store = study.cache_for(Path(cache), s, fs, seed, paths_per_sample)
        if not reuse:
            store.get = lambda task: None
    run = {"workers": workers, "dask": dask, "progress": progress, "cache": store}
    samples = samples or DEFAULT_SAMPLES[method]
    runner = study.run_sobol if method == "sobol" else study.run_morris
    analysis = runner(s, samples, paths_per_sample, seed, **run)
    if tornado:
        study.tornado(analysis, **run)
    return SensitivityResult(analysis, store.reused if store else 0,
                             store.stored if store else 0, workers)
