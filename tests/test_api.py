"""The public Python API: the worked example of docs/api.md runs as written, ``import ipsim``
exports the API and nothing else, and the API gives the command line's numbers."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re

import pytest

import ipsim
from ipsim.cli import main
from ipsim.errors import ArgumentError, ScenarioErrors
from tests.conftest import DEFAULT_SCENARIO, ROOT


def _examples() -> list[str]:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3, "docs/api.md has lost its python examples"
    return blocks


def test_docs_example_runs(monkeypatch, capsys):
    """The worked example, executed from the repository's folder as a notebook would."""
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(_examples()[0], "docs/api.md", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "All targets at once" in out and "risk-pool-plus" in out
    assert isinstance(namespace["r"], ipsim.RunResult)
    assert isinstance(namespace["c"], ipsim.ComparisonResult)
    assert isinstance(namespace["w"], ipsim.SweepResult)


def test_decide_example_calls_the_api_as_documented(monkeypatch):
    """The decisions example (minutes at its sizes; ``tests/study/test_decide.py`` checks the
    results) calls ``ipsim.optimise`` and ``ipsim.goal`` with arguments they accept and uses
    attributes their results have: run with both replaced by recorders of their calls."""
    calls = []

    def recorder(real, result):
        signature = inspect.signature(real)

        def call(*args, **kwargs):
            signature.bind(*args, **kwargs)          # raises on an unknown argument
            calls.append(real.__name__)
            return result
        return call

    class Result:                                    # the attributes the example reads
        headline, reached, value, run = "h", True, 0.1, None

    for name in ("optimise", "goal"):
        monkeypatch.setattr(ipsim, name, recorder(getattr(ipsim, name), Result()))
    for attr in ("headline", "reached", "value", "run"):
        owner = ipsim.OptimiseResult if attr == "headline" else ipsim.GoalResult
        assert attr in {f.name for f in dataclasses.fields(owner)} \
            or hasattr(owner, attr), (owner, attr)
    exec(compile(_examples()[1], "docs/api.md", "exec"), {})  # noqa: S102
    assert calls == ["optimise", "goal"]


def test_places_and_sensitivity_example_runs(monkeypatch, capsys):
    """The third example (sensitivity, calibrate, backtest at small sizes) runs as written
    and prints what it says it prints."""
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(_examples()[2], "docs/api.md", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out.splitlines()
    assert out[0] in {f"{s}.{n}" for s, n, _ in ipsim.load(
        "scenarios/key-city-2020.yaml").uncertain()}
    assert isinstance(namespace["v"], ipsim.SensitivityResult)
    assert isinstance(namespace["k"], ipsim.CalibrationResult) and namespace["k"].overrides
    assert isinstance(namespace["b"], ipsim.BacktestResult)
    assert [c["band"] for c in namespace["b"].summary()["coverage"]] == [0.5, 0.9]


def test_import_ipsim_exports_the_api_only():
    """``ipsim.__all__`` is the API; every name resolves; nothing else is public."""
    public = {n for n in dir(ipsim) if not n.startswith("_")}
    assert public == set(ipsim.__all__) - {"__version__"}
    for name in ipsim.__all__:
        assert getattr(ipsim, name) is not None
    with pytest.raises(AttributeError):
        ipsim.pipeline  # noqa: B018


def test_api_and_command_line_give_the_same_numbers(tmp_path):
    """``ipsim run`` and ``ipsim.run(...).write`` write the same probabilities, bit for bit."""
    assert main(["run", str(DEFAULT_SCENARIO), "--paths", "4096", "--seed", "9", "--out",
                 str(tmp_path / "cli"), "--no-plots", "--quiet"]) == 0
    ipsim.run(DEFAULT_SCENARIO, paths=4096, seed=9).write(tmp_path / "api", plots=False)

    def odds(folder):
        s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        return [t["successes"] for t in s["targets"]], s["all_targets"], s["midterm_release"]

    assert odds(tmp_path / "cli") == odds(tmp_path / "api")


def test_mapping_and_overrides_are_validated():
    """A scenario from a mapping is validated like a file; a bad override key names the
    argument with a did-you-mean; an override out of range is a scenario error."""
    s = ipsim.load(DEFAULT_SCENARIO)
    data = dict(s.raw)
    data["policy"] = {**data["policy"], "budget": -1}
    with pytest.raises(ScenarioErrors, match="policy.budget"):
        ipsim.load(data)
    with pytest.raises(ArgumentError, match="did you mean 'risk_pool'") as err:
        ipsim.with_overrides(s, {"policy.allocation.risk_pol": 0.3})
    assert err.value.argument == "overrides"
    with pytest.raises(ScenarioErrors, match="sum to"):
        ipsim.with_overrides(s, {"policy.allocation.risk_pool": 0.9})
    v = ipsim.with_overrides(s, {"policy.allocation.risk_pool": 0.2}, name="pool-20")
    assert (v.name, v.policy.allocation["risk_pool"]) == ("pool-20", 0.2)
    assert set(ipsim.variants(s)) >= {"risk-pool-plus", "transfer-push"}


def test_arguments_are_checked_by_name():
    """A bad argument is an ArgumentError naming it, not a flag."""
    with pytest.raises(ArgumentError, match=r"^paths: must be >= 1, got 0$"):
        ipsim.run(DEFAULT_SCENARIO, paths=0)
    with pytest.raises(ArgumentError, match="unknown variant 'nope'"):
        ipsim.compare(DEFAULT_SCENARIO, ["nope"], paths=64)


def _json_without_times(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("created_utc", "elapsed_s"):
        data.pop(key, None)
    return data


def test_calibrate_backtest_and_sensitivity_give_the_command_lines_files(tmp_path):
    """``ipsim calibrate``, ``backtest`` and ``sensitivity`` and their API functions write
    the same estimates, scored points and indices (times aside), and the API's tables are
    the files' rows."""
    history = tmp_path / "city.csv"
    history.write_bytes((ROOT / "tests" / "data" / "calib" / "city.csv").read_bytes())
    scenario = str(DEFAULT_SCENARIO)

    assert main(["calibrate", str(history), "--scenario", scenario, "--out",
                 str(tmp_path / "cli.yaml"), "--quiet"]) == 0
    cal = ipsim.calibrate(history, DEFAULT_SCENARIO)
    assert cal.write(tmp_path / "api.yaml") == tmp_path / "api.yaml"
    body = [(tmp_path / f"{side}.yaml").read_text(encoding="utf-8").split("\n", 1)[1]
            for side in ("cli", "api")]
    assert body[0] == body[1]                    # all but the signed first line
    assert cal.scenario().name == cal.name == "key-city-2020-city"
    assert {r["parameter"] for r in cal.table()} >= {"volatility"}
    assert cal.overrides == dict(cal.calibration.overrides)

    assert main(["backtest", str(history), "--scenario", scenario, "--origin", "2017,2018",
                 "--paths", "300", "--out", str(tmp_path / "bt-cli"), "--quiet",
                 "--no-plots"]) == 0
    bt = ipsim.backtest(history, DEFAULT_SCENARIO, origins=[2017, 2018], paths=300)
    bt.write(tmp_path / "bt-api", plots=False)
    files = [_json_without_times(tmp_path / f"bt-{side}" / "backtest.json")
             for side in ("cli", "api")]
    assert files[0] == files[1] and bt.table() == files[1]["points"]

    assert main(["sensitivity", scenario, "--samples", "8", "--paths-per-sample", "16",
                 "--seed", "3", "--out", str(tmp_path / "s-cli"), "--quiet",
                 "--no-plots"]) == 0
    sens = ipsim.sensitivity(DEFAULT_SCENARIO, samples=8, paths_per_sample=16, seed=3,
                             cache=tmp_path / "s-api" / ".cache")
    sens.write(tmp_path / "s-api", plots=False)
    files = [_json_without_times(tmp_path / f"s-{side}" / "sensitivity.json")
             for side in ("cli", "api")]
    assert files[0] == files[1]
    assert sens.reused == 0 and sens.stored > 0
    again = ipsim.sensitivity(DEFAULT_SCENARIO, samples=8, paths_per_sample=16, seed=3,
                              cache=tmp_path / "s-api" / ".cache")
    assert again.stored == 0 and again.reused == sens.stored > 0
    assert again.table() == sens.table()
    with pytest.raises(ArgumentError, match="^method: unknown method 'sobel'"):
        ipsim.sensitivity(DEFAULT_SCENARIO, method="sobel")
