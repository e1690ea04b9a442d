"""The preview server: serves the site, rebuilds on save, and open pages reload."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT, valid_header, write_profile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(content: Path, output: Path, *options: str) -> Iterator[str]:
    """`lantoa serve` on `content` in its own process, for the block; yields its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lantoa.cli", "serve", "--content", str(content), "--output",
         str(output), "--port", str(port), *options], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("điều kiện không xảy ra kịp")


def test_serve_rebuilds_on_save_and_pages_reload(tmp_path: Path):
    content = tmp_path / "content"
    profile = write_profile(content, "lam-dong/2023/tot.md", valid_header(Title="Tên ban đầu"))
    output = tmp_path / "site"
    with serving(content, output) as base:
        page = wait_for(lambda: get(f"{base}/mo-hinh/tot/"))
        assert "Tên ban đầu" in page and "/__lantoa_reload__" in page
        assert "__lantoa_reload__" not in (output / "mo-hinh/tot/index.html").read_text(encoding="utf-8")
        assert get(f"{base}/__lantoa_reload__") == "0"
        time.sleep(1)  # let the watcher settle before the edit
        # An open page asks for the next change and is answered when it happens (a long poll).
        answered: list[str] = []
        waiting = threading.Thread(target=lambda: answered.append(get(f"{base}/__lantoa_reload__?seen=0")))
        waiting.start()
        time.sleep(0.5)
        assert not answered
        profile.write_text(profile.read_text(encoding="utf-8").replace("Tên ban đầu", "Tên đã sửa"),
                           encoding="utf-8")
        waiting.join(timeout=30)
        assert answered == ["1"]
        assert "Tên đã sửa" in get(f"{base}/mo-hinh/tot/")
        # The build beside brings the site on disk up to date (swapped in whole, so the page
        # is there only when the build, helpers and all, succeeded: the title changed the
        # search index and the share card, both made by helper processes).
        wait_for(lambda: "Tên đã sửa" in (output / "mo-hinh/tot/index.html").read_text(encoding="utf-8"))


def fetch(url: str) -> tuple[int, str]:
    """Status and text of a page, error pages included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_a_profile_with_errors_shows_them_in_its_page_until_fixed(tmp_path: Path):
    content = tmp_path / "content"
    profile = write_profile(content, "lam-dong/2023/tot.md", valid_header(Title="Tên ban đầu"))
    write_profile(content, "lam-dong/2023/khac.md", valid_header(Title="Hồ sơ khác"))
    output = tmp_path / "site"
    with serving(content, output) as base:
        assert "Tên ban đầu" in wait_for(lambda: get(f"{base}/mo-hinh/tot/"))
        status, page = fetch(f"{base}/khong-co-trang-nay/")
        assert status == 404 and "Không có trang này" in page and 'lang="vi"' in page
        assert "Error response" not in page
        time.sleep(1)
        good = profile.read_text(encoding="utf-8")
        profile.write_text(good.replace("Year: 2023", "Year: 20233"), encoding="utf-8")
        wait_for(lambda: get(f"{base}/__lantoa_reload__") == "1")
        status, page = fetch(f"{base}/mo-hinh/tot/")
        assert "Hồ sơ đang có lỗi" in page
        assert "profiles/lam-dong/2023/tot.md:3" in page and "năm &#x27;20233&#x27; không hợp lệ" in page
        assert "Gợi ý: ghi năm công nhận gồm 4 chữ số" in page and "[E015]" in page
        assert "/__lantoa_reload__.js" in page  # it returns to the profile by itself
        assert "Hồ sơ khác" in get(f"{base}/mo-hinh/khac/")  # other pages are untouched
        status, page = fetch(f"{base}/mo-hinh/tot/index.html")
        assert "tot.md:3" in page
        status, page = fetch(f"{base}/khong-co-trang-nay/")  # any missing page, while errors exist
        assert status == 404 and "tot.md:3" in page
        profile.write_text(good, encoding="utf-8")
        wait_for(lambda: get(f"{base}/__lantoa_reload__") == "2")
        page = get(f"{base}/mo-hinh/tot/")
        assert "Tên ban đầu" in page and "Hồ sơ đang có lỗi" not in page
        status, page = fetch(f"{base}/khong-co-trang-nay/")
        assert status == 404 and "Hồ sơ đang có lỗi" not in page
