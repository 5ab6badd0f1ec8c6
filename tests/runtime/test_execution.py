"""Backends of :mod:`ipsim.runtime.execution`: in process, a local pool and a Dask cluster give the
same results; a run of the pipeline on Dask is bit-identical to the local one."""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.errors import UsageError
from ipsim.runtime import execution
from ipsim.scenario.validate import load_scenario
from ipsim.study import pipeline
from tests.conftest import ROOT


def _draw(task):
    seed, n = task
    return np.random.default_rng(seed).standard_normal(n).sum()


TASKS = [(s, 1000) for s in range(7)]


@pytest.mark.parametrize("workers", [1, 2])
def test_imap_yields_every_task_once(workers):
    got = dict(execution.imap(_draw, TASKS, workers=workers))
    assert sorted(got) == list(range(len(TASKS)))
    assert [got[i] for i in range(len(TASKS))] == [_draw(t) for t in TASKS]


def test_map_ordered_reports_progress_for_each_task():
    seen = []
    out = execution.map_ordered(_draw, TASKS, workers=2, progress=seen.append)
    assert out == [_draw(t) for t in TASKS] and sorted(seen) == list(range(len(TASKS)))


def test_unreachable_scheduler_is_a_usage_error():
    with pytest.raises(UsageError, match="cannot reach the scheduler"):
        list(execution.imap(_draw, TASKS, dask="tcp://127.0.0.1:9"))


def test_dask_backend_gives_the_same_results(client):
    assert execution.map_ordered(_draw, TASKS, dask=client) == [_draw(t) for t in TASKS]


def test_pipeline_on_dask_is_bit_identical_to_local(client):
    """The same scenario, seed and paths on a Dask LocalCluster and on a local pool: every
    tally and every per-block sum are equal (seeds come from the blocks, not the workers)."""
    scenario = load_scenario(ROOT / "scenarios" / "key-city-2020.yaml")
    kw = dict(paths=3 * 4096 + 10, seed=11, chunk_paths=4096, keep_paths=5000)
    local = pipeline.run([scenario], workers=2, **kw).base
    remote = pipeline.run([scenario], dask=client, **kw).base
    assert all(np.array_equal(a, b) for a, b in
               zip(vars(remote.tally).values(), vars(local.tally).values(), strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(remote.block_sums, local.block_sums,
                                                    strict=True))
    assert np.array_equal(remote.paths().yearly["transfers"], local.paths().yearly["transfers"])
