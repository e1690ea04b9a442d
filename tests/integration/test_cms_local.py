"""The editor's local backend: Decap's proxy protocol over a real content folder."""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import threading
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from lantoa.cms_config import LOCAL_API_PATH
from lantoa.cms_local import LocalRepository, Refused, with_local_editor
from lantoa.preview import PreviewHandler
from lantoa.settings import apply_defaults
from PIL import Image

from tests.conftest import DEFAULT_BODY, valid_header, write_profile

TODAY = date(2026, 11, 25)


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (90, 140, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def profile_text(**changes: str) -> str:
    header = valid_header(**changes)
    return "\n".join(f"{k}: {v}" for k, v in header.items()) + "\n\n" + DEFAULT_BODY


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_profile(root, "lam-dong/2023/co-san.md", valid_header())
    (root / "profiles" / "lam-dong" / "2023" / "anh.jpg").write_bytes(photo_bytes())
    return root


def persist(repo: LocalRepository, path: str, raw: str, assets=()) -> dict:
    return repo.handle({"action": "persistEntry", "params": {
        "branch": "main", "dataFiles": [{"slug": "x", "path": path, "raw": raw}],
        "assets": [{"path": p, "content": base64.b64encode(d).decode(), "encoding": "base64"}
                   for p, d in assets],
        "options": {"commitMessage": "Thêm", "useWorkflow": False, "status": ""}}})


def test_entries_are_listed_and_read_as_decap_server_does(content: Path):
    repo = LocalRepository(content, TODAY)
    listed = repo.handle({"action": "entriesByFolder",
                          "params": {"folder": "profiles", "extension": "md", "depth": 3}})
    assert [e["file"]["path"] for e in listed] == ["profiles/lam-dong/2023/co-san.md"]
    raw = (content / "profiles/lam-dong/2023/co-san.md").read_bytes()
    assert listed[0]["data"] == raw.decode()
    assert len(listed[0]["file"]["id"]) == 64
    media = repo.handle({"action": "getMedia", "params": {"mediaFolder": "profiles/lam-dong/2023"}})
    assert [m["name"] for m in media] == ["anh.jpg"]  # the profile itself is not a photo
    assert base64.b64decode(media[0]["content"]) == photo_bytes()
    assert repo.handle({"action": "info"})["publish_modes"] == ["simple"]


def test_a_valid_profile_and_its_photo_are_written(content: Path):
    repo = LocalRepository(content, TODAY)
    raw = profile_text(Title="Mô hình mới", Image="moi.jpg")
    persist(repo, "profiles/lam-dong/2024/moi.md", raw, [("profiles/lam-dong/2024/moi.jpg", photo_bytes())])
    assert (content / "profiles/lam-dong/2024/moi.md").read_text(encoding="utf-8") == raw
    assert (content / "profiles/lam-dong/2024/moi.jpg").read_bytes() == photo_bytes()


def test_a_profile_with_an_error_is_not_written_and_says_why_in_vietnamese(content: Path):
    repo = LocalRepository(content, TODAY)
    with pytest.raises(Refused) as refused:
        persist(repo, "profiles/lam-dong/2031/sai.md", profile_text(Year="2031", Image="sai.jpg"),
                [("profiles/lam-dong/2031/sai.jpg", photo_bytes())])
    message = str(refused.value)
    assert message.startswith("Chưa lưu: hồ sơ còn lỗi")
    assert "dòng 3: Year: năm '2031' không hợp lệ" in message and "[E015]" in message
    folder = content / "profiles/lam-dong/2031"
    assert not folder.exists() or not any(folder.iterdir())  # the photo went with the profile


@pytest.mark.parametrize("path", [
    "../outside.md", "/etc/passwd", "pages/gioi-thieu.md", "profiles/../pages/x.md",
    "profiles/lam-dong/x.sh", "profiles\\x.md", "",
])
def test_nothing_is_written_outside_the_profiles(content: Path, path: str):
    repo = LocalRepository(content, TODAY)
    with pytest.raises(Refused):
        persist(repo, path, profile_text())
    with pytest.raises(Refused):
        repo.handle({"action": "persistMedia", "params": {"asset": {
            "path": path, "content": base64.b64encode(b"x").decode(), "encoding": "base64"}}})


def test_a_link_out_of_the_content_folder_is_neither_read_nor_written(content: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("Title: bí mật\n", encoding="utf-8")
    (content / "profiles" / "ngoai").symlink_to(outside)
    repo = LocalRepository(content, TODAY)
    assert repo.handle({"action": "getEntry", "params": {"path": "profiles/ngoai/secret.md"}})["data"] is None
    with pytest.raises(Refused):
        persist(repo, "profiles/ngoai/secret.md", profile_text())
    assert (outside / "secret.md").read_text(encoding="utf-8") == "Title: bí mật\n"


def test_an_unknown_action_is_refused(content: Path):
    with pytest.raises(Refused):
        LocalRepository(content).handle({"action": "unpublishedEntries", "params": {}})


@pytest.fixture
def server(content: Path, tmp_path: Path):
    output = tmp_path / "site"
    (output / "quan-tri").mkdir(parents=True)
    (output / "quan-tri" / "index.html").write_text("<html><body>quản trị</body></html>", encoding="utf-8")
    (output / "index.html").write_text("<html><body>trang chủ</body></html>", encoding="utf-8")
    settings = apply_defaults({"LANTOA_TODAY": "2026-11-25"})
    handler = with_local_editor(PreviewHandler, content, settings)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(handler, directory=str(output)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def post(url: str, body: dict, **headers: str) -> tuple[int, dict]:
    request = urllib.request.Request(url + LOCAL_API_PATH, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_preview_server_answers_its_own_pages_only(server: str):
    info = {"action": "info", "params": {"branch": "main"}}
    assert post(server, info, Origin=server) == (200, {"repo": "content", "publish_modes": ["simple"],
                                                       "type": "local_fs"})
    status, answer = post(server, info, Origin="https://trang-la.example")
    assert status == 403 and "trang khác" in answer["error"]
    status, _ = post(server, info, **{"Content-Type": "text/plain"})  # a form post needs no preflight
    assert status == 403
    status, answer = post(server, info, Host="attacker.example:80")  # DNS rebinding
    assert status == 403 and "không được phép" in answer["error"]


def test_the_editor_gets_the_local_configuration_and_no_reload_script(server: str):
    with urllib.request.urlopen(server + "/quan-tri/config.js", timeout=5) as response:
        script = response.read().decode()
    data = json.loads(script.split("window.LANTOA_CMS = ", 1)[1].rstrip().rstrip(";"))
    assert data["config"]["backend"]["name"] == "proxy" and data["local"] is True
    assert data["config"]["site_url"] == server + "/"
    with urllib.request.urlopen(server + "/quan-tri/", timeout=5) as response:
        assert "__lantoa_reload__" not in response.read().decode()  # a save must not reload the editor
    with urllib.request.urlopen(server + "/", timeout=5) as response:
        assert "__lantoa_reload__" in response.read().decode()  # the site's pages still do
