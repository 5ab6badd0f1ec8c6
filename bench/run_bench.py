"""Benchmark of ``ipsim``: the model against a random-number anchor, memory, fixed costs, profile.

Usage (from the repository root)::

    .venv/bin/python bench/run_bench.py                 # 1,000,000 paths (a few minutes)
    .venv/bin/python bench/run_bench.py --quick         # 100,000 paths
    .venv/bin/python bench/run_bench.py --paths 500000
    .venv/bin/python bench/run_bench.py --memory-1e7    # adds a 10,000,000-path memory run
    .venv/bin/python bench/run_bench.py --profile       # only: cProfile of one 65,536-path chunk

What one run measures, each in a fresh subprocess, with the load average beside every figure:

* the **anchor** (issue 16): one core drawing, with numpy's own ``Generator(PCG64)`` methods,
  the random numbers of a light model of the same shape: per path-month 4 standard normals,
  3 Poisson(50) and 1 gamma(20) variates, for ``--paths`` paths x 36 months, in chunks of
  65,536 paths (memory bounded);
* the default scenario through ``ipsim.study.pipeline.run`` at ``--paths`` on 1 and 2 workers
  (and 2 workers at the ``--chunks`` sizes): wall time and its **ratio to the anchor**;
* peak memory of the whole run (the process and its workers): ``ru_maxrss`` of
  ``RUSAGE_SELF`` and ``RUSAGE_CHILDREN`` (the largest worker) and the peak RSS / PSS of the
  process tree sampled from ``/proc`` every 0.1 s, at 200,000 and ``--paths`` paths (10,000,000
  with ``--memory-1e7``: several minutes);
* the **fixed cost of one engine call**: ``vectorised.simulate`` at 1 to 4,096 paths, a
  straight line fitted to the times and extrapolated to 0 paths;
* per-chunk costs (4,096 to 65,536 paths) and the whole pipeline task at the default chunk;
* the per-path-and-point CPU cost of a 20-point sweep (``ipsim.study.sweep.run_sweep``, one worker)
  and of Sobol' sets (``ipsim.engines.batch.simulate_sets`` through the sensitivity task);
* numpy alone drawing exactly the engine's own random numbers (same seeds, spawn keys and
  ``(paths, k)`` calls; checked against ``ipsim.engines.streams.Streams``);
* a cProfile of one 65,536-path chunk, the top functions by own time.

The machine may be shared: each figure carries the 1-minute load average at its start and
end and its CPU time / wall time, so that a contended measurement can be recognised.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = "scenarios/key-city-2020.yaml"
EXTRA_CHUNKS = (4096,)
CHUNK_COST_SIZES = (4096, 16384, 32768, 65536)
MEMORY_SMALL = 200_000
MEMORY_HUGE = 10_000_000
PROFILE_PATHS = 65536
ANCHOR_CHUNK = 65536
ANCHOR_MONTHS = 36
FIXED_SIZES = (1, 16, 64, 256, 1024, 4096)
SWEEP_POINTS, SWEEP_PATHS = 20, 16_384
SOBOL_SETS, SOBOL_PATHS = 16, 2048
PRECISION = 0.005   # the half-width of issue 16 item 4 (0.5 percentage points)


# --------------------------------------------------------------------------- child side


def _source_hash() -> str:
    """SHA-256 of the ipsim package's Python sources (to catch edits during a benchmark)."""
    import hashlib

    import ipsim

    h = hashlib.sha256()
    for f in sorted(Path(ipsim.__file__).parent.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _rusage() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self_maxrss_kib": me.ru_maxrss, "children_maxrss_kib": kids.ru_maxrss,
            "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}


def _digest(result) -> str:
    """SHA-256 of everything a run returns (counts, per-block sums, kept paths)."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    for r in result.results:
        t = r.tally
        h.update(repr((t.n, t.released)).encode())
        for a in (t.met, t.gained, t.lost, np.stack(r.block_sums)):
            h.update(np.ascontiguousarray(a).tobytes())
        kept = r.paths()
        for name in sorted(kept.yearly):
            h.update(kept.yearly[name].tobytes())
        h.update(kept.released.tobytes())
    return h.hexdigest()[:12]


def child_run(spec: dict) -> dict:
    """One pipeline.run in this (fresh) process."""
    t0 = time.perf_counter()
    from ipsim.scenario.validate import load_scenario
    from ipsim.study.pipeline import DEFAULT_CHUNK_PATHS, run

    t1 = time.perf_counter()
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    source = _source_hash()
    scenario = load_scenario(spec["scenario"])
    t2 = time.perf_counter()
    chunk = spec["chunk"] or DEFAULT_CHUNK_PATHS
    cpu0 = _rusage()["cpu_s"]
    result = run([scenario], spec["paths"], scenario.seed, workers=spec["workers"],
                 chunk_paths=chunk)
    t3 = time.perf_counter()
    usage = _rusage()
    usage["cpu_s"] -= cpu0  # CPU of the run only (this process and its workers)
    with open("/proc/self/statm") as f:  # resident now, after the run (Linux)
        rss_end = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return {"import_s": t1 - t0, "load_s": t2 - t1, "run_s": t3 - t2,
            "run_elapsed_s": result.elapsed_s, "chunk": result.chunk_paths,
            "import_maxrss_kib": rss_import, "end_rss_kib": rss_end, **usage,
            "digest": _digest(result),
            "source": source if _source_hash() == source else "changed during run"}


def child_load(spec: dict) -> dict:
    """Cold import of the package, then loading and validating the scenario (best of 5)."""
    t0 = time.perf_counter()
    import ipsim.study.pipeline  # noqa: F401
    from ipsim.scenario.validate import load_scenario

    t1 = time.perf_counter()
    load_scenario(spec["scenario"])
    t2 = time.perf_counter()
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        load_scenario(spec["scenario"])
        warm.append(time.perf_counter() - t)
    return {"import_s": t1 - t0, "first_load_s": t2 - t1, "load_s": min(warm),
            "source": _source_hash()}


def child_chunk(spec: dict) -> dict:
    """Cost of one chunk: ``vectorised.simulate`` by chunk size, a 64-path chunk (almost only
    the fixed cost of a chunk: Python, per-call overheads, scipy set-up), and the whole
    ``simulate_chunk`` task (simulate + attainment + per-block sums) at the default size, timed
    alternately with simulate. Chunks start past the kept paths, as almost all chunks of a
    big run do."""
    from ipsim.engines import vectorised
    from ipsim.engines.streams import BLOCK
    from ipsim.scenario.validate import load_scenario
    from ipsim.study.pipeline import DEFAULT_CHUNK_PATHS, DEFAULT_KEEP_PATHS, simulate_chunk

    source = _source_hash()
    s = load_scenario(spec["scenario"])
    first = -(-DEFAULT_KEEP_PATHS // BLOCK)          # first block that keeps no paths
    total = (first + max(spec["sizes"]) // BLOCK) * BLOCK
    vectorised.simulate(s, s.seed, total, first, 1)  # warm-up (imports, scipy caches)

    def best(fn) -> float:
        times = []
        for _ in range(spec["reps"]):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    tiny = best(lambda: vectorised.simulate(s, s.seed, 64, 0, 1))
    out = {str(n): best(lambda n=n: vectorised.simulate(s, s.seed, total, first, n // BLOCK))
           for n in spec["sizes"]}
    nb = DEFAULT_CHUNK_PATHS // BLOCK
    task = ((s,), "vectorised", s.seed, total, first, nb, DEFAULT_KEEP_PATHS)
    sim_t, task_t = [], []
    for _ in range(spec["reps"]):
        t0 = time.perf_counter()
        vectorised.simulate(s, s.seed, total, first, nb)
        t1 = time.perf_counter()
        simulate_chunk(task)
        t2 = time.perf_counter()
        sim_t.append(t1 - t0)
        task_t.append(t2 - t1)
    biggest = max(spec["sizes"])
    return {"simulate_s": out, "tiny_s": tiny, "task_s": min(task_t),
            "task_sim_s": min(sim_t), "task_paths": nb * BLOCK,
            "per_path_s": (out[str(biggest)] - tiny) / (biggest - 64), "source": source}


def _stream_plan(scenario):
    """The engine's streams: (name, normals per path per month), and the parameter streams."""
    from ipsim.engines.vectorised import stream_plan

    return stream_plan(scenario)


def _rng_check(scenario, seed: int, normals, uniforms, make_gens) -> bool:
    """Our draws equal the engine's (first chunk, first month, every stream)."""
    import numpy as np

    from ipsim.engines.streams import Streams, block_sizes

    sizes = block_sizes(3 * 4096, 0, 3)
    engine = Streams(seed, 0, sizes)
    ours = make_gens(0, sizes)
    ok = True
    for name in uniforms:
        mine = np.concatenate([g.random(n) for g, n in zip(ours[name], sizes, strict=True)])
        ok &= np.array_equal(mine, engine.uniform(name))
    for name, k in normals:
        mine = np.concatenate([g.standard_normal((n, k)) for g, n in
                               zip(ours[name], sizes, strict=True)])
        ok &= np.array_equal(mine, engine.normal(name, k))
    return bool(ok)


def child_rng(spec: dict) -> dict:
    """numpy alone drawing the engine's random numbers for ``paths`` paths, one process."""
    import zlib

    import numpy as np

    from ipsim.engines.streams import BLOCK, block_sizes
    from ipsim.scenario.validate import load_scenario
    from ipsim.study.pipeline import DEFAULT_CHUNK_PATHS

    s = load_scenario(spec["scenario"])
    seed, paths, months = s.seed, spec["paths"], s.horizon_months
    normals, uniforms = _stream_plan(s)
    keys = {name: zlib.crc32(name.encode("utf-8")) for name in [*dict(normals), *uniforms]}

    def make_gens(first_block, sizes):
        return {name: [np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            seed, spawn_key=(first_block + i, key)))) for i in range(len(sizes))]
            for name, key in keys.items()}

    same = _rng_check(s, seed, normals, uniforms, make_gens)
    blocks = -(-paths // BLOCK)
    per_chunk = DEFAULT_CHUNK_PATHS // BLOCK
    setup = draw_u = draw_n = 0.0
    calls = 0
    for b0 in range(0, blocks, per_chunk):
        sizes = block_sizes(paths, b0, min(per_chunk, blocks - b0))
        n = sum(sizes)
        t0 = time.perf_counter()
        gens = make_gens(b0, sizes)
        t1 = time.perf_counter()
        for name in uniforms:
            np.concatenate([g.random(m) for g, m in zip(gens[name], sizes, strict=True)])
        t2 = time.perf_counter()
        for _ in range(months):
            for name, k in normals:
                out = np.empty((n, k))
                start = 0
                for g, m in zip(gens[name], sizes, strict=True):
                    g.standard_normal(out=out[start:start + m])
                    start += m
                    calls += 1
        t3 = time.perf_counter()
        setup += t1 - t0
        draw_u += t2 - t1
        draw_n += t3 - t2
    per_month = sum(k for _, k in normals)
    return {"setup_s": setup, "uniform_s": draw_u, "normal_s": draw_n,
            "n_normals": paths * months * per_month, "n_uniforms": paths * len(uniforms),
            "normals_per_path_month": per_month, "months": months,
            "n_params": len(uniforms), "normal_calls": calls,
            "generators": blocks * len(keys), "same_as_engine": same, "source": _source_hash()}


def child_profile(spec: dict) -> dict:
    import cProfile
    import io
    import pstats

    from ipsim.engines import vectorised
    from ipsim.engines.streams import BLOCK
    from ipsim.scenario.validate import load_scenario

    s = load_scenario(spec["scenario"])
    n_blocks = spec["paths"] // BLOCK
    total = max(n_blocks * BLOCK, 1_000_000)
    vectorised.simulate(s, s.seed, total, 0, 1)  # warm-up
    t = time.perf_counter()
    vectorised.simulate(s, s.seed, total, 0, n_blocks)
    plain = time.perf_counter() - t
    prof = cProfile.Profile()
    prof.enable()
    vectorised.simulate(s, s.seed, total, 0, n_blocks)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("tottime").print_stats(spec["top"])
    return {"plain_s": plain, "text": buf.getvalue(), "source": _source_hash()}


def child_anchor(spec: dict) -> dict:
    """The light-model anchor of issue 16 on one core: per path-month 4 normals, 3
    Poisson(50) and 1 gamma(20) variates from numpy's ``Generator(PCG64)`` methods, for
    ``paths`` paths x 36 months, chunk by chunk (memory bounded by the chunk)."""
    import numpy as np

    rng = np.random.Generator(np.random.PCG64(spec["seed"]))
    paths, chunk = spec["paths"], ANCHOR_CHUNK
    normals = np.empty((chunk, 4))
    check = 0.0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for start in range(0, paths, chunk):
        n = min(chunk, paths - start)
        for _ in range(ANCHOR_MONTHS):
            rng.standard_normal(out=normals[:n])
            counts = rng.poisson(50.0, (n, 3))
            amounts = rng.gamma(20.0, size=n)
            check += counts[0, 0] + amounts[0] + normals[0, 0]
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "cpu_s": time.process_time() - c0, "paths": paths,
            "variates": paths * ANCHOR_MONTHS * 8, "check": float(check)}


