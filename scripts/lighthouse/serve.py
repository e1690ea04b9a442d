"""Serve a built site on localhost with gzip, as a static host (nginx, Pages) would.

    python3 serve.py FOLDER PORT
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import sys

COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")


class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        path = self.translate_path(self.path)
        if path.endswith("/"):
            path += "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.endswith(COMPRESSED):
            return super().send_head()
        try:
            with open(path, "rb") as file:
                body = gzip.compress(file.read(), mtime=0)
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    folder, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(Handler, directory=folder)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
