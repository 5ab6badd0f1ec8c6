"""Class 1: a scenario's or a variant's name is a name, never a path.

Every command refuses a bad name with one line naming the file, the line and the key, and
writes nothing anywhere; a default output folder that resolves outside ``results/`` (a
symbolic link) is refused; names in other scripts work.
"""

from __future__ import annotations

import json
import os

import pytest

from ipsim.scenario.names import MAX_NAME, name_problem
from tests.hostile.conftest import COMMANDS, WRITERS, argv, scenario_text, snapshot

BAD_NAMES = {
    "parent": "../../escaped",
    "absolute": "/tmp/ipsim-escaped",
    "dot": ".",
    "dotdot": "..",
    "nested": "a/b/c",
    "backslash": "a\\b",
    "nul": "x\0y",
    "long": "n" * 300,
    "hidden": ".hidden",
    "dash": "-rf",
    "newline": "two\nlines",
    "space": "a b",
}


CASES = [("run", case) for case in sorted(BAD_NAMES)] + [
    (command, case) for command in COMMANDS if command != "run"
    for case in ("parent", "absolute", "nul", "long")]
"""Every bad name with ``run``; the worst four with every other command."""


@pytest.mark.parametrize("command, case", CASES)
def test_bad_scenario_name_is_refused_by_every_command(case, command, ws, ipsim):
    (ws / "s.yaml").write_text(scenario_text(name=f"name: {json.dumps(BAD_NAMES[case])}"),
                               encoding="utf-8")
    before = snapshot(ws.parent)
    line = ipsim(argv(command)).refused("s.yaml:8:", " name: ")
    assert "name" in line and ("letter or a digit" in line or "characters" in line)
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_bad_variant_name_is_refused_by_every_command(command, ws, ipsim):
    text = scenario_text().replace("  risk-pool-plus:", '  "../../escaped":', 1)
    (ws / "s.yaml").write_text(text, encoding="utf-8")
    before = snapshot(ws.parent)
    ipsim(argv(command)).refused("s.yaml:", "variants.../../escaped", "variant name")
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("command", ["run", "compare", "validate"])
@pytest.mark.parametrize("name", ["../../escaped", "/abs", "x\0y"])
def test_bad_name_in_a_variant_file_is_refused(command, name, ws, ipsim):
    (ws / "v.yaml").write_text(f"base: s.yaml\nname: {json.dumps(name)}\n"
                               "overrides: {policy.fast_track_share: 0.2}\n", encoding="utf-8")
    before = snapshot(ws.parent)
    ipsim(argv(command, "v.yaml")).refused("v.yaml:2:", "name")
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("command", WRITERS)
def test_default_folder_that_resolves_outside_results_is_refused(command, ws, ipsim, tmp_path):
    """``results/<name>`` a symbolic link to a folder elsewhere: refused, nothing written
    there or here."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (ws / "results").mkdir()
    os.symlink(elsewhere, ws / "results" / "key-city-2020")
    before = snapshot(tmp_path)
    ipsim(argv(command)).refused("results/key-city-2020", "outside results/")
    assert snapshot(tmp_path) == before


def test_names_in_other_scripts_are_names(ws, ipsim):
    """A Chinese name is a name: the result goes to results/<name>/ and nowhere else."""
    (ws / "s.yaml").write_text(scenario_text(name="name: 上海-2021.v2"), encoding="utf-8")
    outcome = ipsim(argv("run"))
    assert outcome.status == 0, outcome.err
    assert [p.name for p in (ws / "results").iterdir()] == ["上海-2021.v2"]
    assert (ws / "results" / "上海-2021.v2" / "summary.json").is_file()
    assert name_problem("हिन्दी-1") == "" and name_problem("x" * MAX_NAME) == ""


@pytest.mark.parametrize("stem", ["my city (2019); rm -rf", "a" * 240, "..hidden"])
def test_calibrate_writes_valid_variant_names_whatever_the_history_is_called(stem, ws, ipsim):
    """The variant name and file ``ipsim calibrate`` makes from a history's file name follow
    the name rule; the file stays inside results/ and runs."""
    history = ws / f"{stem}.csv"
    history.write_text((ws / "h.csv").read_text(encoding="utf-8"), encoding="utf-8")
    outcome = ipsim(["calibrate", history.name, "--scenario", "s.yaml", "--quiet"])
    assert outcome.status == 0, outcome.err
    (written,) = (ws / "results" / "key-city-2020" / "calibration").iterdir()
    assert name_problem(written.stem) == ""
    name = next(line.split(": ", 1)[1] for line in written.read_text().splitlines()
                if line.startswith("name: "))
    assert name_problem(name) == ""
    assert ipsim(["validate", str(written)]).status == 0
