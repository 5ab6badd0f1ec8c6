"""``ipsim validate`` and ``ipsim schema``: every problem reported, docs generated from code."""

from __future__ import annotations

from pathlib import Path

from ipsim.cli import main
from ipsim.scenario.reference import render_markdown
from tests.scenario.texts import BASE_PATH, BASE_TEXT, MESSAGE, ROOT, line_of, replace_once

# Five independent mistakes in one file, each on its own line.
MISTAKES = [
    ("horizon_months: 36", "horizon_months: 30", "horizon_months", "multiple of 12"),
    ("pledge_amount: 1.5e9", "pledge_amont: 1.5e9", "baseline.pledge_amont",
     "did you mean 'pledge_amount'"),
    ("sd: 0.04}", "sd: -0.04}", "parameters.patents.growth", "sd must be > 0"),
    ("interest_subsidy: 0.10", "interest_subsidy: .nan", "policy.allocation.interest_subsidy",
     "must be a finite number"),
    ("measure: event, by_month: 36}", "measure: event, by_month: 36, threshold: 1}",
     "targets[5].threshold", "not 'threshold'"),
]


def _many_mistakes(tmp_path: Path) -> tuple[Path, str]:
    text = BASE_TEXT
    for old, new, _, _ in MISTAKES:
        text = replace_once(text, old, new)
    path = tmp_path / "five-mistakes.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_valid_file_prints_ok(capsys):
    """A valid scenario: ``<file>: ok`` on stdout, nothing on stderr, status 0."""
    assert main(["validate", str(BASE_PATH)]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"{BASE_PATH}: ok\n", "")


def test_every_problem_is_reported(tmp_path: Path, capsys):
    """All five mistakes of one file are reported, one line each, in line order."""
    path, text = _many_mistakes(tmp_path)
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == len(MISTAKES), lines
    for line, (_, new, key, fragment) in zip(lines, MISTAKES, strict=True):
        m = MESSAGE.match(line)
        assert m and m["file"] == str(path) and m["key"] == key and fragment in m["msg"], line
        assert int(m["line"]) == line_of(text, new), line


def test_several_files(tmp_path: Path, capsys):
    """Each file is judged: ok for the valid one, every problem of the others, status 2."""
    bad, _ = _many_mistakes(tmp_path)
    missing = tmp_path / "missing.yaml"
    assert main(["validate", str(BASE_PATH), str(bad), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == f"{BASE_PATH}: ok\n"
    lines = err.splitlines()
    assert len(lines) == len(MISTAKES) + 1
    assert f"{missing}: (document): no such file" in lines


def test_run_refuses_and_reports_every_problem(tmp_path: Path, capsys):
    """``ipsim run`` validates first: all problems, status 2, no output folder."""
    path, _ = _many_mistakes(tmp_path)
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out), "--paths", "1000", "--quiet"])
    assert status == 2
    assert len(capsys.readouterr().err.splitlines()) == len(MISTAKES)
    assert not out.exists()


def test_docs_match_the_schema():
    """docs/scenario.md is exactly what the validator's definitions generate (regenerate it
    with ``python -m ipsim.scenario.schema > docs/scenario.md``)."""
    assert (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8") == render_markdown()


def test_schema_command_prints_the_reference(capsys):
    """``ipsim schema`` prints the same reference."""
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == render_markdown()
