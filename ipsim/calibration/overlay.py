"""Scenarios made from a base scenario and overrides: in memory, and as a variant file.

A calibration is written as a variant file (:mod:`ipsim.scenario.variants`): ``base:`` the
scenario it started from, ``overrides:`` dotted key paths set to the estimates (a
distribution is a mapping such as ``{dist: normal, mean: 0.1, sd: 0.03}``), and a comment
header that records the history file, its SHA-256, the estimates and what the data could not
identify. ``ipsim run`` and ``ipsim compare`` read it like any variant file.

The first line of a written variant file, ``# written by ipsim calibrate; sha256 <hex>``,
records the SHA-256 of the rest of the text: :func:`written_by_ipsim` tells a file ipsim
wrote (and nobody changed since) from any other, and only such a file is ever overwritten
(:func:`check_overwrite`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipsim.errors import ScenarioError, ScenarioErrors, UsageError
from ipsim.model import funding
from ipsim.runtime.atomic import write_atomic
from ipsim.scenario.overrides import apply_overrides, check_key_path, parse_key_path
from ipsim.scenario.params import Scenario
from ipsim.scenario.provenance import mark_overridden
from ipsim.scenario.validate import build
from ipsim.scenario.variants import load_variant_specs
from ipsim.scenario.yaml_loader import Marks, load_yaml, read_text

__all__ = ["Base", "load_base", "PROGRAMME_OFF", "overlay_text", "write_overlay", "short_run",
           "written_by_ipsim", "check_overwrite"]

PROGRAMME_OFF: dict[str, Any] = {
    **{f"policy.allocation.{lever}": 0.0 for lever in funding.LEVERS},
    "baseline.risk_pool": 0,
}
"""Overrides that switch a programme off: nothing allocated to any lever (the funds arrive
but are not spent, so no spending effect, no pool and no programme outputs), and no pool at
the start; the model's state before a programme, for fitting and backtesting a history from
before it. (A budget of 0 is not a valid scenario.)"""


def short_run(months: int, budget: float) -> dict[str, Any]:
    """Overrides for a run of ``months`` months with the programme off: the whole ``budget``
    (yuan) paid at the start, unconditionally and unspent, no mid-term gate, and one neutral
    target (the base's tranches, gate and targets may refer to months beyond ``months``;
    none matters to a calibration or a backtest, which read the indicators only)."""
    return {**PROGRAMME_OFF, "horizon_months": months, "policy.midterm": None,
            "policy.tranches": [{"month": 0, "amount": budget}],
            "targets": [{"id": "none", "indicator": "transfers", "measure": "final",
                         "op": ">", "threshold": 0}]}


class Base:
    """A scenario file's raw data, to build scenarios from it with overrides.

    Parameters
    ----------
    path : str or pathlib.Path
        A scenario file (not a variant file).

    Raises
    ------
    ScenarioErrors
        The file is not a valid scenario.
    UsageError
        It is a variant file.
    """

    def __init__(self, path: str | Path):
        self.file = str(path)
        try:
            self.text = read_text(path)
            self.data, self.marks = load_yaml(path, self.text)
        except ScenarioError as exc:
            raise ScenarioErrors([exc]) from None
        if isinstance(self.data, Mapping) and "base" in self.data:
            raise UsageError(f"--scenario {path}: is a variant file (it names its base:); give "
                             "the scenario file itself")
        self.scenario = build(self.data, self.marks, self.file, self.text)
        load_variant_specs(path, select=[])   # the whole file is valid, variants: included

    def with_overrides(self, overrides: Mapping[str, Any], name: str | None = None
                       ) -> Scenario:
        """The base with ``overrides`` (dotted key path -> value; ``None`` removes the key)
        applied and validated."""
        parsed, removed = {}, []
        for key, value in overrides.items():
            path = parse_key_path(key)
            if path is None or check_key_path(path):
                raise ValueError(f"bad override key {key!r}: {check_key_path(path or ())}")
            if value is None:
                removed.append(path)
            else:
                parsed[path] = value
        data, problems = apply_overrides(self.data, parsed)
        if problems:
            raise ValueError(f"overrides cannot be applied: {problems}")
        mark_overridden(data, [*parsed, *removed], f"calibration {name}" if name else
                        "calibration")
        for path in removed:
            node = data
            for key in path[:-1]:
                node = node.get(key, {}) if isinstance(node, dict) else {}
            if isinstance(node, dict):
                node.pop(path[-1], None)
        if name:
            data["name"] = name
        return build(data, Marks({}), self.file, self.text)


def load_base(path: str | Path) -> Base:
    """:class:`Base` of a scenario file."""
    return Base(path)


def _value(v: Any) -> str:
    """A YAML flow value the scenario loader reads back exactly (numbers to 6 digits)."""
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, bool) or isinstance(v, int):
        return str(v).lower() if isinstance(v, bool) else str(v)
    if isinstance(v, float):
        return f"{v:.6g}".replace("e+", "e")
    return str(v)


def overlay_text(base: str, name: str, description: str, overrides: Mapping[str, Any],
                 header: list[str]) -> str:
    """The text of a variant file: comment ``header``, ``base``, ``name``, ``description``
    and one ``overrides`` line per key path."""
    lines = [f"# {h}" if h else "#" for h in header]
    lines += [f"base: {base}", f"name: {name}", "description: >", f"  {description}",
              "overrides:"]
    lines += [f"  {k}: {_value(v)}" for k, v in overrides.items()]
    return "\n".join(lines) + "\n"


_SIGNED = re.compile(r"^# written by ipsim calibrate; sha256 ([0-9a-f]{64})\n")


def _signed(text: str) -> str:
    """``text`` with the first line that says ipsim wrote it and the digest of the rest."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"# written by ipsim calibrate; sha256 {digest}\n{text}"


