"""`lantoa new`: one new profile, from flags or from questions in Vietnamese.

Whatever is not given as a flag is asked for, one question per header key,
each answer checked by the same parsers and gazetteer as `lantoa check`: a wrong
answer is explained (with the nearest names) and asked again; a place written
without diacritics is accepted and written as the gazetteer spells it. The file
goes to `content/profiles/<tỉnh>/<năm>/<slug>.md`, never over an existing one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from . import schema
from .gazetteer import gazetteer
from .model import Field, Kind, Level
from .places import REFORM_YEAR
from .scaffold import (
    Slugs,
    check_text,
    display_path,
    one_line,
    profile_slug,
    render,
    spell_place,
    target_path,
)
from .schema import ParseContext
from .text import slugify

# The header keys `lantoa new` takes, in the order it asks for them; flags are named after them.
KEYS = ("kind", "title", "year", "province", "district", "commune", "field", "level", "person", "unit")
PREVIEW = "http://localhost:8000/"


class Abort(Exception):
    """No answer can be had (standard input ended): say what is missing and stop."""


@dataclass
class Verdict:
    """An answer checked: the value to write (None: ask again), and what to tell the editor."""

    value: str | None
    parsed: Any = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """The answers so far: written values, and the parsed ones later questions depend on."""

    values: dict[str, str] = field(default_factory=dict)
    kind: Kind | None = None
    year: int | None = None


def _menu(options: list[tuple[str, str]]) -> str:
    return ", ".join(f"{n}: {label} ({value})" for n, (value, label) in enumerate(options, 1))


def _numbered(text: str, options: list[str]) -> str:
    """"2" → the second option; anything else as written."""
    parts = [part.strip() for part in text.replace(";", ",").split(",")]
    if all(part.isdigit() and 1 <= int(part) <= len(options) for part in parts if part) and any(parts):
        return ", ".join(options[int(part) - 1] for part in parts if part)
    return text


def _parse(key: str, text: str, today: date) -> tuple[Any, list[str]]:
    """A value through its schema parser: (parsed or None, messages with their hints)."""
    failures: list[str] = []
    parser = schema.BY_NAME[key].parse
    assert parser is not None
    parsed = parser(text, ParseContext(today, lambda code, message, hint: failures.append(
        f"{message} (gợi ý: {hint})" if hint else message)))
    return parsed, failures


class Questions:
    """Checks one answer per key; knows what earlier answers imply for the later ones."""

    def __init__(self, today: date):
        self.today = today

    def check(self, key: str, text: str, draft: Draft) -> Verdict:
        text = one_line(text)
        return getattr(self, f"_{key}")(text, draft)

    def _kind(self, text: str, draft: Draft) -> Verdict:
        parsed, errors = _parse("kind", _numbered(text, [k.value for k in Kind]), self.today)
        if parsed is None:
            return Verdict(None, errors=errors)
        draft.kind = parsed
        return Verdict(parsed.value, parsed)

    def _title(self, text: str, draft: Draft) -> Verdict:
        if not text:
            return Verdict(None, errors=["chưa có tên"])
        if not profile_slug(text):
            return Verdict(None, errors=["tên không có chữ nào để làm đường dẫn (gợi ý: viết tên bằng chữ)"])
        return Verdict(text)

    def _year(self, text: str, draft: Draft) -> Verdict:
        parsed, errors = _parse("year", text, self.today)
        if parsed is None:
            return Verdict(None, errors=errors)
        draft.year = parsed
        return Verdict(str(parsed), parsed)

    def _place(self, key: str, text: str, draft: Draft) -> Verdict:
        names = {k: draft.values.get(k, "") for k in ("province", "district", "commune")}
        names[key] = text
        spelled = spell_place(names["province"], names["district"], names["commune"], draft.year)
        if spelled.errors:
            return Verdict(None, errors=[f"{message} (gợi ý: {hint})"
                                         for _key, _code, message, hint, _severity in spelled.errors])
        value = getattr(spelled, key)
        # A spelling warning: the answer is taken, written the gazetteer's way, and the editor told.
        notes = [f"{message}; sẽ ghi '{value}'"
                 for about, _code, message, _hint, _severity in spelled.problems if about == key]
        return Verdict(value, spelled.place, notes)

    def _province(self, text: str, draft: Draft) -> Verdict:
        if not text:
            return Verdict(None, errors=["chưa có tỉnh/thành phố"])
        return self._place("province", text, draft)

    def _district(self, text: str, draft: Draft) -> Verdict:
        return self._place("district", text, draft) if text else Verdict("")

    def _commune(self, text: str, draft: Draft) -> Verdict:
        return self._place("commune", text, draft) if text else Verdict("")

    def _field(self, text: str, draft: Draft) -> Verdict:
        parsed, errors = _parse("field", _numbered(text, [f.value for f in Field]), self.today)
        if parsed is None:
            return Verdict(None, errors=errors or ["chưa chọn lĩnh vực"])
        return Verdict(", ".join(f.value for f in parsed), parsed)

    def _level(self, text: str, draft: Draft) -> Verdict:
        parsed, errors = _parse("level", _numbered(text, [lv.value for lv in Level]), self.today)
        if parsed is None:
            return Verdict(None, errors=errors)
        if parsed is Level.HUYEN and draft.year and draft.year > REFORM_YEAR:
            return Verdict(None, errors=[f"không còn cấp huyện vào năm {draft.year} (bỏ từ 01/7/2025) "
                                         "(gợi ý: chọn cấp xã hoặc cấp tỉnh)"])
        return Verdict(parsed.value, parsed)

    def _unit(self, text: str, draft: Draft) -> Verdict:
        if not text and not draft.values.get("person"):
            return Verdict(None, errors=["cần tên đơn vị (tập thể) hoặc cá nhân"])
        return Verdict(text)

    def _person(self, text: str, draft: Draft) -> Verdict:
        return Verdict(text)


def prompt_for(key: str, draft: Draft, today: date) -> str:
    """The question for a key, in Vietnamese, with its choices where there are few."""
    if key == "kind":
        return f"Loại hồ sơ — {_menu([(k.value, k.label) for k in Kind])}: "
    if key == "title":
        what = "tên điển hình" if draft.kind is Kind.DIEN_HINH else "tên mô hình"
        return f"Tiêu đề ({what}): "
    if key == "year":
        return f"Năm công nhận ({schema.FIRST_YEAR}–{today.year}): "
    if key == "province":
        return "Tỉnh/thành phố (tên hiện nay, hoặc tên trước 2025 nếu công nhận trước đó): "
    if key == "district":
        return "Huyện (trước 01/7/2025; Enter để bỏ qua): "
    if key == "commune":
        return "Xã/phường/thị trấn (Enter để bỏ qua): "
    if key == "field":
        return (f"Lĩnh vực — {_menu([(f.value, f.label) for f in Field])}; "
                "nhiều lĩnh vực thì cách nhau bằng dấu phẩy: ")
    if key == "level":
        levels = [lv for lv in Level if not (lv is Level.HUYEN and (draft.year or 0) > REFORM_YEAR)]
        return f"Cấp công nhận — {', '.join(f'{list(Level).index(lv) + 1}: {lv.label}' for lv in levels)}: "
    if key == "person":
        return "Cá nhân điển hình (họ tên; Enter nếu là tập thể): "
    if key == "unit":
        return "Tập thể điển hình (tên đơn vị): " if draft.kind is Kind.DIEN_HINH else "Đơn vị thực hiện: "
    return f"{schema.BY_NAME[key].vietnamese}: "


def completions(key: str, draft: Draft) -> list[str]:
    """Names the terminal completes with Tab: provinces, then the chosen province's units."""
    geo = gazetteer()
    if key == "province":
        return sorted({u.short_name for u in geo.all_provinces()})
    place = None
    if draft.values.get("province"):
        place = spell_place(draft.values["province"], "", "", draft.year).place
    if place is None:
        return []
    legacy = geo.legacy_provinces_of(place.province)
    if key == "district":
        return sorted({d.short_name for d in geo.districts_in(legacy)})
    if key == "commune":
        units = [*geo.current_communes_in(place.province), *geo.legacy_communes_in(geo.districts_in(legacy))]
        return sorted({u.short_name for u in units})
    return []


