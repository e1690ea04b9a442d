"""What a citizen does, in real headless Chromium: browse, read — accessibly, on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGES = ["/", "/dia-phuong/lam-dong/", "/mo-hinh/nong-dan-dinh-van-lam-duong/", "/thong-ke/",
         "/dia-phuong/"]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(page, served_site, path):
    page.goto(served_site + path)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]})
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()


@pytest.mark.parametrize("path", PAGES)
def test_fits_a_360px_phone_without_horizontal_scroll(page, served_site, path):
    page.goto(served_site + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_browse_from_home_to_a_commune_and_read_a_profile(page, served_site):
    page.goto(served_site + "/")
    page.get_by_text("Danh mục").click()  # the menu is folded on a phone
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Địa phương").click()
    page.get_by_role("link", name="Tỉnh Lâm Đồng").click()
    assert re.search(r"Tỉnh Lâm Đồng \(\d+ hồ sơ\)", page.locator("h1").inner_text())
    page.get_by_role("link", name="Huyện Lâm Hà", exact=True).click()
    assert "Huyện Lâm Hà" in page.locator("h1").inner_text()
    assert "không còn từ 01/7/2025" in page.locator(".note").inner_text()
    page.get_by_role("link", name="Nông dân Đinh Văn chung sức làm đường giao thông nông thôn").click()
    assert page.url.endswith("/mo-hinh/nong-dan-dinh-van-lam-duong/")
    facts = page.locator(".facts").inner_text()
    assert "trước 01/7/2025: thị trấn Đinh Văn, huyện Lâm Hà, tỉnh Lâm Đồng" in facts
    crumbs = page.locator("nav.crumbs").inner_text()
    assert "Tỉnh Lâm Đồng" in crumbs


def test_pages_work_without_javascript(browser, served_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "/nam/")
    page.get_by_role("link", name="Năm 2023").click()
    # A click returns once the navigation commits, before the new page is parsed: wait for it.
    page.wait_for_url("**/nam/2023/")
    expect(page.locator(".cards li").first).to_be_visible()
    assert page.locator(".cards li").count() > 0
    context.close()


def test_listing_pages_stay_under_60_kb(sample_site: Path):
    css = (sample_site / "theme/css/site.css").stat().st_size
    for listing in ["index.html", "dia-phuong/lam-dong/index.html", "nam/2023/index.html",
                    "mo-hinh/index.html", "dia-phuong/index.html"]:
        assert (sample_site / listing).stat().st_size + css < 60_000, listing
