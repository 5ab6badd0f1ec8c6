"""The ``correlations:`` section: rank correlations between uncertain parameters by a
Gaussian copula on the parameters' own streams.

The realised Spearman correlations match the requested ones (tolerance from the sampling
error), the marginals are each parameter's distribution (KS), an invalid matrix and every
other bad entry is a one-line error naming the pair, and a variant that changes one
correlation pairs path by path with the base on every other stream.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from scipy import stats

from ipsim.engines import vectorised
from ipsim.engines.common import realise_parameters
from ipsim.engines.streams import BLOCK, Streams, block_sizes
from ipsim.errors import ScenarioErrors
from ipsim.model import uncertainty
from ipsim.scenario.correlations import order
from ipsim.scenario.validate import build
from ipsim.scenario.variants import load_variants
from ipsim.scenario.yaml_loader import load_yaml
from tests.conftest import DEFAULT_SCENARIO
from tests.scenario.texts import MESSAGE

PAIRS = {"transfers.growth~pledge.growth": 0.5,
         "pledge.growth~pledge.default_rate": -0.6,
         "pledge.default_rate~pledge.lending_multiple": 0.3,
         "turnover.growth~transfers.growth": 0.4}
N = 40_000


def _scenario(pairs: dict, **extra):
    data, _ = load_yaml(DEFAULT_SCENARIO)
    data = copy.deepcopy(data)
    data["correlations"] = dict(pairs)
    data.update(extra)
    text = yaml.safe_dump(data, sort_keys=False)
    raw, marks = load_yaml("corr.yaml", text)
    return build(raw, marks, "corr.yaml", text), text


def _errors(pairs: dict) -> list[str]:
    with pytest.raises(ScenarioErrors) as err:
        _scenario(pairs)
    return [str(e) for e in err.value.errors]


def _inputs(s) -> dict:
    """The parameters' draws of N paths (seed 3), as both engines draw them."""
    return realise_parameters(s, Streams(3, 0, block_sizes(N, 0, -(-N // BLOCK))))[1]


@pytest.fixture(scope="module")
def drawn():
    s, _ = _scenario(PAIRS)
    return s, _inputs(s)


def test_realised_rank_correlations_are_the_requested_ones(drawn):
    """Each listed pair's Spearman correlation over 40,000 paths is within 4 standard errors
    of the requested one (Fisher z, variance 1.06 / (n - 3) for Spearman's rho: Fieller,
    Hartley and Pearson 1957); an unlisted pair of correlated parameters takes what the
    copula implies, and a parameter outside every pair stays independent."""
    s, x = drawn
    se = np.sqrt(1.06 / (N - 3))
    for key, rho in PAIRS.items():
        a, b = uncertainty.pair_of(key)
        r = stats.spearmanr(x[a], x[b])[0]
        assert abs(np.arctanh(r) - np.arctanh(rho)) < 4 * se, (key, r, rho)
    r = stats.spearmanr(x["pledge.growth"], x["patents.growth"])[0]
    assert abs(np.arctanh(r)) < 4 * se


def test_marginals_are_unchanged(drawn):
    """Every correlated parameter still has its scenario distribution (one-sample KS against
    its cdf, p > 0.001), and is drawn from its own stream: the first in the copula's order
    is bit-identical to an uncorrelated run's."""
    s, x = drawn
    names = {n for key in PAIRS for n in uncertainty.pair_of(key)}
    for name in names:
        section, key = name.split(".")
        dist = s.parameters[section][key].frozen()
        assert stats.kstest(x[name], dist.cdf).pvalue > 1e-3, name
    plain = _inputs(_scenario({})[0])
    np.testing.assert_array_equal(x["transfers.growth"], plain["transfers.growth"])
    np.testing.assert_array_equal(x["patents.growth"], plain["patents.growth"])
    assert not np.array_equal(x["pledge.growth"], plain["pledge.growth"])


def test_a_variant_changing_one_correlation_pairs_with_the_base(tmp_path):
    """A variant that changes pledge.growth~pledge.default_rate (written the other way round,
    as an override) keeps every stream: the economy, every uncorrelated parameter and every
    correlated one before pledge.default_rate in the copula's order (transfers.growth,
    pledge.growth, pledge.lending_multiple) are identical path by path, and so is every
    indicator the pledge market cannot reach (patents run before it and read nothing of
    it); pledge.default_rate moves (and turnover.growth, after it in the same connected
    group, may)."""
    _, text = _scenario(PAIRS, variants={"looser": {
        "description": "a weaker link between growth and defaults",
        "overrides": {"correlations.pledge.default_rate~pledge.growth": -0.2}}})
    path = tmp_path / "corr.yaml"
    path.write_text(text, encoding="utf-8")
    s, [variant] = load_variants(path)
    assert variant.correlations[("pledge.growth", "pledge.default_rate")] == -0.2
    assert len(variant.correlations) == len(PAIRS)
    a = vectorised.simulate(s, 5, 4096, 0, 1)
    b = vectorised.simulate(variant, 5, 4096, 0, 1)
    later = order()[order().index("pledge.default_rate"):]
    for name in a.inputs:
        if name not in later or name not in {n for k in PAIRS for n in uncertainty.pair_of(k)}:
            np.testing.assert_array_equal(a.inputs[name], b.inputs[name], err_msg=name)
    assert not np.array_equal(a.inputs["pledge.default_rate"], b.inputs["pledge.default_rate"])
    for name in a.shocks:
        np.testing.assert_array_equal(a.shocks[name], b.shocks[name])
    for name in ("applications", "grants", "invention_stock"):
        np.testing.assert_array_equal(a.yearly[name], b.yearly[name])
    r = stats.spearmanr(b.inputs["pledge.growth"], b.inputs["pledge.default_rate"])[0]
    assert abs(r + 0.2) < 4 * np.sqrt(1.06 / 4093)


def test_an_invalid_matrix_is_one_line_naming_the_pair():
    """0.6, 0.6 and -0.7 among three parameters cannot hold together; without the strongest
    the rest can, so the message names that pair, on its line. Three pairs of 0.9, 0.9 and
    -0.9 are wrong whichever is removed: the message names the last parameter and the
    others."""
    pairs = {"transfers.growth~pledge.growth": 0.6, "pledge.growth~pledge.default_rate": 0.6,
             "transfers.growth~pledge.default_rate": -0.7}
    [message] = _errors(pairs)
    m = MESSAGE.match(message)
    assert m and m["file"] == "corr.yaml" and m["line"]
    assert m["key"] == "correlations.transfers.growth~pledge.default_rate"
    assert "not positive semi-definite" in m["msg"] and "weaken it" in m["msg"]
    assert "\n" not in message
    [message] = _errors({k: float(0.9 * np.sign(v)) for k, v in pairs.items()})
    m = MESSAGE.match(message)
    assert m and "'pledge.default_rate' with transfers.growth, pledge.growth" in m["msg"]


@pytest.mark.parametrize(("pairs", "key", "fragment"), [
    ({"pledge.growth": 0.3}, "correlations.pledge.growth", "joined by '~'"),
    ({"pledge.growht~pledge.default_rate": 0.3}, "correlations.pledge.growht~pledge.default_rate",
     "did you mean 'pledge.growth'"),
    ({"pledge.growth~pledge.growth": 0.3}, "correlations.pledge.growth~pledge.growth",
     "with itself is 1"),
    ({"pledge.growth~pledge.volatility": 0.3}, "correlations.pledge.growth~pledge.volatility",
     "'pledge.volatility' is a number here"),
    ({"pledge.growth~pledge.default_rate": 1.5},
     "correlations.pledge.growth~pledge.default_rate", "a number in [-1, 1], got 1.5"),
    ({"pledge.growth~pledge.default_rate": 0.3, "pledge.default_rate ~ pledge.growth": 0.2},
     "correlations.pledge.default_rate~pledge.growth", "given twice"),
])
def test_bad_entries_are_one_line_errors(pairs, key, fragment):
    [message] = _errors(pairs)
    m = MESSAGE.match(message)
    assert m and m["key"] == key and fragment in m["msg"], message


def test_copula_factor_depends_on_rows_before_and_reports_the_first_bad_row():
    r = uncertainty.normal_correlation(np.array([[1, 0.5, 0.2], [0.5, 1, -0.3],
                                                 [0.2, -0.3, 1]]))
    np.fill_diagonal(r, 1.0)
    L, bad = uncertainty.copula_factor(r)
    assert bad == -1
    np.testing.assert_allclose(L @ L.T, r, atol=1e-12)
    assert np.allclose(np.triu(L, 1), 0)
    r2 = r.copy()
    r2[1, 2] = r2[2, 1] = 0.9
    L2, _ = uncertainty.copula_factor(r2)
    np.testing.assert_array_equal(L2[:2], L[:2])          # rows before the change stay
    one = np.ones((2, 2))                                  # a correlation of 1 is allowed
    assert uncertainty.copula_factor(one)[1] == -1
    assert uncertainty.copula_factor(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1.0]]))[1] == 2
    assert uncertainty.normal_correlation(1.0) == pytest.approx(1.0)
    assert uncertainty.normal_correlation(0.5) == pytest.approx(2 * np.sin(np.pi / 12))
