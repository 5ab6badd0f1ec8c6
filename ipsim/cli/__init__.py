"""Command line: ``ipsim run``, ``compare``, ``sweep``, ``sensitivity``, ``drivers``,
``calibrate``, ``backtest``, ``optimise``, ``goal``, ``report``, ``validate`` and ``schema``;
the only place with argv and exit codes.

One module per command (:mod:`ipsim.cli.run`, :mod:`ipsim.cli.compare`, ...), each with an
``add_parser`` and a ``main(args, arm)``; :data:`COMMANDS` maps a command's name to its
``main``. Exit status: 0 success, 1 a model failure, 2 bad input (scenario or arguments, or
a run estimated to be unreasonably long or large), 130 interrupted (SIGINT), 143 terminated
(SIGTERM). Every failure is reported on stderr, one line a problem, never as a traceback.
"""

from __future__ import annotations

import argparse
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
from ipsim.cli.options import Parser, flag_of
from ipsim.cli.signals import Signals, Terminated
from ipsim.errors import ArgumentError, IpsimError, ModelError, ScenarioErrors, UsageError

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
        return _main(argv, signals.arm)
    finally:
        signals.restore()


def _main(argv: list[str] | None, arm: Callable[[], None]) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args, arm)
    except ScenarioErrors as exc:
        for e in exc.errors:
            print(e, file=sys.stderr)
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
        print("ipsim: interrupted (SIGINT); workers stopped, no partial result written",
              file=sys.stderr)
        return 130
    except Terminated:
        print("ipsim: terminated (SIGTERM); workers stopped, no partial result written",
              file=sys.stderr)
        return 143
    except IpsimError as exc:  # pragma: no cover
        print(f"ipsim: error: {exc}", file=sys.stderr)
        return 1
