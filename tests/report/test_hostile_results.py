"""A results folder is untrusted: a malformed or hostile file gives exit 2 and one line
naming the file and the key, with no traceback and nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _set(keys, value):
    def change(data):
        *head, last = keys
        for k in head:
            data = data[k]
        data[last] = value
    return change


CASES = {
    "not JSON": ("summary.json", lambda p: p.write_text("{", encoding="utf-8"),
                 "summary.json: (document): not valid JSON"),
    "deeply nested": ("summary.json", lambda p: p.write_text("[" * 100_000, encoding="utf-8"),
                      "summary.json: (document): not valid JSON"),
    "not UTF-8": ("summary.json", lambda p: p.write_bytes(b'{"a": "\xff"}'),
                  "summary.json: (document): not UTF-8"),
    "text for a probability": ("summary.json", lambda p: _edit(
        p, _set(["targets", 0, "probability"], "0.5")), "summary.json: targets[0].probability"),
    "probability out of range": ("summary.json", lambda p: _edit(
        p, _set(["all_targets", "ci_high"], 1.5)), "summary.json: all_targets.ci_high"),
    "NaN": ("summary.json", lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        '"probability": ', '"probability": NaN, "x": ', 1), encoding="utf-8"),
        "summary.json: targets[0].probability: must be a finite number"),
    "targets not a list": ("summary.json", lambda p: _edit(p, _set(["targets"], {"a": 1})),
                           "summary.json: targets: must be a list"),
    "missing key": ("compare/comparison.json", lambda p: _edit(
        p, lambda d: d["variants"][0]["all_targets"].pop("diff")),
        "comparison.json: variants[0].all_targets: missing key 'diff'"),
    "null difference": ("compare/comparison.json", lambda p: _edit(
        p, _set(["variants", 1, "all_targets", "diff_ci_low"], None)),
        "comparison.json: variants[1].all_targets.diff_ci_low"),
    "sweep points missing": ("sweep/sweep.json", lambda p: _edit(
        p, lambda d: d["points"].pop()), "sweep.json: points: must hold one point per value"),
    "sensitivity index text": ("sensitivity/sensitivity.json", lambda p: _edit(
        p, _set(["outputs", -1, "parameters", 0, "S1"], "big")),
        "sensitivity.json: outputs[10].parameters[0].S1"),
    "drivers strongest unknown": ("drivers/drivers.json", lambda p: _edit(
        p, _set(["outputs", 0, "strongest", 0], "nope")),
        "drivers.json: outputs[0].strongest[0]: must name one of the output's inputs"),
    "goal answer text": ("goal/goal.json", lambda p: _edit(p, _set(["reached"], "yes")),
                         "goal.json: reached: must be true or false"),
    "bad CSV number": ("indicators.csv", lambda p: p.write_text(
        p.read_text(encoding="utf-8-sig").replace(",", ",abc,", 1).replace(
            "\n", "\n", 1), encoding="utf-8"), "indicators.csv: line"),
    "YAML with a tag": ("calibration/national.yaml", lambda p: p.write_text(
        "base: x\noverrides: !!python/object/apply:os.system [echo]\n", encoding="utf-8"),
        "national.yaml: (document): not valid YAML"),
    "huge text": ("summary.json", lambda p: _edit(p, _set(["targets", 0, "label"], "x" * 10**5)),
                  "summary.json: targets[0].label: must be a text of at most"),
    "link outside": ("summary.json", lambda p: (p.unlink(), os.symlink("/etc/hostname", p)),
                     "summary.json: (document): must be a regular file"),
}


@pytest.fixture
def no_cjk_font(monkeypatch):
    """As on a machine without a CJK font: the Chinese report would warn about it."""
    from ipsim.report import fonts

    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    fonts.require_cjk.cache_clear()
    yield
    fonts.require_cjk.cache_clear()
    monkeypatch.undo()
    fonts.configure()


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_gives_one_line_and_exit_2(study_copy, capsys, case, no_cjk_font):
    name, spoil, expected = CASES[case]
    spoil(study_copy / name)
    before = sorted(p.name for p in study_copy.iterdir())
    assert run_cli(["report", str(study_copy), "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert expected in err, err
    assert sorted(p.name for p in study_copy.iterdir()) == before   # nothing written


def test_folder_without_results(tmp_path, capsys):
    assert run_cli(["report", str(tmp_path)]) == 2
    assert "holds no ipsim result" in capsys.readouterr().err


def test_markup_in_a_label_stays_text(study_copy, tmp_path):
    """A label with HTML and a formula lands as text: escaped in the page, a string in the
    workbook."""
    import openpyxl

    _edit(study_copy / "summary.json", _set(["targets", 0, "label"],
                                            '<script>alert(1)</script>=HYPERLINK("x")'))
    for path in study_copy.rglob("*.json"):   # no label per language: the plain label shows
        _edit(path, lambda d: d.pop("target_labels", None))
    out = tmp_path / "r.html"
    assert run_cli(["report", str(study_copy), "--out", str(out), "--quiet"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    ws = openpyxl.load_workbook(out.with_suffix(".xlsx"))["Targets"]
    assert ws.cell(4, 1).data_type == "s" and ws.cell(4, 1).value.startswith("<script>")


def test_out_must_be_an_html_file(study_copy, capsys):
    assert run_cli(["report", str(study_copy), "--out", str(study_copy / "r.txt")]) == 2
    assert "must end in .html" in capsys.readouterr().err


def test_a_report_in_a_run_folder_is_the_runs_and_goes_with_it(study_copy):
    """The report is recorded in the run's marker, so the next run replaces it (it describes
    the old results) instead of refusing the folder; the other commands' folders stay."""
    from ipsim.runtime.folders import MARKER, read_marker
    from tests.conftest import DEFAULT_SCENARIO

    assert run_cli(["report", str(study_copy), "--quiet"]) == 0
    files = read_marker(study_copy)["files"]
    assert {"report.html", "report.xlsx"} <= set(files)
    assert run_cli(["report", str(study_copy), "--quiet"]) == 0      # its own: replaced
    (study_copy / "notes.txt").write_text("mine")
    assert run_cli(["run", str(DEFAULT_SCENARIO), "--paths", "200", "--no-plots", "--quiet",
                    "--out", str(study_copy)]) == 2                  # foreign file: refused
    (study_copy / "notes.txt").unlink()
    assert run_cli(["run", str(DEFAULT_SCENARIO), "--paths", "200", "--no-plots", "--quiet",
                    "--out", str(study_copy)]) == 0
    names = {p.name for p in study_copy.iterdir()}
    assert "report.html" not in names and {"compare", "sweep", MARKER} <= names


@pytest.mark.parametrize("name", ["thesis.html", "thesis.xlsx"])
def test_report_never_overwrites_a_file_it_did_not_write(study, tmp_path, capsys, name):
    (tmp_path / name).write_text("my own work")
    out = tmp_path / "thesis.html"
    assert run_cli(["report", str(study), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not written by ipsim report" in err
    assert (tmp_path / name).read_text() == "my own work"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_chinese_report_without_a_cjk_font_warns_once_after_reading_the_folder(
        study_copy, capsys, no_cjk_font):
    assert run_cli(["report", str(study_copy), "--lang", "zh", "--no-workbook",
                    "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("no CJK font found") == 1 and err.count("\n") == 1, err
