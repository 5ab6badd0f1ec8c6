"""What the simulating commands share: argument types, run options, progress, the run itself.

``run``, ``compare`` and later commands that simulate take the same options (paths, seed,
workers, chunk size, engine, output folder, plots, quiet) and run the same way (a progress
bar on a terminal, a signal check point after each chunk); they are declared here once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ipsim.errors import UsageError

__all__ = ["Parser", "positive_int", "seed", "add_run_options", "progress_bar", "checked",
           "simulated", "print_precision", "check_engine", "preload", "dask_address",
           "DASK_ENV", "FLAGS", "flag_of", "precision_value", "output_folder", "output_file",
           "held_outputs", "RESULTS", "warn"]

RESULTS = Path("results")
"""Where results go when no ``--out`` is given: ``results/<scenario name>/...``."""

DASK_ENV = "IPSIM_DASK"
"""Environment variable with the default Dask scheduler address (``tcp://host:8786``)."""


FLAGS: dict[str, str] = {
    "paths": "--paths", "seed": "--seed", "workers": "--workers", "chunk_paths": "--chunk-paths",
    "engine": "--engine", "dask": "--dask", "out": "--out", "variants": "--variants",
    "levers": "--param", "balance": "--balance", "samples": "--samples",
    "paths_per_sample": "--paths-per-sample", "method": "--method", "prior": "--prior",
    "origins": "--origin", "scenario": "--scenario", "level": "--level",
    "shares": "--levers", "value_range": "--range",
}
"""API argument -> the flag that feeds it: an :class:`~ipsim.errors.ArgumentError` raised
below the command line names the argument, and is shown under its flag."""


def flag_of(argument: str) -> str:
    """The flag of an API argument (``chunk_paths`` -> ``--chunk-paths``)."""
    return FLAGS.get(argument, "--" + argument.replace("_", "-"))


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2 (via UsageError)."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}")


def positive_int(text: str) -> int:
    """A whole number >= 1, written ``100000``, ``100_000`` or ``1e5``."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return int(value)


def precision_value(text: str) -> float:
    """A half-width in (0, 0.5): ``0.005``, or ``0.5pp`` / ``0.5%`` (percentage points)."""
    t = text.strip().lower()
    scale = 100.0 if t.endswith(("pp", "%")) else 1.0
    try:
        value = float(t.removesuffix("pp").removesuffix("%")) / scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a half-width such as 0.005 or 0.5pp, got "
                                         f"{text!r}") from None
    if not 0 < value < 0.5:
        raise argparse.ArgumentTypeError(f"must be in (0, 0.5), got {text}")
    return value


def seed(text: str) -> int:
    """A whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def add_run_options(parser: argparse.ArgumentParser, *, out_help: str,
                    paths_default: int = 100_000) -> None:
    """The options of every simulating command: paths, seed, workers, chunk size, engine,
    output folder, plots and quiet."""
    parser.add_argument("--paths", type=positive_int, default=paths_default,
                        help=f"Monte Carlo paths (default {paths_default:,})")
    parser.add_argument("--seed", type=seed, default=None,
                        help="random seed (default: the scenario's, else 0)")
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="worker processes (default 1)")
    parser.add_argument("--chunk-paths", type=positive_int, default=None,
                        help="paths per chunk (memory per worker; results do not depend on "
                        "it; default 8,192, or 128 for the des engine)")
    parser.add_argument("--engine", default="vectorised",
                        help="vectorised (default), or des: the discrete-event reference "
                        "engine, one SimPy simulation per path (hundreds of paths a second)")
    parser.add_argument("--dask", default=None, metavar="ADDRESS",
                        help=f"run the chunks on this Dask scheduler (tcp://host:8786; default "
                        f"${DASK_ENV} if set); same results as a local run")
    parser.add_argument("--precision", type=precision_value, default=None, metavar="HALF_WIDTH",
                        help="run whole chunks until every reported probability's 95 %% "
                        "interval is at most this wide on each side (0.005 = 0.5 percentage "
                        "points; for compare, every paired difference's), --paths being the "
                        "cap; the result equals a run of the paths used")
    parser.add_argument("--out", default=None, help=out_help)
    parser.add_argument("--no-plots", action="store_true", help="write tables only")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no table")


def progress_bar(total: int, quiet: bool, unit: str = "path"):
    """A tqdm bar on stderr, shown only on a terminal and unless ``quiet``."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, unit_scale=True, file=sys.stderr, dynamic_ncols=True,
                disable=quiet or not sys.stderr.isatty(), leave=False)


def checked(update: Callable[[int], None], arm: Callable[[], None]) -> Callable[[int], None]:
    """A progress callback that is also a check point for a signal already received."""
    def progress(n: int) -> None:
        update(n)
        arm()
    return progress


def check_engine(engine: str) -> None:
    """Refuse an unknown ``--engine`` (before anything is loaded or run)."""
    from ipsim.study.pipeline import ENGINES  # noqa: I001  (not at start-up: it loads the model)

    if engine not in ENGINES:
        raise UsageError(f"--engine: unknown engine '{engine}'; allowed: {', '.join(ENGINES)}")


def preload(args) -> None:
    """Import what the command will need later now, while a signal is only noted (see
    :class:`ipsim.cli.signals.Signals`): the plotting modules (unless ``--no-plots``), the
    run's machinery and the progress bar."""
    import tqdm  # noqa: F401

    import ipsim.runtime.execution  # noqa: F401
    import ipsim.study.pipeline  # noqa: F401

    if not getattr(args, "no_plots", True):
        import matplotlib.backends.backend_agg  # noqa: F401
        import matplotlib.backends.backend_svg  # noqa: F401

        import ipsim.report.decide_plots  # noqa: F401
        import ipsim.report.plots  # noqa: F401
        import ipsim.report.sensitivity_plots  # noqa: F401
        import ipsim.report.sweep_plots  # noqa: F401


