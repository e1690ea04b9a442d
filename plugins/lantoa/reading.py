"""Read one profile file into a validated `Profile`, or into problems.

The one place that parses metadata. `read_profile` never raises for bad input:
an unreadable file, a broken header or an unknown place become `Problem`
values with the file, the line and a fix in Vietnamese.
"""

from __future__ import annotations

import difflib
import html as htmllib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
import nh3

from . import places, schema
from .files import NOT_REGULAR, OUTSIDE, Refusal, content_file, read_content
from .gazetteer import Gazetteer, gazetteer
from .model import PHOTO_SCHEME, Kind, Level, Place, Profile, Status
from .problems import Problem, Severity
from .schema import ParseContext
from .text import nfc, slugify

REFORM_YEAR = 2025  # districts abolished on 1 July 2025
MAX_PROFILE_BYTES = 1_000_000
MIN_BODY_WORDS = 60
# A bad photo is an error (check and strict builds fail) but the profile is still
# published, without that photo, in a non-strict build.
PHOTO_CODES = {"E040", "E041"}


def blocks_publication(problems: list[Problem]) -> bool:
    """Whether these problems keep a profile off the site (a bad photo does not)."""
    return any(p.is_error and p.code not in PHOTO_CODES for p in problems)

# A key is checked after splitting at the first colon: a regex spanning key and
# spaces backtracks quadratically on a line of a key and a megabyte of spaces.
# Keys may be Vietnamese ("Lĩnh vực", "Tỉnh/Thành phố", "Huyện (cũ)").
HEADER_KEY = re.compile(r"[^\W\d_][\w\- /().]{0,39}")
# Markdown's inline parser is quadratic in the brackets of one paragraph, and its
# block parser recursive in nesting: beyond these, a text is refused, not parsed.
MAX_BRACKETS_PER_BLOCK = 200
MAX_BRACKETS = 5000
MAX_INDENT = 64  # columns: sixteen levels of nested lists
MAX_QUOTE_DEPTH = 16
# Invisible characters that only hide or reorder text: byte-order marks pasted
# mid-file, bidirectional overrides and isolates (a title that reads backwards).
# Removed with regular expressions: `str.translate` looks up every character of a
# Vietnamese text in a dict, 40 times slower (0.2 ms for a 1.6 KB profile).
INVISIBLE = "\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\u00ad]")
# Phone numbers, 9/12-digit ID numbers and birth dates in an exemplary person's text.
# "Not after a digit" is checked after the first character, not before it: a pattern that
# starts with a character, not a look-behind, lets the regular expression engine skip to
# the places where that character is (a text of an exemplary person in 27 µs, not 112).
PRIVATE_DATA = (
    (re.compile(r"(?:\+(?<!\d\+)84|0(?<!\d0))(?:[\s.\-]?\d){9,10}(?!\d)"), "số điện thoại"),
    (re.compile(r"\d(?<!\d\d)(?:\d{11}|\d{8})(?!\d)"), "số CMND/CCCD"),
    (re.compile(r"sinh ngày\s*\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*\d{4}", re.I), "ngày sinh"),
)
ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"figure", "figcaption"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope", "style"},
    "td": {"align", "colspan", "rowspan", "style"},
    **{f"h{n}": {"id"} for n in range(2, 7)},
    "a": {"href", "title", "hreflang", "id"},
}


@dataclass
class Header:
    """The `Key: value` lines of a profile, with the line each key sits on.

    Declared keys are stored under their canonical name (`province`, whatever the
    editor wrote: `Tỉnh`, `TINH`); undeclared ones under `?` + their slug.
    """

    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # key → the name as written
    body: str = ""
    body_line: int = 1


