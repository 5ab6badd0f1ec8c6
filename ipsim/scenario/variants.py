"""Policy variants of a scenario: overrides by key path, validated like the base.

A variant is a name, a description and ``overrides``: dotted key paths of the scenario
(list items by index, ``policy.tranches[1].amount``) mapped to new values. It lives in the
base file's ``variants:`` section::

    variants:
      bigger-pool:
        description: 35 % to the risk-compensation pool, 10 % less to interest subsidies
        overrides:
          policy.allocation.risk_pool: 0.35
          policy.allocation.interest_subsidy: 0.0

or in a file of its own that names its base (relative to that file)::

    base: key-city-2020.yaml
    name: bigger-pool
    description: ...
    overrides: {policy.allocation.risk_pool: 0.35, policy.allocation.interest_subsidy: 0.0}

Each override key must exist in the scenario schema (:mod:`ipsim.scenario.schema`; an
unknown key is an error with a did-you-mean); the overrides are applied to a copy of the
base's raw data, and the result goes through :func:`ipsim.scenario.validate.build`, so every
rule of a scenario holds for every variant. An error caused by an override points at the
override's line. ``name``, ``seed`` and ``variants`` cannot be overridden: a variant's name
is its key, and a comparison runs every variant on the same seed.

The first line of a variant file ipsim writes (:func:`write_variant_file`, for ``ipsim
calibrate``), ``# written by ipsim calibrate; sha256 <hex>``, records the SHA-256 of the rest
of the text: :func:`written_by_ipsim` tells such a file, unchanged since, from any other, and
only such a file is ever overwritten (:func:`check_overwrite`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipsim.errors import ArgumentError, ScenarioError, ScenarioErrors, UsageError, did_you_mean
from ipsim.runtime.atomic import write_atomic
from ipsim.runtime.files import FileProblem, read_regular
from ipsim.scenario.names import name_problem
from ipsim.scenario.overrides import apply_overrides, check_key_path, moved_marks, parse_key_path
from ipsim.scenario.params import Scenario
from ipsim.scenario.provenance import mark_overridden
from ipsim.scenario.validate import build
from ipsim.scenario.yaml_loader import KeyPath, Marks, dotted, load_yaml, read_text

__all__ = ["Variant", "read_source", "load_variants", "load_variant_specs", "load_runnable",
           "variant_file_text", "write_variant_file", "written_by_ipsim", "check_overwrite",
           "VARIANT_FILE_KEYS"]

VARIANT_FILE_KEYS = ("base", "name", "description", "overrides")
"""Keys of a variant file (``base`` and ``name`` required)."""


@dataclass(frozen=True)
class Variant:
    """One validated variant: its name, description, overrides (as written) and Scenario."""

    name: str
    description: str
    overrides: Mapping[str, Any]
    scenario: Scenario
    file: str
    line: int | None = None


def _variant(name: str, spec: Any, anchor: KeyPath, marks: Marks, file: str, text: str,
             base_data: Mapping | None, errors: list) -> Variant | None:
    """Check one variant's spec at ``anchor`` (its path in ``file``) and build it."""
    def err(path: KeyPath, message: str) -> None:
        line, col = marks[path]
        errors.append(ScenarioError(file, dotted(path), message, line, col))

    n_before = len(errors)
    if problem := name_problem(name):
        err(anchor or ("name",), f"variant name {problem}")
    spec = {} if spec is None else spec
    if not isinstance(spec, Mapping):
        err(anchor, f"a variant must be a mapping with description and overrides, got {spec!r}")
        return None
    overrides = spec.get("overrides", {}) or {}
    if not isinstance(overrides, Mapping):
        err(anchor + ("overrides",), "must be a mapping of key paths to values, e.g. "
                                     "{policy.allocation.risk_pool: 0.35}")
        overrides = {}
    description = spec.get("description", "") or ""
    if not isinstance(description, str):
        err(anchor + ("description",), f"must be a text, got {description!r}")
    parsed = {}
    for key in overrides:
        path = parse_key_path(key)
        if path is None:
            err(anchor + ("overrides", key), f"not a key path: {key!r} (write e.g. "
                                             f"policy.allocation.risk_pool or "
                                             f"policy.tranches[1].amount)")
        elif problem := check_key_path(path):
            err(anchor + ("overrides", key), f"override of '{key}': {problem}")
        else:
            parsed[key] = path
    if len(errors) > n_before or base_data is None:
        return None
    data, problems = apply_overrides(base_data, {p: overrides[k] for k, p in parsed.items()})
    mark_overridden(data, parsed.values(), f"variant '{name}'")
    by_path = {p: k for k, p in parsed.items()}
    for path, message in problems.items():
        err(anchor + ("overrides", by_path[path]), f"override of '{by_path[path]}': {message}")
    if problems:
        return None
    data["name"] = name
    data["description"] = description or f"variant of {base_data.get('name')}"
    try:
        scenario = build(data, moved_marks(marks, anchor + ("overrides",), parsed), file, text)
    except ScenarioErrors as exc:
        for e in exc.errors:
            e_path = parse_key_path(e.key_path) or ()
            if not any(e_path[:len(p)] == p for p in parsed.values()):
                # not at an overridden key: point at the override it follows from (an
                # override below the key, as a share below an allocation), else the variant
                cause = next((k for k, p in parsed.items() if p[:len(e_path)] == e_path), None)
                e.line, e.column = marks[anchor + ("overrides", cause) if cause else anchor]
            e.message = f"in variant '{name}': {e.message}"
            errors.append(e)
        return None
    return Variant(name, scenario.description, dict(overrides), scenario, file, marks[anchor][0])