def child_fixed(spec: dict) -> dict:
    """Fixed cost of one engine call: ``vectorised.simulate`` of a one-block run of n paths
    (best of ``reps``) for n in FIXED_SIZES, and the intercept of a least-squares line."""
    import numpy as np

    from ipsim.engines import vectorised
    from ipsim.scenario.validate import load_scenario

    s = load_scenario(spec["scenario"])
    vectorised.simulate(s, s.seed, 64, 0, 1)  # warm-up (imports, scipy caches)
    times = {}
    for n in FIXED_SIZES:
        best = float("inf")
        for _ in range(spec["reps"]):
            t = time.perf_counter()
            vectorised.simulate(s, s.seed, n, 0, 1)
            best = min(best, time.perf_counter() - t)
        times[n] = best
    sizes = np.array(FIXED_SIZES, float)
    slope, intercept = np.polyfit(sizes, np.array([times[n] for n in FIXED_SIZES]), 1)
    return {"times_s": {str(n): t for n, t in times.items()}, "fixed_s": float(intercept),
            "per_path_s": float(slope), "source": _source_hash()}


def child_sweep(spec: dict) -> dict:
    """A ``points``-point risk-pool sweep of ``paths`` paths a point, one worker, no cache:
    CPU seconds per path and point."""
    from ipsim.cli.parsing import parse_lever, parse_names
    from ipsim.scenario.points import load_points
    from ipsim.study.sweep import run_sweep

    levers = [parse_lever(f"policy.allocation.risk_pool=0.05:0.45:{spec['points']}")]
    balance = "interest_subsidy,transfer_subsidy,operation_platforms,sme_transformation"
    base, points = load_points(str(ROOT / spec["scenario"]), levers, parse_names(balance))
    c0, t0 = time.process_time(), time.perf_counter()
    result = run_sweep(base, levers, points, spec["paths"], base.seed, workers=1)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    feasible = sum(p.feasible for p in points)
    return {"wall_s": wall, "cpu_s": cpu, "points": feasible, "paths": spec["paths"],
            "tasks": result.tasks, "per_path_point_s": cpu / (feasible * spec["paths"]),
            "source": _source_hash()}


