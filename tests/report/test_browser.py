"""The report in a real browser (headless Chromium, the Debian package ``chromium``): no
console error, no failed load, every figure drawn and every image decoded, a screenshot that
is not blank, and the Chinese report drawn and printed with a CJK font.

Skipped, saying what to install, where Chromium or a CJK font is missing (``.ci/run``
installs both).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from ipsim.report import fonts
from ipsim.report.browser import INSTALL_HINT, Browser, find_chromium
from ipsim.report.build import write_report

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(find_chromium() is None, reason=INSTALL_HINT)]


@pytest.fixture(scope="module")
def browser():
    with Browser(timeout=90) as b:
        yield b


@pytest.fixture(scope="module")
def pages(study, tmp_path_factory, reports):
    """The English report, and a Chinese one whose run also wrote a commit-level plot (so the
    page holds an <img> besides the inline SVG figures)."""
    import shutil

    from ipsim.report.plots import plt, save

    folder = tmp_path_factory.mktemp("browser")
    copy = shutil.copytree(study, folder / "key-city-2020")
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.hist(np.random.default_rng(1).normal(size=500), bins=20)
    save(fig, copy / "commit_navigation")
    return {"en": reports["en"], "zh": write_report(copy, "zh", folder / "r.zh.html").html}


def _not_blank(png: bytes) -> float:
    """Share of pixels that are not background white."""
    import matplotlib.image

    img = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    return float(np.mean(np.any(img < 0.95, axis=-1)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_opens_cleanly(browser, pages, lang):
    check = browser.check(pages[lang])
    assert check.console_errors == [] and check.failed_loads == []
    assert check.svgs >= 8 and check.svgs_empty == 0
    assert check.images == (1 if lang == "zh" else 0) and check.images_broken == 0
    assert _not_blank(check.screenshot) > 0.03


def test_the_checks_catch_a_broken_page(browser, tmp_path):
    """An external image, a broken inline one and a script error are all reported."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
                    "content=\"default-src 'none'; img-src data:; script-src 'unsafe-inline'\">"
                    '</head><body><img src="http://127.0.0.1:9/x.png">'
                    '<img src="data:image/png;base64,AAAA"><script>nosuch();</script>'
                    "</body></html>", encoding="utf-8")
    check = browser.check(page)
    assert check.images == 2 and check.images_broken == 2
    assert any("127.0.0.1" in e or "Content Security Policy" in e
               for e in check.console_errors + check.failed_loads)
    assert any("nosuch" in e for e in check.console_errors)


def test_chinese_report_uses_a_cjk_font_on_screen_and_in_pdf(browser, pages):
    if fonts.cjk_family() is None:
        pytest.skip(f"no CJK font installed: {fonts.INSTALL_HINT}")
    pypdf = pytest.importorskip("pypdf")
    session = browser.open(pages["zh"])
    used = browser.platform_fonts(session, "h1")
    assert any(f in fonts.CJK_FAMILIES or "CJK" in f for f in used), used
    pdf = browser.pdf(session)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "知识产权运营服务体系建设" in reader.pages[0].extract_text().replace(" ", "")
    # The CJK glyphs are in the PDF's fonts: Skia embeds an OpenType-CFF font (Noto Sans
    # CJK) as Type 3 fonts without a name, whose ToUnicode maps hold the characters drawn.
    names, mapped = set(), ""
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        names.add(str(font.get("/BaseFont", "")))
        if "/ToUnicode" in font:
            mapped += font["/ToUnicode"].get_object().get_data().decode("latin-1").lower()
    codes = {f"{ord(c):04x}" for c in "知识产权运营"}
    cjk_named = any(re.search(r"cjk|han|hei|yahei|wenquan|pingfang", n, re.I) for n in names)
    assert cjk_named or all(c in mapped for c in codes), (names, sorted(codes))