@dataclass
class _Context:
    path: str
    header: Header
    problems: list[Problem]

    def add(self, key: str, code: str, message: str, hint: str = "",
            severity: Severity = Severity.ERROR, line: int | None = None) -> None:
        self.problems.append(Problem(
            self.path, line if line is not None else self.header.lines.get(key),
            self.display(key), code, message, hint, severity,
        ))

    def display(self, key: str) -> str:
        """A key as the editor wrote it, or its English name when it is missing."""
        if key in self.header.written:
            return self.header.written[key]
        declared = schema.BY_NAME.get(key)
        return declared.written if declared else key

    def warn(self, key: str, code: str, message: str, hint: str = "", line: int | None = None) -> None:
        self.add(key, code, message, hint, Severity.WARNING, line)

    def get(self, key: str) -> str:
        # Zero-width characters make a title look empty or two equal names differ.
        return ZERO_WIDTH.sub("", self.header.values.get(key, "")).strip()


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes → NFC text with Unix newlines, or a problem saying what the bytes are."""
    if not raw.strip():
        return None, [Problem(path, None, "tệp", "E001", "tệp rỗng",
                              "viết phần đầu (Title:, Kind:, …) rồi nội dung, hoặc xóa tệp")]
    if len(raw) > MAX_PROFILE_BYTES:
        return None, [Problem(path, None, "tệp", "E002",
                              f"tệp quá lớn ({len(raw) // 1024} KB, tối đa {MAX_PROFILE_BYTES // 1024} KB)",
                              "bỏ ảnh hoặc dữ liệu nhúng trong văn bản; ảnh để thành tệp riêng")]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Notepad's "Unicode": readable, but other tools (git diffs, the CMS) are not.
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            return None, [Problem(path, None, "tệp", "E003", "tệp UTF-16 bị hỏng",
                                  "mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8")]
        return _normalise(text), [Problem(path, None, "tệp", "W004", "tệp lưu bằng bảng mã UTF-16",
                                          "lưu lại tệp với bảng mã UTF-8", Severity.WARNING)]
    if b"\x00" in raw[:4096]:
        return None, [Problem(path, None, "tệp", "E003",
                              "tệp không phải văn bản UTF-8 "
                              "(có ký tự rỗng: UTF-16 không BOM hoặc tệp nhị phân)",
                              "mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        legacy = ""
        try:
            raw.decode("cp1258")
            legacy = " (có vẻ là bảng mã cũ Windows-1258/TCVN3/VNI)"
        except UnicodeDecodeError:
            pass
        return None, [Problem(path, line, "tệp", "E003",
                              f"tệp không phải UTF-8{legacy}",
                              "mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8; "
                              "dùng Unikey chuyển mã sang Unicode nếu cần")]
    return _normalise(text), []


# Unicode's control characters (category Cc) but the tab and the newline, and the
# invisible ones, in one pass.
_DROPPED = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")


def _normalise(text: str) -> str:
    # Control characters pasted from Word break XML feeds; tabs and newlines stay.
    return _DROPPED.sub("", nfc(text.replace("\r\n", "\n").replace("\r", "\n")))


def _key_line(line: str) -> tuple[str, str] | None:
    """`Key: value` → (key as written, value), or None when the line is not one."""
    key_text, colon, value = line.partition(":")
    key_text = key_text.strip()
    if not colon or HEADER_KEY.fullmatch(key_text) is None:
        return None
    return key_text, value[1:] if value.startswith(" ") else value


def parse_header(text: str, path: str) -> tuple[Header, list[Problem]]:
    """Split `Key: value` lines from the body, keeping each key's line number.

    The header ends at the first blank line. A line that is not `Key: value`
    ends it too (the body may start right after the header); a declared key in
    the body's first lines is then reported, never published silently as text.
    """
    header = Header()
    problems: list[Problem] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    last_key = None
    ended_at_blank = True
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            break
        parsed = _key_line(line)
        if last_key and line[:1] in (" ", "\t"):
            header.values[last_key] += " " + line.strip()
        elif parsed:
            key_text, value = parsed
            declared = schema.find_key(key_text)
            key = declared.name if declared else "?" + schema.key_slug(key_text)
            if key in header.values:
                problems.append(Problem(path, index + 1, key_text, "E010",
                                        f"khóa '{key_text}' lặp lại (đã có ở dòng {header.lines[key]}, "
                                        f"viết là '{header.written[key]}')",
                                        "giữ một dòng, xóa dòng còn lại"))
            else:
                header.values[key] = value
                header.lines[key] = index + 1
                header.written[key] = key_text
            last_key = key
        else:
            ended_at_blank = False
            break
        index += 1
    if not header.values:
        problems.append(Problem(path, 1, "tệp", "E004", "tệp không có phần đầu (metadata)",
                                "bắt đầu tệp bằng các dòng 'Title: …', 'Kind: …', 'Year: …' "
                                "(hoặc 'Tiêu đề: …', 'Loại: …', 'Năm: …'), "
                                "rồi một dòng trống trước nội dung"))
    header.body = "\n".join(lines[index:])
    header.body_line = index + 1
    if header.values:
        problems += _keys_in_body(lines, index, ended_at_blank, header, path)
    return header, problems


def _keys_in_body(lines: list[str], start: int, ended_at_blank: bool, header: Header,
                  path: str) -> list[Problem]:
    """Declared keys that landed in the body: after a stray line, or in a key-only first paragraph."""
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    found = []
    misspelt = []  # right after a header cut by a stray line: a key with a typo is a key too
    for number in range(start, end):
        parsed = _key_line(lines[number])
        declared = schema.find_key(parsed[0]) if parsed else None
        if declared:
            found.append((number, parsed[0], declared))
        elif parsed and not ended_at_blank and (near := schema.nearest_key(parsed[0])):
            misspelt.append((number, parsed[0], near))
    problems = [Problem(path, number + 1, written, "W005",
                        f"dòng '{written}: …' nằm trong nội dung, không được đọc là khóa",
                        f"có phải '{near.vietnamese}' ({near.written})? sửa tên khóa và đưa dòng lên "
                        "phần đầu: các khóa viết liền nhau, không có dòng trống hay dòng chữ khác xen giữa",
                        Severity.WARNING)
                for number, written, near in misspelt]
    if not found:
        return problems
    if ended_at_blank:
        # After a blank line, "Kết quả: …" may well be prose; a paragraph made only of
        # keys, or a missing required key, is a header cut in two.
        missing = any(d.required and d.name not in header.values for _, _, d in found)
        if len(found) < end - start or (len(found) == 1 and not missing):
            return problems
    return problems + [Problem(path, number + 1, written, "W005",
                    f"dòng '{written}: …' nằm trong nội dung, không được đọc là khóa"
                    + (" (trùng khóa đã có)" if declared.name in header.values else ""),
                    "đưa dòng này lên phần đầu: các khóa viết liền nhau, không có dòng trống "
                    "hay dòng chữ khác xen giữa", Severity.WARNING)
            for number, written, declared in found]


def resolve_place(ctx: _Context, year: int | None, geo: Gazetteer) -> Place | None:
    """Province, district and commune as written → current and historical units."""
    return places.resolve_place(ctx.get("province"), ctx.get("district"), ctx.get("commune"),
                                year, geo, ctx.add)


# Every inline pattern of these extensions needs one of these characters, or a line break
# made of two spaces: a run of text with none of them is left as it is. Trying each
# pattern on it anyway was half the time Python-Markdown took on a profile.
_INLINE_PATTERNS = {"backtick", "escape", "footnote", "reference", "link", "image_link", "image_reference",
                    "short_reference", "short_image_ref", "autolink", "automail", "linebreak", "html",
                    "entity", "em_strong", "em_strong2"}
_INLINE_MARKUP = re.compile(r"[`\\\[<&*_]|  \n")


class _PlainTextFirst(markdown.treeprocessors.InlineProcessor):
    """Python-Markdown's inline processor, which passes over text without inline markup."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if _INLINE_MARKUP.search(data) is None:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