def child_sobol(spec: dict) -> dict:
    """Sobol' sets as the sensitivity analysis evaluates them: ``sets`` parameter sets of
    ``paths`` paths each in one batched engine call (``ipsim.study.sensitivity._task``, which calls
    ``ipsim.engines.batch.simulate_sets``); best of ``reps``, CPU seconds per path and set."""
    import numpy as np

    from ipsim.scenario.validate import load_scenario
    from ipsim.study import sensitivity

    s = load_scenario(spec["scenario"])
    fs = sensitivity.factors(s)
    u = np.random.default_rng(1).uniform(0.05, 0.95, (spec["sets"], len(fs)))
    values = np.column_stack([f.values(u[:, j]) for j, f in enumerate(fs)])
    task = (s, [(f.section, f.name) for f in fs], values, s.seed, spec["paths"])
    sensitivity._task(task)  # warm-up
    best = float("inf")
    for _ in range(spec["reps"]):
        c0 = time.process_time()
        sensitivity._task(task)
        best = min(best, time.process_time() - c0)
    return {"cpu_s": best, "sets": spec["sets"], "paths": spec["paths"], "factors": len(fs),
            "per_path_set_s": best / (spec["sets"] * spec["paths"]), "source": _source_hash()}


def child_precision(spec: dict) -> dict:
    """``pipeline.run`` stopping at a precision (``--precision`` of ``ipsim run``): the paths
    used, the 95 % half-width reached and the time, on ``workers`` workers, ``paths`` the cap."""
    from ipsim.scenario.validate import load_scenario
    from ipsim.study.pipeline import run

    scenario = load_scenario(spec["scenario"])
    c0, t0 = _rusage()["cpu_s"], time.perf_counter()
    result = run([scenario], spec["paths"], scenario.seed, workers=spec["workers"],
                 precision=spec["precision"])
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "cpu_s": _rusage()["cpu_s"] - c0, "used": result.paths,
            "cap": spec["paths"], "reached": result.reached, "precision": spec["precision"],
            "workers": spec["workers"], "source": _source_hash()}


