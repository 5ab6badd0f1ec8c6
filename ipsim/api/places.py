"""The API's studies of a place's own history: calibrate a scenario to it, backtest on it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ipsim.api.results import data_frame
from ipsim.calibration.backtest import OriginResult, backtest_origin, check_cost, check_origins
from ipsim.calibration.fit import LEVEL
from ipsim.calibration.history import History, read_history
from ipsim.calibration.overlay import Base
from ipsim.calibration.place import Calibration
from ipsim.calibration.place import calibrate as fit_to_history
from ipsim.scenario.params import Scenario

__all__ = ["calibrate", "backtest", "CalibrationResult", "BacktestResult", "variant_name"]

HistoryLike = str | Path | History
BaseLike = str | Path | Base


def _history(history: HistoryLike) -> History:
    return history if isinstance(history, History) else read_history(history)


def _base(scenario: BaseLike) -> Base:
    return scenario if isinstance(scenario, Base) else Base(scenario)


def variant_name(scenario: str, history: str | Path) -> str:
    """``<scenario>-<history stem>``, made a valid name (:func:`ipsim.scenario.names.to_name`):
    the name of a calibrated variant."""
    from ipsim.scenario.names import to_name

    return to_name(f"{scenario}-{Path(history).stem}")


@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`calibrate` returns: the estimates and the scenario they make.

    Attributes
    ----------
    calibration : ipsim.calibration.place.Calibration
        Every fit (``fits``), the drift used per section after the prior and the model's
        offsets (``drift``, 1/yr), the common shocks, the notes, and the ``overrides``.
    """

    calibration: Calibration

    @property
    def overrides(self) -> dict:
        """Key path -> value: what the calibration changes in the base scenario."""
        return dict(self.calibration.overrides)

    @property
    def name(self) -> str:
        """The calibrated variant's default name, ``<scenario>-<history stem>``."""
        cal = self.calibration
        return variant_name(cal.base.scenario.name, cal.history.file)

    def scenario(self, name: str | None = None) -> Scenario:
        """The calibrated scenario, validated (the base with :attr:`overrides`), named
        ``name`` (default :attr:`name`)."""
        return self.calibration.scenario(name or self.name)

    def table(self) -> list[dict]:
        """One row per fitted indicator and parameter: estimate and interval in the model's
        units, standard error, periods, whether it is identified and which key it sets."""
        from ipsim.calibration.summary import estimate_rows

        return estimate_rows(self.calibration)

    def to_pandas(self):
        """:meth:`table` as a ``pandas.DataFrame`` (needs pandas)."""
        return data_frame(self.table())

    def write(self, out: str | Path, *, name: str | None = None) -> Path:
        """Write the variant file ``ipsim calibrate`` writes (``base:`` the scenario file,
        the overrides, a header with the estimates), atomically; returns its path.

        Raises
        ------
        UsageError
            ``out`` is not a ``.yaml`` name, is the scenario or the history, or is a file
            ipsim did not write.
        ScenarioErrors
            The calibrated scenario does not validate (nothing is written).
        """
        from ipsim.calibration.summary import header_lines
        from ipsim.scenario.variants import check_overwrite, write_variant_file

        cal = self.calibration
        name = name or self.name
        protected = {"the scenario": cal.base.file, "the history": cal.history.file}
        check_overwrite(out, protected)
        self.scenario(name)                       # validate before writing
        description = (f"{cal.base.scenario.name} calibrated to {Path(cal.history.file).name}"
                       f" (baseline {cal.last_year}); the policy as in the base")
        write_variant_file(out, cal.base.file, name, description, cal.overrides,
                           header_lines(cal))
        return Path(out)


