"""The checker that :func:`ipsim.scenario.validate.build` walks a scenario's raw data with:
typed values against their schema fields and parameter tables, distributions against their
ranges, every problem collected as a :class:`~ipsim.errors.ScenarioError` naming its line,
and the wording those messages share (ranges, articles, shortened values, percentages)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ipsim.errors import ScenarioError, did_you_mean
from ipsim.model.spec import Param
from ipsim.scenario import schema
from ipsim.scenario.params import (
    DISTRIBUTIONS,
    Distribution,
    frozen_map,
)
from ipsim.scenario.yaml_loader import Marks, dotted

__all__ = ["Checker", "MAX_MASS_OUTSIDE", "article", "show"]

MAX_MASS_OUTSIDE = 0.01
"""Largest share of a distribution's mass allowed outside its parameter's range."""


class Checker:
    """Collects problems while converting raw YAML data into typed values."""

    def __init__(self, file: str, marks: Marks):
        self.file = file
        self.marks = marks
        self.errors: list[ScenarioError] = []
        self.warnings: list[ScenarioError] = []

    def error(self, path: tuple, message: str, constraint: bool = False) -> None:
        line, col = self.marks[path]
        self.errors.append(ScenarioError(self.file, dotted(path), message, line, col,
                                         constraint))

    def warn(self, path: tuple, message: str) -> None:
        """Note a problem that does not stop the scenario (``Scenario.warnings``)."""
        line, col = self.marks[path]
        self.warnings.append(ScenarioError(self.file, dotted(path), f"warning: {message}",
                                           line, col))

    def failed(self, path: tuple) -> bool:
        """Whether a problem was already reported at ``path`` (so a rule that needs its
        value does not report it missing as well)."""
        key = dotted(path)
        return any(e.key_path == key for e in self.errors)

    # -- scalars -------------------------------------------------------------------------
    def number(self, value: Any, path: tuple, low=None, high=None, integer=False,
               unit: str = "", low_open: bool = False) -> float | None:
        what = "a whole number" if integer else "a number"
        allowed = _range(low, high, unit, low_open)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"must be {what}{allowed}, got {show(value)}{_percent(value)}")
            return None
        if not math.isfinite(value):
            self.error(path, f"must be a finite number{allowed}, got {value}")
            return None
        if integer and value != int(value):
            self.error(path, f"must be a whole number, got {value}")
            return None
        if (low is not None and (value <= low if low_open else value < low)) or \
                (high is not None and value > high):
            self.error(path, f"must be{allowed}, got {value:g}")
            return None
        return int(value) if integer else float(value)

    def string(self, value: Any, path: tuple) -> str | None:
        if not isinstance(value, str) or (path[-1] in ("name", "id") and not value.strip()):
            self.error(path, f"must be a non-empty text, got {show(value)}")
            return None
        return value

    def text(self, value: Any, path: tuple) -> tuple[tuple[str, str], ...] | None:
        """A text for people: one string, or one per language (``{en: .., zh: ..}``).

        Returns ``(("", text),)`` for a plain string, else ``((lang, text), ...)`` in the
        order of :data:`~ipsim.scenario.schema.LANGUAGES`.
        """
        if isinstance(value, str):
            return (("", value),)
        langs = schema.LANGUAGES
        if not isinstance(value, Mapping) or not value:
            self.error(path, f"must be a text, or a mapping of language to text "
                             f"({', '.join(langs)}), got {show(value)}")
            return None
        ok = True
        for lang, text in value.items():
            if lang not in langs:
                self.error(path + (lang,), f"unknown language{did_you_mean(lang, langs)}; "
                                           f"allowed: {', '.join(langs)}")
                ok = False
            elif not isinstance(text, str) or not text.strip():
                self.error(path + (lang,), f"must be a non-empty text, got {show(text)}")
                ok = False
        return tuple((lang, value[lang]) for lang in langs if lang in value) if ok else None

    def choice(self, value: Any, path: tuple, choices) -> str | None:
        if not isinstance(value, str) or value not in choices:
            self.error(path, f"unknown value {show(value)}{did_you_mean(value, choices)}; "
                             f"allowed: {', '.join(choices)}")
            return None
        return value

    def mapping(self, value: Any, path: tuple, allowed, required=()) -> dict | None:
        if not isinstance(value, Mapping):
            self.error(path, f"must be a mapping of keys to values, got {show(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(path + (key,), f"unknown key{did_you_mean(key, allowed)}; "
                                          f"allowed: {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.error(path, f"missing required key '{key}'")
        return dict(value)

    # -- structures ------------------------------------------------------------------------
    def fields(self, value: Any, path: tuple, fields) -> dict | None:
        names = [f.name for f in fields]
        data = self.mapping(value, path, names, [f.name for f in fields if f.required])
        if data is None:
            return None
        out = {}
        for f in fields:
            if f.name in data:
                out[f.name] = self.field(f, data[f.name], path + (f.name,))
            else:
                out[f.name] = f.default
        return out

    def field(self, f: schema.Field, value: Any, path: tuple):
        match f.kind:
            case "str":
                return self.string(value, path)
            case "text":
                return self.text(value, path)
            case "int" | "number":
                return self.number(value, path, f.low, f.high, f.kind == "int", f.unit,
                                   f.low_open)
            case "bool":
                if not isinstance(value, bool):
                    self.error(path, f"must be true or false, got {show(value)}")
                    return None
                return value
            case "choice":
                return self.choice(value, path, f.choices)
            case "ids":
                if not isinstance(value, list):
                    self.error(path, f"must be a list of target ids, got {show(value)}")
                    return None
                return tuple(v for i, v in enumerate(value) if self.string(v, path + (i,)))
            case "map":
                return self.fields(value, path, f.fields)
            case "list":
                if not isinstance(value, list) or len(value) < f.min_items:
                    what = "a non-empty list" if f.min_items else "a list"
                    self.error(path, f"must be {what}, got {show(value)}")
                    return None
                return [self.fields(v, path + (i,), f.fields) for i, v in enumerate(value)]
            case "shares":
                return self.shares(value, path, f.choices)
            case "baseline":
                return self.params(value, path, schema.baseline(), fixed=True)
            case "params":
                if f.name == "shocks":
                    return self.params(value, path, schema.shock_params())
                return self.sections(value, path)
            case "variants" | "provenance" | "correlations":  # checked by their own modules
                return value
        raise AssertionError(f.kind)  # pragma: no cover

    def shares(self, value: Any, path: tuple, levers) -> dict | None:
        data = self.mapping(value, path, levers)
        if data is None:
            return None
        out = {k: self.number(v, path + (k,), 0, 1, unit="fraction")
               for k, v in data.items() if k in levers}
        if all(v is not None for v in out.values()) and sum(out.values()) > 1 + 1e-9:
            self.error(path, f"shares sum to {sum(out.values()):g}; they must sum to at most 1",
                       constraint=True)
        return out

    def sections(self, value: Any, path: tuple) -> dict:
        sections, fixed = schema.sections(), schema.fixed()
        data = self.mapping(value, path, list(sections)) or {}
        return {s: self.params(data.get(s, {}), path + (s,), params,
                               fixed_names=fixed.get(s, ()))
                for s, params in sections.items()}

    def params(self, value: Any, path: tuple, params: tuple[Param, ...], fixed=False,
               fixed_names=()) -> dict:
        by_name = {p.name: p for p in params}
        data = self.mapping(value, path, list(by_name)) or {}
        out = {}
        for p in params:
            if p.name not in data:
                out[p.name] = float(p.default)
                continue
            raw, where = data[p.name], path + (p.name,)
            if isinstance(raw, Mapping) and not (fixed or p.name in fixed_names):
                out[p.name] = self.distribution(raw, where, p)
            else:
                if isinstance(raw, Mapping):
                    self.error(where, "must be a number here (a distribution is not allowed)")
                    continue
                out[p.name] = self.number(raw, where, p.low, p.high, integer=p.integer,
                                          unit=p.unit)
        return out

    def distribution(self, raw: Mapping, path: tuple, p: Param) -> Distribution | None:
        kind = raw.get("dist")
        if "dist" not in raw:
            self.error(path, f"a distribution needs 'dist' (one of {', '.join(DISTRIBUTIONS)})"
                       f"; a fixed value is written as a plain number")
            return None
        if not isinstance(kind, str) or kind not in DISTRIBUTIONS:
            self.error(path + ("dist",), f"unknown distribution {show(kind)}"
                       f"{did_you_mean(kind, DISTRIBUTIONS)}; allowed: {', '.join(DISTRIBUTIONS)}")
            return None
        names = DISTRIBUTIONS[kind]
        optional = ("low", "high") if kind == "beta" else ()
        data = self.mapping(raw, path, ("dist",) + names,
                            [n for n in names if n not in optional])
        if data is None:
            return None
        args = {n: self.number(data[n], path + (n,)) for n in names if n in data}
        if any(v is None for v in args.values()) or len(args) + len(optional) < len(names):
            return None
        problem = _distribution_problem(kind, args)
        if problem:
            self.error(path, f"invalid {kind} distribution: {problem}")
            return None
        dist = Distribution(kind, frozen_map(args))
        with np.errstate(all="ignore"):  # extreme parameters: judged below, not warned
            outside = dist.mass_outside(p.low, p.high)
        if not outside <= MAX_MASS_OUTSIDE:  # also refuses NaN from extreme parameters
            self.error(path, f"{kind} distribution puts {outside:.1%} of its mass outside the "
                             f"allowed range [{p.low:g}, {p.high:g}] {p.unit} (at most "
                             f"{MAX_MASS_OUTSIDE:.0%} allowed)")
            return None
        return dist


def _distribution_problem(kind: str, a: dict) -> str:
    positive = {"normal": ("sd",), "lognormal": ("median", "sigma"), "beta": ("a", "b"),
                "gamma": ("shape", "scale")}.get(kind, ())
    for n in positive:
        if a[n] <= 0:
            return f"{n} must be > 0, got {a[n]:g}"
    low, high = a.get("low", 0.0), a.get("high", 1.0)
    if kind in ("uniform", "triangular", "beta") and not low < high:
        return f"low must be < high, got low={low:g}, high={high:g}"
    if kind == "triangular" and not low <= a["mode"] <= high:
        return f"mode must lie in [low, high], got {a['mode']:g}"
    return ""


def _range(low, high, unit, low_open: bool = False) -> str:
    u = f" {unit}" if unit else ""
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>' if low_open else '>='} {low:g}{u}"
    if low is None:
        return f" <= {high:g}{u}"
    return f" in {'(' if low_open else '['}{low:g}, {high:g}]{u}"


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _percent(value: Any) -> str:
    """A hint for a percentage written as text (``"30%"``): write the fraction, 0.3."""
    if not isinstance(value, str) or not value.strip().endswith("%"):
        return ""
    try:
        x = float(value.strip()[:-1].replace("_", ""))
    except ValueError:
        return ""
    return f"; write a share or a rate as a fraction: {x / 100:g} for {value.strip()}"


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