def make_markdown(extensions: tuple[str | markdown.Extension, ...] = ("extra", "sane_lists")
                  ) -> markdown.Markdown:
    """The Markdown converter of profiles: Python-Markdown with "extra" and "sane_lists".

    The inline processor skips plain text only while the inline patterns are those
    `_INLINE_MARKUP` was written for (another version or extension may add one).
    """
    converter = markdown.Markdown(extensions=list(extensions), output_format="html")
    inline = converter.treeprocessors["inline"]
    if type(inline) is markdown.treeprocessors.InlineProcessor and \
            {pattern.name for pattern in converter.inlinePatterns._priority} <= _INLINE_PATTERNS:
        priority = next(item.priority for item in converter.treeprocessors._priority if item.name == "inline")
        converter.treeprocessors.register(_PlainTextFirst(converter), "inline", priority)
    return converter


_markdown = make_markdown()
_REJECTED_PHOTO = re.compile(r'<img\b[^>]*\ssrc="' + re.escape(PHOTO_SCHEME) + r'-"[^>]*>')


def markdown_budget(text: str) -> str | None:
    """Why a text would take Markdown too long or too deep, or None when it is fine."""
    brackets = text.count("[")
    if brackets > MAX_BRACKETS:
        return f"quá nhiều dấu '[' ({brackets}, tối đa {MAX_BRACKETS})"
    if brackets > MAX_BRACKETS_PER_BLOCK:
        for block in re.split(r"\n\s*\n", text):
            if block.count("[") > MAX_BRACKETS_PER_BLOCK:
                return f"một đoạn có quá nhiều dấu '[' (tối đa {MAX_BRACKETS_PER_BLOCK} mỗi đoạn)"
    for line in text.split("\n"):
        stripped = line.lstrip(" \t")
        indent = len(line[: len(line) - len(stripped)].expandtabs(4))
        if indent > MAX_INDENT and stripped:
            return f"thụt lề quá sâu ({indent} cột, tối đa {MAX_INDENT})"
        markers = stripped[: len(stripped) - len(stripped.lstrip("> \t"))]
        if markers.count(">") > MAX_QUOTE_DEPTH:
            return f"trích dẫn lồng quá sâu (tối đa {MAX_QUOTE_DEPTH} mức '>')"
    return None


