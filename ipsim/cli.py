"""Command line: ``ipsim run`` (and ``validate``). The only place with argv and exit codes.

Exit status: 0 success, 1 a model failure, 2 bad input (scenario or arguments),
130 interrupted (SIGINT), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from ipsim import __version__
from ipsim.errors import IpsimError, ModelError, ScenarioErrors, UsageError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _positive_int(text: str) -> int:
    try:
        value = int(float(text.replace("_", ""))) if "e" in text.lower() else int(text.replace(
            "_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ipsim", description="Odds of meeting IP-financing programme "
                     "targets under configurable policies (Monte Carlo).")
    parser.add_argument("--version", action="version", version=f"ipsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="simulate a scenario and write tables and plots")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--paths", type=_positive_int, default=100_000,
                     help="Monte Carlo paths (default 100,000)")
    run.add_argument("--seed", type=_seed, default=None,
                     help="random seed (default: the scenario's, else 0)")
    run.add_argument("--workers", type=_positive_int, default=1,
                     help="worker processes (default 1)")
    run.add_argument("--chunk-paths", type=_positive_int, default=None,
                     help="paths per chunk (memory per worker; results do not depend on it; "
                     "default 32,768, or 128 for the des engine)")
    run.add_argument("--engine", default="vectorised",
                     help="vectorised (default), or des: the discrete-event reference engine, "
                     "one SimPy simulation per path (hundreds of paths a second)")
    run.add_argument("--out", default=None, help="output folder (default results/<name>/)")
    run.add_argument("--no-plots", action="store_true", help="write tables only")
    run.add_argument("--quiet", action="store_true", help="no progress bar, no table")
    val = sub.add_parser("validate", help="check scenario files and report every problem")
    val.add_argument("scenarios", nargs="+", help="scenario YAML files")
    return parser


def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    bar = tqdm(total=total, unit="path", unit_scale=True, disable=quiet or not sys.stderr.isatty(),
               file=sys.stderr, dynamic_ncols=True, leave=False)
    return bar


def _print_table(summary: dict) -> None:
    width = max(len(t["label"]) for t in summary["targets"]) + 2
    print(f"{summary['scenario']}: {summary['paths']:,} paths, seed {summary['seed']}, "
          f"{summary['elapsed_s']:.1f} s")
    print(f"{'target':<{width}} {'P(met)':>8}   95 % interval")
    rows = [*summary["targets"], {**summary["all_targets"], "label": "ALL TARGETS"},
            {**summary["midterm_release"], "label": "mid-term tranche released"}]
    for r in rows:
        print(f"{r['label']:<{width}} {r['probability']:>8.1%}   "
              f"[{r['ci_low']:.1%}, {r['ci_high']:.1%}]")


def _cmd_run(args) -> int:
    from ipsim.pipeline import ENGINES, run
    from ipsim.report.outputs import write_run
    from ipsim.scenario.validate import load_scenario

    if args.engine not in ENGINES:
        raise UsageError(f"--engine: unknown engine '{args.engine}'; allowed: "
                         f"{', '.join(ENGINES)}")
    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("results") / scenario.name
    bar = _progress(args.paths, args.quiet)
    try:
        result = run([scenario], args.paths, seed, workers=args.workers,
                     chunk_paths=args.chunk_paths, engine=args.engine,
                     progress=bar.update)
    finally:
        bar.close()
    summary = write_run(result, out, make_plots=not args.no_plots)
    if not args.quiet:
        _print_table(summary)
        print(f"results written to {out}/")
    return 0


def _cmd_validate(args) -> int:
    from ipsim.scenario.validate import load_scenario

    problems = []
    for path in args.scenarios:
        try:
            load_scenario(path)
            print(f"{path}: ok")
        except ScenarioErrors as exc:
            problems.extend(exc.errors)
    for p in problems:
        print(p, file=sys.stderr)
    return 2 if problems else 0


def _terminate(signum, frame):  # SIGTERM -> the same clean path as Ctrl-C, status 143
    raise SystemExit(143)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ipsim`` command; returns the exit status."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        args = _parser().parse_args(argv)
        return {"run": _cmd_run, "validate": _cmd_validate}[args.command](args)
    except ScenarioErrors as exc:
        for e in exc.errors:
            print(e, file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"ipsim: error: {exc}", file=sys.stderr)
        return 2
    except ModelError as exc:
        print(f"ipsim: model error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ipsim: interrupted; nothing was written", file=sys.stderr)
        return 130
    except IpsimError as exc:  # pragma: no cover
        print(f"ipsim: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