CHILDREN = {"run": child_run, "precision": child_precision, "load": child_load,
            "chunk": child_chunk, "rng": child_rng, "profile": child_profile,
            "anchor": child_anchor, "fixed": child_fixed, "sweep": child_sweep,
            "sobol": child_sobol}


# --------------------------------------------------------------------------- parent side


def _descendants(root: int) -> list[int]:
    parent_of = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        parent_of[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [p for p, pp in parent_of.items() if pp in frontier]
        tree.extend(frontier)
    return tree


def _memory_kib(pids: list[int]) -> tuple[int, int]:
    """Sum of (RSS, PSS) in KiB over ``pids`` from /proc/<pid>/smaps_rollup."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return rss, pss


def spawn(kind: str, spec: dict, sample: bool = False) -> dict:
    """Run a child measurement in a fresh interpreter; sample its process tree's memory."""
    spec = {"kind": kind, **spec}
    load_start = os.getloadavg()[0]
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    t0 = time.perf_counter()  # same environment as the user's (BLAS threads included)
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out_f, stderr=err_f, text=True)
        peak_rss = peak_pss = peak_procs = 0
        can_sample = sample and os.path.exists("/proc/self/smaps_rollup")
        while can_sample and proc.poll() is None:
            pids = _descendants(proc.pid)
            rss, pss = _memory_kib(pids)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            peak_procs = max(peak_procs, len(pids))
            time.sleep(0.1)
        proc.wait()
        wall = time.perf_counter() - t0
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read(), err_f.read()
    if proc.returncode != 0:
        raise RuntimeError(f"child {kind} {spec} failed ({proc.returncode}):\n{err}")
    data = json.loads(out.strip().splitlines()[-1])
    data["process_wall_s"] = wall
    data["load"] = (load_start, os.getloadavg()[0])
    if can_sample:
        data.update(tree_rss_kib=peak_rss, tree_pss_kib=peak_pss, tree_procs=peak_procs)
    return data


