"""Result folders: what ipsim may replace, and how it writes one.

Every result folder ipsim writes holds a marker, :data:`MARKER` (``.ipsim-result.json``):
the command that wrote it, the ipsim version, the time, and every file written with its
size and SHA-256. A command writes into a folder only if it is new, empty, or an earlier
result *of the same command* whose files are all still as ipsim wrote them; sub-folders
that other commands keep inside it (``compare/`` inside a run's folder, the task cache
``.cache/`` inside a sweep's) are carried over, never looked into or deleted. Anything else,
a file ipsim did not write (``thesis.tex``), one changed since, a symbolic link, a folder, a
``summary.json`` without a marker, makes the folder foreign: it is refused with one line
naming the folder and the file, and nothing in it is touched.

:func:`result_folder` is how every writer writes: it holds the folder
(:func:`ipsim.runtime.locks.hold`), checks it (:func:`check_out`), builds the new result in
a staging folder beside it (:func:`ipsim.runtime.atomic.staged_directory`), writes the
marker, carries the kept sub-folders over and swaps the result in whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from ipsim.runtime import locks
from ipsim.runtime.atomic import carry_over, clean_stale, staged_directory, write_atomic
from ipsim.runtime.locks import FolderError

__all__ = ["MARKER", "check_out", "check_writable", "result_folder", "read_marker", "record",
           "unchanged", "inside", "FolderError", "MAX_MARKER_BYTES"]

MARKER = ".ipsim-result.json"
"""The file that says a folder is a result ipsim wrote (and which command wrote it)."""

MAX_MARKER_BYTES = 1_000_000
"""Largest marker read (bytes); a bigger one is not ipsim's."""

_CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def read_marker(folder: str | Path) -> dict | None:
    """The marker of ``folder`` if it holds a well-formed one (else None): ``command``,
    ``ipsim_version``, ``created_utc`` and ``files`` (relative path -> {size, sha256})."""
    path = Path(folder) / MARKER
    try:
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_MARKER_BYTES:
            return None
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != "ipsim" \
            or not isinstance(data.get("command"), str) or not isinstance(data.get("files"), dict):
        return None
    files = data["files"]
    if not all(isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("size"), int)
               and isinstance(v.get("sha256"), str) for k, v in files.items()):
        return None
    return data


def unchanged(path: Path, entry: dict | None) -> bool:
    """Whether ``path`` is a regular file with the size and SHA-256 the marker records
    (``entry``, from the marker's ``files``; None: not recorded)."""
    if entry is None:
        return False
    try:
        st = path.lstat()
        return stat.S_ISREG(st.st_mode) and st.st_size == entry["size"] \
            and _sha256(path) == entry["sha256"]
    except OSError:
        return False


def _temporary(name: str, kept: Sequence[str]) -> bool:
    """Whether ``name`` is a staging temporary of a kept sub-folder (``.compare.new-...``):
    a writer of that sub-folder is at work (the locks keep it safe) or died (cleaned)."""
    return any(name.startswith((f".{k}.new-", f".{k}.old-")) for k in kept)


def _foreign(out: Path, kept: Sequence[str], marker: dict | None) -> list[tuple[str, str]]:
    """Entries of ``out`` that ipsim may not delete, each with why (sorted by name)."""
    files = marker["files"] if marker else {}
    found = []
    for entry in sorted(out.iterdir(), key=lambda p: p.name):
        name = entry.name
        if _temporary(name, kept) and entry.is_dir() and not entry.is_symlink():
            continue
        if entry.is_symlink():
            found.append((name, "a symbolic link (ipsim writes none, and would drop it)"))
        elif name == MARKER and marker is not None:
            continue
        elif name in kept and entry.is_dir():
            continue
        elif name in files and entry.is_file():
            if not unchanged(entry, files[name]):
                found.append((name, "changed since ipsim wrote it"))
        elif entry.is_dir():
            found.append((name, "a folder ipsim did not write"))
        else:
            found.append((name, "a file ipsim did not write"))
    return found


def check_out(out: str | Path, command: str, kept: Sequence[str] = ()) -> None:
    """Refuse an output folder that the command's swap would wrongly replace.

    Parameters
    ----------
    out : str or pathlib.Path
        The folder the result goes to (need not exist).
    command : str
        The command writing it (``run``, ``compare``, ``sweep``, ...).
    kept : sequence of str
        Sub-folders the writer carries over (other commands' results, a cache).

    Raises
    ------
    FolderError
        ``out`` is not a folder, is a symbolic link, holds a result of another command, or
        holds something ipsim did not write (see the module docstring).
    """
    out = Path(out)
    if not os.path.lexists(out):
        return
    if out.is_symlink():
        raise FolderError(f"{out}: is a symbolic link; give the folder itself (ipsim "
                          "replaces an output folder whole)")
    if not out.is_dir():
        raise FolderError(f"{out}: exists and is not a folder")
    for name in kept:
        clean_stale(out / name)   # temporaries of killed writers of the kept sub-folders
    try:
        marker = read_marker(out)
        foreign = _foreign(out, kept, marker)
    except OSError as exc:
        raise FolderError(f"{out}: cannot read the folder ({exc.strerror})") from None
    if foreign:
        name, why = foreign[0]
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        hint = ""
        if marker is None and any(n.endswith(".json") for n, _ in foreign):
            hint = (f" (it has no {MARKER}: a result of an older ipsim, or not one; move it "
                    "away first)")
        raise FolderError(f"{out}: holds {name!r}{more}, {why}{hint}; ipsim replaces an "
                          "output folder whole, so it writes only into a new or empty folder "
                          "or its own earlier result: name another folder")
    if marker is not None and marker["command"] != command:
        raise FolderError(f"{out}: holds a result of ipsim {marker['command']}; ipsim "
                          f"{command} replaces only its own results: name another folder")


