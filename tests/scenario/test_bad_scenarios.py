"""Malformed scenarios, one small mutation each: ``ipsim run`` refuses them before starting.

Every case asserts, through the CLI, exit status 2, a ``file:line:column: key.path: message``
line naming the file, the key path, the line and what is wrong, no traceback, and that
nothing was written (the output folder does not exist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ipsim.scenario.yaml_loader import MAX_FILE_BYTES
from tests.scenario.texts import BASE_TEXT, MESSAGE, ROOT, line_of, replace_once, run_cli

BAD = ROOT / "tests" / "data" / "bad"


@dataclass(frozen=True)
class Case:
    """A mutation of the key-city scenario and the problem it must produce.

    ``old`` -> ``new`` is replaced once in the text (``new`` may instead be a function of
    the whole text, with ``old`` None). ``key`` is the key path reported, ``fragment`` a
    piece of the message, ``at`` the line: a text whose first occurrence in the mutated file
    is on it, a line number, or None when the problem has no line.
    """

    id: str
    old: str | None
    new: str | Callable[[str], str]
    key: str
    fragment: str
    at: str | int | None

    def text(self) -> str:
        if callable(self.new):
            return self.new(BASE_TEXT)
        return replace_once(BASE_TEXT, self.old, self.new)


def _drop_line(start: str) -> Callable[[str], str]:
    """Delete the first line that starts with ``start``."""
    def mutate(text: str) -> str:
        lines = text.splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if line.startswith(start))
        return "".join(lines[:i] + lines[i + 1:])
    return mutate


def _drop_block(header: str) -> Callable[[str], str]:
    """Delete a top-level ``header:`` and the indented block under it."""
    def mutate(text: str) -> str:
        lines, out, skipping = text.splitlines(keepends=True), [], False
        for line in lines:
            if line.startswith(header + ":"):
                skipping = True
                continue
            if skipping and (line.startswith((" ", "\n", "#"))):
                continue
            skipping = False
            out.append(line)
        return "".join(out)
    return mutate


GROWTH = "growth: {dist: normal, mean: 0.10, sd: 0.04}"
TRANCHE2 = "{month: 18, amount: 50_000_000, conditional: true}"
T_FIRST = 'indicator: transfers, measure: cagr, op: ">", threshold: 0.20}'
T_EVENT = "indicator: securitisations, measure: event, by_month: 36}"

CASES = [
    # -- YAML syntax: the parser's first error, with its line ------------------------------
    Case("unclosed-flow-mapping", GROWTH, GROWTH[:-1], "(document)", "YAML syntax error",
         "grant_rate:"),
    Case("tab-indent", "  applications: 30_000", "\tapplications: 30_000", "(document)",
         "YAML syntax error: found character '\\t'", "\tapplications"),
    Case("unclosed-quote", 'en: "Pledge amount +30 %/yr", ', 'en: "Pledge amount +30 %/yr, ',
         "(document)", "YAML syntax error", 'en: "Pledge amount'),
    Case("two-documents", None, lambda t: t + "---\nname: other\n", "(document)",
         "expected a single document", "---"),
    Case("control-character", "name: key-city-2020", "name: key-city\x072020", "(document)",
         "character #x0007 is not allowed", "name:"),
    Case("unknown-tag", "seed: 20200507", "seed: !!python/object:os.system 1", "seed",
         "unknown tag", "seed:"),
    Case("bad-explicit-int", "seed: 20200507", "seed: !!int twenty", "seed",
         "cannot read 'twenty' as int", "seed:"),
    Case("mapping-as-key", "start_year: 2020", "? {a: 1}\n: 2\nstart_year: 2020",
         "(document)", "keys must be plain names", "? {a"),
    # -- duplicate keys --------------------------------------------------------------------
    Case("duplicate-top-key", "start_year: 2020", "start_year: 2020\nseed: 1", "seed",
         f"duplicate key (first given on line {line_of(BASE_TEXT, 'seed:')})", "seed: 1"),
    Case("duplicate-baseline-key", "  risk_pool: 0 ", "  transfers: 7_000\n  risk_pool: 0 ",
         "baseline.transfers",
         f"duplicate key (first given on line {line_of(BASE_TEXT, '  transfers:')})",
         "  transfers: 7_000"),
    Case("duplicate-flow-key", "{month: 0, amount", "{month: 0, month: 1, amount",
         "policy.tranches[0].month", "duplicate key", "month: 1"),
    # -- unknown keys, with did-you-mean ---------------------------------------------------
    Case("unknown-top-key", "horizon_months: 36", "horizon_month: 36", "horizon_month",
         "did you mean 'horizon_months'", "horizon_month:"),
    Case("unknown-baseline-key", "pledge_amount: 1.5e9", "pledge_amont: 1.5e9",
         "baseline.pledge_amont", "did you mean 'pledge_amount'", "pledge_amont"),
    Case("unknown-section", "  patents:\n", "  patent:\n", "parameters.patent",
         "did you mean 'patents'", "  patent:"),
    Case("unknown-parameter", "grant_rate:", "grant_rat:", "parameters.patents.grant_rat",
         "did you mean 'grant_rate'", "grant_rat:"),
    Case("unknown-policy-key", "fast_track_share: 0.10", "fast_track_shares: 0.10",
         "policy.fast_track_shares", "did you mean 'fast_track_share'", "fast_track_shares"),
    Case("unknown-lever", "    risk_pool: 0.25", "    risk_pools: 0.25",
         "policy.allocation.risk_pools", "did you mean 'risk_pool'", "risk_pools"),
    Case("unknown-target-key", 'label: {en: "Transfers', 'lable: {en: "Transfers',
         "targets[0].lable", "did you mean 'label'", "lable"),
    Case("unknown-midterm-key", "min_on_track: 2", "min_ontrack: 2",
         "policy.midterm.min_ontrack", "did you mean 'min_on_track'", "min_ontrack"),
    # -- missing required keys -------------------------------------------------------------
    Case("missing-name", None, _drop_line("name:"), "(document)",
         "missing required key 'name'", "description:"),
    Case("missing-budget", None, _drop_line("  budget:"), "policy",
         "missing required key 'budget'", "policy:"),
    Case("missing-baseline", None, _drop_block("baseline"), "(document)",
         "missing required key 'baseline'", "name:"),
    Case("missing-indicator", "indicator: transfers, measure: cagr", "measure: cagr",
         "targets[0]", "missing required key 'indicator'", "{id: transfers"),
    Case("missing-amount", "{month: 0, amount: 100_000_000}", "{month: 0}",
         "policy.tranches[0]", "missing required key 'amount'", "{month: 0}"),
    # -- wrong types -----------------------------------------------------------------------
    Case("horizon-text", "horizon_months: 36", "horizon_months: thirty-six", "horizon_months",
         "must be a whole number", "horizon_months:"),
    Case("seed-list", "seed: 20200507", "seed: [1, 2]", "seed", "must be a whole number",
         "seed:"),
    Case("conditional-text", "conditional: true", "conditional: perhaps",
         "policy.tranches[1].conditional", "must be true or false", "conditional: perhaps"),
    Case("budget-text", "budget: 150_000_000", 'budget: "150 million"', "policy.budget",
         "must be a number", "budget:"),
    Case("name-number", "name: key-city-2020", "name: 42", "name", "must be a non-empty text",
         "name:"),
    Case("share-bool", "fast_track_share: 0.10", "fast_track_share: true",
         "policy.fast_track_share", "must be a number", "fast_track_share"),
    Case("midterm-targets-scalar", "targets: [transfers, pledge_amount, pledge_projects, "
         "turnover]", "targets: transfers", "policy.midterm.targets",
         "must be a list of target ids", "targets: transfers"),
    Case("section-not-mapping", "  securitisation:\n    success: {dist: beta, a: 3.5, b: 6.5}\n"
         "    supported_months: {dist: uniform, low: 3, high: 6}\n"
         "    supported_success: {dist: uniform, low: 0.6, high: 0.9}\n"
         "    support_half: {dist: lognormal, median: 3.0e6, sigma: 0.7}\n"
         "    support_pool_cut: {dist: uniform, low: 0.25, high: 0.75}",
         "  securitisation: 0.5", "parameters.securitisation", "must be a mapping",
         "  securitisation: 0.5"),
    Case("tranches-empty", None, lambda t: replace_once(
        replace_once(t, "    - {month: 0, amount: 100_000_000}\n", ""),
        "    - " + TRANCHE2 + "\n", "").replace("  tranches:\n", "  tranches: []\n"),
        "policy.tranches", "no tranches pay the budget of 1.5e+08 yuan", "tranches: []"),
    # -- numbers out of range --------------------------------------------------------------
    Case("share-above-1", "fast_track_share: 0.10", "fast_track_share: 1.5",
         "policy.fast_track_share", "must be in [0, 1]", "fast_track_share"),
    Case("negative-share", "interest_subsidy: 0.10", "interest_subsidy: -0.10",
         "policy.allocation.interest_subsidy", "must be in [0, 1]", "interest_subsidy"),
    Case("allocation-sum", "    risk_pool: 0.25", "    risk_pool: 0.55", "policy.allocation",
         "shares sum to 1.3; they must sum to at most 1", "allocation:"),
    Case("budget-zero", "budget: 150_000_000", "budget: 0", "policy.tranches",
         "tranches pay 1.5e+08 yuan, more than the budget 0", "  tranches:"),
    Case("budget-negative", "budget: 150_000_000", "budget: -150_000_000", "policy.budget",
         "must be in [0, 1e+12]", "budget:"),
    Case("horizon-zero", "horizon_months: 36", "horizon_months: 0", "horizon_months",
         "must be in [12, 120] months", "horizon_months:"),
    Case("horizon-not-years", "horizon_months: 36", "horizon_months: 30", "horizon_months",
         "must be a multiple of 12", "horizon_months:"),
    Case("tranche-after-horizon", TRANCHE2, TRANCHE2.replace("18", "40"),
         "policy.tranches[1].month", "must be inside the horizon [0, 35]", "month: 40"),
    Case("tranche-negative-month", "{month: 0, amount", "{month: -1, amount",
         "policy.tranches[0].month", "must be >= 0", "month: -1"),
    Case("baseline-count-zero", "applications: 30_000", "applications: 0",
         "baseline.applications", "must be in [1, 1e+08]", "applications: 0"),
    Case("tolerance-above-1", "tolerance: 0.75", "tolerance: 1.5", "policy.midterm.tolerance",
         "must be in [0, 1]", "tolerance:"),
    Case("tranches-over-budget", "{month: 0, amount: 100_000_000}",
         "{month: 0, amount: 200_000_000}", "policy.tranches", "more than the budget",
         "tranches:"),
    Case("parameter-out-of-range", "grant_rate: {dist: uniform, low: 0.47, high: 0.55}",
         "grant_rate: 1.5", "parameters.patents.grant_rate", "must be in [0, 1] fraction",
         "grant_rate:"),
    Case("min-on-track-too-many", "min_on_track: 2", "min_on_track: 5",
         "policy.midterm.min_on_track", "asks for 5 targets on pace but lists 4",
         "min_on_track"),
    Case("huge-number", "budget: 150_000_000", "budget: 1e400", "policy.budget",
         "must be a finite number", "budget:"),
    # -- distributions ---------------------------------------------------------------------
    Case("negative-sd", GROWTH, GROWTH.replace("0.04", "-0.04"), "parameters.patents.growth",
         "invalid normal distribution: sd must be > 0", GROWTH[:20]),
    Case("low-above-high", "low: 0.47, high: 0.55", "low: 0.55, high: 0.47",
         "parameters.patents.grant_rate", "low must be < high", "grant_rate"),
    Case("unknown-distribution", GROWTH, GROWTH.replace("normal", "normall"),
         "parameters.patents.growth.dist", "did you mean 'normal'", "normall"),
    Case("mode-outside", "low: 0.2, mode: 0.5, high: 1.0", "low: 0.2, mode: 1.5, high: 1.0",
         "parameters.transfers.stock_elasticity", "mode must lie in [low, high]",
         "stock_elasticity"),
    Case("mass-outside-range", GROWTH, GROWTH.replace("0.04", "0.5"),
         "parameters.patents.growth", "of its mass outside the allowed range", GROWTH[:20]),
    Case("distribution-not-allowed", "lag_mean: 20", "lag_mean: {dist: normal, mean: 20, sd: 2}",
         "parameters.patents.lag_mean", "a distribution is not allowed", "lag_mean"),
    Case("distribution-without-dist", GROWTH, GROWTH.replace("dist: normal, ", ""),
         "parameters.patents.growth", "a distribution needs 'dist'", "growth: {mean"),
    Case("distribution-missing-arg", GROWTH, GROWTH.replace(", sd: 0.04", ""),
         "parameters.patents.growth", "missing required key 'sd'", "growth: {dist"),
    # -- NaN and infinity ------------------------------------------------------------------
    Case("nan-baseline", "turnover: 1.5e10", "turnover: .nan", "baseline.turnover",
         "must be a finite number", "turnover: .nan"),
    Case("inf-budget", "budget: 150_000_000", "budget: .inf", "policy.budget",
         "must be a finite number", "budget:"),
    Case("nan-distribution-arg", GROWTH, GROWTH.replace("mean: 0.10", "mean: .NaN"),
         "parameters.patents.growth.mean", "must be a finite number", GROWTH[:20]),
    Case("negative-inf-shock", "  pledge: 0.6", "  pledge: -.inf", "shocks.pledge",
         "must be a finite number", "pledge: -.inf"),
    # -- targets ---------------------------------------------------------------------------
    Case("unknown-indicator", T_FIRST, T_FIRST.replace("transfers", "transfer"),
         "targets[0].indicator", "did you mean 'transfers'", "indicator: transfer,"),
    Case("unknown-measure", T_FIRST, T_FIRST.replace("cagr", "carg"), "targets[0].measure",
         "did you mean 'cagr'", "measure: carg"),
    Case("unknown-op", T_FIRST, T_FIRST.replace('">"', '"<"'), "targets[0].op",
         "allowed: >, >=", 'op: "<"'),
    Case("threshold-on-event", T_EVENT, T_EVENT.replace("36}", "36, threshold: 1}"),
         "targets[5].threshold", "an event target takes 'by_month', not 'threshold'",
         "by_month: 36, threshold"),
    Case("event-without-by-month", T_EVENT, T_EVENT.replace(", by_month: 36", ""),
         "targets[5]", "needs 'by_month'", "{id: securitisation,"),
    Case("by-month-after-horizon", T_EVENT, T_EVENT.replace("36}", "48}"),
         "targets[5].by_month", "within the horizon", "by_month: 48"),
    Case("growth-on-output", "indicator: navigation_projects, measure: cumulative",
         "indicator: navigation_projects, measure: cagr", "targets[6].measure",
         "needs a flow indicator", "navigation_projects, measure: cagr"),
    Case("threshold-missing", T_FIRST, T_FIRST.replace(', threshold: 0.20', ""),
         "targets[0]", "a cagr target needs 'threshold'", "{id: transfers"),
    Case("duplicate-target-id", "{id: navigation,", "{id: transfers,", "targets[6].id",
         "target id 'transfers' is used twice", "{id: transfers, label: {en: \"Navigation"),
    Case("midterm-unknown-target", "targets: [transfers, pledge_amount",
         "targets: [transfer, pledge_amount", "policy.midterm.targets[0]",
         "unknown target id 'transfer' (did you mean 'transfers'?)", "[transfer,"),
    # -- the document as a whole -----------------------------------------------------------
    Case("list-document", None, lambda t: "- just\n- a list\n", "(document)",
         "a scenario must be a YAML mapping", 1),
    Case("scalar-document", None, lambda t: "hello\n", "(document)",
         "a scenario must be a YAML mapping", 1),
    Case("empty-file", None, lambda t: "", "(document)", "file is empty", None),
    Case("comments-only", None, lambda t: "# nothing here\n", "(document)", "file is empty",
         None),
    Case("alias-bomb", None, lambda t: "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
        for i in range(6)), "", "more than 100,000 values", None),
    Case("recursive-alias", None, lambda t: "name: &a [*a]\n", "name[0]",
         "a recursive structure", 1),
    Case("deep-nesting", None, lambda t: "name: " + "[" * 1200 + "]" * 1200 + "\n",
         "(document)", "nested too deeply", None),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_scenario_is_refused(case: Case, tmp_path: Path, capsys):
    """``ipsim run`` exits 2 with the file, key path, line and problem; writes nothing."""
    text = case.text()
    scenario = tmp_path / f"{case.id}.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    status, stdout, stderr = run_cli(capsys, scenario, out)
    assert status == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines, "no message"
    parsed = [MESSAGE.match(line) for line in lines]
    assert all(parsed), lines
    assert all(m["file"] == str(scenario) for m in parsed), lines
    hits = [m for m in parsed if case.key in ("", m["key"]) and case.fragment in m["msg"]]
    assert hits, f"expected {case.key}: ...{case.fragment}...; got {lines}"
    if case.at is not None:
        line = case.at if isinstance(case.at, int) else line_of(text, case.at)
        assert int(hits[0]["line"]) == line, lines
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [scenario]  # no staging folder either


FILES = [
    # file under tests/data/bad/, key path, message fragment, line
    ("binary.yaml", "(document)", "file is binary (a NUL byte)", 1),
    ("latin1.yaml", "(document)", "file is not UTF-8 text (byte 0xe9)", 2),
    ("list.yaml", "(document)", "a scenario must be a YAML mapping", 1),
    ("empty.yaml", "(document)", "file is empty", None),
]


@pytest.mark.parametrize("name, key, fragment, line", FILES, ids=[f[0] for f in FILES])
def test_bad_file_is_refused(name, key, fragment, line, tmp_path: Path, capsys):
    """Files that are not scenario text at all: one clear line, exit 2, nothing written."""
    out = tmp_path / "out"
    status, _, stderr = run_cli(capsys, BAD / name, out)
    assert status == 2
    (message,) = stderr.splitlines()
    m = MESSAGE.match(message)
    assert m and m["file"] == str(BAD / name) and m["key"] == key and fragment in m["msg"]
    assert (int(m["line"]) if m["line"] else None) == line
    assert not out.exists()


def test_huge_file_is_refused(tmp_path: Path, capsys):
    """A file over the size limit is refused before it is parsed."""
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(BASE_TEXT + "#" * (MAX_FILE_BYTES + 1), encoding="utf-8")
    status, _, stderr = run_cli(capsys, scenario, tmp_path / "out")
    assert status == 2
    assert stderr == f"{scenario}: (document): file is larger than {MAX_FILE_BYTES:,} bytes; " \
                     "a scenario is a short YAML document\n"
    assert not (tmp_path / "out").exists()


def test_missing_file_is_refused(tmp_path: Path, capsys):
    """A scenario path that does not exist: one line, exit 2."""
    status, _, stderr = run_cli(capsys, tmp_path / "nope.yaml", tmp_path / "out")
    assert (status, stderr) == (2, f"{tmp_path / 'nope.yaml'}: (document): no such file\n")


def test_enough_cases():
    """The issue asks for at least 40 malformed scenarios."""
    assert len(CASES) + len(FILES) + 2 >= 40
    assert len({c.id for c in CASES}) == len(CASES)
