"""What `lantoa new` and `lantoa import` share: a profile file written from header values.

Both write the same file an editor would: English keys in the header schema's order,
place names spelled as in the gazetteer, a body with the usual sections, at
`content/profiles/<tỉnh>/<năm>/<slug>.md`. What they write is checked with the
reader itself before it is written, so it never fails `lantoa check` with an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from . import schema
from .collection import PROFILES_FOLDER, profile_files
from .gazetteer import Gazetteer, Unit, gazetteer
from .model import Place
from .places import resolve_place
from .problems import Problem, Severity
from .reading import decode, parse_header, validate
from .text import slugify

MAX_SLUG = 70  # characters: a URL that still fits in a message or on a printed page

# Comments: the guidance is for the editor and never reaches the page (the sanitiser drops it).
BODY_TEMPLATE = """\
<!-- Mở đầu: mô hình ra đời trong hoàn cảnh nào, giải quyết việc gì của người dân. -->

## Cách làm

<!-- Các bước làm, cách vận động nhân dân, ai cùng tham gia. -->

## Kết quả

<!-- Con số cụ thể: kinh phí, ngày công huy động, số hộ được hưởng lợi. -->

## Bài học

<!-- Điều gì nhân rộng được ở nơi khác. -->
"""

# Optional keys written empty, so an editor sees where a photo or a source goes.
EMPTY_SLOTS = ("results", "image", "image_caption", "tags", "source")


def profile_slug(title: str) -> str:
    """The file name (and URL) from a title, once: ASCII, cut at a word under MAX_SLUG."""
    slug = slugify(title)
    if len(slug) <= MAX_SLUG:
        return slug
    return slug[: MAX_SLUG + 1].rsplit("-", 1)[0]


def render(values: dict[str, str], body: str = BODY_TEMPLATE, slots: bool = True) -> str:
    """Header lines `Key: value` in the schema's order, a blank line, then the body."""
    lines = []
    for key in schema.HEADER:
        value = values.get(key.name, "")
        if value or (slots and key.name in EMPTY_SLOTS):
            lines.append(f"{key.written}: {one_line(value)}".rstrip())
    return "\n".join(lines) + "\n\n" + body


def one_line(value: str) -> str:
    """A cell or an answer as one header value: a line break can never start a new key."""
    return " ".join(str(value).split())


def canonical(key: str, text: str, today: date) -> str:
    """A value as the guide writes it ("Cấp huyện" → "huyen", "Kinh tế" → "kinh-te"), or as given
    when it does not parse (the reader then says why)."""
    declared = schema.BY_NAME[key]
    if declared.parse is None or not text:
        return text
    failed: list[str] = []
    parsed = declared.parse(text, schema.ParseContext(today, lambda *problem: failed.append(problem[0])))
    if failed or parsed is None:
        return text
    if isinstance(parsed, tuple):
        return ", ".join(str(getattr(v, "value", v)) for v in parsed)
    return str(getattr(parsed, "value", parsed))


@dataclass
class Spelling:
    """Place names as they will be written, the place they resolve to, and what was said."""

    province: str = ""
    district: str = ""
    commune: str = ""
    place: Place | None = None
    problems: list[tuple[str, str, str, str, Severity]] = field(default_factory=list)

    @property
    def errors(self) -> list[tuple[str, str, str, str, Severity]]:
        return [p for p in self.problems if p[4] is Severity.ERROR]


def _resolve(province: str, district: str, commune: str, year: int | None,
             geo: Gazetteer) -> tuple[Place | None, list]:
    said: list = []
    place = resolve_place(province, district, commune, year, geo,
                          lambda *problem: said.append(problem))
    return place, said


def spell_place(province: str, district: str, commune: str, year: int | None,
                geo: Gazetteer | None = None) -> Spelling:
    """Resolve a place; a name accepted with a spelling warning is replaced by the gazetteer's.

    "Lam Dong" becomes "Lâm Đồng" in the file (the warning is kept, so the editor
    is told); a replacement is only made when the file then reads without any
    problem for that key, so the place never changes.
    """
    geo = geo or gazetteer()
    place, said = _resolve(province, district, commune, year, geo)
    spelled = Spelling(province, district, commune, place, said)
    if place is None:
        return spelled
    near_misses = {key for key, code, *_ in said if code in ("W030", "W031")}
    units: dict[str, Unit | None] = {
        "province": _province_as_written(province, geo),
        "district": place.historical_district,
        "commune": place.historical_commune or place.commune,
    }
    for key in ("province", "district", "commune"):
        unit = units[key]
        if key not in near_misses or unit is None:
            continue
        for candidate in (unit.short_name, unit.name):
            trial = {"province": spelled.province, "district": spelled.district,
                     "commune": spelled.commune, key: candidate}
            again, more = _resolve(trial["province"], trial["district"], trial["commune"], year, geo)
            if _same_place(again, place) and not any(p[0] == key for p in more):
                setattr(spelled, key, candidate)
                break
    return spelled


def _province_as_written(text: str, geo: Gazetteer) -> Unit | None:
    """The province unit a name points at (pre-2025 "Đắk Nông" stays Đắk Nông)."""
    found = geo.match_provinces(text)
    return found.units[0] if found else None


def _same_place(a: Place | None, b: Place) -> bool:
    return a is not None and replace(a, as_written="") == replace(b, as_written="")


def check_text(text: str, target: Path, content: Path, today: date | None = None) -> list[Problem]:
    """Every problem the reader finds in `text` as if it were the file `target`."""
    relative = Path(os.path.relpath(target, content)).as_posix()
    decoded, problems = decode(text.encode("utf-8"), relative)
    if decoded is None:
        return problems
    header, more = parse_header(decoded, relative)
    problems += more
    _profile, more = validate(header, relative, target, content, today)
    return problems + more


class Slugs:
    """The slugs (URLs) the profiles of a content folder already use, and their files."""

    def __init__(self, content: Path):
        self.content = content
        self.files: dict[str, Path] = {}
        for file in profile_files(content):
            self.files.setdefault(slug_of(file), file)

    def taken(self, slug: str) -> Path | None:
        return self.files.get(slug)

    def add(self, slug: str, file: Path) -> None:
        self.files[slug] = file


def slug_of(file: Path) -> str:
    """A profile's slug as the reader takes it: its `Slug:` key, or its file name."""
    try:
        text, _ = decode(file.read_bytes(), file.name)
    except OSError:
        text = None
    if text:
        header, _ = parse_header(text, file.name)
        if header.values.get("slug", "").strip():
            return slugify(header.values["slug"])
    return slugify(file.stem)


def target_path(content: Path, place: Place, year: int, slug: str) -> Path:
    """`content/profiles/<tỉnh hiện nay>/<năm>/<slug>.md`."""
    return content / PROFILES_FOLDER / place.province.slug / str(year) / f"{slug}.md"


def display_path(path: Path) -> str:
    """A path as the editor typed paths: relative to where the command runs, when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
