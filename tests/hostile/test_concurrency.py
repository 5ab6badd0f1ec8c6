"""Class 4: two commands writing into overlapping folders never mix their results.

A command holds its output folder (and, shared, every folder above it) from before it
simulates until its result is in place; another command that would write the same folder,
one inside it or one around it, is refused at once with one line. Whatever the timing, each
command either succeeds with a complete result or is refused, and nothing is left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ipsim.runtime.folders import read_marker
from tests.conftest import ROOT
from tests.hostile.conftest import argv, snapshot
from tests.processes import LIMIT_S

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RUN = ["run", "s.yaml", "--no-plots", "--quiet"]
SWEEP = ["sweep", "s.yaml", "--param", "policy.allocation.risk_pool=0.15,0.25", "--no-plots",
         "--quiet"]


def _start(ws: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ipsim", *args], cwd=ws, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(procs: list[subprocess.Popen]) -> list[tuple[int, str]]:
    out = []
    for p in procs:
        _, err = p.communicate(timeout=LIMIT_S)
        out.append((p.returncode, err))
    return out


def _complete(folder: Path, kept: tuple[str, ...] = ()) -> None:
    """``folder`` holds a whole result: its marker and every file it lists, unchanged."""
    import hashlib

    marker = read_marker(folder)
    assert marker is not None, f"{folder} has no marker: {os.listdir(folder)}"
    for name, entry in marker["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"]
    extra = {p.name for p in folder.iterdir()} - set(marker["files"]) - {".ipsim-result.json"}
    assert extra <= set(kept), extra


def _no_temporaries(root: Path) -> None:
    left = [str(p) for p in root.rglob(".*") if ".new-" in p.name or ".old-" in p.name]
    assert left == []


_HOLDER = """
import sys
from ipsim.runtime.locks import hold
with hold(sys.argv[1]), hold(sys.argv[2]), hold(sys.argv[3]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_held_folder_refuses_the_second_writer(ws, ipsim):
    """Held by another process (as a running command holds its output folder), a folder
    refuses a command that writes it, one that writes around it and one that writes inside
    it; the refused commands leave nothing."""
    results = ws / "results" / "key-city-2020"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, "same", str(results / "sweep"),
                               "outer"], cwd=ws, env=ENV, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        before = snapshot(ws.parent)
        cases = [(argv("run", out="same"), "same: another ipsim command is writing this "
                  "folder"),
                 (argv("run"), "key-city-2020: another ipsim command is writing in a folder "
                  "inside this one"),
                 (argv("compare", out="outer/inner"), "outer: another ipsim command is "
                  "replacing this folder"),
                 (argv("calibrate", out="outer/c.yaml"), "outer: another ipsim command is "
                  "writing this folder")]
        for args, says in cases:
            ipsim(args).refused(says, f"(pid {holder.pid}")
        assert snapshot(ws.parent) == before
    finally:
        holder.communicate("", timeout=LIMIT_S)


ROUNDS = {
    "run, then sweep inside it": [[*RUN, "--paths", "10000"], [*SWEEP, "--paths", "2000"]],
    "sweep, then run around it": [[*SWEEP, "--paths", "4000"], [*RUN, "--paths", "2000"]],
    "two runs into one folder": [[*RUN, "--paths", "5000", "--out", "results/key-city-2020"],
                                 [*RUN, "--paths", "3000"]],
}


@pytest.mark.parametrize("round_", sorted(ROUNDS))
def test_overlapping_commands_give_complete_results_or_a_clear_refusal(round_, ws):
    """Two commands started at once into overlapping default folders (``run`` into
    results/<name>/ and ``sweep`` into results/<name>/sweep/: the case that left a sweep
    folder holding only its cache), in three rounds: each ends with a complete result or a
    one-line refusal, and no temporary is left."""
    outcomes = _finish([_start(ws, *args) for args in ROUNDS[round_]])
    for (status, err), args in zip(outcomes, ROUNDS[round_], strict=True):
        assert "Traceback" not in err, err
        assert (status == 0 and err == "") or (
            status == 2 and len(err.splitlines()) == 1 and "another ipsim command is" in err
        ), (args, status, err)
    assert any(status == 0 for status, _ in outcomes)
    results = ws / "results" / "key-city-2020"
    if any(args[0] == "run" and status == 0
           for (status, _), args in zip(outcomes, ROUNDS[round_], strict=True)):
        _complete(results, kept=("sweep",))
    if (results / "sweep").exists():
        _complete(results / "sweep", kept=(".cache",))
    _no_temporaries(ws)
