"""Class 2: the task cache holds data, never code, and a bad entry is recomputed and said so.

A sweep's cache lives in ``results/<name>/sweep/.cache/`` and travels with the folder. A
planted pickle (as an entry, as an object array inside one, or as an old-style ``.pkl``)
never runs; an entry whose numbers were changed is rejected by its checksum, one whose
checksum was recomputed by the counts that do not fit its task; each time the task runs
again, the sweep's numbers are those of a clean run, and one line on stderr says so.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ipsim.runtime.taskcache import TaskCache, digest
from tests.hostile.conftest import argv

CACHE = Path("results/key-city-2020/sweep/.cache")


class _Plant:
    """Unpickling this creates the marker file (what a planted payload would do)."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _points(ws: Path) -> list:
    data = json.loads((ws / "results/key-city-2020/sweep/sweep.json").read_text())
    return [(p["values"], p["all_targets"], p["targets"]) for p in data["points"]]


@pytest.fixture
def swept(ws, ipsim):
    """A finished sweep (one cached task) and its points."""
    outcome = ipsim(argv("sweep"))
    assert outcome.status == 0, outcome.err
    (entry,) = (ws / CACHE).iterdir()
    return entry, _points(ws)


def _rerun(ws, ipsim, clean) -> str:
    outcome = ipsim(argv("sweep"))
    assert outcome.status == 0 and "Traceback" not in outcome.err, outcome.err
    (line,) = outcome.err.splitlines()
    assert "1 task cache entry" in line and "computed again" in line and str(CACHE) in line
    assert _points(ws) == clean
    (entry,) = (ws / CACHE).glob("*.npz")
    return entry


def test_planted_pickles_never_run(swept, ws, ipsim, tmp_path):
    entry, clean = swept
    import pickle

    marker = tmp_path / "PLANTED-CODE-RAN"
    payload = pickle.dumps(_Plant(marker))
    entry.write_bytes(payload)                                  # a pickle as the entry
    (entry.parent / f"{entry.stem}.pkl").write_bytes(payload)   # the old format beside it
    _rerun(ws, ipsim, clean)
    buf = io.BytesIO()                                          # an object array inside
    np.savez(buf, tallies=np.array([_Plant(marker)], dtype=object), allow_pickle=True)
    entry.write_bytes(buf.getvalue())
    _rerun(ws, ipsim, clean)
    assert not marker.exists()


def test_tampered_entry_is_rejected_and_recomputed(swept, ws, ipsim):
    """Valid data with halved counts (the digest left as it was): rejected, recomputed."""
    entry, clean = swept
    with np.load(entry, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["met"] = arrays["met"] // 2
    np.savez(entry, **arrays)
    _rerun(ws, ipsim, clean)
    assert ipsim(argv("sweep")).err == ""        # the entry written again is trusted


def test_forged_entry_whose_counts_do_not_fit_its_task_is_rejected(swept, ws, ipsim):
    """Halved counts *and* a recomputed digest: the counts (paths per point) no longer fit
    the task, so the entry is rejected all the same."""
    entry, clean = swept
    with np.load(entry, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(arrays.pop("__meta__").tobytes())
    arrays.pop("__sha256__")
    for k in ("n", "met", "released", "gained", "lost", "beats"):  # both points feasible
        arrays[k] = arrays[k] // 2
    forged = digest(meta["key"], arrays)
    np.savez(entry, **arrays, __meta__=np.frombuffer(json.dumps(meta).encode(), np.uint8),
             __sha256__=np.frombuffer(forged.encode(), np.uint8))
    _rerun(ws, ipsim, clean)


def test_cache_checks(tmp_path):
    """The cache's own checks: data only in, and an entry that is a link, another task's,
    not a zip, or a zip bomb is rejected (read as missing and listed)."""
    cache = TaskCache(tmp_path, {"job": "test"})
    with pytest.raises(TypeError, match="numbers and booleans"):
        cache.put({"chunk": 0}, {"x": np.array([object()], dtype=object)})
    with pytest.raises(TypeError):
        cache.put({"chunk": 0}, {"__meta__": [1]})
    cache.put({"chunk": 0}, {"y": np.arange(6.0).reshape(2, 3), "n": 7, "ok": True})
    got = cache.get({"chunk": 0})
    assert got["y"].tolist() == [[0, 1, 2], [3, 4, 5]] and int(got["n"]) == 7 and bool(got["ok"])
    first = tmp_path / f"{cache.key({'chunk': 0})}.npz"
    other = tmp_path / f"{cache.key({'chunk': 1})}.npz"
    os.symlink(first, other)                                     # a link: rejected
    assert cache.get({"chunk": 1}) is None
    other.unlink()
    other.write_bytes(first.read_bytes())                        # another task's entry
    assert cache.get({"chunk": 1}) is None
    other.write_bytes(b"not a zip")
    assert cache.get({"chunk": 1}) is None
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:  # 300 MiB of zeros
        with z.open("y.npy", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(300):
                f.write(block)
    other.write_bytes(bomb.getvalue())
    assert cache.get({"chunk": 1}) is None
    assert cache.rejected == [other] * 4 and (cache.reused, cache.stored) == (1, 1)
