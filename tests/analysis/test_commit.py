"""Commit levels (issue 17, item 3): the level met with 80 % odds, used as the threshold of a
second run on other paths, is met with 80 % odds within the sampling error of both runs;
the order-statistic interval covers the quantile."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

import ipsim
from ipsim.analysis.commit import commit_levels
from ipsim.scenario.params import Target
from tests.conftest import scenario_from

N = 8192


def _short(data: dict) -> None:
    data.pop("variants", None)


def test_committed_level_gives_its_odds_in_a_second_run():
    s = scenario_from(_short)
    first = ipsim.run(s, paths=N, seed=11)
    levels = first.commit()
    overrides = {}
    for j, t in enumerate(s.targets):
        c80 = next(c for c in levels[t.id] if c.odds == 0.8)
        assert c80.paths == N and c80.achieved >= 0.8 - 1.0 / N
        if t.measure == "event":
            overrides[f"targets[{j}].by_month"] = int(c80.level)
        else:
            overrides[f"targets[{j}].threshold"] = c80.level
    second = ipsim.run(ipsim.with_overrides(s, overrides), paths=N, seed=12)
    # sd of the second run's share at the first run's level: both runs' binomial error
    # (discrete measures can only overshoot: their level keeps P >= 0.8 on the first run)
    sd = math.sqrt(0.8 * 0.2 / N * 2)
    for t, r in zip(s.targets, second.targets, strict=True):
        discrete = t.measure in ("cumulative", "event")
        low = 0.8 - 4 * sd
        high = 0.8 + 4 * sd if not discrete else 1.0
        assert low <= r.probability <= high, (t.id, r.probability)
    summary = first.summary()
    assert set(summary["targets"][0]["commit"]) == {"0.5", "0.8", "0.9"}


def test_quantile_interval_covers_the_true_level():
    """Levels of Normal(0, 1) values: the 80 % level estimates the 20 % quantile, and the
    intervals of many samples cover it at least 95 % of the time (within binomial error)."""
    t = Target("x", "transfers", "cagr", ">", 0.0)
    rng = np.random.default_rng(5)
    true = stats.norm.ppf(0.2)
    hits = 0
    reps = 400
    for _ in range(reps):
        c = commit_levels(t, rng.standard_normal(500), (0.8,))[0]
        hits += c.ci_low <= true <= c.ci_high
    assert hits / reps >= 0.95 - 3 * math.sqrt(0.05 * 0.95 / reps)


def test_count_level_respects_the_strict_operator():
    t = Target("n", "navigation_projects", "cumulative", ">", 5)
    values = np.array([3.0] * 10 + [6.0] * 85 + [9.0] * 5)
    c = commit_levels(t, values, (0.8,))[0]
    assert c.level == 5.0 and c.achieved == 0.9    # "> 5" is met on the 90 paths with 6, 9
