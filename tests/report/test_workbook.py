"""The workbook read back with openpyxl holds the JSON's numbers, as numbers.

XlsxWriter writes a float with 16 significant digits (Excel itself keeps 15), so numbers are
equal to the JSON's within a relative 1e-15, not bit for bit."""

from __future__ import annotations

import json

import openpyxl
import pytest

EXCEL = 1e-15
"""Relative precision of a number in the workbook (16 significant digits)."""


def _sheet(book, title: str):
    return book[title]


def _rows(ws) -> list[list]:
    """Rows under the header (row 3 of each sheet: caption, blank, header)."""
    rows = []
    for r in ws.iter_rows(min_row=4, values_only=True):
        if all(v is None for v in r):
            break   # a note may follow the table after a blank row
        rows.append(list(r))
    return rows


@pytest.fixture(scope="module")
def book(reports):
    return openpyxl.load_workbook(reports["en"].with_suffix(".xlsx"))


def test_targets_sheet_equals_summary_json(book, study):
    summary = json.loads((study / "summary.json").read_text(encoding="utf-8"))
    ws = _sheet(book, "Targets")
    header = [c.value for c in ws[3]]
    rows = _rows(ws)
    p, lo, hi = (header.index(k) for k in ("Probability met", "95 % interval, low",
                                           "95 % interval, high"))
    expected = [*summary["targets"], summary["all_targets"], summary["midterm_release"]]
    assert len(rows) == len(expected)
    for row, e in zip(rows, expected, strict=True):
        assert (row[p], row[lo], row[hi]) == pytest.approx(
            (e["probability"], e["ci_low"], e["ci_high"]), rel=EXCEL, abs=0)
        assert isinstance(row[p], float)
    assert ws.cell(4, p + 1).number_format == "0.0%"


def test_plan_sheet_is_yuan_per_lever_and_tranche(book, study):
    policy = json.loads((study / "summary.json").read_text(encoding="utf-8"))["policy"]
    rows = _rows(_sheet(book, "Plan"))
    total = rows[-1]
    assert total[2:] == [t["amount"] for t in policy["tranches"]] + [policy["budget"]]
    pool = rows[0]
    assert pool[1] == policy["allocation"]["risk_pool"]
    assert pool[-1] == pytest.approx(policy["allocation"]["risk_pool"] * policy["budget"])


def test_variants_sheet_equals_comparison_json(book, study):
    data = json.loads((study / "compare" / "comparison.json").read_text(encoding="utf-8"))
    ws = _sheet(book, "Variants")
    header = [c.value for c in ws[3]]
    d = header.index("Difference from the base (pp)")
    pv = header.index("McNemar p")
    rows = _rows(ws)[1:]
    for row, v in zip(rows, data["variants"], strict=True):
        assert row[d] == pytest.approx(v["all_targets"]["diff"], rel=EXCEL, abs=0)
        assert row[pv] == pytest.approx(v["all_targets"]["p_value"], rel=EXCEL, abs=0)
    assert ws.cell(5, pv + 1).number_format.startswith("[<0.001]")


def test_provenance_sheet_and_no_formulas(book, study):
    summary = json.loads((study / "summary.json").read_text(encoding="utf-8"))
    values = [v for r in book["Provenance"].iter_rows(values_only=True) for v in r if v]
    assert summary["scenario_sha256"] in values and str(summary["seed"]) in values
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)


def test_zh_workbook_has_chinese_sheets(reports):
    book = openpyxl.load_workbook(reports["zh"].with_suffix(".xlsx"))
    assert {"绩效目标", "资金安排", "方案比较", "数据来源"} <= set(book.sheetnames)
