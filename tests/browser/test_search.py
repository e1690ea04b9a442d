"""Search as a citizen uses it: without diacritics, with filters, shared by URL."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from lantoa.collection import collect
from lantoa.text import fold

from tests.browser.conftest import wait_until
from tests.conftest import SAMPLE_CONTENT

pytestmark = pytest.mark.browser


def results(page) -> list[str]:
    wait_until(page, "document.getElementById('trang-thai').textContent.startsWith('Tìm thấy')"
               " || document.getElementById('trang-thai').textContent.startsWith('Không')")
    count = page.locator("#trang-thai").inner_text()
    if count.startswith("Không"):
        return []
    page.wait_for_selector("#ket-qua li h2 a")
    return page.locator("#ket-qua li h2 a").all_inner_texts()


def profiles_mentioning(text: str) -> set[str]:
    wanted = fold(text)
    return {p.title for p in collect(SAMPLE_CONTENT).profiles
            if wanted in fold(p.title + " " + p.actor + " " + p.body_html + " " + p.place.label
                              + " " + p.place.historical_label)}


def test_typing_without_diacritics_finds_every_profile_with_the_phrase(page, served_site):
    page.goto(served_site + "/tim-kiem/")
    page.get_by_label("Từ khóa").fill("lam ha")
    found = results(page)
    expected = profiles_mentioning("lâm hà")
    assert expected and set(found) == expected
    assert f"Tìm thấy {len(expected)} hồ sơ" in page.locator("#trang-thai").inner_text()
    assert "q=lam+ha" in page.url


def test_upper_case_with_marks_finds_the_same_as_plain(page, served_site):
    page.goto(served_site + "/tim-kiem/?q=dan+van+kheo")
    plain = results(page)
    page.goto(served_site + "/tim-kiem/?q=D%C3%82N+V%E1%BA%ACN+KH%C3%89O")
    assert results(page) == plain and plain


def test_duc_finds_profiles_with_the_letter_d_stroke(page, served_site):
    page.goto(served_site + "/tim-kiem/?q=duc")
    found = results(page)
    titles_with_duc = {p.title for p in collect(SAMPLE_CONTENT).profiles
                       if "Đức" in p.title or "Đức" in p.actor or "Đức" in p.place.historical_label}
    assert titles_with_duc and titles_with_duc <= set(found)


def test_a_province_filter_narrows_results_and_lives_in_the_url(page, served_site):
    page.goto(served_site + "/tim-kiem/?q=nong+dan")
    everything = results(page)
    page.locator(".filters summary").click()  # the filters are folded behind one control
    page.select_option("#loc-tinh", "lam-dong")
    wait_until(page, "location.search.includes('tinh=lam-dong')")
    narrowed = results(page)
    assert narrowed and len(narrowed) < len(everything)
    page.reload()
    assert results(page) == narrowed
    assert page.locator("#loc-tinh").input_value() == "lam-dong"
    assert page.locator(".filters").get_attribute("open") is not None  # a filter in the URL is shown
    options = page.locator("#loc-tinh option").all_inner_texts()
    assert any(option.startswith("Tỉnh Lâm Đồng (") for option in options)


def test_a_syllable_still_being_typed_is_completed(page, served_site):
    page.goto(served_site + "/tim-kiem/")
    page.get_by_label("Từ khóa").fill("duon")
    found = results(page)
    expected = profiles_mentioning("đường")  # folded, so "dương" counts too, as in the index
    assert found and set(found) <= expected
    assert f"Tìm thấy {len(expected)} hồ sơ" in page.locator("#trang-thai").inner_text()


def test_the_same_query_always_returns_the_same_results(page, served_site):
    page.goto(served_site + "/tim-kiem/?q=an+ninh")
    first = results(page)
    for other in ("lam ha", "duc", "van"):
        page.get_by_label("Từ khóa").fill(other)
        results(page)
    page.get_by_label("Từ khóa").fill("an ninh")
    wait_until(page, "location.search === '?q=an+ninh'")
    assert results(page) == first


def test_open_a_result(page, served_site):
    page.goto(served_site + "/tim-kiem/?q=dinh+van")
    results(page)
    page.locator("#ket-qua li h2 a").first.click()
    page.wait_for_load_state()
    assert "/mo-hinh/" in page.url or "/dien-hinh/" in page.url
    assert page.locator("h1").inner_text()


def test_search_page_is_accessible_and_works_from_the_keyboard(page, served_site):
    page.goto(served_site + "/tim-kiem/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    page.goto(served_site + "/tim-kiem/?q=phu+nu")
    results(page)
    violations = Axe().run(page).response["violations"]
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    assert page.locator("#trang-thai").get_attribute("aria-live") == "polite"


def test_without_javascript_the_page_points_to_the_browse_pages(browser, served_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "/tim-kiem/")
    assert page.get_by_role("link", name="theo địa phương").is_visible()
    context.close()


def test_the_index_holds_profiles_only(local_site: Path):
    meta = json.loads((local_site / "tim-kiem/chi-muc/meta.json").read_text())
    published = collect(SAMPLE_CONTENT).profiles
    assert meta["count"] == len(published)
    chunks = sorted((local_site / "tim-kiem/chi-muc/d").glob("*.json.gz"),
                    key=lambda p: int(p.name.split(".")[0]))
    rows = [row for chunk in chunks for row in json.loads(gzip.decompress(chunk.read_bytes()))]
    assert [row[0] for row in rows] == [f"/{p.url}" for p in published]
