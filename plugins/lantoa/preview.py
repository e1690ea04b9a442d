"""`lantoa serve`: build, serve the output on localhost, rebuild on every save.

Open pages reload themselves after each rebuild through a small script that
only the preview server adds. While a profile has errors, its address (and any
missing page) shows them in Vietnamese — file:line, message, hint — instead of
the page, and the page comes back by itself once the file is fixed. Every page
the server itself writes is Vietnamese.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from .problems import Problem, sort_problems
from .signals import profiles_read

# Added by the preview server only, to the pages it serves: the built site has no
# such script. External, so that the pages' Content-Security-Policy allows it.
_RELOAD_TAG = b'<script src="/__lantoa_reload__.js"></script>'
_RELOAD_SCRIPT = b"""(function () {
  var seen = null;
  setInterval(function () {
    fetch("/__lantoa_reload__", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (n) { if (seen !== null && n !== seen) location.reload(); seen = n; })
      .catch(function () {});
  }, 1000);
})();
"""


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder; pages reload themselves after each rebuild."""

    build_number = 0
    errors: ClassVar[tuple[Problem, ...]] = ()  # every error of the last build
    affected: ClassVar[dict[str, tuple[Problem, ...]]] = {}  # a profile's URL path → its file's errors

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/__lantoa_reload__":
            self._send(str(self.build_number).encode(), "text/plain")
            return
        if self.path == "/__lantoa_reload__.js":
            self._send(_RELOAD_SCRIPT, "text/javascript; charset=utf-8")
            return
        url = unquote(urlsplit(self.path).path)
        page_url = url[: -len("index.html")] if url.endswith("/index.html") else url
        if page_url in self.affected:
            self._send(error_page(self.affected[page_url], len(self.errors)), "text/html; charset=utf-8")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes().replace(b"</body>", _RELOAD_TAG + b"</body>", 1)
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
            f"{body}{_RELOAD_TAG.decode()}</body></html>").encode()


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
        self.collection = None
        profiles_read.connect(self._read, weak=False)

    def _read(self, sender, collection, **_ignored) -> None:
        self.collection = collection

    def publish(self) -> None:
        """Hand the last build's errors to the handler, by the URLs of the files they are in."""
        from .scaffold import slug_of

        problems = self.collection.problems if self.collection is not None else []
        errors = tuple(p for p in problems if p.is_error)
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


def serve(rebuild: Callable[[], int], output: Path, watched: list[Path], bind: str, port: int,
          content: Path | None = None, handler_class: type[PreviewHandler] = PreviewHandler) -> int:
    """Build once, serve `output`, and rebuild whenever a watched file changes.

    `handler_class` may extend the preview's handler (the editor's local backend does).
    """
    from watchfiles import watch

    problems = BuildProblems(content or Path("content"))

    def build() -> bool:
        problems.collection = None
        try:
            built = rebuild() == 0
        except Exception:  # a defect must not stop the preview: say so, keep serving
            traceback.print_exc()
            print("Lỗi khi dựng lại; trang cũ vẫn được phục vụ. Sửa tệp rồi lưu để thử lại.",
                  file=sys.stderr)
            return False
        if built:
            problems.publish()
        return built

    build()
    handler = functools.partial(handler_class, directory=str(output.resolve()))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Xem trước tại http://localhost:{port}/ — sửa tệp để dựng lại, Ctrl+C để dừng.",
          file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        for _changes in watch(*[p for p in watched if p.exists()],
                              watch_filter=lambda _c, path: "__pycache__" not in path):
            print("Có thay đổi, đang dựng lại…", file=sys.stderr)
            if build():
                PreviewHandler.build_number += 1  # open pages notice and reload
    server.shutdown()
    return 0
