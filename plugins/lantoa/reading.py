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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import markdown
import nh3

from . import places
from .files import NOT_REGULAR, OUTSIDE, Refusal, content_file, read_content
from .gazetteer import Gazetteer, gazetteer
from .model import PHOTO_SCHEME, Field, Kind, Level, Place, Profile, Status
from .problems import Problem, Severity
from .text import nfc, slugify

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_YEAR = 2009  # the movement's launch
REFORM_YEAR = 2025  # districts abolished on 1 July 2025
MAX_PROFILE_BYTES = 1_000_000
MIN_BODY_WORDS = 60
# A bad photo is an error (check and strict builds fail) but the profile is still
# published, without that photo, in a non-strict build.
PHOTO_CODES = {"E040", "E041"}


def blocks_publication(problems: list[Problem]) -> bool:
    """Whether these problems keep a profile off the site (a bad photo does not)."""
    return any(p.is_error and p.code not in PHOTO_CODES for p in problems)

KNOWN_KEYS = {
    "title", "kind", "year", "period", "province", "district", "commune", "field", "level",
    "unit", "person", "awarded_by", "award", "date", "modified", "summary", "image",
    "image_caption", "results", "tags", "source", "status", "slug",
}
REQUIRED_KEYS = ("title", "kind", "year", "province", "field", "level", "date")
KEY_LABELS = {
    "title": "tên mô hình/điển hình", "kind": "loại", "year": "năm công nhận",
    "province": "tỉnh/thành phố", "field": "lĩnh vực", "level": "cấp công nhận",
    "date": "ngày đăng",
}
KIND_ALIASES = {
    "mo-hinh": Kind.MO_HINH, "model": Kind.MO_HINH,
    "dien-hinh": Kind.DIEN_HINH, "individual": Kind.DIEN_HINH, "collective": Kind.DIEN_HINH,
}
FIELD_ALIASES = {f.value: f for f in Field} | {
    "van-hoa": Field.VAN_HOA_XA_HOI, "xa-hoi": Field.VAN_HOA_XA_HOI,
    "quoc-phong": Field.QUOC_PHONG_AN_NINH, "an-ninh": Field.QUOC_PHONG_AN_NINH,
    "xay-dung-dang-he-thong-chinh-tri": Field.XAY_DUNG_HE_THONG_CHINH_TRI,
    "he-thong-chinh-tri": Field.XAY_DUNG_HE_THONG_CHINH_TRI,
}
LEVEL_ALIASES = {lv.value: lv for lv in Level} | {
    f"cap-{lv.value}": lv for lv in Level
}
# A key is checked after splitting at the first colon: a regex spanning key and
# spaces backtracks quadratically on a line of a key and a megabyte of spaces.
HEADER_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_\- ]{0,39}")
# Markdown's inline parser is quadratic in the brackets of one paragraph, and its
# block parser recursive in nesting: beyond these, a text is refused, not parsed.
MAX_BRACKETS_PER_BLOCK = 200
MAX_BRACKETS = 5000
MAX_INDENT = 64  # columns: sixteen levels of nested lists
MAX_QUOTE_DEPTH = 16
# Invisible characters that only hide or reorder text: byte-order marks pasted
# mid-file, bidirectional overrides and isolates (a title that reads backwards).
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u00ad"))
# Phone numbers, 9/12-digit ID numbers and birth dates in an exemplary person's text.
PRIVATE_DATA = (
    (re.compile(r"(?<!\d)(?:\+84|0)(?:[\s.\-]?\d){9,10}(?!\d)"), "số điện thoại"),
    (re.compile(r"(?<!\d)\d{12}(?!\d)|(?<!\d)\d{9}(?!\d)"), "số CMND/CCCD"),
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
    """The `Key: value` lines of a profile, with the line each key sits on."""

    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
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
            key.capitalize() if key in KNOWN_KEYS else key, code, message, hint, severity,
        ))

    def warn(self, key: str, code: str, message: str, hint: str = "") -> None:
        self.add(key, code, message, hint, Severity.WARNING)

    def get(self, key: str) -> str:
        # Zero-width characters make a title look empty or two equal names differ.
        return self.header.values.get(key, "").translate(ZERO_WIDTH).strip()


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


