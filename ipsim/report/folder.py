"""Read a results folder as data, treating every file in it as untrusted.

A report reads what ipsim wrote (JSON and CSV), never re-simulates. A folder received by
e-mail or from a network drive may hold anything, so each file is checked before use: a
regular file inside the folder (no symbolic link leading elsewhere), at most
:data:`MAX_BYTES`, valid UTF-8 JSON or CSV, and every key the report reads of the type and
range it must have. The first problem raises :class:`ResultError`, one line naming the
file, the key and what is allowed.

:func:`read_results` finds the results present: a run (``summary.json``) and, inside the
run's folder or given directly, ``compare/``, ``sweep/``, ``sensitivity/``,
``calibration/``, ``backtest/``, ``drivers/``, ``optimise/`` and ``goal/``.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsim.errors import IpsimError

__all__ = ["ResultError", "Node", "Results", "read_results", "MAX_BYTES", "KINDS"]

MAX_BYTES = 64 * 2**20
"""Largest result file read (bytes)."""
MAX_TEXT = 4000
"""Longest text value used (characters)."""

KINDS = {"run": ("", "summary.json"), "compare": ("compare", "comparison.json"),
         "sweep": ("sweep", "sweep.json"), "sensitivity": ("sensitivity", "sensitivity.json"),
         "backtest": ("backtest", "backtest.json"), "drivers": ("drivers", "drivers.json"),
         "optimise": ("optimise", "optimise.json"), "goal": ("goal", "goal.json")}
"""Result kind -> (sub-folder of a run's folder, marker file)."""


class ResultError(IpsimError):
    """A result file that cannot be used: names the file, the key and what is allowed."""


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Node:
    """One value of a result file with its key path, for checked access.

    ``node["targets"][0]["probability"].prob()`` returns the number or raises
    :class:`ResultError` naming ``file: targets[0].probability``.
    """

    file: str
    value: Any
    path: str = ""

    def fail(self, message: str):
        raise ResultError(f"{self.file}: {self.path or '(document)'}: {message}")

    def _child(self, key, value) -> Node:
        path = f"{self.path}[{key}]" if isinstance(key, int) else \
            (f"{self.path}.{key}" if self.path else str(key))
        return Node(self.file, value, path)

    def __getitem__(self, key) -> Node:
        if isinstance(key, int):
            items = self.list()
            if not -len(items) <= key < len(items):
                self.fail(f"needs at least {key + 1} entries, has {len(items)}")
            return self._child(key, items[key])
        d = self.dict()
        if key not in d:
            self.fail(f"missing key '{key}'")
        return self._child(key, d[key])

    def get(self, key: str) -> Node | None:
        """The child ``key``, or None when it is absent or null."""
        d = self.dict()
        return self._child(key, d[key]) if d.get(key) is not None else None

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def dict(self) -> dict:
        if not isinstance(self.value, dict):
            self.fail(f"must be a mapping, got {_show(self.value)}")
        return self.value

    def list(self) -> list:
        if not isinstance(self.value, list):
            self.fail(f"must be a list, got {_show(self.value)}")
        return self.value

    def items(self) -> list[Node]:
        return [self._child(i, v) for i, v in enumerate(self.list())]

    def entries(self) -> list[tuple[str, Node]]:
        return [(str(k), self._child(k, v)) for k, v in self.dict().items()]

    def num(self, low: float | None = None, high: float | None = None,
            none: bool = False) -> float | None:
        v = self.value
        if v is None and none:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            self.fail(f"must be a finite number{_range(low, high)}, got {_show(v)}")
        if (low is not None and v < low) or (high is not None and v > high):
            self.fail(f"must be a number{_range(low, high)}, got {v!r}")
        return v

    def prob(self, none: bool = False) -> float | None:
        return self.num(0.0, 1.0, none)

    def int(self, low: int | None = 0) -> int:
        v = self.num(low)
        if not float(v).is_integer():
            self.fail(f"must be a whole number, got {v!r}")
        return int(v)

    def str(self, none: bool = False) -> str | None:
        v = self.value
        if v is None and none:
            return None
        if not isinstance(v, str) or len(v) > MAX_TEXT:
            self.fail(f"must be a text of at most {MAX_TEXT:,} characters, got {_show(v)}")
        return v

    def bool(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail(f"must be true or false, got {_show(self.value)}")
        return self.value

    def scalar(self) -> str | float | int | bool | None:
        """A text, number, boolean or null (for values shown as they are)."""
        v = self.value
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int | float):
            return self.num()
        return self.str()


def _range(low, high) -> str:
    if low is not None and high is not None:
        return f" in [{low:g}, {high:g}]"
    if low is not None:
        return f" >= {low:g}"
    return ""


def _read_bytes(root: Path, path: Path) -> bytes:
    name = str(path)
    if path.is_symlink() or not path.is_file():
        raise ResultError(f"{name}: (document): must be a regular file, not a link or a "
                          "folder")
    try:
        resolved, top = path.resolve(strict=True), root.resolve(strict=True)
        if top not in resolved.parents:
            raise ResultError(f"{name}: (document): lies outside the results folder {root}")
        if path.stat().st_size > MAX_BYTES:
            raise ResultError(f"{name}: (document): larger than {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise ResultError(f"{name}: (document): cannot be read ({exc.strerror})") from None


def read_json(root: Path, path: Path) -> Node:
    """A JSON result file as a checked :class:`Node`."""
    raw = _read_bytes(root, path)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ResultError(f"{path}: (document): not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise ResultError(f"{path}: (document): not valid JSON "
                          f"({str(exc).splitlines()[0][:80]})") from None
    node = Node(str(path), data)
    node.dict()
    return node


def read_csv(root: Path, path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV result file (UTF-8, with or without BOM; ``#`` lines before the
    header, written by ipsim before 0.2, are skipped); ``columns`` must be in the header."""
    raw = _read_bytes(root, path)
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ResultError(f"{path}: (document): not UTF-8 text") from None
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    try:
        reader = csv.DictReader(lines)
        rows = list(reader)
    except csv.Error as exc:
        raise ResultError(f"{path}: (document): not a valid CSV ({exc})") from None
    missing = [c for c in columns if c not in (reader.fieldnames or ())]
    if missing:
        raise ResultError(f"{path}: line 1: missing column '{missing[0]}'; the header must "
                          f"hold {', '.join(columns)}")
    return rows


def csv_number(path: Path, line: int, column: str, text: str | None) -> float:
    """A finite number from a CSV cell."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ResultError(f"{path}: line {line}: {column}: must be a finite number, got "
                          f"{_show(text)}")
    return value


@dataclass
class Results:
    """The results present under one folder (absent ones are None or empty)."""

    root: Path
    json: dict[str, Node] = field(default_factory=dict)
    """Result kind (:data:`KINDS`) -> its checked JSON document."""
    folders: dict[str, Path] = field(default_factory=dict)
    """Result kind -> the folder holding it."""
    indicators: list[dict[str, str]] | None = None
    calibrations: list[tuple[Path, Node, str]] = field(default_factory=list)
    """Calibrated variant files: (path, checked YAML content, text)."""
    images: dict[str, list[Path]] = field(default_factory=dict)
    """Result kind -> PNG figures written by other commands that the report shows as they
    are (commit levels, drivers, optimise), when it cannot draw them itself."""

    def has(self, kind: str) -> bool:
        return kind in self.json or (kind == "calibration" and bool(self.calibrations))


def _png(root: Path, path: Path) -> bool:
    try:
        return not path.is_symlink() and path.is_file() and \
            _read_bytes(root, path)[:8] == b"\x89PNG\r\n\x1a\n"
    except ResultError:
        return False


def read_results(root: str | Path) -> Results:
    """Every result present under ``root`` (a run's folder, or one command's folder).

    Raises
    ------
    ResultError
        ``root`` is not a folder or holds no ipsim result, or a result file is malformed.
    """
    root = Path(root)
    if not root.is_dir():
        raise ResultError(f"{root}: not a folder (give a results folder, e.g. "
                          "results/key-city-2020)")
    res = Results(root)
    for kind, (sub, marker) in KINDS.items():
        for folder in ([root / sub, root] if sub else [root]):
            if (folder / marker).exists() or (folder / marker).is_symlink():
                res.json[kind] = read_json(root, folder / marker)
                res.folders[kind] = folder
                break
    if "run" in res.json:
        run = res.folders["run"]
        if (run / "indicators.csv").exists():
            res.indicators = read_csv(root, run / "indicators.csv",
                                      ("indicator", "year", "mean", "q05", "q25", "q50",
                                       "q75", "q95"))
        res.images["commit"] = sorted(p for p in run.glob("commit_*.png") if _png(root, p))
    for kind in ("drivers", "optimise", "goal"):
        if kind in res.folders:
            res.images[kind] = sorted(p for p in res.folders[kind].glob("*.png")
                                      if _png(root, p))
    cal = root / "calibration"
    if cal.is_dir() and not cal.is_symlink():
        import yaml

        for path in sorted(cal.glob("*.y*ml")):
            text = _read_bytes(root, path).decode("utf-8", "replace")
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise ResultError(f"{path}: (document): not valid YAML "
                                  f"({str(exc).splitlines()[0][:80]})") from None
            node = Node(str(path), data)
            node.dict()
            node["overrides"].dict()
            res.calibrations.append((path, node, text))
    if not res.json and not res.calibrations:
        raise ResultError(f"{root}: holds no ipsim result (summary.json, compare/, sweep/, "
                          "sensitivity/, calibration/, backtest/, drivers/, optimise/ or "
                          "goal/)")
    return res
