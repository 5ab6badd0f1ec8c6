"""The catalogues: the same keys and fields in both languages, and no fixed English string
left in a Chinese report."""

from __future__ import annotations

import json
import re
import string

import html5lib
import pytest

from ipsim.report.i18n import LANGUAGES, catalogue, tr

_WORDS = re.compile(r"[A-Za-z]{2,}")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_catalogues_have_the_same_keys_and_fields():
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh), sorted(set(en) ^ set(zh))
    for key in en:
        assert _fields(en[key]) == _fields(zh[key]), key


def test_every_value_formats():
    for lang in LANGUAGES:
        for key, text in catalogue(lang).items():
            tr(lang, key, **{f: "x" for f in _fields(text)}) if _fields(text) else tr(lang, key)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="one of en, zh"):
        catalogue("fr")


def _text(path) -> str:
    """Every text a reader sees (HTML and inline SVG), one node a line."""
    tree = html5lib.parse(path.read_text(encoding="utf-8"), namespaceHTMLElements=False)
    out = []
    for el in tree.iter():
        if el.tag in ("style", "script"):
            continue
        out += [t for t in (el.text, el.tail) if t and t.strip()]
        out += [v for k, v in el.attrib.items() if k in ("alt", "aria-label", "title")]
    return "\n".join(out)


def english_fragments() -> list[tuple[str, str]]:
    """(key, fragment) of every English catalogue text that Chinese does not share: the
    parts between its fields that hold at least two words."""
    en, zh = catalogue("en"), catalogue("zh")
    out = []
    for key, text in en.items():
        if text == zh[key]:
            continue
        for literal, *_ in string.Formatter().parse(text):
            literal = literal.strip(" .,:;()[]“”'\"")
            if len(_WORDS.findall(literal)) >= 2:
                out.append((key, literal))
    return out


def _data_strings(study) -> list[str]:
    """Every text of the results' JSON files (scenario content: provenance notes, variant
    names and descriptions, keys), longest first."""
    out = set()

    def walk(x):
        if isinstance(x, str):
            out.add(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                out.add(k)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for path in study.rglob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return sorted((t for t in out if len(t) >= 4), key=len, reverse=True)


def test_no_fixed_english_string_in_the_chinese_report(reports, study):
    """Only what the results hold (the scenario's provenance notes, names) may be English."""
    fragments = english_fragments()
    assert len(fragments) > 150
    en = _text(reports["en"])
    found_in_en = [f for _, f in fragments if f in en]
    assert len(found_in_en) > 60   # the check sees the English report's strings
    zh = _text(reports["zh"])
    for text in _data_strings(study):
        zh = zh.replace(text, " ")
    left = [(k, f) for k, f in fragments if f in zh]
    assert not left, left[:10]
    assert "知识产权" in zh