def calibrate(history: HistoryLike, scenario: BaseLike, *, level: float = LEVEL,
              prior: str = "none", during_programme: bool = False) -> CalibrationResult:
    """Fit the growth parameters of a scenario to a place's own figures.

    Parameters
    ----------
    history : path or History
        The history CSV (a year or month column, then indicator columns; see
        ``docs/calibration.md``), or one read by :func:`ipsim.calibration.history.read_history`.
    scenario : path or Base
        The scenario file to calibrate (the written variant names it as its ``base:``).
    level : float
        Confidence level of the intervals, in (0, 1); the written distributions match it.
    prior : str
        ``none`` (the data alone) or ``scenario`` (pool each growth with the scenario's own
        normal distribution of it).
    during_programme : bool
        The history is from during the programme (default: from before it, so the model's
        drift is measured with the programme off).

    Raises
    ------
    HistoryError
        A bad history file (file, line, column and what is allowed).
    ArgumentError
        A bad ``prior``.
    """
    cal = fit_to_history(_history(history), _base(scenario), level=level, prior=prior,
                         programme_off=not during_programme)
    return CalibrationResult(cal)


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` returns: for every origin, the calibration on the years up to
    it, the simulated bands of the years after and where the realised values fell.

    Attributes
    ----------
    origins : tuple of ipsim.calibration.backtest.OriginResult
        Per origin: its calibration, the simulated quantiles by year, the realised values and
        the scored points.
    paths, seed : int
        Paths per origin and the seed.
    options : dict
        ``level``, ``prior`` and ``history_period``, as recorded in ``backtest.json``.
    """

    origins: tuple[OriginResult, ...]
    paths: int
    seed: int
    options: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """The content of ``backtest.json``: provenance, the pooled coverage of the 50 % and
        90 % bands (with and without the bands too wide to test), every point, every
        origin's estimates."""
        from ipsim.report.backtest import backtest_summary

        return backtest_summary(self.origins, self.paths, self.seed, self.options)

    def table(self) -> list[dict]:
        """One row per origin, year and indicator: the realised value, its percentile in the
        simulated distribution, whether it is inside the 50 % and 90 % bands, and what the
        band rests on."""
        return self.summary()["points"]

    def to_pandas(self):
        """:meth:`table` as a ``pandas.DataFrame`` (needs pandas)."""
        return data_frame(self.table())

    def write(self, out: str | Path, *, plots: bool = True) -> dict:
        """Write the files ``ipsim backtest`` writes into ``out``, swapped in whole; returns
        the summary."""
        from ipsim.report.backtest import write_backtest

        return write_backtest(self.origins, out, self.paths, self.seed, self.options,
                              make_plots=plots)


def backtest(history: HistoryLike, scenario: BaseLike, *, origins: Sequence[int] | None = None,
             paths: int = 4096, seed: int | None = None, level: float = LEVEL,
             prior: str = "none", during_programme: bool = False, workers: int = 1,
             progress: Callable[[int], None] | None = None) -> BacktestResult:
    """Calibrate on the years up to each origin, simulate the years after it, and score the
    realised values against the simulated bands.

    Parameters
    ----------
    history, scenario, level, prior, during_programme
        As :func:`calibrate`.
    origins : sequence of int, optional
        The last year used for calibration, one backtest each (default: every year that
        leaves at least two years to fit and one to score).
    paths : int
        Monte Carlo paths per origin.
    seed : int, optional
        Seed of the random numbers (default: the scenario's).
    workers : int
        Local worker processes; results do not depend on it.
    progress : callable, optional
        Called with the paths of each finished chunk.

    Raises
    ------
    HistoryError, ArgumentError
        A bad history, an origin it cannot test, a bad argument.
    UsageError
        The runs together are estimated to take too long.
    """
    hist, base = _history(history), _base(scenario)
    years = check_origins(hist, None if origins is None else list(origins))
    check_cost(hist, base, years, paths, workers)
    seed = base.scenario.seed if seed is None else seed
    results = tuple(backtest_origin(hist, base, o, paths, seed, level=level, prior=prior,
                                    programme_off=not during_programme, progress=progress,
                                    workers=workers) for o in years)
    options = {"level": level, "prior": prior,
               "history_period": "during the programme" if during_programme
               else "before the programme (programme switched off)"}
    return BacktestResult(results, paths, seed, options)
