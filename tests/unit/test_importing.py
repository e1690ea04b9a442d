"""The import's pieces: headings found among title rows, headers edited in place."""

from __future__ import annotations

import unicodedata
from datetime import date

from lantoa.importing import find_columns, update_header
from lantoa.workbook import Table, cell_text, decode_csv

TODAY = date(2026, 11, 25)


def test_update_header_keeps_the_body_byte_for_byte_and_the_editors_key_names():
    text = ("Tiêu đề: Cũ\r\nLoại: mo-hinh\r\nKết quả: một;\r\n  hai\r\nCấp: Cấp huyện\r\nGhi chú: xoá\r\n"
            "\r\nThân bài\r\n\r\nKết quả: câu văn, không phải khóa\r\n")
    new, changed = update_header(text, {"title": "Mới", "results": "ba", "level": "huyen", "note": "",
                                        "commune": "Đinh Văn"}, TODAY)
    assert changed == ["title", "results", "note", "commune"]
    assert new == ("Tiêu đề: Mới\r\nLoại: mo-hinh\r\nKết quả: ba\r\nCấp: Cấp huyện\r\nCommune: Đinh Văn\r\n"
                   "\r\nThân bài\r\n\r\nKết quả: câu văn, không phải khóa\r\n")


def test_update_header_with_the_same_meaning_changes_nothing():
    text = "Field: Kinh tế, Văn hóa - xã hội\nProvince: Lam Dong\nYear: 2024\n\nBody\n"
    new, changed = update_header(text, {"field": "kinh-te, van-hoa-xa-hoi", "province": "Lâm Đồng",
                                        "year": "2024"}, TODAY)
    assert (new, changed) == (text, [])


def test_headings_are_found_below_title_rows_with_marks_and_line_breaks():
    table = Table(rows=[(1, ["DANH SÁCH NĂM 2024"]), (3, ["STT", "Tên mô hình (*)", "Năm\ncông nhận",
                                                          "TỈNH/THÀNH PHỐ", "Số quyết định"])])
    columns = find_columns(table)
    assert columns is not None and columns.header_row == 3
    assert {i: k.name for i, k in columns.keys.items()} == {1: "title", 2: "year", 3: "province"}
    assert columns.notes == ["cột 'Số quyết định' không khớp khóa nào, bỏ qua"]


def test_cells_and_encodings():
    assert cell_text(2024.0) == "2024" and cell_text(None) == "" and cell_text(" a ") == "a"
    assert decode_csv("Lâm Đồng".encode("utf-8-sig")) == ("Lâm Đồng", "UTF-8 (có BOM)")
    assert decode_csv("Lâm Đồng".encode()) == ("Lâm Đồng", "UTF-8")
    text, name = decode_csv(b"L\xe2m \xd0\xf4\xccng")  # Windows-1258: tone marks combining
    assert name == "Windows-1258" and text == "Lâm Đô\u0300ng"
    assert unicodedata.normalize("NFC", text) == "Lâm Đồng"
