"""Shared fixtures: the default scenario and builders of modified scenarios.

A modified scenario is made from the default file's YAML dict (``load_yaml``), changed in
place by a callable, and validated by ``ipsim.scenario.validate.build`` with the original
marks, so it goes through exactly the checks a file would.
"""

from __future__ import annotations

import copy
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from ipsim.engines.streams import BLOCK
from ipsim.scenario.params import Scenario
from ipsim.scenario.validate import build, load_scenario
from ipsim.scenario.yaml_loader import load_yaml
from ipsim.study import pipeline

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "key-city-2020.yaml"

VOLATILE_SECTIONS = ("patents", "transfers", "pledge", "turnover")
"""Sections with a ``volatility`` parameter (the monthly shocks' scale)."""


def scenario_from(modify: Callable[[dict], None] | None = None,
                  path: Path = DEFAULT_SCENARIO) -> Scenario:
    """Load ``path``'s YAML, apply ``modify(data)`` to a deep copy, and build the Scenario."""
    text = Path(path).read_text(encoding="utf-8")
    data, marks = load_yaml(str(path), text)
    data = copy.deepcopy(data)
    if modify is not None:
        modify(data)
    return build(data, marks, str(path), text)


def patch_step(monkeypatch, name: str, step: Callable) -> None:
    """Replace mechanism ``name``'s step in the registry for one test (workers forked during
    the test inherit it)."""
    from dataclasses import replace

    from ipsim.model import registry

    monkeypatch.setattr(registry, "MECHANISMS", [
        replace(m, step=step) if m.name == name else m for m in registry.MECHANISMS])


def switch_off_randomness(data: dict) -> None:
    """Make a scenario dict deterministic: loadings 0, volatilities 0, every parameter a number.

    Distributions are removed (their parameters fall back to the numeric defaults); the
    discrete draws (Poisson counts, loan amounts, securitisation) stay random.
    """
    data["shocks"] = {k: 0 for k in data.get("shocks") or {}}
    params = data.setdefault("parameters", {})
    for values in params.values():
        for name in [n for n, v in values.items() if isinstance(v, dict)]:
            del values[name]
    for section in VOLATILE_SECTIONS:
        params.setdefault(section, {})["volatility"] = 0


def single_tranche(data: dict, amount: float = 100_000_000) -> None:
    """One unconditional tranche at month 0 and no mid-term gate: constant monthly spending."""
    data["policy"]["tranches"] = [{"month": 0, "amount": amount}]
    data["policy"].pop("midterm", None)


@pytest.fixture(scope="module")
def client():
    """A client of an in-process Dask LocalCluster (two workers, threads, no dashboard)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    """The default scenario file, loaded and validated."""
    return load_scenario(DEFAULT_SCENARIO)


@pytest.fixture(scope="session")
def make_scenario() -> Callable[..., Scenario]:
    """``make_scenario(modify)``: the default scenario with ``modify(data)`` applied."""
    return scenario_from


# -- a scenario with closed forms ---------------------------------------------------------------

CLOSED_FORM_PATHS = 10 * BLOCK
CLOSED_FORM_SEED = 777
CLOSED_FORM_AMOUNT = 100_000_000
GROWTH_MU, GROWTH_SD = 0.22, 0.08
GROWTH_THRESHOLDS = (0.10, 0.22, 0.30, 0.40)
UNIT_COSTS = {"navigation_projects": 2.0e6, "certified_orgs": 2.0e4, "trusteeship_smes": 1.2e4,
              "operation_centres": 3.0e6, "sme_transformations": 1.2e5}
"""Fixed unit costs (yuan). With CLOSED_FORM_AMOUNT at month 0 and the default shares the
monthly means are 0.11, 6.9, 23, 0.065 and 2.3: both sides of the exact / Cornish-Fisher
switch of ``ipsim.model.draws``."""


def closed_form_data(data: dict) -> None:
    """No shocks or volatility; turnover growth ~ Normal(GROWTH_MU, GROWTH_SD) per path with
    transfer elasticity 0; fixed unit costs, no background; one tranche at month 0 (constant
    spending); targets: turnover cagr > each of GROWTH_THRESHOLDS, more than 5 navigation
    projects, at least 3 operation centres."""
    switch_off_randomness(data)
    single_tranche(data, CLOSED_FORM_AMOUNT)
    data["parameters"]["turnover"] = {
        "growth": {"dist": "normal", "mean": GROWTH_MU, "sd": GROWTH_SD},
        "volatility": 0, "transfer_elasticity": 0}
    data["parameters"]["programme"] = {
        **{f"{name}_unit_cost": cost for name, cost in UNIT_COSTS.items()},
        **{f"{name}_background": 0 for name in UNIT_COSTS}}
    data["targets"] = [
        *[{"id": f"turnover{x}", "indicator": "turnover", "measure": "cagr", "op": ">",
           "threshold": x} for x in GROWTH_THRESHOLDS],
        {"id": "navigation", "indicator": "navigation_projects", "measure": "cumulative",
         "op": ">", "threshold": 5},
        {"id": "centres", "indicator": "operation_centres", "measure": "cumulative",
         "op": ">=", "threshold": 3},
    ]


@pytest.fixture(scope="session")
def closed_form(make_scenario):
    """(scenario, ScenarioResult) of the closed-form scenario, every path kept."""
    s = make_scenario(closed_form_data)
    run = pipeline.run([s], CLOSED_FORM_PATHS, CLOSED_FORM_SEED, chunk_paths=4 * BLOCK,
                       keep_paths=CLOSED_FORM_PATHS)
    return s, run.base


def run_cli(argv: list[str]) -> int:
    """``ipsim.cli.main(argv)``, restoring the SIGTERM handler it installs."""
    from ipsim.cli import main

    previous = signal.getsignal(signal.SIGTERM)
    try:
        return main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)
