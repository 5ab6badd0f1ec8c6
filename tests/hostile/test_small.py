"""Class 7: the smaller ones. (Formula-like CSV cells are the report branch's: not here.)

A history's bad figure names the history; a tag on a mapping or a list is refused like one
on a value; ``run`` validates the whole file; a threshold written ``"30%"`` is one line that
says to write 0.3; provenance follows overrides and flags contradictions; a signal that
lands in an import still exits 130/143; a temporary whose pid was reused is still cleaned;
an error in ipsim itself is one line, never a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ipsim.runtime import atomic
from tests.conftest import ROOT
from tests.hostile.conftest import COMMANDS, HISTORY, argv, scenario_text, snapshot
from tests.processes import LIMIT_S

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.parametrize("command", ["calibrate", "backtest"])
def test_history_figure_out_of_range_names_the_history(command, ws, ipsim):
    bad = HISTORY.replace(",4900,", ",1.7e9,").replace(",6100,", ",1.8e9,")  # 2017, 2019
    (ws / "h.csv").write_text(bad, encoding="utf-8")
    before = snapshot(ws.parent)
    line = ipsim(argv(command)).refused("baseline.transfers", "comes from the history")
    assert line.startswith("h.csv: ") and "s.yaml" not in line
    assert snapshot(ws.parent) == before


TAGS = {
    "mapping": "baseline: !!python/object/apply:os.system {args: [touch PLANTED]}",
    "list": "targets: !!python/object/apply:os.system [touch PLANTED]",
    "set": "baseline: !!set {applications, transfers}",
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(TAGS))
def test_tag_on_a_mapping_or_list_is_refused(case, command, ws, ipsim):
    key = TAGS[case].split(":")[0]
    text = scenario_text().replace(f"\n{key}:", f"\n{TAGS[case]}\nunused_{key}:", 1)
    (ws / "s.yaml").write_text(text, encoding="utf-8")
    before = snapshot(ws.parent)
    outcome = ipsim(argv(command))
    assert outcome.status == 2 and "Traceback" not in outcome.err
    first = outcome.err.splitlines()[0]
    assert first.startswith("s.yaml:") and f" {key}: unknown tag '!!" in first, outcome.err
    assert snapshot(ws.parent) == before


@pytest.mark.parametrize("edit, key", [
    (("policy.allocation.risk_pool: 0.35", "policy.allocaton.risk_pool: 0.35"),
     "variants.risk-pool-plus.overrides.policy.allocaton.risk_pool"),
    (("policy.allocation.risk_pool: 0.35", "policy.allocation.risk_pool: 1.5"),
     "policy.allocation.risk_pool"),
])
def test_run_validates_the_variants_as_validate_does(edit, key, ws, ipsim):
    (ws / "s.yaml").write_text(scenario_text().replace(*edit, 1), encoding="utf-8")
    before = snapshot(ws.parent)
    validate = ipsim(argv("validate"))
    assert validate.status == 2
    for command in ("run", "sensitivity", "sweep", "calibrate"):
        outcome = ipsim(argv(command))
        assert outcome.status == 2 and key in outcome.err, outcome.err
        assert outcome.err == validate.err, command
    assert snapshot(ws.parent) == before


def test_threshold_written_as_a_percentage_is_one_line(ws, ipsim):
    (ws / "s.yaml").write_text(scenario_text().replace('op: ">", threshold: 0.20}',
                                                       'op: ">", threshold: "30%"}', 1),
                               encoding="utf-8")
    for command in ("validate", "run"):
        line = ipsim(argv(command)).refused("s.yaml:", "targets[0].threshold", "30%")
        assert "0.3 for 30%" in line


def test_provenance_of_an_overridden_figure_is_the_variants(ws, ipsim):
    """summary.json of a variant: the overridden figure's entry has the variant's value
    and names the variant, not the base's value and source."""
    (ws / "v.yaml").write_text("base: s.yaml\nname: quick\noverrides: "
                               "{policy.fast_track_share: 0.4}\n", encoding="utf-8")
    assert ipsim(argv("run", "v.yaml")).status == 0
    summary = json.loads((ws / "results" / "quick" / "summary.json").read_text())
    (entry,) = [p for p in summary["provenance"] if p["key"] == "policy.fast_track_share"]
    assert entry["value"] == 0.4 and entry["overridden_by"] == "variant 'quick'"
    assert entry["source"] == "variant 'quick'" and "seed 002" not in json.dumps(entry)
    kept = [p for p in summary["provenance"] if p["key"] == "policy.budget"]
    assert kept[0]["value"] == 150_000_000 and "overridden_by" not in kept[0]


