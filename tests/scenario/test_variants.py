"""Variants: key paths, overrides validated like the base, variant files, selection."""

from __future__ import annotations

import pytest

from ipsim.errors import ScenarioErrors, UsageError
from ipsim.scenario.overrides import apply_overrides, check_key_path, parse_key_path
from ipsim.scenario.reference import render_markdown
from ipsim.scenario.validate import load_scenario
from ipsim.scenario.variants import load_variant_specs, load_variants
from tests.compare_helpers import DEFAULT, default_data, no_drain, write_scenario


def _line_of(path, text: str) -> int:
    """1-based line of the first line of ``path`` containing ``text``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _errors(path, select=None) -> list:
    with pytest.raises(ScenarioErrors) as info:
        load_variant_specs(path, select)
    return info.value.errors


def test_parse_key_path():
    """Dotted paths with list indices parse to tuples; anything else is refused."""
    assert parse_key_path("policy.tranches[1].amount") == ("policy", "tranches", 1, "amount")
    assert parse_key_path("targets[0]") == ("targets", 0)
    assert parse_key_path("parameters.pledge.growth.sd") == ("parameters", "pledge", "growth",
                                                             "sd")
    for bad in ("", "policy..budget", "policy.tranches[x]", "a b", "[0]", 3):
        assert parse_key_path(bad) is None, bad


@pytest.mark.parametrize("path, expect", [
    ("policy.allocation.risk_pool", ""),
    ("policy.tranches[1].amount", ""),
    ("policy.midterm.targets[0]", ""),
    ("parameters.pledge.default_rate", ""),
    ("parameters.pledge.growth.sd", ""),
    ("shocks.pledge", ""),
    ("baseline.transfers", ""),
    ("targets[2].threshold", ""),
    ("policy.allocation.risk_poool", "did you mean 'risk_pool'?"),
    ("parameters.pledge.default_rat", "did you mean 'default_rate'?"),
    ("parameters.pledgee.growth", "did you mean 'pledge'?"),
    ("polcy.budget", "did you mean 'policy'?"),
    ("policy.tranches.amount", "is a list: give an index"),
    ("policy.budget.x", "it has no key 'x'"),
    ("seed", "cannot be overridden"),
    ("name", "cannot be overridden"),
    ("parameters.pledge.growth.median.x", "it has no key 'x'"),
])
def test_check_key_path(path, expect):
    """A key path is checked against the schema, with a did-you-mean for a near miss."""
    problem = check_key_path(parse_key_path(path))
    assert (expect in problem) if expect else problem == ""


def test_apply_overrides_copies_and_reports_missing_items():
    """Overrides set values on a copy; a list item that does not exist is a problem."""
    data = default_data()
    out, problems = apply_overrides(data, {("policy", "allocation", "risk_pool"): 0.3,
                                           ("policy", "tranches", 5, "amount"): 1.0})
    assert out["policy"]["allocation"]["risk_pool"] == 0.3
    assert data["policy"]["allocation"]["risk_pool"] == 0.25
    assert "no item [5]" in problems[("policy", "tranches", 5, "amount")]


def test_default_scenario_variants():
    """The default scenario's variants load, differ from the base only where they say, and
    keep every allocation within the budget."""
    base, variants = load_variant_specs(DEFAULT)
    assert [v.name for v in variants] == ["risk-pool-plus", "transfer-push", "fast-track",
                                          "securitisation-support", "strict-midterm",
                                          "loose-midterm"]
    assert load_scenario(DEFAULT) == base          # the base ignores its variants
    for v in variants:
        s = v.scenario
        assert s.name == v.name and v.description and v.overrides
        assert sum(s.policy.allocation.values()) <= 1 + 1e-9
        assert s.parameters == base.parameters and s.targets == base.targets
        if "allocation" in " ".join(v.overrides):
            assert sum(s.policy.allocation.values()) == pytest.approx(1.0)
    fast = next(v.scenario for v in variants if v.name == "fast-track")
    assert fast.policy.fast_track_share == 0.40


def test_unknown_override_key_names_it_with_its_line(tmp_path):
    """An override of a key that does not exist is an error naming it, with a did-you-mean
    and the override's line."""
    path = no_drain(tmp_path, {"typo": {"overrides": {"policy.allocation.risk_poool": 0.3}}})
    (e,) = _errors(path)
    assert e.key_path == "variants.typo.overrides.policy.allocation.risk_poool"
    assert "did you mean 'risk_pool'?" in e.message
    assert e.line == _line_of(path, "risk_poool")


