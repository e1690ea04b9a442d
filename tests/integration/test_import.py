"""`lantoa import` driven as an editor would: the year's list, twice, then edited."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from lantoa.collection import collect
from lantoa.schema import SHEET_COLUMNS
from lantoa.workbook import choices
from openpyxl import Workbook, load_workbook

from tests.conftest import ROOT, valid_header, write_profile

HEADINGS = ["STT", "Tên mô hình", "Đơn vị thực hiện", "Xã/Phường", "Huyện (cũ)", "Tỉnh/Thành phố",
            "Năm", "Lĩnh vực", "Cấp công nhận", "Kết quả", "Ghi chú"]
GOOD = [
    [1, "Dân vận khéo trong hiến đất làm đường ở Đinh Văn", "Hội Nông dân thị trấn Đinh Văn", "Đinh Văn",
     "Lâm Hà", "Lâm Đồng", 2024, "Kinh tế", "Cấp huyện", "Huy động 4,3 tỷ đồng; 12 km đường",
     "QĐ 12/QĐ-UBND"],
    [2, "Tổ tự quản an ninh trật tự thôn 3", "Công an xã Tân Hà", "Tân Hà", "Lâm Hà", "Lam Dong", 2024,
     "Quốc phòng - an ninh", "Cấp xã", "", ""],
    [3, "Chi hội phụ nữ giữ gìn bản sắc văn hóa", "Hội LHPN xã Ia Grăng", "", "", "Gia Lai", 2023,
     "Văn hóa - xã hội", "Cấp tỉnh", "", ""],
]
BAD = [
    [4, "Năm sai", "Đoàn xã", "", "", "Lâm Đồng", 20244, "Kinh tế", "Cấp xã", "", ""],
    [5, "Tỉnh sai", "Đoàn xã", "", "", "Lam Dongg", 2024, "Kinh tế", "Cấp xã", "", ""],
    [6, "", "Hội Cựu chiến binh", "", "", "Lâm Đồng", 2024, "Kinh tế", "Cấp xã", "", ""],
    [7, "Lĩnh vực sai", "Đoàn xã", "", "", "Lâm Đồng", 2024, "Môi trường", "Cấp thôn", "", ""],
]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lantoa.cli", "import", "--content", "content", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def workbook(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Năm 2024"
    sheet.append(["DANH SÁCH MÔ HÌNH \u201cDÂN VẬN KHÉO\u201d"])  # a title row above the headings
    sheet.merge_cells("A1:K1")
    sheet.append([])
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def snapshot(content: Path) -> dict[str, bytes]:
    return {p.relative_to(content).as_posix(): p.read_bytes()
            for p in sorted(content.rglob("*")) if p.is_file()}


def test_a_workbook_with_good_and_bad_rows_imported_twice(tmp_path: Path):
    source = workbook(tmp_path / "danh-sach.xlsx", GOOD + BAD)
    first = run(tmp_path, source.name)
    assert first.returncode == 1, first.stderr  # some rows were invalid
    out = first.stdout
    assert "dòng tên cột 3" in out
    # Rows as Excel numbers them: headings on row 3, the first data row is row 4.
    assert "dòng 7: LỖI, không nhập — Năm: năm '20244' không hợp lệ" in out
    assert "dòng 8: LỖI, không nhập — Tỉnh/Thành phố: không tìm thấy tỉnh/thành phố 'Lam Dongg' " \
           "(gợi ý: có phải Lâm Đồng?)" in out
    assert "dòng 9: LỖI, không nhập — Tên mô hình: ô để trống (gợi ý: điền tên mô hình/điển hình)" in out
    assert "dòng 10: LỖI, không nhập — Lĩnh vực: lĩnh vực 'Môi trường' không hợp lệ" in out
    assert "dòng 10: LỖI, không nhập — Cấp công nhận: cấp 'Cấp thôn' không hợp lệ" in out
    assert "dòng 5: cảnh báo — Tỉnh/Thành phố: tỉnh/thành phố 'Lam Dong' viết không dấu" in out
    assert "7 dòng: 3 tạo mới, 0 cập nhật, 0 không đổi, 4 dòng lỗi không nhập (dòng 7, 8, 9, 10)." in out
    content = tmp_path / "content"
    made = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))
    assert made == [
        "profiles/gia-lai/2023/chi-hoi-phu-nu-giu-gin-ban-sac-van-hoa.md",
        "profiles/lam-dong/2024/dan-van-kheo-trong-hien-dat-lam-duong-o-dinh-van.md",
        "profiles/lam-dong/2024/to-tu-quan-an-ninh-trat-tu-thon-3.md",
    ]
    first_file = (content / made[1]).read_text(encoding="utf-8")
    header = first_file.split("\n\n", 1)[0]
    for line in ("Kind: mo-hinh", "Year: 2024", "Province: Lâm Đồng", "District: Lâm Hà", "Commune: Đinh Văn",
                 "Field: kinh-te", "Level: huyen", "Unit: Hội Nông dân thị trấn Đinh Văn",
                 "Results: Huy động 4,3 tỷ đồng; 12 km đường", "Note: QĐ 12/QĐ-UBND"):
        assert line in header.split("\n"), (line, header)
    assert "Province: Lâm Đồng" in (content / made[2]).read_text(encoding="utf-8")  # spelled as listed
    collection = collect(content)
    assert len(collection.profiles) == 3 and not collection.errors
    before = snapshot(content)

    second = run(tmp_path, source.name)
    assert "7 dòng: 0 tạo mới, 0 cập nhật, 3 không đổi, 4 dòng lỗi không nhập" in second.stdout
    assert snapshot(content) == before


def test_an_edited_body_survives_a_reimport_of_a_changed_row(tmp_path: Path):
    source = workbook(tmp_path / "danh-sach.xlsx", GOOD)
    assert run(tmp_path, source.name).returncode == 0
    content = tmp_path / "content"
    edited = content / "profiles/lam-dong/2024/dan-van-kheo-trong-hien-dat-lam-duong-o-dinh-van.md"
    other = content / "profiles/gia-lai/2023/chi-hoi-phu-nu-giu-gin-ban-sac-van-hoa.md"
    header, _ = edited.read_text(encoding="utf-8").split("\n\n", 1)
    # The editor writes the text, adds a photo key and a summary by hand.
    body = "Những con đường đất đỏ…\n\n## Cách làm\n\nHộ có đất dọc tuyến hiến đất.\n"
    header = header.replace("Image:", "Image: duong.jpg").replace("Kind: mo-hinh", "Loại: mo-hinh")
    edited.write_text(header + "\nTóm tắt: Một câu tóm tắt.\n\n" + body, encoding="utf-8")
    (edited.parent / "duong.jpg").write_bytes(b"\xff\xd8\xff")
    other_before = other.read_bytes()

    changed = [list(r) for r in GOOD]
    changed[0][8] = "Cấp tỉnh"  # the level was corrected in the list
    changed[0][9] = "Huy động 5 tỷ đồng"
    changed[0][10] = ""  # the note was cleared
    workbook(source, changed)
    result = run(tmp_path, source.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("dòng 4: cập nhật content/profiles/lam-dong/2024/"
            "dan-van-kheo-trong-hien-dat-lam-duong-o-dinh-van.md (Cấp công nhận, Kết quả, Ghi chú)"
            in result.stdout)
    assert "3 dòng: 0 tạo mới, 1 cập nhật, 2 không đổi, 0 dòng lỗi không nhập." in result.stdout
    text = edited.read_text(encoding="utf-8")
    new_header, new_body = text.split("\n\n", 1)
    assert new_body == body
    lines = new_header.split("\n")
    assert "Level: tinh" in lines and "Results: Huy động 5 tỷ đồng" in lines
    assert not any(line.startswith("Note:") for line in lines)
    # What the editor wrote by hand stays, under the key name they chose.
    assert "Loại: mo-hinh" in lines and "Image: duong.jpg" in lines and "Tóm tắt: Một câu tóm tắt." in lines
    assert other.read_bytes() == other_before
    again = run(tmp_path, source.name)
    assert "0 tạo mới, 0 cập nhật, 3 không đổi" in again.stdout
    assert edited.read_text(encoding="utf-8") == text


def cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows saves it: vowel shapes precomposed, tone marks combining."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        shape = "".join(m for m in marks if m in "\u0302\u0306\u031b")
        tone = "".join(m for m in marks if m not in shape)
        out += (unicodedata.normalize("NFC", base + shape) + tone).encode("cp1258")
    return out


CSV_ROWS = (
    "Tên mô hình;Tỉnh/Thành phố;Huyện (cũ);Xã/Phường;Năm;Lĩnh vực;Cấp công nhận;Đơn vị thực hiện\n"
    "Mô hình “Bình dân học vụ số” ở Đồng Nai;Đồng Nai;;;2025;Văn hóa - xã hội;Cấp tỉnh;Đoàn Thanh niên tỉnh\n"
    "\"Sân chơi, bãi tập cho thiếu nhi\";Hà Nội;;;2024;Văn hóa – xã hội;Cấp xã;Chi đoàn thôn Đông\n"
    "Dân vận khéo ở Nghệ An;Nghệ An;Lâm Hà;;2022;Kinh tế;Cấp huyện;Hội Nông dân\n"
)


@pytest.mark.parametrize(("encoding", "name"), [
    ("utf-8-sig", "UTF-8 (có BOM)"), ("utf-8", "UTF-8"), ("cp1258", "Windows-1258"),
])
def test_a_csv_in_each_encoding_is_detected_named_and_imported_twice(tmp_path: Path, encoding: str,
                                                                    name: str):
    raw = cp1258(CSV_ROWS) if encoding == "cp1258" else CSV_ROWS.encode(encoding)
    if encoding == "cp1258":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    (tmp_path / "ds.csv").write_bytes(raw)
    first = run(tmp_path, "ds.csv")
    assert f"bảng mã {name}, phân cách ';'" in first.stdout
    assert "dòng 4: LỖI, không nhập — Huyện (cũ): huyện 'Lâm Hà' không thuộc Nghệ An (thuộc Lâm Đồng)" \
        in first.stdout
    assert "3 dòng: 2 tạo mới, 0 cập nhật, 0 không đổi, 1 dòng lỗi không nhập (dòng 4)." in first.stdout
    content = tmp_path / "content"
    made = {p.name: p.read_text(encoding="utf-8") for p in content.rglob("*.md")}
    assert set(made) == {"mo-hinh-binh-dan-hoc-vu-so-o-dong-nai.md", "san-choi-bai-tap-cho-thieu-nhi.md"}
    assert "Title: Mô hình “Bình dân học vụ số” ở Đồng Nai\n" in made[
        "mo-hinh-binh-dan-hoc-vu-so-o-dong-nai.md"]
    assert "Field: van-hoa-xa-hoi\n" in made["san-choi-bai-tap-cho-thieu-nhi.md"]
    assert all(unicodedata.is_normalized("NFC", text) for text in made.values())
    before = snapshot(content)
    second = run(tmp_path, "ds.csv")
    assert "0 tạo mới, 0 cập nhật, 2 không đổi" in second.stdout
    assert snapshot(content) == before


def test_the_same_title_in_another_province_gets_its_own_url(tmp_path: Path):
    write_profile(tmp_path / "content", "ha-noi/2020/to-tu-quan-an-ninh-trat-tu-thon-3.md",
                  valid_header(Title="Tổ tự quản an ninh trật tự thôn 3", Province="Hà Nội", District=None,
                               Commune=None, Level="tinh", Year="2020"))
    source = workbook(tmp_path / "ds.xlsx", [GOOD[1]])
    assert run(tmp_path, source.name).returncode == 0
    folder = tmp_path / "content/profiles/lam-dong/2024"
    assert (folder / "to-tu-quan-an-ninh-trat-tu-thon-3-lam-dong.md").is_file()
    assert not collect(tmp_path / "content").errors


def test_the_template_has_the_schema_columns_and_drop_downs_and_imports(tmp_path: Path):
    result = run(tmp_path, "--mau", "mau.xlsx")
    assert result.returncode == 0, result.stderr
    book = load_workbook(tmp_path / "mau.xlsx")
    sheet = book["Danh sách"]
    headings = [c.value for c in sheet[1] if c.value]
    assert headings == [key.sheet for key in SHEET_COLUMNS]
    lists = book["Danh mục"]
    assert lists.sheet_state == "hidden"
    by_heading = {}
    for column in lists.iter_cols(values_only=True):
        by_heading[column[0]] = [v for v in column[1:] if v]
    assert "Lâm Đồng" in by_heading["Tỉnh/Thành phố"] and "Đắk Nông" in by_heading["Tỉnh/Thành phố"]
    assert len(by_heading["Tỉnh/Thành phố"]) == len(choices()["province"]) >= 63
    assert by_heading["Lĩnh vực"] == ["Kinh tế", "Văn hóa - xã hội", "Quốc phòng - an ninh",
                                       "Xây dựng Đảng, hệ thống chính trị"]
    assert by_heading["Cấp công nhận"] == ["Cấp xã", "Cấp huyện", "Cấp tỉnh", "Cấp Trung ương"]
    rules = {str(rule.sqref).split(":")[0][:1]: rule for rule in sheet.data_validations.dataValidation}
    column = {key.name: chr(ord("A") + i) for i, key in enumerate(SHEET_COLUMNS)}
    assert rules[column["province"]].type == "list" and "Danh mục" in rules[column["province"]].formula1
    assert rules[column["level"]].type == "list" and rules[column["level"]].errorStyle == "stop"
    assert rules[column["year"]].type == "whole"
    # Filled with the drop-down values, it imports as it is.
    row = {"title": "Mô hình từ tệp mẫu", "kind": "Mô hình", "year": 2024, "province": "Lâm Đồng",
           "field": "Kinh tế", "level": "Cấp xã", "unit": "Đoàn xã"}
    for i, key in enumerate(SHEET_COLUMNS, start=1):
        sheet.cell(row=2, column=i, value=row.get(key.name))
    book.save(tmp_path / "mau.xlsx")
    imported = run(tmp_path, "mau.xlsx")
    assert "1 dòng: 1 tạo mới" in imported.stdout, imported.stdout + imported.stderr
    # The template shipped with the project is the one the code writes.
    shipped = load_workbook(ROOT / "docs" / "mau-danh-sach-mo-hinh.xlsx")
    assert [c.value for c in shipped["Danh sách"][1] if c.value] == headings
    assert [list(c) for c in shipped["Danh mục"].iter_cols(values_only=True)] == \
        [list(c) for c in load_workbook(tmp_path / "mau.xlsx")["Danh mục"].iter_cols(values_only=True)]


def test_a_file_that_is_not_a_list_is_explained(tmp_path: Path):
    (tmp_path / "cu.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    old = run(tmp_path, "cu.xls")
    assert old.returncode == 2 and "Excel Workbook (.xlsx)" in old.stderr
    (tmp_path / "khac.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    other = run(tmp_path, "khac.csv")
    assert other.returncode == 2 and "không tìm thấy dòng tên cột" in other.stderr
    assert "Traceback" not in old.stderr + other.stderr


def test_a_list_of_one_province_and_year_takes_them_as_flags_and_dry_run_writes_nothing(tmp_path: Path):
    (tmp_path / "ds.csv").write_text("STT,Tên mô hình,Lĩnh vực,Cấp công nhận,Đơn vị thực hiện,Số QĐ\n"
                                     "1,Mô hình một,Kinh tế,Cấp tỉnh,Đoàn xã,12\n", encoding="utf-8")
    without = run(tmp_path, "ds.csv", "--dry-run")
    assert "cảnh báo: cột 'Số QĐ' không khớp khóa nào, bỏ qua" in without.stdout
    assert "cột 'STT'" not in without.stdout
    assert ("dòng 2: LỖI, không nhập — tỉnh/thành phố: bảng không có cột này (gợi ý: thêm cột "
            "'Tỉnh/Thành phố' hoặc chạy với --province cho mọi dòng)") in without.stdout
    dry = run(tmp_path, "ds.csv", "--province", "Lâm Đồng", "--year", "2024", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "dòng 2: sẽ tạo content/profiles/lam-dong/2024/mo-hinh-mot.md" in dry.stdout
    assert not (tmp_path / "content").exists()
    real = run(tmp_path, "ds.csv", "--province", "Lâm Đồng", "--year", "2024")
    assert "1 dòng: 1 tạo mới" in real.stdout
    assert "Province: Lâm Đồng\n" in (tmp_path / "content/profiles/lam-dong/2024/mo-hinh-mot.md").read_text(
        encoding="utf-8")