def test_provenance_of_a_calibrated_figure_is_the_calibrations(ws, ipsim):
    assert ipsim(argv("calibrate", out="cal.yaml")).status == 0
    assert ipsim(argv("run", "cal.yaml")).status == 0
    (folder,) = (ws / "results").iterdir()
    summary = json.loads((folder / "summary.json").read_text())
    entry = next(p for p in summary["provenance"] if p["key"] == "baseline.transfers")
    assert entry["value"] == 6100 and entry["overridden_by"].startswith("variant ")


@pytest.mark.parametrize("old, new, says", [
    ("policy.budget: {value: 150_000_000,", "policy.budget: {value: 100_000_000,",
     "provenance says 1e+08, the file says 1.5e+08"),
    ('parameters.pledge.growth: {value: "normal(0.18, 0.08)"',
     'parameters.pledge.growth: {value: "normal(0.18, 0.05)"',
     "provenance says normal(0.18, 0.05), the file says normal(0.18, 0.08)"),
])
def test_provenance_that_contradicts_its_figure_is_flagged(old, new, says, ws, ipsim):
    (ws / "s.yaml").write_text(scenario_text().replace(old, new, 1), encoding="utf-8")
    outcome = ipsim(argv("validate"))
    assert outcome.status == 0 and outcome.out == "s.yaml: ok\n"
    (line,) = outcome.err.splitlines()
    assert line.startswith("s.yaml:") and f"value: warning: {says}" in line


def test_shipped_scenarios_validate_without_a_warning(ipsim):
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    outcome = ipsim(["validate", *files])
    assert (outcome.status, outcome.err) == (0, "")


_HOOK = """
import os, signal, sys, importlib.abc, importlib.machinery
class Hook(importlib.abc.MetaPathFinder):   # SIGTERM while matplotlib.pyplot is imported
    def find_spec(self, name, path, target=None):
        if name != "matplotlib.pyplot":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module
        def exec_module(module):
            os.kill(os.getpid(), signal.SIGTERM)
            return run(module)
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Hook())
from ipsim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigterm_while_matplotlib_is_imported_exits_143(ws):
    p = subprocess.run([sys.executable, "-c", _HOOK, *argv("run")[:-2], "--quiet"], cwd=ws,
                       env=ENV, capture_output=True, text=True, timeout=LIMIT_S)
    assert p.returncode == 143 and p.stderr.startswith("ipsim: terminated"), p.stderr
    assert p.stderr.count("\n") == 1 and not (ws / "results").exists()


def test_signal_that_surfaces_as_another_exception_is_still_the_signal(ws, ipsim,
                                                                       monkeypatch):
    """Raised inside an import or a C extension, a signal can come out as SystemError or
    ImportError: the command still exits 143 with its one line."""
    from ipsim import cli

    def interrupted_import(args, arm):
        os.kill(os.getpid(), signal.SIGTERM)   # noted, not raised: not armed yet
        raise ImportError("initialization of _x raised unreported exception")

    monkeypatch.setitem(cli.COMMANDS, "validate", interrupted_import)
    outcome = ipsim(argv("validate"))
    assert outcome.status == 143 and outcome.err.startswith("ipsim: terminated")


def test_error_in_ipsim_itself_is_one_line(ws, ipsim, monkeypatch):
    from ipsim import cli

    def bug(args, arm):
        raise KeyError("oops")

    monkeypatch.setitem(cli.COMMANDS, "validate", bug)
    outcome = ipsim(argv("validate"))
    assert outcome.status == 1 and outcome.err.count("\n") == 1
    assert outcome.err.startswith("ipsim: internal error: KeyError")
    assert "IPSIM_DEBUG" in outcome.err
    monkeypatch.setenv("IPSIM_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(argv("validate"))


def test_temporary_whose_pid_was_reused_is_cleaned(tmp_path):
    """The owner of a temporary is its pid *and* start time (and machine): a live process
    that started at another time does not keep it; the real owner, or a recent temporary
    of another machine, does."""
    parent = os.getppid()
    start, host = atomic.start_time(parent), atomic._host()
    reused = tmp_path / f".out.new-{parent}-{start + 1}-{host}-abc"
    owned = tmp_path / f".out.new-{parent}-{start}-{host}-def"
    foreign = tmp_path / f".out.old-{parent}-{start}-deadbeef-ghi"
    old_foreign = tmp_path / ".out.new-1-1-deadbeef-jkl"
    for folder in (reused, owned, foreign, old_foreign):
        folder.mkdir()
    week = time.time() - (atomic.FOREIGN_HOST_DAYS + 1) * 86400
    os.utime(old_foreign, (week, week))
    assert sorted(atomic.clean_stale(tmp_path / "out")) == sorted([reused, old_foreign])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([owned.name, foreign.name])
