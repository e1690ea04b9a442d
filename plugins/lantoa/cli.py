"""`lantoa`: the editor's command line, in Vietnamese: argument handling only.

Building lives in `lantoa.build`, the preview server in `lantoa.preview`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import NoReturn

from .build import DEFAULT_CONFIG, PUBLISH_CONFIG, build, load_settings, project_root
from .cache import Cache
from .collection import PROFILES_FOLDER, collect
from .problems import Problem, report, sort_problems
from .progress import reporter_for, reporting
from .settings import apply_defaults


def cmd_check(args: argparse.Namespace) -> int:
    from .images import check_photos

    config = Path(DEFAULT_CONFIG)
    # Outside a project folder (an editor's own content checkout) the defaults apply.
    settings = (load_settings(config, args.content, None) if config.is_file()
                else apply_defaults({}))
    # Same cache and keys as the build: what one reads, the other reuses.
    cache = Cache(settings)
    collection = collect(args.content, cache_dir=cache.root, salt=cache.salt)
    # Photos are decoded for real (a truncated file only shows then); the results go
    # to the image cache, so the next build does not decode them again.
    photos = check_photos(collection.profiles + collection.unpublished, args.content.resolve(),
                          settings, cache)
    collection.problems.extend(photos.problems)
    errors, _ = report(collection.problems)
    print(check_summary(collection.files, collection.problems), file=sys.stderr)
    if errors:
        return 1
    if args.strict and any(p.code in UNREAD_CODES for p in collection.problems):
        print("Chế độ nghiêm ngặt: có dòng khóa không được đọc (W001, W005); sửa rồi chạy lại.",
              file=sys.stderr)
        return 1
    return 0


# What a strict check also fails on: a line the editor wrote whose value is not read.
UNREAD_CODES = frozenset({"W001", "W005"})


def check_summary(files: int, problems: list[Problem]) -> str:
    """The closing line of `lantoa check`: files with and without errors add up to all files."""
    problems = sort_problems(problems)  # counted as printed: each problem once
    broken = {p.path for p in problems if p.is_error and p.path.startswith(PROFILES_FOLDER + "/")}
    errors = sum(1 for p in problems if p.is_error)
    warnings = sum(1 for p in problems if not p.is_error)
    elsewhere = sum(1 for p in problems if p.is_error and not p.path.startswith(PROFILES_FOLDER + "/"))
    text = (f"Đã kiểm tra {files} hồ sơ: {files - len(broken)} không có lỗi, {len(broken)} có lỗi; "
            f"tổng cộng {errors} lỗi, {warnings} cảnh báo")
    if elsewhere:
        text += f" ({elsewhere} lỗi ở tệp ngoài hồ sơ)"
    return text + "."


def cmd_build(args: argparse.Namespace) -> int:
    config = args.config or Path(PUBLISH_CONFIG)
    strict = True if args.strict else None
    with reporting(reporter_for(sys.stderr)):
        return build(config, args.content, args.output, strict, args.siteurl, args.cache)


def cmd_serve(args: argparse.Namespace) -> int:
    from .cms_local import with_local_editor
    from .live import serve

    config = args.config or Path(DEFAULT_CONFIG)
    root = project_root(config)
    watched = [args.content.resolve(), root / "theme", root / "plugins", config.resolve()]
    # The site stays in memory: a saved profile shows without a whole build (lantoa.live).
    # The editor at /quan-tri/ reads and writes the --content folder through this server.
    settings = load_settings(config, args.content, args.output)
    return serve(config, args.content, args.output, args.cache, watched, args.bind, args.port,
                 lambda handler: with_local_editor(handler, args.content, settings))


def cmd_new(args: argparse.Namespace) -> int:
    from .new import KEYS, create

    return create({key: getattr(args, key) for key in KEYS}, args.content, args.slug)


def cmd_import(args: argparse.Namespace) -> int:
    from .importing import import_file, report
    from .workbook import SheetError, write_template

    if args.mau:
        write_template(args.mau)
        print(f"Đã ghi tệp mẫu {args.mau}: điền trang 'Danh sách' rồi chạy 'lantoa import {args.mau}'.")
        return 0
    if args.file is None:
        print("Cần tên tệp danh sách (.xlsx hoặc .csv), hoặc --mau để lấy tệp mẫu.", file=sys.stderr)
        return 2
    defaults = {key: getattr(args, key) or "" for key in IMPORT_DEFAULTS}
    try:
        outcome, table, columns = import_file(args.file, args.content, defaults, dry_run=args.dry_run)
    except SheetError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    print(report(outcome, args.file, table, columns, args.dry_run))
    return 1 if outcome.invalid else 0


# Values an import may give every row whose cell (or column) is empty.
IMPORT_DEFAULTS = ("kind", "year", "province", "field", "level")


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import benchmark, search_benchmark

    if args.search:
        print(f"Lập chỉ mục tìm kiếm cho {args.count} hồ sơ tổng hợp và đo truy vấn…", file=sys.stderr)
        for row in search_benchmark(args.count, Path(args.config or DEFAULT_CONFIG).resolve().parent,
                                    args.keep):
            print(json.dumps(row, ensure_ascii=False))
        return 0

    print(f"Dựng {args.count} hồ sơ tổng hợp bằng Lan Tỏa và bằng Pelican thuần…", file=sys.stderr)
    with reporting(reporter_for(sys.stderr)):
        results = benchmark(args.count, Path(args.config or DEFAULT_CONFIG).resolve().parent, args.keep,
                            serve=not args.no_serve)
    for key in sorted(results, key=lambda k: list(BENCH_LABELS).index(k) if k in BENCH_LABELS else 99):
        value = results[key]
        label = BENCH_LABELS.get(key, key)
        if isinstance(value, float):
            print(f"{label:56} {value:10.2f}")
        elif isinstance(value, int):
            print(f"{label:56} {value:10d}")
        else:
            print(f"{label}: {value}")
    return 0


def _cpu_labels(key: str) -> dict[str, str]:
    """The CPU time of a measured build (the build and its helpers together), and its ratio."""
    return {f"{key}_cpu_seconds": "  thời gian CPU, cả các tiến trình phụ (giây)",
            f"{key}_cpu_ratio": "  tỉ lệ CPU / CPU của Pelican"}


BENCH_LABELS = {  # in the order they are printed
    "profiles": "số hồ sơ", "machine": "máy",
    "pelican_before_seconds": "Pelican thuần, trước (giây)",
    "pelican_after_seconds": "Pelican thuần, sau (giây)",
    "pelican_seconds": "Pelican thuần, trung bình (giây)",
    "pelican_peak_rss_mb": "Pelican thuần: bộ nhớ đỉnh (MB)",
    "pelican_cpu_seconds": "Pelican thuần: thời gian CPU, trung bình (giây)",
    "cold_seconds": "Lan Tỏa, dựng từ đầu, bộ đệm trống (giây)", "cold_ratio": "  tỉ lệ / Pelican",
    **_cpu_labels("cold"),
    "cold_idle_core_seconds": "  nhân rảnh: số nhân × thời gian − CPU (giây)",
    "noop_seconds": "Lan Tỏa, dựng lại, không có gì thay đổi (giây)", "noop_ratio": "  tỉ lệ / Pelican",
    **_cpu_labels("noop"),
    "noop_pipeline_seconds": "Lan Tỏa, dựng lại mọi bước, không thay đổi (giây)",
    "noop_pipeline_ratio": "  tỉ lệ / Pelican", **_cpu_labels("noop_pipeline"),
    "edit_seconds": "Lan Tỏa, sửa 1 hồ sơ, lần giữa của ba (giây)",
    "edit_all_seconds": "  ba lần sửa (giây)", "edit_ratio": "  tỉ lệ / Pelican", **_cpu_labels("edit"),
    "move_seconds": "Lan Tỏa, dựng lại sau khi đổi tên, năm, tỉnh (giây)", "move_ratio": "  tỉ lệ / Pelican",
    **_cpu_labels("move"),
    "serve_edit_seconds": "lantoa serve: từ lúc lưu đến trang mới, chậm nhất (giây)",
    "serve_append_seconds": "  thêm một câu (giây)", "serve_title_seconds": "  đổi tên (giây)",
    "serve_year_seconds": "  đổi năm (giây)", "serve_province_seconds": "  đổi tỉnh (giây)",
    "peak_rss_mb": "Lan Tỏa: bộ nhớ đỉnh, tiến trình dựng (MB)",
    "helpers_peak_rss_mb": "Lan Tỏa: bộ nhớ đỉnh, tiến trình phụ (MB)",
    "peak_together_pss_mb": "Lan Tỏa: bộ nhớ đỉnh, tiến trình dựng và các tiến trình phụ cộng lại (PSS, MB)",
    "machine_after": "máy (khi xong)",
}


# argparse's own words, as editors read them. Its messages come from the standard library in
# English; these are the ones an editor meets (a mistyped command, a missing value).
_HELP_WORDS = (
    ("positional arguments:", "đối số:"), ("options:", "tùy chọn:"),
    ("show this help message and exit", "in hướng dẫn này rồi thoát"),
)
_ERRORS = (
    (re.compile(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)"),
     lambda m: f"không có lệnh '{m[2]}'" + (f" (có phải '{_near(m[2], m[3])}'?)" if _near(m[2], m[3]) else "")
     + f"; các lệnh: {m[3].replace(chr(39), '')}"),
    (re.compile(r"argument (\S+): expected one argument"), lambda m: f"{m[1]} cần một giá trị"),
    (re.compile(r"argument (\S+): invalid (\w+) value: '([^']*)'"),
     lambda m: f"{m[1]}: giá trị '{m[3]}' không hợp lệ"),
    (re.compile(r"unrecognized arguments: (.*)"), lambda m: f"không hiểu tùy chọn: {m[1]}"),
    (re.compile(r"the following arguments are required: (.*)"), lambda m: f"thiếu: {m[1]}"),
)


def _near(wrong: str, choices: str) -> str:
    import difflib

    near = difflib.get_close_matches(wrong, [c.strip(" '") for c in choices.split(",")], n=1)
    return near[0] if near else ""


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "cách dùng: " if prefix is None else prefix)


class VietnameseParser(argparse.ArgumentParser):
    """argparse with its help headings and the usual errors in Vietnamese."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def format_usage(self) -> str:
        return _vietnamese(super().format_usage())

    def format_help(self) -> str:
        return _vietnamese(super().format_help())

    def error(self, message: str) -> NoReturn:
        for pattern, say in _ERRORS:
            match = pattern.fullmatch(message)
            if match:
                message = say(match)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")


