"""`lantoa import`: the year's list of recognised models in, one profile per valid row.

Columns are matched to header keys through the header schema (any declared name,
Vietnamese or English, with or without diacritics: "Tên mô hình", "Tỉnh/Thành
phố", "Huyện (cũ)", "Cấp công nhận", "Ghi chú" …). Each row is checked by the
reader itself, as the file it would become; an invalid row is listed with its
row number and reasons, the valid ones are imported anyway.

Importing is idempotent. A row is the same model as a profile when title,
province and year agree (what `lantoa check` calls a profile submitted twice,
W050): the row then updates that profile's header, only the keys the sheet has
columns for, and never the body an editor wrote. Re-running the same file
creates and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import schema
from .collection import PROFILES_FOLDER, profile_files
from .files import write_atomic
from .gazetteer import gazetteer
from .reading import _key_line, decode, parse_header
from .scaffold import (
    Slugs,
    canonical,
    check_text,
    display_path,
    one_line,
    profile_slug,
    render,
    spell_place,
    target_path,
)
from .text import nfc, slugify
from .workbook import SheetError, Table, read_table

HEADER_SEARCH_ROWS = 20  # title rows above the column headings ("DANH SÁCH MÔ HÌNH …")
# Columns every list has that are not header keys: counted rows, nothing to import.
IGNORED_COLUMNS = frozenset({"stt", "tt", "so-tt", "so-thu-tu"})
# Warnings that say nothing about a row: its body is the template until an editor writes it.
ROW_IRRELEVANT = frozenset({"W002"})


@dataclass
class Columns:
    """Which column holds which header key, and what the sheet calls it."""

    keys: dict[int, schema.HeaderKey] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # key name → heading as written
    header_row: int = 0
    notes: list[str] = field(default_factory=list)


def find_columns(table: Table) -> Columns | None:
    """The first row that names the title column and another one, mapped to header keys."""
    for number, cells in table.rows[:HEADER_SEARCH_ROWS]:
        keys = {i: schema.find_key(_heading(c)) for i, c in enumerate(cells) if c}
        found = {i: k for i, k in keys.items() if k is not None}
        if schema.BY_NAME["title"] in found.values() and len(set(found.values())) >= 2:
            return _columns(number, cells, found)
    return None


def _heading(cell: str) -> str:
    """"Tên mô hình (*)" or "Năm\n công nhận" → a name the schema can look up."""
    return one_line(re.sub(r"\(\s*\*\s*\)|\*", "", cell))


def _columns(number: int, cells: list[str], found: dict[int, schema.HeaderKey]) -> Columns:
    columns = Columns(header_row=number)
    for index, cell in enumerate(cells):
        if not cell:
            continue
        key = found.get(index)
        heading = one_line(cell)
        if key is None:
            if schema.key_slug(_heading(cell)) in IGNORED_COLUMNS:
                continue
            near = schema.nearest_key(_heading(cell))
            columns.notes.append(f"cột '{heading}' không khớp khóa nào, bỏ qua"
                                 + (f" (gợi ý: có phải '{near.sheet or near.vietnamese}'?)" if near else ""))
        elif key.name in columns.headings:
            columns.notes.append(f"cột '{heading}' trùng với cột '{columns.headings[key.name]}', bỏ qua")
        else:
            columns.keys[index] = key
            columns.headings[key.name] = heading
    return columns


@dataclass
class Outcome:
    """What happened to each row, for the report and the tests."""

    created: list[tuple[int, Path]] = field(default_factory=list)
    updated: list[tuple[int, Path, list[str]]] = field(default_factory=list)
    unchanged: list[tuple[int, Path]] = field(default_factory=list)
    invalid: list[tuple[int, list[str]]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)


class Existing:
    """The profiles already in the content folder, by the identity of the model they describe."""

    def __init__(self, content: Path):
        self.by_identity: dict[tuple[str, int, str], Path] = {}
        for file in profile_files(content):
            try:
                text, _ = decode(file.read_bytes(), file.name)
            except OSError:
                continue
            if text is None:
                continue
            header, _ = parse_header(text, file.name)
            values = header.values
            identity = identity_of(values.get("title", ""), values.get("province", ""),
                                   values.get("year", ""))
            if identity:
                self.by_identity.setdefault(identity, file)

    def find(self, identity: tuple[str, int, str]) -> Path | None:
        return self.by_identity.get(identity)


def identity_of(title: str, province: str, year: str) -> tuple[str, int, str] | None:
    """(title, current province, year): the same model, however the province is spelled."""
    found = gazetteer().match_provinces(one_line(province)) if province.strip() else None
    pair = gazetteer().pair(found.units) if found else None
    title = one_line(nfc(title)).casefold()
    if not title or pair is None:
        return None
    return title, pair[0].code, one_line(year)


def import_file(path: Path, content: Path, defaults: dict[str, str] | None = None,
                today: date | None = None, dry_run: bool = False) -> tuple[Outcome, Table, Columns]:
    """Import every valid row of the first sheet that has a heading row; raise SheetError if none."""
    today = today or date.today()
    tables = read_table(path)
    for table in tables:
        columns = find_columns(table)
        if columns is not None:
            break
    else:
        expected = ", ".join(f"'{k.sheet}'" for k in schema.SHEET_COLUMNS if k.required)
        raise SheetError(f"không tìm thấy dòng tên cột trong {path.name} (gợi ý: dòng tên cột cần có "
                         f"ít nhất cột tên mô hình và {expected}; xem tệp mẫu: lantoa import --mau)")
    outcome = Outcome()
    importer = _Importer(content, columns, defaults or {}, today, dry_run, outcome)
    for number, cells in table.rows:
        if number > columns.header_row:
            importer.row(number, cells)
    return outcome, table, columns


class _Importer:
    def __init__(self, content: Path, columns: Columns, defaults: dict[str, str], today: date,
                 dry_run: bool, outcome: Outcome):
        self.content, self.columns, self.defaults = content, columns, defaults
        self.today, self.dry_run, self.outcome = today, dry_run, outcome
        self.existing = Existing(content)
        self.slugs = Slugs(content)
        self.seen: dict[tuple[str, int, str], int] = {}
        # The keys this import decides: a column, or a value given for every row.
        self.owned = set(columns.headings) | {k for k, v in defaults.items() if v}

    def heading(self, written_or_name: str) -> str:
        declared = schema.find_key(written_or_name)
        if declared is None:
            return written_or_name
        return self.columns.headings.get(declared.name, declared.sheet or declared.vietnamese)

    def _missing(self, written: str, code: str) -> str:
        """A required value the row lacks, said in terms of the sheet's columns."""
        if code == "E018":
            return ("thiếu đơn vị thực hiện hoặc cá nhân (gợi ý: điền cột "
                    f"'{self.heading('unit')}' hoặc '{self.heading('person')}')")
        declared = schema.find_key(written)
        assert declared is not None
        if declared.name in self.columns.headings:
            return f"{self.heading(declared.name)}: ô để trống (gợi ý: điền {declared.label})"
        flag = f" hoặc chạy với --{declared.name} cho mọi dòng" if declared.name in ("year", "province",
                                                                                     "field", "level") else ""
        return (f"{declared.label}: bảng không có cột này (gợi ý: thêm cột "
                f"'{declared.sheet or declared.vietnamese}'{flag})")

    def row(self, number: int, cells: list[str]) -> None:
        values = {key.name: one_line(cells[i]) for i, key in self.columns.keys.items() if i < len(cells)}
        filled = [c for c in cells if c.strip()]
        if not any(values.values()):
            if filled:
                self.outcome.skipped.append(
                    (number, f"không có giá trị ở các cột cần nhập ('{filled[0][:40]}')"))
            return
        if len(filled) == 1 and values.get("title"):
            self.outcome.skipped.append(
                (number, f"chỉ có một ô ('{filled[0][:40]}'), có lẽ là dòng tiêu đề nhóm"))
            return
        for key, value in self.defaults.items():
            if value and not values.get(key):
                values[key] = value
        if not values.get("kind"):
            values["kind"] = "mo-hinh"  # the annual list is of models unless a column says otherwise
        self._one(number, values)

    def _one(self, number: int, values: dict[str, str]) -> None:
        reasons: list[str] = []
        notes: list[str] = []
        year = values.get("year", "")
        spelled = spell_place(values.get("province", ""), values.get("district", ""),
                              values.get("commune", ""), int(year) if year.isdigit() else None)
        # The file gets the gazetteer's spelling; the editor is told, so the list may be fixed too.
        notes += [f"{self.heading(key)}: {message}; ghi '{getattr(spelled, key)}'"
                  for key, code, message, _hint, _severity in spelled.problems
                  if code in ("W030", "W031") and getattr(spelled, key) != values.get(key)]
        for key in ("province", "district", "commune"):
            if values.get(key):
                values[key] = getattr(spelled, key)
        for key in ("kind", "year", "field", "level"):
            values[key] = canonical(key, values.get(key, ""), self.today)
        slug = profile_slug(values.get("title", "")) or "ho-so"
        draft_target = self.content / PROFILES_FOLDER / "_" / f"{slug}.md"
        for problem in check_text(render({**values, "date": self.today.isoformat()}, slots=False),
                                  draft_target, self.content, self.today):
            if problem.code in ROW_IRRELEVANT:
                continue
            text = f"{self.heading(problem.field)}: {problem.message}" + (
                f" (gợi ý: {problem.hint})" if problem.hint else "")
            if problem.code in ("E011", "E018"):  # the reader's hint speaks of header lines
                text = self._missing(problem.field, problem.code)
            (reasons if problem.is_error else notes).append(text)
        if not reasons:
            identity = identity_of(values["title"], values["province"], values["year"])
            assert identity is not None and spelled.place is not None
            if identity in self.seen:
                reasons.append(f"trùng với dòng {self.seen[identity]} (cùng tên, tỉnh và năm)")
            else:
                self.seen[identity] = number
        if reasons:
            self.outcome.invalid.append((number, reasons))
            return
        self.outcome.notes.extend((number, note) for note in notes)
        existing = self.existing.find(identity)
        if existing is not None:
            self._update(number, existing, values)
        else:
            self._create(number, values, spelled.place, int(values["year"]), slug)

    def _create(self, number: int, values: dict[str, str], place, year: int, slug: str) -> None:
        # Another model holds the title's URL: the province, then the year, tell them apart.
        longest = profile_slug(f"{slug} {place.province.slug} {year}")
        for candidate in (slug, profile_slug(f"{slug} {place.province.slug}"), longest,
                          *(f"{longest}-{n}" for n in range(2, 100))):
            target = target_path(self.content, place, year, candidate)
            if not target.exists() and self.slugs.taken(candidate) is None:
                break
        text = render({**values, "date": self.today.isoformat()})
        errors = [p for p in check_text(text, target, self.content, self.today) if p.is_error]
        if errors:  # checked above as a draft: only a defect of ours gets here
            self.outcome.invalid.append((number, [p.format() for p in errors]))
            return
        if not self.dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8", newline="\n") as out:
                out.write(text)
        self.slugs.add(candidate, target)
        self.outcome.created.append((number, target))

    def _update(self, number: int, file: Path, values: dict[str, str]) -> None:
        raw = file.read_bytes()
        try:
            old = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.outcome.invalid.append((number, [
                f"không cập nhật được {display_path(file)}: tệp không phải UTF-8 "
                "(gợi ý: lưu lại tệp với bảng mã UTF-8)"]))
            return
        owned = {key: values.get(key, "") for key in self.owned}
        new, changed = update_header(old, owned, self.today)
        if not changed:
            self.outcome.unchanged.append((number, file))
            return
        if not self.dry_run:
            bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
            write_atomic(file, bom + new.encode("utf-8"))
        self.outcome.updated.append((number, file, [self.heading(k) for k in changed]))


