"""Labels and descriptions in two languages: ``label: {en: ..., zh: ...}``."""

from __future__ import annotations

import pytest

from ipsim.errors import ScenarioErrors


def test_shipped_scenario_has_chinese_labels(scenario):
    t = scenario.target("pledge_amount")
    assert t.label == "Pledge amount +30 %/yr" and "质押融资" in t.label_in("zh")
    assert t.label_in("fr") == t.label
    assert dict(scenario.descriptions)["zh"].startswith("2020 年度")


def test_plain_label_is_any_language(make_scenario):
    def plain(d):
        d["targets"][0]["label"] = "专利转让许可"
    s = make_scenario(plain)
    assert s.targets[0].label == "专利转让许可" and s.targets[0].labels == ()


@pytest.mark.parametrize("label, message", [
    ({"fr": "x"}, "targets[0].label.fr: unknown language; allowed: en, zh"),
    ({"zh": 5}, "targets[0].label.zh: must be a non-empty text, got 5"),
    ([1], "targets[0].label: must be a text, or a mapping of language to text (en, zh)"),
])
def test_bad_label_is_one_line_naming_the_key(make_scenario, label, message):
    def bad(d):
        d["targets"][0]["label"] = label
    with pytest.raises(ScenarioErrors) as info:
        make_scenario(bad)
    (error,) = info.value.errors
    assert message in str(error) and "\n" not in str(error)
    assert str(error).startswith(str(error.file))
