"""Classes 5 and 6: bad files, unreasonable sizes, operating-system faults, a killed parent.

Inputs that are not what they claim (a folder, a FIFO, a device, a huge file or cell) and
runs estimated to be unreasonable are refused before any work: exit 2, one line naming the
file or the argument, nothing written. A fault while writing (a full disk, a read-only
folder) is one line naming the path and the cause (exit 1, or 2 when it is found before the
run), and the previous result stays as it was. Workers end with their parent, even one
killed with SIGKILL.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ipsim.runtime.folders import MARKER
from tests.conftest import ROOT
from tests.hostile.conftest import COMMANDS, WRITERS, argv, snapshot
from tests.processes import HAS_PROC, LIMIT_S, alive, children, cpu_seconds, wait_until

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def _ipsim(ws: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ipsim", *args], cwd=ws, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


# -- inputs that are not what they claim ------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_folder_given_as_the_scenario(command, ws, ipsim):
    (ws / "d.yaml").mkdir()
    before = snapshot(ws.parent)
    ipsim(argv(command, "d.yaml")).refused("d.yaml", "a folder")
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("scenario, why", [("/dev/zero", "character device"),
                                           ("big.yaml", "larger than 1,000,000 bytes"),
                                           ("missing.yaml", "no such file")])
def test_scenario_that_cannot_be_a_scenario(scenario, why, ws, ipsim):
    (ws / "big.yaml").write_text("# " + "x" * 1_100_000 + "\n", encoding="utf-8")
    before = snapshot(ws.parent)
    ipsim(argv("run", scenario)).refused(scenario, why)
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("command", ["calibrate", "backtest"])
@pytest.mark.parametrize("case, why", [
    ("folder", "a folder"),
    ("huge-cell", "a cell longer than"),
    ("binary", "not UTF-8"),
    ("big", "larger than 10,000,000 bytes"),
])
def test_history_that_cannot_be_a_history(case, why, command, ws, ipsim):
    path = ws / f"{case}.csv"
    if case == "folder":
        path.mkdir()
    elif case == "huge-cell":
        path.write_text("year,transfers\n2015," + "1" * 5_000_000 + "\n2016,5\n",
                        encoding="utf-8")
    elif case == "binary":
        path.write_bytes(b"year,transfers\n2015,\xff\xfe\n")
    else:
        path.write_bytes(b"year,transfers\n" + b"2015,5\n" * 1_500_000)
    before = snapshot(ws.parent)
    ipsim(argv(command, history=path.name)).refused(path.name, why)
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("command, name", [("run", "fifo.yaml"), ("validate", "fifo.yaml"),
                                           ("calibrate", "fifo.csv"), ("backtest", "fifo.csv")])
def test_fifo_is_refused_without_waiting(command, name, ws, ipsim):
    """A FIFO given as the scenario or the history is never opened for reading (it would
    wait for a writer for ever). Should that come back, a writer opens the FIFO after
    LIMIT_S seconds, so the test fails instead of hanging."""
    import threading

    fifo = ws / name
    os.mkfifo(fifo)
    rescue = threading.Timer(LIMIT_S, lambda: os.close(os.open(fifo, os.O_WRONLY)))
    rescue.daemon = True
    rescue.start()
    try:
        args = argv(command, "fifo.yaml") if name.endswith(".yaml") else \
            argv(command, history=name)
        ipsim(args).refused(name, "FIFO")
    finally:
        rescue.cancel()


def test_closed_standard_output_is_quiet(ws):
    """``ipsim ... | head`` (stdout closed early): exit 1, nothing on stderr."""
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run([sys.executable, "-m", "ipsim", "validate", "s.yaml"], cwd=ws,
                       env=ENV, stdout=w, stderr=subprocess.PIPE, text=True, timeout=LIMIT_S)
    os.close(w)
    assert (p.returncode, p.stderr) == (1, "")


def test_nul_in_out_is_refused(ws, ipsim):
    ipsim(argv("run", out="a\0b")).refused("--out", "NUL")


# -- unreasonable sizes -----------------------------------------------------------------------

@pytest.mark.parametrize("args, what", [
    (["run", "s.yaml", "--paths", "1e10"], "--paths 10,000,000,000: would take about"),
    (["run", "s.yaml", "--paths", "10000000", "--engine", "des"], "would take about"),
    (["compare", "s.yaml", "--paths", "1e10"], "would take about"),
    (["sweep", "s.yaml", "--param", "policy.allocation.risk_pool=0.1:0.2:5000000"],
     "5,000,000 values"),
    (["sweep", "s.yaml", "--param", "policy.allocation.risk_pool=0.15,0.25", "--paths",
      "1e10"], "would take about"),
    (["backtest", "h.csv", "--scenario", "s.yaml", "--origin", "all", "--paths", "1e9"],
     "would take about"),
])
def test_unreasonable_runs_are_refused_before_any_work(args, what, ws, ipsim):
    before = snapshot(ws.parent)
    ipsim(args).refused(what)
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("samples", ["1", str(2**40)])
def test_sensitivity_refuses_unreasonable_samples(samples, ws, ipsim):
    before = snapshot(ws.parent)
    ipsim(["sensitivity", "s.yaml", "--samples", samples, "--no-plots", "--quiet"]).refused(
        "--samples")
    assert snapshot(ws.parent) == before


def test_sensitivity_refuses_a_billion_morris_trajectories(ws):
    """Run with its address space limited (4 GiB) so that a missing guard fails fast."""
    limit = ("import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, (2**32, "
             "2**32)); sys.argv = ['ipsim'] + sys.argv[1:]; runpy.run_module('ipsim', "
             "run_name='__main__')")
    p = subprocess.run([sys.executable, "-c", limit, "sensitivity", "s.yaml", "--method",
                        "morris", "--samples", "1e9", "--no-plots", "--quiet"], cwd=ws,
                       env=ENV, capture_output=True, text=True, timeout=LIMIT_S)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "--samples" in p.stderr


# -- faults while writing ---------------------------------------------------------------------

def _fail_on_second_write(monkeypatch, module: str) -> None:
    """Make the second file written fail as a full disk would."""
    import importlib

    mod = importlib.import_module(module)
    real, calls = mod.write_atomic, []

    def write_atomic(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(mod, "write_atomic", write_atomic)


@pytest.mark.parametrize("command", [*WRITERS, "calibrate"])
def test_os_error_while_writing_is_one_line_and_keeps_the_previous_result(command, ws,
                                                                           ipsim, monkeypatch):
    out = "prev.yaml" if command == "calibrate" else "prev"
    assert ipsim(argv(command, out=out)).status == 0
    before = snapshot(ws.parent)
    module = "ipsim.scenario.variants" if command == "calibrate" else "ipsim.report.tables"
    if command == "calibrate":   # one file: fail the first write
        monkeypatch.setattr(module + ".write_atomic", lambda path, data: (_ for _ in ()).throw(
            OSError(errno.ENOSPC, "No space left on device", str(path))))
    else:
        _fail_on_second_write(monkeypatch, module)
    line = ipsim(argv(command, out=out)).failed("No space left on device", out)
    assert ".new-" not in line      # the path named is the result's, not the temporary's
    assert snapshot(ws.parent) == before


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs (needs root; CI runs as root)."""
    if not ROOT_USER:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_keeps_the_previous_result(small_disk, ws, ipsim):
    out = small_disk / "r"
    assert ipsim(argv("run", out=str(out))).status == 0
    st = os.statvfs(small_disk)
    free = st.f_bavail * st.f_frsize
    (small_disk / "filler").write_bytes(b"\0" * (free - 24 * 1024))   # 24 KiB left
    before = snapshot(small_disk)
    outcome = ipsim(["run", "s.yaml", "--paths", "200", "--quiet", "--out", str(out)])
    outcome.failed(str(out), "No space left on device")
    assert snapshot(small_disk) == before


