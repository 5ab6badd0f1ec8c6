"""Batched parameter sets (ipsim.engines.batch): the same paths as one run per set."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ipsim.engines import batch, vectorised
from ipsim.scenario.params import FrozenMap

PATHS, SEED = 300, 41   # a partly filled block, as a small --paths-per-sample gives


def _fixed(scenario, names, row):
    """The scenario with the ``names`` parameters set to the numbers in ``row``."""
    params = {s: dict(ps) for s, ps in scenario.parameters.items()}
    for (section, name), value in zip(names, row, strict=True):
        params[section][name] = float(value)
    return replace(scenario, parameters=FrozenMap({s: FrozenMap(p) for s, p in params.items()}))


def test_batched_sets_equal_one_run_per_set(scenario):
    """Three sets simulated together equal, bit for bit, three ordinary runs of the scenario
    with those numbers fixed, on the same seed (every indicator, event and gate verdict)."""
    unc = scenario.uncertain()
    names = [(s, n) for s, n, _ in unc]
    u = np.random.default_rng(3).uniform(0.05, 0.95, (3, len(unc)))
    values = np.column_stack([d.frozen().ppf(u[:, j]) for j, (_, _, d) in enumerate(unc)])
    together = batch.simulate_sets(scenario, names, values, SEED, PATHS)
    assert together.n == 3 * PATHS
    for k in range(3):
        alone = vectorised.simulate(_fixed(scenario, names, values[k]), SEED, PATHS, 0, 1)
        part = together.take(slice(k * PATHS, (k + 1) * PATHS))
        for name in alone.yearly:
            np.testing.assert_array_equal(part.yearly[name], alone.yearly[name], err_msg=name)
        np.testing.assert_array_equal(part.events["securitisations"],
                                      alone.events["securitisations"])
        np.testing.assert_array_equal(part.released, alone.released)


def test_repeated_streams_repeat_the_first_paths():
    """Each copy of the repeated streams is the ordinary streams' first paths."""
    rep = batch.RepeatedStreams(7, PATHS, 3)
    one = batch.RepeatedStreams(7, PATHS, 1)
    z, z1 = rep.normal("pledge", 2), one.normal("pledge", 2)
    assert z.shape == (3 * PATHS, 2)
    np.testing.assert_array_equal(z.reshape(3, PATHS, 2), np.broadcast_to(z1, (3, PATHS, 2)))


def test_a_gate_on_grants_is_not_batched(make_scenario):
    """A mid-term gate judging a grants target runs one set per call (its baseline, the mean
    year-0 grants of the call, depends on grant_rate); the default gate may be batched."""
    def gate_on_grants(data):
        data["targets"].append({"id": "grants", "indicator": "grants", "measure": "cagr",
                                "op": ">", "threshold": 0.05})
        data["policy"]["midterm"].update(targets=["grants"], min_on_track=1)
    assert batch.batchable(make_scenario())
    assert not batch.batchable(make_scenario(gate_on_grants))
