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
from ipsim.runtime.files import FileProblem, read_regular

__all__ = ["Marks", "load_yaml", "read_text", "dotted", "MAX_FILE_BYTES", "MAX_NODES",
           "MAX_DEPTH"]

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


MAX_NODES = 100_000
"""Most values a document may hold once aliases are expanded (guards against alias bombs)."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""

_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
"""The only tags a mapping or a list may carry (the ones YAML gives them untagged)."""


class _Built:
    """Walks the composed node tree once, building containers and marks together.

    Aliases are expanded (each use is built afresh), so the walk counts values and refuses
    a recursive alias, nesting deeper than :data:`MAX_DEPTH` and more than
    :data:`MAX_NODES` values: an error, never a hang or a RecursionError.
    """

    def __init__(self, loader: _Loader, file: str):
        self.loader = loader
        self.file = file
        self.marks = Marks()
        self.count = 0
        self.active: set[int] = set()

    def _error(self, node: yaml.Node, path: KeyPath, message: str) -> ScenarioError:
        return ScenarioError(self.file, dotted(path), message, node.start_mark.line + 1,
                             node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.marks.positions.setdefault(path, (node.start_mark.line + 1,
                                               node.start_mark.column + 1))
        self.count += 1
        if self.count > MAX_NODES:
            raise self._error(node, path, f"the document holds more than {MAX_NODES:,} "
                              "values once aliases are expanded")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if id(node) in self.active:
            raise self._error(node, path, "an alias refers to the mapping or list that "
                              "contains it (a recursive structure)")
        if len(path) > MAX_DEPTH:
            raise self._error(node, path, f"nested more than {MAX_DEPTH} levels deep")
        if node.tag not in _PLAIN_TAGS:   # !!python/object/apply:..., !!set, !!omap, !foo
            what = "mapping" if isinstance(node, yaml.MappingNode) else "list"
            raise self._error(node, path, f"unknown tag {_tag(node)!r} on a {what}; a scenario "
                              "uses plain YAML values, mappings and lists (no tags)")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            problem = (exc.problem or "cannot read this value").strip()
            if "constructor for the tag" in problem:
                problem = f"unknown tag {_tag(node)!r}; a scenario uses plain YAML values"
            raise self._error(node, path, problem) from None
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # An explicit tag the text does not fit, such as ``!!int abc`` or ``!!bool 2``.
            tag = node.tag.rsplit(":", 1)[-1]
            raise self._error(node, path, f"cannot read {node.value[:40]!r} as {tag}") \
                from None

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict:
        self.loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._error(key_node, path, "keys must be plain names, not a "
                                  "mapping or a list")
            key = self._scalar(key_node, path)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise ScenarioError(self.file, dotted(path), "keys must be plain names, got "
                                    f"{type(key).__name__}", line, col)
            key = str(key)
            if key in out:
                first = self.marks.positions.get(path + (key,), (None, None))[0]
                raise ScenarioError(self.file, dotted(path + (key,)),
                                    f"duplicate key (first given on line {first})", line, col)
            self.marks.positions[path + (key,)] = (line, col)
            out[key] = self.build(value_node, path + (key,))
        return out


def _tag(node: yaml.Node) -> str:
    """A node's tag as written: ``!!python/name:x`` rather than ``tag:yaml.org,2002:...``."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + node.tag[len(prefix):] if node.tag.startswith(prefix) else node.tag


def dotted(path: KeyPath) -> str:
    """``("policy", "tranches", 1, "month")`` -> ``policy.tranches[1].month``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _position(data: bytes | str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character or byte ``index`` of ``data``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, index) + 1, index - (data.rfind(newline, 0, index) + 1) + 1


def read_text(path: str | Path) -> str:
    """The text of a scenario file, refusing what cannot be a scenario.

    Raises
    ------
    ScenarioError
        The file is missing, not a regular file (a folder, a FIFO: never waited on),
        unreadable, larger than :data:`MAX_FILE_BYTES`, binary, or not UTF-8 (with the line
        and column of the first offending byte).
    """
    name = str(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES)
    except FileProblem as exc:
        hint = "; a scenario is a short YAML document" if "larger" in str(exc) else ""
        raise ScenarioError(name, "", f"{exc}{hint}") from None
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        raise ScenarioError(name, "", "file is binary (a NUL byte), not YAML text",
                            *_position(raw, at))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, "", f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                            *_position(raw, exc.start)) from None


def _syntax_error(name: str, text: str, exc: yaml.YAMLError) -> ScenarioError:
    """A YAML error of the parser as one :class:`ScenarioError` with its position."""
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = _position(text, exc.position)
        return ScenarioError(name, "", f"YAML syntax error: character #x{exc.character:04x} "
                             "is not allowed in YAML text", line, col)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.problem and exc.context and exc.problem.startswith("but "):
            problem = f"{exc.context.strip()}, {problem}"  # "expected X, but found Y"
        elif exc.problem and exc.context:
            started = f" started on line {exc.context_mark.line + 1}" \
                if exc.context_mark and exc.context_mark is not mark else ""
            problem += f" ({exc.context.strip()}{started})"
        return ScenarioError(name, "", f"YAML syntax error: {problem}",
                             mark.line + 1 if mark else None, mark.column + 1 if mark else None)
    return ScenarioError(name, "", f"YAML error: {exc}")


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
        The file cannot be read (see :func:`read_text`), is not valid YAML (the first
        syntax error, with the parser's line), is empty, repeats a key, or is nested or
        aliased beyond reason.
    """
    name = str(path)
    if text is None:
        text = read_text(path)
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_error(name, text, exc) from None
    except RecursionError:
        raise ScenarioError(name, "", "YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise ScenarioError(name, "", "file is empty; a scenario is a YAML mapping")
    built = _Built(_Loader(""), name)
    try:
        data = built.build(node, ())
    except yaml.YAMLError as exc:  # e.g. a merge key (<<) on something not a mapping
        raise _syntax_error(name, text, exc) from None
    except RecursionError:
        raise ScenarioError(name, "", "YAML is nested too deeply or refers to itself") from None
    return data, built.marks
