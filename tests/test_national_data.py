"""The national data shipped in ipsim/data: every number sourced, units stated, rates
consistent with levels, derived figures reproducible from the facts they come from."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal

import pytest

from ipsim.data import SOURCE_FIELDS, national_path, national_sources
from ipsim.model import registry

KINDS = ("fact", "derived")
CONFIDENCE = ("H", "M", "DERIVED")


def _national() -> tuple[list[str], list[dict], list[str]]:
    """(header, rows as text dicts, comment lines) of national.csv."""
    lines = national_path().read_text(encoding="utf-8").splitlines()
    comments = [x for x in lines if x.startswith("#")]
    body = [x for x in lines if not x.startswith("#")]
    reader = csv.DictReader(body)
    return list(reader.fieldnames or ()), list(reader), comments


def _half_unit(text: str) -> float:
    """Half a unit of the last significant digit of a number as written (its rounding)."""
    exponent = Decimal(text.replace("_", "")).normalize().as_tuple().exponent
    return 0.5 * 10.0 ** exponent


def _rel(text: str) -> float:
    """Relative rounding error of a published level written as ``text``."""
    return _half_unit(text) / float(text)


def _index(kind: str | None = None) -> dict[tuple[str, int], dict]:
    return {(r["column"], r["year"]): r for r in national_sources()
            if kind is None or r["kind"] == kind}


def test_national_csv_is_a_yearly_history_file():
    """Header ``year`` then model indicators; consecutive increasing years; every cell empty
    or a non-negative number; comments state units and the column mapping."""
    header, rows, comments = _national()
    assert header[0] == "year" and len(header) > 1
    assert all(c in registry.indicators() for c in header[1:]), header
    years = [int(r["year"]) for r in rows]
    assert years == list(range(years[0], years[0] + len(years)))
    for r in rows:
        for c in header[1:]:
            if r[c]:
                assert float(r[c].replace("_", "")) >= 0, (r["year"], c)
    text = "\n".join(comments)
    for c in header[1:]:
        assert c in text, f"column {c} not described in the comments"
    for word in ("yuan/yr", "loans/yr", "deals/yr", "applications/yr", "tech_contract_turnover"):
        assert word in text


def test_national_csv_parses_with_the_history_reader():
    """The calibration branch's parser reads the file (skipped until it is merged)."""
    history = pytest.importorskip("ipsim.calibration.history")
    history.read_history(national_path())


def test_every_number_has_exactly_one_sourced_row():
    """Each number of national.csv: one row in national-sources.csv for its year and column,
    a published fact, same value, unit equal to the indicator's, source and retrieval given."""
    header, rows, _ = _national()
    counts = Counter((r["column"], r["year"]) for r in national_sources())
    facts = _index("fact")
    n = 0
    for r in rows:
        for c in header[1:]:
            if not r[c]:
                continue
            key = (c, int(r["year"]))
            assert counts[key] == 1, f"{key}: {counts[key]} rows in national-sources.csv"
            src = facts.get(key)
            assert src is not None, f"{key} is not a published fact"
            assert float(r[c]) == src["value"], key
            assert src["unit"] == registry.indicators()[c].unit, key
            assert src["source"].strip() and src["retrieval"].strip(), key
            n += 1
    assert n >= 15


def test_source_rows_are_complete():
    """Every row names its unit, source and retrieval; kinds and grades are the allowed
    ones; derived figures carry the DERIVED grade and their computation in ``note``."""
    rows = national_sources()
    assert rows and set(rows[0]) >= set(SOURCE_FIELDS)
    for r in rows:
        where = (r["column"], r["year"])
        assert r["unit"] and r["source"] and r["retrieval"], where
        assert r["kind"] in KINDS and r["confidence"] in CONFIDENCE, where
        assert (r["kind"] == "derived") == (r["confidence"] == "DERIVED"), where
        if r["kind"] == "derived":
            assert "/" in r["note"], where
        else:
            assert r["published"], where
        if r["column"].endswith("_yoy"):
            assert r["unit"] == "fraction", where


def _growth_pairs():
    facts = _index("fact")
    for (col, year), g in sorted(facts.items()):
        if not col.endswith("_yoy"):
            continue
        base = col[: -len("_yoy")]
        yield base, year, g, facts.get((base, year)), facts.get((base, year - 1))


def test_quoted_growth_rates_agree_with_published_levels():
    """Where a rate and both levels are published: level_y / level_(y-1) - 1 equals the rate
    within the rounding of the three printed figures."""
    checked = 0
    for base, year, g, now, before in _growth_pairs():
        if now is None or before is None:
            continue
        implied = now["value"] / before["value"] - 1.0
        bound = _half_unit(g["value_text"]) + (1.0 + implied) * (
            _rel(now["value_text"]) + _rel(before["value_text"]))
        assert abs(implied - g["value"]) <= bound, (base, year, implied, g["value"], bound)
        checked += 1
    assert checked >= 5


def test_derived_levels_follow_from_the_facts():
    """A derived level at year y is the published level at y + 1 divided by (1 + the
    published rate at y + 1), within the rounding of all figures; and it is not in
    national.csv."""
    facts = _index("fact")
    header, rows, _ = _national()
    in_csv = {(c, int(r["year"])) for r in rows for c in header[1:] if r[c]}
    derived = [r for r in national_sources() if r["kind"] == "derived"]
    assert derived
    for d in derived:
        col, year = d["column"], d["year"]
        level, rate = facts.get((col, year + 1)), facts.get((col + "_yoy", year + 1))
        assert level and rate, f"{col} {year}: no published level and rate for {year + 1}"
        exact = level["value"] / (1.0 + rate["value"])
        bound = exact * (_rel(level["value_text"]) + _half_unit(rate["value_text"])
                         / (1.0 + rate["value"])) + _half_unit(d["value_text"])
        assert abs(d["value"] - exact) <= bound, (col, year, d["value"], exact)
        assert (col, year) not in in_csv


def test_scopes_are_not_spliced():
    """Patent-only pledge figures live in their own columns: no pledge_amount row says it is
    patent-only, and each patent-only row says so."""
    for r in national_sources():
        if r["column"] in ("pledge_amount", "pledge_projects") and r["kind"] == "fact":
            assert "patent + trademark" in r["note"], (r["column"], r["year"])
        if r["column"] in ("pledge_amount_patent", "pledge_projects_patent"):
            assert "patent-only" in r["note"], (r["column"], r["year"])