def test_override_validated_like_the_base(tmp_path):
    """Overridden values go through every rule: a range check points at the override's line,
    and a cross-key rule it breaks (shares summing over 1) at the override that caused it."""
    path = no_drain(tmp_path, {
        "too-much": {"overrides": {"policy.allocation.navigation": 0.5}},
        "negative": {"overrides": {"parameters.pledge.default_rate": -0.2}},
        "gate": {"overrides": {"policy.midterm.min_on_track": 9}},
    })
    errors = {e.message.split(":")[0]: e for e in _errors(path)}
    assert set(errors) == {"in variant 'too-much'", "in variant 'negative'",
                           "in variant 'gate'"}
    e = errors["in variant 'too-much'"]
    assert e.key_path == "policy.allocation" and "sum to 1.3" in e.message
    assert e.line == _line_of(path, "policy.allocation.navigation")
    e = errors["in variant 'negative'"]
    assert e.key_path == "parameters.pledge.default_rate"
    assert e.line == _line_of(path, "parameters.pledge.default_rate: -0.2")
    e = errors["in variant 'gate'"]
    assert "asks for 9 targets" in e.message
    assert e.line == _line_of(path, "policy.midterm.min_on_track")


def test_variant_structure_errors(tmp_path):
    """Bad names, non-mapping variants, unknown keys, a missing list item and a changed
    target list are each reported."""
    path = no_drain(tmp_path, {
        "bad name": {"overrides": {}},
        "list": [1, 2],
        "extra": {"overides": {}},
        "item": {"overrides": {"policy.tranches[4].amount": 1}},
        "targets": {"overrides": {"targets[4].id": "smes"}},
        "no-drain": {"overrides": {}},
    })
    messages = " | ".join(str(e) for e in _errors(path))
    for expect in ("variant name 'bad name'", "a variant must be a mapping",
                   "unknown key (did you mean 'overrides'?)", "no item [4]",
                   "a comparison needs the base's targets", "cannot have the base scenario's"):
        assert expect in messages


def test_variant_file_names_its_base(tmp_path):
    """A variant file loads its base relative to itself and builds its one variant."""
    no_drain(tmp_path / "", name="base.yaml")
    vf = tmp_path / "sub" / "v.yaml"
    vf.parent.mkdir()
    vf.write_text("base: ../base.yaml\nname: faster\ndescription: fast track\n"
                  "overrides:\n  policy.fast_track_share: 0.5\n")
    base, (v,) = load_variants(vf)
    assert base.name == "no-drain" and v.name == "faster"
    assert v.policy.fast_track_share == 0.5 and v.file == str(vf)
    base2, chosen = load_variant_specs(tmp_path / "base.yaml", ["pool-plus", str(vf)])
    assert [c.name for c in chosen] == ["pool-plus", "faster"] and base2 == base


def test_variant_file_errors(tmp_path):
    """A variant file with unknown keys, a missing base, or another variant as its base is
    refused with the file's own line."""
    vf = tmp_path / "v.yaml"
    vf.write_text("base: nowhere.yaml\nname: x\nsetting: 1\n")
    messages = [str(e) for e in _errors(vf)]
    assert any("setting: unknown key" in m for m in messages)
    vf.write_text("base: nowhere.yaml\nname: x\n")
    (e,) = _errors(vf)
    assert e.key_path == "base" and "not found" in e.message and e.line == 1
    no_drain(tmp_path, name="base.yaml")
    (tmp_path / "v2.yaml").write_text("base: v.yaml\nname: y\n")
    vf.write_text("base: base.yaml\nname: x\noverrides: {policy.allocation.risk_pool: 2}\n")
    (e,) = _errors(vf)
    assert e.file == str(vf) and e.line == 3 and "in variant 'x'" in e.message
    assert "is a variant file" in _errors(tmp_path / "v2.yaml")[0].message


def test_selection_of_variants(tmp_path):
    """--variants picks by name (did-you-mean for a typo) and refuses another base's file."""
    path = no_drain(tmp_path)
    base, chosen = load_variants(path, ["pool-plus"])
    assert [c.name for c in chosen] == ["pool-plus"]
    with pytest.raises(UsageError, match="did you mean 'pool-plus'"):
        load_variants(path, ["pool-pluss"])
    with pytest.raises(UsageError, match="given twice"):
        load_variants(path, ["same", "same"])
    other = write_scenario(tmp_path, {**default_data(), "name": "other"}, "other.yaml")
    vf = tmp_path / "v.yaml"
    vf.write_text(f"base: {other.name}\nname: z\n")
    with pytest.raises(UsageError, match="is a variant of"):
        load_variants(path, [str(vf)])


def test_base_errors_are_reported_with_variant_key_errors(tmp_path):
    """A broken base does not hide its variants' key errors (all problems at once)."""
    data = default_data()
    data["horizon_months"] = 30
    data["variants"] = {"v": {"overrides": {"policy.budgett": 1}}}
    messages = " | ".join(str(e) for e in _errors(write_scenario(tmp_path, data)))
    assert "multiple of 12" in messages and "did you mean 'budget'?" in messages


def test_reference_documents_variants():
    """docs/scenario.md (generated) documents the variants section."""
    text = render_markdown()
    assert "`variants`" in text and "## `variants:`" in text and "policy.tranches[1].amount" in text
