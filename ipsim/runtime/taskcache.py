"""Results of finished tasks kept on disk, so that an interrupted job resumes where it stopped.

A long job (a policy sweep, a sensitivity analysis) is split into tasks whose results depend
on the task's content alone (:mod:`ipsim.runtime.execution`). :class:`TaskCache` stores each result
as it arrives, under a key that hashes everything the result depends on: the job's
``context`` (scenario SHA-256, seed, paths, engine, ipsim and numpy versions, ...) and the
task's own description (its points, its chunk of paths). A re-run with the same arguments
finds the finished tasks and runs only the others; a different seed, number of paths,
scenario file or software version gives different keys and never reuses a result.

The cache lives inside result folders, which people share, so an entry is *data only* and
*checked*:

* a result is a mapping of names to numpy arrays of numbers or booleans (scalars become
  0-d arrays), stored as one ``<key>.npz`` file read with ``allow_pickle=False``: no entry
  can make ipsim run code, whatever it holds (ipsim never reads pickles);
* the file also holds the SHA-256 of the key and of every array (name, dtype, shape and
  bytes); an entry that is not a regular file, is too large, does not parse, holds other
  types, belongs to another key or whose digest does not match is *rejected*: :meth:`get`
  returns None (the task runs again and :meth:`put` replaces the entry), and the entry is
  listed in :attr:`TaskCache.rejected` so that the caller can say so.

The digest is not a signature: it catches a damaged or naively altered entry (halved counts,
an entry copied from another task), not a forger who recomputes it. ``--no-cache`` ignores
the cache entirely. Entries are written atomically (temporary file, then rename), so a job
killed at any moment leaves only complete entries.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ipsim.runtime.atomic import write_atomic

__all__ = ["TaskCache", "task_key", "digest", "MAX_ENTRY_BYTES", "FORMAT"]

FORMAT = "ipsim-task-cache/2"
"""Written into every entry; entries of another format are rejected."""

MAX_ENTRY_BYTES = 256 * 2**20
"""Largest entry read, on disk and unpacked (bytes)."""

_META, _DIGEST = "__meta__", "__sha256__"
_KINDS = "biuf"   # numpy dtype kinds a result may hold: bool, int, unsigned, float


def _canonical(obj: Any) -> Any:
    """A JSON-able, order-stable form of ``obj`` (mappings sorted, tuples as lists)."""
    if isinstance(obj, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, list | tuple):
        return [_canonical(v) for v in obj]
    if isinstance(obj, float):
        return repr(obj)  # exact: 0.1 and 0.1000000000000001 differ
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    raise TypeError(f"cannot key a task on a {type(obj).__name__}: {obj!r}")


def task_key(context: Mapping[str, Any], task: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a job's ``context`` and one task's description.

    Both are mappings of numbers, texts, booleans, None and lists or mappings of them.
    """
    text = json.dumps({"context": _canonical(context), "task": _canonical(task)},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _arrays(value: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``value`` as little-endian, C-ordered arrays of the allowed kinds."""
    if not isinstance(value, Mapping) or not value:
        raise TypeError("a cached result is a non-empty mapping of names to arrays")
    out = {}
    for name, v in value.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise TypeError(f"cannot cache a result named {name!r} (use a plain identifier)")
        a = np.asarray(v)
        if a.dtype.kind not in _KINDS:
            raise TypeError(f"cannot cache {name!r} of dtype {a.dtype} (numbers and booleans "
                            "only)")
        out[name] = np.array(a, dtype=a.dtype.newbyteorder("<"), order="C")  # keeps 0-d
    return out


def digest(key: str, arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 (hex) of ``key`` and every array's name, dtype, shape and bytes, by name."""
    h = hashlib.sha256(f"{FORMAT}\0{key}\0".encode())
    for name in sorted(arrays):
        a = arrays[name]
        h.update(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes(order="C"))
    return h.hexdigest()


class TaskCache:
    """Finished tasks' results in ``folder``, keyed by :func:`task_key`.

    Parameters
    ----------
    folder : str or pathlib.Path
        Where the entries live (created on the first write), e.g.
        ``results/<scenario>/sweep/.cache``.
    context : mapping
        What every result of the job depends on besides its task (see the module docstring).

    Attributes
    ----------
    reused : int
        Results found by :meth:`get` so far.
    stored : int
        Results written by :meth:`put` so far.
    rejected : list of pathlib.Path
        Entries :meth:`get` found but would not trust (damaged, altered, not data): their
        tasks run again.
    """

    def __init__(self, folder: str | Path, context: Mapping[str, Any]):
        self.folder = Path(folder)
        self.context = dict(context)
        self.reused = 0
        self.stored = 0
        self.rejected: list[Path] = []

    def key(self, task: Mapping[str, Any]) -> str:
        """The key of ``task`` in this job."""
        return task_key(self.context, task)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def get(self, task: Mapping[str, Any]) -> dict[str, np.ndarray] | None:
        """The stored result of ``task`` (name -> array; scalars as 0-d arrays), or None:
        not run yet, or an entry that is rejected (see the module docstring)."""
        key = self.key(task)
        path = self._path(key)
        try:
            st = path.lstat()
        except FileNotFoundError:
            return None
        except OSError:
            self.rejected.append(path)
            return None
        arrays = _read(path, st, key)
        if arrays is None:
            self.rejected.append(path)
            return None
        self.reused += 1
        return arrays

    def put(self, task: Mapping[str, Any], value: Mapping[str, Any]) -> None:
        """Store ``value`` (name -> array or number) as the result of ``task``, atomically.

        Raises
        ------
        TypeError
            ``value`` holds something other than numbers and booleans.
        """
        key = self.key(task)
        arrays = _arrays(value)
        meta = json.dumps({"format": FORMAT, "key": key, "names": sorted(arrays)})
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays,
                            **{_META: np.frombuffer(meta.encode(), np.uint8),
                               _DIGEST: np.frombuffer(digest(key, arrays).encode(), np.uint8)})
        write_atomic(self._path(key), buf.getvalue())
        self.stored += 1


def _read(path: Path, st: os.stat_result, key: str) -> dict[str, np.ndarray] | None:
    """The arrays of the entry at ``path`` if it passes every check, else None."""
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
        return None
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_ENTRY_BYTES + 1)
        with zipfile.ZipFile(io.BytesIO(raw)) as z:   # refuse a zip bomb before unpacking
            if sum(i.file_size for i in z.infolist()) > MAX_ENTRY_BYTES:
                return None
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            stored = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, RuntimeError,
            NotImplementedError, MemoryError):
        return None
    meta, check = stored.pop(_META, None), stored.pop(_DIGEST, None)
    if meta is None or check is None or meta.dtype != np.uint8 or check.dtype != np.uint8:
        return None
    try:
        info = json.loads(meta.tobytes().decode("utf-8"))
        want = check.tobytes().decode("ascii")
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("format") != FORMAT or info.get("key") != key \
            or info.get("names") != sorted(stored):
        return None
    if any(a.dtype.kind not in _KINDS for a in stored.values()):
        return None
    return stored if digest(key, stored) == want else None