class Console:
    """Questions on standard input; answers echoed when they do not come from a keyboard."""

    def __init__(self, stdin: TextIO, stdout: TextIO):
        self.stdin, self.stdout = stdin, stdout
        self.terminal = stdin.isatty()
        self._readline: Any = None
        if self.terminal:
            try:
                import readline
            except ImportError:  # Windows without pyreadline: questions work, Tab does nothing
                readline = None
            if readline is not None:
                readline.set_completer_delims("")
                readline.parse_and_bind("tab: complete")
                self._readline = readline

    def ask(self, prompt: str, names: list[str]) -> str:
        if self._readline is not None:
            matches: list[str] = []

            def complete(text: str, state: int) -> str | None:
                if state == 0:
                    wanted = slugify(text)
                    matches[:] = [n for n in names if slugify(n).startswith(wanted)]
                return matches[state] if state < len(matches) else None
            self._readline.set_completer(complete)
        if self.terminal:
            return input(prompt)
        self.stdout.write(prompt)
        line = self.stdin.readline()
        if not line:
            self.stdout.write("\n")
            raise EOFError
        answer = line.rstrip("\n")
        self.stdout.write(answer + "\n")
        return answer

    def say(self, text: str) -> None:
        print(text, file=self.stdout)


def create(given: dict[str, str | None], content: Path, slug: str | None = None,
           today: date | None = None, console: Console | None = None) -> int:
    """Ask for what `given` lacks, write the profile, print its path and preview URL."""
    today = today or date.today()
    console = console or Console(sys.stdin, sys.stdout)
    questions = Questions(today)
    draft = Draft()
    interactive = any(not given.get(k) for k in KEYS if k not in ("district", "commune", "unit", "person")) \
        or not (given.get("unit") or given.get("person"))
    if interactive:
        console.say("Tạo hồ sơ mới. Câu không bắt buộc: nhấn Enter để bỏ qua; Ctrl+C để thôi.")
    try:
        for key in KEYS:
            if not _wanted(key, draft, given, interactive):
                continue
            verdict = _answer(key, given.get(key), draft, questions, console, today)
            if verdict.value:
                draft.values[key] = verdict.value
        return _write(draft, content, slug, today, console, interactive)
    except Abort as missing:
        label, key = missing.args
        print(f"Thiếu {label}: chạy lại với tùy chọn --{key} "
              "hoặc trả lời các câu hỏi trên cửa sổ lệnh.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nĐã thôi, không tạo tệp nào.", file=sys.stderr)
        return 130


