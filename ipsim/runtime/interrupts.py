"""Holding SIGINT and SIGTERM back over a few critical lines.

The command line turns SIGINT and SIGTERM into exceptions in the main thread. Raised at the
wrong moment, such an exception is lost (inside an at-fork hook, where Python ignores it) or
cuts an operation that must not be cut (the two renames that swap a result folder in).
:func:`held` defers the signals over such a block and delivers them right after it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["held"]


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done, then deliver them.

    The Python-level handlers are swapped for a recorder (a signal mask would not do: the
    kernel hands a process-directed signal to any thread that does not block it). Only
    possible in the main thread; elsewhere the block runs unprotected. A signal that is
    ignored stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    saved = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            saved[signum] = signal.signal(signum, lambda s, f: pending.append(s))
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)
