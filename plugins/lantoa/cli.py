"""`lantoa`: the editor's command line (check, build, serve), in Vietnamese."""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import http.server
import json
import logging
import os
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

from .collection import collect
from .output import commit_manifest, discard_pending, link_previous, withdraw_manifest
from .problems import StrictBuildError, report
from .publish import build_lock, checkpoint, recover, staging_folder, swap_in
from .settings import SettingError, apply_defaults

DEFAULT_CONFIG = "pelicanconf.py"
PUBLISH_CONFIG = "publishconf.py"


def _project_root(config: Path) -> Path:
    return config.resolve().parent


def load_settings(config: Path, content: Path | None, output: Path | None,
                  strict: bool | None = None, siteurl: str | None = None) -> dict:
    """Pelican settings from a config file, with the command-line overrides."""
    from pelican.settings import read_settings

    overrides: dict = {}
    if content is not None:
        overrides["PATH"] = str(content.resolve())
    if output is not None:
        overrides["OUTPUT_PATH"] = str(output.resolve())
    if strict is not None:
        overrides["LANTOA_STRICT"] = strict
    if siteurl is not None:
        overrides["SITEURL"] = siteurl
    root = _project_root(config)
    cwd = os.getcwd()
    os.chdir(root)  # relative paths in the config (theme, plugins, cache) are the project's
    try:
        settings = read_settings(str(config.resolve()), override=overrides)
    finally:
        os.chdir(cwd)
    apply_defaults(settings)
    if not os.path.isabs(settings["LANTOA_CACHE_DIR"]):
        settings["LANTOA_CACHE_DIR"] = str(root / settings["LANTOA_CACHE_DIR"])
    return settings


def run_pelican(settings: dict) -> None:
    from pelican import Pelican

    logging.getLogger("pelican").setLevel(logging.WARNING)
    Pelican(settings).run()


def build_atomic(settings: dict) -> Path:
    """Build into a fresh sibling folder, then swap it in: a failed build leaves the old site."""
    target = Path(settings["OUTPUT_PATH"])
    with build_lock(Path(settings["LANTOA_CACHE_DIR"]), target):
        recover(target)
        staging = staging_folder(target)
        settings = {**settings, "OUTPUT_PATH": str(staging), "LANTOA_TARGET": str(target)}
        discard_pending(settings)
        if target.is_dir():
            # Pages whose inputs did not change are kept from the previous site (hard links).
            link_previous(apply_defaults(settings), target, staging)
        try:
            run_pelican(settings)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        checkpoint("rendered")
        withdraw_manifest(settings)
        checkpoint("withdrawn")
        swap_in(staging, target)
        checkpoint("swapped")
        commit_manifest(settings)
    return target


def cmd_check(args: argparse.Namespace) -> int:
    from .images import check_photos

    config = Path(DEFAULT_CONFIG)
    # Outside a project folder (an editor's own content checkout) the defaults apply.
    settings = (load_settings(config, args.content, None) if config.is_file()
                else apply_defaults({}))
    collection = collect(args.content, cache_dir=Path(settings["LANTOA_CACHE_DIR"]))
    # Photos are decoded for real (a truncated file only shows then); the results go
    # to the image cache, so the next build does not decode them again.
    photos = check_photos(collection.profiles + collection.unpublished, args.content.resolve(), settings)
    collection.problems.extend(photos.problems)
    errors, warnings = report(collection.problems)
    published = len(collection.profiles)
    print(f"Đã kiểm tra {collection.files} hồ sơ: {published} hợp lệ, {errors} lỗi, "
          f"{warnings} cảnh báo.", file=sys.stderr)
    return 1 if errors else 0


def _build(args: argparse.Namespace, config: Path, strict: bool | None) -> int:
    started = time.perf_counter()
    try:
        settings = load_settings(config, args.content, args.output, strict=strict,
                                 siteurl=getattr(args, "siteurl", None))
        target = build_atomic(settings)
    except StrictBuildError as error:
        print(str(error), file=sys.stderr)
        return 1
    except SettingError as error:
        print(str(error), file=sys.stderr)
        return 2
    except OSError as error:
        print(disk_error_message(error), file=sys.stderr)
        return 3
    print(f"Đã dựng trang vào {target} trong {time.perf_counter() - started:.1f} giây.",
          file=sys.stderr)
    return 0


DISK_ERRORS = {
    errno.ENOSPC: "ổ đĩa đã đầy", errno.EDQUOT: "đã hết hạn mức dung lượng",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc", errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
}


def disk_error_message(error: OSError) -> str:
    """A sentence for a file-system failure of the build; the site in place is untouched."""
    what = DISK_ERRORS.get(error.errno or 0, error.strerror or str(error))
    where = f" ({error.filename})" if error.filename else ""
    return (f"Không dựng được trang: {what}{where}. Trang đang có vẫn giữ nguyên; "
            "giải phóng dung lượng hoặc kiểm tra quyền ghi của thư mục xuất và thư mục .cache rồi chạy lại.")


def cmd_build(args: argparse.Namespace) -> int:
    config = args.config or Path(PUBLISH_CONFIG)
    return _build(args, config, True if args.strict else None)


