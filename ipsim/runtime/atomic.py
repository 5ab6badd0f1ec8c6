"""Writing results so that an interrupted run never leaves a half-written result.

Files are written to a temporary name in the same folder and renamed into place
(``os.replace`` is atomic on POSIX). A whole result folder is built under a temporary
sibling ``.<name>.new-<pid>-<random>`` and swapped in, so the folder holds either the
previous complete result or the new complete one. The swap moves the previous result aside
to ``.<name>.old-<pid>-<random>/previous`` for an instant; SIGINT and SIGTERM are held back
during it, and temporaries left by a run that was killed outright (SIGKILL, power loss) are
cleaned up, and a previous result moved aside is put back, by the next write to the folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ipsim.runtime import interrupts

__all__ = ["write_atomic", "staged_directory", "clean_stale", "carry_over"]


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes it private (0600)
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
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


def clean_stale(final: str | Path) -> list[Path]:
    """Remove the temporaries that runs which died left beside ``final``.

    A temporary is stale when the process named in it no longer exists (or it names none).
    If ``final`` is missing and a stale ``.old-`` folder holds the previous result (a run
    was killed in the middle of its swap), that result is put back first.

    Returns
    -------
    list of pathlib.Path
        The temporaries removed.
    """
    final = Path(final)
    pattern = re.compile(rf"^\.{re.escape(final.name)}\.(new|old)-(?:(\d+)-)?")
    stale = []
    if final.parent.is_dir():
        for entry in final.parent.iterdir():
            m = pattern.match(entry.name)
            if m and entry.is_dir() and not (m[2] and _alive(int(m[2]))):
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
    pid = os.getpid()
    stage = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.new-{pid}-"))
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
                old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-{pid}-"))
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
