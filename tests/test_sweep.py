"""Sweeps on common random numbers: a lever that cannot matter gives a flat curve, a bigger
risk pool without defaults is monotone path by path, the task cache resumes exactly, and a
Dask cluster gives the same tallies as a local pool."""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.analysis.sweep import summarise
from ipsim.cli.parsing import parse_lever
from ipsim.engines.streams import BLOCK
from ipsim.runtime.taskcache import TaskCache, task_key
from ipsim.scenario.points import load_points
from ipsim.study.sweep import cache_context, run_sweep
from tests.compare_helpers import default_data, no_drain, write_scenario

PLEDGE = ("pledge_amount", "pledge_projects")


def _same(a, b) -> bool:
    """Two lists of tallies are equal field by field (counts and pairwise counts)."""
    return len(a) == len(b) and all(
        np.array_equal(x, y) for ta, tb in zip(a, b, strict=True)
        for x, y in zip(vars(ta).values(), vars(tb).values(), strict=True))


def _sweep(path, *params, paths=2 * BLOCK, seed=5, **kw):
    levers = [parse_lever(p) for p in params]
    base, points = load_points(path, levers)
    return run_sweep(base, levers, points, paths, seed, chunk_paths=BLOCK, **kw)


@pytest.fixture(scope="module")
def unconditional(tmp_path_factory):
    """The default scenario with its second tranche paid whatever the mid-term verdict."""
    data = default_data()
    data["policy"]["tranches"][1]["conditional"] = False
    return write_scenario(tmp_path_factory.mktemp("sweep"), data)


def test_lever_that_cannot_matter_gives_a_flat_curve(unconditional):
    """With no conditional tranche the mid-term tolerance only decides the verdict: every
    target is met on exactly the same paths at every point (no discordant path, so the paired
    difference is exactly 0, p = 1), although every point is a different model."""
    run = _sweep(unconditional, "policy.midterm.tolerance=0.25:1.0:3", paths=BLOCK)
    summary = summarise(run.points, run.tallies)
    assert [p.scenario.policy.midterm.tolerance for p in run.points] == [0.25, 0.625, 1.0]
    for t in run.tallies:
        assert not t.beats.any()            # no path tips any target between any two points
        assert np.array_equal(t.met, run.tallies[0].met)
    d = summary.paired(2, 0)
    assert not d.exact and (d.estimate, d.only_a, d.only_b, d.p_value) == (0.0, 0, 0, 1.0)


def test_bigger_pool_is_monotone_on_common_numbers(tmp_path):
    """Without defaults a bigger pool almost never lowers a path's pledge targets nor its
    mid-term release: at every pair of points the smaller pool beats the bigger on at most a
    handful of paths (cover is by whole loans: one more loan covered now can leave less room
    next month), far fewer than the reverse (a sign test), and the biggest pool gains paths
    over the smallest."""
    from scipy import stats

    run = _sweep(no_drain(tmp_path), "policy.allocation.risk_pool=0.15:0.25:3", paths=BLOCK)
    ids = [t.id for t in run.base.targets]
    for j in (ids.index(t) for t in PLEDGE):
        for a in range(3):
            for b in range(a + 1, 3):
                lost, gained = int(run.tallies[a].beats[b, j]), int(run.tallies[b].beats[a, j])
                assert lost <= 0.002 * BLOCK, (a, b, ids[j], lost)
                test = stats.binomtest(gained, lost + gained, alternative="greater")
                assert test.pvalue < 1e-3, (a, b, ids[j], lost, gained)
        met = [int(t.met[j]) for t in run.tallies]
        assert met == sorted(met)
    released = [t.released for t in run.tallies]
    assert released == sorted(released)


def test_interrupted_sweep_resumes_from_the_cache(tmp_path):
    """Stopped after one of three tasks, a re-run reuses it, runs the other two and gives
    the tallies of an uninterrupted run; another seed or number of paths finds none of the
    stored tasks."""
    path, cache = no_drain(tmp_path), tmp_path / "cache"
    params = ("policy.allocation.risk_pool=0.15,0.25",)
    calls = []

    def stop(n):
        calls.append(n)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _sweep(path, *params, paths=3 * BLOCK, cache=cache, progress=stop)
    assert len(list(cache.glob("*.npz"))) == 1 and calls == [2 * BLOCK]
    resumed = _sweep(path, *params, paths=3 * BLOCK, cache=cache)
    fresh = _sweep(path, *params, paths=3 * BLOCK)
    assert (resumed.tasks, resumed.reused, fresh.reused) == (3, 1, 0)
    assert _same(resumed.tallies, fresh.tallies)
    keys = [{"first_block": b, "n_blocks": 1} for b in range(3)]
    base, points = resumed.base, resumed.points
    assert all(TaskCache(cache, cache_context(base, points, 5, 3 * BLOCK, "vectorised"))
               .get(k) is not None for k in keys)
    for seed, paths in [(6, 3 * BLOCK), (5, 3 * BLOCK - 1)]:
        other = TaskCache(cache, cache_context(base, points, seed, paths, "vectorised"))
        assert all(other.get(k) is None for k in keys)


def test_cache_keys_and_damaged_entries(tmp_path):
    """Keys change with any part of the context or the task (floats exactly); a damaged entry
    reads as missing, so its task runs again."""
    ctx = {"scenario_sha256": "ab", "seed": 1, "points": [[("k", 0.1)]]}
    assert task_key(ctx, {"chunk": 0}) == task_key(dict(reversed(ctx.items())), {"chunk": 0})
    assert task_key(ctx, {"chunk": 0}) != task_key({**ctx, "seed": 2}, {"chunk": 0})
    assert task_key(ctx, {"chunk": 0}) != task_key(ctx, {"chunk": 1})
    assert task_key(ctx, {"x": 0.1}) != task_key(ctx, {"x": 0.1 + 1e-17 + 2e-17})
    cache = TaskCache(tmp_path, ctx)
    cache.put({"chunk": 0}, {"counts": [1, 2]})
    assert cache.get({"chunk": 0})["counts"].tolist() == [1, 2]
    assert cache.get({"chunk": 1}) is None
    entry = tmp_path / f"{cache.key({'chunk': 0})}.npz"
    entry.write_bytes(b"PK\x03\x04trunc")
    assert cache.get({"chunk": 0}) is None and (cache.stored, cache.reused) == (1, 1)
    assert cache.rejected == [entry]


def test_dask_sweep_is_bit_identical_to_local(client, tmp_path):
    """The same sweep on an in-process Dask LocalCluster and on a local pool of two workers:
    every count, release and pairwise count is equal."""
    path = no_drain(tmp_path)
    params = ("policy.allocation.risk_pool=0.15,0.25", "policy.fast_track_share=0.4")
    local = _sweep(path, *params, paths=2 * BLOCK + 17, workers=2)
    remote = _sweep(path, *params, paths=2 * BLOCK + 17, dask=client)
    assert remote.backend == "dask" and remote.tasks == 3 and len(remote.tallies) == 2
    assert _same(remote.tallies, local.tallies)
