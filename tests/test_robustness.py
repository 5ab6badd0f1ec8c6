"""Runs that must stop cleanly: interrupted by a signal, refused as too big, or failing in
the model. None may leave a partial result, a temporary folder or a worker process.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ipsim.cli import main
from ipsim.errors import ModelError
from ipsim.model import patents, turnover
from ipsim.runtime import resources
from ipsim.scenario.validate import load_scenario
from ipsim.study.pipeline import run
from tests.conftest import patch_step
from tests.processes import HAS_PROC, LIMIT_S, alive, children, cpu_seconds, wait_until
from tests.scenario.texts import BASE_PATH, ROOT


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A complete earlier result (1,000 paths, tables only)."""
    out = tmp_path_factory.mktemp("previous") / "out"
    assert main(["run", str(BASE_PATH), "--out", str(out), "--paths", "1000", "--quiet",
                 "--no-plots"]) == 0
    return out


def _children(pid: int) -> list[int]:
    return children(pid)


def _gone(pid: int, wait: float = 5.0) -> bool:
    """Whether process ``pid`` has exited (within ``wait`` seconds)."""
    return wait_until(lambda: not alive(pid), wait)


def _interruptible() -> None:
    """In the child before it runs ipsim: SIGINT as a terminal's program gets it. A process
    started with SIGINT ignored (as pytest-xdist's workers run, or a shell's background job)
    passes that on, and Python then rightly installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc to see the worker processes")
@pytest.mark.parametrize("how, status, word", [
    ("SIGINT", 130, "interrupted"),
    ("SIGTERM", 143, "terminated"),
    ("Ctrl-C", 130, "interrupted"),  # SIGINT to the whole process group, as a terminal does
])
def test_interrupted_run_keeps_previous_result(how, status, word, previous, tmp_path):
    """A signal mid-run: exit 130/143, one line, previous result intact, no temporaries,
    no workers left.

    Robust to a loaded machine: the signal is sent once both workers are simulating (each
    has used CPU time), however long that takes, and every wait polls a condition with a
    generous limit instead of sleeping a fixed time."""
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = (out / "summary.json").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ipsim", "run", str(BASE_PATH), "--paths", "2000000",
         "--workers", "2", "--out", str(out), "--quiet"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=_interruptible)
    workers: list[int] = []

    def simulating() -> bool:   # mid-run: both workers exist and are working on chunks
        workers[:] = _children(proc.pid)
        return proc.poll() is not None or (
            len(workers) == 2 and all(cpu_seconds(w) > 0.2 for w in workers))

    try:
        assert wait_until(simulating, LIMIT_S, 0.1) and proc.poll() is None, \
            f"workers did not start: {proc.communicate()}"
        if how == "Ctrl-C":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(getattr(signal, how))
        stdout, stderr = proc.communicate(timeout=LIMIT_S)
    finally:
        if proc.poll() is None:  # pragma: no cover - only if the test failed
            proc.kill()
            proc.wait()
    assert proc.returncode == status, stderr
    assert stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith(f"ipsim: {word}"), stderr
    assert (out / "summary.json").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in previous.iterdir())
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert all(_gone(pid) for pid in workers)


def test_too_many_paths_is_refused_with_the_estimate(tmp_path, capsys):
    """``--paths 10000000000``: one line with the time estimate, exit 2, nothing written."""
    out = tmp_path / "out"
    status = main(["run", str(BASE_PATH), "--paths", "10000000000", "--out", str(out)])
    (line,) = capsys.readouterr().err.splitlines()
    assert status == 2
    assert line.startswith("ipsim: error: --paths 10,000,000,000: would take about ")
    assert "hours" in line and "limit is 12 hours" in line
    assert not out.exists()


def test_chunk_bigger_than_memory_is_refused(tmp_path, capsys, monkeypatch):
    """A chunk that would not fit in memory (here an 8 GiB machine): one line, exit 2."""
    monkeypatch.setattr(resources, "physical_memory", lambda: 8 * 2**30)
    out = tmp_path / "out"
    status = main(["run", str(BASE_PATH), "--paths", "20000000", "--chunk-paths", "20000000",
                   "--out", str(out), "--quiet"])
    (line,) = capsys.readouterr().err.splitlines()
    assert status == 2
    assert "GiB of memory" in line and "8.0 GiB" in line and "--chunk-paths" in line
    assert not out.exists()


def test_estimate_scales_with_paths_workers_and_horizon():
    """Time grows with paths and horizon and shrinks with busy workers; memory with chunks."""
    base = resources.estimate(1_000_000, 36, 1, 1, 32_768, 100_000)
    assert resources.estimate(2_000_000, 36, 1, 1, 32_768, 100_000).seconds == \
        pytest.approx(2 * base.seconds)
    assert resources.estimate(1_000_000, 72, 1, 1, 32_768, 100_000).seconds == \
        pytest.approx(2 * base.seconds)
    two = resources.estimate(1_000_000, 36, 1, 2, 32_768, 100_000)
    assert two.workers == min(2, os.cpu_count() or 1)
    assert two.seconds == pytest.approx(base.seconds / two.workers)
    assert resources.estimate(1000, 36, 1, 8, 32_768, 100_000).workers == 1  # one chunk
    resources.check(base, 1_000_000, memory=8 * 2**30)  # a default run passes


def _nan_turnover(*args, **kwargs):
    flows = _original_turnover(*args, **kwargs)
    return {k: np.full_like(v, np.nan) for k, v in flows.items()}


_original_turnover = turnover.step


def test_nan_fails_loudly_naming_mechanism_and_month(tmp_path, capsys, monkeypatch):
    """A mechanism that returns NaN stops the run: exit 1, one line naming it and the month,
    nothing written."""
    patch_step(monkeypatch, "turnover", _nan_turnover)
    out = tmp_path / "out"
    status = main(["run", str(BASE_PATH), "--paths", "1000", "--out", str(out), "--quiet"])
    assert status == 1
    assert capsys.readouterr().err == ("ipsim: model error: mechanism 'turnover' produced a "
                                       "NaN value of 'turnover' in month 1\n")
    assert not out.exists()


def test_negative_stock_fails_loudly(monkeypatch):
    """A stock driven negative (patents in force, month 7) raises ModelError naming both."""
    original = patents.step

    def step(state, p, month):
        flows = original(state, p, month)
        if month.month == 7:
            state.stock[3] = -1.0
        return flows

    patch_step(monkeypatch, "patents", step)
    with pytest.raises(ModelError, match="mechanism 'patents' produced a negative value of "
                                         "'invention_stock' in month 7"):
        run([load_scenario(BASE_PATH)], 500, 1)


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc to see the worker processes")
def test_model_error_in_a_worker_stops_the_others(tmp_path, capsys, monkeypatch):
    """NaN in a worker process (forked with the patched mechanism): exit 1, one line, and no
    worker outlives the run."""
    patch_step(monkeypatch, "turnover", _nan_turnover)
    out = tmp_path / "out"
    status = main(["run", str(BASE_PATH), "--paths", "16384", "--chunk-paths", "4096",
                   "--workers", "2", "--out", str(out), "--quiet"])
    assert status == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert not out.exists()
    assert _children(os.getpid()) == [] or all(_gone(p) for p in _children(os.getpid()))


_HALF_A_MESSAGE = textwrap.dedent("""
    import multiprocessing, os, struct, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from ipsim.runtime.execution import _stop_workers

    POOL = None

    def half_a_message():  # runs in the forked worker, which sees POOL
        writer = POOL._result_queue._writer
        os.write(writer.fileno(), struct.pack("!i", 1_000_000) + b"only the start")
        time.sleep(60)

    if __name__ == "__main__":
        POOL = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        POOL.submit(half_a_message)
        time.sleep(float(sys.argv[1]))
        _stop_workers(POOL)
        POOL.shutdown(wait=True)
        print("stopped")
""")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the worker finds the pool through fork")
def test_worker_killed_while_sending_its_result_does_not_hang(tmp_path):
    """A worker terminated half-way through sending a result leaves a partial message in
    the result pipe; stopping the pool must still return (it used to wait for ever)."""
    script = tmp_path / "half_a_message.py"
    script.write_text(_HALF_A_MESSAGE)
    done = subprocess.run([sys.executable, str(script), "1.0"], capture_output=True,
                          text=True, timeout=LIMIT_S,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (done.returncode, done.stdout, done.stderr) == (0, "stopped\n", "")
