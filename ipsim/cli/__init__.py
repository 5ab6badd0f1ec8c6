"""Command line: ``ipsim run``, ``compare``, ``sweep``, ``sensitivity``, ``drivers``,
``calibrate``, ``backtest``, ``optimise``, ``goal``, ``report``, ``validate`` and ``schema``;
the only place with argv and exit codes.

One module per command (:mod:`ipsim.cli.run`, :mod:`ipsim.cli.compare`, ...), each with an
``add_parser`` and a ``main(args, arm)``; :data:`COMMANDS` maps a command's name to its
``main``. Exit status: 0 success; 1 a failure while working (a model error, an operating-
system error while writing the result, such as a full disk, or an error in ipsim itself);
2 refused before any work (a bad scenario, history or argument, a run estimated to be
unreasonably long or large, an output folder that ipsim may not replace or that another
ipsim command is writing); 130 interrupted (SIGINT), 143 terminated (SIGTERM). Every failure
is reported on stderr, one line a problem, never as a traceback (set ``IPSIM_DEBUG=1`` to
see the traceback of an error in ipsim itself). See docs/robustness.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable

from ipsim import __version__
from ipsim.cli import (
    backtest,
    calibrate,
    compare,
    drivers,
    goal,
    optimise,
    report,
    run,
    scenario,
    sensitivity,
    sweep,
)
from ipsim.cli.options import Parser, flag_of, held_outputs
from ipsim.cli.signals import Signals, Terminated
from ipsim.errors import (
    ArgumentError,
    IpsimError,
    ModelError,
    ScenarioError,
    ScenarioErrors,
    UsageError,
)

__all__ = ["main", "Terminated", "COMMANDS"]

COMMANDS: dict[str, Callable[..., int]] = {
    "run": run.main,
    "compare": compare.main,
    "sweep": sweep.main,
    "sensitivity": sensitivity.main,
    "drivers": drivers.main,
    "validate": scenario.validate,
    "schema": scenario.schema,
    "calibrate": calibrate.main,
    "backtest": backtest.main,
    "optimise": optimise.main,
    "goal": goal.main,
    "report": report.main,
}
"""Command name -> ``main(args, arm)`` returning the exit status."""


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="ipsim", description="Odds of meeting IP-financing programme "
                    "targets under configurable policies (Monte Carlo).")
    parser.add_argument("--version", action="version", version=f"ipsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run.add_parser(sub)
    compare.add_parser(sub)
    sweep.add_parser(sub)
    sensitivity.add_parser(sub)
    drivers.add_parser(sub)
    scenario.add_parsers(sub)
    calibrate.add_parser(sub)
    backtest.add_parser(sub)
    optimise.add_parser(sub)
    goal.add_parser(sub)
    report.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ipsim`` command; returns the exit status."""
    signals = Signals()
    signals.install()
    try:
        return _main(argv, signals)
    finally:
        signals.restore()


def _interrupted(signum: int) -> int:
    if signum == signal.SIGINT:
        print("ipsim: interrupted (SIGINT); workers stopped, no partial result written",
              file=sys.stderr)
        return 130
    print("ipsim: terminated (SIGTERM); workers stopped, no partial result written",
          file=sys.stderr)
    return 143


def _os_error(exc: OSError) -> str:
    """One line for an operating-system error: the path(s), then the cause."""
    where = ": ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    cause = exc.strerror or str(exc)
    return f"ipsim: error: {where}: {cause}" if where else f"ipsim: error: {cause}"


def _main(argv: list[str] | None, signals: Signals) -> int:
    try:
        args = _parser().parse_args(argv)
        with held_outputs():
            status = COMMANDS[args.command](args, signals.arm)
        sys.stdout.flush()   # a closed pipe (ipsim ... | head) shows here, not at exit
        return status
    except BrokenPipeError:   # the reader of stdout has gone: nothing left to tell it
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ScenarioErrors as exc:
        for e in exc.errors:
            print(e, file=sys.stderr)
        return 2
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ArgumentError as exc:
        print(f"ipsim: error: {exc.render(flag_of(exc.argument))}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"ipsim: error: {exc}", file=sys.stderr)
        return 2
    except ModelError as exc:
        print(f"ipsim: model error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return _interrupted(signal.SIGINT)
    except Terminated:
        return _interrupted(signal.SIGTERM)
    except IpsimError as exc:  # pragma: no cover
        print(f"ipsim: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if signals.pending is not None:
            # A signal raised inside an import or a C extension can come out as another
            # exception (SystemError, ImportError); it is still the signal.
            return _interrupted(signals.pending)
        if isinstance(exc, OSError):      # while writing: a full disk, a read-only folder
            print(_os_error(exc), file=sys.stderr)
            return 1
        if isinstance(exc, MemoryError):
            print("ipsim: error: out of memory: use fewer paths or a smaller --chunk-paths",
                  file=sys.stderr)
            return 1
        if os.environ.get("IPSIM_DEBUG"):
            raise
        text = " ".join(str(exc).split())[:300]
        print(f"ipsim: internal error: {type(exc).__name__}: {text} (a bug in ipsim: please "
              "report it with the command; IPSIM_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1