def _same(key: str, old: str, new: str, today: date) -> bool:
    """Whether two written values mean the same ("Kinh tế" and "kinh-te", "Lam Dong" and "Lâm Đồng")."""
    old, new = one_line(old), one_line(new)
    if old == new:
        return True
    if not old or not new:
        return False
    declared = schema.BY_NAME[key]
    if key in ("province", "district", "commune"):
        return slugify(old) == slugify(new)
    if declared.parse is not None:
        seen: list[str] = []
        ctx = schema.ParseContext(today, lambda *problem: seen.append(problem[0]))
        a, b = declared.parse(old, ctx), declared.parse(new, ctx)
        return not seen and a is not None and a == b
    return False


def update_header(text: str, owned: dict[str, str], today: date) -> tuple[str, list[str]]:
    """`text` with the owned keys set (an empty value removes the key), the body untouched.

    Lines are edited where they are, under the key name the editor wrote; keys the
    file lacks are added at the end of the header. Returns the new text and the
    keys whose meaning changed.
    """
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    start = index
    groups: list[tuple[str | None, list[str]]] = []  # (key name, its lines)
    while index < len(lines) and lines[index].strip():
        line = lines[index].rstrip("\r\n")
        if groups and line[:1] in (" ", "\t"):
            groups[-1][1].append(lines[index])
        else:
            parsed = _key_line(line)
            if parsed is None:
                break
            declared = schema.find_key(parsed[0])
            groups.append((declared.name if declared else None, [lines[index]]))
        index += 1
    body = "".join(lines[index:])
    changed: list[str] = []
    result: list[str] = []
    done: set[str] = set()
    for name, group in groups:
        if name is None or name not in owned or name in done:
            result.extend(group)
            continue
        done.add(name)
        written, old_value = _key_line(group[0].rstrip("\r\n")) or ("", "")
        old_value = " ".join([old_value, *(g.strip() for g in group[1:])])
        new_value = owned[name]
        if _same(name, old_value, new_value, today):
            result.extend(group)
            continue
        changed.append(name)
        if new_value:
            result.append(f"{written}: {new_value}{newline}")
    for key in schema.HEADER:
        if key.name in owned and key.name not in done and owned[key.name]:
            if result and not result[-1].endswith(("\n", "\r")):
                result[-1] += newline
            result.append(f"{key.written}: {owned[key.name]}{newline}")
            changed.append(key.name)
    if not changed:
        return text, []
    return "".join(lines[:start]) + "".join(result) + body, changed


