"""Where tasks run: in this process, in a local process pool, or on a Dask cluster.

A task is a picklable argument of a module-level function; its result depends on the task
alone (seeds are derived from the task's content, never from the worker that runs it), so
every backend gives bit-identical results and a caller reduces them in task order.
:func:`imap` yields ``(index, result)`` pairs as tasks complete, which lets a caller show
progress and save finished work (a resumable sweep) while others still run.

Backends
--------
- ``workers == 1`` and no ``dask``: tasks run one after another in this process.
- ``workers > 1``: a :class:`concurrent.futures.ProcessPoolExecutor` (fork where the
  platform has it). On any exception (Ctrl-C, SIGTERM, a model error) the workers are
  terminated and reaped before it propagates. A worker also ends by itself when its parent
  process does, however the parent ended (SIGKILL, a crash): on Linux the kernel kills it
  (``prctl(PR_SET_PDEATHSIG)``), elsewhere a thread of the worker sees the parent go
  (:func:`die_with_parent`).
- ``dask``: the address of a Dask distributed scheduler (``tcp://host:8786``) or a
  ``distributed.Client``; needs the optional ``dask`` extra (``pip install ipsim[dask]``).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from ipsim.errors import ArgumentError
from ipsim.runtime import interrupts

__all__ = ["imap", "map_ordered", "dask_client", "die_with_parent", "PARENT_CHECK_S"]

PARENT_CHECK_S = 0.25
"""How often a worker's thread checks that its parent still runs (s), where the kernel
cannot be asked to end the worker with its parent."""

_PR_SET_PDEATHSIG = 1


def imap(fn: Callable[[Any], Any], tasks: Sequence, *, workers: int = 1,
         dask: Any = None) -> Iterator[tuple[int, Any]]:
    """Run ``fn(task)`` for every task; yield ``(index, result)`` as each completes.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled by reference).
    tasks : sequence
        Picklable arguments, one per task.
    workers : int
        Processes of the local pool (1 = in this process); ignored with ``dask``.
    dask : str or distributed.Client, optional
        Run on this Dask cluster instead.

    Raises
    ------
    UsageError
        ``dask`` is given but the ``distributed`` package is not installed, or the
        scheduler cannot be reached.
    """
    if dask is not None:
        yield from _dask(fn, tasks, dask)
    elif workers == 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            yield i, fn(task)
    else:
        yield from _pool(fn, tasks, workers)


def map_ordered(fn: Callable[[Any], Any], tasks: Sequence, *, workers: int = 1,
                dask: Any = None, progress: Callable[[int], None] | None = None,
                arrived: Callable[[int, Any], Any] | None = None) -> list:
    """Results of :func:`imap` in task order; ``progress(index)`` is called as each arrives.

    ``arrived(index, result)``, if given, sees each result as it arrives and returns what
    to keep of it in its place (e.g. the small part of a large result, whose large part it
    has stored away: the list then never holds every large part at once).
    """
    results: list = [None] * len(tasks)
    # closing(): an exception here (a signal raised by ``progress``) stops the workers now,
    # not when the generator is garbage-collected.
    with contextlib.closing(imap(fn, tasks, workers=workers, dask=dask)) as completed:
        for i, result in completed:
            results[i] = result if arrived is None else arrived(i, result)
            if progress:
                progress(i)
    return results


def die_with_parent(parent: int) -> None:  # pragma: no cover - runs in worker processes
    """End this process when process ``parent`` (which started it) ends.

    On Linux the kernel sends SIGKILL at the parent's death (``prctl(PR_SET_PDEATHSIG)``
    through libc; it follows the thread that forked, which for the pool is the thread that
    ran the job). A daemon thread also polls the parent pid every :data:`PARENT_CHECK_S`
    seconds (the only way where there is no prctl); a worker whose parent has already gone
    exits at once.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="ipsim-parent-watch", daemon=True).start()


def _worker_init(parent: int) -> None:  # pragma: no cover - runs in the worker processes
    # Ctrl-C in a terminal reaches the whole process group: the parent alone handles it.
    # SIGTERM (sent by the parent when the run stops early) ends a worker at once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


def _pool(fn, tasks: Sequence, workers: int) -> Iterator[tuple[int, Any]]:
    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = None
    try:
        # Signals wait while the workers are forked: an exception raised in an at-fork hook
        # would be lost. Futures are never cancelled from this thread (on Python 3.11 the
        # executor's broken-pool path then fails on them); shutdown(cancel_futures=True) is.
        with interrupts.held():
            pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx,
                                       initializer=_worker_init, initargs=(os.getpid(),))
            index = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        pending = set(index)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            # a future holds its result: once yielded, it is no longer kept here (only the
            # last one or two are, until the next wait)
            for future in sorted(done, key=index.__getitem__):
                yield index.pop(future), future.result()
    except BaseException:  # Ctrl-C, SIGTERM, a model error: no worker may outlive the run
        if pool is not None:
            _stop_workers(pool)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate and reap a pool's workers now, without waiting for their tasks.

    Python 3.14 has ``ProcessPoolExecutor.terminate_workers``; before it, the processes
    and the result pipe are only reachable through the private ``_processes`` and
    ``_result_queue`` attributes (each used only if present).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join()
    # A worker killed while sending its result leaves the executor's thread reading the
    # rest of the message for ever (and the interpreter waiting for that thread at exit).
    # The workers' copies of the pipe's write end died with them; closing ours turns the
    # wait into end-of-file, which the executor handles as a broken pool.
    if results is not None:
        results.close()


def dask_client(dask: Any):
    """A ``distributed.Client`` for ``dask`` (an address or a client) and whether we own it."""
    try:
        import distributed
    except ImportError:
        raise ArgumentError("dask", "needs the distributed package: pip install 'ipsim[dask]'") \
            from None
    if isinstance(dask, distributed.Client):
        return dask, False
    try:
        return distributed.Client(dask, timeout="10s"), True
    except (OSError, TimeoutError) as exc:
        raise ArgumentError("dask", f"cannot reach the scheduler ({exc})",
                            value=str(dask)) from None


def _dask(fn, tasks: Sequence, dask: Any) -> Iterator[tuple[int, Any]]:
    from distributed import as_completed

    client, owned = dask_client(dask)
    futures = []
    try:
        # pure=False: a task's key is unique, so two identical tasks both run (and report).
        futures = client.map(fn, list(tasks), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            yield index[future.key], future.result()
    finally:
        if futures:
            client.cancel(futures)
        if owned:
            client.close()
