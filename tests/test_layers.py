"""Layering: the model and the analysis do not pull in the I/O and plotting libraries.

Each check imports every module of a package in a fresh interpreter and lists which of the
forbidden top-level packages ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

_PROBE = r"""
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
path = getattr(package, "__path__", [])
names = [m.name for m in pkgutil.walk_packages(path, package.__name__ + ".")] or [package.__name__]
for name in names:
    importlib.import_module(name)
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:]))
print(json.dumps({"modules": names, "loaded": loaded}))
"""


def _imports(package: str, forbidden: tuple[str, ...]) -> dict:
    proc = subprocess.run([sys.executable, "-c", _PROBE, package, *forbidden], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("package, forbidden", [
    ("ipsim.model", ("yaml", "matplotlib", "simpy")),
    ("ipsim.analysis", ("matplotlib",)),
    ("ipsim.engines", ("matplotlib",)),
    ("ipsim.engines.vectorised", ("matplotlib", "simpy")),
    ("ipsim.calibration", ("matplotlib",)),
])
def test_package_does_not_import(package, forbidden):
    """Importing every module of the package loads none of the forbidden libraries."""
    result = _imports(package, forbidden)
    assert result["modules"], "the probe found no modules to import"
    assert result["loaded"] == []


def test_probe_detects_a_forbidden_import():
    """The probe itself works: the scenario package (the YAML loader) does load yaml."""
    assert _imports("ipsim.scenario", ("yaml", "matplotlib"))["loaded"] == ["yaml"]