def _comparable(base: Scenario, v: Variant, marks: Marks, anchor: KeyPath,
                errors: list) -> bool:
    """A variant must keep the base's targets (ids, in order) to be compared path by path."""
    problem = base.comparable_with(v.scenario)
    if problem:
        path = anchor + ("overrides",)
        line, col = marks[path]
        errors.append(ScenarioError(v.file, dotted(path), problem, line, col))
    return not problem


def read_source(path: str | Path) -> tuple[Any, Marks, str]:
    """A scenario file's data, line marks and text; a loader error raised as ScenarioErrors."""
    try:
        text = read_text(path)
        data, marks = load_yaml(path, text)
    except ScenarioError as exc:
        raise ScenarioErrors([exc]) from None
    return data, marks, text


def load_variant_specs(path: str | Path, select: Sequence[str] | None = None
                       ) -> tuple[Scenario, list[Variant]]:
    """The base scenario and its variants, all validated.

    Parameters
    ----------
    path : str or pathlib.Path
        A scenario file (its ``variants:`` are the variants), or a variant file (with
        ``base:``; its one variant, compared with that base).
    select : sequence of str, optional
        Variant names of the base file, and paths of variant files (``.yaml``/``.yml``)
        whose base is this same file, in the order wanted; default: every variant in the
        file, in file order.

    Raises
    ------
    ScenarioErrors
        Every problem in the base, in its variants and in the variant files.
    """
    data, marks, text = read_source(path)
    if isinstance(data, Mapping) and "base" in data:
        if select:
            raise ArgumentError("variants", f"{path} is a variant file (it names its base:); "
                                "give variants with their base scenario")
        return _from_variant_file(path, data, marks, text)
    return _from_data(data, marks, str(path), text, select)


def variants_of(scenario: Scenario, select: Sequence[str] | None = None) -> list[Variant]:
    """The variants of the ``variants:`` section of the data ``scenario`` was built from
    (validated against it), all or the names in ``select`` in that order.

    Raises
    ------
    ScenarioErrors
        A variant is invalid.
    ArgumentError
        A name in ``select`` is not a variant of the scenario (argument ``variants``).
    """
    if scenario.raw is None:
        return []
    marks = scenario.marks if scenario.marks is not None else Marks({})
    return _from_data(scenario.raw, marks, scenario.file, scenario.text, select)[1]


