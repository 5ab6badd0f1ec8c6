"""All outputs at once on a synthetic table of parameters and shocks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ipsim.analysis.drivers.sample import SHOCK_PREFIX, sample_of
from ipsim.analysis.drivers.table import MIN_CASES, Sample, analyse
from ipsim.model import registry
from ipsim.model.paths import IndicatorPaths


@pytest.fixture(scope="module")
def synthetic():
    """Output ``growth`` is met when a parameter is high (with noise), ``economy`` when the
    common shock is good, ``always`` on every path; ``idle`` is a parameter nothing uses."""
    rng = np.random.default_rng(21)
    n = 20_000
    growth, idle = rng.normal(0.1, 0.05, n), rng.uniform(size=n)
    economy = rng.normal(0, 6, n)
    met = np.column_stack([rng.uniform(size=n) < np.clip((growth - 0.02) * 6, 0, 1),
                           economy + rng.normal(0, 3, n) > 0, np.ones(n, dtype=bool)])
    sample = Sample(["x.growth", "x.idle", SHOCK_PREFIX + "economy"],
                    ["parameter", "parameter", "shock"],
                    np.column_stack([growth, idle, economy]), ["growth", "economy", "always"],
                    ["Growth target", "Economy target", "Always"], met)
    return sample, analyse(sample, seed=3, resamples=99, prim_resamples=4)


def test_each_output_finds_its_driver(synthetic):
    _, out = synthetic
    growth, economy, always = out
    assert growth["strongest"][0] == "x.growth" and economy["strongest"][0] == "shock.economy"
    assert "x.growth" in growth["prim"]["rule"] and "shock.economy" in economy["prim"]["rule"]
    idle = next(i for i in growth["inputs"] if i["input"] == "x.idle")
    assert idle["S1_low"] <= 0 <= idle["S1_high"] and idle["ks_p_value"] > 0.001
    assert "skipped" in always and str(MIN_CASES) in always["skipped"]


def test_noise_share_tells_economy_from_parameters(synthetic):
    """The economy target: the parameters explain next to nothing (its failure is path
    noise as far as the parameters go) while parameters and shocks together explain much;
    the growth target: the parameters explain a large share."""
    _, (growth, economy, _) = synthetic
    assert economy["noise"]["parameters_share_lower"] < 0.01
    assert economy["noise"]["noise_share_upper"] > 0.99
    assert economy["noise"]["parameters_and_shocks_share_lower"] > 0.4
    assert growth["noise"]["parameters_share_lower"] > 0.3


def test_result_is_plain_json(synthetic):
    _, out = synthetic
    text = json.dumps(out)
    assert "NaN" not in text and "Infinity" not in text


def test_sample_of_takes_shocks_when_the_engine_reports_them(scenario):
    """With an engine attribute ``shocks`` the sample gains ``shock.<name>`` inputs."""
    n = 50
    rng = np.random.default_rng(0)
    yearly = {name: np.full((n, scenario.years + 1), 100.0) for name in registry.indicators()}
    paths = IndicatorPaths(yearly, {"securitisations": np.full(n, np.inf)},
                           np.ones(n, dtype=bool), {"pledge.growth": rng.normal(size=n)})
    plain = sample_of(scenario, paths)
    assert plain.names == ["pledge.growth"] and plain.kinds == ["parameter"]
    paths.shocks = {"economy": rng.normal(size=n), "pledge": rng.normal(size=n)}
    s = sample_of(scenario, paths)
    assert s.names == ["pledge.growth", "shock.economy", "shock.pledge"]
    assert s.kinds == ["parameter", "shock", "shock"] and s.x.shape == (n, 3)
    assert s.met.shape == (n, len(scenario.targets) + 1)
