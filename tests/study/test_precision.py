"""Runs that stop at a precision: the same numbers as a run of the paths used, on any number
of workers; the stopping rule keeps the intervals' coverage (measured on a closed form)."""

from __future__ import annotations

import numpy as np
import pytest

import ipsim
from ipsim.analysis.attainment import proportion
from ipsim.engines.streams import BLOCK, Streams, block_sizes
from ipsim.errors import ArgumentError
from ipsim.model.paths import IndicatorPaths
from ipsim.study import pipeline
from tests.conftest import DEFAULT_SCENARIO


def _odds(r) -> list:
    return [*(t.attainment.k for t in r.targets), r.all_targets.k, r.midterm_release.k]


def test_stopped_run_equals_a_run_of_the_paths_used():
    """A run stopped at 1 pp stops at a whole chunk, reports the paths used and the precision
    reached, and gives the same counts as a run of that many paths, on 1 and 2 workers."""
    kw = dict(seed=11, chunk_paths=BLOCK)
    one = ipsim.run(DEFAULT_SCENARIO, paths=20 * BLOCK, precision=0.01, **kw)
    two = ipsim.run(DEFAULT_SCENARIO, paths=20 * BLOCK, precision=0.01, workers=2, **kw)
    used = one.n
    assert used % BLOCK == 0 and BLOCK <= used < 20 * BLOCK
    assert (two.n, _odds(two)) == (used, _odds(one))
    plain = ipsim.run(DEFAULT_SCENARIO, paths=used, **kw)
    assert _odds(plain) == _odds(one)
    # the kept paths too: chunks past the stop (run in the same round) leave no trace
    ref = plain.simulation.base.paths()
    for stopped in (one, two):
        kept = stopped.simulation.base.paths()
        assert kept.n == ref.n == used
        for name in ref.yearly:
            assert np.array_equal(kept.yearly[name], ref.yearly[name]), name
    sim = one.simulation
    assert sim.reached <= 0.01 < pipeline.run([one.scenario], used - BLOCK, 11,
                                              chunk_paths=BLOCK, keep_paths=0,
                                              precision=0.01).reached
    summary = one.summary()
    assert summary["precision"] == {"asked": 0.01, "reached": sim.reached, "paths_used": used,
                                    "max_paths": 20 * BLOCK, "stopped_early": True}


# -- the stopping rule's coverage, on a closed form --------------------------------------------

P_TRUE = 0.05
"""The closed-form target's true probability in the Bernoulli engine below."""


def _bernoulli(scenario, seed, paths, first_block, n_blocks) -> IndicatorPaths:
    """A stand-in engine with a closed form: each path's pledge amount doubles in year 1 with
    probability :data:`P_TRUE` (one uniform per path from the run's block streams, as the real
    engine draws), so a cagr target ``> 0.5`` is met with that probability."""
    streams = Streams(seed, first_block, block_sizes(paths, first_block, n_blocks))
    yearly = np.ones((streams.n, 2))
    yearly[:, 1] += streams.uniform("target") < P_TRUE
    return IndicatorPaths({"pledge_amount": yearly}, {}, np.ones(streams.n, dtype=bool))


def _closed_form_scenario():
    data = dict(ipsim.load(DEFAULT_SCENARIO).raw)
    data.pop("variants", None)
    data.pop("provenance", None)
    data["horizon_months"] = 12
    data["policy"] = {k: v for k, v in data["policy"].items() if k != "midterm"}
    data["policy"]["tranches"] = [{"month": 0, "amount": 1.5e8}]
    data["targets"] = [{"id": "rare", "indicator": "pledge_amount", "measure": "cagr",
                        "threshold": 0.5}]
    return ipsim.load(data)


def test_stopping_keeps_the_coverage(monkeypatch):
    """Over 600 seeds, the 95 % intervals of runs stopped at a half-width of 0.3 pp (cap 40
    chunks of 4,096 paths) cover the true probability 0.05 at 95 % within 3 standard errors.
    The half-width of a rare event's interval moves with its count, so the runs stop after
    different numbers of chunks (checked): the rule is really sequential here."""
    monkeypatch.setitem(pipeline.ENGINES, "bernoulli", _bernoulli)
    monkeypatch.setitem(pipeline.ENGINE_BLOCK, "bernoulli", BLOCK)
    monkeypatch.setitem(pipeline.ENGINE_CHUNK_PATHS, "bernoulli", BLOCK)
    scenario = _closed_form_scenario()
    seeds, covered, sizes = 600, 0, set()
    for seed in range(seeds):
        run = pipeline.run([scenario], 40 * BLOCK, seed, engine="bernoulli", keep_paths=0,
                           precision=0.003)
        sizes.add(run.paths)
        ci = proportion(int(run.base.tally.met[0]), run.paths)    # what a report prints
        covered += ci.ci_low <= P_TRUE <= ci.ci_high
    assert len(sizes) >= 2
    se = np.sqrt(0.95 * 0.05 / seeds)
    assert abs(covered / seeds - 0.95) <= 3 * se, covered / seeds


def test_compare_stops_on_the_paired_differences():
    """``compare`` with a precision stops when every paired difference's half-width is at
    most it: the reported intervals are that narrow."""
    c = ipsim.compare(DEFAULT_SCENARIO, ["risk-pool-plus"], paths=20 * BLOCK, seed=4,
                      chunk_paths=BLOCK, keep_paths=0, precision=0.01)
    widths = [(r.diff.ci_high - r.diff.ci_low) / 2 for r in c.comparison.variants[0].rows]
    assert max(widths) <= 0.01
    assert c.simulation.paths < 20 * BLOCK


@pytest.mark.parametrize("bad", [0.0, 0.5, -1.0])
def test_precision_out_of_range_is_refused(bad):
    """A precision outside (0, 0.5) is an argument error naming it."""
    with pytest.raises(ArgumentError, match="precision"):
        ipsim.run(DEFAULT_SCENARIO, paths=BLOCK, precision=bad)
