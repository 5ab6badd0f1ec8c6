"""``ipsim sweep`` end to end: outputs with provenance, infeasible points, an interrupted
sweep resumed from its cache, bad input, and ``ipsim run`` keeping the sweep folder."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json

import pytest

import ipsim
from ipsim.cli import main
from ipsim.cli import options as cli_options
from ipsim.cli.options import DASK_ENV, dask_address
from ipsim.engines.streams import BLOCK
from tests.conftest import DEFAULT_SCENARIO

POOL = ["--param", "policy.allocation.risk_pool=0.25,0.3"]


def _load(out) -> dict:
    return json.loads((out / "sweep.json").read_text(encoding="utf-8"))


def test_outputs_carry_provenance_and_infeasible_points(tmp_path, capsys):
    """sweep.json, sweep.csv and the plot are written with scenario, SHA-256, seed, paths and
    version; the point whose shares sum past 1 is reported infeasible, with no numbers."""
    out = tmp_path / "sw"
    assert main(["sweep", str(DEFAULT_SCENARIO), *POOL, "--paths", "2000", "--seed", "3",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "infeasible" in printed and "sum to at most 1" in printed
    data = _load(out)
    assert data["scenario"] == "key-city-2020" and (data["seed"], data["paths"]) == (3, 2000)
    assert data["scenario_sha256"] == hashlib.sha256(DEFAULT_SCENARIO.read_bytes()).hexdigest()
    assert data["ipsim_version"] == ipsim.__version__
    assert data["levers"] == [{"key": "policy.allocation.risk_pool", "values": [0.25, 0.3]}]
    ok, bad = data["points"]
    assert ok["feasible"] and 0 < ok["all_targets"]["probability"] < 1
    assert ok["all_targets"]["ci_low"] < ok["all_targets"]["probability"]
    assert not bad["feasible"] and "sum to at most 1" in bad["infeasible_reason"]
    assert bad["all_targets"]["probability"] is None
    assert data["best"]["point"] == 0 and data["best"]["runner_up"] is None
    lines = (out / "sweep.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("point,")   # header first; the provenance is in sweep.json
    assert data["ipsim_version"] == ipsim.__version__ and data["seed"] == 3
    rows = list(csv.DictReader(lines))
    assert len(rows) == 2 * (len(data["targets"]) + 2)
    assert {r["probability"] for r in rows if r["point"] == "1"} == {""}
    assert all((out / f"sweep.{ext}").stat().st_size > 0 for ext in ("png", "svg"))


def test_interrupted_sweep_resumes_and_matches_an_uninterrupted_one(tmp_path, monkeypatch,
                                                                     capsys):
    """Ctrl-C after the first of two tasks: exit 130, no result, one cached task; the re-run
    reuses it and every number equals that of a sweep run in one go."""
    args = ["sweep", str(DEFAULT_SCENARIO), "--param", "policy.allocation.risk_pool=0.2,0.25",
            "--paths", str(2 * BLOCK), "--chunk-paths", str(BLOCK), "--no-plots", "--quiet"]
    out, whole = tmp_path / "resumed", tmp_path / "whole"

    def interrupting(update, arm):
        def progress(n):
            update(n)
            raise KeyboardInterrupt
        return progress

    with monkeypatch.context() as m:
        m.setattr(cli_options, "checked", interrupting)
        assert main([*args, "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == [".cache"]
    assert len(list((out / ".cache").iterdir())) == 1
    assert main([*args, "--out", str(out)]) == 0
    assert main([*args, "--out", str(whole)]) == 0
    resumed, fresh = _load(out), _load(whole)
    assert (resumed["reused_tasks"], fresh["reused_tasks"], resumed["tasks"]) == (1, 0, 2)
    assert resumed["points"] == fresh["points"] and resumed["best"] == fresh["best"]


@pytest.mark.parametrize("extra, message", [
    (["--param", "policy.allocation.risk_pol=0.1,0.2"], "did you mean 'risk_pool'?"),
    (["--param", "policy.allocation.risk_pool=0.3,0.4"], "every point is infeasible"),
    (POOL + ["--balance", "risk_pool"], "is swept"),
    (["--param", "policy.allocation.navigation=2"], "must be"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, extra, message):
    """Each bad argument: exit status 2, one line on stderr naming the problem, no folder."""
    out = tmp_path / "sw"
    assert main(["sweep", str(DEFAULT_SCENARIO), *extra, "--paths", "1000", "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_out_holding_something_else_is_refused(tmp_path, capsys):
    """A folder with other files (not a sweep result nor only its cache) is never replaced."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["sweep", str(DEFAULT_SCENARIO), *POOL, "--out", str(tmp_path)]) == 2
    assert "holds 'notes.txt', a file ipsim did not write" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_default_folder_survives_a_run(tmp_path, monkeypatch):
    """The sweep goes to results/<name>/sweep/, which a later ``ipsim run`` keeps."""
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(DEFAULT_SCENARIO), *POOL, "--paths", "500", "--no-plots",
                 "--quiet"]) == 0
    assert main(["run", str(DEFAULT_SCENARIO), "--paths", "500", "--no-plots", "--quiet"]) == 0
    folder = tmp_path / "results" / "key-city-2020"
    assert (folder / "summary.json").is_file() and (folder / "sweep" / "sweep.json").is_file()
    assert (folder / "sweep" / ".cache").is_dir()


def test_dask_address_from_option_or_environment(monkeypatch):
    """--dask wins; else IPSIM_DASK; blank means local."""
    monkeypatch.setenv(DASK_ENV, "tcp://sched:8786")
    assert dask_address(argparse.Namespace(dask=None)) == "tcp://sched:8786"
    assert dask_address(argparse.Namespace(dask="tcp://other:1")) == "tcp://other:1"
    monkeypatch.setenv(DASK_ENV, "  ")
    assert dask_address(argparse.Namespace(dask=None)) is None
