"""The ``ipsim`` command: what a run writes, and bad inputs (exit 2, one line, nothing written)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ipsim
from ipsim.analysis.attainment import proportion
from ipsim.model import registry
from tests.conftest import DEFAULT_SCENARIO, ROOT, run_cli

PATHS = 8000
DEFAULT_TEXT = DEFAULT_SCENARIO.read_text(encoding="utf-8")
INTERVAL_KEYS = {"probability", "ci_low", "ci_high", "successes", "paths"}


_main = run_cli


def _growth_indicators(summary: dict) -> list[str]:
    return sorted({t["indicator"] for t in summary["targets"]
                   if t["measure"] in ("cagr", "mean_yoy")})


def _read_csv(path: Path) -> tuple[str, list[dict]]:
    """(first line, rows) of a CSV written for Excel: UTF-8 with BOM, header first."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a UTF-8 BOM"
    text = raw.decode("utf-8-sig")
    return text.splitlines()[0], list(csv.DictReader(text.splitlines()))


# -- a successful run -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """``ipsim run <default> --paths 8000 --out <tmp>/out --quiet`` in this process."""
    out = tmp_path_factory.mktemp("cli") / "out"
    rc = _main(["run", str(DEFAULT_SCENARIO), "--paths", str(PATHS), "--out", str(out),
                "--quiet"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return rc, out, summary


def test_run_writes_every_file(cli_run):
    """Exit 0; summary.json, the CSVs (attainment, indicators, commit levels, exceedance
    curves), the attainment chart, one fan chart per growth indicator and one of the running
    total per cumulative target, one commit chart per target, as PNG and SVG, and nothing
    else."""
    rc, out, summary = cli_run
    assert rc == 0
    growth = _growth_indicators(summary)
    assert growth == ["pledge_amount", "pledge_projects", "transfers", "turnover"]
    cumulative = sorted({t["indicator"] for t in summary["targets"]
                         if t["measure"] == "cumulative"})
    stems = ["attainment", *[f"fan_{name}" for name in growth],
             *[f"fan_{name}_cumulative" for name in cumulative],
             *[f"commit_{t['id']}" for t in summary["targets"]]]
    expected = {".ipsim-result.json", "summary.json", "attainment.csv", "indicators.csv",
                "commit.csv", "exceedance.csv",
                *[f"{s}.{ext}" for s in stems for ext in ("png", "svg")]}
    assert {p.name for p in out.iterdir()} == expected
    for stem in stems:
        assert (out / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (out / f"{stem}.svg").read_bytes()[:2000]
    assert not [p for p in out.parent.iterdir() if p.name != "out"]  # no staging left over


def test_summary_provenance(cli_run):
    """summary.json names the scenario, its file's SHA-256, the seed, paths and version."""
    _, _, summary = cli_run
    assert {"scenario", "scenario_sha256", "seed", "paths", "ipsim_version", "targets",
            "all_targets", "midterm_release", "elapsed_s"} <= set(summary)
    assert summary["scenario"] == "key-city-2020"
    assert re.fullmatch(r"[0-9a-f]{64}", summary["scenario_sha256"])
    assert summary["scenario_sha256"] == hashlib.sha256(DEFAULT_SCENARIO.read_bytes()).hexdigest()
    assert summary["seed"] == 20200507  # the scenario's seed when --seed is not given
    assert summary["paths"] == PATHS
    assert summary["ipsim_version"] == ipsim.__version__
    assert isinstance(summary["elapsed_s"], float) and summary["elapsed_s"] >= 0


def _check_interval(row: dict) -> None:
    assert INTERVAL_KEYS <= set(row)
    assert row["paths"] == PATHS and 0 <= row["successes"] <= PATHS
    assert 0.0 <= row["ci_low"] <= row["probability"] <= row["ci_high"] <= 1.0
    p = proportion(row["successes"], row["paths"])  # scipy's 95 % Wilson interval
    assert (row["probability"], row["ci_low"], row["ci_high"]) == (p.estimate, p.ci_low,
                                                                   p.ci_high)


def test_summary_targets_in_range(cli_run):
    """Every target, all_targets and midterm_release carry a probability inside its interval."""
    _, _, summary = cli_run
    ids = [t["id"] for t in summary["targets"]]
    assert ids == ["transfers", "pledge_amount", "pledge_projects", "turnover",
                   "sme_transformations", "securitisation", "navigation", "certification",
                   "trusteeship", "operation_centres"]
    for t in summary["targets"]:
        assert {"id", "indicator", "measure", "threshold"} <= set(t)
        assert t["indicator"] in registry.indicators()
        _check_interval(t)
    _check_interval(summary["all_targets"])
    _check_interval(summary["midterm_release"])
    assert summary["all_targets"]["successes"] <= min(t["successes"] for t in summary["targets"])


def test_attainment_csv_matches_summary(cli_run):
    """attainment.csv has one row per target plus all_targets and midterm_release, as in JSON."""
    _, out, summary = cli_run
    header, rows = _read_csv(out / "attainment.csv")
    assert header.startswith("id,label,")   # the header on the first line, no comment above
    expected = [*summary["targets"], {"id": "all_targets", **summary["all_targets"]},
                {"id": "midterm_release", **summary["midterm_release"]}]
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    for r, e in zip(rows, expected, strict=True):
        assert float(r["probability"]) == pytest.approx(e["probability"], rel=1e-9)
        assert int(r["successes"]) == e["successes"] and int(r["paths"]) == PATHS


def test_indicators_csv_rows(cli_run):
    """indicators.csv: every indicator for years 0-3 with ordered quantiles around the mean."""
    _, out, _ = cli_run
    _, rows = _read_csv(out / "indicators.csv")
    assert {(r["indicator"], int(r["year"])) for r in rows} == \
        {(name, y) for name in registry.indicators() for y in range(4)}
    baseline = {"applications": 30_000, "transfers": 6_000, "turnover": 1.5e10,
                "pledge_amount": 1.5e9, "pledge_projects": 120, "invention_stock": 80_000,
                "risk_pool": 0, "funds_received": 0, "trusteeship_smes": 0}
    for r in rows:
        q = [float(r[k]) for k in ("q05", "q25", "q50", "q75", "q95")]
        assert q == sorted(q), r
        assert int(r["calendar_year"]) == 2019 + int(r["year"])
        if r["year"] == "0" and r["indicator"] in baseline:  # year 0 is the scenario's baseline
            assert float(r["mean"]) == q[0] == q[-1] == baseline[r["indicator"]], r


def test_python_m_ipsim_gives_the_same_numbers(cli_run, tmp_path):
    """``python -m ipsim run`` (2 workers, table printed) reproduces the in-process results."""
    _, _, summary = cli_run
    out = tmp_path / "sub"
    proc = subprocess.run([sys.executable, "-m", "ipsim", "run", str(DEFAULT_SCENARIO),
                           "--paths", str(PATHS), "--out", str(out), "--workers", "2",
                           "--no-plots"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "ALL TARGETS" in proc.stdout and f"results written to {out}/" in proc.stdout
    other = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert other["workers"] == 2
    for key in ("targets", "all_targets", "midterm_release", "scenario_sha256", "seed"):
        assert other[key] == summary[key], key
    assert {p.name for p in out.iterdir()} == {".ipsim-result.json", "summary.json",
                                               "attainment.csv", "indicators.csv",
                                               "commit.csv", "exceedance.csv"}


# -- bad inputs ----------------------------------------------------------------------------------


def _scenario_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    assert DEFAULT_TEXT.count(old) == 1
    path = tmp_path / "bad.yaml"
    path.write_text(DEFAULT_TEXT.replace(old, new), encoding="utf-8")
    return path, DEFAULT_TEXT[:DEFAULT_TEXT.index(old)].count("\n") + 1


def _fails_cleanly(tmp_path, capsys, argv: list[str]) -> str:
    """Run ``argv`` with --out in tmp_path; assert exit 2, one stderr line, nothing written."""
    before = set(tmp_path.iterdir())
    out = tmp_path / "out"
    rc = _main([*argv, "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), captured.err
    assert not out.exists() and set(tmp_path.iterdir()) == before
    return lines[0]


def test_missing_scenario_file(tmp_path, capsys):
    """A missing scenario file: exit 2, the file named on one line."""
    missing = tmp_path / "missing.yaml"
    line = _fails_cleanly(tmp_path, capsys, ["run", str(missing)])
    assert line == f"{missing}: (document): no such file"


@pytest.mark.parametrize("value", ["-5", "0", "2.5", "many"])
def test_bad_paths(tmp_path, capsys, value):
    """--paths that is not a whole number >= 1: exit 2 with the argument named."""
    line = _fails_cleanly(tmp_path, capsys, ["run", str(DEFAULT_SCENARIO), "--paths", value])
    assert "--paths" in line


def test_overflowing_paths(tmp_path, capsys):
    """--paths 1e400 is refused like any other bad count (exit 2, one line)."""
    _fails_cleanly(tmp_path, capsys, ["run", str(DEFAULT_SCENARIO), "--paths", "1e400"])


def test_unknown_engine(tmp_path, capsys):
    """--engine foo: exit 2, naming the allowed engines."""
    line = _fails_cleanly(tmp_path, capsys, ["run", str(DEFAULT_SCENARIO), "--engine", "foo"])
    assert "unknown engine 'foo'" in line and "vectorised" in line


def test_scenario_with_unknown_key(tmp_path, capsys):
    """A misspelt key: exit 2, file:line:col and a did-you-mean suggestion."""
    path, lineno = _scenario_with(tmp_path, "horizon_months: 36", "horizon_month: 36")
    line = _fails_cleanly(tmp_path, capsys, ["run", str(path)])
    assert line.startswith(f"{path}:{lineno}:1: horizon_month: unknown key")
    assert "(did you mean 'horizon_months'?)" in line


def test_scenario_with_yaml_syntax_error(tmp_path, capsys):
    """Broken YAML: exit 2, one line with the line number of the mistake."""
    path, lineno = _scenario_with(tmp_path, "  transfers: 6_000 ", "  transfers: [6_000 ")
    line = _fails_cleanly(tmp_path, capsys, ["run", str(path)])
    m = re.match(rf"^{re.escape(str(path))}:(\d+):(\d+): \(document\): YAML syntax error: ", line)
    assert m, line
    assert lineno <= int(m[1]) <= lineno + 1  # the parser notices at the bracket's line or next


def test_validate_reports_ok_and_problems(tmp_path, capsys):
    """``ipsim validate`` prints ok for a good file (exit 0) and each problem otherwise (exit 2)."""
    assert _main(["validate", str(DEFAULT_SCENARIO)]) == 0
    assert capsys.readouterr().out == f"{DEFAULT_SCENARIO}: ok\n"
    path, lineno = _scenario_with(tmp_path, "horizon_months: 36", "horizon_month: 36")
    assert _main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"{path}:{lineno}:1: ")


def test_subprocess_bad_input_exit_status(tmp_path):
    """``python -m ipsim run missing.yaml`` exits 2 with one line on stderr and no traceback."""
    proc = subprocess.run([sys.executable, "-m", "ipsim", "run", str(tmp_path / "no.yaml"),
                           "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"{tmp_path / 'no.yaml'}: (document): no such file"]
    assert not (tmp_path / "out").exists()
