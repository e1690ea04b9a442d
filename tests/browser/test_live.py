"""An open page of `lantoa serve` reloads itself after a save and shows the change."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.browser.conftest import wait_until
from tests.conftest import ROOT, valid_header, write_profile
from tests.integration.test_serve import free_port, get, wait_for

pytestmark = pytest.mark.browser


def test_an_open_profile_page_shows_a_new_title_and_province_without_a_click(tmp_path, page):
    content = tmp_path / "content"
    profile = write_profile(content, "lam-dong/2023/tot.md", valid_header(Title="Tên ban đầu"))
    write_profile(content, "lam-dong/2023/ben-canh.md",
                  valid_header(Title="Hồ sơ bên cạnh", Date="2023-10-01"))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lantoa.cli", "serve", "--content", str(content), "--output",
         str(tmp_path / "site"), "--cache", str(tmp_path / "cache"), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
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
    finally:
        server.terminate()
        server.wait(timeout=10)