def _from_data(data, marks: Marks, path: str, text: str, select: Sequence[str] | None
               ) -> tuple[Scenario, list[Variant]]:
    """A scenario's data with its ``variants:`` section: the base and its variants."""
    errors: list[ScenarioError] = []
    try:
        base = build(data, marks, str(path), text)
        base_data = data
    except ScenarioErrors as exc:
        errors += exc.errors
        base, base_data = None, None
    section = data.get("variants") if isinstance(data, Mapping) else None
    section = {} if section is None else section
    if not isinstance(section, Mapping):
        line, col = marks[("variants",)]
        errors.append(ScenarioError(str(path), "variants", "must be a mapping of variant names "
                                    "to {description, overrides}", line, col))
        section = {}
    variants = []
    for name, spec in section.items():
        anchor = ("variants", name)
        if isinstance(spec, Mapping):
            for key in spec:
                if key not in ("description", "overrides"):
                    line, col = marks[anchor + (key,)]
                    errors.append(ScenarioError(
                        str(path), dotted(anchor + (key,)), f"unknown key"
                        f"{did_you_mean(key, ('description', 'overrides'))}; allowed: "
                        "description, overrides", line, col))
        if isinstance(base_data, Mapping) and name == base_data.get("name"):
            line, col = marks[anchor]
            errors.append(ScenarioError(str(path), dotted(anchor), "a variant cannot have the "
                                        "base scenario's name", line, col))
        v = _variant(name, spec, anchor, marks, str(path), text, base_data, errors)
        if v is not None and _comparable(base, v, marks, anchor, errors):
            variants.append(v)
    chosen = variants
    if select is not None and base is not None and not errors:
        chosen = _select(path, variants, select, list(section))
    if errors:
        raise ScenarioErrors(errors)
    return base, chosen


def _select(path, variants: list[Variant], select: Sequence[str],
            names: list[str]) -> list[Variant]:
    """The variants named in ``select`` (names, or variant files of the same base)."""
    by_name, out = {v.name: v for v in variants}, []
    for item in select:
        if item.endswith((".yaml", ".yml")):
            other, found = load_variant_specs(item)
            if Path(other.file).resolve() != Path(path).resolve():
                raise ArgumentError("variants", f"{item} is a variant of {other.file}, not of "
                                 f"{path}")
            out += found
        elif item in by_name:
            out.append(by_name[item])
        else:
            known = ", ".join(names) or "(none: the file has no variants: section)"
            raise ArgumentError("variants", f"unknown variant '{item}'{did_you_mean(item, names)}"
                             f"; variants of {path}: {known}")
    seen = [v.name for v in out]
    dup = next((n for i, n in enumerate(seen) if n in seen[:i]), None)
    if dup:
        raise ArgumentError("variants", f"variant '{dup}' is given twice")
    return out


def _from_variant_file(path, data: Mapping, marks: Marks, text: str
                       ) -> tuple[Scenario, list[Variant]]:
    """A variant file: check its keys, load its base, build its one variant."""
    file, errors = str(path), []
    for key in data:
        if key not in VARIANT_FILE_KEYS:
            line, col = marks[(key,)]
            errors.append(ScenarioError(
                file, key, f"unknown key{did_you_mean(key, VARIANT_FILE_KEYS)}; a variant "
                f"file holds: {', '.join(VARIANT_FILE_KEYS)}", line, col))
    for key in ("base", "name"):
        if not isinstance(data.get(key), str) or not data.get(key):
            line, col = marks[(key,)]
            errors.append(ScenarioError(file, key, f"a variant file needs '{key}:' (a text), got "
                                        f"{data.get(key)!r}", line, col))
    if errors:
        raise ScenarioErrors(errors)
    base_path = Path(os.path.normpath(Path(path).parent / data["base"]))
    if not base_path.is_file():
        line, col = marks[("base",)]
        raise ScenarioErrors([ScenarioError(file, "base", f"base scenario {data['base']!r} not "
                                            f"found (looked for {base_path})", line, col)])
    base_raw, _, _ = read_source(base_path)
    if isinstance(base_raw, Mapping) and "base" in base_raw:
        line, col = marks[("base",)]
        raise ScenarioErrors([ScenarioError(file, "base", f"{data['base']!r} is a variant file; "
                                            "a variant's base must be a scenario", line, col)])
    base, _ = load_variant_specs(base_path, select=[])
    if data["name"] == base.name:
        line, col = marks[("name",)]
        raise ScenarioErrors([ScenarioError(file, "name", "a variant cannot have the base "
                                            "scenario's name", line, col)])
    spec = {k: data[k] for k in ("description", "overrides") if k in data}
    v = _variant(data["name"], spec, (), marks, file, text, base_raw, errors)
    if v is not None:
        _comparable(base, v, marks, (), errors)
    if errors:
        raise ScenarioErrors(errors)
    return base, [v]