def _normalise(text: str) -> str:
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n")).translate(INVISIBLE)
    # Control characters pasted from Word break XML feeds; tabs and newlines stay.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def parse_header(text: str, path: str) -> tuple[Header, list[Problem]]:
    """Split `Key: value` lines from the body, keeping each key's line number."""
    header = Header()
    problems: list[Problem] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    last_key = None
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            break
        key_text, colon, value = line.partition(":")
        key_text = key_text.strip()
        is_key = bool(colon) and HEADER_KEY.fullmatch(key_text) is not None
        if last_key and line[:1] in (" ", "\t"):
            header.values[last_key] += " " + line.strip()
        elif is_key:
            key = key_text.lower().replace(" ", "_").replace("-", "_")
            if key in header.values:
                problems.append(Problem(path, index + 1, key.capitalize(), "E010",
                                        f"khóa '{key_text}' lặp lại (đã có ở dòng {header.lines[key]})",
                                        "giữ một dòng, xóa dòng còn lại"))
            else:
                header.values[key] = value[1:] if value.startswith(" ") else value
                header.lines[key] = index + 1
            last_key = key
        else:
            break
        index += 1
    if not header.values:
        problems.append(Problem(path, 1, "tệp", "E004", "tệp không có phần đầu (metadata)",
                                "bắt đầu tệp bằng các dòng 'Title: …', 'Kind: …', 'Year: …', … "
                                "rồi một dòng trống trước nội dung"))
    header.body = "\n".join(lines[index:])
    header.body_line = index + 1
    return header, problems


def _choice(ctx: _Context, key: str, aliases: dict, code: str, what: str):
    value = ctx.get(key)
    found = aliases.get(slugify(value))
    if found is None:
        canonical = sorted({v.value for v in aliases.values()})
        near = difflib.get_close_matches(slugify(value), list(aliases), n=1)
        hint = f"có phải '{aliases[near[0]].value}'? " if near else ""
        ctx.add(key, code, f"{what} '{value}' không hợp lệ",
                hint + "dùng một trong: " + ", ".join(canonical))
    return found


def _parse_datetime(ctx: _Context, key: str) -> datetime | None:
    value = ctx.get(key)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.combine(date.fromisoformat(value), time(), VIETNAM_TZ)
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        ctx.add(key, "E021", f"ngày '{value}' không đúng định dạng",
                "viết theo dạng năm-tháng-ngày, ví dụ 2024-05-19 hoặc 2024-05-19 08:30")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM_TZ)


def _split(value: str, separators: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(f"[{separators}]", value) if part.strip())


def resolve_place(ctx: _Context, year: int | None, geo: Gazetteer) -> Place | None:
    """Province, district and commune as written → current and historical units."""
    return places.resolve_place(ctx.get("province"), ctx.get("district"), ctx.get("commune"),
                                year, geo, ctx.add)


_markdown = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
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
        ctx.add(key, "E041", f"không tìm thấy ảnh '{reference}'",
                "kiểm tra tên tệp (phân biệt hoa thường) và đặt ảnh cạnh tệp hồ sơ", line=line)
        return None
    return target.relative_to(root).as_posix()


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


