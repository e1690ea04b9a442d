"""Read one profile file into a validated `Profile`, or into problems.

The one place that parses metadata. `read_profile` never raises for bad input:
an unreadable file, a broken header or an unknown place become `Problem`
values with the file, the line and a fix in Vietnamese.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import markdown
import nh3

from . import places
from .gazetteer import Gazetteer, gazetteer
from .model import Field, Kind, Level, Place, Profile, Status
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
HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_\- ]*?)\s*:\s?(.*)$")
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
        return self.header.values.get(key, "").strip()


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes → NFC text with Unix newlines, or a problem saying what the bytes are."""
    if not raw.strip():
        return None, [Problem(path, None, "tệp", "E001", "tệp rỗng",
                              "viết phần đầu (Title:, Kind:, …) rồi nội dung, hoặc xóa tệp")]
    if len(raw) > MAX_PROFILE_BYTES:
        return None, [Problem(path, None, "tệp", "E002",
                              f"tệp quá lớn ({len(raw) // 1024} KB, tối đa {MAX_PROFILE_BYTES // 1024} KB)",
                              "bỏ ảnh hoặc dữ liệu nhúng trong văn bản; ảnh để thành tệp riêng")]
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
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    # Control characters pasted from Word break XML feeds; tabs and newlines stay.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return text, []


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
        match = HEADER_LINE.match(line)
        if last_key and line[:1] in (" ", "\t"):
            header.values[last_key] += " " + line.strip()
        elif match:
            key = match.group(1).strip().lower().replace(" ", "_").replace("-", "_")
            if key in header.values:
                problems.append(Problem(path, index + 1, key.capitalize(), "E010",
                                        f"khóa '{match.group(1)}' lặp lại (đã có ở dòng {header.lines[key]})",
                                        "giữ một dòng, xóa dòng còn lại"))
            else:
                header.values[key] = match.group(2)
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


def render_markdown(text: str) -> str:
    """Markdown → sanitised HTML: no script, event handler, javascript: URL or iframe."""
    html = _markdown.reset().convert(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel=None,
                     filter_style_properties={"text-align"})


def _first_paragraph(html: str) -> str:
    match = re.search(r"<p>(.*?)</p>", html, re.S)
    plain = re.sub(r"<[^>]+>", "", match.group(1) if match else html)
    words = plain.split()
    return " ".join(words[:60]) + (" …" if len(words) > 60 else "")


def _resolve_image(ctx: _Context, key: str, reference: str, profile_file: Path,
                   content_root: Path, line: int | None = None) -> str | None:
    """A path relative to the profile → content-relative POSIX path, checked."""
    try:
        target = (profile_file.parent / unquote(reference)).resolve()
        exists = target.is_file()
    except (OSError, ValueError):  # NUL bytes, names too long for the file system
        target, exists = None, False
    root = content_root.resolve()
    if target is not None and not target.is_relative_to(root):
        ctx.add(key, "E040", f"ảnh '{reference}' nằm ngoài thư mục nội dung",
                "đặt ảnh cạnh tệp hồ sơ và ghi tên tệp, ví dụ anh-dai-dien.jpg", line=line)
        return None
    if target is None or not exists:
        ctx.add(key, "E041", f"không tìm thấy ảnh '{reference}'",
                "kiểm tra tên tệp (phân biệt hoa thường) và đặt ảnh cạnh tệp hồ sơ", line=line)
        return None
    return target.relative_to(root).as_posix()


_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')


def _body_images(ctx: _Context, html: str, profile_file: Path,
                 content_root: Path) -> tuple[str, tuple[str, ...]]:
    """Check photos referenced in the text; point them at their published place."""
    found: list[str] = []

    def swap(match: re.Match) -> str:
        src = match.group(2)
        if urlsplit(src).scheme or src.startswith("/"):
            return match.group(0)
        offset = next((n for n, text in enumerate(ctx.header.body.split("\n")) if src in text), 0)
        resolved = _resolve_image(ctx, "Ảnh trong bài", src, profile_file, content_root,
                                  line=ctx.header.body_line + offset)
        if not resolved:
            return ""  # reported; the text is published without the photo
        found.append(resolved)
        return f"{match.group(1)}{{photo}}{resolved}{match.group(3)}"

    return _IMG_SRC.sub(swap, html), tuple(found)


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
    body_html = render_markdown(header.body)
    body_html, body_images = _body_images(ctx, body_html, profile_file, content_root)
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
    path = PurePosixPath(file.resolve().relative_to(content_root.resolve())).as_posix()
    try:
        raw = file.read_bytes()
    except OSError as error:
        return None, [Problem(path, None, "tệp", "E005", f"không đọc được tệp ({error.strerror})",
                              "kiểm tra quyền đọc tệp")]
    text, problems = decode(raw, path)
    if text is None:
        return None, problems
    header, problems = parse_header(text, path)
    if not header.values:
        return None, problems
    profile, more = validate(header, path, file, content_root, today)
    problems += more
    return (None if blocks_publication(problems) else profile), problems