def report(outcome: Outcome, source: Path, table: Table, columns: Columns, dry_run: bool) -> str:
    """The import's account, in Vietnamese: what each row became, every invalid row and why."""
    out: list[str] = []
    where = f"trang '{table.sheet}', " if table.sheet else ""
    how = f", bảng mã {table.encoding}, phân cách '{table.delimiter}'" if table.encoding else ""
    out.append(f"Đọc {source.name} ({where}dòng tên cột {columns.header_row}{how}).")
    for note in columns.notes:
        out.append(f"  cảnh báo: {note}")
    verb = "sẽ " if dry_run else ""
    events: list[tuple[int, str]] = []
    events += [(n, f"dòng {n}: {verb}tạo {display_path(p)}") for n, p in outcome.created]
    events += [(n, f"dòng {n}: {verb}cập nhật {display_path(p)} ({', '.join(keys)})")
               for n, p, keys in outcome.updated]
    events += [(n, f"dòng {n}: bỏ qua, {why}") for n, why in outcome.skipped]
    events += [(n, f"dòng {n}: cảnh báo — {note}") for n, note in outcome.notes]
    for n, reasons in outcome.invalid:
        events += [(n, f"dòng {n}: LỖI, không nhập — {reason}") for reason in reasons]
    out += [text for _, text in sorted(events, key=lambda e: e[0])]
    rows = len(outcome.created) + len(outcome.updated) + len(outcome.unchanged) + len(outcome.invalid)
    bad = sorted({n for n, _ in outcome.invalid})
    summary = (f"{rows} dòng: {len(outcome.created)} {verb}tạo mới, {len(outcome.updated)} {verb}cập nhật, "
               f"{len(outcome.unchanged)} không đổi, {len(bad)} dòng lỗi không nhập")
    if bad:
        summary += " (dòng " + ", ".join(map(str, bad)) + ")"
    out.append(summary + ".")
    if outcome.created or outcome.updated:
        out.append("Tiếp theo: chạy 'lantoa check', viết nội dung cho các hồ sơ mới, "
                   "rồi 'lantoa serve' để xem.")
    return "\n".join(out)