def _wanted(key: str, draft: Draft, given: dict[str, str | None], interactive: bool) -> bool:
    """Whether a key is asked for (or its flag checked) at all."""
    if given.get(key):
        return True
    if key == "district":
        return interactive and (draft.year or 0) <= REFORM_YEAR
    if key == "commune":
        return interactive
    if key == "person":
        return interactive and draft.kind is Kind.DIEN_HINH and not given.get("unit")
    if key == "unit":
        return not (given.get("person") or draft.values.get("person")) or bool(given.get("unit"))
    return True


def _answer(key: str, flag: str | None, draft: Draft, questions: Questions, console: Console,
            today: date) -> Verdict:
    """A flag's value if it is valid; otherwise questions until an answer is."""
    text = flag
    while True:
        if text is not None:
            verdict = questions.check(key, text, draft)
            for error in verdict.errors:
                console.say(f"  ✗ {error}")
            if verdict.value is not None:
                for note in verdict.notes:
                    console.say(f"  → {note}")
                return verdict
        try:
            text = console.ask(prompt_for(key, draft, today), completions(key, draft))
        except EOFError:
            raise Abort(schema.BY_NAME[key].label, key) from None


def _write(draft: Draft, content: Path, slug: str | None, today: date, console: Console,
           interactive: bool) -> int:
    values = {**draft.values, "date": today.isoformat()}
    place = spell_place(values["province"], values.get("district", ""), values.get("commune", ""),
                        draft.year).place
    assert place is not None and draft.year is not None and draft.kind is not None
    slugs = Slugs(content)
    slug = slugify(slug) if slug else profile_slug(values["title"])
    while True:
        target = target_path(content, place, draft.year, slug)
        clash = target if target.exists() else slugs.taken(slug)
        if clash is None:
            break
        console.say(f"  ✗ đã có hồ sơ dùng đường dẫn '{slug}': {display_path(clash)} "
                    "(không ghi đè tệp đã có)")
        suggestion = profile_slug(f"{slug} {place.province.slug}")
        if not interactive:
            print(f"Không tạo tệp. Gợi ý: thêm --slug {suggestion}", file=sys.stderr)
            return 1
        try:
            answer = console.ask(f"Đường dẫn khác (chữ không dấu, nối bằng '-', ví dụ {suggestion}): ", [])
        except EOFError:
            return 1
        slug = slugify(answer) or suggestion
    text = render(values)
    errors = [p for p in check_text(text, target, content, today) if p.is_error]
    if errors:  # a defect of ours: the answers were checked one by one
        for problem in errors:
            print(problem.format(), file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8", newline="\n") as out:  # never over a file made meanwhile
        out.write(text)
    url = f"{PREVIEW}{draft.kind.value}/{slug}/"
    console.say(f"Đã tạo {display_path(target)}")
    console.say(f"Xem trước: chạy 'lantoa serve' rồi mở {url}")
    console.say("Tiếp theo: viết nội dung (Cách làm, Kết quả, Bài học), đặt ảnh cạnh tệp, "
                "rồi chạy 'lantoa check'.")
    return 0
