"""History files: what parses, and malformed files -> one line naming file, line and column,
exit status 2, nothing written."""

from __future__ import annotations

import numpy as np
import pytest

from ipsim.calibration.history import parse_history, read_history
from ipsim.errors import UsageError
from tests.conftest import DEFAULT_SCENARIO, run_cli

GOOD = """# made-up figures for a test; units: counts per year, yuan per year
year,applications,transfers,pledge_amount
2016,20000,4000,1.0e9
2017,22000,,1_100_000_000
2018,,4600,
2019,26000,5100,1.3e9
"""


_main = run_cli


def test_good_file_with_gaps_parses():
    h = parse_history(GOOD, "good.csv")
    assert h.frequency == "year"
    assert list(h.periods) == [2016, 2017, 2018, 2019]
    assert h.values["pledge_amount"][1] == 1.1e9
    assert np.isnan(h.values["transfers"][1]) and np.isnan(h.values["applications"][2])
    assert h.upto(2017).periods.tolist() == [2016, 2017]


def test_monthly_file_sums_to_complete_years():
    rows = [f"2018-{m:02d},{100 + m},{'' if m == 5 else 10}" for m in range(1, 13)]
    rows += [f"2019-{m:02d},{200 + m},20" for m in range(1, 13)]
    h = parse_history("month,applications,transfers\n" + "\n".join(rows) + "\n")
    years, annual = h.annual()
    assert years.tolist() == [2018, 2019]
    assert annual["applications"].tolist() == [sum(100 + m for m in range(1, 13)),
                                               sum(200 + m for m in range(1, 13))]
    assert np.isnan(annual["transfers"][0]) and annual["transfers"][1] == 240


BAD = {
    "missing year": ("year,applications\n2016,1\n2018,2\n", ":3: column 'year'", "missing"),
    "repeated year": ("year,applications\n2016,1\n2016,2\n", ":3: column 'year'", "repeated"),
    "negative": ("# c\nyear,transfers\n2016,5\n2017,-3\n", ":4: column 'transfers'", ">= 0"),
    "text": ("year,turnover\n2016,1e9\n2017,about 2e9\n", ":3: column 'turnover'",
             "not a number"),
    "unknown column": ("year,transfer\n2016,5\n", ":1: column 2", "did you mean 'transfers'"),
    "empty": ("# nothing but a comment\n", "empty history file", "no header"),
    "bad month": ("month,transfers\n2016-13,5\n", ":2: column 'month'", "2019-03"),
    "short row": ("year,transfers,turnover\n2016,5\n", ":2:", "2 cells"),
    "first column": ("yr,transfers\n2016,5\n", ":1:", "did you mean 'year'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_history_is_one_line_naming_row_and_column(case):
    text, where, what = BAD[case]
    with pytest.raises(UsageError) as exc:
        parse_history(text, "h.csv")
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith("h.csv")
    assert where in message and what in message


@pytest.mark.parametrize("command", ["calibrate", "backtest"])
def test_cli_malformed_history_exit_2_nothing_written(tmp_path, capsys, command):
    bad = tmp_path / "h.csv"
    bad.write_text("year,transfers\n2016,5\n2017,x\n2018,7\n", encoding="utf-8")
    out = tmp_path / ("cal.yaml" if command == "calibrate" else "bt")
    extra = ["--origin", "2017"] if command == "backtest" else []
    code = _main([command, str(bad), "--scenario", str(DEFAULT_SCENARIO), "--out", str(out),
                  *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and f"{bad}:3: column 'transfers'" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv"]


def test_unreadable_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="cannot read"):
        read_history(tmp_path / "absent.csv")
