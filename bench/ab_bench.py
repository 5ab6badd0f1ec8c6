"""Interleaved A/B of the engine: old code (a git revision) against the working tree, in ONE
process, alternately, best of N CPU seconds (``time.process_time``), so that both see the same
load on a shared machine.

Usage (from the repository root)::

    .venv/bin/python bench/ab_bench.py --old main --paths 32768 --reps 5
    .venv/bin/python bench/ab_bench.py --old 305a52d --paths 64,32768

The old revision's ``ipsim`` is exported with ``git archive`` into a temporary folder and
imported under its own ``sys.modules`` entries (each copy's functions keep their own module
globals), then the working tree's. Each side simulates the same chunk (blocks past the kept
paths, as in a big run) of ``scenarios/key-city-2020.yaml``; the script prints the best and
median CPU seconds of each side, their ratio, the load average, and whether both gave the
same results (SHA-256 of every indicator path; a change of the order of operations changes
it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _import_copy(src: Path) -> dict:
    """Import ``ipsim`` from ``src`` and take its modules out of ``sys.modules``."""
    sys.path.insert(0, str(src))
    try:
        from ipsim.engines import vectorised
        from ipsim.engines.streams import BLOCK
        from ipsim.scenario.validate import load_scenario
    finally:
        sys.path.remove(str(src))
    mods = {k: v for k, v in sys.modules.items() if k == "ipsim" or k.startswith("ipsim.")}
    for k in mods:
        del sys.modules[k]
    return {"simulate": vectorised.simulate, "load": load_scenario, "block": BLOCK}


def _digest(ip) -> str:
    h = hashlib.sha256()
    for name in sorted(ip.yearly):
        h.update(ip.yearly[name].tobytes())
    for name in sorted(ip.events):
        h.update(ip.events[name].tobytes())
    h.update(ip.released.tobytes())
    return h.hexdigest()[:12]


def _difference(old, new) -> str:
    """How far the new paths are from the old: the largest relative difference of any yearly
    figure of any path (by indicator, the worst three), and whether every event month and
    gate verdict is the same."""
    worst = {}
    for name in old.yearly:
        a, b = old.yearly[name], new.yearly[name]
        scale = np.maximum(np.abs(a), np.abs(b))
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
        worst[name] = float(rel.max())
    top = sorted(worst.items(), key=lambda kv: -kv[1])[:3]
    events = all(np.array_equal(old.events[k], new.events[k]) for k in old.events)
    return (f"largest relative difference {top[0][1]:.2g} ("
            + ", ".join(f"{k} {v:.2g}" for k, v in top) + f"); events identical: {events}; "
            f"gate verdicts identical: {np.array_equal(old.released, new.released)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", default="main", help="git revision of the old code")
    ap.add_argument("--paths", default="32768", help="chunk sizes (comma separated)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--scenario", default="scenarios/key-city-2020.yaml")
    ap.add_argument("--diff", action="store_true",
                    help="also say how far the results are apart where they differ")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", args.old, "ipsim"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        sides = {"old": _import_copy(Path(tmp)), "new": _import_copy(ROOT)}
        scen = {k: v["load"](str(ROOT / args.scenario)) for k, v in sides.items()}
        block = sides["new"]["block"]
        first = -(-100_000 // block)
        print(f"A/B old={args.old} new=working tree, {args.scenario}, best of {args.reps}, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        for n in (int(x) for x in args.paths.split(",")):
            nb = max(1, n // block)
            total = (first + nb) * block if n >= block else n
            fb = first if n >= block else 0
            times = {k: [] for k in sides}
            digest, paths = {}, {}
            for k, side in sides.items():   # warm-up (imports, caches)
                paths[k] = side["simulate"](scen[k], scen[k].seed, total, fb, nb)
                digest[k] = _digest(paths[k])
            if args.diff and digest["old"] != digest["new"]:
                print(f"{n:>7} paths: {_difference(paths['old'], paths['new'])}", flush=True)
            load0 = os.getloadavg()[0]
            for _ in range(args.reps):
                for k, side in sides.items():
                    c = time.process_time()
                    side["simulate"](scen[k], scen[k].seed, total, fb, nb)
                    times[k].append(time.process_time() - c)
            load1 = os.getloadavg()[0]
            o, w = min(times["old"]), min(times["new"])
            print(f"{min(n, nb * block) if n >= block else n:>7} paths: old {o:.4f} s "
                  f"(median {statistics.median(times['old']):.4f}), new {w:.4f} s (median "
                  f"{statistics.median(times['new']):.4f}), new/old {w / o:.3f}; load "
                  f"{load0:.1f}-{load1:.1f}; same results: "
                  f"{'yes' if digest['old'] == digest['new'] else 'no'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
