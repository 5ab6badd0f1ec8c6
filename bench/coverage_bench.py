"""Coverage of the engine's bands on histories it simulates itself (the start law, issue 14).

The larger version of ``tests/model/test_start.py::test_bands_cover_engine_histories_from_year_1``:
``--histories`` six-year histories of ``tests/data/calib/truth.yaml`` (known parameters),
origin at year 3, ``--paths`` forward paths each from the realised year-3 values; prints the
coverage of the 50 % and 90 % bands in years 1, 2 and 3 ahead with its standard error, the
nominal rate for that many simulated values, and the same for a start on the shock-free trend
(``--trend``: what the engine did before), with the load average.

    .venv/bin/python bench/coverage_bench.py [--histories 2000] [--paths 500] [--trend]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from ipsim.model import growth
from ipsim.scenario.validate import load_scenario
from ipsim.study.coverage import engine_coverage

TRUTH = Path(__file__).resolve().parents[1] / "tests" / "data" / "calib" / "truth.yaml"


def _on_trend() -> None:
    """Make the engine start on the shock-free trend (no year-0 shocks, no count noise)."""
    levels = growth.start_log_levels
    growth.start_log_levels = lambda a, g, s, past: levels(a, g, s, np.zeros_like(past))
    growth.count_rate_factor = lambda count, z: np.ones(np.shape(z))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--histories", type=int, default=2000)
    ap.add_argument("--paths", type=int, default=500)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--trend", action="store_true", help="also the start on the trend")
    args = ap.parse_args()
    scenario = load_scenario(TRUTH)
    runs = [("drawn start", None)] + ([("start on the trend", _on_trend)] if args.trend else [])
    for label, patch in runs:
        if patch:
            patch()
        t0 = time.perf_counter()
        c = engine_coverage(scenario, args.histories, 3, 3, args.paths, args.seed)
        elapsed = time.perf_counter() - t0
        print(f"\n{label}: {c.histories} histories x {c.paths} paths, indicators "
              f"{', '.join(c.indicators)}; {elapsed:.0f} s, load average "
              f"{os.getloadavg()[0]:.1f}")
        print("band  nominal  year 1          year 2          year 3")
        for b, band in enumerate(c.bands):
            cells = "  ".join(f"{c.rate[b, k]:6.1%} ({c.se[b, k]:.1%})"
                              for k in range(c.rate.shape[1]))
            print(f"{band:4.0%}  {c.nominal[b]:6.1%}   {cells}")
        print("z = (coverage - nominal) / s.e.: " + "; ".join(
            f"{band:.0%}: " + ", ".join(f"{v:+.1f}" for v in c.z()[b])
            for b, band in enumerate(c.bands)))


if __name__ == "__main__":
    main()
