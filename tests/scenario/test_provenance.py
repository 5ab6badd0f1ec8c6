"""The ``provenance:`` section: checked key paths and kinds, carried into summary.json."""

from __future__ import annotations

import json

import pytest

from ipsim.cli import main
from ipsim.errors import ScenarioErrors
from ipsim.scenario.provenance import KINDS, Source, uncovered
from tests.scenario.texts import BASE_TEXT, MESSAGE, line_of

ENTRY = "{value: 6000, unit: deals/yr, source: seed 004, kind: assumption}"


def _with_provenance(block: str) -> str:
    """The key-city scenario with its ``provenance:`` section replaced by ``block``."""
    return BASE_TEXT.split("\nprovenance:\n")[0] + "\nprovenance:\n" + block


def _validate(tmp_path, capsys, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    status = main(["validate", str(path)])
    return status, capsys.readouterr().err.strip().splitlines()


def test_entries_are_carried_on_the_scenario(make_scenario):
    """Every entry becomes a Source with its key, value, unit, source, kind and note."""
    def add(data):
        data["provenance"] = {
            "baseline.transfers": {"value": 6000, "unit": "deals/yr", "source": "seed 004",
                                   "kind": "assumption", "note": "sized from national"},
            "targets[1].threshold": {"value": "30 %", "unit": "1/yr", "source": "seed 004",
                                     "kind": "fact"}}
    s = make_scenario(add)
    assert s.provenance == (
        Source("baseline.transfers", 6000, "deals/yr", "seed 004", "assumption",
               "sized from national"),
        Source("targets[1].threshold", "30 %", "1/yr", "seed 004", "fact", ""))


@pytest.mark.parametrize("key, fragment", [
    ("baseline.transfer", "did you mean 'transfers'"),
    ("baselin.transfers", "did you mean 'baseline'"),
    ("parameters.pledge.default_rat", "did you mean 'default_rate'"),
    ("parameters.pledg.growth", "did you mean 'pledge'"),
    ("policy.budgett", "did you mean 'budget'"),
    ("seed", "provenance documents keys under"),
    ("targets[10].threshold", "no item [10]"),
    ("baseline..transfers", "not a key path"),
])
def test_unknown_key_path_is_one_line_with_its_position(tmp_path, capsys, key, fragment):
    """A misspelt or absent key path: exit 2, one line file:line:col naming the key."""
    text = _with_provenance(f"  {key}: {ENTRY}\n")
    status, lines = _validate(tmp_path, capsys, text)
    assert status == 2 and len(lines) == 1, lines
    m = MESSAGE.match(lines[0])
    assert m and fragment in m["msg"], lines[0]
    assert int(m["line"]) == line_of(text, f"  {key}:")
    assert m["key"].startswith("provenance.")


def test_kind_must_be_one_of_the_allowed(tmp_path, capsys):
    """kind: a misspelt kind names the allowed ones, with a did-you-mean."""
    entry = ENTRY.replace("kind: assumption", "kind: asumption")
    status, lines = _validate(tmp_path, capsys, _with_provenance(f"  baseline.transfers: "
                                                                 f"{entry}\n"))
    assert status == 2 and len(lines) == 1
    assert "did you mean 'assumption'" in lines[0]
    assert all(k in lines[0] for k in KINDS)


@pytest.mark.parametrize("entry, fragment", [
    ("{value: 6000, unit: deals/yr, kind: fact}", "missing required key 'source'"),
    ("{value: 6000, unit: deals/yr, source: x, kind: fact, sorce: y}",
     "unknown key (did you mean 'source'?)"),
    ("{value: [1, 2], unit: deals/yr, source: x, kind: fact}", "a number or a short text"),
    ("6000", "must be a mapping"),
])
def test_malformed_entry_is_reported(tmp_path, capsys, entry, fragment):
    """Missing or unknown entry keys, a list as value, a bare number: exit 2, one line."""
    status, lines = _validate(tmp_path, capsys,
                              _with_provenance(f"  baseline.transfers: {entry}\n"))
    assert status == 2 and len(lines) == 1 and fragment in lines[0], lines


def test_uncovered_lists_figures_without_an_entry():
    """Baseline keys, shocks, parameters and the budget lack entries until documented;
    a distribution argument's entry covers its parameter."""
    data = {"baseline": {"transfers": 1, "turnover": 2}, "shocks": {"pledge": 0.5},
            "parameters": {"pledge": {"growth": {"dist": "normal", "mean": 0.1, "sd": 0.1}}},
            "policy": {"budget": 1}}
    assert uncovered(data, ()) == [
        "baseline.transfers", "baseline.turnover", "shocks.pledge", "parameters.pledge.growth",
        "policy.budget"]
    sources = tuple(Source(k, 1, "u", "s", "fact") for k in (
        "baseline.transfers", "baseline.turnover", "shocks.pledge",
        "parameters.pledge.growth.sd", "policy.budget"))
    assert uncovered(data, sources) == []


def test_provenance_goes_into_summary_json(tmp_path, capsys):
    """summary.json has a 'provenance' list with each entry as written."""
    path = tmp_path / "s.yaml"
    path.write_text(_with_provenance(f"  baseline.transfers: {ENTRY}\n"), encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out), "--paths", "500", "--quiet",
                   "--no-plots"])
    assert status == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"] == [{"key": "baseline.transfers", "value": 6000,
                                      "unit": "deals/yr", "source": "seed 004",
                                      "kind": "assumption", "note": ""}]


def test_provenance_does_not_change_results(make_scenario):
    """The same scenario with and without provenance draws the same paths."""
    from ipsim.study import pipeline

    def add(data):
        data["provenance"] = {"policy.budget": {"value": 1.5e8, "unit": "yuan",
                                                "source": "seed 004", "kind": "fact"}}
    a, b = make_scenario(), make_scenario(add)
    ra = pipeline.run([a], 500, 3).base.tally
    rb = pipeline.run([b], 500, 3).base.tally
    assert (ra.met == rb.met).all() and ra.released == rb.released


def test_variants_cannot_override_provenance(tmp_path, capsys):
    """provenance is not a variant override (it documents the base)."""
    text = BASE_TEXT.replace("      policy.fast_track_share: 0.40",
                             "      provenance.x: 1", 1)
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    status = main(["compare", str(path), "--out", str(tmp_path / "o"), "--paths", "100",
                   "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and "variant's inputs are documented" in err, err


def test_no_entries_is_allowed(make_scenario):
    """A scenario without provenance loads, with an empty tuple."""
    with pytest.raises(ScenarioErrors):
        make_scenario(lambda d: d.update(provenance=[1]))
    assert make_scenario(lambda d: d.pop("provenance")).provenance == ()


def test_docs_scenario_md_is_the_generated_reference():
    """docs/scenario.md equals `python -m ipsim.scenario.reference` (regenerate it after edits)
    and documents the provenance section."""
    from ipsim.scenario.reference import render_markdown
    from tests.scenario.texts import ROOT

    text = render_markdown()
    assert (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8") == text
    assert "## `provenance:`" in text
