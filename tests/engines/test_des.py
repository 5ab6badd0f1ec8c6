"""The discrete-event engine (ipsim.engines.des): same outputs, same model, any chunking.

The agreement tests (marked ``slow``) run both engines on four regimes, the DES on
``N_DES`` paths and the vectorised engine on ``N_VEC`` paths with another seed (so the two
samples are independent), and require

* every target's attainment probability (and the joint one, and the mid-term release) to
  agree by the two-proportion z-test at 1 %, ``|p1 - p2| <= z_0.995 sqrt(p (1 - p) (1 / n1 +
  1 / n2))`` with ``p`` the pooled proportion (the variance under equal proportions: the
  variance of each sample's own estimate understates it for the joint target's proportions
  of a few per thousand);
* every indicator's year-3 distribution to pass a two-sample Kolmogorov-Smirnov test
  (:func:`scipy.stats.ks_2samp`) at the family-wise level ``KS_LEVEL`` per regime,
  Bonferroni-corrected: ``KS_LEVEL / number of indicators`` per indicator.

Seeds are fixed, so the outcome is the same on every run.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from ipsim.analysis.attainment import attainment_matrix
from ipsim.cli import main
from ipsim.engines import des, vectorised
from ipsim.model import registry
from ipsim.scenario.params import Scenario
from ipsim.scenario.validate import build
from ipsim.scenario.yaml_loader import load_yaml
from ipsim.study.pipeline import run

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "key-city-2020.yaml"
N_DES, N_VEC = 3000, 60_000
SEED_DES, SEED_VEC = 505, 606
Z99 = float(stats.norm.ppf(0.995))
KS_LEVEL = 0.01
"""Family-wise level of the KS tests of one regime (Bonferroni over the indicators)."""


def _variant(name: str, edit) -> Scenario:
    """The default scenario, renamed and edited (a dict -> None function), validated."""
    data, _ = load_yaml(DEFAULT)
    data = copy.deepcopy(data)
    data["name"] = name
    edit(data)
    text = yaml.safe_dump(data, sort_keys=False)
    raw, marks = load_yaml(f"{name}.yaml", text)
    return build(raw, marks, f"{name}.yaml", text)


def _pool_target(d: dict, threshold: float) -> None:
    """A target on the pool: more than ``threshold`` yuan left at the end."""
    d["targets"].append({"id": "pool_left", "indicator": "risk_pool", "measure": "final",
                         "op": ">", "threshold": threshold})


def _default(d: dict) -> None:
    """The default scenario, with a target on the pool near its median at the end."""
    _pool_target(d, 2.5e7)


def _pool_runs_out(d: dict) -> None:
    """Loans default at 30-50 %/yr, the pool pays 80 % of losses and gets 5 % of funds."""
    d["parameters"]["pledge"]["default_rate"] = {"dist": "uniform", "low": 0.3, "high": 0.5}
    d["parameters"]["pledge"]["loss_share"] = 0.8
    for name, value in (("recovery_rate", 0.3), ("term_months", 12), ("approval_base", 0.5),
                        ("approval_max", 0.8)):   # fixed, as in issue 14's regime
        d["parameters"]["pledge"][name] = value
    allocation = d["policy"]["allocation"]
    allocation["risk_pool"], allocation["navigation"] = 0.05, allocation["navigation"] + 0.20
    _pool_target(d, 1e5)


def _thin_pool(d: dict) -> None:
    """Issue 14's thin pool: loans default at 30-50 %/yr, the pool pays 80 % of losses, gets
    2 % of the funds, is levered 30-60 times and holds 2 million yuan at the start; the target
    is 0.1 million yuan left at the end (met on about 5 % of paths)."""
    _pool_runs_out(d)
    d["parameters"]["pledge"]["lending_multiple"] = {"dist": "uniform", "low": 30, "high": 60}
    allocation = d["policy"]["allocation"]
    allocation["risk_pool"], allocation["navigation"] = 0.02, allocation["navigation"] + 0.03
    d["baseline"]["risk_pool"] = 2e6


def _rare_securitisation(d: dict) -> None:
    """A minimum pool of 1.2 billion yuan and a low chance that a structuring succeeds."""
    d["parameters"]["securitisation"].update(min_pool=1.2e9, success=0.12,
                                             supported_success=0.25)
    _pool_target(d, 2.5e7)


REGIMES = {"default": _default, "pool_runs_out": _pool_runs_out, "thin_pool": _thin_pool,
           "rare_securitisation": _rare_securitisation}


@functools.cache
def _scenario(regime: str) -> Scenario:
    return _variant(regime, REGIMES[regime])


@functools.cache
def _paths(regime: str, engine: str):
    n, seed = (N_DES, SEED_DES) if engine == "des" else (N_VEC, SEED_VEC)
    result = run([_scenario(regime)], n, seed, workers=2, keep_paths=n, engine=engine)
    return result.base.paths()


def _columns(regime: str, engine: str) -> dict[str, np.ndarray]:
    scenario, paths = _scenario(regime), _paths(regime, engine)
    met = attainment_matrix(scenario.targets, paths)
    ids = [t.id for t in scenario.targets] + ["all_targets"]
    return {**dict(zip(ids, met.T, strict=True)), "midterm_release": paths.released}


@pytest.mark.slow
@pytest.mark.parametrize("regime", REGIMES)
def test_attainment_agrees(regime):
    """Each target's P(met), all at once and the mid-term release agree by the pooled
    two-proportion z-test at 1 %."""
    d, v = _columns(regime, "des"), _columns(regime, "vectorised")
    bad = []
    for name in d:
        p1, p2 = d[name].mean(), v[name].mean()
        pooled = (d[name].sum() + v[name].sum()) / (N_DES + N_VEC)
        bound = Z99 * np.sqrt(pooled * (1 - pooled) * (1 / N_DES + 1 / N_VEC))
        if abs(p1 - p2) > bound:
            bad.append(f"{name}: des {p1:.4f} vectorised {p2:.4f}, |diff| {abs(p1 - p2):.4f} "
                       f"> {bound:.4f}")
    assert not bad, f"{regime}: " + "; ".join(bad)


KNOWN: dict[tuple[str, str], str] = {}
"""(regime, indicator) -> why its distribution is known to differ (strict xfail: a fix shows
up). Empty since both engines follow one pool accounting (docs/model.md, "The pool's
accounting"): before, the vectorised engine covered money and the DES loans, and the pool
balance differed (KS D 0.04 in the default regime; year-3 means 0.35 against 0.70 million
yuan where the pool runs dry; 2.3 % against 9.6 % of thin-pool paths above 0.1 million)."""


def _ks_cases() -> list:
    return [pytest.param(regime, indicator, id=f"{regime}-{indicator}",
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN[regime, indicator])]
                         if (regime, indicator) in KNOWN else [])
            for regime in REGIMES for indicator in registry.indicators()]


@pytest.mark.slow
@pytest.mark.parametrize(("regime", "indicator"), _ks_cases())
def test_year3_distribution_agrees(regime, indicator):
    """The indicator's year-3 values pass a two-sample KS test at KS_LEVEL / indicators."""
    a = _paths(regime, "des").yearly[indicator][:, 3]
    b = _paths(regime, "vectorised").yearly[indicator][:, 3]
    level = KS_LEVEL / len(registry.indicators())
    result = stats.ks_2samp(a, b)
    assert result.pvalue >= level, (
        f"{regime}, {indicator} in year 3: KS D = {result.statistic:.4f}, p = "
        f"{result.pvalue:.2e} < {level:.1e}; means des {a.mean():.5g}, vectorised {b.mean():.5g}")


MEAN_KNOWN: dict[tuple[str, str], str] = {}
"""(regime, indicator) -> why its year-3 mean is known to differ (strict xfail)."""

POOL_MEANS = ("risk_pool", "pledge_defaults")
"""Indicators whose year-3 means are compared too, in every regime (the pool's accounting)."""


def _mean_cases() -> list:
    return [pytest.param(regime, indicator, id=f"{regime}-{indicator}",
                         marks=[pytest.mark.xfail(strict=True,
                                                  reason=MEAN_KNOWN[regime, indicator])]
                         if (regime, indicator) in MEAN_KNOWN else [])
            for regime in REGIMES for indicator in POOL_MEANS]


@pytest.mark.slow
@pytest.mark.parametrize(("regime", "indicator"), _mean_cases())
def test_year3_mean_agrees(regime, indicator):
    """The year-3 means of the pool and of the defaults agree (Welch's t-test at
    KS_LEVEL / indicators)."""
    a = _paths(regime, "des").yearly[indicator][:, 3]
    b = _paths(regime, "vectorised").yearly[indicator][:, 3]
    level = KS_LEVEL / len(registry.indicators())
    result = stats.ttest_ind(a, b, equal_var=False)
    assert result.pvalue >= level, (
        f"{regime}, {indicator} in year 3: means des {a.mean():.5g}, vectorised {b.mean():.5g}, "
        f"Welch p = {result.pvalue:.2e} < {level:.1e}")


@pytest.mark.slow
def test_regimes_are_what_they_claim():
    """The pool is empty at some year end on many paths of ``pool_runs_out`` and
    ``thin_pool`` (in both engines), the thin pool is left above 0.1 million yuan on few,
    and a product is issued on few paths of ``rare_securitisation``."""
    for engine in ("des", "vectorised"):
        for regime in ("pool_runs_out", "thin_pool"):
            pool = _paths(regime, engine).yearly["risk_pool"][:, 1:]
            assert (pool.min(axis=1) == 0).mean() > 0.3, (engine, regime)
        left = _columns("thin_pool", engine)["pool_left"].mean()
        assert 0.01 < left < 0.2, (engine, left)
        issued = _columns("rare_securitisation", engine)["securitisation"].mean()
        assert 0.02 < issued < 0.25, (engine, issued)


def test_same_outputs_and_parameters_as_vectorised():
    """Same indicators, years, events and gate shape; path i gets the same parameter draws."""
    scenario = _scenario("default")
    d = des.simulate(scenario, 3, 40, 0, 2)
    v = vectorised.simulate(scenario, 3, 40, 0, 1)
    assert d.n == v.n == 40
    assert list(d.yearly) == list(v.yearly)
    assert all(d.yearly[k].shape == v.yearly[k].shape for k in d.yearly)
    assert list(d.events) == list(v.events) and d.released.dtype == bool
    assert list(d.inputs) == list(v.inputs)
    assert all(np.array_equal(d.inputs[k], v.inputs[k]) for k in d.inputs)
    for k in ("applications", "transfers", "turnover", "pledge_amount", "invention_stock"):
        np.testing.assert_array_equal(d.yearly[k][:, 0], v.yearly[k][:, 0])


def test_reproducible_for_any_chunking_and_workers():
    """A DES run gives bit-identical results in one chunk or many, on one worker or two."""
    scenario = _scenario("default")
    one = run([scenario], 100, 9, workers=1, chunk_paths=128, keep_paths=100, engine="des")
    two = run([scenario], 100, 9, workers=2, chunk_paths=32, keep_paths=100, engine="des")
    a, b = one.base.paths(), two.base.paths()
    for k in a.yearly:
        np.testing.assert_array_equal(a.yearly[k], b.yearly[k])
    np.testing.assert_array_equal(a.events["securitisations"], b.events["securitisations"])
    np.testing.assert_array_equal(a.released, b.released)
    np.testing.assert_array_equal(one.base.tally.met, two.base.tally.met)
    for k, v in one.base.means().items():
        np.testing.assert_array_equal(v, two.base.means()[k])


def test_pool_never_negative_nor_above_what_was_paid():
    """The risk pool (a simpy.Container) stays within [0, funds paid into it]."""
    scenario = _scenario("pool_runs_out")
    paths = des.simulate(scenario, 4, 64, 0, 2)
    share = scenario.policy.allocation["risk_pool"]
    paid = np.cumsum(paths.yearly["funds_received"][:, 1:], axis=1) * share
    pool = paths.yearly["risk_pool"][:, 1:]
    assert (pool >= 0).all() and (pool <= paid * (1 + 1e-12)).all()


def test_cli_runs_the_des_engine(tmp_path):
    """``ipsim run --engine des --workers 2`` writes the usual outputs, recording the engine."""
    out = tmp_path / "out"
    status = main(["run", str(DEFAULT), "--engine", "des", "--paths", "64", "--workers", "2",
                   "--no-plots", "--quiet", "--out", str(out)])
    assert status == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["engine"] == "des" and summary["paths"] == 64
    assert summary["chunk_paths"] == des.CHUNK_PATHS
    assert {"targets", "all_targets", "midterm_release"} <= set(summary)
    assert (out / "attainment.csv").is_file() and (out / "indicators.csv").is_file()