def written_by_ipsim(path: str | Path) -> bool:
    """Whether ``path`` is a variant file ipsim calibrate wrote, unchanged since."""
    try:
        raw = Path(path).read_bytes() if Path(path).stat().st_size < 1_000_000 else b""
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    m = _SIGNED.match(text)
    rest = text[m.end():] if m else ""
    return bool(m) and hashlib.sha256(rest.encode("utf-8")).hexdigest() == m[1]


def check_overwrite(out: str | Path, protected: Mapping[str, str | Path] | None = None
                    ) -> None:
    """Refuse to write the variant file ``out`` over a file ipsim did not write.

    Parameters
    ----------
    out : str or pathlib.Path
        The variant file to write.
    protected : mapping
        What each input file is (``{"the scenario": path, "the history": path}``): named in
        the message if ``out`` is one of them.

    Raises
    ------
    UsageError
        ``out`` is not a ``.yaml``/``.yml`` name, exists and is not a regular file, is one
        of the ``protected`` inputs, or exists and was not written by ipsim calibrate (or
        was changed since).
    """
    out = Path(out)
    if out.suffix not in (".yaml", ".yml"):
        raise UsageError(f"{out}: must end in .yaml or .yml (a variant file)")
    if not os.path.lexists(out):
        return
    if out.is_symlink() or not out.is_file():
        raise UsageError(f"{out}: exists and is not a regular file")
    for what, path in (protected or {}).items():
        try:
            same = os.path.samefile(out, path)
        except OSError:
            same = False
        if same:
            raise UsageError(f"{out}: is {what} itself; write the variant file elsewhere")
    if not written_by_ipsim(out):
        raise UsageError(f"{out}: exists and was not written by ipsim calibrate (or was "
                         "changed since); ipsim never overwrites such a file: remove it "
                         "yourself or write elsewhere")


def write_overlay(out: str | Path, base_file: str | Path, name: str, description: str,
                  overrides: Mapping[str, Any], header: list[str]) -> None:
    """Write the variant file ``out`` atomically; ``base:`` is relative to its folder."""
    out = Path(out)
    rel = os.path.relpath(Path(base_file).resolve(), out.resolve().parent)
    write_atomic(out, _signed(overlay_text(Path(rel).as_posix(), name, description, overrides,
                                           header)))
