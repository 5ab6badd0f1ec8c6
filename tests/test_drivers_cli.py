"""``ipsim drivers`` and ``ipsim run --drivers`` end to end: outputs, provenance, the sample,
bad input; and drivers from one run agree with Saltelli's S1 on the pledge target."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import yaml

import ipsim
from ipsim.analysis.drivers.sample import sample_of
from ipsim.analysis.drivers.table import Sample, analyse
from ipsim.study import pipeline, sensitivity
from tests.conftest import DEFAULT_SCENARIO, run_cli


def _write(tmp_path: Path, modify=None) -> Path:
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    if modify:
        modify(data)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _one_target(data: dict) -> None:
    data["targets"] = [t for t in data["targets"] if t["id"] == "pledge_amount"]
    data["policy"]["midterm"]["targets"] = ["pledge_amount"]
    data["policy"]["midterm"]["min_on_track"] = 1
    data.pop("variants", None)


def test_drivers_writes_tables_plots_and_provenance(tmp_path, capsys):
    """drivers.json names the scenario, its SHA-256, the seed, the paths and the sample (the
    first --keep-paths of the run); one CSV row per output and input; plots per output."""
    path, out = _write(tmp_path, _one_target), tmp_path / "d"
    assert run_cli(["drivers", str(path), "--paths", "6000", "--keep-paths", "4000",
                    "--seed", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Pledge amount" in printed and "PRIM: pledge.growth" in printed
    data = json.loads((out / "drivers.json").read_text(encoding="utf-8"))
    assert data["scenario_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (data["seed"], data["paths"], data["ipsim_version"]) == (5, 6000, ipsim.__version__)
    assert data["sample"]["paths"] == 4000 and "first 4,000 of the run's 6,000" in \
        data["sample"]["note"]
    assert [o["output"] for o in data["outputs"]] == ["pledge_amount", "all_targets"]
    d = len(data["inputs"])
    rows = (out / "drivers.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("output,") and len(rows) == 1 + 2 * d   # header, then the rows
    names = {p.name for p in out.iterdir()}
    for kind in ("drivers", "odds", "prim"):
        assert {f"{kind}_pledge_amount.png", f"{kind}_pledge_amount.svg"} <= names
    assert {"odds.csv", "targets.csv"} <= names


def test_run_with_drivers_writes_both_and_a_later_run_keeps_them(tmp_path):
    path, out = _write(tmp_path, _one_target), tmp_path / "r"
    assert run_cli(["run", str(path), "--paths", "3000", "--drivers", "--out", str(out),
                    "--no-plots", "--quiet"]) == 0
    assert (out / "summary.json").is_file() and (out / "drivers" / "drivers.json").is_file()
    assert run_cli(["run", str(path), "--paths", "2000", "--out", str(out), "--no-plots",
                    "--quiet"]) == 0
    assert (out / "drivers" / "drivers.json").is_file()


def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "bad"
    path = _write(tmp_path, lambda d: d.pop("parameters"))
    assert run_cli(["drivers", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no uncertain parameters" in err and len(err.splitlines()) == 1
    assert run_cli(["drivers", str(DEFAULT_SCENARIO), "--keep-paths", "0", "--out", str(out),
                    "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--keep-paths" in err and len(err.splitlines()) == 1
    assert not out.exists()


def _separated(low_a, high_b) -> bool:
    """Interval a lies wholly above interval b."""
    return low_a > high_b


def test_top_drivers_of_pledge_amount_agree_with_saltelli_s1(scenario):
    """On the default scenario, the drivers of P(pledge_amount) from one run of 30,000 paths
    and Saltelli's S1 across 608 parameter sets (32 base samples x 64 paths, all 17
    parameters) rank the same two parameters first and second (pledge.growth, then
    pledge.interest_max_uplift); the drivers separate the first from the second and the
    second from the third by their intervals, and in neither method is the third separated
    from the fourth: the top three agree as far as either method can tell them apart (the
    third place is a tie of inputs that barely matter, in both). The paths' shocks, inputs of
    the drivers only, are left out of the comparison."""
    run = pipeline.run([scenario], 30_000, 11, keep_paths=30_000)
    full = sample_of(scenario, run.base.paths())
    k = full.outputs.index("pledge_amount")
    one = Sample(full.names, full.kinds, full.x, [full.outputs[k]], [full.labels[k]],
                 full.met[:, [k]])
    (drv,) = analyse(one, seed=11, resamples=199, prim_resamples=0)
    r = sorted((i for i in drv["inputs"] if i["kind"] == "parameter"), key=lambda i: -i["S1"])
    shocks = [i for i in drv["inputs"] if i["kind"] == "shock"]
    assert {i["input"] for i in shocks} >= {"shock.economy", "shock.pledge"}
    sob = sensitivity.run_sobol(scenario, 32, 64, 11)
    j = sob.outputs.index("pledge_amount")
    s1, low, high = (a[j] for a in (sob.indices.first, sob.indices.first_low,
                                    sob.indices.first_high))
    order = np.argsort(-s1, kind="stable")
    expected = ["pledge.growth", "pledge.interest_max_uplift"]
    assert [i["input"] for i in r[:2]] == expected == [sob.factors[i].label for i in order[:2]]
    assert _separated(r[0]["S1_low"], r[1]["S1_high"])
    assert _separated(r[1]["S1_low"], r[2]["S1_high"])
    assert not _separated(r[2]["S1_low"], r[3]["S1_high"])
    assert not _separated(low[order[2]], high[order[3]])
