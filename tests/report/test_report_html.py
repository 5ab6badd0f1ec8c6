"""The HTML report: parses, references nothing outside itself, a section per result."""

from __future__ import annotations

import json
import re
import shutil

import html5lib
import pytest

from ipsim.report.build import build_report, write_report
from ipsim.report.html import render_html
from tests.conftest import run_cli
from tests.report.conftest import SECTIONS_ALL

_NS = "{http://www.w3.org/1999/xhtml}"


def _parse(text: str):
    """Parse strictly (html5lib raises on any parse error of the WHATWG algorithm)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(text)


def _sections(text: str) -> list[str]:
    return [s.get("id") for s in _parse(text).iter(f"{_NS}section")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_parses_and_is_self_contained(reports, lang):
    text = reports[lang].read_text(encoding="utf-8")
    tree = _parse(text)
    assert tree.find(f".//{_NS}html") is None or True
    tags = {el.tag.split("}")[-1] for el in tree.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "link", "iframe", "object", "embed", "base"}
    for el in tree.iter():
        for attr in ("src", "href", "{http://www.w3.org/1999/xlink}href", "action", "poster"):
            value = el.get(attr)
            if value is not None:
                assert value.startswith(("data:", "#")), (el.tag, attr, value[:60])
    external = re.findall(r"url\((?!#)[^)]*\)|@import", text)
    assert not external, external[:3]
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert f'lang="{ {"en": "en", "zh": "zh-CN"}[lang] }"' in text


def test_a_section_for_each_result_present(reports):
    assert _sections(reports["en"].read_text(encoding="utf-8")) == SECTIONS_ALL


def test_no_section_for_an_absent_result(study_copy):
    shutil.rmtree(study_copy / "compare")
    shutil.rmtree(study_copy / "sensitivity")
    (study_copy / "calibration" / "national.yaml").unlink()
    text = render_html(build_report(study_copy, "en"))
    assert _sections(text) == [s for s in SECTIONS_ALL
                               if s not in ("compare", "sensitivity", "calibration")]
    assert "McNemar" not in text and "Sobol" not in text


def _goal_paragraph(study, lang: str) -> str:
    text = render_html(build_report(study, lang))
    section = text[text.index('id="goal"'):]
    return section[:section.index("</section>")]


def test_goal_section_says_the_answer_in_both_languages(study_copy):
    """The goal search's answer in words: the least value when it is reached (the study's
    0.3 odds), the best value and its bound when it is not, in English and Chinese."""
    data = json.loads((study_copy / "goal" / "goal.json").read_text(encoding="utf-8"))
    assert data["reached"]
    en, zh = _goal_paragraph(study_copy, "en"), _goal_paragraph(study_copy, "zh")
    assert "must be at least" in en and "30.0 %" in en and "1,000 fresh paths" in en
    assert "须至少为" in zh and "风险补偿资金池" in zh and "30.0%" in zh
    data.update(reached=False, value=None,
                best={"value": 0.4, "successes": 1, "probability": 0.25, "lower_bound": 0.2})
    (study_copy / "goal" / "goal.json").write_text(json.dumps(data), encoding="utf-8")
    en, zh = _goal_paragraph(study_copy, "en"), _goal_paragraph(study_copy, "zh")
    assert "not reached anywhere from 0.0 % to 100.0 %" in en
    assert "the best is 25.0 % at 40.0 %" in en
    assert "均未达到" in zh and "最高为 25.0%" in zh
    data.update(reached=True, lever="policy.budget", value=1.5e8, tolerance=5e6, best=None)
    (study_copy / "goal" / "goal.json").write_text(json.dumps(data), encoding="utf-8")
    en, zh = _goal_paragraph(study_copy, "en"), _goal_paragraph(study_copy, "zh")
    assert "The programme budget" in en and "150 million yuan" in en
    assert "项目总预算" in zh and "1.5 亿元" in zh


def test_drivers_section_says_what_goes_with_failure_in_both_languages(study):
    """All targets first, each output's strongest inputs in words and in the table (a row
    an input), the PRIM box as bounds, in English and in Chinese."""
    data = json.loads((study / "drivers" / "drivers.json").read_text(encoding="utf-8"))
    outputs = [o for o in data["outputs"] if "skipped" not in o]
    for lang, all_label, strongest in (("en", "All targets at once", "the strongest inputs are"),
                                       ("zh", "全部目标同时达成", "影响最大的输入为")):
        text = render_html(build_report(study, lang))
        section = text[text.index('id="drivers"'):]
        section = section[:section.index("</section>")]
        assert section.count(strongest) == len(outputs), lang
        first = section.index(strongest)
        assert all_label in section[:first] and all_label not in section[:section.index("<p>")]
        body = section[section.index("<tbody>"):]
        assert body.count("<tr>") == sum(len(o["strongest"]) for o in outputs), lang
        bounds = sum(len(o["prim"].get("box") or ()) for o in outputs)
        assert section.count("≤") + section.count("≥") >= bounds > 0, lang


def test_one_command_folder_alone(study, tmp_path):
    """A comparison folder given directly: its section and the reproduction block only."""
    out = tmp_path / "compare.html"
    assert run_cli(["report", str(study / "compare"), "--lang", "zh", "--out", str(out),
                    "--no-workbook", "--quiet"]) == 0
    assert _sections(out.read_text(encoding="utf-8")) == ["compare", "reproduce"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compare.html"]


def test_commit_levels_used_when_present_and_silent_when_absent(study_copy, reports):
    """Targets with ``commit`` levels (ipsim run writes them) get the 80 % column; a commit
    plot becomes a figure; without them the report says nothing about commit levels."""
    assert "Level at 80 % odds" in reports["en"].read_text(encoding="utf-8")
    path = study_copy / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for t in data["targets"]:
        for key in ("commit", "commit_ci", "commit_paths"):
            t.pop(key, None)
    path.write_text(json.dumps(data), encoding="utf-8")
    doc = render_html(build_report(study_copy, "en"))
    assert "80 % odds" not in doc and "commit to" not in doc
    for t in data["targets"]:
        t["commit"] = {"0.5": 0.21, "0.8": 0.172, "0.9": 0.15} if t["measure"] == "cagr" \
            else ({"0.5": 20, "0.8": 27, "0.9": 31} if t["measure"] == "event"
                  else {"0.5": 120, "0.8": 101, "0.9": 95})
    path.write_text(json.dumps(data), encoding="utf-8")
    from ipsim.report.plots import plt, save

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    save(fig, study_copy / "commit_navigation")
    text = render_html(build_report(study_copy, "en"))
    assert "Level at 80 % odds" in text and "+17.2 %/yr" in text and "month 27" in text
    assert 'src="data:image/png;base64,' in text and "Navigation projects" in text
    zh = render_html(build_report(study_copy, "zh"))
    assert "80% 把握可承诺水平" in zh and "年均 17.2%" in zh and "第 27 个月" in zh


def test_first_page_says_it_in_words(reports):
    en = reports["en"].read_text(encoding="utf-8")
    assert "All 10 targets met at once by 2022" in en
    assert "Each probability is within ± " in en and "2,000 paths, seed 20200507" in en
    assert "Mid-term tranche of 50 million yuan (month 18) released" in en
    assert "150 million yuan" in en and "clearly" in en
    zh = reports["zh"].read_text(encoding="utf-8")
    for words in ("中央财政资金 1.5 亿元", "5,000 万元", "知识产权质押融资风险补偿资金池",
                  "专利转让许可次数", "个百分点", "至 2022 年 10 项目标全部同时达成的概率为"):
        assert words in zh, words


def test_default_study_report_is_under_5_mb(reports):
    """The report's size does not grow with the paths (figures are drawn from quantiles)."""
    for path in reports.values():
        assert path.stat().st_size < 5 * 2**20
        assert path.with_suffix(".xlsx").stat().st_size < 1 * 2**20


def test_cli_writes_beside_the_results_by_default(study_copy, capsys):
    assert run_cli(["report", str(study_copy), "--lang", "zh"]) == 0
    assert (study_copy / "report.zh.html").is_file() and (study_copy / "report.zh.xlsx").is_file()
    assert "报告已生成" in capsys.readouterr().out


def test_report_is_reproducible(study, tmp_path, reports):
    """The same results give the same files, byte for byte."""
    again = write_report(study, "en", tmp_path / "again.html")
    assert again.html.read_bytes() == reports["en"].read_bytes()
    assert again.workbook.read_bytes() == reports["en"].with_suffix(".xlsx").read_bytes()
