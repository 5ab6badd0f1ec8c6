"""Layering: data flows one way, and each wall between layers is checked here.

Two kinds of check: (1) importing every module of a package in a fresh interpreter loads none
of the forbidden libraries or modules (what a user's import really pulls in); (2) the static
import graph of ``ipsim`` (every ``import`` statement, also inside functions) has no edge
from a layer to one it must not use; and no error message below the command line names a
command-line flag.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "ipsim"

_PROBE = r"""
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
path = getattr(package, "__path__", [])
names = [m.name for m in pkgutil.walk_packages(path, package.__name__ + ".")] or [package.__name__]
for name in names:
    importlib.import_module(name)
forbidden = sys.argv[2:]
loaded = sorted(f for f in forbidden
                if any(m == f or m.startswith(f + ".") for m in sys.modules))
print(json.dumps({"modules": names, "loaded": loaded}))
"""


def _imports(package: str, forbidden: tuple[str, ...]) -> dict:
    proc = subprocess.run([sys.executable, "-c", _PROBE, package, *forbidden], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


LOADER = ("ipsim.scenario.validate", "ipsim.scenario.yaml_loader", "ipsim.scenario.variants")


@pytest.mark.parametrize("package, forbidden", [
    ("ipsim.model", ("yaml", "matplotlib", "simpy", "ipsim.scenario", "ipsim.engines",
                     "ipsim.cli", "ipsim.api")),
    ("ipsim.analysis", ("yaml", "matplotlib", "simpy", "ipsim.cli", "ipsim.engines",
                        *LOADER)),
    ("ipsim.engines", ("yaml", "matplotlib", "ipsim.cli", "ipsim.analysis", *LOADER)),
    ("ipsim.engines.vectorised", ("yaml", "matplotlib", "simpy")),
    ("ipsim.study", ("yaml", "matplotlib", "ipsim.cli", "ipsim.report")),
    ("ipsim.calibration", ("matplotlib", "ipsim.cli", "ipsim.report")),
    ("ipsim.runtime", ("yaml", "matplotlib", "ipsim.model", "ipsim.scenario", "ipsim.cli")),
    ("ipsim.api", ("matplotlib", "ipsim.cli")),
])
def test_package_does_not_import(package, forbidden):
    """Importing every module of the package loads none of the forbidden libraries."""
    result = _imports(package, forbidden)
    assert result["modules"], "the probe found no modules to import"
    assert result["loaded"] == []


def test_probe_detects_a_forbidden_import():
    """The probe itself works: the scenario package (the YAML loader) does load yaml."""
    assert _imports("ipsim.scenario", ("yaml", "matplotlib"))["loaded"] == ["yaml"]


# -- the static import graph -----------------------------------------------------------------

LAYERS = ("errors", "runtime", "model", "scenario", "engines", "analysis", "study",
          "calibration", "data", "report", "api", "cli")
"""ipsim's layers, lowest first: each may import only layers to its left (and itself)."""

EXCEPTIONS = {
    ("report", "calibration"): "the backtest writer reads the calibration's result types",
}
"""Edges to a layer on the right that are allowed, with the reason."""


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "ipsim" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _edges():
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _module_name(path)
        package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                    + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                yield here, target, node.lineno, path


def test_no_import_goes_against_the_layers():
    """No module imports a layer to its right (see :data:`LAYERS`), inside functions too."""
    order = {name: i for i, name in enumerate(LAYERS)}
    bad = []
    for here, target, line, path in _edges():
        a, b = _layer(here), _layer(target)
        if a is None or b is None or a == b or (a, b) in EXCEPTIONS:
            continue
        if order[b] > order[a]:
            bad.append(f"{path.relative_to(ROOT)}:{line}: {a} imports {target} ({b})")
    assert not bad, "\n".join(bad)


def test_the_layer_walls_can_fail():
    """The graph test sees an edge: the command line imports the API (cli -> api)."""
    assert any(_layer(h) == "cli" and _layer(t) == "api" for h, t, _, _ in _edges())


# -- error messages name arguments, not flags ------------------------------------------------

_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _raised_texts(path: Path):
    """The string parts of every ``raise X(...)`` in a file, with their line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for sub in ast.walk(node.exc):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    yield node.lineno, sub.value


def test_lower_layers_name_no_command_line_flag():
    """Below ``ipsim/cli``, an error names the argument (``paths``), never a flag
    (``--paths``): the command line maps arguments to flags (``ipsim.cli.options.FLAGS``)."""
    bad = [f"{p.relative_to(ROOT)}:{line}: {text!r}"
           for p in sorted(PACKAGE.rglob("*.py")) if "cli" not in p.relative_to(PACKAGE).parts
           for line, text in _raised_texts(p) if _FLAG.search(text)]
    assert not bad, "\n".join(bad)


def test_flag_scan_can_fail(tmp_path):
    """The scan finds a flag in a raise."""
    f = tmp_path / "x.py"
    f.write_text('raise ValueError(f"--paths must be >= 1, got {n}")\n', encoding="utf-8")
    assert [t for _, t in _raised_texts(f) if _FLAG.search(t)]


def _module_level_edges():
    """(importer, imported module) for the imports a module runs when it is imported (its
    top-level statements), between ipsim modules."""
    names = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _module_name(path)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            else:
                continue
            for target in targets:
                if target in names and target != here:
                    yield here, target


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of a directed graph as a list of nodes (first == last), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return []

    for start in sorted(graph):
        if state.get(start) is None and (found := visit(start)):
            return found
    return []


def test_no_import_cycle_between_modules():
    """The modules' top-level imports form no cycle (the old overrides -> schema ->
    provenance -> overrides circle is gone, and none may come back)."""
    graph: dict[str, set[str]] = {}
    for a, b in _module_level_edges():
        if not a.startswith(b + ".") and not b.startswith(a + "."):   # a package and its own
            graph.setdefault(a, set()).add(b)
    assert "ipsim.scenario.schema" in graph["ipsim.scenario.validate"]
    assert _find_cycle(graph) == []
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
