"""Command line: ``ipsim run``, ``compare``, ``validate`` and ``schema``; the only place
with argv and exit codes.

Exit status: 0 success, 1 a model failure, 2 bad input (scenario or arguments, or a run
estimated to be unreasonably long or large), 130 interrupted (SIGINT), 143 terminated
(SIGTERM). Every failure is reported on stderr, one line a problem, never as a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ipsim import __version__
from ipsim.errors import IpsimError, ModelError, ScenarioErrors, UsageError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _positive_int(text: str) -> int:
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
    cmp = sub.add_parser("compare", help="compare policy variants with the base on the same "
                         "random numbers (paired differences)")
    cmp.add_argument("scenario", help="scenario YAML file with variants: (or a variant file "
                     "naming its base:)")
    cmp.add_argument("--variants", default=None,
                     help="comma-separated variant names, or variant files of this scenario "
                     "(default: every variant in the file)")
    cmp.add_argument("--paths", type=_positive_int, default=100_000,
                     help="Monte Carlo paths (default 100,000)")
    cmp.add_argument("--seed", type=_seed, default=None,
                     help="random seed (default: the scenario's, else 0)")
    cmp.add_argument("--workers", type=_positive_int, default=1,
                     help="worker processes (default 1)")
    cmp.add_argument("--chunk-paths", type=_positive_int, default=None,
                     help="paths per chunk (memory per worker; results do not depend on it)")
    cmp.add_argument("--engine", default="vectorised", help="engine (default vectorised)")
    cmp.add_argument("--out", default=None,
                     help="output folder (default results/<name>/compare/)")
    cmp.add_argument("--no-plots", action="store_true", help="write tables only")
    cmp.add_argument("--quiet", action="store_true", help="no progress bar, no table")
    val = sub.add_parser("validate", help="check scenario files and report every problem")
    val.add_argument("scenarios", nargs="+", help="scenario YAML files")
    sub.add_parser("schema", help="print the scenario file reference (docs/scenario.md)")
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


def _checked(update: Callable[[int], None], arm: Callable[[], None]) -> Callable[[int], None]:
    """A progress callback that is also a check point for a signal already received."""
    def progress(n: int) -> None:
        update(n)
        arm()
    return progress


def _cmd_run(args, arm: Callable[[], None]) -> int:
    from ipsim.pipeline import ENGINES, run
    from ipsim.report.outputs import check_out, write_run
    from ipsim.scenario.validate import load_scenario

    if not args.no_plots:
        import ipsim.report.plots  # noqa: F401  (matplotlib loads now, not mid-write)
    arm()
    if args.engine not in ENGINES:
        raise UsageError(f"--engine: unknown engine '{args.engine}'; allowed: "
                         f"{', '.join(ENGINES)}")
    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("results") / scenario.name
    check_out(out)
    bar = _progress(args.paths, args.quiet)
    try:
        result = run([scenario], args.paths, seed, workers=args.workers,
                     chunk_paths=args.chunk_paths, engine=args.engine,
                     progress=_checked(bar.update, arm))
    finally:
        bar.close()
    arm()
    summary = write_run(result, out, make_plots=not args.no_plots)
    if not args.quiet:
        _print_table(summary)
        print(f"results written to {out}/")
    return 0


def _pp(x: float) -> str:
    return f"{x * 100:+.2f}"


def _print_comparison(data: dict) -> None:
    """One line per scenario: joint attainment, its paired difference from the base, McNemar's
    p, the mid-term release and the target that moves most; then the best for all targets."""
    base, sides = data["base"], data["variants"]
    width = max(len(s["name"]) for s in [base, *sides]) + 9
    print(f"{data['scenario']}: base and {len(sides)} variant(s) on the same "
          f"{data['paths']:,} paths, seed {data['seed']}, {data['elapsed_s']:.1f} s")
    print(f"{'':<{width}} {'all targets':>11}  {'difference from base, pp':<26} {'McNemar':>8} "
          f"{'mid-term':>9}  largest change in one target (pp)")
    print(f"{'scenario':<{width}} {'P(met)':>11}  {'[95 % paired interval]':<26} {'p':>8} "
          f"{'release':>9}")
    print(f"{base['name'] + ' (base)':<{width}} {base['all_targets']['probability']:>11.2%}  "
          f"{'':<26} {'':>8} {base['midterm_release']['probability']:>9.1%}")
    for v in sides:
        j = v["all_targets"]
        diff = f"{_pp(j['diff'])} [{_pp(j['diff_ci_low'])}, {_pp(j['diff_ci_high'])}]"
        top = max(v["targets"], key=lambda r: abs(r["diff"]))
        print(f"{v['name']:<{width}} {j['probability']:>11.2%}  {diff:<26} "
              f"{j['p_value']:>8.2g} {v['midterm_release']['probability']:>9.1%}  "
              f"{top['label']} {_pp(top['diff'])}")
    for v in sides:
        for note in v["pairing_notes"]:
            print(f"note: {v['name']} {note}")
    b = data["best"]
    if b.get("runner_up") is None:
        return
    verdict = ("distinguishable" if b["distinguishable"] else
               "not distinguishable: the interval includes 0")
    print(f"best for all targets at once: {b['best']} ({b['best_probability']:.2%}), ahead of "
          f"{b['runner_up']} ({b['runner_up_probability']:.2%}) by {_pp(b['diff'])} pp "
          f"[{_pp(b['diff_ci_low'])}, {_pp(b['diff_ci_high'])}], McNemar p = "
          f"{b['p_value']:.2g}: {verdict}")


def _cmd_compare(args, arm: Callable[[], None]) -> int:
    from ipsim.analysis.compare import compare
    from ipsim.pipeline import ENGINES, run
    from ipsim.report.comparison import write_comparison
    from ipsim.scenario.variants import load_variant_specs

    if not args.no_plots:
        import ipsim.report.plots  # noqa: F401  (matplotlib loads now, not mid-write)
    arm()
    if args.engine not in ENGINES:
        raise UsageError(f"--engine: unknown engine '{args.engine}'; allowed: "
                         f"{', '.join(ENGINES)}")
    select = None
    if args.variants is not None:
        select = [v.strip() for v in args.variants.split(",") if v.strip()]
        if not select:
            raise UsageError("--variants: give at least one variant name")
    base, variants = load_variant_specs(args.scenario, select)
    if not variants:
        raise UsageError(f"{args.scenario} has no variants to compare: add a variants: "
                         "section (see docs/compare.md) or name a variant file")
    seed = base.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("results") / base.name / "compare"
    scenarios = [base, *[v.scenario for v in variants]]
    bar = _progress(args.paths, args.quiet)
    try:
        result = run(scenarios, args.paths, seed, workers=args.workers,
                     chunk_paths=args.chunk_paths, engine=args.engine,
                     progress=_checked(bar.update, arm))
    finally:
        bar.close()
    arm()
    comparison = compare(scenarios, [r.tally for r in result.results])
    data = write_comparison(comparison, result, out, variants, make_plots=not args.no_plots)
    if not args.quiet:
        _print_comparison(data)
        print(f"results written to {out}/")
    return 0


def _cmd_validate(args, arm: Callable[[], None]) -> int:
    from ipsim.scenario.variants import load_variants

    arm()
    problems = []
    for path in args.scenarios:
        try:
            load_variants(path)  # the scenario and its variants (or a variant file and base)
            print(f"{path}: ok")
        except ScenarioErrors as exc:
            problems.extend(exc.errors)
    for p in problems:
        print(p, file=sys.stderr)
    return 2 if problems else 0


def _cmd_schema(args, arm: Callable[[], None]) -> int:
    from ipsim.scenario.schema import render_markdown

    arm()
    sys.stdout.write(render_markdown())
    return 0


class Terminated(BaseException):
    """SIGTERM arrived: unwinds the run like KeyboardInterrupt does for SIGINT."""


class _Signals:
    """SIGINT and SIGTERM while a command runs.

    Until :meth:`arm` (while the command's modules are imported) a signal is only noted:
    an exception raised inside the import machinery can be swallowed or make the
    interpreter kill itself at exit. Once armed, the first signal raises KeyboardInterrupt
    (SIGINT) or :class:`Terminated` (SIGTERM) in the main thread, which stops the workers
    and unwinds without writing anything; later signals are ignored so the clean-up cannot
    be cut short. A signal ignored when ipsim starts (``nohup``) stays ignored.
    """

    def __init__(self):
        self.pending: int | None = None
        self.armed = False
        self.saved: dict = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            self.saved[signum] = signal.getsignal(signum)
            if self.saved[signum] is not signal.SIG_IGN:
                signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self.saved.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    def _handle(self, signum, frame) -> None:
        if self.pending is not None:
            return
        self.pending = signum
        if self.armed:
            self._raise()

    def arm(self) -> None:
        """From now on a signal interrupts; one that came earlier interrupts at once.

        Also called at safe points (after each chunk, before writing): Python drops an
        exception raised inside some callbacks (at-fork hooks, ``__del__``), so a signal
        whose exception was lost is raised again there instead of being forgotten."""
        self.armed = True
        if self.pending is not None:
            self._raise()

    def _raise(self) -> None:
        raise KeyboardInterrupt if self.pending == signal.SIGINT else Terminated()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ipsim`` command; returns the exit status."""
    signals = _Signals()
    signals.install()
    try:
        return _main(argv, signals.arm)
    finally:
        signals.restore()


def _main(argv: list[str] | None, arm: Callable[[], None]) -> int:
    try:
        args = _parser().parse_args(argv)
        return {"run": _cmd_run, "compare": _cmd_compare, "validate": _cmd_validate,
                "schema": _cmd_schema}[args.command](args, arm)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
