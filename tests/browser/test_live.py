"""An open page of `lantoa serve` reloads itself after a save and shows the change."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import wait_until
from tests.conftest import valid_header, write_profile
from tests.integration.test_serve import get, serving, wait_for

pytestmark = pytest.mark.browser


def test_an_open_profile_page_shows_a_new_title_and_province_without_a_click(tmp_path, page):
    content = tmp_path / "content"
    profile = write_profile(content, "lam-dong/2023/tot.md", valid_header(Title="Tên ban đầu"))
    write_profile(content, "lam-dong/2023/ben-canh.md",
                  valid_header(Title="Hồ sơ bên cạnh", Date="2023-10-01"))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    with serving(content, tmp_path / "site", "--cache", str(tmp_path / "cache")) as base:
        wait_for(lambda: get(f"{base}/mo-hinh/tot/"))
        page.goto(f"{base}/mo-hinh/tot/")
        assert page.locator("h1").inner_text() == "Tên ban đầu"
        time.sleep(1)  # the page is waiting for the next change, the watcher is running
        text = profile.read_text(encoding="utf-8").replace("Tên ban đầu", "Tên đã sửa")
        text = text.replace("Province: Lâm Đồng", "Province: Cao Bằng").replace("District: Lâm Hà\n", "")
        with page.expect_navigation(timeout=30_000):  # the page reloads itself
            profile.write_text(text.replace("Commune: Đinh Văn\n", ""), encoding="utf-8")
        wait_until(page, "document.querySelector('h1').textContent === 'Tên đã sửa'")
        assert "Cao Bằng" in page.locator("article").inner_text()
        assert errors == []  # the reload script obeys the page's Content-Security-Policy


HOSTILE = 'Mô hình "><img src=x onerror="window.__owned=1"> <!--<script>window.__owned=2</script> & \'x\''


def test_a_hostile_title_saved_while_serving_is_text_on_every_page_rendered_from_memory(tmp_path, page):
    content = tmp_path / "content"
    profile = write_profile(content, "lam-dong/2023/tot.md", valid_header(Title="Tên ban đầu"))
    with serving(content, tmp_path / "site", "--cache", str(tmp_path / "cache")) as base:
        wait_for(lambda: get(f"{base}/mo-hinh/tot/"))
        page.goto(f"{base}/mo-hinh/tot/")
        time.sleep(1)  # the watcher is running
        text = profile.read_text(encoding="utf-8").replace("Title: Tên ban đầu", f"Title: {HOSTILE}")
        with page.expect_navigation(timeout=30_000):
            profile.write_text(text.replace("Unit: ", f"Unit: {HOSTILE} "), encoding="utf-8")
        # The page, its province's listing and the front page, as the preview renders them from memory.
        for address in ("/mo-hinh/tot/", "/dia-phuong/lam-dong/", "/"):
            page.goto(f"{base}{address}")
            assert HOSTILE in page.locator("main").inner_text(), address
            assert page.evaluate("window.__owned") is None, address
            # The page's own scripts are the share script and the JSON-LD; the title adds none.
            injected = "main img[src='x'], main script:not([src]):not([type='application/ld+json'])"
            assert page.locator(injected).count() == 0, address
        page.goto(f"{base}/mo-hinh/tot/")
        ld = page.locator('script[type="application/ld+json"]').first
        assert ld.evaluate("e => JSON.parse(e.textContent).headline") == HOSTILE
