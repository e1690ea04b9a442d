"""The browser editor against the local content folder: Decap's proxy protocol, in Python.

`lantoa serve` answers the editor at `/quan-tri/` itself, so an editor or a trainer
can try it without any account and without Node: the page's configuration points
Decap's `proxy` backend at `LOCAL_API_PATH`, and this module implements the actions
of Decap's own local server (`decap-server`, its file-system mode): list, read and
write entries and photos, as JSON over POST.

Stricter than `decap-server`, because it writes into the content folder:
- every path must stay inside the content folder (symlinks resolved), profiles are
  `.md` files and photos are image files, both under `profiles/`;
- a profile with an error (an E code of `lantoa check`) is not written: the editor
  shows the problems, with their lines and hints, in Vietnamese;
- only requests from a page of the preview server itself are answered (same origin,
  JSON content type, a local host name), so another web site open in the same
  browser cannot write into the content folder.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.server
import json
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .cms_config import ADMIN_FOLDER, LOCAL_API_PATH, Backend, page_script
from .problems import Problem, Severity

PROFILES = "profiles"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".heic",
                  ".heif", ".avif"}
MAX_REQUEST_BYTES = 40_000_000  # a 20 MB photo, base64-encoded, with room to spare
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class Refused(Exception):
    """A request the local backend will not carry out; the message is shown to the editor."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalRepository:
    """Decap's proxy actions over one content folder."""

    def __init__(self, root: Path, today: date | None = None, max_photo_bytes: int = 20_000_000):
        self.root = root.resolve()
        self.today = today
        self.max_photo_bytes = max_photo_bytes

    # -- paths -------------------------------------------------------------
    def path(self, relative: object, *, suffixes: set[str] | None = None) -> Path:
        """A path the editor named → a path inside `profiles/`, or `Refused`."""
        if not isinstance(relative, str) or not relative or "\x00" in relative or "\\" in relative:
            raise Refused(f"đường dẫn không hợp lệ: {relative!r}")
        posix = PurePosixPath(relative)
        if posix.is_absolute() or ".." in posix.parts or not posix.parts or posix.parts[0] != PROFILES:
            raise Refused(f"chỉ được ghi trong thư mục {PROFILES}/: {relative}")
        target = self.root.joinpath(*posix.parts)
        resolved = target.resolve()
        if not resolved.is_relative_to(self.root / PROFILES) or (target.is_symlink()):
            raise Refused(f"'{relative}' trỏ ra ngoài thư mục nội dung")
        if suffixes is not None and target.suffix.lower() not in suffixes:
            raise Refused(f"loại tệp không được phép: {relative}")
        return target

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # -- reading -----------------------------------------------------------
    def entry(self, relative: str, label: str | None = None) -> dict[str, Any]:
        file = {"path": relative, "id": None} | ({"label": label} if label else {})
        try:
            raw = self.path(relative, suffixes={".md"}).read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError, Refused):
            # Unreadable here is unreadable for `lantoa check` too (E003, E005): it says why.
            return {"data": None, "file": file}
        return {"data": text, "file": file | {"id": _sha256(raw)}}

    def entries_in(self, folder: str, extension: str, depth: int) -> list[dict[str, Any]]:
        base = self.path(folder)
        found: list[str] = []

        def walk(directory: Path, level: int) -> None:
            if level <= 0 or not directory.is_dir() or directory.is_symlink():
                return
            for child in sorted(directory.iterdir()):
                if child.is_symlink():
                    continue
                if child.is_dir():
                    walk(child, level - 1)
                elif child.name.endswith(extension):
                    found.append(self.relative(child))

        walk(base, int(depth))
        return [e for e in (self.entry(p) for p in found) if e["data"] is not None]

    def media_file(self, path: Path) -> dict[str, Any]:
        data = path.read_bytes()
        return {"id": _sha256(data), "content": base64.b64encode(data).decode("ascii"),
                "encoding": "base64", "path": self.relative(path), "name": path.name}

    def media_in(self, folder: str) -> list[dict[str, Any]]:
        base = self.path(folder)
        if not base.is_dir():
            return []
        return [self.media_file(p) for p in sorted(base.iterdir())
                if p.is_file() and not p.is_symlink() and p.suffix.lower() in PHOTO_SUFFIXES]

    # -- writing -----------------------------------------------------------
    def _photo_bytes(self, asset: dict[str, Any]) -> tuple[Path, bytes]:
        target = self.path(asset.get("path"), suffixes=PHOTO_SUFFIXES)
        if asset.get("encoding") != "base64" or not isinstance(asset.get("content"), str):
            raise Refused("ảnh phải gửi ở dạng base64")
        try:
            data = base64.b64decode(asset["content"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise Refused(f"ảnh '{asset.get('path')}' bị hỏng khi gửi") from error
        if len(data) > self.max_photo_bytes:
            raise Refused(f"ảnh '{target.name}' quá nặng ({len(data) // 1_000_000} MB, tối đa "
                          f"{self.max_photo_bytes // 1_000_000} MB): thu nhỏ ảnh rồi tải lại")
        return target, data

    @staticmethod
    def _write(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.lantoa-tmp")
        temporary.write_bytes(data)
        temporary.replace(target)  # the preview rebuild never reads half a file

    def persist_entry(self, params: dict[str, Any]) -> dict[str, Any]:
        data_files = params.get("dataFiles") or ([params["entry"]] if params.get("entry") else [])
        if not data_files:
            raise Refused("không có hồ sơ nào để lưu")
        profiles = []
        for data_file in data_files:
            raw = data_file.get("raw")
            if not isinstance(raw, str):
                raise Refused("hồ sơ không có nội dung")
            target = self.path(data_file.get("newPath") or data_file.get("path"), suffixes={".md"})
            profiles.append((target, raw.encode("utf-8")))
        photos = [self._photo_bytes(asset) for asset in params.get("assets") or []]
        created = []
        for target, data in photos:
            if not target.exists():
                created.append(target)
            self._write(target, data)
        problems = [p for target, data in profiles for p in self.problems(target, data) if p.is_error]
        if problems:
            for target in created:  # photos of a refused profile do not stay behind
                target.unlink(missing_ok=True)
            raise Refused("Chưa lưu: hồ sơ còn lỗi —\n" + "\n".join(describe(p) for p in problems))
        for data_file, (target, data) in zip(data_files, profiles, strict=True):
            self._write(target, data)
            old = data_file.get("path")
            if data_file.get("newPath") and old and old != data_file["newPath"]:
                self.path(old, suffixes={".md"}).unlink(missing_ok=True)  # only the profile moves
        return {"message": "entry persisted"}

    def problems(self, target: Path, data: bytes) -> list[Problem]:
        """What `lantoa check` would say about this profile, photos beside it included."""
        from . import reading

        relative = self.relative(target)
        text, problems = reading.decode(data, relative)
        if text is None:
            return problems
        header, more = reading.parse_header(text, relative)
        problems += more
        if header.values:
            _, more = reading.validate(header, relative, target, self.root, self.today)
            problems += more
        return problems

    def delete(self, relative: object) -> None:
        self.path(relative, suffixes=PHOTO_SUFFIXES | {".md"}).unlink(missing_ok=True)

    # -- the protocol --------------------------------------------------------
    def handle(self, request: dict[str, Any]) -> Any:
        """One action of Decap's proxy protocol → its JSON answer, or `Refused`."""
        action = request.get("action")
        params = request.get("params") or {}
        if not isinstance(params, dict):
            raise Refused("tham số không hợp lệ")
        if action == "info":
            return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            return self.entries_in(params.get("folder"), params.get("extension") or "md",
                                   params.get("depth") or 1)
        if action == "entriesByFiles":
            return [self.entry(f.get("path"), f.get("label")) for f in params.get("files") or []]
        if action == "getEntry":
            return self.entry(params.get("path"))
        if action == "persistEntry":
            return self.persist_entry(params)
        if action == "getMedia":
            return self.media_in(params.get("mediaFolder"))
        if action == "getMediaFile":
            return self.media_file(self.path(params.get("path"), suffixes=PHOTO_SUFFIXES))
        if action == "persistMedia":
            target, data = self._photo_bytes(params.get("asset") or {})
            self._write(target, data)
            return self.media_file(target)
        if action == "deleteFile":
            self.delete(params.get("path"))
            return {"message": "deleted"}
        if action == "deleteFiles":
            for path in params.get("paths") or []:
                self.delete(path)
            return {"message": "deleted"}
        if action == "getDeployPreview":
            return None
        raise Refused(f"thao tác không hỗ trợ ở chế độ tại chỗ: {action}")


def describe(problem: Problem) -> str:
    """One problem as `lantoa check` prints it, without the file name the editor has open."""
    where = f"dòng {problem.line}: " if problem.line else ""
    hint = f" (gợi ý: {problem.hint})" if problem.hint else ""
    level = "[cảnh báo] " if problem.severity is Severity.WARNING else ""
    return f"{where}{problem.field}: {level}{problem.message}{hint} [{problem.code}]"


def with_local_editor(base: type[http.server.SimpleHTTPRequestHandler], content: Path,
                      settings: dict[str, Any]) -> type[http.server.SimpleHTTPRequestHandler]:
    """The preview server's handler class, extended with the editor's local backend.

    The editor's own files are served as built, without the preview's reload script
    (a save rebuilds the site; the editor must not reload itself then), and its
    configuration is replaced by one for the local backend.
    """
    today = date.fromisoformat(settings["LANTOA_TODAY"]) if settings.get("LANTOA_TODAY") else None
    repository = LocalRepository(content, today, settings.get("LANTOA_MAX_IMAGE_BYTES", 20_000_000))
    backend = Backend.from_settings(settings)
    admin = f"/{ADMIN_FOLDER}/"

    class EditorHandler(base):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == admin + "config.js":
                origin = f"http://{self.headers.get('Host', 'localhost')}"
                script = page_script(backend, today or date.today(), origin, local=True)
                self._send(script.encode(), "text/javascript; charset=utf-8")
            elif path.startswith(admin):
                http.server.SimpleHTTPRequestHandler.do_GET(self)
            else:
                super().do_GET()

        def do_POST(self) -> None:
            if urlsplit(self.path).path != LOCAL_API_PATH:
                self.send_error(405)  # the preview's own page: it only shows pages
                return
            refusal = self._foreign()
            if refusal:
                self._json(403, {"error": refusal})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_REQUEST_BYTES:
                self._json(413, {"error": "yêu cầu quá lớn hoặc rỗng"})
                return
            try:
                request = json.loads(self.rfile.read(length))
                if not isinstance(request, dict):
                    raise Refused("yêu cầu không hợp lệ")
                answer = repository.handle(request)
            except Refused as refused:
                self._json(refused.status, {"error": str(refused)})
            except (ValueError, OSError) as error:
                self._json(500, {"error": f"lỗi khi đọc hoặc ghi tệp: {error}"})
            else:
                self._json(200, answer)

        def _foreign(self) -> str:
            """Why this request may come from another site, or ''."""
            host = self.headers.get("Host", "")
            name = urlsplit(f"http://{host}").hostname or ""
            if name not in LOCAL_HOSTS and name != self.server.server_address[0]:
                return f"máy chủ '{host}' không được phép"
            origin = self.headers.get("Origin")
            if origin is not None and origin != f"http://{host}":
                return "yêu cầu từ trang khác bị từ chối"
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                return "yêu cầu phải là JSON"
            return ""

        def _json(self, status: int, value: Any) -> None:
            body = json.dumps(value, ensure_ascii=False).encode()
            self._send(body, "application/json; charset=utf-8", status)

    return EditorHandler
