"""Reading an input file that may be anything: a folder, a FIFO, a device, a huge file.

:func:`read_regular` opens without blocking (a FIFO or a terminal given as a scenario would
otherwise wait for ever), checks on the open file that it is a regular file, and reads at
most a limit; every problem is a :class:`FileProblem` whose text the caller puts into its
one-line message (``h.csv: a FIFO (named pipe), not a regular file``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FileProblem", "read_regular"]


class FileProblem(Exception):
    """Why a file cannot be read as an input (a short phrase, e.g. ``no such file``)."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises
    ------
    FileProblem
        ``path`` does not exist, is not a regular file (a folder, a FIFO, a device), is
        larger than ``limit`` bytes, or cannot be read (with the system's reason).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileProblem("no such file") from None
    except IsADirectoryError:
        raise FileProblem("a folder, not a file") from None
    except ValueError:
        raise FileProblem("the name holds a NUL character") from None
    except OSError as exc:
        raise FileProblem(f"cannot open the file ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a plain file")
            raise FileProblem(f"{kind}, not a regular file")
        if st.st_size > limit:
            raise FileProblem(f"file is larger than {limit:,} bytes")
        chunks, size = [], 0
        while size <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
        if size > limit:
            raise FileProblem(f"file is larger than {limit:,} bytes (it grew while read)")
        return b"".join(chunks)
    except OSError as exc:
        raise FileProblem(f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