def render_markdown(text: str, photo: Callable[[str], int | None] | None = None) -> str:
    """Markdown → sanitised HTML: no script, event handler, javascript: URL or iframe.

    Photo references are resolved inside the sanitiser, on the decoded attribute
    value: `photo(reference)` returns the photo's index among the profile's photos
    (or None to drop it), and the `src` becomes `lantoa-photo:<index>`. Nothing a
    contributor wrote reaches the page's markup except through the sanitiser's own
    escaping; a `lantoa-photo:` URL written by hand is removed as an unknown scheme.
    """
    html = _markdown.reset().convert(text)

    def attribute(element: str, name: str, value: str) -> str | None:
        if element == "img" and name == "src" and photo is not None and _is_local(value):
            index = photo(value)
            return f"{PHOTO_SCHEME}{'-' if index is None else index}"
        return value

    # A rejected photo is left out whole, never shown as a broken image.
    return _REJECTED_PHOTO.sub("", sanitise_html(html, attribute))


def sanitise_html(html: str, attribute_filter: Callable[[str, str, str], str | None] | None = None) -> str:
    """HTML from a contributor → HTML without script, event handler, javascript: URL or iframe."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel=None,
                     filter_style_properties={"text-align"}, attribute_filter=attribute_filter)


def _is_local(src: str) -> bool:
    return not (urlsplit(src).scheme or src.startswith(("/", "#")))


def _first_paragraph(html: str) -> str:
    match = re.search(r"<p>(.*?)</p>", html, re.S)
    # Plain text: the entities of the sanitised HTML are decoded once, here, so that
    # every consumer (page, feed, JSON-LD, CSV) escapes it for its own context.
    plain = htmllib.unescape(re.sub(r"<[^>]+>", "", match.group(1) if match else html))
    words = plain.split()
    return " ".join(words[:60]) + (" …" if len(words) > 60 else "")


def _resolve_image(ctx: _Context, key: str, reference: str, profile_file: Path,
                   content_root: Path, line: int | None = None) -> str | None:
    """A path relative to the profile → content-relative POSIX path, checked."""
    root = content_root.resolve()
    target = content_file(root, profile_file.parent / unquote(reference))
    if isinstance(target, Refusal) and target.code in (OUTSIDE, NOT_REGULAR):
        ctx.add(key, "E040", f"ảnh '{reference}' nằm ngoài thư mục nội dung hoặc không phải tệp ảnh",
                "đặt ảnh cạnh tệp hồ sơ và ghi tên tệp, ví dụ anh-dai-dien.jpg", line=line)
        return None
    if isinstance(target, Refusal):
        near = nearest_file(profile_file.parent / unquote(reference))
        hint = (f"có phải '{near}' (cùng thư mục)? sửa tên trong hồ sơ hoặc đổi tên tệp cho khớp, "
                "phân biệt hoa thường" if near
                else "kiểm tra tên tệp (phân biệt hoa thường) và đặt ảnh cạnh tệp hồ sơ")
        ctx.add(key, "E041", f"không tìm thấy ảnh '{reference}'", hint, line=line)
        return None
    return target.relative_to(root).as_posix()


def nearest_file(missing: Path) -> str | None:
    """The file beside a missing photo whose name is closest to it, when plausibly the one meant.

    Names are compared without case and diacritics first ("Anh.JPG" for "anh.jpg"),
    then by similarity; a profile's own text files are never suggested.
    """
    try:
        folder = missing.parent.resolve()
        names = [entry.name for entry in folder.iterdir()
                 if entry.is_file() and entry.suffix.lower() != ".md" and not entry.name.startswith(".")]
    except OSError:
        return None
    wanted = slugify(missing.name)
    same = sorted(name for name in names if slugify(name) == wanted)
    if same:
        return same[0]
    by_slug = {slugify(name): name for name in sorted(names, reverse=True)}
    near = difflib.get_close_matches(wanted, list(by_slug), n=1, cutoff=0.75)
    return by_slug[near[0]] if near else None


def _body_html(ctx: _Context, profile_file: Path, content_root: Path) -> tuple[str, tuple[str, ...]]:
    """The sanitised body and the photos it shows, checked, in order of first use."""
    body = ctx.header.body
    problem = markdown_budget(body)
    if problem:
        ctx.add("nội dung", "E008", f"nội dung quá phức tạp để hiển thị: {problem}",
                "bỏ các ký hiệu lặp lại hoặc chia bớt danh sách lồng nhau", line=ctx.header.body_line)
        return "", ()
    found: list[str] = []

    def photo(reference: str) -> int | None:
        body_lines = body.split("\n")
        offset = next((n for n, text in enumerate(body_lines) if reference in text), 0)
        resolved = _resolve_image(ctx, "Ảnh trong bài", reference, profile_file, content_root,
                                  line=ctx.header.body_line + offset)
        if not resolved:
            return None  # reported; the text is published without the photo
        if resolved not in found:
            found.append(resolved)
        return found.index(resolved)

    try:
        html = render_markdown(body, photo)
    except RecursionError:
        ctx.add("nội dung", "E008", "nội dung quá phức tạp để hiển thị: lồng nhau quá sâu",
                "bỏ bớt các mức danh sách hoặc trích dẫn lồng nhau", line=ctx.header.body_line)
        return "", ()
    return html, tuple(found)


def _parse_declared(ctx: _Context, today: date) -> dict[str, Any]:
    """Every declared key's value, parsed by its declaration; missing and bad ones reported."""
    values: dict[str, Any] = {}
    for key in schema.HEADER:
        text = ctx.get(key.name)
        if not text:
            if key.required:
                ctx.add(key.name, "E011", f"thiếu {key.label} ({key.written} hoặc {key.vietnamese})",
                        f"thêm dòng '{key.vietnamese}: …' (hoặc '{key.written}: …') vào phần đầu tệp", line=1)
            continue
        if key.parse is None:
            values[key.name] = text
            continue

        def fail(code: str, message: str, hint: str, name: str = key.name) -> None:
            ctx.add(name, code, message, hint)
        parsed = key.parse(text, ParseContext(today, fail))
        if parsed is not None:
            values[key.name] = parsed
    return values