def cmd_serve(args: argparse.Namespace) -> int:
    from watchfiles import watch

    config = args.config or Path(DEFAULT_CONFIG)
    root = _project_root(config)
    _build(args, config, False)
    output = args.output.resolve()
    from .cms_local import with_local_editor  # the editor at /quan-tri/ writes into --content

    settings = load_settings(config, args.content, args.output)
    editor = with_local_editor(_PreviewHandler, args.content, settings)
    handler = functools.partial(editor, directory=str(output))
    server = http.server.ThreadingHTTPServer((args.bind, args.port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Xem trước tại http://localhost:{args.port}/ — sửa tệp để dựng lại, Ctrl+C để dừng.",
          file=sys.stderr)
    watched = [p for p in (args.content.resolve(), root / "theme", root / "plugins", config.resolve())
               if p.exists()]
    with contextlib.suppress(KeyboardInterrupt):
        for _changes in watch(*watched, watch_filter=lambda _c, path: "__pycache__" not in path):
            print("Có thay đổi, đang dựng lại…", file=sys.stderr)
            try:
                built = _build(args, config, False) == 0
            except Exception:  # a defect must not stop the preview: say so, keep serving
                traceback.print_exc()
                print("Lỗi khi dựng lại; trang cũ vẫn được phục vụ. Sửa tệp rồi lưu để thử lại.",
                      file=sys.stderr)
                built = False
            if built:
                _PreviewHandler.build_number += 1  # open pages notice and reload
    server.shutdown()
    return 0


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


class _PreviewHandler(http.server.SimpleHTTPRequestHandler):
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


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import benchmark, search_benchmark

    if args.search:
        print(f"Lập chỉ mục tìm kiếm cho {args.count} hồ sơ tổng hợp và đo truy vấn…", file=sys.stderr)
        for row in search_benchmark(args.count, Path(args.config or DEFAULT_CONFIG).resolve().parent,
                                    args.keep):
            print(json.dumps(row, ensure_ascii=False))
        return 0

    print(f"Dựng {args.count} hồ sơ tổng hợp bằng Lan Tỏa và bằng Pelican thuần…", file=sys.stderr)
    results = benchmark(args.count, Path(args.config or DEFAULT_CONFIG).resolve().parent, args.keep)
    labels = {
        "profiles": "số hồ sơ", "pelican_seconds": "Pelican thuần (giây)",
        "lantoa_seconds": "Lan Tỏa, dựng đủ, bộ đệm trống (giây)",
        "lantoa_pages_feeds_seconds": "Lan Tỏa, trang + nguồn tin, không tìm kiếm (giây)",
        "pages_feeds_ratio": "tỉ lệ trang + nguồn tin / Pelican",
        "lantoa_with_search_seconds": "Lan Tỏa, trang + nguồn tin + tìm kiếm (giây)",
        "with_search_ratio": "tỉ lệ trang + nguồn tin + tìm kiếm / Pelican",
        "lantoa_rebuild_seconds": "Lan Tỏa, dựng lại sau khi sửa 1 hồ sơ (giây)",
        "ratio": "tỉ lệ Lan Tỏa / Pelican", "rebuild_share": "tỉ lệ dựng lại / dựng đủ",
        "peak_rss_mb": "bộ nhớ đỉnh (MB)",
    }
    for key, value in results.items():
        print(f"{labels[key]:48} {value:10.2f}" if isinstance(value, float) else
              f"{labels[key]:48} {value:10d}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lantoa",
        description="Lan Tỏa — dựng trang giới thiệu mô hình, điển hình “Dân vận khéo”.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")

    def common(p: argparse.ArgumentParser, output: bool) -> None:
        p.add_argument("--content", type=Path, default=Path("content"),
                       help="thư mục nội dung (mặc định: content/)")
        if output:
            p.add_argument("--output", type=Path, default=Path("output"),
                           help="thư mục trang xuất ra (mặc định: output/)")
            p.add_argument("--config", type=Path, default=None,
                           help="tệp cấu hình Pelican (mặc định: publishconf.py khi build, "
                                "pelicanconf.py khi serve)")

    p = sub.add_parser("check", help="kiểm tra mọi hồ sơ, liệt kê mọi lỗi")
    common(p, output=False)
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("build", help="dựng trang hoàn chỉnh (ghi vào thư mục mới rồi thay thế)")
    common(p, output=True)
    p.add_argument("--strict", action="store_true", help="dừng khi có bất kỳ lỗi nào (dùng cho CI)")
    p.add_argument("--siteurl", default=None, help="địa chỉ gốc của trang, ví dụ https://lantoa.vn")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("serve", help="dựng và xem trước, tự dựng lại khi sửa tệp")
    common(p, output=True)
    p.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000)")
    p.add_argument("--bind", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    p.set_defaults(func=cmd_serve, siteurl="")
    p = sub.add_parser("bench", help="đo thời gian dựng N hồ sơ tổng hợp, so với Pelican thuần")
    p.add_argument("count", type=int, metavar="N", help="số hồ sơ tổng hợp")
    p.add_argument("--config", type=Path, default=None, help="tệp cấu hình (mặc định pelicanconf.py)")
    p.add_argument("--keep", type=Path, default=None, help="giữ nội dung và trang dựng ở thư mục này")
    p.add_argument("--search", action="store_true",
                   help="chỉ đo chỉ mục tìm kiếm: thời gian lập, dung lượng, byte và mili giây mỗi truy vấn")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
