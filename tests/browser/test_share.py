"""Sharing a profile in real headless Chromium: copy, share sheet, without JavaScript."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PROFILE = "/mo-hinh/nong-dan-dinh-van-lam-duong/"


def test_copy_puts_the_canonical_address_on_the_clipboard_and_says_so(browser, served_site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site)
    page = context.new_page()
    page.goto(served_site + PROFILE)
    status = page.get_by_role("status")
    assert status.inner_text() == ""
    page.get_by_role("button", name="Chép liên kết").click()
    assert page.evaluate("navigator.clipboard.readText()") == served_site + PROFILE
    assert status.is_visible() and "Đã chép" in status.inner_text()
    assert page.get_by_label("Liên kết đến hồ sơ này").input_value() == served_site + PROFILE
    context.close()


def test_without_javascript_the_address_is_selectable_and_no_button_is_shown(browser, served_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + PROFILE)
    row = page.locator(".share")
    assert row.get_by_role("link", name="Chia sẻ lên Zalo (mở cửa sổ mới)").is_visible()
    assert row.get_by_role("link", name="Chia sẻ lên Facebook (mở cửa sổ mới)").is_visible()
    assert row.get_by_role("button").count() == 0  # hidden elements are not in the accessibility tree
    assert row.locator("button").count() == 2
    field = page.get_by_label("Liên kết đến hồ sơ này")
    assert field.is_visible() and field.get_attribute("readonly") is not None
    assert field.input_value() == PROFILE  # root-relative in this build: the canonical link as written
    field.select_text()
    assert page.evaluate("getSelection().toString() || document.activeElement.value.substring("
                         "document.activeElement.selectionStart, document.activeElement.selectionEnd)"
                         ) == PROFILE
    context.close()


def test_the_system_share_button_shows_only_where_the_browser_has_a_share_sheet(browser, served_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served_site + PROFILE)
    has_sheet = page.evaluate("typeof navigator.share === 'function'")
    assert page.get_by_role("button", name="Chia sẻ qua ứng dụng khác").count() == int(has_sheet)
    context.close()

    context = browser.new_context()
    context.add_init_script("navigator.share = (data) => { window.shared = data; return Promise.resolve(); }")
    page = context.new_page()
    page.goto(served_site + PROFILE)
    page.get_by_role("button", name="Chia sẻ qua ứng dụng khác").click()
    shared = page.evaluate("window.shared")
    assert shared == {"title": "Nông dân Đinh Văn chung sức làm đường giao thông nông thôn",
                      "url": served_site + PROFILE}
    context.close()


def test_loading_a_profile_asks_nothing_of_any_host_but_the_site(page, served_site):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served_site + PROFILE, wait_until="networkidle")
    page.mouse.wheel(0, 20000)  # lazy photos too
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/theme/js/share.js") for url in requests)
    assert all(url.startswith(served_site + "/") or url.startswith("data:") for url in requests), requests


def test_the_profile_page_has_no_accessibility_violation_with_the_share_row_in_use(page, served_site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site)
    page.goto(served_site + PROFILE)
    page.get_by_role("button", name="Chép liên kết").click()
    page.get_by_text("Đã chép").wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, "resultTypes": ["violations"]})
    assert not results.response["violations"], results.generate_report()
