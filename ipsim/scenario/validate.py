"""Check a scenario's raw data against :mod:`ipsim.scenario.schema` and build a Scenario.

Every problem is collected (not only the first) as a :class:`~ipsim.errors.ScenarioError`
with the file, line, column and key path; :func:`build` raises them together as
:class:`~ipsim.errors.ScenarioErrors`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipsim.errors import ScenarioError, ScenarioErrors, did_you_mean
from ipsim.model import measures, registry
from ipsim.scenario import correlations, provenance, schema
from ipsim.scenario.checker import MAX_MASS_OUTSIDE, Checker, article
from ipsim.scenario.names import name_problem
from ipsim.scenario.params import (
    Midterm,
    Policy,
    Scenario,
    Target,
    Tranche,
    frozen_map,
)
from ipsim.scenario.yaml_loader import Marks, load_yaml, read_text

__all__ = ["load_scenario", "build", "MAX_MASS_OUTSIDE"]

def _check_target(c: Checker, path: tuple, t: dict, indicator, horizon: int | None) -> None:
    """A target against its measure's row of the table: the indicator kinds it applies to,
    and whether it needs a threshold or a month."""
    m = measures.measure(t["measure"])
    a = f"{article(m.name)} {m.name}"
    if not m.applies_to(indicator.kind, indicator.event):
        if m.kinds == ("event",):
            takes = [i.name for i in registry.indicators().values() if i.event]
            c.error(path + ("measure",), f"indicator '{indicator.name}' records no event; "
                    f"{m.name} targets take: {', '.join(takes)}")
        else:
            c.error(path + ("measure",), f"measure '{m.name}' needs {article(m.kinds[0])} "
                    f"{' or '.join(m.kinds)} indicator; '{indicator.name}' is "
                    f"{article(indicator.kind)} {indicator.kind}")
    if m.needs == "by_month":
        if t.get("threshold") is not None:
            c.error(path + ("threshold",), f"{a} target takes 'by_month', not 'threshold' "
                    "(the event happens or not)")
        if t.get("by_month") is None:
            if not c.failed(path + ("by_month",)):
                c.error(path, f"{a} target needs 'by_month'")
        elif horizon and t["by_month"] > horizon:
            c.error(path + ("by_month",), f"must be within the horizon (<= {horizon})")
    else:
        if t.get("threshold") is None and not c.failed(path + ("threshold",)):
            c.error(path, f"{a} target needs 'threshold'")
        if t.get("by_month") is not None:
            c.error(path + ("by_month",), f"'by_month' applies to targets that need a month, "
                    f"not to measure '{m.name}'")


def _judges_window(t: dict) -> bool:
    """Whether the gate judges target ``t`` on the flow of the last 12 months."""
    kind = registry.indicators()[t["indicator"]].kind
    return measures.measure(t["measure"]).progress(kind) == "window"


def _cross_checks(c: Checker, top: dict) -> None:
    """Rules that span several keys: horizon, tranches, gate, targets."""
    horizon = top.get("horizon_months")
    if horizon is not None and horizon % 12:
        c.error(("horizon_months",), f"must be a multiple of 12 months, got {horizon}")
        horizon = None
    policy, targets = top.get("policy") or {}, top.get("targets") or []
    ids = [t["id"] for t in targets if t and t.get("id")]
    seen: set[str] = set()
    for i, t in enumerate(targets):
        tid = t.get("id") if t else None
        if tid and tid in seen:
            c.error(("targets", i, "id"), f"target id '{tid}' is used twice")
        seen.add(tid)
    indicators = registry.indicators()
    for i, t in enumerate(targets):
        if not t or not t.get("indicator") or not t.get("measure"):
            continue
        _check_target(c, ("targets", i), t, indicators[t["indicator"]], horizon)
    tranches = [t for t in (policy.get("tranches") or []) if t]
    for i, t in enumerate(tranches):
        if horizon and t.get("month") is not None and t["month"] >= horizon:
            c.error(("policy", "tranches", i, "month"),
                    f"must be inside the horizon [0, {horizon - 1}], got {t['month']}")
    budget = policy.get("budget")
    if budget and policy.get("tranches") == []:
        c.error(("policy", "tranches"), f"no tranches pay the budget of {budget:g} yuan; list "
                "the payments, or set policy.budget: 0 for no programme")
    paid = sum(t.get("amount") or 0 for t in tranches)
    if budget is not None and paid > budget * (1 + 1e-9):
        c.error(("policy", "tranches"), f"tranches pay {paid:g} yuan, more than the budget "
                                        f"{budget:g}", constraint=True)
    midterm = policy.get("midterm")
    if midterm:
        m = midterm.get("month")
        if horizon and m is not None and m >= horizon:
            c.error(("policy", "midterm", "month"), f"must be inside the horizon, got {m}")
        for j, tid in enumerate(midterm.get("targets") or ()):
            if tid not in ids:
                c.error(("policy", "midterm", "targets", j), f"unknown target id '{tid}'"
                        f"{did_you_mean(tid, ids)}; targets: {', '.join(ids)}")
        growth_judged = [tid for tid in (midterm.get("targets") or ())
                         for t in targets if t and t.get("id") == tid
                         and t.get("measure") and t.get("indicator") and _judges_window(t)]
        if growth_judged and m is not None and m < 12 and midterm.get("rule") == "on_track":
            c.error(("policy", "midterm", "month"), f"judging targets on the last 12 months' "
                    f"flow ({', '.join(growth_judged)}) needs 12 months; got month {m}")
        n_judged = len(midterm.get("targets") or ())
        if midterm.get("rule") == "on_track" and midterm.get("targets") is not None \
                and (midterm.get("min_on_track") or 0) > n_judged:
            c.error(("policy", "midterm", "min_on_track"),
                    f"asks for {midterm['min_on_track']} targets on pace but lists {n_judged}")
    for i, t in enumerate(tranches):
        if not t.get("conditional"):
            continue
        if not midterm:
            c.error(("policy", "tranches", i, "conditional"),
                    "a conditional tranche needs a policy.midterm evaluation")
        elif midterm.get("month") is not None and t.get("month") is not None \
                and t["month"] < midterm["month"]:
            c.error(("policy", "tranches", i, "month"), f"a conditional tranche is paid at or "
                    f"after the mid-term evaluation (month {midterm['month']})")


def _default_text(text) -> str:
    """The text shown when no language is asked for: a plain text, else English, else any."""
    if not text:
        return ""
    given = dict(text)
    return given.get("", given.get("en", next(iter(given.values()))))


def _languages(text) -> tuple[tuple[str, str], ...]:
    """The texts given per language (none for a plain text)."""
    return tuple((lang, t) for lang, t in (text or ()) if lang)


def build(data: Any, marks: Marks, file: str, text: str = "") -> Scenario:
    """Validate raw scenario data and return the :class:`Scenario`.

    Raises
    ------
    ScenarioErrors
        With every problem found.
    """
    c = Checker(file, marks)
    if not isinstance(data, Mapping):
        raise ScenarioErrors([ScenarioError(file, "", f"a scenario must be a YAML mapping of "
                                            f"keys to values, got {type(data).__name__}", 1, 1)])
    top = c.fields(data, (), schema.top())
    if top is not None:
        if top["name"] is not None and (problem := name_problem(top["name"])):
            c.error(("name",), problem)
        _cross_checks(c, top)
        top["provenance"] = provenance.check(c, top["provenance"], ("provenance",), data)
        top["correlations"] = correlations.check(
            c, top["correlations"], ("correlations",),
            {**(top["parameters"] or {}), "shocks": top["shocks"] or {}})
    if c.errors or top is None:
        raise ScenarioErrors(c.errors)
    policy = top["policy"]
    midterm = Midterm(**{**policy["midterm"], "targets": tuple(policy["midterm"]["targets"])}) \
        if policy.get("midterm") else None
    parameters = dict(top["parameters"] or c.sections({}, ("parameters",)))
    parameters["shocks"] = top["shocks"] or c.params({}, ("shocks",), schema.shock_params())
    return Scenario(
        name=top["name"], description=_default_text(top["description"]),
        descriptions=_languages(top["description"]), seed=top["seed"],
        horizon_months=top["horizon_months"], start_year=top["start_year"],
        baseline=frozen_map(top["baseline"]),
        parameters=frozen_map({k: frozen_map(v) for k, v in parameters.items()}),
        policy=Policy(budget=policy["budget"],
                      tranches=tuple(Tranche(**t) for t in policy["tranches"]),
                      allocation=frozen_map(policy["allocation"]),
                      fast_track_share=policy["fast_track_share"], midterm=midterm),
        targets=tuple(Target(**{**t, "label": _default_text(t.get("label")) or t["id"],
                                "labels": _languages(t.get("label"))})
                      for t in top["targets"]),
        correlations=top["correlations"],
        provenance=top["provenance"], file=file, text=text, raw=copy.deepcopy(dict(data)),
        marks=marks, warnings=tuple(c.warnings))


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario file, the whole of it: its ``variants:`` are
    checked too (as ``ipsim validate`` does), although only the scenario is returned.

    Raises
    ------
    ScenarioErrors
        Every problem in the file (a YAML syntax error is reported alone).
    """
    from ipsim.scenario.variants import variants_of  # (it builds on this module)

    try:
        text = read_text(path)
        data, marks = load_yaml(path, text)
    except ScenarioError as exc:
        raise ScenarioErrors([exc]) from None
    scenario = build(data, marks, str(path), text)
    variants_of(scenario)
    return scenario
