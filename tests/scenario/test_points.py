"""Points of a sweep: the ``--param`` forms (:mod:`ipsim.cli.parsing`), their errors, the balance
and infeasible points."""

from __future__ import annotations

import pytest

from ipsim.cli.parsing import parse_lever, parse_names
from ipsim.errors import ArgumentError, UsageError
from ipsim.scenario.points import check_balance, load_points
from tests.conftest import DEFAULT_SCENARIO


def test_range_and_list_forms():
    """START:STOP:N gives N values with both ends, exact decimals, whole numbers kept whole;
    a list keeps numbers, texts and its order."""
    lv = parse_lever("policy.allocation.risk_pool=0.1:0.4:4")
    assert lv.path == ("policy", "allocation", "risk_pool") and lv.label == "risk_pool"
    assert lv.values == (0.1, 0.2, 0.3, 0.4)
    assert parse_lever("policy.midterm.min_on_track=1:4:4").values == (1, 2, 3, 4)
    assert parse_lever("policy.tranches[1].amount=2e7,5e7").values == (2e7, 5e7)
    assert parse_lever("policy.midterm.rule = never,always").values == ("never", "always")
    assert parse_lever("policy.fast_track_share=0.3:0.3:1").values == (0.3,)


@pytest.mark.parametrize("text, message", [
    ("policy.allocation.risk_pool", "write KEY=START:STOP:N or KEY=v1,v2"),
    ("policy.allocation.risk_pol=0.1:0.2:2", "did you mean 'risk_pool'?"),
    ("policy.alocation.risk_pool=0.1,0.2", "did you mean 'allocation'?"),
    ("seed=1,2", "cannot be overridden"),
    ("policy..x=1", "not a key path"),
    ("policy.allocation.risk_pool=0.1:0.2", "START:STOP:N (three parts)"),
    ("policy.allocation.risk_pool=0.1:0.2:0", "whole number N >= 1"),
    ("policy.allocation.risk_pool=a:0.2:3", "whole number N >= 1"),
    ("policy.allocation.risk_pool=0.1:0.2:1", "N = 1 needs START = STOP"),
    ("policy.allocation.risk_pool=0.1,0.1", "given twice"),
    ("policy.allocation.risk_pool=0.1,,0.2", "empty value"),
])
def test_bad_param_is_one_line_naming_it(text, message):
    """Each malformed ``--param`` is an error of one line naming the argument, the key and the
    fix; the command line shows it under the flag."""
    with pytest.raises(ArgumentError) as err:
        parse_lever(text)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert err.value.argument == "levers" and str(err.value).startswith("levers ")
    assert err.value.render("--param").startswith("--param ")


def test_balance_checks():
    """The balance names allocation shares that are not swept, and needs a swept share."""
    pool = [parse_lever("policy.allocation.risk_pool=0.2,0.3")]

    def parse_balance(text, levers):
        return check_balance(parse_names(text), levers)

    assert parse_balance("interest_subsidy, policy.allocation.navigation", pool) == \
        ("interest_subsidy", "navigation")
    for text, message in [("interest_subsidi", "did you mean 'interest_subsidy'?"),
                          ("risk_pool", "is swept"), ("navigation,navigation", "given twice")]:
        with pytest.raises(UsageError, match=message.replace("?", r"\?")):
            parse_balance(text, pool)
    with pytest.raises(UsageError, match="needs a swept share"):
        parse_balance("navigation", [parse_lever("policy.fast_track_share=0.1,0.2")])


def test_constraint_makes_a_point_infeasible_and_balance_keeps_the_sum():
    """The default allocation sums to 1: a bigger pool alone breaks the sum (infeasible, not
    an error); balanced from two shares in proportion it is feasible with the same sum, until
    the balance shares would go below 0."""
    levers = [parse_lever("policy.allocation.risk_pool=0.25,0.3,0.5")]
    base, points = load_points(DEFAULT_SCENARIO, levers)
    assert [p.feasible for p in points] == [True, False, False]
    assert "sum to at most 1" in points[1].infeasible
    balance = ("interest_subsidy", "trusteeship")
    _, points = load_points(DEFAULT_SCENARIO, levers, balance)
    assert [p.feasible for p in points] == [True, True, False]
    assert "the balance cannot offset" in points[2].infeasible
    shares = points[1].scenario.policy.allocation
    assert sum(shares.values()) == pytest.approx(sum(base.policy.allocation.values()), abs=1e-12)
    # 0.05 taken from two shares of 0.10 each: 0.025 from each
    assert shares["interest_subsidy"] == pytest.approx(0.075, abs=1e-12)
    assert shares["trusteeship"] == pytest.approx(0.075, abs=1e-12)
    assert points[0].scenario.policy == base.policy


def test_out_of_range_value_is_a_bad_argument():
    """A value the schema refuses on its own (a share above 1) is an error, not infeasible."""
    with pytest.raises(UsageError, match=r"levers policy.allocation.navigation=1.5: "
                                         r"policy.allocation.navigation: must be"):
        load_points(DEFAULT_SCENARIO, [parse_lever("policy.allocation.navigation=0.1,1.5")])
    with pytest.raises(UsageError, match="one or two levers"):
        load_points(DEFAULT_SCENARIO, [parse_lever(f"policy.allocation.{k}=0.1,0.2")
                                       for k in ("navigation", "trusteeship", "certification")])
