"""``ipsim compare`` end to end: outputs, determinism across workers, and bad input."""

from __future__ import annotations

import csv
import json

import pytest

from ipsim.cli import main
from ipsim.engines.streams import BLOCK
from tests.compare_helpers import default_data, no_drain, write_scenario

PATHS = str(2 * BLOCK + 100)   # three blocks, the last one short


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return no_drain(tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="module")
def compared(scenario, tmp_path_factory):
    """One comparison with plots, over three chunks in two workers."""
    out = tmp_path_factory.mktemp("out") / "cmp"
    status = main(["compare", str(scenario), "--paths", PATHS, "--workers", "2",
                   "--chunk-paths", str(BLOCK), "--out", str(out), "--quiet"])
    assert status == 0
    return out


def test_outputs_written(compared, scenario):
    """comparison.json (with provenance, every variant and target, the best), the CSV and
    both plots in PNG and SVG are written."""
    names = {p.name for p in compared.iterdir()}
    assert names == {".ipsim-result.json", "comparison.json", "comparison.csv",
                     "attainment_by_variant.png",
                     "attainment_by_variant.svg", "differences.png", "differences.svg"}
    data = json.loads((compared / "comparison.json").read_text())
    for key in ("scenario", "scenario_sha256", "seed", "paths", "ipsim_version"):
        assert data[key] not in (None, "")
    assert data["paths"] == int(PATHS) and data["scenario"] == "no-drain"
    assert [v["name"] for v in data["variants"]] == ["same", "pool-plus"]
    for v in data["variants"]:
        assert len(v["targets"]) == 10
        for row in [*v["targets"], v["all_targets"]]:
            for key in ("probability", "diff", "diff_ci_low", "diff_ci_high", "p_value"):
                assert isinstance(row[key], float)
            assert row["diff_ci_low"] <= row["diff"] <= row["diff_ci_high"]
    same = data["variants"][0]
    assert same["identical_to_base"] and same["overrides"] == {
        "policy.allocation.risk_pool": 0.15}
    assert all(r["diff"] == r["diff_ci_low"] == r["diff_ci_high"] == 0.0
               for r in [*same["targets"], same["all_targets"]])
    best = data["best"]
    assert best["target"] == "all_targets" and isinstance(best["distinguishable"], bool)
    rows = list(csv.DictReader((compared / "comparison.csv").read_text(
        encoding="utf-8-sig").splitlines()))
    assert len(rows) == 3 * 11 and {r["scenario"] for r in rows} == {"no-drain", "same",
                                                                      "pool-plus"}


def test_bit_identical_for_any_worker_count(compared, scenario, tmp_path):
    """One worker and one chunk give the same numbers as two workers and three chunks."""
    out = tmp_path / "one"
    assert main(["compare", str(scenario), "--paths", PATHS, "--workers", "1",
                 "--out", str(out), "--no-plots", "--quiet"]) == 0
    a, b = (json.loads((d / "comparison.json").read_text()) for d in (compared, out))
    volatile = ("workers", "chunk_paths", "created_utc", "elapsed_s")
    assert {k: v for k, v in a.items() if k not in volatile} == \
           {k: v for k, v in b.items() if k not in volatile}
    assert (compared / "comparison.csv").read_text() == (out / "comparison.csv").read_text()


def test_table_and_default_folder(scenario, tmp_path, monkeypatch, capsys):
    """Without --out the results go to results/<scenario>/compare/, and a short table is
    printed, one line per variant and the best for all targets."""
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(scenario), "--paths", "600", "--variants", "pool-plus",
                 "--no-plots", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "results" / "no-drain" / "compare" / "comparison.json").is_file()
    assert "pool-plus" in out and "no-drain (base)" in out and "best for all targets" in out
    assert "\nsame " not in out                    # only the chosen variant ran
    data = json.loads((tmp_path / "results/no-drain/compare/comparison.json").read_text())
    assert data["seed"] == 5 and [v["name"] for v in data["variants"]] == ["pool-plus"]


def test_bad_input_exits_2(scenario, tmp_path, capsys):
    """An unknown variant, a scenario without variants and a bad variant in validate are
    one-line errors with status 2; nothing is written."""
    assert main(["compare", str(scenario), "--variants", "pool-pluss", "--out",
                 str(tmp_path / "x")]) == 2
    assert "did you mean 'pool-plus'?" in capsys.readouterr().err
    plain = write_scenario(tmp_path, default_data(), "plain.yaml")
    assert main(["compare", str(plain), "--out", str(tmp_path / "y")]) == 2
    assert "has no variants" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
    bad = no_drain(tmp_path, {"v": {"overrides": {"policy.allocation.risk_pool": 1.5}}},
                   name="bad.yaml")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "policy.allocation.risk_pool: in variant 'v': must be in [0, 1]" in err


def test_out_holding_something_else_is_refused(scenario, tmp_path, capsys):
    """``--out`` naming a folder with other files in it is refused before anything runs:
    the comparison would replace it whole."""
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine")
    assert main(["compare", str(scenario), "--paths", "100", "--out", str(keep),
                 "--quiet"]) == 2
    assert "holds 'notes.txt', a file ipsim did not write" in capsys.readouterr().err
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]
