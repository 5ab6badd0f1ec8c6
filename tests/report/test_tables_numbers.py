"""CSV for Excel (BOM, header first, rounded floats, formulas neutralised), numbers as people
read them, terminal tables aligned by display width."""

from __future__ import annotations

import csv

import pytest

from ipsim.report import numbers as num
from ipsim.report.tables import csv_cell, write_csv
from ipsim.report.terminal import table, width


def test_csv_for_excel(tmp_path):
    rows = [{"label": '=HYPERLINK("http://evil","x")', "p": 0.7108668683442265, "n": 14343,
             "d": -0.0056, "amount": 1.5e10, "p_value": 7.7e-34, "neg_text": "-0.5",
             "plus": "+cmd|' /C calc'!A0", "at": "@SUM(A1)", "none": None}]
    path = tmp_path / "t.csv"
    write_csv(path, rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:].startswith(b"label,p,n,")
    (row,) = csv.DictReader(raw.decode("utf-8-sig").splitlines())
    assert row["label"] == "'" + rows[0]["label"]
    assert row["plus"].startswith("'+") and row["at"].startswith("'@")
    assert row["p"] == "0.7108668683" and row["n"] == "14343" and row["d"] == "-0.0056"
    assert row["amount"] == "15000000000" and float(row["p_value"]) == 7.7e-34
    assert row["neg_text"] == "-0.5" and row["none"] == ""


@pytest.mark.parametrize("value, cell", [(0.1 + 0.2, "0.3"), (-2.5, "-2.5"), (3, 3),
                                         (True, "True"), (1e-7, "1e-07"),
                                         ("\tx", "'\tx"), ("a=b", "a=b")])
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


def test_run_csvs_are_for_excel(study):
    """What ipsim run wrote: BOM, header on line 1, no 16-digit noise."""
    for name in ("attainment.csv", "indicators.csv"):
        text = (study / name).read_bytes()
        assert text.startswith(b"\xef\xbb\xbf") and not text[3:].startswith(b"#")
        for r in csv.reader(text.decode("utf-8-sig").splitlines()[1:]):
            for cell in r:
                if not cell.replace("-", "").replace(".", "").replace("e", "").isdigit():
                    continue   # a text
                digits = cell.split("e")[0].lstrip("-").replace(".", "").strip("0")
                assert len(digits) <= 10, cell


@pytest.mark.parametrize("x, zh, en", [
    (1.5e8, "1.5 亿元", "150 million yuan"), (3.0e7, "3,000 万元", "30 million yuan"),
    (5.0e7, "5,000 万元", "50 million yuan"), (2.5e10, "250 亿元", "25 billion yuan"),
    (8000, "8,000 元", "8,000 yuan"), (37_500_000, "3,750 万元", "37.5 million yuan")])
def test_yuan(x, zh, en):
    assert num.yuan(x, "zh") == zh and num.yuan(x, "en") == en


def test_probabilities_and_p_values():
    assert num.percent(0.37624, "en") == "37.6 %" and num.percent(0.37624, "zh") == "37.6%"
    assert num.p_value(1.4e-163) == "< 0.001" and num.p_value(0.19) == "0.190"
    assert num.points(0.0027, "en") == "+0.27 pp" and num.points(-0.0027, "zh") == \
        "-0.27 个百分点"
    assert num.interval(0.36, 0.383, "zh") == "36.0%～38.3%"
    assert num.measure_value(0.172, "cagr", "en") == "+17.2 %/yr"
    assert num.measure_value(27, "event", "zh") == "第 27 个月"
    assert num.measure_value(float("nan"), "cagr") == "—"
    assert "e+" not in num.count(5e9) and num.count(5e9) == "5,000,000,000"


def test_terminal_table_aligns_chinese():
    rows = [["绩效目标", "达成概率"], ["专利转让许可次数年均增长 20% 以上", "71.7%"],
            ["Pledge amount +30 %/yr", "37.6%"], ["全部目标同时达成", "3.8%"]]
    lines = table(rows, "<>")
    assert len({width(line) for line in lines}) == 1   # right-aligned last column ends together
    assert width("知识产权") == 8 and width("ab") == 2
