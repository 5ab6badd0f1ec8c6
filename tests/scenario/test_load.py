"""Loading scenario files: numbers as people write them, and one precise line per problem."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from ipsim.errors import ScenarioError, ScenarioErrors
from ipsim.scenario.params import Distribution
from ipsim.scenario.validate import load_scenario
from ipsim.scenario.yaml_loader import load_yaml
from tests.conftest import DEFAULT_SCENARIO

ERROR_FORM = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): "
                        r"(?P<key>\(document\)|[A-Za-z_][\w.\[\]]*): (?P<message>\S.*)$")
"""``file:line:col: key.path: message``, on one line."""

DEFAULT_TEXT = DEFAULT_SCENARIO.read_text(encoding="utf-8")


def _write(tmp_path: Path, old: str, new: str, name: str = "scenario.yaml") -> tuple[Path, int]:
    """The default file with ``old`` (which must occur once) replaced; returns the path and
    the 1-based line where the replacement starts."""
    assert DEFAULT_TEXT.count(old) == 1, old
    text = DEFAULT_TEXT.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, DEFAULT_TEXT[:DEFAULT_TEXT.index(old)].count("\n") + 1


def _errors(path: Path) -> list[ScenarioError]:
    with pytest.raises(ScenarioErrors) as info:
        load_scenario(path)
    errors = info.value.errors
    assert errors
    for e in errors:
        m = ERROR_FORM.match(str(e))
        assert m, str(e)
        assert (m["file"], int(m["line"]), int(m["col"])) == (str(path), e.line, e.column)
    assert str(info.value) == "\n".join(str(e) for e in errors)
    return errors


# -- the default file -----------------------------------------------------------------------


def test_default_scenario_loads(scenario):
    """The shipped scenario validates: 36 months, two tranches, ten targets, its own sha256."""
    assert scenario.name == "key-city-2020" and scenario.horizon_months == 36
    assert [(t.month, t.amount, t.conditional) for t in scenario.policy.tranches] == \
        [(0, 100_000_000, False), (18, 50_000_000, True)]
    assert len(scenario.targets) == 10
    assert scenario.sha256 == hashlib.sha256(DEFAULT_SCENARIO.read_bytes()).hexdigest()
    assert isinstance(scenario.parameters["turnover"]["growth"], Distribution)


# -- numbers ---------------------------------------------------------------------------------


def test_exponent_and_underscore_numbers_are_numbers():
    """1.5e8, 1e6, -2.5E-3, .5 and 150_000_000 load as numbers, not strings."""
    data, _ = load_yaml("n.yaml", "a: 1.5e8\nb: 150_000_000\nc: 1e6\nd: -2.5E-3\ne: .5\n"
                                  "f: 1_000.25\ng: text\n")
    assert data == {"a": 1.5e8, "b": 150_000_000, "c": 1e6, "d": -2.5e-3, "e": 0.5,
                    "f": 1000.25, "g": "text"}
    assert all(isinstance(data[k], int | float) for k in "abcdef")


def test_exponent_and_underscore_budgets_load_the_same(tmp_path, scenario):
    """A budget written 1.5e8 or 150_000_000 or 150000000 gives the same scenario value."""
    for text in ("1.5e8", "150_000_000", "150000000", "1.5E+8"):
        path, _ = _write(tmp_path, "budget: 150_000_000", f"budget: {text}", f"b{text}.yaml")
        assert load_scenario(path).policy.budget == scenario.policy.budget == 1.5e8


def test_malformed_number_is_a_scenario_error():
    """A value like '._' is reported as a ScenarioError with its line, not a crash."""
    with pytest.raises(ScenarioError) as info:
        load_yaml("x.yaml", "a: 1\nb: ._\n")
    assert info.value.line == 2


# -- errors, each on one line with its position ---------------------------------------------------


def test_duplicate_key_is_an_error_naming_both_lines(tmp_path):
    """A key given twice is reported at the second occurrence, naming the first's line."""
    path, line = _write(tmp_path, "start_year: 2020\n", "start_year: 2020\nseed: 1\n")
    first = DEFAULT_TEXT[:DEFAULT_TEXT.index("seed: 20200507")].count("\n") + 1
    (e,) = _errors(path)
    assert e.key_path == "seed"
    assert e.line == line + 1 and e.column == 1
    assert f"duplicate key (first given on line {first})" in e.message


