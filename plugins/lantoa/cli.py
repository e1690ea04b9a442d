"""`lantoa`: the editor's command line, in Vietnamese: argument handling only.

Building lives in `lantoa.build`, the preview server in `lantoa.preview`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .build import DEFAULT_CONFIG, PUBLISH_CONFIG, build, load_settings, project_root
from .collection import collect
from .problems import report
from .settings import apply_defaults


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


def cmd_build(args: argparse.Namespace) -> int:
    config = args.config or Path(PUBLISH_CONFIG)
    return build(config, args.content, args.output, True if args.strict else None, args.siteurl, args.cache)


def cmd_serve(args: argparse.Namespace) -> int:
    from .cms_local import with_local_editor
    from .preview import PreviewHandler, serve

    config = args.config or Path(DEFAULT_CONFIG)
    root = project_root(config)
    watched = [args.content.resolve(), root / "theme", root / "plugins", config.resolve()]
    # The editor at /quan-tri/ reads and writes the --content folder through this server.
    settings = load_settings(config, args.content, args.output)
    handler = with_local_editor(PreviewHandler, args.content, settings)
    return serve(lambda: build(config, args.content, args.output, False, "", args.cache),
                 args.output, watched, args.bind, args.port, handler)


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
            p.add_argument("--cache", type=Path, default=None,
                           help="thư mục bộ đệm (mặc định: biến môi trường LANTOA_CACHE_DIR, "
                                "hoặc .cache/ cạnh tệp cấu hình)")
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
