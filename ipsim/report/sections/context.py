"""What every section needs: the language, the results, labels in the report's language,
and figure drawing."""

from __future__ import annotations

import functools

from ipsim.report import numbers as num
from ipsim.report.folder import Node, Results
from ipsim.report.i18n import Words

__all__ = ["Context", "INDICATOR_UNITS"]

INDICATOR_UNITS = {
    "applications": "applications", "grants": "patents", "invention_stock": "patents",
    "transfers": "deals", "turnover": "yuan", "pledge_amount": "yuan",
    "pledge_projects": "loans", "pledge_defaults": "loans", "risk_pool": "yuan",
    "securitisations": "products", "securitisation_amount": "yuan",
    "navigation_projects": "projects", "certified_orgs": "orgs", "trusteeship_smes": "smes",
    "operation_centres": "centres", "sme_transformations": "smes", "funds_received": "yuan"}
"""Indicator -> the unit key of its values (``unit.<key>`` in the catalogues)."""


class Context:
    """The language and the results, with the helpers the sections share."""

    def __init__(self, results: Results, lang: str):
        self.results = results
        self.lang = lang
        self.w = Words(lang)
        self._figures = 0

    # -- the documents ---------------------------------------------------------------------
    def doc(self, kind: str) -> Node | None:
        return self.results.json.get(kind)

    def main(self) -> Node:
        """The document that names the scenario: the run's, else the first present."""
        return self.results.json.get("run") or next(iter(self.results.json.values()))

    # -- texts in the report's language -----------------------------------------------------
    def label(self, tid: str, fallback: str) -> str:
        """A target's label in the report's language, when some result gives one."""
        for node in self.results.json.values():
            labels = node.get("target_labels")
            if labels is not None and labels.has(tid):
                lang = labels[tid].get(self.lang)
                if lang is not None:
                    return lang.str()
        return fallback

    def description(self) -> str:
        node = self.main()
        given = node.get("descriptions")
        if given is not None and given.get(self.lang) is not None:
            return given[self.lang].str()
        d = node.get("description")
        return d.str() if d is not None else ""

    def indicator(self, name: str) -> str:
        key = f"indicator.{name}"
        return self.w(key) if self.w.has(key) else name

    def unit(self, indicator: str) -> str:
        return self.w(f"unit.{INDICATOR_UNITS.get(indicator, 'none')}")

    def lever(self, name: str) -> str:
        key = f"lever.{name}"
        return self.w(key) if self.w.has(key) else name

    def kind_of_source(self, kind: str) -> str:
        key = f"source_kind.{kind}"
        return self.w(key) if self.w.has(key) else kind

    def subtitle(self) -> str:
        m = self.main()
        return self.w("report.subtitle", scenario=m["scenario"].str(),
                      paths=num.count(m["paths"].int(), self.lang), seed=m["seed"].int())

    def plot_subtitle(self, node: Node, per_point: bool = False) -> str:
        key = "figure.subtitle_point" if per_point else "figure.subtitle"
        return self.w(key, scenario=node["scenario"].str(),
                      paths=num.count(node["paths"].int(), self.lang), seed=node["seed"].int())

    # -- figures ------------------------------------------------------------------------------
    def svg(self, fig, label: str = "") -> str:
        from ipsim.report.figures import to_svg

        self._figures += 1
        return to_svg(fig, f"f{self._figures}", label)

    @functools.cached_property
    def plots(self):
        from ipsim.report import plots

        return plots

    @property
    def figures(self) -> int:
        """Figures drawn so far."""
        return self._figures
