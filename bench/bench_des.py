"""Paths per second of the DES and the vectorised engine on the same scenario, one process.

Usage: ``python bench/bench_des.py [SCENARIO] [DES_PATHS] [VECTORISED_PATHS]``
(defaults: scenarios/key-city-2020.yaml, 300, 32768). Prints wall-clock and CPU rates and
their ratio; the CPU rate is the one to compare on a shared machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ipsim.engines import des, vectorised
from ipsim.engines.streams import BLOCK
from ipsim.scenario.validate import load_scenario


def _rate(simulate, scenario, paths: int, blocks: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    simulate(scenario, 1, paths, 0, blocks)
    return paths / (time.perf_counter() - wall), paths / (time.process_time() - cpu)


def main(argv: list[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    scenario = load_scenario(argv[0] if argv else root / "scenarios" / "key-city-2020.yaml")
    n_des = int(argv[1]) if len(argv) > 1 else 300
    n_vec = int(argv[2]) if len(argv) > 2 else 8 * BLOCK
    des.simulate(scenario, 1, des.BLOCK, 0, 1)           # warm up (imports, caches)
    vectorised.simulate(scenario, 1, 256, 0, 1)
    d_wall, d_cpu = _rate(des.simulate, scenario, n_des, -(-n_des // des.BLOCK))
    v_wall, v_cpu = _rate(vectorised.simulate, scenario, n_vec, -(-n_vec // BLOCK))
    print(f"scenario {scenario.name}, one process")
    print(f"des        {n_des:>8,} paths: {d_wall:>10,.1f} paths/s wall, {d_cpu:>10,.1f} CPU")
    print(f"vectorised {n_vec:>8,} paths: {v_wall:>10,.0f} paths/s wall, {v_cpu:>10,.0f} CPU")
    print(f"ratio vectorised/des: {v_wall / d_wall:,.0f} (wall), {v_cpu / d_cpu:,.0f} (CPU)")


if __name__ == "__main__":
    main(sys.argv[1:])
