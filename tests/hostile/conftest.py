"""The hostile-input suite's tools: a workspace, the seven commands, and what a refusal is.

Every test runs in a fresh workspace (the current folder is ``ws/`` inside the test's
temporary folder) holding a valid scenario ``s.yaml`` and history ``h.csv``; a command's
default output goes to ``ws/results/``. :func:`snapshot` lists every entry under a folder
(type, size, SHA-256 of files, link targets), so a test compares the workspace *and its
parent* before and after: nothing written or deleted outside the chosen folder.

A refusal (:meth:`Outcome.refused`) is exit status 2, no standard output, at most one line
on stderr that names the file, and no traceback.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_SCENARIO

HISTORY = """# made-up yearly figures for the hostile-input tests
year,applications,transfers,turnover,pledge_amount,pledge_projects,invention_stock
2014,18000,3600,0.9e10,0.9e9,70,56000
2015,20000,4000,1.0e10,1.0e9,80,60000
2016,22000,4500,1.2e10,1.1e9,90,64000
2017,24500,4900,1.4e10,1.2e9,100,68000
2018,26000,5600,1.5e10,1.4e9,110,72000
2019,29000,6100,1.8e10,1.5e9,125,76000
"""

PATHS = "200"
COMMANDS = ("run", "compare", "sweep", "sensitivity", "calibrate", "backtest", "validate")
"""Every command that reads a scenario."""
WRITERS = ("run", "compare", "sweep", "sensitivity", "backtest")
"""The commands that write a result folder (``calibrate`` writes one file)."""
SUBFOLDER = {"run": (), "compare": ("compare",), "sweep": ("sweep",),
             "sensitivity": ("sensitivity",), "backtest": ("backtest",),
             "calibrate": ("calibration",)}
"""Where each command writes by default, below ``results/<scenario name>/``."""


def argv(command: str, scenario: str = "s.yaml", out: str | None = None,
         history: str = "h.csv") -> list[str]:
    """A small, fast invocation of ``command`` (200 paths, tables only)."""
    tail = ["--out", out] if out is not None else []
    quiet = ["--quiet"]
    return {
        "run": ["run", scenario, "--paths", PATHS, "--no-plots", *quiet, *tail],
        "compare": ["compare", scenario, "--paths", PATHS, "--no-plots", *quiet, *tail],
        "sweep": ["sweep", scenario, "--param", "policy.allocation.risk_pool=0.15,0.25",
                  "--paths", PATHS, "--no-plots", *quiet, *tail],
        "sensitivity": ["sensitivity", scenario, "--samples", "8", "--paths-per-sample", "16",
                        "--no-plots", *quiet, *tail],
        "calibrate": ["calibrate", history, "--scenario", scenario, *quiet, *tail],
        "backtest": ["backtest", history, "--scenario", scenario, "--origin", "2017",
                     "--paths", PATHS, "--no-plots", *quiet, *tail],
        "validate": ["validate", scenario],
    }[command]


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root``: relative path -> (kind, size, SHA-256 or link target)."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", 0, os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", 0, "")
            elif p.is_file():
                out[rel] = ("file", p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            else:
                out[rel] = ("other", 0, "")
    return out


@dataclass
class Outcome:
    """A command's exit status and what it printed."""

    status: int
    out: str
    err: str

    def one_line(self, status: int, *names: str) -> str:
        """Assert exit ``status`` with one line on stderr naming ``names`` and no traceback;
        return the line."""
        assert "Traceback" not in self.err, self.err
        assert self.status == status, (self.status, self.err)
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        for name in names:
            assert name in lines[0], (name, lines[0])
        return lines[0]

    def refused(self, *names: str) -> str:
        """A clean refusal before any work: exit 2, one line naming ``names``."""
        return self.one_line(2, *names)

    def failed(self, *names: str) -> str:
        """A clean failure while working: exit 1, one line naming ``names``."""
        return self.one_line(1, *names)


@pytest.fixture
def ws(tmp_path, monkeypatch) -> Path:
    """The workspace: the current folder, with ``s.yaml`` and ``h.csv``."""
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(DEFAULT_SCENARIO, root / "s.yaml")
    (root / "h.csv").write_text(HISTORY, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def ipsim(capsys):
    """``ipsim(argv)`` -> :class:`Outcome`, run in this process."""
    from ipsim.cli import main

    def call(args: list[str]) -> Outcome:
        capsys.readouterr()
        previous = signal.getsignal(signal.SIGTERM)
        try:
            status = main(args)
        finally:
            signal.signal(signal.SIGTERM, previous)
        captured = capsys.readouterr()
        return Outcome(status, captured.out, captured.err)

    return call


def scenario_text(**replace: str) -> str:
    """The default scenario's text with whole lines replaced: ``name="name: x"`` replaces
    the line starting with ``name:``."""
    lines = DEFAULT_SCENARIO.read_text(encoding="utf-8").splitlines(keepends=True)
    for key, new in replace.items():
        i = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        lines[i] = new + "\n"
    return "".join(lines)
