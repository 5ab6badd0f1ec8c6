"""Advisory locks on output folders: two ipsim commands never write one folder at once.

A command that writes folder ``F`` (and may replace it whole) holds an exclusive lock on
``F`` and a shared lock on every folder above it, from before it starts simulating until it
has written its result. Two writers therefore conflict exactly when one's folder contains
the other's or they are the same: ``ipsim run`` replacing ``results/<name>/`` and
``ipsim sweep`` writing ``results/<name>/sweep/`` inside it cannot overlap, while runs of two
scenarios (``results/a/`` and ``results/b/``, shared locks on ``results/``) can. The one that
comes second is refused at once with :class:`FolderBusy` (one line naming the folder and,
where the system says, the process that holds it), before it has done any work.

The locks are ``flock(2)`` locks on the folders themselves (no lock file is left anywhere);
they go with the process that holds them, however it ends. Where the file system does not
support them (some network drives) or the platform has no ``fcntl``, nothing is locked.
Within one process the locks are re-entrant: the command line holds a folder for the whole
command, and the writer it calls takes the same folder again without conflict.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ipsim.errors import UsageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["FolderBusy", "FolderError", "hold"]


class FolderError(UsageError):
    """An output folder that cannot be used (exit status 2): names the folder and why."""


class FolderBusy(FolderError):
    """Another process writes the folder (or one that contains it, or one inside it)."""


@dataclass
class _Held:
    fd: int | None          # None: the file system cannot lock (counted, not locked)
    exclusive: bool
    count: int


_held: dict[tuple[int, int], _Held] = {}
_guard = threading.Lock()


def _holder(st: os.stat_result) -> str:
    """`` (pid N: ipsim run)`` for the process holding a lock on the file of ``st``, from
    /proc/locks where there is one; ``""`` if unknown."""
    want = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    for line in lines:
        parts = line.split()
        if len(parts) > 5 and parts[1] == "FLOCK" and parts[5] == want and parts[4].isdigit():
            pid = int(parts[4])
            if pid in (0, os.getpid()):
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
            except OSError:
                return f" (pid {pid})"
            command = next((a for a in argv if a in _COMMANDS), "")
            return f" (pid {pid}: ipsim {command})" if command else f" (pid {pid})"
    return ""


_COMMANDS = ("run", "compare", "sweep", "sensitivity", "calibrate", "backtest")


def _busy(path: Path, fd: int, st: os.stat_result, ancestor: bool) -> FolderBusy:
    """The refusal for ``path`` (open as ``fd``, unlocked), which another process holds."""
    if ancestor:
        what = "is replacing this folder, which holds the output"
    else:
        try:   # a shared lock is free if the holder only writes inside the folder
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            what = "is writing in a folder inside this one"
        except OSError:
            what = "is writing this folder"
    return FolderBusy(f"{path}: another ipsim command {what}{_holder(st)}; wait for it to "
                      "finish, or write elsewhere")


def _take(path: Path, exclusive: bool, strict: bool, inside: bool) -> tuple[int, int] | None:
    """Lock folder ``path``; returns its (device, inode), or None if it was skipped."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if strict:
            raise FolderError(f"{path}: cannot open the folder ({exc.strerror})") from None
        return None   # an ancestor we may not read: not locked
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    with _guard:
        held = _held.get(key)
        if held is not None and (held.exclusive or not exclusive):
            held.count += 1
            os.close(fd)
            return key
        if held is not None:          # this process holds it shared and now wants it whole
            os.close(fd)
            fd = held.fd
        locked = fd
        if fcntl is not None and fd is not None:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            except BlockingIOError:
                busy = _busy(path, fd, st, inside) if held is None else \
                    FolderBusy(f"{path}: another ipsim command is writing in a folder inside "
                               "this one; wait for it to finish, or write elsewhere")
                if held is None:
                    os.close(fd)
                raise busy from None
            except OSError as exc:
                if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF):
                    raise
                locked = None     # the file system cannot lock: go on unlocked
                if held is None:
                    os.close(fd)
        if held is not None:
            held.exclusive, held.count = True, held.count + 1
        else:
            _held[key] = _Held(locked, exclusive, 1)
    return key


def _release(key: tuple[int, int]) -> None:
    with _guard:
        held = _held[key]
        held.count -= 1
        if held.count == 0:
            del _held[key]
            if held.fd is not None:
                os.close(held.fd)   # closing the last descriptor releases the flock


def _make(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; the folders created, outermost first."""
    missing = []
    p = folder
    while not os.path.lexists(p):
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    created = []
    for p in reversed(missing):
        try:
            p.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            _remove_empty(created)
            raise FolderError(f"{p}: cannot create the folder ({exc.strerror})") from None
        created.append(p)
    return created


def _remove_empty(created: list[Path]) -> None:
    for p in reversed(created):
        with contextlib.suppress(OSError):
            p.rmdir()        # only if still empty: what was written in it stays


@contextlib.contextmanager
def hold(folder: str | Path, exclusive: bool = True) -> Iterator[None]:
    """Hold ``folder`` for writing: created if missing, locked whole (or, with
    ``exclusive=False``, shared: to write one file in it atomically), its ancestors shared.

    On an exception the folders this call created are removed again if they are still
    empty (a refused or interrupted command leaves nothing behind).

    Raises
    ------
    FolderBusy
        Another process holds ``folder``, a folder inside it, or a folder above it whole.
    FolderError
        ``folder`` cannot be created or opened.
    """
    folder = Path(folder)
    created = _make(folder)
    keys: list[tuple[int, int]] = []
    try:
        real = folder.resolve()
        for parent in reversed(real.parents):
            if (key := _take(parent, False, False, True)) is not None:
                keys.append(key)
        keys.append(_take(real, exclusive, True, False))
        yield
    except BaseException:
        for key in reversed(keys):
            _release(key)
        keys = []
        _remove_empty(created)
        raise
    finally:
        for key in reversed(keys):
            _release(key)
