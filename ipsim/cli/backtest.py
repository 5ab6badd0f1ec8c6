"""``ipsim backtest HISTORY.csv --scenario SCENARIO --origin YEAR``: would the model's bands
have contained what really happened?"""

from __future__ import annotations

from collections.abc import Callable

from ipsim.calibration.basis import PRIOR_DOMINATES
from ipsim.cli.calibrate import add_history_options
from ipsim.cli.options import (
    checked,
    output_folder,
    positive_int,
    preload,
    progress_bar,
    seed,
    warn,
)
from ipsim.cli.parsing import parse_names
from ipsim.errors import ArgumentError

__all__ = ["add_parser", "main"]


def add_parser(sub) -> None:
    p = sub.add_parser("backtest", help="calibrate on the years up to an origin, simulate "
                       "the next ones and score the realised values against the bands")
    add_history_options(p)
    p.add_argument("--origin", required=True,
                   help="last year used for calibration: 2017, several (2016,2017,2018) or all")
    p.add_argument("--paths", type=positive_int, default=4096,
                   help="Monte Carlo paths per origin (default 4,096)")
    p.add_argument("--seed", type=seed, default=None,
                   help="random seed (default: the scenario's)")
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes")
    p.add_argument("--out", default=None,
                   help="output folder (default results/<scenario>/backtest/)")
    p.add_argument("--no-plots", action="store_true", help="write tables only")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no table")


def parse_origins(text: str) -> list[int] | None:
    """``--origin``: ``2017``, ``2016,2017`` or ``all`` (None)."""
    if text.strip() == "all":
        return None
    try:
        return [int(part) for part in parse_names(text)]
    except ValueError:
        raise ArgumentError("origins", "not a list of years (write e.g. 2017, 2016,2017 or "
                            "all)", value=repr(text)) from None


def _df_text(df: float | None) -> str:
    """Effective degrees of freedom as printed: '-' not fitted, '999+' beyond."""
    return "-" if df is None else "999+" if df >= 999.5 else f"{df:.0f}"


def _remark(p: dict) -> str:
    """The words beside a point: whether its band can test anything and what it rests on."""
    words = []
    if p["too_wide"]:
        words.append("too wide to test")
    if p["df"] is None:
        words.append("not fitted")
    elif p["df"] == 0:
        words.append("volatility assumed")
    if p["data_weight"] is not None and p["data_weight"] < PRIOR_DOMINATES:
        words.append(f"mostly the prior (data {p['data_weight']:.1%})")
    return "; ".join(words)


def _coverage_line(c: dict, what: str) -> str:
    if not c["points"]:
        return f"coverage of the {c['nominal']:.0%} band{what}: no points"
    return (f"coverage of the {c['nominal']:.0%} band{what}: {c['coverage']:.1%} "
            f"({c['inside']}/{c['points']}; 95 % interval [{c['ci_low']:.1%}, "
            f"{c['ci_high']:.1%}], points taken as independent) vs nominal {c['nominal']:.0%}")


def _print(summary: dict) -> None:
    print(f"{summary['scenario']} backtested on {summary['history_file']}: origins "
          f"{', '.join(map(str, summary['origins']))}; {summary['paths']:,} paths, seed "
          f"{summary['seed']}")
    print(f"{'origin':>6} {'year':>5} {'indicator':<16} {'realised':>12} {'percentile':>10}  "
          f"in 50 %  in 90 %  {'df':>4}  band")
    for p in summary["points"]:
        print(f"{p['origin']:>6} {p['year']:>5} {p['indicator']:<16} {p['realised']:>12.4g} "
              f"{p['percentile']:>10.1%}  {'yes' if p['in_50'] else 'no':>7}  "
              f"{'yes' if p['in_90'] else 'no':>7}  {_df_text(p['df']):>4}  {_remark(p)}")
    print("df: effective degrees of freedom of the fitted growth's interval (Student-t; "
          "pooled with the prior, Welch-Satterthwaite; 0: one difference, the scenario's "
          "volatility assumed; -: not fitted, the band is the scenario's assumptions)")
    for c in summary["coverage"]:
        print(_coverage_line(c, ""))
    wide = summary["too_wide_points"]
    if wide:
        print(f"{wide} of {len(summary['points'])} bands are too wide to test anything: "
              f"{summary['band_criterion']}; such a point cannot fail")
        for c in summary["coverage_testable"]:
            print(_coverage_line(c, f" without those {wide}"))


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.calibration.backtest import check_cost, check_origins
    from ipsim.calibration.history import read_history
    from ipsim.calibration.overlay import Base

    preload(args)
    arm()
    history = read_history(args.history)
    origins = check_origins(history, parse_origins(args.origin))
    base = Base(args.scenario)
    warn(base.scenario)
    check_cost(history, base, origins, args.paths, args.workers)
    out = output_folder(args.out, (base.scenario.name, "backtest"), "backtest")
    bar = progress_bar(args.paths * len(origins), args.quiet)
    try:
        result = api.backtest(history, base, origins=origins, paths=args.paths, seed=args.seed,
                              level=args.level, prior=args.prior,
                              during_programme=args.during_programme, workers=args.workers,
                              progress=checked(bar.update, arm))
    finally:
        bar.close()
    arm()
    summary = result.write(out, plots=not args.no_plots)
    if not args.quiet:
        _print(summary)
        print(f"results written to {out}/")
    return 0
