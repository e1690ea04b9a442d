"""The preview server's pages: the output folder, and the errors of profiles that have any.

`lantoa.live` keeps the site in memory and adds the script that reloads open
pages after each save. While a profile has errors, its address (and any
missing page) shows them in Vietnamese — file:line, message, hint — instead of
the page, and the page comes back by itself once the file is fixed. Every page
the server itself writes is Vietnamese.
"""

from __future__ import annotations

import html
import http.server
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from .problems import Problem, sort_problems
from .signals import profiles_read

# Added by the preview server only, to the pages it serves: the built site has no
# such script. External, so that the pages' Content-Security-Policy allows it. An open
# page asks for the next change and waits for it (a long poll), so it reloads at once.
RELOAD_TAG = b'<script src="/__lantoa_reload__.js"></script>'
RELOAD_SCRIPT = b"""(function () {
  var seen = "";
  function wait() {
    fetch("/__lantoa_reload__?seen=" + seen, {cache: "no-store"})
      .then(function (r) { return r.text(); })
      .then(function (n) { if (seen !== "" && n !== seen) { location.reload(); return; } seen = n; wait(); })
      .catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
"""


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder, and a profile's errors at its address while it has any."""

    errors: ClassVar[tuple[Problem, ...]] = ()  # every error of the last build
    affected: ClassVar[dict[str, tuple[Problem, ...]]] = {}  # a profile's URL path → its file's errors

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        url = unquote(urlsplit(self.path).path)
        page_url = url[: -len("index.html")] if url.endswith("/index.html") else url
        if page_url in self.affected:
            self._send(error_page(self.affected[page_url], len(self.errors)), "text/html; charset=utf-8")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes().replace(b"</body>", RELOAD_TAG + b"</body>", 1)
            self._send(page, "text/html; charset=utf-8")
            return
        if not path.exists() and not Path(self.translate_path(self.path)).exists():
            if self.errors:
                self._send(error_page(self.errors, len(self.errors)), "text/html; charset=utf-8", 404)
            else:
                self.send_error(404)
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every page the server writes itself is Vietnamese, never http.server's English one."""
        text = ERROR_TEXTS.get(code, "Máy chủ xem trước không trả lời được yêu cầu này.")
        body = _page(f"Lỗi {code}", f"<h1>{html.escape(text)}</h1><p><a href=\"/\">Về trang chủ</a></p>")
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


ERROR_TEXTS = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không có trang này.",
    405: "Máy chủ xem trước chỉ cho xem trang, không nhận gửi dữ liệu.",
    501: "Máy chủ xem trước chỉ cho xem trang, không nhận gửi dữ liệu.",
}


def _page(title: str, body: str) -> bytes:
    # The server's own page: an inline style is fine, it carries no Content-Security-Policy.
    return (f"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)} — xem trước Lan Tỏa</title>"
            "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
            "li{margin:.75rem 0}code{background:#f3f3f3;padding:0 .25rem}.hint{color:#555}"
            "h1{color:#a00;font-size:1.5rem}</style></head><body>"
            f"{body}{RELOAD_TAG.decode()}</body></html>").encode()


def error_page(problems: tuple[Problem, ...] | list[Problem], total: int) -> bytes:
    """The errors that keep a page from showing, as the editor reads them in the terminal."""
    items = []
    for problem in sort_problems(problems):
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        hint = (f"<br><span class=\"hint\">Gợi ý: {html.escape(problem.hint)}</span>"
                if problem.hint else "")
        items.append(f"<li><code>{html.escape(where)}</code> — {html.escape(problem.field)}: "
                     f"{html.escape(problem.message)} [{html.escape(problem.code)}]{hint}</li>")
    others = total - len(problems)
    more = f"<p>Còn {others} lỗi ở các tệp khác: xem cửa sổ lệnh hoặc chạy <code>lantoa check</code>.</p>" \
        if others > 0 else ""
    return _page("Hồ sơ đang có lỗi", "<h1>Hồ sơ đang có lỗi, chưa hiện được trang</h1>"
                 f"<ul>{''.join(items)}</ul>{more}"
                 "<p>Sửa tệp rồi lưu: trang này tự tải lại và hiện hồ sơ khi hết lỗi.</p>")


class BuildProblems:
    """Listens to the build for the problems it reports (the preview builds in this process)."""

    def __init__(self, content: Path):
        self.content = content.resolve()
        profiles_read.connect(self._read, weak=False)

    def _read(self, sender, collection, **_ignored) -> None:
        self.publish(collection)

    def publish(self, collection) -> None:
        """Hand a collection's errors to the handler, by the URLs of the files they are in."""
        from .scaffold import slug_of

        errors = tuple(p for p in collection.problems if p.is_error)
        affected: dict[str, list[Problem]] = {}
        for problem in errors:
            file = self.content / problem.path
            if problem.path.startswith("profiles/") and file.suffix.lower() == ".md":
                try:
                    slug = slug_of(file)
                except OSError:
                    continue
                for kind in ("mo-hinh", "dien-hinh"):
                    affected.setdefault(f"/{kind}/{slug}/", []).append(problem)
        PreviewHandler.errors = errors
        PreviewHandler.affected = {url: tuple(found) for url, found in affected.items()}