def validate(header: Header, path: str, profile_file: Path, content_root: Path,
             today: date | None = None, geo: Gazetteer | None = None) -> tuple[Profile | None, list[Problem]]:
    """Header and body → a `Profile` (when there is no error) and every problem found."""
    ctx = _Context(path, header, [])
    today = today or date.today()
    geo = geo or gazetteer()
    for key in header.values:
        if key not in KNOWN_KEYS:
            near = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1)
            ctx.warn(key, "W001", f"khóa không xác định '{key}', sẽ bị bỏ qua",
                     f"có phải '{near[0].capitalize()}'?" if near else "xóa dòng này")
    for key in REQUIRED_KEYS:
        if not ctx.get(key):
            ctx.add(key, "E011", f"thiếu {KEY_LABELS[key]} ({key.capitalize()})",
                    f"thêm dòng '{key.capitalize()}: …' vào phần đầu tệp", line=1)
    kind = _choice(ctx, "kind", KIND_ALIASES, "E012", "loại") if ctx.get("kind") else None
    level = _choice(ctx, "level", LEVEL_ALIASES, "E014", "cấp") if ctx.get("level") else None
    fields: list[Field] = []
    for value in _split(ctx.get("field"), ",;"):
        found = FIELD_ALIASES.get(slugify(value))
        if found is None:
            near = difflib.get_close_matches(slugify(value), list(FIELD_ALIASES), n=1)
            ctx.add("field", "E013", f"lĩnh vực '{value}' không hợp lệ",
                    (f"có phải '{FIELD_ALIASES[near[0]].value}'? " if near else "")
                    + "dùng: " + ", ".join(f.value for f in Field))
        elif found not in fields:
            fields.append(found)
    year = None
    if ctx.get("year"):
        value = ctx.get("year")
        if re.fullmatch(r"[0-9]{4}", value) and FIRST_YEAR <= int(value) <= today.year:
            year = int(value)
        else:
            ctx.add("year", "E015", f"năm '{value}' không hợp lệ",
                    f"ghi năm công nhận gồm 4 chữ số, từ {FIRST_YEAR} đến {today.year}")
    if level is Level.HUYEN and year and year > REFORM_YEAR:
        ctx.add("level", "E016", f"không còn cấp huyện vào năm {year} (bỏ từ 01/7/2025)",
                "dùng 'xa' hoặc 'tinh'")
    period = ctx.get("period")
    if period and not re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", period):
        ctx.add("period", "E017", f"giai đoạn '{period}' không đúng dạng", "ví dụ: 2021-2025")
    published = _parse_datetime(ctx, "date") if ctx.get("date") else None
    modified = _parse_datetime(ctx, "modified") if ctx.get("modified") else None
    unit, person = ctx.get("unit"), ctx.get("person")
    if not unit and not person:
        ctx.add("unit", "E018", "thiếu đơn vị thực hiện (Unit) hoặc cá nhân (Person)",
                "thêm 'Unit: …' cho tập thể hoặc 'Person: …' cho cá nhân", line=1)
    status = Status.PUBLISHED
    if ctx.get("status"):
        status = _choice(ctx, "status", {s.value: s for s in Status}, "E019", "trạng thái") or status
    sources = _split(ctx.get("source"), " ,;\n")
    for url in sources:
        if urlsplit(url).scheme not in ("http", "https"):
            ctx.add("source", "E020", f"nguồn '{url}' không phải địa chỉ web",
                    "ghi địa chỉ đầy đủ bắt đầu bằng https://")
    place = resolve_place(ctx, year, geo)
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
                 "mô tả cách làm, kết quả và bài học của mô hình (nên từ 150 từ)")
    if kind is Kind.DIEN_HINH:
        text = header.body + " " + " ".join(header.values.values())
        for pattern, what in PRIVATE_DATA:
            if pattern.search(text):
                ctx.warn("nội dung", "W003", f"có thể chứa thông tin cá nhân ({what})",
                         "không đăng số điện thoại, số căn cước, ngày sinh của cá nhân")
    if blocks_publication(ctx.problems):
        return None, ctx.problems
    assert kind and level and year and published and place and fields
    summary = ctx.get("summary") or _first_paragraph(body_html)
    profile = Profile(
        source=path, slug=slug, kind=kind, title=ctx.get("title"), year=year, place=place,
        fields=tuple(fields), level=level, date=published, body_html=body_html, summary=summary,
        summary_given=bool(ctx.get("summary")),
        unit=unit, person=person, period=period.replace(" ", "").replace("–", "-"),
        awarded_by=ctx.get("awarded_by"), award=ctx.get("award"), modified=modified,
        image=image, image_caption=ctx.get("image_caption"), body_images=body_images,
        results=_split(ctx.get("results"), ";"), tags=_split(ctx.get("tags"), ","),
        sources=sources, status=status,
    )
    return profile, ctx.problems


def read_profile(file: Path, content_root: Path, today: date | None = None
                 ) -> tuple[Profile | None, list[Problem]]:
    """Read and validate one profile file; never raises for bad content."""
    root = content_root.resolve()
    # The file's own place, not its target's: a symlink is named as the editor sees it.
    path = PurePosixPath(os.path.relpath(os.path.abspath(file), root)).as_posix()
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
        profile, more = validate(header, path, file, content_root, today)
    except Exception as error:  # a defect of ours must not take the run down
        return None, [Problem(path, None, "tệp", "E009", f"lỗi nội bộ khi đọc hồ sơ ({type(error).__name__})",
                              "báo lỗi này cho nhóm phát triển kèm tệp hồ sơ")]
    problems += more
    return (None if blocks_publication(problems) else profile), problems
