"""Results of finished tasks kept on disk, so that an interrupted job resumes where it stopped.

A long job (a policy sweep, a sensitivity analysis) is split into tasks whose results depend
on the task's content alone (:mod:`ipsim.runtime.execution`). :class:`TaskCache` stores each result
as it arrives, under a key that hashes everything the result depends on: the job's
``context`` (scenario SHA-256, seed, paths, engine, ipsim and numpy versions, ...) and the
task's own description (its points, its chunk of paths). A re-run with the same arguments
finds the finished tasks and runs only the others; a different seed, number of paths,
scenario file or software version gives different keys and never reuses a result.

Each entry is one file ``<sha256>.pkl`` written atomically (temporary file, then rename), so
a job killed at any moment leaves only complete entries. The entries are pickles: the cache
is a private folder of the user's own results (trusted like any file ipsim itself wrote);
do not put other people's files in it.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipsim.runtime.atomic import write_atomic

__all__ = ["TaskCache", "task_key"]


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
    """

    def __init__(self, folder: str | Path, context: Mapping[str, Any]):
        self.folder = Path(folder)
        self.context = dict(context)
        self.reused = 0
        self.stored = 0

    def key(self, task: Mapping[str, Any]) -> str:
        """The key of ``task`` in this job."""
        return task_key(self.context, task)

    def _path(self, task: Mapping[str, Any]) -> Path:
        return self.folder / f"{self.key(task)}.pkl"

    def get(self, task: Mapping[str, Any]) -> Any | None:
        """The stored result of ``task``, or None (not run yet, or an unreadable entry)."""
        path = self._path(task)
        try:
            with path.open("rb") as f:
                value = pickle.load(f)
        except FileNotFoundError:
            return None
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None  # damaged or from an incompatible ipsim: run the task again
        self.reused += 1
        return value

    def put(self, task: Mapping[str, Any], value: Any) -> None:
        """Store ``value`` as the result of ``task``, atomically."""
        write_atomic(self._path(task), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self.stored += 1
