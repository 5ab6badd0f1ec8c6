"""Writing results so that an interrupted run never leaves a half-written result.

Files are written to a temporary name in the same folder and renamed into place
(``os.replace`` is atomic on POSIX). A whole result folder is built under a temporary
sibling ``.<name>.new-<owner>-<random>`` and swapped in, so the folder holds either the
previous complete result or the new complete one. The swap moves the previous result aside
to ``.<name>.old-<owner>-<random>/previous`` for an instant; SIGINT and SIGTERM are held back
during it, and temporaries left by a run that was killed outright (SIGKILL, power loss) are
cleaned up, and a previous result moved aside is put back, by the next write to the folder.
``<owner>`` is :func:`stamp`: the pid, the process's start time and a tag of the machine, so
that a temporary whose pid now belongs to another process is still known to be stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ipsim.runtime import interrupts

__all__ = ["write_atomic", "staged_directory", "clean_stale", "carry_over", "stamp",
           "start_time"]


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Raises
    ------
    OSError
        The file cannot be written (a full disk, a read-only folder), with ``filename``
        ``path`` itself (not the temporary's name); nothing is left behind.
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes it private (0600)
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a process of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_time(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, from ``/proc/<pid>/stat``), or
    None where there is no /proc or no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[19])    # field 22 of proc(5); fields[0] is field 3
    except (OSError, IndexError, ValueError):
        return None


def _host() -> str:
    """A short tag of this machine (a result folder may sit on a drive several share)."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def stamp() -> str:
    """``<pid>-<start time>-<host>``: names the process that owns a temporary, so that a
    later process can tell whether it still runs even after its pid is reused."""
    return f"{os.getpid()}-{start_time(os.getpid()) or 0}-{_host()}"


FOREIGN_HOST_DAYS = 7
"""A temporary made on another machine is taken as stale only when this old (days)."""


def _owner_alive(entry: Path, pid: str | None, start: str | None, host: str | None) -> bool:
    """Whether the process that made temporary ``entry`` may still be running."""
    if host is not None and host != _host():   # another machine: judge by age alone
        try:
            return time.time() - entry.lstat().st_mtime < FOREIGN_HOST_DAYS * 86400
        except OSError:
            return False
    if pid is None or not _alive(int(pid)):
        return False
    if start is None or start == "0":           # no start time recorded: the pid decides
        return True
    return start_time(int(pid)) in (None, int(start))


def clean_stale(final: str | Path) -> list[Path]:
    """Remove the temporaries that runs which died left beside ``final``.

    A temporary is stale when the process named in it no longer exists, when a process
    with its pid exists but started at another time (the pid was reused), or when it names
    no process; one made on another machine is stale only after :data:`FOREIGN_HOST_DAYS`.
    If ``final`` is missing and a stale ``.old-`` folder holds the previous result (a run
    was killed in the middle of its swap), that result is put back first.

    Returns
    -------
    list of pathlib.Path
        The temporaries removed.
    """
    final = Path(final)
    pattern = re.compile(rf"^\.{re.escape(final.name)}\.(new|old)-(?:(\d+)-)?"
                         rf"(?:(\d+)-([0-9a-f]{{8}})-)?")
    stale = []
    if final.parent.is_dir():
        for entry in final.parent.iterdir():
            m = pattern.match(entry.name)
            if m and entry.is_dir() and not entry.is_symlink() \
                    and not _owner_alive(entry, m[2], m[3], m[4]):
                stale.append((m[1], entry))
    for kind, entry in sorted(stale, key=lambda e: e[1].stat().st_mtime, reverse=True):
        previous = entry / "previous"
        if kind == "old" and not os.path.lexists(final) and os.path.lexists(previous):
            os.replace(previous, final)
    for _, entry in stale:
        shutil.rmtree(entry, ignore_errors=True)
    return [entry for _, entry in stale]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def staged_directory(final: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success, swap it in as ``final``.

    On any exception (including KeyboardInterrupt) the temporary folder is removed and
    ``final`` is left as it was. Stale temporaries of earlier, killed runs are removed
    first (see :func:`clean_stale`).
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(final)
    owner = stamp()
    stage = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.new-{owner}-"))
    try:
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = None
    with interrupts.held():
        try:
            if os.path.lexists(final):
                old = Path(tempfile.mkdtemp(dir=final.parent,
                                            prefix=f".{final.name}.old-{owner}-"))
                os.replace(final, old / "previous")
            os.replace(stage, final)
        except BaseException:
            if old is not None and not os.path.lexists(final):
                os.replace(old / "previous", final)
            shutil.rmtree(stage, ignore_errors=True)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)


def carry_over(final: str | Path, stage: Path, names) -> None:
    """Move the sub-folders ``names`` of the current ``final`` folder into ``stage``, so a
    result swapped in whole keeps what other commands keep inside it (a cache, a comparison).
    """
    for name in names:
        kept = Path(final) / name
        if kept.is_dir() and not kept.is_symlink():
            os.replace(kept, stage / name)
