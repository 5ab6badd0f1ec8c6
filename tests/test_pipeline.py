"""``ipsim.study.pipeline.run``: bit-identical results whatever the workers and chunk size, bounded
memory (kept paths), and argument checks.

The bit-identity runs happen in a subprocess so that the number of BLAS threads can be fixed
before numpy loads; each configuration's tallies, block sums, means and kept paths are saved
to ``.npz`` and compared here with ``numpy.array_equal``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ipsim.engines.streams import BLOCK
from ipsim.errors import UsageError
from ipsim.study import pipeline
from tests.conftest import DEFAULT_SCENARIO, ROOT

SEED = 31337
ODD_PATHS = 2 * BLOCK + 123  # a partial last block

_RUNNER = r"""
import sys
import numpy as np
from ipsim.study import pipeline
from ipsim.scenario.validate import load_scenario

scenario, out, paths, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = load_scenario(scenario)
for spec in sys.argv[5:]:
    workers, chunk = map(int, spec.split(","))
    r = pipeline.run([s], paths, seed, workers=workers, chunk_paths=chunk).base
    kept = r.paths()
    arrays = {"tally_n": np.array(r.tally.n), "met": r.tally.met,
              "released": np.array(r.tally.released), "gained": r.tally.gained,
              "lost": r.tally.lost, "block_sums": np.stack(r.block_sums),
              "kept_released": kept.released}
    arrays |= {f"mean:{k}": v for k, v in r.means().items()}
    arrays |= {f"yearly:{k}": v for k, v in kept.yearly.items()}
    arrays |= {f"event:{k}": v for k, v in kept.events.items()}
    arrays |= {f"input:{k}": v for k, v in kept.inputs.items()}
    np.savez(f"{out}/w{workers}-c{chunk}.npz", **arrays)
"""


def _run_configs(tmp_path: Path, configs: list[tuple[int, int]], blas_threads: int) -> dict:
    """Run the default scenario once per (workers, chunk_paths) in a fresh interpreter."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(blas_threads),
           "OMP_NUM_THREADS": str(blas_threads), "MKL_NUM_THREADS": str(blas_threads)}
    args = [f"{w},{c}" for w, c in configs]
    proc = subprocess.run([sys.executable, "-c", _RUNNER, str(DEFAULT_SCENARIO), str(tmp_path),
                           str(ODD_PATHS), str(SEED), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for w, c in configs:
        with np.load(tmp_path / f"w{w}-c{c}.npz") as data:
            out[w, c] = {k: data[k] for k in data.files}
    return out


def _differences(results: dict) -> list[str]:
    """Names of the arrays that differ (bitwise) from the first configuration's."""
    (ref_key, ref), *others = results.items()
    bad = []
    for key, res in others:
        assert res.keys() == ref.keys()
        bad += [f"{key} vs {ref_key}: {name}" for name in ref
                if not np.array_equal(ref[name], res[name])]
    return bad


def test_bit_identical_for_workers_and_chunk_sizes(tmp_path):
    """Tallies, block sums, means and kept paths are equal for workers 1/2 and 1-3 block chunks."""
    results = _run_configs(tmp_path, [(1, BLOCK), (2, BLOCK), (1, 3 * BLOCK), (2, 5000)],
                           blas_threads=1)
    first = next(iter(results.values()))
    assert int(first["tally_n"]) == ODD_PATHS and first["kept_released"].size == ODD_PATHS
    assert _differences(results) == []


def test_bit_identical_for_chunk_sizes_with_two_blas_threads(tmp_path):
    """With two BLAS threads, one chunk of 3 blocks gives the same paths as 3 chunks of 1."""
    results = _run_configs(tmp_path, [(1, BLOCK), (1, 3 * BLOCK)], blas_threads=2)
    assert _differences(results) == []


# -- kept paths and means ---------------------------------------------------------------------

MEM_PATHS = 2 * BLOCK + 500


@pytest.fixture(scope="module")
def full_run(scenario):
    """Every path kept: the reference for the bounded runs."""
    return pipeline.run([scenario], MEM_PATHS, SEED, chunk_paths=BLOCK, keep_paths=MEM_PATHS)


@pytest.mark.parametrize("keep", [1, BLOCK + 1, 5000, MEM_PATHS, 10 ** 6])
def test_keeps_at_most_keep_paths(scenario, full_run, keep):
    """paths().n == min(paths, keep_paths), they are the run's first paths, means use them all."""
    r = pipeline.run([scenario], MEM_PATHS, SEED, chunk_paths=BLOCK, keep_paths=keep).base
    kept, ref = r.paths(), full_run.base.paths()
    assert kept.n == min(MEM_PATHS, keep)
    for name in ref.yearly:
        assert np.array_equal(kept.yearly[name], ref.yearly[name][:kept.n]), name
    assert np.array_equal(kept.released, ref.released[:kept.n])
    assert r.tally.n == MEM_PATHS
    for name, mean in full_run.base.means().items():
        assert np.array_equal(r.means()[name], mean), name


def test_means_are_the_mean_over_all_paths(full_run):
    """ScenarioResult.means() equals the plain mean of every path, year by year."""
    ip = full_run.base.paths()
    for name, mean in full_run.base.means().items():
        np.testing.assert_allclose(mean, ip.yearly[name].mean(axis=0), rtol=1e-12, atol=0)


def test_keep_zero_paths_keeps_none(scenario):
    """keep_paths=0 keeps no path (asking for them is a clear error); the means remain."""
    r = pipeline.run([scenario], 100, SEED, keep_paths=0).base
    assert r.tally.n == 100
    assert set(r.means())
    with pytest.raises(ValueError, match="no paths were kept"):
        r.paths()


def test_progress_reports_every_path(scenario):
    """The progress callback receives each chunk's path count, summing to the run's paths."""
    seen = []
    pipeline.run([scenario], BLOCK + 7, SEED, chunk_paths=BLOCK, progress=seen.append)
    assert seen == [BLOCK, 7]


@pytest.mark.parametrize("kwargs", [
    {"paths": 0}, {"paths": -5}, {"paths": 10**11}, {"engine": "foo"},
    {"workers": 0}, {"seed": -1}, {"chunk_paths": 0},
])
def test_bad_arguments_raise_usage_error(scenario, kwargs):
    """Out-of-range paths, workers, seed, chunk size or an unknown engine raise UsageError."""
    args = {"paths": 10, "seed": 1} | kwargs
    with pytest.raises(UsageError):
        pipeline.run([scenario], args.pop("paths"), args.pop("seed"), **args)