def test_read_only_folder_is_refused_and_keeps_the_previous_result(small_disk, ws, ipsim):
    out = small_disk / "r"
    assert ipsim(argv("run", out=str(out))).status == 0
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_disk)]).returncode == 0
    before = snapshot(small_disk)
    ipsim(argv("run", out=str(out))).refused(str(out), "read-only file system")
    for command in WRITERS:
        ipsim(argv(command, out=str(small_disk / command))).refused(str(small_disk),
                                                                   "read-only file system")
    ipsim(argv("calibrate", out=str(small_disk / "c.yaml"))).refused("read-only")
    assert snapshot(small_disk) == before and (out / MARKER).is_file()


# -- workers end with their parent ------------------------------------------------------------

@pytest.mark.skipif(not HAS_PROC, reason="needs /proc to see the worker processes")
def test_sigkill_of_the_parent_leaves_no_worker_behind(ws):
    """``ipsim run --workers 2`` killed outright while its workers simulate: both workers
    are gone within seconds (found by the pids this test started: the parent's children)."""
    proc = _ipsim(ws, "run", "s.yaml", "--paths", "2000000", "--workers", "2", "--no-plots",
                  "--quiet", start_new_session=True)
    workers: list[int] = []

    def simulating() -> bool:
        workers[:] = children(proc.pid)
        return proc.poll() is not None or (
            len(workers) == 2 and all(cpu_seconds(w) > 0.1 for w in workers))

    try:
        assert wait_until(simulating, LIMIT_S, 0.1) and proc.poll() is None, \
            proc.communicate()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_until(lambda: not any(alive(w) for w in workers), 10.0), \
            [w for w in workers if alive(w)]
    finally:
        for w in workers:   # only the processes this test started
            if alive(w):
                os.kill(w, signal.SIGKILL)
