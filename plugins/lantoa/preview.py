"""`lantoa serve`: build, serve the output on localhost, rebuild on every save.

Open pages reload themselves after each rebuild through a small script that
only the preview server adds.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

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

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/__lantoa_reload__":
            self._send(str(self.build_number).encode(), "text/plain")
            return
        if self.path == "/__lantoa_reload__.js":
            self._send(_RELOAD_SCRIPT, "text/javascript; charset=utf-8")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes().replace(b"</body>", _RELOAD_TAG + b"</body>", 1)
            self._send(page, "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(rebuild: Callable[[], int], output: Path, watched: list[Path], bind: str, port: int,
          handler_class: type[PreviewHandler] = PreviewHandler) -> int:
    """Build once, serve `output`, and rebuild whenever a watched file changes.

    `handler_class` may extend the preview's handler (the editor's local backend does).
    """
    from watchfiles import watch

    rebuild()
    handler = functools.partial(handler_class, directory=str(output.resolve()))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Xem trước tại http://localhost:{port}/ — sửa tệp để dựng lại, Ctrl+C để dừng.",
          file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        for _changes in watch(*[p for p in watched if p.exists()],
                              watch_filter=lambda _c, path: "__pycache__" not in path):
            print("Có thay đổi, đang dựng lại…", file=sys.stderr)
            try:
                built = rebuild() == 0
            except Exception:  # a defect must not stop the preview: say so, keep serving
                traceback.print_exc()
                print("Lỗi khi dựng lại; trang cũ vẫn được phục vụ. Sửa tệp rồi lưu để thử lại.",
                      file=sys.stderr)
                built = False
            if built:
                PreviewHandler.build_number += 1  # open pages notice and reload
    server.shutdown()
    return 0
