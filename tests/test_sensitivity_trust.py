"""``ipsim sensitivity`` you can trust: sizes refused before anything runs, an interrupted
analysis resumed from its cache equals one run in one go, untrustworthy results flagged
with the size that would fix them, a chart for every target."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import numpy as np
import pytest
import yaml

from ipsim.analysis.sobol import SobolIndices
from ipsim.cli import sensitivity as sensitivity_cli
from ipsim.study import sensitivity, trust
from ipsim.study.sensitivity_plan import plan
from tests.conftest import DEFAULT_SCENARIO, run_cli, scenario_from
from tests.test_sensitivity import decisive_data


@pytest.mark.parametrize("args, message", [
    (["--samples", "1"], "too few for sobol"),
    (["--samples", "2**40"], "must be a whole number"),
    (["--samples", str(2 ** 40)], "the limit is 12 hours"),
    (["--method", "morris", "--samples", "1e9"], "the limit is 12 hours"),
    (["--method", "morris", "--samples", "1"], "too few for morris"),
    (["--paths-per-sample", "1e12", "--samples", "8"], "--paths-per-sample"),
])
def test_unreasonable_sizes_are_refused_at_once(tmp_path, capsys, args, message):
    """Exit 2, one line on stderr, within seconds (nothing is drawn), nothing written."""
    out = tmp_path / "out"
    t0 = time.perf_counter()
    assert run_cli(["sensitivity", str(DEFAULT_SCENARIO), "--out", str(out), "--quiet",
                    *args]) == 2
    assert time.perf_counter() - t0 < 10
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_cost_estimate_scales_with_sets_and_paths():
    small = plan("sobol", 256, 2048, 17, 36, 11, check=False)
    assert small.sets == 256 * 19 + 2 * 17 + 1
    double = plan("sobol", 512, 2048, 17, 36, 11, check=False)
    assert 1.9 < double.seconds / small.seconds < 2.1


def _same(a, b) -> None:
    np.testing.assert_array_equal(a.y, b.y)
    for name in ("first", "first_low", "first_high", "total", "total_low", "total_high"):
        np.testing.assert_array_equal(getattr(a.indices, name), getattr(b.indices, name))


@pytest.fixture()
def small_tasks(monkeypatch):
    """Tasks of 1,024 paths (16 sets of 64), so that a small analysis has several."""
    monkeypatch.setattr(sensitivity, "TASK_PATHS", 1024)


def test_interrupted_analysis_resumes_and_equals_one_in_one_go(tmp_path, small_tasks):
    """Three tasks (40 sets of 64 paths, 16 sets a task); interrupted after the first, the
    rerun takes it from the cache, runs the other two, and gives bit for bit the outputs
    and indices of an analysis run without a cache."""
    s = scenario_from(decisive_data)
    fs = sensitivity.factors(s)
    cache = sensitivity.cache_for(tmp_path / "c", s, fs, 5, 64)
    seen = []

    def interrupt(n):
        seen.append(n)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sensitivity.run_sobol(s, 8, 64, 5, cache=cache, progress=interrupt)
    assert cache.stored == 1 and seen == [16]
    again = sensitivity.cache_for(tmp_path / "c", s, fs, 5, 64)
    resumed = sensitivity.run_sobol(s, 8, 64, 5, cache=again)
    assert (again.reused, again.stored) == (1, 2)
    _same(resumed, sensitivity.run_sobol(s, 8, 64, 5))
    other = sensitivity.cache_for(tmp_path / "c", s, fs, 6, 64)   # another seed: no reuse
    sensitivity.run_sobol(s, 8, 64, 6, cache=other)
    assert other.reused == 0


def test_cli_resumes_after_an_interrupt(tmp_path, monkeypatch, capsys, small_tasks):
    """``ipsim sensitivity`` interrupted (exit 130, nothing written) and run again gives the
    JSON of an uninterrupted run (but for the timings)."""
    path = tmp_path / "s.yaml"
    path.write_text(DEFAULT_SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    decisive_data(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    args = ["sensitivity", str(path), "--samples", "8", "--paths-per-sample", "64",
            "--no-plots", "--quiet"]
    calls = []

    def interrupting(update, arm):
        def progress(n):
            calls.append(n)
            raise KeyboardInterrupt
        return progress

    out, whole = tmp_path / "resumed", tmp_path / "whole"
    with monkeypatch.context() as m:
        m.setattr(sensitivity_cli, "checked", interrupting)
        assert run_cli([*args, "--out", str(out)]) == 130
    assert not (out / "sensitivity.json").exists() and (out / ".cache").is_dir()
    assert run_cli([*args, "--out", str(out)]) == 0
    assert run_cli([*args, "--out", str(whole)]) == 0

    def load(folder):
        d = json.loads((folder / "sensitivity.json").read_text(encoding="utf-8"))
        for key in ("created_utc", "elapsed_s"):
            d.pop(key)
        return d
    assert load(out) == load(whole)


def _fake(first, total, low=None, high=None, y=None, boot=None, n=64, paths=4096):
    """A SensitivityResult of the decisive scenario with the given indices (one output)."""
    s = scenario_from(decisive_data)
    base = sensitivity.run_sobol(s, 8, 16, 1)
    first, total = np.atleast_2d(first), np.atleast_2d(total)
    low = total - 0.01 if low is None else np.atleast_2d(low)
    high = total + 0.01 if high is None else np.atleast_2d(high)
    idx = SobolIndices(first, first - 0.01, first + 0.01, total, low, high,
                       np.ones(1), n, 0.95, boot)
    rng = np.random.default_rng(0)
    y = rng.uniform(0.2, 0.8, size=(n * 5, 1)) if y is None else y
    return replace(base, indices=idx, y=y, samples=n, paths_per_sample=paths,
                   outputs=base.outputs[-1:])


def test_trusted_result_has_nothing_to_say():
    (a,) = trust.assess(_fake([0.6, 0.2, 0.0], [0.7, 0.25, 0.0]))
    assert a["trusted"] and a["fix"] is None


def test_each_problem_is_flagged_with_a_fix():
    """Wide interval (ST 0.30 [0.05, 0.95]: width 0.9 > 0.3, so samples x 9 -> 1,024),
    a bound of 5.54, noise share 0.2 (paths x 2), an unstable top parameter."""
    total = np.array([0.30, 0.25, 0.0])
    (a,) = trust.assess(_fake([0.2, 0.2, 0.0], total, low=[0.05, 0.2, 0.0],
                              high=[0.95, 0.3, 0.0]))
    assert [p["kind"] for p in a["problems"]] == ["wide"]
    assert a["fix"]["samples"] == 1024 and a["fix"]["paths_per_sample"] == 4096
    (b,) = trust.assess(_fake([0.2, 0.1, 0.0], [0.5, 0.2, 0.0], high=[5.54, 0.3, 0.0]))
    assert {"bounds", "wide"} <= {p["kind"] for p in b["problems"]}
    assert any("5.54" in p["message"] for p in b["problems"])
    rng = np.random.default_rng(1)
    p = rng.uniform(0.3, 0.7, size=(64 * 5, 1))
    noise = p * (1 - p) / 4096
    y = 0.5 + (p - 0.5) * np.sqrt(noise.mean() / 0.2 / np.var(p))   # noise share 0.2
    (c,) = trust.assess(_fake([0.6, 0.2, 0.0], [0.7, 0.25, 0.0], y=y))
    assert [q["kind"] for q in c["problems"]] == ["noise"]
    share = float(c["problems"][0]["message"].split()[2])
    assert 0.15 < share < 0.3
    assert c["fix"]["paths_per_sample"] == int(np.ceil(4096 * share / 0.1 / 1024)) * 1024
    boot = np.zeros((100, 1, 3))
    boot[:60, 0, 0], boot[60:, 0, 1] = 1, 1    # the top parameter first in 60 % only
    (d,) = trust.assess(_fake([0.6, 0.2, 0.0], [0.7, 0.25, 0.0], boot=boot))
    assert [q["kind"] for q in d["problems"]] == ["ranking"] and "60.0 %" in \
        d["problems"][0]["message"]


def _two_targets(data: dict) -> None:
    data["targets"] = [t for t in data["targets"] if t["id"] in ("pledge_amount", "turnover")]
    data["policy"]["midterm"]["targets"] = ["pledge_amount", "turnover"]
    data["policy"]["midterm"]["min_on_track"] = 1
    data.pop("variants", None)


def test_cli_warns_records_and_plots_every_target(tmp_path, capsys):
    """A deliberately small analysis of the default scenario cut to two targets: a warning
    line per output not to be trusted and one with the size for all, the same in
    sensitivity.json, and an index chart and a tornado for every target."""

    data = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    _two_targets(data)
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "small"
    assert run_cli(["sensitivity", str(path), "--samples", "8",
                    "--paths-per-sample", "64", "--out", str(out), "--quiet"]) == 0
    assert len(json.loads((out / "sensitivity.json").read_text())["outputs"]) == 3
    err = capsys.readouterr().err
    data = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert data["trusted"] is False and "--samples" in data["fix_all"]["text"]
    bad = [o for o in data["outputs"] if not o["trust"]["trusted"]]
    assert bad and all(o["trust"]["fix"]["samples"] >= 8 for o in bad)
    lines = [ln for ln in err.splitlines() if ln.startswith("ipsim: warning:")]
    assert len(lines) == len(bad) + 1 and "to trust every output" in lines[-1]
    names = {p.name for p in out.iterdir()}
    for o in data["outputs"]:
        stem = "tornado" if o["output"] == "all_targets" else f"tornado_{o['output']}"
        assert {f"sobol_{o['output']}.png", f"sobol_{o['output']}.svg", f"{stem}.png"} <= names