def _git_head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _mib(kib: float | None) -> str:
    return "-" if not kib else f"{kib / 1024:,.0f}"


def _table(headers: list[str], rows: list[list[str]], title: str, align: str = "") -> str:
    """A plain-text table; ``align`` has one ``<`` or ``>`` per column (default: first left)."""
    align = align or "<" + ">" * (len(headers) - 1)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    fmt = "  ".join(f"{{:{a}{w}}}" for a, w in zip(align, widths, strict=True))
    return "\n".join([title, line, fmt.format(*headers), line,
                      *(fmt.format(*r) for r in rows), line])


def _log(msg: str) -> None:
    print(msg, flush=True)


def _args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--paths", type=lambda t: int(float(t)), default=1_000_000,
                   help="paths of the main runs (default 1,000,000)")
    p.add_argument("--quick", action="store_true", help="100,000 paths")
    p.add_argument("--scenario", default=DEFAULT_SCENARIO)
    p.add_argument("--chunks", default=",".join(map(str, EXTRA_CHUNKS)),
                   help="extra chunk sizes tried at workers=2 (comma separated)")
    p.add_argument("--memory-1e7", action="store_true",
                   help="also measure peak memory at 10,000,000 paths (workers=2, minutes)")
    p.add_argument("--profile", action="store_true",
                   help="only print a cProfile (top 15 by tottime) of one 65,536-path chunk")
    p.add_argument("--json", help="also write every measurement to this JSON file")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.paths = 100_000
    return args


def _load(d: dict) -> str:
    """The 1-minute load average at the start and end of a measurement, e.g. ``0.4-1.2``."""
    a, b = d["load"]
    return f"{a:.1f}-{b:.1f}"


