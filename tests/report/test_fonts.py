"""Plots find a CJK font, say what to install when there is none, and keep SVG text as
text."""

from __future__ import annotations

import warnings

import pytest

from ipsim.report import fonts


def test_no_cjk_font_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    fonts.require_cjk.cache_clear()
    try:
        assert fonts.require_cjk() is None
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "apt-get install fonts-noto-cjk" in err
    finally:
        fonts.require_cjk.cache_clear()
        monkeypatch.undo()
        fonts.configure()


def test_chinese_plot_has_every_glyph_and_text_stays_text():
    family = fonts.cjk_family()
    if family is None:
        pytest.skip(f"no CJK font installed: {fonts.INSTALL_HINT}")
    from ipsim.report import plots
    from ipsim.report.figures import to_svg

    rows = [{"label": "知识产权质押融资金额年均增长 30% 以上", "probability": 0.376,
             "ci_low": 0.37, "ci_high": 0.383}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # "Glyph ... missing from font(s)" would raise
        svg = to_svg(plots.attainment_chart(rows, "各项绩效目标的达成概率", "副标题",
                                            lang="zh"), "t")
        plots.fan_chart(__import__("numpy").arange(2019, 2023),
                        {k: __import__("numpy").array([1e9, 1.2e9, 1.4e9, 1.6e9])
                         for k in ("q05", "q25", "q50", "q75", "q95")}, "元", "金额", "副标题",
                        lang="zh").savefig(__import__("io").BytesIO(), format="png")
    assert "知识产权质押融资金额年均增长 30% 以上" in svg and "<text" in svg
    assert family in svg and "font-family" in svg
