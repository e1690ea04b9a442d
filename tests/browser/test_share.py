"""Sharing and printing a profile in real headless Chromium: copy, share sheet, no-JS, print."""

from __future__ import annotations

import io
import mimetypes
from pathlib import Path

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

pytestmark = pytest.mark.browser

PROFILE = "/mo-hinh/nong-dan-dinh-van-lam-duong/"
PUBLISHED = "https://lantoa.example.vn"
A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch


@pytest.fixture
def published(browser, sample_site: Path):
    """A page of the sample site as published at its absolute address, served from the build
    folder by the browser itself: anything asked of another host is refused and recorded."""
    refused: list[str] = []

    def serve(route) -> None:
        url = route.request.url
        if not url.startswith(PUBLISHED + "/"):
            refused.append(url)
            route.abort()
            return
        file = sample_site / url.removeprefix(PUBLISHED + "/").split("?")[0].split("#")[0]
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            route.fulfill(path=str(file), content_type=mimetypes.guess_type(file.name)[0])
        else:
            route.fulfill(status=404, body="")

    context = browser.new_context(viewport=A4, locale="vi-VN")
    context.route("**/*", serve)
    page = context.new_page()
    page.refused = refused
    yield page
    context.close()


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


def test_a_printed_profile_shows_a_qr_code_that_reads_as_its_address(published):
    page = published
    page.goto(PUBLISHED + PROFILE)
    page.emulate_media(media="print")
    assert page.locator(".print-foot .qr-code").is_visible()
    for hidden in ("header.site-header", "nav[aria-label='Điều hướng chính']", "nav.crumbs", ".share",
                   ".neighbours", ".related", "footer.site-footer"):
        assert page.locator(hidden).is_hidden(), hidden
    for kept in (".lead-photo img", ".facts", ".prose", "h1"):
        assert page.locator(kept).first.is_visible(), kept
    assert page.locator(".print-foot .url").inner_text() == PUBLISHED + PROFILE
    box = page.locator(".print-foot .qr-code").bounding_box()
    assert 100 <= box["width"] <= 140  # about 32 mm on paper
    screenshot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    found = zxingcpp.read_barcodes(screenshot)
    assert [code.text for code in found] == [PUBLISHED + PROFILE]
    assert page.refused == []

    page.emulate_media(media="screen")
    assert page.locator(".print-foot").is_hidden() and page.locator(".share").is_visible()


def test_a_printed_listing_is_a_list_of_titles_with_their_addresses(published):
    page = published
    page.goto(PUBLISHED + "/dia-phuong/lam-dong/")
    page.emulate_media(media="print")
    titles = page.locator(".card h3 a")
    assert titles.count() > 5
    for index in range(titles.count()):
        title = titles.nth(index)
        after = title.evaluate("a => getComputedStyle(a, '::after').content")
        assert after == f'" (" "{title.get_attribute("href")}" ")"' or \
            after == f'" ({title.get_attribute("href")})"', after
        assert title.get_attribute("href").startswith(PUBLISHED + "/")
    assert page.locator(".card picture").first.is_hidden()
    assert page.locator("header.site-header").is_hidden()
    assert page.locator(".subscribe").is_hidden()


def test_every_share_card_decodes_in_chromium_as_pillow_decodes_it(published, sample_site: Path):
    """Another decoder than the one the tests draw with: each card at 1200×630, and the plain
    cards (PNG, lossless) with Pillow's very pixels along a row through the title."""
    cards = sorted((sample_site / "anh/the-chia-se").iterdir())
    assert {card.suffix for card in cards} == {".png", ".jpg"}
    published.goto(PUBLISHED + "/")
    decoded = published.evaluate("""async (urls) => Promise.all(urls.map(async (url) => {
        const image = new Image();
        image.src = url;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(image, 0, 0);
        return [image.naturalWidth, image.naturalHeight,
                Array.from(context.getImageData(0, 250, canvas.width, 1).data)];
    }))""", [f"{PUBLISHED}/anh/the-chia-se/{card.name}" for card in cards])
    for card, (width, height, row) in zip(cards, decoded, strict=True):
        assert (width, height) == (1200, 630), card.name
        if card.suffix == ".png":
            with Image.open(card) as image:
                expected = image.convert("RGBA").crop((0, 250, 1200, 251)).tobytes()
            assert bytes(row) == expected, card.name
            assert len(set(row[0::4])) > 2, card.name  # the title's letters cross that row
