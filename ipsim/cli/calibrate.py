"""``ipsim calibrate HISTORY.csv --scenario SCENARIO``: fit the growth parameters to a
place's own figures and write them as a variant file of the scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["add_parser", "main", "add_history_options", "level", "print_estimates"]


def level(text: str) -> float:
    """A confidence level in (0, 1), written ``0.9`` or ``90%``."""
    import argparse

    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1), got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {text}")
    return value


def add_history_options(p) -> None:
    """Options shared by ``calibrate`` and ``backtest``."""
    from ipsim.calibration.place import PRIORS

    p.add_argument("history", help="history CSV: year or month, then indicator columns "
                   "(docs/calibration.md)")
    p.add_argument("--scenario", required=True, help="the scenario YAML file to calibrate")
    p.add_argument("--level", type=level, default=0.9,
                   help="confidence level of the intervals (default 0.9)")
    p.add_argument("--prior", choices=PRIORS, default="none",
                   help="none (default): the data alone; scenario: pool each growth with "
                   "the scenario's own normal distribution of it")
    p.add_argument("--during-programme", action="store_true",
                   help="the history is from during the programme (default: from before "
                   "it, so the model's drift is measured with the programme off)")


def add_parser(sub) -> None:
    p = sub.add_parser("calibrate", help="fit growth parameters to a place's history and "
                       "write a variant file of the scenario")
    add_history_options(p)
    p.add_argument("--out", default=None, help="variant file to write (default "
                   "results/<scenario>/calibration/<history>.yaml)")
    p.add_argument("--quiet", action="store_true", help="no table")


def print_estimates(cal) -> None:
    """The table of estimates, then what could not be identified and the notes."""
    from ipsim.calibration.summary import estimate_rows, unidentified

    rows = estimate_rows(cal)
    print(f"{cal.history.file}: {len(cal.history.periods)} {cal.history.frequency}ly periods; "
          f"{cal.level:.0%} intervals; prior {cal.prior}")
    print(f"{'indicator':<16} {'parameter':<18} {'n':>3} {'estimate':>9}   interval"
          f"{'':<12} used as")
    for r in rows:
        interval = f"[{r['low']:.3f}, {r['high']:.3f}]"
        used = r["written"] or ("(not identified)" if not r["identified"] else "-")
        print(f"{r['indicator']:<16} {r['parameter']:<18} {r['periods']:>3} "
              f"{r['estimate']:>9.3f}   {interval:<20} {used}")
    print("model offsets (1/yr): " + ", ".join(f"{s} {v:+.4f}" for s, v in cal.offsets.items()))
    print(f"common shocks: {cal.shocks.note}")
    gaps = unidentified(cal)
    if gaps:
        print("not identified (scenario's value kept): " + ", ".join(gaps))
    for n in cal.notes:
        print(f"note: {n}")


def main(args, arm: Callable[[], None]) -> int:
    from ipsim import api
    from ipsim.calibration.history import read_history
    from ipsim.calibration.overlay import Base
    from ipsim.cli.options import output_file, warn
    from ipsim.scenario.names import to_name
    from ipsim.scenario.variants import check_overwrite

    arm()
    history = read_history(args.history)
    base = Base(args.scenario)
    warn(base.scenario)
    stem = to_name(Path(args.history).stem, "history")
    out = output_file(args.out, (base.scenario.name, "calibration", f"{stem}.yaml"),
                      lambda path: check_overwrite(path, {"the scenario": args.scenario,
                                                          "the history": args.history}))
    result = api.calibrate(history, base, level=args.level, prior=args.prior,
                           during_programme=args.during_programme)
    arm()
    result.write(out)   # validates the calibrated scenario before it writes anything
    if not args.quiet:
        print_estimates(result.calibration)
        print(f"written {out} (run it with: ipsim run {out})")
    return 0