def test_duplicate_nested_key_is_an_error(tmp_path):
    """A duplicate inside a nested mapping names its dotted key path and line."""
    path, line = _write(tmp_path, "    risk_pool: 0.25\n",
                        "    risk_pool: 0.25\n    risk_pool: 0.20\n")
    (e,) = _errors(path)
    assert e.key_path == "policy.allocation.risk_pool" and e.line == line + 1
    assert f"first given on line {line}" in e.message


@pytest.mark.parametrize("old, new, key, suggestion", [
    ("horizon_months: 36", "horizon_month: 36", "horizon_month", "horizon_months"),
    ("    lag_mean: 20 ", "    lag_men: 20 ", "parameters.patents.lag_men", "lag_mean"),
    ("    trusteeship: 0.10", "    trustee_ship: 0.10", "policy.allocation.trustee_ship",
     "trusteeship"),
])
def test_unknown_key_suggests_the_closest(tmp_path, old, new, key, suggestion):
    """An unknown key is reported at its line with "did you mean '<closest>'?"."""
    path, line = _write(tmp_path, old, new)
    (e,) = _errors(path)
    assert e.key_path == key and e.line == line
    assert f"(did you mean '{suggestion}'?)" in e.message


def test_allocation_above_one_is_an_error(tmp_path):
    """Lever shares summing to more than 1 are reported at policy.allocation."""
    path, _ = _write(tmp_path, "    risk_pool: 0.25", "    risk_pool: 0.45")
    (e,) = _errors(path)
    line = DEFAULT_TEXT[:DEFAULT_TEXT.index("  allocation:")].count("\n") + 1
    assert e.key_path == "policy.allocation" and e.line == line
    assert "sum to 1.2" in e.message and "at most 1" in e.message


def test_negative_sd_is_an_error(tmp_path):
    """A normal distribution with a negative sd is reported at its parameter."""
    old = "growth: {dist: normal, mean: 0.10, sd: 0.04}"
    path, line = _write(tmp_path, old, old.replace("sd: 0.04", "sd: -0.04"))
    (e,) = _errors(path)
    assert e.key_path == "parameters.patents.growth" and e.line == line
    assert "sd must be > 0" in e.message


def test_yaml_syntax_error_names_its_line(tmp_path):
    """A YAML syntax error is one ScenarioError at the line of the mistake."""
    path, line = _write(tmp_path, "  transfers: 6_000 ", "  transfers: 6_000: 1 ")
    (e,) = _errors(path)
    assert e.line == line and "YAML syntax error" in e.message
    assert f":{line}:" in str(e)


def test_every_problem_is_reported(tmp_path):
    """Validation goes on after the first problem: three mistakes, three errors, in line order."""
    text = (DEFAULT_TEXT.replace("horizon_months: 36", "horizon_months: 30")
            .replace("    risk_pool: 0.25", "    risk_pool: 0.45")
            .replace("rule: on_track", "rule: sometimes"))
    path = tmp_path / "three.yaml"
    path.write_text(text, encoding="utf-8")
    errors = _errors(path)
    assert [e.key_path for e in errors] == ["horizon_months", "policy.allocation",
                                            "policy.midterm.rule"]
    assert [e.line for e in errors] == sorted(e.line for e in errors)
    assert "allowed: on_track, always, never" in errors[2].message