def _first_text_line(header: Header) -> int:
    """The line where the body's text begins (or where it would, when there is none)."""
    for offset, text in enumerate(header.body.split("\n")):
        if text.strip():
            return header.body_line + offset
    return header.body_line


def _line_matching(header: Header, pattern: re.Pattern[str]) -> int | None:
    """The first line whose text (a header value or a body line) matches, or None."""
    for key, value in header.values.items():
        if pattern.search(value):
            return header.lines[key]
    # Matched per paragraph, as a phone number may be broken across a line end.
    offset = 0
    for paragraph in re.split(r"(\n\s*\n)", header.body):
        if pattern.search(paragraph):
            inside = next((n for n, text in enumerate(paragraph.split("\n")) if pattern.search(text)), 0)
            return header.body_line + offset + inside
        offset += paragraph.count("\n")
    return None


def _warn_unknown_keys(ctx: _Context) -> None:
    for key in ctx.header.values:
        if key.startswith("?"):
            written = ctx.header.written[key]
            near = schema.nearest_key(written)
            hint = (f"có phải '{near.vietnamese}' ({near.written})? sửa lại tên khóa" if near
                    else "xóa dòng này, hoặc xem bảng khóa trong Hướng dẫn")
            ctx.warn(key, "W001", f"khóa không xác định '{written}', giá trị sẽ bị bỏ qua", hint)


