"""The portal in real Chromium at a phone's 360 × 740: header, search box, maps, statistics."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

PROFILE = "/mo-hinh/nong-dan-dinh-van-lam-duong/"
PAGES = ["/", "/dia-phuong/lam-dong/", PROFILE, "/tim-kiem/", "/thong-ke/", "/ban-do/", "/ho-so/"]

# Text smaller than `limit` CSS px as the reader sees it: an SVG's text is scaled with its
# viewBox, so its size is the font size times the text's on-screen scale.
SMALL_TEXT = """(limit) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || !element) continue;
    const rects = element.getClientRects();
    if (!rects.length) continue;  // not rendered (display:none, closed <details>, <title>)
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // visually hidden, for screen readers
    let size = parseFloat(getComputedStyle(element).fontSize);
    if (element instanceof SVGElement) size *= element.getScreenCTM().a;
    if (size < limit) small.push([node.textContent.trim().slice(0, 40), Math.round(size * 10) / 10]);
  }
  return small;
}"""


@pytest.mark.parametrize("path", PAGES)
def test_the_header_is_at_most_100px_tall_on_a_phone(page, served_site, path):
    page.goto(served_site + path)
    box = page.locator("header.site-header").bounding_box()
    assert box["height"] <= 100, box
    assert page.locator("#tim-nhanh").is_visible()  # the search box stays in the header


def test_the_menu_folds_and_opens_without_javascript(browser, served_site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "/")
    menu = page.locator("#danh-muc")
    assert not menu.is_visible()
    page.get_by_text("Danh mục").click()
    assert menu.is_visible()
    assert page.locator("header.site-header").bounding_box()["height"] > 100  # now open below
    menu.get_by_role("link", name="Bản đồ").click()
    assert page.url == served_site + "/ban-do/"
    context.close()


def test_the_menu_is_always_shown_on_a_wide_screen(browser, served_site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(served_site + "/thong-ke/")
    assert page.locator("#danh-muc").is_visible() and not page.get_by_text("Danh mục").is_visible()
    context.close()


def test_the_header_search_box_submits_to_the_search_page(page, served_site):
    page.goto(served_site + PROFILE)
    box = page.get_by_role("searchbox", name="Tìm mô hình, điển hình")
    box.fill("lam duong")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=lam\+duong$"))
    wait_until(page, "document.querySelectorAll('#ket-qua li').length > 0")
    assert "Tìm thấy" in page.locator("#trang-thai").inner_text()
    titles = page.locator("#ket-qua li h2").all_inner_texts()
    assert "Nông dân Đinh Văn chung sức làm đường giao thông nông thôn" in titles


def test_the_header_search_works_without_javascript_too(browser, served_site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "/thong-ke/")
    page.locator("#tim-nhanh").fill("hien dat")
    page.get_by_role("button", name="Tìm", exact=True).click()
    assert page.url == served_site + "/tim-kiem/?q=hien+dat"
    note = page.locator("main p.note", has_text="Tìm kiếm cần JavaScript")
    assert note.is_visible()  # and browse links
    context.close()


@pytest.mark.parametrize("path", ["/thong-ke/", "/ban-do/", "/", "/dia-phuong/da-nang/"])
def test_no_text_under_12px_at_360px(page, served_site, path):
    page.goto(served_site + path)
    assert page.evaluate(SMALL_TEXT, 12) == []


def test_the_small_text_check_sees_svg_scaling(page, served_site):
    # A map 200 px wide draws its 15-unit labels at 7.5 px: the check must notice.
    page.goto(served_site + "/ban-do/")
    page.add_style_tag(content=".map-national .map-svg{width:200px}")
    small = page.evaluate(SMALL_TEXT, 12)
    assert ["Quần đảo Trường Sa", 7.5] in small


def test_statistics_bars_fit_a_phone_and_fold_empty_provinces(page, served_site):
    page.goto(served_site + "/thong-ke/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    rows = page.locator("#h-tinh ~ table tbody tr")
    assert "chưa có hồ sơ" in rows.last.inner_text()
    counts = [int(n) for n in page.locator("#h-tinh ~ table td.n").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)


def test_the_map_links_every_highlighted_commune_and_labels_the_archipelagos(page, served_site):
    page.goto(served_site + "/ban-do/")
    svg = page.locator("figure.map-national svg")
    links = svg.locator("a")
    listed = page.locator("#danh-sach ~ ul a")
    assert links.count() == listed.count() > 30
    hrefs = sorted(links.evaluate_all("(els) => els.map(e => e.getAttribute('href'))"))
    assert hrefs == sorted(listed.evaluate_all("(els) => els.map(e => new URL(e.href).pathname)"))
    # Each dot is a link with an accessible name: the commune, its province and its count.
    named = page.get_by_role("link", name="Xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng: 1 hồ sơ")
    assert named.count() == 1
    texts = svg.locator("text").all_text_contents()
    assert any("Hoàng Sa" in t for t in texts) and any("Trường Sa" in t for t in texts)
    frame = svg.bounding_box()
    for label in svg.locator("text").all():
        box = label.bounding_box()
        assert box and box["x"] >= frame["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_map_dot_is_reached_and_followed_with_the_keyboard(page, served_site):
    page.goto(served_site + "/dia-phuong/lam-dong/")
    dot = page.get_by_role("link", name="Xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng: 1 hồ sơ")
    dot.focus()
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith(
        "/dia-phuong/lam-dong/dinh-van-lam-ha/")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dia-phuong/lam-dong/dinh-van-lam-ha/$"))
    assert "Xã Đinh Văn Lâm Hà" in page.locator("h1").inner_text()


def test_the_search_count_is_above_the_fold_with_filters_folded(page, served_site):
    page.goto(served_site + "/tim-kiem/?q=nong+dan")
    wait_until(page, "document.getElementById('trang-thai').textContent.startsWith('Tìm thấy')")
    status = page.locator("#trang-thai").bounding_box()
    assert status["y"] + status["height"] <= 740
    assert not page.locator("#loc-tinh").is_visible()
    page.locator(".filters summary").click()
    assert page.locator("#loc-tinh").is_visible()


def test_the_fact_box_puts_each_label_over_its_value_on_a_phone(page, served_site):
    page.goto(served_site + PROFILE)
    label, value = page.locator(".facts dt").first, page.locator(".facts dd").first
    assert value.bounding_box()["y"] >= label.bounding_box()["y"] + label.bounding_box()["height"] - 1
    assert value.bounding_box()["width"] > 250  # the value has the box's whole width


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("path", ["/", "/ban-do/", "/tim-kiem/?q=lam", "/ho-so/", "/dia-phuong/da-nang/",
                                  "/thong-ke/", PROFILE])
def test_axe_finds_nothing_serious(browser, served_site, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(served_site + path)
    if "q=" in path:
        wait_until(page, "document.getElementById('trang-thai').textContent.length > 0")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, "resultTypes": ["violations"]})
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert not serious, results.generate_report()