def test_out_of_range_and_wrong_type_values_are_errors(tmp_path):
    """A share above 1 and a text where a number belongs are each reported with the range."""
    text = (DEFAULT_TEXT.replace("fast_track_share: 0.10", "fast_track_share: 1.5")
            .replace("seed: 20200507", "seed: lots"))
    path = tmp_path / "range.yaml"
    path.write_text(text, encoding="utf-8")
    errors = {e.key_path: e.message for e in _errors(path)}
    assert "must be in [0, 1]" in errors["policy.fast_track_share"]
    assert "must be a whole number" in errors["seed"] and "'lots'" in errors["seed"]


def test_missing_file_is_a_scenario_error(tmp_path):
    """A missing file is one ScenarioError naming the file."""
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioErrors) as info:
        load_scenario(path)
    (e,) = info.value.errors
    assert str(e) == f"{path}: (document): no such file"


@pytest.mark.parametrize("kind, args", [
    ("normal", {"mean": 0.1, "sd": 0.04}), ("lognormal", {"median": 2e6, "sigma": 0.25}),
    ("uniform", {"low": 5.0, "high": 15.0}),
    ("triangular", {"low": 0.01, "mode": 0.03, "high": 0.08}),
    ("triangular", {"low": 0.0, "mode": 0.0, "high": 1.0}),
    ("beta", {"a": 3.5, "b": 6.5}), ("beta", {"a": 0.5, "b": 2.0, "low": 1.0, "high": 3.0}),
    ("gamma", {"shape": 2.0, "scale": 3.0})])
def test_quantile_function_is_scipy_stats_bit_for_bit(kind, args):
    """``Distribution.ppf`` (scipy.special, no scipy.stats set-up) gives scipy.stats' numbers."""
    import numpy as np

    from ipsim.scenario.params import FrozenMap

    u = np.concatenate([np.random.default_rng(5).random(20_000), [0.0, 1e-17, 0.5, 1 - 2**-53]])
    d = Distribution(kind, FrozenMap(args))
    with np.errstate(all="ignore"):
        assert np.array_equal(d.ppf(u), d.frozen().ppf(u), equal_nan=True)


@pytest.mark.parametrize("kind, args", [
    ("normal", {"mean": 0.1, "sd": 0.04}), ("lognormal", {"median": 2e6, "sigma": 0.25}),
    ("lognormal", {"median": 0.9, "sigma": 0.05}), ("uniform", {"low": 5.0, "high": 15.0}),
    ("triangular", {"low": 0.01, "mode": 0.03, "high": 0.08}),
    ("triangular", {"low": 0.0, "mode": 0.0, "high": 1.0}),
    ("triangular", {"low": 0.0, "mode": 1.0, "high": 1.0}),
    ("beta", {"a": 3.5, "b": 6.5}), ("beta", {"a": 0.5, "b": 2.0, "low": 1.0, "high": 3.0}),
    ("gamma", {"shape": 2.0, "scale": 3.0}), ("gamma", {"shape": 0.3, "scale": 1e6})])
def test_mass_outside_a_range_is_scipy_stats(kind, args):
    """``Distribution.mass_outside`` (what the validator judges, without scipy.stats) is
    ``cdf(low) + sf(high)`` of the frozen scipy.stats law, on ranges inside, across and
    outside the support (lows at and below 0 for the positive laws)."""
    import numpy as np

    from ipsim.scenario.params import FrozenMap

    d = Distribution(kind, FrozenMap(args))
    f = d.frozen()
    center, spread = float(f.median()), float(f.std())
    edges = center + spread * np.array([-50.0, -3.0, -1.0, -0.2, 0.0, 0.3, 1.5, 4.0, 50.0])
    edges = np.concatenate([edges, [0.0, -1.0]])
    for low in edges:
        for high in edges[edges >= low]:
            expected = f.cdf(low) + f.sf(high)
            assert abs(d.mass_outside(low, high) - expected) <= 1e-14, (low, high)