def load_variants(path: str | Path, select: Sequence[str] | None = None
                  ) -> tuple[Scenario, list[Scenario]]:
    """The base scenario and its variants' Scenarios (``name`` = the variant's name).

    See :func:`load_variant_specs` for the arguments.
    """
    base, variants = load_variant_specs(path, select)
    return base, [v.scenario for v in variants]


def load_runnable(path: str | Path) -> Scenario:
    """The scenario of a scenario file, or the variant of a variant file (one that names its
    ``base:``, as ``ipsim calibrate`` writes); what ``ipsim run`` simulates.

    The whole file is validated, its ``variants:`` included, as ``ipsim validate`` does:
    a file with a bad variant is refused even though only its base would run.
    """
    base, variants = load_variant_specs(path)
    return base if base.file == str(path) else variants[0].scenario   # else: a variant file


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


def variant_file_text(base: str, name: str, description: str, overrides: Mapping[str, Any],
                 header: list[str]) -> str:
    """The text of a variant file (read back by :func:`load_variant_specs`): comment
    ``header``, ``base``, ``name``, ``description`` and one ``overrides`` line per key path."""
    lines = [f"# {h}" if h else "#" for h in header]
    lines += [f"base: {base}", f"name: {name}", "description: >", f"  {description}",
              "overrides:"]
    lines += [f"  {k}: {_value(v)}" for k, v in overrides.items()]
    return "\n".join(lines) + "\n"


_SIGNED = re.compile(r"^# written by ipsim calibrate; sha256 ([0-9a-f]{64})\n")
"""The first line of a variant file ipsim writes: the SHA-256 of the rest of the text."""


def _signed(text: str) -> str:
    """``text`` with the first line that says ipsim wrote it and the digest of the rest."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"# written by ipsim calibrate; sha256 {digest}\n{text}"


def written_by_ipsim(path: str | Path) -> bool:
    """Whether ``path`` is a variant file ipsim wrote (:func:`write_variant_file`), unchanged
    since (its first line's SHA-256 matches the rest)."""
    try:
        text = read_regular(path, 1_000_000).decode("utf-8")
    except (FileProblem, UnicodeDecodeError):
        return False
    m = _SIGNED.match(text)
    return bool(m) and hashlib.sha256(text[m.end():].encode("utf-8")).hexdigest() == m[1]


def check_overwrite(out: str | Path, protected: Mapping[str, str | Path] | None = None
                    ) -> None:
    """Refuse to write the variant file ``out`` over a file ipsim did not write.

    Parameters
    ----------
    out : str or pathlib.Path
        The variant file to write.
    protected : mapping, optional
        What each input file is (``{"the scenario": path, "the history": path}``): named in
        the message if ``out`` is one of them.

    Raises
    ------
    UsageError
        ``out`` is not a ``.yaml``/``.yml`` name, exists and is not a regular file, is one
        of the ``protected`` inputs, or exists and was not written by ipsim (or was changed
        since). The message names the file, not an argument.
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


def write_variant_file(out: str | Path, base_file: str | Path, name: str, description: str,
                  overrides: Mapping[str, Any], header: list[str]) -> None:
    """Write the variant file ``out`` atomically, its first line saying that ipsim wrote it
    (:func:`written_by_ipsim`); ``base:`` is relative to its folder."""
    out = Path(out)
    rel = os.path.relpath(Path(base_file).resolve(), out.resolve().parent)
    write_atomic(out, _signed(variant_file_text(Path(rel).as_posix(), name, description,
                                                overrides, header)))
