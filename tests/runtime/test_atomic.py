"""The output folder holds the previous complete result or the new one, never a mix, and
what a killed run leaves behind is cleaned up by the next."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from ipsim.cli import main
from ipsim.report import outputs
from ipsim.runtime import atomic
from ipsim.runtime.atomic import clean_stale, staged_directory
from tests.scenario.texts import BASE_PATH

DEAD_PID = 2**22 + 12345  # above Linux's largest pid: no such process


def _run(out: Path, paths: int = 1000) -> int:
    return main(["run", str(BASE_PATH), "--out", str(out), "--paths", str(paths), "--quiet",
                 "--no-plots"])


def _result(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture
def previous(tmp_path) -> Path:
    out = tmp_path / "out"
    assert _run(out) == 0
    return out


def test_failure_while_writing_keeps_previous(previous, tmp_path, monkeypatch, capsys):
    """A run that fails half-way through writing its tables leaves the previous result
    byte for byte, and no staging folder."""
    before = _result(previous)
    real = outputs.write_csv

    def fail_second(path, *args, **kwargs):
        if path.name == "indicators.csv":
            raise KeyboardInterrupt  # as if Ctrl-C arrived between two files
        return real(path, *args, **kwargs)

    monkeypatch.setattr(outputs, "write_csv", fail_second)
    assert _run(previous, 2000) == 130
    assert capsys.readouterr().err.startswith("ipsim: interrupted")
    assert _result(previous) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_new_result_replaces_previous_whole(previous, tmp_path):
    """A second run swaps in a complete new result (different paths, different summary)."""
    before = _result(previous)
    assert _run(previous, 2000) == 0
    after = _result(previous)
    assert after.keys() == before.keys() and after["summary.json"] != before["summary.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_stale_temporaries_are_cleaned_by_the_next_run(previous, tmp_path):
    """Staging and set-aside folders of dead runs (and unstamped ones) go at the next run;
    those of a live process stay."""
    stale = [tmp_path / f".out.new-{DEAD_PID}-abc", tmp_path / f".out.old-{DEAD_PID}-def",
             tmp_path / ".out.new-legacy"]
    for folder in stale:
        (folder / "previous").mkdir(parents=True)
    live = tmp_path / f".out.new-{os.getppid()}-xyz"
    live.mkdir()
    other = tmp_path / ".other.new-1-x"
    other.mkdir()
    assert _run(previous) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out", live.name, other.name])


def test_result_moved_aside_by_a_killed_swap_is_restored(tmp_path):
    """Killed between the two renames of a swap: the next write puts the previous result
    back before anything else."""
    aside = tmp_path / f".out.old-{DEAD_PID}-abc" / "previous"
    aside.mkdir(parents=True)
    (aside / "summary.json").write_text("{}")
    removed = clean_stale(tmp_path / "out")
    assert removed == [aside.parent]
    assert (tmp_path / "out" / "summary.json").read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_signals_wait_for_the_swap(tmp_path, monkeypatch):
    """SIGINT during the swap is held until the new folder is in place."""
    seen = []
    real = os.replace

    def replace(src, dst):
        os.kill(os.getpid(), signal.SIGINT)
        assert seen == []  # held back while the folders move
        real(src, dst)

    old = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        with staged_directory(tmp_path / "out") as stage:
            (stage / "a.txt").write_text("new")
            monkeypatch.setattr(atomic.os, "replace", replace)
        monkeypatch.undo()
        assert seen == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, old)
    assert (tmp_path / "out" / "a.txt").read_text() == "new"


def test_result_follows_the_umask(previous):
    """The swapped-in folder and its files are not left private (mkdtemp makes 0700,
    mkstemp 0600)."""
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(previous.stat().st_mode) == 0o777 & ~mask
    assert {stat.S_IMODE(p.stat().st_mode) for p in previous.iterdir()} == {0o666 & ~mask}


def test_out_that_is_not_a_result_is_refused(tmp_path, capsys):
    """``--out`` naming a folder with other files is refused before the run, untouched."""
    (tmp_path / "notes.txt").write_text("mine")
    assert _run(tmp_path) == 2
    err = capsys.readouterr().err
    assert "holds 'notes.txt', a file ipsim did not write" in err and err.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
