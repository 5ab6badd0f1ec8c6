"""SIGINT and SIGTERM while a command runs: noted during imports, raised once armed."""

from __future__ import annotations

import signal
import threading

__all__ = ["Terminated", "Signals"]


class Terminated(BaseException):
    """SIGTERM arrived: unwinds the run like KeyboardInterrupt does for SIGINT."""


class Signals:
    """SIGINT and SIGTERM while a command runs.

    Until :meth:`arm` (while the command's modules are imported) a signal is only noted:
    an exception raised inside the import machinery can be swallowed or make the
    interpreter kill itself at exit. Once armed, the first signal raises KeyboardInterrupt
    (SIGINT) or :class:`Terminated` (SIGTERM) in the main thread, which stops the workers
    and unwinds without writing anything; later signals are ignored so the clean-up cannot
    be cut short. A signal ignored when ipsim starts (``nohup``) stays ignored.
    """

    def __init__(self):
        self.pending: int | None = None
        self.armed = False
        self.saved: dict = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            self.saved[signum] = signal.getsignal(signum)
            if self.saved[signum] is not signal.SIG_IGN:
                signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self.saved.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    def _handle(self, signum, frame) -> None:
        if self.pending is not None:
            return
        self.pending = signum
        if self.armed:
            self._raise()

    def arm(self) -> None:
        """From now on a signal interrupts; one that came earlier interrupts at once.

        Also called at safe points (after each chunk, before writing): Python drops an
        exception raised inside some callbacks (at-fork hooks, ``__del__``), so a signal
        whose exception was lost is raised again there instead of being forgotten."""
        self.armed = True
        if self.pending is not None:
            self._raise()

    def _raise(self) -> None:
        raise KeyboardInterrupt if self.pending == signal.SIGINT else Terminated()
