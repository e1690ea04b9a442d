"""The preview server: serves the site, rebuilds on save, and open pages reload."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, valid_header, write_profile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lantoa.cli", "serve", "--content", str(content), "--output",
         str(output), "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
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
    finally:
        server.terminate()
        server.wait(timeout=10)
