"""Spreadsheets in and out: the rows of an XLSX or CSV list, and the template workbook.

XLSX files are read and written with openpyxl (a maintained library that reads
cell values as typed, dates included, and writes data-validation drop-down
lists), never by parsing their XML here. CSV files are decoded as UTF-8 (with or
without the byte-order mark Excel adds) or, failing that, as Windows-1258, the
code page of Vietnamese Windows; the encoding found is named to the editor.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from . import schema
from .gazetteer import gazetteer
from .model import Field, Kind, Level
from .text import nfc, sort_vietnamese

MAX_BYTES = 20_000_000  # a year's list is a few hundred rows; anything far larger is not one
TEMPLATE_ROWS = 1000  # rows of the template that carry the drop-down lists
LISTS_SHEET = "Danh mục"
ROWS_SHEET = "Danh sách"


class SheetError(Exception):
    """The file cannot be read as a list: the message says why, in Vietnamese."""


@dataclass
class Table:
    """The rows of one sheet, each with the row number the editor sees in Excel."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = ""  # for a CSV: the encoding found, named for the editor
    delimiter: str = ""
    sheet: str = ""


def read_table(path: Path) -> list[Table]:
    """Every sheet of a workbook, or the one table of a CSV file."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SheetError(f"không mở được tệp {path.name} ({error.strerror})") from None
    if size > MAX_BYTES:
        raise SheetError(f"tệp {path.name} quá lớn ({size // 1_000_000} MB)")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return [_read_csv(path.read_bytes())]
    if suffix in (".xls", ".ods", ".numbers"):
        raise SheetError(f"chưa đọc được định dạng {suffix} (gợi ý: mở tệp bằng Excel hoặc LibreOffice, "
                         "chọn Lưu thành… Excel Workbook (.xlsx) hoặc CSV UTF-8)")
    raise SheetError(f"tệp {path.name} không phải bảng tính .xlsx hoặc .csv")


def cell_text(value: object) -> str:
    """A cell as text: 2023.0 → "2023", a date → "2023-11-20", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return nfc(str(value)).strip()


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a damaged zip, an encrypted workbook …: never a traceback
        raise SheetError(f"không đọc được bảng tính {path.name} ({type(error).__name__}) "
                         "(gợi ý: mở bằng Excel rồi lưu lại dạng .xlsx)") from None
    tables = []
    try:
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                continue
            table = Table(sheet=sheet.title)
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                texts = [cell_text(v) for v in values]
                if any(texts):
                    table.rows.append((number, texts))
            tables.append(table)
    finally:
        workbook.close()
    return tables