def validate(header: Header, path: str, profile_file: Path, content_root: Path,
             today: date | None = None, geo: Gazetteer | None = None) -> tuple[Profile | None, list[Problem]]:
    """Header and body → a `Profile` (when there is no error) and every problem found."""
    ctx = _Context(path, header, [])
    today = today or date.today()
    _warn_unknown_keys(ctx)
    values = _parse_declared(ctx, today)
    year = values.get("year")
    if values.get("level") is Level.HUYEN and year and year > REFORM_YEAR:
        ctx.add("level", "E016", f"không còn cấp huyện vào năm {year} (bỏ từ 01/7/2025)",
                "dùng 'xa' hoặc 'tinh'")
    if not values.get("unit") and not values.get("person"):
        ctx.add("unit", "E018", "thiếu đơn vị thực hiện (Unit) hoặc cá nhân (Person)",
                "thêm 'Unit: …' ('Đơn vị: …') cho tập thể hoặc 'Person: …' ('Cá nhân: …') cho cá nhân",
                line=1)
    place = resolve_place(ctx, year, geo or gazetteer())
    slug = slugify(ctx.get("slug") or profile_file.stem)
    if not slug:
        ctx.add("slug", "E022", "không tạo được đường dẫn từ tên tệp",
                "đặt tên tệp bằng chữ không dấu, ví dụ mo-hinh-dan-van.md", line=1)
    image = None
    if ctx.get("image"):
        image = _resolve_image(ctx, "image", ctx.get("image"), profile_file, content_root)
    body_html, body_images = _body_html(ctx, profile_file, content_root)
    words = len(re.sub(r"<[^>]+>", " ", body_html).split())
    if words < MIN_BODY_WORDS:
        ctx.warn("nội dung", "W002", f"nội dung rất ngắn ({words} từ)",
                 "mô tả cách làm, kết quả và bài học của mô hình (nên từ 150 từ)",
                 line=_first_text_line(header))
    if values.get("kind") is Kind.DIEN_HINH:
        # Each value and paragraph is a part of this text: where it has no match, neither has any.
        whole = "\n".join((*header.values.values(), header.body))
        for pattern, what in PRIVATE_DATA:
            line = _line_matching(header, pattern) if pattern.search(whole) else None
            if line:
                ctx.warn("nội dung", "W003", f"có thể chứa thông tin cá nhân ({what})",
                         "không đăng số điện thoại, số căn cước, ngày sinh của cá nhân", line=line)
    if blocks_publication(ctx.problems):
        return None, ctx.problems
    assert place is not None
    summary = ctx.get("summary") or _first_paragraph(body_html)
    profile = Profile(
        source=path, slug=slug, kind=values["kind"], title=values["title"], year=values["year"],
        place=place, fields=values["field"], level=values["level"], date=values["date"],
        body_html=body_html, summary=summary, summary_given=bool(ctx.get("summary")),
        unit=values.get("unit", ""), person=values.get("person", ""), period=values.get("period", ""),
        awarded_by=values.get("awarded_by", ""), award=values.get("award", ""),
        modified=values.get("modified"), image=image, image_caption=values.get("image_caption", ""),
        body_images=body_images, results=values.get("results", ()), tags=values.get("tags", ()),
        sources=values.get("source", ()), status=values.get("status", Status.PUBLISHED),
        featured=values.get("featured", False),
    )
    return profile, ctx.problems


def read_profile(file: Path | str, content_root: Path, today: date | None = None,
                 raw: bytes | Refusal | None = None) -> tuple[Profile | None, list[Problem]]:
    """Read and validate one profile file; never raises for bad content.

    `raw` is what `read_content` gave for the file, when the caller has read it already.
    """
    root = content_root.resolve()
    # The file's own place, not its target's: a symlink is named as the editor sees it.
    path = PurePosixPath(os.path.relpath(os.path.abspath(file), root)).as_posix()
    if raw is None:
        raw = read_content(root, file, MAX_PROFILE_BYTES)
    if isinstance(raw, Refusal):
        return None, [Problem(path, None, "tệp", raw.code, raw.message, raw.hint)]
    try:
        text, problems = decode(raw, path)
        if text is None:
            return None, problems
        header, more = parse_header(text, path)
        problems += more
        if not header.values:
            return None, problems
        profile, more = validate(header, path, Path(file), content_root, today)
    except Exception as error:  # a defect of ours must not take the run down
        return None, [Problem(path, None, "tệp", "E009", f"lỗi nội bộ khi đọc hồ sơ ({type(error).__name__})",
                              "báo lỗi này cho nhóm phát triển kèm tệp hồ sơ")]
    problems += more
    return (None if blocks_publication(problems) else profile), problems
