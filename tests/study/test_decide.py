"""ipsim optimise and ipsim goal (issue 17): a known optimum, feasibility, reproducibility,
resumption, and goal seeking on a monotone lever and an unreachable goal.

The known optimum: only programme-output targets, no uncertainty in their unit costs, no
background deliveries and a gate that always opens. Each output's total over the period is
then Poisson with mean ``share x budget / unit cost`` (small monthly means: the counts are
drawn by exact inversion), the outputs are independent, and P(all) is a product of Poisson
tails, maximised over the split of the budget by scipy (SLSQP from several starts).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from scipy import optimize, stats

import ipsim
from ipsim.analysis.paired import newcombe_independent_ci
from ipsim.study.allocation import space
from tests.conftest import scenario_from

BUDGET = 24e6
UNIT = 1e6
OUTPUTS = {"navigation": ("navigation_projects", 7), "operation_centres":
           ("operation_centres", 4), "sme_transformation": ("sme_transformations", 9)}
"""Lever -> (output indicator, threshold: more than this many over the period)."""


def _programme_only(data: dict) -> None:
    data["name"] = "programme-only"
    data["horizon_months"] = 12
    data.pop("variants", None)
    data.pop("provenance", None)
    data["policy"] = {"budget": BUDGET, "tranches": [
        {"month": 0, "amount": BUDGET / 2},
        {"month": 6, "amount": BUDGET / 2, "conditional": True}],
        "allocation": {lv: 0.0 for lv in data["policy"]["allocation"]},
        "fast_track_share": 0.1,
        "midterm": {"month": 6, "rule": "always"}}
    data["policy"]["allocation"].update(navigation=0.3, operation_centres=0.3,
                                        sme_transformation=0.4)
    prog = {}
    for output, _ in OUTPUTS.values():
        prog[f"{output}_unit_cost"] = UNIT
        prog[f"{output}_background"] = 0.0
    data["parameters"]["programme"] = prog
    data["targets"] = [{"id": lv, "indicator": out, "measure": "cumulative", "op": ">",
                        "threshold": k} for lv, (out, k) in OUTPUTS.items()]


def _p_all(shares) -> float:
    """Exact P(all) of the programme-only scenario at shares (navigation, centres, sme)."""
    return float(np.prod([stats.poisson.sf(k, max(s, 1e-12) * BUDGET / UNIT)
                          for s, (_, k) in zip(shares, OUTPUTS.values(), strict=True)]))


def _exact_optimum() -> tuple[np.ndarray, float]:
    cons = {"type": "eq", "fun": lambda s: s.sum() - 1.0}
    best = None
    for start in ([1 / 3] * 3, [0.3, 0.2, 0.5], [0.4, 0.2, 0.4]):
        r = optimize.minimize(lambda s: -math.log(_p_all(s)), np.array(start),
                              bounds=[(1e-6, 1)] * 3, constraints=cons, method="SLSQP",
                              options={"ftol": 1e-12})
        if best is None or r.fun < best.fun:
            best = r
    return best.x, _p_all(best.x)


@pytest.fixture(scope="module")
def programme_file(tmp_path_factory):
    s = scenario_from(_programme_only)
    path = tmp_path_factory.mktemp("decide") / "programme-only.yaml"
    path.write_text(yaml.safe_dump(s.raw, sort_keys=False), encoding="utf-8")
    return path


LEVERS = list(OUTPUTS)
SMALL = dict(paths=4096, verify_paths=16384, generations=12, population=6, patience=6)


@pytest.fixture(scope="module")
def known(programme_file):
    return ipsim.optimise(programme_file, shares=LEVERS, keep_total=True, **SMALL)


def test_known_optimum_is_reached(known, programme_file):
    """The winner's exact P(all) is within 0.5 pp of the exact optimum; its verified figure
    agrees with the exact value and with an independent run of its variant file."""
    x_star, p_star = _exact_optimum()
    shares = [known.winner[f"policy.allocation.{lv}"] for lv in LEVERS]
    assert _p_all(shares) >= p_star - 0.005, (shares, x_star)
    w = known.run.winner
    assert w.objective.ci_low <= _p_all(shares) <= w.objective.ci_high
    # an independent run of the winner's variant file, on other paths
    out = programme_file.parent / "optimise"
    data = known.write(out, plots=False)
    variant = ipsim.load_runnable(out / "optimum.yaml")
    again = ipsim.run(variant, paths=16384, seed=12345)
    k1 = data["winner"]["all_targets"]["successes"]
    low, high = newcombe_independent_ci(k1, SMALL["verify_paths"], again.all_targets.k,
                                        again.all_targets.n)
    assert low <= 0.0 <= high
    assert [variant.policy.allocation[lv] for lv in LEVERS] == shares


def test_never_infeasible(known):
    """Every candidate evaluated keeps the bounds and the sum (here: exactly 1)."""
    sp = known.run.space
    values = np.array([c.values for c in known.run.candidates])
    assert sp.feasible(values)
    assert np.all(np.abs(values.sum(axis=1) - 1.0) <= 1e-9)


@pytest.mark.parametrize("keep_total", [False, True])
def test_map_keeps_bounds_and_sum(keep_total):
    s = ipsim.load("scenarios/key-city-2020.yaml")
    bounds = {"risk_pool": (0.2, 0.5), "navigation": (0.05, 0.1), "trusteeship": (0.0, 0.02)}
    sp = space(s, None, bounds, keep_total)
    z = np.random.default_rng(7).uniform(-0.2, 1.2, size=(3000, sp.dim))
    v = sp.values(z)
    assert sp.feasible(v)
    i = {lv: j for j, lv in enumerate(sp.levers)}
    for lv, (lo, hi) in bounds.items():
        assert v[:, i[lv]].min() >= lo - 1e-12 and v[:, i[lv]].max() <= hi + 1e-12
    sums = v.sum(axis=1)
    assert sums.max() <= 1 + 1e-9
    if keep_total:
        assert np.abs(sums - 1.0).max() <= 1e-9
    # a feasible allocation maps to itself
    plan = np.array([[s.policy.allocation[lv] for lv in sp.levers]])
    plan[0, i["trusteeship"]] = 0.02
    plan[0, i["risk_pool"]] += 0.08
    assert np.allclose(sp.values(sp.cube(plan)), plan)


def test_infeasible_bounds_are_refused():
    s = ipsim.load("scenarios/key-city-2020.yaml")
    with pytest.raises(ipsim.api.ArgumentError, match="no allocation"):
        space(s, ["risk_pool", "navigation"], {"risk_pool": (0.6, 0.9), "navigation":
                                               (0.5, 0.6)})


def test_bit_identical_for_workers_and_after_a_resumed_run(programme_file, tmp_path):
    """1 and 2 workers give the same candidates and verified counts; an interrupted run
    resumed from its cache gives the same again, reusing the finished generations."""
    args = dict(shares=LEVERS, keep_total=True, paths=4096, verify_paths=8192, generations=4,
                population=4, patience=4)
    one = ipsim.optimise(programme_file, workers=1, **args).run
    two = ipsim.optimise(programme_file, workers=2, **args).run

    calls = []

    def stop(n, best):
        calls.append(n)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ipsim.optimise(programme_file, cache=tmp_path, progress=stop, **args)
    resumed = ipsim.optimise(programme_file, cache=tmp_path, **args).run
    assert resumed.reused_tasks >= 3
    for other in (two, resumed):
        assert [c.values for c in other.candidates] == [c.values for c in one.candidates]
        assert [c.met for c in other.candidates] == [c.met for c in one.candidates]
        assert [v.all_targets for v in other.verified] == [v.all_targets for v in one.verified]


def test_chance_constraint_and_subset(programme_file):
    """A requirement the plan breaks is kept by the winner on the search paths."""
    r = ipsim.optimise(programme_file, shares=LEVERS, keep_total=True,
                       targets=["navigation", "operation_centres"],
                       require={"sme_transformation": 0.9}, paths=4096, verify_paths=8192,
                       generations=8, population=6, patience=8).run
    best = max(r.candidates, key=lambda c: c.value)
    assert best.value >= 0       # feasible on the search paths
    assert best.met[2] / 4096 >= 0.9
    assert r.objective.column() == 4    # the subset column, after the targets and 'all'


# -- goal seek ---------------------------------------------------------------------------

def _no_defaults(data: dict) -> None:
    data["parameters"]["pledge"]["default_rate"] = 0.0
    data["policy"]["allocation"]["risk_pool"] = 0.0
    data["policy"]["midterm"]["rule"] = "always"
    data["horizon_months"] = 24
    data["targets"] = [t for t in data["targets"] if t["id"] == "pledge_amount"]
    data["targets"][0]["threshold"] = 0.2
    data["policy"]["midterm"]["targets"] = ["pledge_amount"]
    data["policy"]["midterm"]["min_on_track"] = 1
    data.pop("variants", None)


def test_goal_finds_the_least_value_on_a_monotone_lever():
    s = scenario_from(_no_defaults)
    lever = "policy.allocation.risk_pool"
    grid = ipsim.goal(s, "pledge_amount", 0.5, lever, value_range=(0.0, 0.25), paths=4096,
                      verify_paths=8192, grid=6, refine=5).run
    p = [r["probability"] for r in grid.grid]
    assert np.all(np.diff(p) >= 0), p             # the lever is monotone here
    goal_p = float(np.round((p[0] + p[-1]) / 2, 3))
    g = ipsim.goal(s, "pledge_amount", goal_p, lever, value_range=(0.0, 0.25), paths=4096,
                   verify_paths=8192, grid=6, refine=5).run
    assert g.reached and g.monotone
    bound = {r["value"]: r["lower_bound"] for r in g.fine}
    assert bound[g.answer] >= goal_p
    below = g.answer - g.tolerance
    if below >= 0:     # the next value down does not reach it, on the same fresh paths
        check = ipsim.run(ipsim.with_overrides(s, {lever: below}), paths=8192,
                          seed=g.verify_seed)
        from ipsim.study.goal import lower_bound

        assert lower_bound(check.targets[0].attainment.k, 8192) < goal_p
        if below in bound:
            assert bound[below] < goal_p


def test_goal_unreachable_says_so(tmp_path, capsys):
    from tests.conftest import run_cli

    code = run_cli(["goal", "scenarios/key-city-2020.yaml", "--target", "transfers",
                    "--probability", "0.99", "--lever", "policy.allocation.transfer_subsidy",
                    "--balance", "risk_pool", "--range", "0:0.2", "--grid", "3", "--paths",
                    "4096", "--verify-paths", "4096", "--out", str(tmp_path / "g"),
                    "--no-plots"])
    assert code == 0
    out = capsys.readouterr().out
    assert "not reached anywhere in" in out and "the best is" in out
    assert (tmp_path / "g" / "goal.json").is_file()