def decode_csv(raw: bytes) -> tuple[str, str]:
    """Bytes of a CSV file → (text, the encoding's name for the editor)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8 (có BOM)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16 (Unicode của Excel)"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes most tone marks as combining characters: NFC joins them.
        return raw.decode("cp1258"), "Windows-1258"
    except UnicodeDecodeError:
        raise SheetError("tệp CSV không phải UTF-8 hay Windows-1258 (gợi ý: trong Excel chọn "
                         "Lưu thành… CSV UTF-8; bảng mã TCVN3/VNI thì chuyển sang Unicode "
                         "bằng Unikey)") from None


def _read_csv(raw: bytes) -> Table:
    try:
        text, encoding = decode_csv(raw)
    except UnicodeDecodeError:
        raise SheetError("tệp CSV có BOM UTF-8 nhưng nội dung không phải UTF-8") from None
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count)
    table = Table(encoding=encoding, delimiter=delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            texts = [cell_text(v) for v in values]
            if any(texts):
                table.rows.append((number, texts))
    except csv.Error as error:
        raise SheetError(f"tệp CSV hỏng ở dòng {reader.line_num}: {error}") from None
    return table


# -- the template workbook --------------------------------------------------------------


def province_names() -> list[str]:
    """Every province as editors may write it: the 34 current ones and the pre-2025 ones."""
    return sort_vietnamese({unit.short_name for unit in gazetteer().all_provinces()})


def choices() -> dict[str, list[str]]:
    """The drop-down list of each column that has one, from the gazetteer and the vocabularies."""
    return {
        "kind": [kind.label for kind in Kind],
        "province": province_names(),
        "field": [f.label for f in Field],
        "level": [level.label for level in Level],
    }


def _plain(text: str) -> str:
    return text.replace("`", "")


def write_template(path: Path) -> None:
    """The import template: one column per `HeaderKey.sheet`, drop-down lists, a guide sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ROWS_SHEET
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    lists_by_key = choices()
    list_ranges = {}
    for column, (key, values) in enumerate(lists_by_key.items(), start=1):
        letter = get_column_letter(column)
        lists.cell(row=1, column=column, value=schema.BY_NAME[key].sheet)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=column, value=value)
        list_ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"

    required = PatternFill("solid", fgColor="FFE699")
    optional = PatternFill("solid", fgColor="DDEBF7")
    for column, key in enumerate(schema.SHEET_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column, value=key.sheet)
        cell.font = Font(bold=True)
        cell.fill = required if key.required else optional
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        need = "bắt buộc" if key.required else "không bắt buộc"
        example = f"\nVí dụ: {key.example}" if key.example else ""
        cell.comment = Comment(f"{key.label} ({need}): {_plain(key.values)}{example}", "Lan Tỏa")
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 40 if key.name in ("title", "unit", "results") else 18
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if key.name in list_ranges:
            # Several fields, or a pre-2025 spelling, are typed by hand: a warning, not a refusal.
            strict = key.name in ("kind", "level")
            rule = DataValidation(type="list", formula1=f"={list_ranges[key.name]}", allow_blank=True,
                                  showErrorMessage=True, errorStyle="stop" if strict else "warning",
                                  errorTitle="Giá trị ngoài danh sách",
                                  error=f"Chọn {key.label} trong danh sách."
                                  + ("" if strict else " Nhiều lĩnh vực thì cách nhau bằng dấu phẩy."),
                                  promptTitle=key.sheet, prompt=_plain(key.values)[:250],
                                  showInputMessage=True)
        elif key.name == "year":
            rule = DataValidation(type="whole", operator="between", formula1=str(schema.FIRST_YEAR),
                                  formula2="YEAR(TODAY())", allow_blank=True, showErrorMessage=True,
                                  errorTitle="Năm không hợp lệ",
                                  error=f"Năm công nhận: 4 chữ số, từ {schema.FIRST_YEAR} đến năm nay.")
        else:
            continue
        rule.add(cells)
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Hướng dẫn")
    for row, line in enumerate(GUIDE, start=1):
        guide.cell(row=row, column=1, value=line)
    guide.column_dimensions["A"].width = 120
    # Fixed dates: the template shipped in docs/ does not change when it is written again.
    workbook.properties.created = workbook.properties.modified = datetime(2025, 1, 1)
    workbook.properties.creator = "Lan Tỏa"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


GUIDE = (
    "Mẫu danh sách mô hình, điển hình \u201cDân vận khéo\u201d để nhập bằng lệnh: lantoa import <tệp>.xlsx",
    "Mỗi dòng ở trang \u201cDanh sách\u201d là một mô hình hoặc điển hình. Cột tô vàng là bắt buộc.",
    "Tỉnh/Thành phố, Lĩnh vực, Cấp công nhận, Loại: chọn trong danh sách thả xuống "
    "(tỉnh ghi tên tại thời điểm công nhận, kể cả tên trước 2025).",
    "Nhiều lĩnh vực: gõ cách nhau bằng dấu phẩy, ví dụ \u201cKinh tế, Văn hóa - xã hội\u201d.",
    "Huyện (cũ): chỉ ghi cho mô hình công nhận trước 01/7/2025. Xã/Phường: tên hiện nay hoặc trước 2025.",
    "Kết quả: các ý cách nhau bằng dấu chấm phẩy (;). Ghi chú: không đăng lên trang.",
    "Nhập lại cùng tệp không tạo hồ sơ trùng; dòng đã sửa chỉ cập nhật phần đầu hồ sơ, "
    "không đụng tới nội dung đã viết.",
    "Được thêm cột khác (STT, số quyết định…): cột không có trong mẫu được báo và bỏ qua.",
)