def warn(*scenarios) -> None:
    """Print the scenarios' warnings (``Scenario.warnings``) on stderr, each once."""
    seen: set[str] = set()
    for s in scenarios:
        for w in getattr(s, "warnings", ()):
            if (line := str(w)) not in seen:
                seen.add(line)
                print(line, file=sys.stderr)


_held: list[contextlib.ExitStack] = []


@contextlib.contextmanager
def held_outputs() -> Iterator[None]:
    """Around a command: the output folders it holds (:func:`output_folder`) are released
    when it ends, and those it created are removed again if it fails before writing."""
    with contextlib.ExitStack() as stack:
        _held.append(stack)
        try:
            yield
        finally:
            _held.pop()


def _chosen(out: str | None, default: Sequence[str]) -> Path:
    """``--out`` if given, else ``results/`` joined with ``default``, which must lie inside
    ``results/`` once every symbolic link is resolved."""
    from ipsim.runtime.folders import inside

    if out:
        if "\0" in out:
            raise UsageError(f"--out {out!r}: holds a NUL character")
        return Path(out)
    path = RESULTS.joinpath(*default)
    if not inside(path, RESULTS):
        raise UsageError(f"{path}: resolves to {path.resolve()}, outside {RESULTS}/ (a "
                         f"symbolic link?); ipsim writes its default results only inside "
                         f"{RESULTS}/: give --out")
    return path


def _hold(folder: Path, exclusive: bool = True) -> None:
    from ipsim.runtime.locks import hold

    if _held:
        _held[-1].enter_context(hold(folder, exclusive))


def output_file(out: str | None, default: Sequence[str], check: Callable[[Path], None]
                ) -> Path:
    """The command's output file (``--out``, else ``results/<default...>``), checked by
    ``check(path)``; its folder and those above it are held (shared: the file is written
    atomically) until the command ends, so that no other command replaces them meanwhile."""
    from ipsim.runtime.folders import check_writable

    path = _chosen(out, default)
    check(path)
    check_writable(path.parent)
    _hold(path.parent, exclusive=False)
    return path


def output_folder(out: str | None, default: Sequence[str], command: str,
                  kept: Sequence[str] = ()) -> Path:
    """The command's output folder, checked and held until the command ends.

    ``--out`` if given, else ``results/`` joined with ``default`` (the scenario's name,
    then the command's sub-folder); the default must lie inside ``results/`` once every
    symbolic link is resolved. The folder must be one the command may replace
    (:func:`ipsim.runtime.folders.check_out`) and no other ipsim command may be writing it
    (:func:`ipsim.runtime.locks.hold`).

    Raises
    ------
    UsageError
        A bad ``--out``, a default folder outside ``results/``, a foreign or busy folder.
    """
    from ipsim.runtime.folders import check_out, check_writable

    folder = _chosen(out, default)
    check_out(folder, command, kept)
    check_writable(folder)
    _hold(folder)
    return folder


def dask_address(args) -> str | None:
    """``--dask``, else the ``IPSIM_DASK`` environment variable, else None (run locally).

    The cluster is a setting of the machine, not of the scenario: a scenario describes a
    programme and gives the same results wherever it runs.
    """
    address = args.dask if getattr(args, "dask", None) else os.environ.get(DASK_ENV, "")
    return address.strip() or None


def simulated(args, arm: Callable[[], None], call: Callable[..., Any], total: int | None = None,
              unit: str = "path"):
    """``call(**options)`` with the command's run options and a progress bar over ``total``
    (default ``--paths``): ``paths``, ``workers``, ``chunk_paths``, ``engine``, ``dask`` and a
    ``progress`` callback that is also a signal check point."""
    bar = progress_bar(args.paths if total is None else total, args.quiet, unit)
    try:
        result = call(paths=args.paths, workers=args.workers, chunk_paths=args.chunk_paths,
                      engine=args.engine, progress=checked(bar.update, arm),
                      dask=dask_address(args), precision=args.precision)
    finally:
        bar.close()
    arm()
    return result


def print_precision(data: dict, what: str = "every probability") -> None:
    """One line on a run that stopped at a precision (``data["precision"]``), if it did."""
    pr = data.get("precision")
    if not pr:
        return
    how = "stopped at" if pr["stopped_early"] else "ran all"
    print(f"{how} {pr['paths_used']:,} of at most {pr['max_paths']:,} paths: {what} within "
          f"+/- {pr['reached'] * 100:.2f} pp at 95 % (asked +/- {pr['asked'] * 100:.2f} pp)")
