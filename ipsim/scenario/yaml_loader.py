"""Read a scenario's YAML with the position of every key and value.

Two departures from PyYAML's safe loader, both so that a hand-written file means what its
author meant:

* numbers as people write them: ``1.5e8``, ``1e6``, ``150_000_000`` are numbers (YAML 1.1,
  PyYAML's default, reads ``1.5e8`` as a string);
* a key given twice in one mapping is an error, not a silent overwrite.

The loader returns plain Python containers plus a :class:`Marks` table from key path to
(line, column), 1-based, which the validator uses to point at the offending line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ipsim.errors import ScenarioError

__all__ = ["Marks", "load_yaml", "dotted", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 1_000_000
"""Largest scenario file accepted (bytes); a scenario is a page of text, not data."""

KeyPath = tuple[str | int, ...]

_FLOAT = re.compile(
    r"""^[-+]?(?:
        (?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
       |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
       |\.(?:inf|Inf|INF)
       |\.(?:nan|NaN|NAN)
    )$""",
    re.X,
)


@dataclass
class Marks:
    """Positions of keys in the source: ``marks[path] -> (line, column)``, 1-based."""

    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def __getitem__(self, path: KeyPath) -> tuple[int | None, int | None]:
        """Position of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (None, None))


class _Loader(yaml.SafeLoader):
    """Safe loader that records marks, rejects duplicate keys and reads 1.5e8 as a float."""


# Replace the float resolver so that exponents without a dot (1e6) and underscores parse.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:float"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).replace("_", "").lower()
    if text in (".inf", "+.inf"):
        return float("inf")
    if text == "-.inf":
        return float("-inf")
    if text == ".nan":
        return float("nan")
    return float(text)


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


class _Built:
    """Walks the composed node tree once, building containers and marks together."""

    def __init__(self, loader: _Loader, file: str):
        self.loader = loader
        self.file = file
        self.marks = Marks()

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.marks.positions.setdefault(path, (node.start_mark.line + 1,
                                               node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                if not isinstance(key, str | int | float | bool) or key is None:
                    raise ScenarioError(self.file, dotted(path), "keys must be plain names",
                                        line, col)
                key = str(key)
                if key in out:
                    first = self.marks.positions.get(path + (key,), (None, None))[0]
                    raise ScenarioError(self.file, dotted(path + (key,)),
                                        f"duplicate key (first given on line {first})", line, col)
                self.marks.positions[path + (key,)] = (line, col)
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def dotted(path: KeyPath) -> str:
    """``("policy", "tranches", 1, "month")`` -> ``policy.tranches[1].month``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml(path: str | Path, text: str | None = None) -> tuple[Any, Marks]:
    """Parse a YAML document, returning its data and the marks of its keys.

    Parameters
    ----------
    path : str or pathlib.Path
        File to read; also the name used in error messages.
    text : str, optional
        The document's text, if already read (``path`` is then only a name).

    Raises
    ------
    ScenarioError
        The file is missing, too large, not text, not valid YAML, or repeats a key.
    """
    name = str(path)
    if text is None:
        p = Path(path)
        if not p.is_file():
            raise ScenarioError(name, "", "no such file")
        if p.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(name, "", f"file is larger than {MAX_FILE_BYTES:,} bytes; "
                                "a scenario is a short YAML document")
        raw = p.read_bytes()
        if b"\x00" in raw:
            raise ScenarioError(name, "", "file is binary, not YAML text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(name, "", f"file is not UTF-8 text (byte {exc.start})") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ScenarioError(name, "", f"YAML syntax error: {problem}", line, col) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(name, "", f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        raise ScenarioError(name, "", "file is empty; a scenario is a YAML mapping")
    built = _Built(_Loader(""), name)
    try:
        data = built.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise ScenarioError(name, "", f"YAML error: {exc.problem}",
                            mark.line + 1 if mark else None,
                            mark.column + 1 if mark else None) from None
    return data, built.marks

