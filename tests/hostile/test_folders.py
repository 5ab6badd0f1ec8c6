"""Class 3: an output folder is replaced only if ipsim wrote everything in it.

An earlier result is recognised by the marker ipsim writes (``.ipsim-result.json``, with the
command and every file's SHA-256), never by a ``summary.json``; a folder holding anything
else (a file, a folder or a link ipsim did not write, a file changed since) is refused with
one line naming the folder and the entry, and left exactly as it was. ``calibrate`` never
overwrites a file it did not write, its own scenario least of all.
"""

from __future__ import annotations

import json
import os

import pytest

from ipsim.runtime.folders import MARKER
from tests.hostile.conftest import WRITERS, argv, snapshot

MAIN_FILE = {"run": "summary.json", "compare": "comparison.json", "sweep": "sweep.json",
             "sensitivity": "sensitivity.json", "backtest": "backtest.json"}


@pytest.mark.parametrize("command", WRITERS)
def test_folder_with_a_foreign_file_is_refused_untouched(command, ws, ipsim):
    """A thesis folder that also holds what looks like a result: refused, every byte kept."""
    out = ws / "thesis"
    out.mkdir()
    (out / "thesis.tex").write_text("\\chapter{Results}", encoding="utf-8")
    (out / MAIN_FILE[command]).write_text("{}", encoding="utf-8")
    before = snapshot(ws.parent)
    line = ipsim(argv(command, out="thesis")).refused("thesis:", "ipsim did not write")
    assert "thesis.tex" in line or MAIN_FILE[command] in line
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_result_without_a_marker_is_not_a_result(command, ws, ipsim):
    out = ws / "old"
    out.mkdir()
    (out / MAIN_FILE[command]).write_text("{}", encoding="utf-8")
    before = snapshot(ws.parent)
    ipsim(argv(command, out="old")).refused("old:", MAIN_FILE[command], MARKER)
    assert snapshot(ws.parent) == before


@pytest.fixture
def result(ws, ipsim):
    """An earlier result of ``ipsim run`` in ``ws/r``."""
    assert ipsim(argv("run", out="r")).status == 0
    return ws / "r"


def test_earlier_result_is_replaced(result, ipsim):
    before = json.loads((result / MARKER).read_text())
    assert ipsim(argv("run", out="r")).status == 0
    after = json.loads((result / MARKER).read_text())
    assert after["command"] == "run" and after["files"].keys() == before["files"].keys()


def test_link_inside_a_result_is_refused_not_dropped(result, ws, ipsim, tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "data.txt").write_text("mine", encoding="utf-8")
    os.symlink(target, result / "link")
    before = snapshot(tmp_path)
    ipsim(argv("run", out="r")).refused("r:", "'link'", "symbolic link")
    assert snapshot(tmp_path) == before


def test_kept_sub_folder_that_is_a_link_is_refused(result, ws, ipsim, tmp_path):
    """``compare/`` inside a run's folder is carried over, but a link named so is not ipsim's:
    refused (it used to be dropped with the old folder)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, result / "compare")
    before = snapshot(tmp_path)
    ipsim(argv("run", out="r")).refused("r:", "'compare'", "symbolic link")
    assert snapshot(tmp_path) == before


def test_changed_file_of_a_result_is_refused(result, ws, ipsim):
    with open(result / "attainment.csv", "a", encoding="utf-8") as f:
        f.write("my notes\n")
    before = snapshot(ws.parent)
    ipsim(argv("run", out="r")).refused("r:", "'attainment.csv'", "changed since")
    assert snapshot(ws.parent) == before


def test_result_of_another_command_is_refused(result, ws, ipsim):
    before = snapshot(ws.parent)
    ipsim(argv("compare", out="r")).refused("r:", "result of ipsim run")
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("command", WRITERS)
def test_out_that_is_a_file_is_refused(command, ws, ipsim):
    (ws / "f").write_text("mine", encoding="utf-8")
    before = snapshot(ws.parent)
    ipsim(argv(command, out="f")).refused("f", "not a folder")
    assert snapshot(ws.parent) == before


def test_out_under_a_file_is_refused(ws, ipsim):
    (ws / "f").write_text("mine", encoding="utf-8")
    before = snapshot(ws.parent)
    ipsim(argv("run", out="f/sub")).refused("f")
    assert snapshot(ws.parent) == before


def test_other_results_are_left_alone(ws, ipsim):
    """A run writes results/<name>/ and nothing else under results/."""
    other = ws / "results" / "other"
    other.mkdir(parents=True)
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    before = snapshot(other)
    assert ipsim(argv("run")).status == 0
    assert snapshot(other) == before
    assert sorted(p.name for p in (ws / "results").iterdir()) == ["key-city-2020", "other"]


@pytest.mark.parametrize("out, why", [
    ("s.yaml", "is the scenario itself"),
    ("notes.yaml", "not written by ipsim calibrate"),
    ("h.csv", "must end in .yaml"),
    ("sub", "not a regular file"),
])
def test_calibrate_never_overwrites_a_file_it_did_not_write(out, why, ws, ipsim):
    (ws / "notes.yaml").write_text("# my notes\nkey: value\n", encoding="utf-8")
    (ws / "sub.yaml").mkdir()
    out = "sub.yaml" if out == "sub" else out
    before = snapshot(ws.parent)
    ipsim(argv("calibrate", out=out)).refused(out, why)
    assert snapshot(ws.parent) == before


def test_calibrate_overwrites_only_its_own_unchanged_file(ws, ipsim):
    assert ipsim(argv("calibrate", out="cal.yaml")).status == 0
    first = (ws / "cal.yaml").read_text(encoding="utf-8")
    assert first.startswith("# written by ipsim calibrate; sha256 ")
    assert ipsim(argv("calibrate", out="cal.yaml")).status == 0        # its own: replaced
    (ws / "cal.yaml").write_text(first + "# edited by hand\n", encoding="utf-8")
    before = snapshot(ws.parent)
    ipsim(argv("calibrate", out="cal.yaml")).refused("cal.yaml", "changed since")
    assert snapshot(ws.parent) == before
    default = ws / "results" / "key-city-2020" / "calibration"
    default.mkdir(parents=True)
    (default / "h.yaml").write_text("mine: 1\n", encoding="utf-8")
    ipsim(argv("calibrate")).refused("calibration/h.yaml", "not written by ipsim")
    assert (default / "h.yaml").read_text(encoding="utf-8") == "mine: 1\n"