def _vietnamese(text: str) -> str:
    for english, vietnamese in _HELP_WORDS:
        text = text.replace(english, vietnamese)
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(
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
    p.add_argument("--strict", action="store_true",
                   help="nghiêm ngặt (dùng cho CI): thất bại cả khi có dòng khóa không được đọc "
                        "(khóa sai tên W001, khóa lọt vào nội dung W005)")
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
    p = sub.add_parser("new", help="tạo một hồ sơ mới: hỏi từng thông tin còn thiếu, kiểm tra ngay")
    common(p, output=False)
    from .new import KEYS
    from .schema import BY_NAME
    for key in KEYS:
        declared = BY_NAME[key]
        p.add_argument(f"--{key}", default=None, metavar=declared.vietnamese.upper().replace(" ", "_"),
                       help=f"{declared.label}" + (f": {declared.values}" if declared.values else ""))
    p.add_argument("--slug", default=None, help="tên tệp và đường dẫn, nếu không muốn lấy từ tiêu đề")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("import",
                       help="nhập danh sách mô hình từ bảng tính .xlsx hoặc .csv, mỗi dòng một hồ sơ")
    common(p, output=False)
    p.add_argument("file", type=Path, nargs="?", metavar="TỆP", help="danh sách .xlsx hoặc .csv")
    p.add_argument("--mau", type=Path, nargs="?", const=Path("mau-danh-sach-mo-hinh.xlsx"), default=None,
                   metavar="TỆP", help="ghi tệp Excel mẫu có danh sách thả xuống (mặc định "
                                       "mau-danh-sach-mo-hinh.xlsx) rồi thôi")
    for key in IMPORT_DEFAULTS:
        declared = BY_NAME[key]
        p.add_argument(f"--{key}", default=None, metavar=declared.vietnamese.upper().replace(" ", "_"),
                       help=f"{declared.label} cho các dòng để trống ô này (hoặc khi bảng không có cột này)")
    p.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ tạo, sửa gì; không ghi tệp")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("bench", help="đo thời gian dựng N hồ sơ tổng hợp, so với Pelican thuần")
    p.add_argument("count", type=int, metavar="N", help="số hồ sơ tổng hợp")
    p.add_argument("--config", type=Path, default=None, help="tệp cấu hình (mặc định pelicanconf.py)")
    p.add_argument("--keep", type=Path, default=None, help="giữ nội dung và trang dựng ở thư mục này")
    p.add_argument("--search", action="store_true",
                   help="chỉ đo chỉ mục tìm kiếm: thời gian lập, dung lượng, byte và mili giây mỗi truy vấn")
    p.add_argument("--no-serve", action="store_true", help="không đo lantoa serve")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
