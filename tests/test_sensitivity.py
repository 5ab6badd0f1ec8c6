"""``ipsim sensitivity``: one decisive parameter, identical results on every backend, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from ipsim.cli import main
from ipsim.study import sensitivity
from tests.conftest import DEFAULT_SCENARIO, GROWTH_MU, closed_form_data, scenario_from

N, PATHS, SEED = 32, 64, 5


def decisive_data(data: dict) -> None:
    """The closed-form scenario (no shocks; turnover growth ~ Normal decides turnover's CAGR)
    with one target, turnover CAGR > its median growth, and two more uncertain parameters
    that cannot move it."""
    closed_form_data(data)
    data["targets"] = [{"id": "turnover", "indicator": "turnover", "measure": "cagr",
                        "op": ">", "threshold": GROWTH_MU}]
    data["parameters"]["pledge"]["default_rate"] = {"dist": "uniform", "low": 0.01,
                                                    "high": 0.08}
    data["parameters"]["securitisation"] = {"success": {"dist": "beta", "a": 3.5, "b": 6.5}}
    data.pop("variants", None)   # its edits no longer fit this scenario (every command checks)


@pytest.fixture(scope="module")
def decisive():
    return scenario_from(decisive_data)


@pytest.fixture(scope="module")
def decisive_result(decisive):
    return sensitivity.run_sobol(decisive, N, PATHS, SEED)


def test_one_decisive_parameter_has_all_the_variance(decisive_result):
    """Attainment is a step function of turnover growth alone: its S1 and ST intervals hold 1
    (and the estimates are near it), while the idle parameters' indices are exactly 0 (their
    AB rows repeat A's outputs, on common random numbers)."""
    r = decisive_result
    labels = [f.label for f in r.factors]
    g = labels.index("turnover.growth")
    idx = r.indices
    for j in range(len(labels)):
        for value, low, high in ((idx.first, idx.first_low, idx.first_high),
                                 (idx.total, idx.total_low, idx.total_high)):
            if j == g:
                assert low[-1, j] <= 1 <= high[-1, j] and abs(value[-1, j] - 1) < 0.3
            else:
                assert value[-1, j] == 0 and low[-1, j] == 0 == high[-1, j]
    assert set(np.unique(r.y)) <= {0.0, 1.0}   # no path noise: growth alone decides


def test_same_numbers_in_process_in_a_pool_and_on_dask(decisive, decisive_result):
    """A small Morris run gives bit-identical outputs in this process, on 2 local workers
    and on a Dask LocalCluster (seeds come from the task, not the worker)."""
    distributed = pytest.importorskip("distributed")
    scenario = scenario_from()
    fs = sensitivity.factors(scenario)
    u = np.random.default_rng(1).uniform(size=(12, len(fs)))
    here = sensitivity.evaluate(scenario, fs, u, SEED, 200)
    pool = sensitivity.evaluate(scenario, fs, u, SEED, 200, workers=2)
    np.testing.assert_array_equal(here, pool)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        np.testing.assert_array_equal(here, sensitivity.evaluate(scenario, fs, u, SEED, 200,
                                                                 dask=client))


def test_tornado_moves_only_with_the_decisive_parameter(decisive_result):
    """With growth at its 5th percentile the target is missed, at its 95th met; the idle
    parameters leave P(all targets) at the median set's value."""
    t = sensitivity.tornado(decisive_result)
    assert t["parameters"]["turnover.growth"][:2] == (0.0, 1.0)
    for label, (lo, hi, _, _) in t["parameters"].items():
        if label != "turnover.growth":
            assert lo == hi == t["base"]


def _write(tmp_path: Path, modify=None) -> Path:
    text = DEFAULT_SCENARIO.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if modify:
        modify(data)
        data.pop("variants", None)   # written for the default policy: not all still apply
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_cli_writes_json_csv_and_plots_with_provenance(tmp_path, capsys):
    """Outputs carry scenario, sha256, seed, paths and version; one CSV row per output and
    parameter; PNG and SVG of the index chart and the tornado."""
    path, out = _write(tmp_path, decisive_data), tmp_path / "out"
    assert main(["sensitivity", str(path), "--samples", "8", "--paths-per-sample", "16",
                 "--seed", "3", "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "sensitivity.json").read_text())
    for key in ("scenario", "scenario_sha256", "seed", "paths_per_sample", "ipsim_version",
                "method", "samples"):
        assert key in data
    assert data["seed"] == 3 and data["paths_per_sample"] == 16 and data["parameter_sets"] == 40
    csv = (out / "sensitivity.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[0].startswith("output,") and len(csv) == 1 + 2 * 3
    assert {p.name for p in out.iterdir()} >= {"sobol_all_targets.png", "tornado.svg"}


def test_cli_morris_without_plots(tmp_path):
    out = tmp_path / "m"
    assert main(["sensitivity", str(_write(tmp_path, decisive_data)), "--method", "morris",
                 "--samples", "3", "--paths-per-sample", "16", "--out", str(out),
                 "--no-plots", "--quiet"]) == 0
    data = json.loads((out / "sensitivity.json").read_text())
    assert data["method"] == "morris" and data["parameter_sets"] == 3 * 4
    assert {p.name for p in out.iterdir()} == {".ipsim-result.json", "sensitivity.json",
                                               "sensitivity.csv", ".cache"}


@pytest.mark.parametrize("modify, args, message", [
    (lambda d: d.pop("parameters"), [], "no uncertain parameters"),
    (None, ["--samples", "100"], "must be a power of 2 for Sobol' indices"),
])
def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, modify, args,
                                                      message):
    out = tmp_path / "out"
    assert main(["sensitivity", str(_write(tmp_path, modify)), "--out", str(out), "--quiet",
                 *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not out.exists()