def main(argv=None) -> int:
    args = _args(argv)
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(CHILDREN[spec.pop("kind")](spec)))
        return 0
    base = {"scenario": args.scenario}
    if args.profile:
        prof = spawn("profile", {**base, "paths": PROFILE_PATHS, "top": 15})
        print(f"vectorised.simulate, one chunk of {PROFILE_PATHS:,} paths: "
              f"{prof['plain_s']:.2f} s without the profiler (load {_load(prof)})")
        print(prof["text"])
        return 0

    paths = args.paths
    extra_chunks = [int(c) for c in args.chunks.split(",") if c.strip()]
    started = time.perf_counter()
    load0 = os.getloadavg()
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    _log(f"ipsim benchmark: {args.scenario}, {paths:,} paths, {ncpu} CPUs, "
         f"python {sys.version.split()[0]}, git {_git_head()}, load average {load0[0]:.2f}")
    record: dict = {"paths": paths, "scenario": args.scenario, "cpus": ncpu}

    _log("[1] import + load scenario ...")
    record["load"] = load = spawn("load", base)
    _log("[2] anchor: numpy PCG64, 4 normal + 3 Poisson(50) + 1 gamma(20) a path-month ...")
    anchors = [spawn("anchor", {"paths": paths, "seed": 1})]
    _log(f"     {anchors[0]['wall_s']:.2f} s (load {_load(anchors[0])})")
    _log("[3] fixed cost of one engine call ...")
    record["fixed"] = fixed = spawn("fixed", {**base, "reps": 5})
    _log("[4] per-chunk cost ...")
    record["chunk_cost"] = cost = spawn("chunk", {**base, "sizes": list(CHUNK_COST_SIZES),
                                                  "reps": 3})
    _log("[5] numpy alone drawing the engine's own random numbers ...")
    record["rng"] = rng = spawn("rng", {**base, "paths": paths})

    configs = [(paths, 1, None), (paths, 2, None), *((paths, 2, c) for c in extra_chunks)]
    memory_paths = [MEMORY_SMALL] if paths != MEMORY_SMALL else []
    configs += [(n, w, None) for n in memory_paths for w in (1, 2)]
    if args.memory_1e7:
        configs.append((MEMORY_HUGE, 2, None))
    runs = []
    for i, (n, w, c) in enumerate(configs, start=6):
        _log(f"[{i}] pipeline.run paths={n:,} workers={w} chunk={c or 'default'} ...")
        r = spawn("run", {**base, "paths": n, "workers": w, "chunk": c}, sample=True)
        r.update(paths=n, workers=w, default_chunk=c is None, load_after=r["load"][1])
        _log(f"     {r['run_s']:.1f} s, {n / r['run_s']:,.0f} paths/s, "
             f"CPU {r['cpu_s']:.1f} s, peak tree RSS {_mib(r.get('tree_rss_kib'))} MiB, "
             f"load {_load(r)}")
        runs.append(r)
        if n == paths and w == 2 and c is None:
            _log("     anchor again (right after the 2-worker run) ...")
            anchors.append(spawn("anchor", {"paths": paths, "seed": 2}))
    record["runs"] = runs
    record["anchor"] = anchors
    step = 6 + len(configs)
    _log(f"[{step}] {SWEEP_POINTS}-point sweep, {SWEEP_PATHS:,} paths a point, one worker ...")
    record["sweep"] = sweep = spawn("sweep", {**base, "points": SWEEP_POINTS,
                                              "paths": SWEEP_PATHS})
    _log(f"[{step + 1}] Sobol' sets: {SOBOL_SETS} sets x {SOBOL_PATHS:,} paths in one call ...")
    record["sobol"] = sobol = spawn("sobol", {**base, "sets": SOBOL_SETS, "paths": SOBOL_PATHS,
                                              "reps": 3})
    _log(f"[{step + 2}] --precision {PRECISION} (cap {paths:,} paths), 2 workers ...")
    record["precision"] = stop = spawn("precision", {**base, "paths": paths, "workers": 2,
                                                     "precision": PRECISION})
    _log(f"[{step + 3}] cProfile of one {PROFILE_PATHS:,}-path chunk ...")
    record["profile"] = prof = spawn("profile", {**base, "paths": PROFILE_PATHS, "top": 15})
    load1 = os.getloadavg()
    total = time.perf_counter() - started

    # ---------------------------------------------------------------- report
    anchor = sum(a["wall_s"] for a in anchors) / len(anchors)
    main_runs = [r for r in runs if r["paths"] == paths]
    w1 = next(r for r in main_runs if r["workers"] == 1)
    rows = [[f"anchor{' #' + str(k + 1) if len(anchors) > 1 else ''} (1 core)",
             f"{a['wall_s']:.2f}", f"{a['wall_s'] / anchor:.2f}",
             f"{a['cpu_s'] / a['wall_s']:.2f}", _load(a),
             f"{a['wall_s'] / a['variates'] * 1e9:.1f} ns a variate"]
            for k, a in enumerate(anchors)]
    for r in main_runs:
        rows.append([f"model, workers={r['workers']}, chunk {r['chunk']:,}",
                     f"{r['run_s']:.2f}", f"{r['run_s'] / anchor:.2f}",
                     f"{r['cpu_s'] / r['run_s']:.2f}", _load(r),
                     f"{r['cpu_s'] / (paths * ANCHOR_MONTHS) * 1e9:.0f} CPU-ns a path-month"])
    print()
    print(_table(["what", "wall s", "ratio to anchor", "CPU/wall", "load", "note"], rows,
                 f"Model against the random-number anchor, {paths:,} paths x "
                 f"{ANCHOR_MONTHS} months (anchor = mean of its {len(anchors)} runs, "
                 f"{anchor:.2f} s)", align="<>>>><"))
    print("ratio to anchor: wall time over the anchor's (issue 16: goal <= 1.0, must reach "
          "<= 1.5 at workers=2).\nload: 1-minute load average at the start and end of the "
          "measurement (other work on the machine).")

    digests = {r["digest"] for r in main_runs}
    sources = {d["source"] for d in (load, cost, rng, fixed, sweep, sobol, stop, prof, *runs)}
    rows = []
    for r in main_runs:
        label = f"workers={r['workers']}, chunk {r['chunk']:,}" + (
            " (default)" if r["default_chunk"] else "")
        rows.append([label, f"{r['run_s']:.1f}", f"{r['paths'] / r['run_s']:,.0f}",
                     f"{r['paths'] / r['cpu_s']:,.0f}",
                     f"{w1['run_s'] / r['run_s']:.2f}x",
                     f"{r['cpu_s'] / r['run_s']:.2f}", _load(r),
                     _mib(r["self_maxrss_kib"]), _mib(r["children_maxrss_kib"]),
                     _mib(r.get("tree_rss_kib")), _mib(r.get("tree_pss_kib")), r["digest"]])
    print()
    print(_table(["configuration", "wall s", "paths/s", "paths/CPU-s", "speedup", "CPU/wall",
                  "load",
                  "parent MiB", "worker MiB", "tree RSS", "tree PSS", "result sha256"], rows,
                 f"pipeline.run, {args.scenario}, {paths:,} paths "
                 f"(fresh process each; wall = pipeline.run only)"))
    print("parent/worker MiB: ru_maxrss of RUSAGE_SELF / RUSAGE_CHILDREN (largest worker); "
          "tree RSS/PSS: sampled peak\nsum over the process tree (PSS counts copy-on-write "
          "pages shared after fork once).\nCPU/wall: CPU seconds of the process and its workers "
          "per wall second (about 1 per busy worker on free CPUs); paths/CPU-s: paths per CPU\n"
          "second, less sensitive than paths/s to other work on the machine.")
    print(f"identical results across workers and chunk sizes: "
          f"{'yes' if len(digests) == 1 else 'NO: ' + ', '.join(sorted(digests))}")
    if len(sources) > 1:
        print(f"WARNING: the ipsim sources changed during the benchmark ({', '.join(sources)}); "
              "rows measured different code and their results may differ for that reason")

    mem_rows = []
    for n in sorted({r["paths"] for r in runs}):
        for r in (r for r in runs if r["paths"] == n and r["default_chunk"]):
            mem_rows.append([f"{n:,}", str(r["workers"]), f"{r['run_s']:.1f}",
                             _mib(r["import_maxrss_kib"]), _mib(r["end_rss_kib"]),
                             _mib(r["self_maxrss_kib"]),
                             _mib(r["children_maxrss_kib"]),
                             _mib(r["self_maxrss_kib"] + r["children_maxrss_kib"]
                                  * (r["workers"] if r["workers"] > 1 else 0)),
                             _mib(r.get("tree_rss_kib")), _mib(r.get("tree_pss_kib")),
                             _load(r)])
    print()
    print(_table(["paths", "workers", "wall s", "after import", "parent at end", "parent",
                  "worker", "parent+workers", "tree RSS", "tree PSS", "load"], mem_rows,
                 "Peak memory (MiB) by number of paths, default chunk"))
    print("after import / parent at end: RSS of the run's process after its imports and after "
          "pipeline.run returned;\nparent+workers: the parent's peak plus workers x the largest "
          "worker's (an upper bound of the whole run);\nthe other columns are peaks as above.")
    for w in (1, 2):
        by_n = sorted((r["paths"], r) for r in runs if r["workers"] == w and r["default_chunk"])
        if len(by_n) > 1 and by_n[0][1].get("tree_pss_kib") and by_n[-1][1].get("tree_pss_kib"):
            (n0, r0), (n1, r1) = by_n[0], by_n[-1]
            d_kib = r1["tree_pss_kib"] - r0["tree_pss_kib"]
            print(f"workers={w}: peak tree PSS {n0:,} -> {n1:,} paths ({n1 / n0:g}x): "
                  f"{d_kib / 1024:+,.0f} MiB ({d_kib / r0['tree_pss_kib']:+.0%}); "
                  f"per extra 100,000 paths: {d_kib / 1024 / ((n1 - n0) / 1e5):+.1f} MiB")

    fixed_rows = [[f"{int(n):,}", f"{t * 1e3:.1f}"] for n, t in fixed["times_s"].items()]
    fixed_rows.append(["0 (fit)", f"{fixed['fixed_s'] * 1e3:.1f}"])
    print()
    print(_table(["paths", "ms"], fixed_rows,
                 f"Fixed cost of one engine call: vectorised.simulate, one block, best of 5 "
                 f"(load {_load(fixed)})"))
    print(f"least-squares line: {fixed['fixed_s'] * 1e3:.1f} ms + "
          f"{fixed['per_path_s'] * 1e6:.1f} us a path (issue 16: fixed cost below 10 ms)")
    print()
    print(_table(["what", "CPU s", "per path and point", "load", "note"], [
        [f"sweep, {sweep['points']} points", f"{sweep['cpu_s']:.1f}",
         f"{sweep['per_path_point_s'] * 1e6:.1f} us", _load(sweep),
         f"run_sweep, {sweep['paths']:,} paths a point, {sweep['tasks']} tasks, one worker, "
         f"wall {sweep['wall_s']:.1f} s"],
        [f"Sobol' sets, {sobol['sets']} x {sobol['paths']:,}", f"{sobol['cpu_s']:.2f}",
         f"{sobol['per_path_set_s'] * 1e6:.1f} us", _load(sobol),
         f"sensitivity._task -> batch.simulate_sets, {sobol['factors']} factors, best of 3"],
    ], "Batched sets: CPU per path and point (or set)", align="<>>><"))
    print(f"\nStop at a precision (pipeline.run, precision={stop['precision']}, cap "
          f"{stop['cap']:,} paths, {stop['workers']} workers): {stop['used']:,} paths used, "
          f"half-width reached {stop['reached'] * 100:.2f} pp, {stop['wall_s']:.1f} s wall, "
          f"{stop['cpu_s']:.1f} CPU s (load {_load(stop)})")

    model = w1["run_s"]
    rng_total = rng["setup_s"] + rng["uniform_s"] + rng["normal_s"]
    print()
    print(_table(["what", "seconds", "note"], [
        ["normals", f"{rng['normal_s']:.2f}",
         f"{rng['n_normals']:,} = paths x {rng['months']} months x "
         f"{rng['normals_per_path_month']}/month, {rng['normal_calls']:,} calls, "
         f"{rng['normal_s'] / rng['n_normals'] * 1e9:.1f} ns each"],
        ["uniforms", f"{rng['uniform_s']:.2f}",
         f"{rng['n_uniforms']:,} = paths x {rng['n_params']} uncertain parameters"],
        ["generator set-up", f"{rng['setup_s']:.2f}",
         f"{rng['generators']:,} SeedSequence+PCG64 (one per block and stream)"],
        ["RNG total", f"{rng_total:.2f}",
         f"same numbers as the engine: {'yes' if rng['same_as_engine'] else 'NO'}"],
        ["model (workers=1)", f"{model:.2f}", "pipeline.run, default chunk"],
        ["model / RNG", f"{model / rng_total:.1f}x",
         f"model / normals only: {model / rng['normal_s']:.1f}x"],
    ], f"numpy.random.Generator(PCG64) alone drawing the engine's own numbers, {paths:,} paths, "
       f"blocks of 4,096, one process (load {_load(rng)})", align="<><"))

    sim = cost["simulate_s"]
    n_chunks = -(-paths // cost["task_paths"])
    chunk_rows = [["64 (fixed cost)", f"{cost['tiny_s']:.3f}", "-"]]
    chunk_rows += [[f"{int(n):,}", f"{s:.3f}", f"{s / int(n) * 1e6:.1f}"] for n, s in sim.items()]
    chunk_rows.append([f"{cost['task_paths']:,} simulate", f"{cost['task_sim_s']:.3f}",
                       f"{cost['task_sim_s'] / cost['task_paths'] * 1e6:.1f}"])
    chunk_rows.append([f"{cost['task_paths']:,} whole task", f"{cost['task_s']:.3f}",
                       f"{cost['task_s'] / cost['task_paths'] * 1e6:.1f}"])
    print()
    print(_table(["chunk paths", "s/chunk", "us/path"], chunk_rows,
                 "Per-chunk cost, one process (vectorised.simulate, best of 3; whole task = "
                 "pipeline.simulate_chunk: simulate + attainment + sums, timed alternately; "
                 f"load {_load(cost)})"))
    print(f"about {cost['tiny_s'] * 1e3:.0f} ms fixed per chunk + "
          f"{cost['per_path_s'] * 1e6:.1f} us per path; a {paths:,}-path run at the default "
          f"chunk is {n_chunks} chunks")
    print(f"cold import of ipsim.study.pipeline: {load['import_s']:.2f} s; load + validate "
          f"{args.scenario}: {load['first_load_s'] * 1e3:.0f} ms first, "
          f"{load['load_s'] * 1e3:.0f} ms warm")
    print()
    print(f"cProfile of vectorised.simulate, one chunk of {PROFILE_PATHS:,} paths: "
          f"{prof['plain_s']:.2f} s without the profiler (load {_load(prof)})")
    print(prof["text"].strip())
    print()
    print(f"ipsim sources {', '.join(sorted(sources))} (sha256 of ipsim/**/*.py), "
          f"git {_git_head()}")
    print(f"load average {load0[0]:.2f} before, {load1[0]:.2f} after (on {ncpu} CPUs; above "
          f"~{ncpu - 1} means other work competed for the CPUs); benchmark took {total:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