def _listing(stage: Path, kept: Sequence[str]) -> dict[str, dict]:
    files = {}
    for p in sorted(stage.iterdir()):
        if p.name in kept or p.name == MARKER:
            continue
        if p.is_file() and not p.is_symlink():
            files[p.name] = {"size": p.stat().st_size, "sha256": _sha256(p)}
    return files


def write_marker(stage: Path, command: str, kept: Sequence[str] = ()) -> None:
    """Write :data:`MARKER` into ``stage``, listing every file in it but the kept folders."""
    import ipsim

    data = {"written_by": "ipsim", "command": command, "ipsim_version": ipsim.__version__,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "files": _listing(stage, kept)}
    write_atomic(stage / MARKER, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def result_folder(out: str | Path, command: str, kept: Sequence[str] = ()
                  ) -> Iterator[Path]:
    """Yield a staging folder; on success it becomes ``out``, whole, with its marker.

    The folder is held for the whole block (:func:`ipsim.runtime.locks.hold`) and checked
    (:func:`check_out`); the sub-folders ``kept`` of the current ``out`` are moved into the
    new result before the swap. On any exception ``out`` is left as it was.
    """
    out = Path(out)
    check_out(out, command, kept)
    with locks.hold(out):
        check_out(out, command, kept)   # again, now that no other writer can change it
        stage = None
        try:
            with staged_directory(out) as stage:
                yield stage
                write_marker(stage, command, kept)
                carry_over(out, stage, kept)
        except OSError as exc:
            raise _named(exc, out, stage) from None


def _named(exc: OSError, out: Path, stage: Path | None) -> OSError:
    """``exc`` naming the file in ``out`` it concerns rather than in the staging folder."""
    name = exc.filename
    if stage is not None and isinstance(name, str) and name.startswith(str(stage)):
        name = str(out) + name[len(str(stage)):]
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror, name, None, exc.filename2)


def record(folder: str | Path, written: Sequence[str | Path]) -> bool:
    """Add files another ipsim command wrote into result ``folder`` to its marker.

    ``ipsim report`` writes ``report.html`` (and its workbook and PDF) beside a run's results:
    recorded, they count as ipsim's own, so the next run replaces them with the rest of the
    (then outdated) result instead of refusing the folder. Files outside ``folder`` or not
    directly in it are not recorded. Returns whether the marker was updated (False when the
    folder holds no marker: it is not a result folder and nothing is recorded). The caller
    holds ``folder`` (:func:`ipsim.runtime.locks.hold`, shared is enough: a command that
    replaces the folder holds it whole).
    """
    folder = Path(folder)
    marker = read_marker(folder)
    if marker is None:
        return False
    for path in map(Path, written):
        if path.parent.resolve() != folder.resolve() or not path.is_file() or path.is_symlink():
            continue
        marker["files"][path.name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    write_atomic(folder / MARKER, json.dumps(marker, indent=2, ensure_ascii=False) + "\n")
    return True


def check_writable(out: str | Path) -> None:
    """Refuse (before any work) an output folder that cannot be written: the folder, or the
    nearest one above it that exists, is read-only or not writable by this user.

    Raises
    ------
    FolderError
        Naming the folder and why.
    """
    p = Path(out)
    while not os.path.lexists(p) and p.parent != p:
        p = p.parent
    targets = [p] if p != Path(out) else [p, p.parent]   # the result is staged beside it
    for folder in targets:
        if not os.path.isdir(folder) or os.access(folder, os.W_OK | os.X_OK):
            continue
        try:
            readonly = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except (OSError, AttributeError):
            readonly = False
        why = "it is on a read-only file system" if readonly else "permission denied"
        raise FolderError(f"{folder}: cannot write the result there ({why})")


def inside(path: str | Path, root: str | Path) -> bool:
    """Whether ``path``, with every symbolic link resolved, lies inside ``root`` (resolved)."""
    try:
        real, top = Path(path).resolve(), Path(root).resolve()
    except (OSError, RuntimeError):
        return False
    return real == top or top in real.parents
