"""Reading one profile file: a valid `Profile`, or problems saying where and how to fix."""

from __future__ import annotations

import datetime
import unicodedata
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lantoa import reading
from lantoa.model import Field, Kind, Level, Status
from lantoa.problems import Problem, Severity
from lantoa.reading import PHOTO_CODES, parse_header, read_profile, render_markdown
from lantoa.schema import HEADER, VIETNAM_TZ, find_key
from markdown.inlinepatterns import SimpleTagInlineProcessor

from tests.conftest import SAMPLE_CONTENT, valid_header

TODAY = datetime.date(2026, 11, 25)
PROFILE_DIR = "lam-dong/2023"
STEM = "dan-van-nong-thon-moi"

# About 80 words, no number that looks like a phone or ID number.
BODY = (
    "Ban Dân vận Huyện ủy đã phối hợp với chính quyền thị trấn vận động nhân dân cùng "
    "xây dựng nông thôn mới. Cán bộ đến từng hộ gia đình, lắng nghe ý kiến và cùng bà con "
    "bàn bạc cách làm phù hợp với điều kiện địa phương.\n\n"
    "Nhờ cách làm gần dân, người dân tự nguyện hiến đất mở đường, góp công sửa chữa nhà "
    "văn hóa và trồng cây xanh dọc các tuyến đường liên thôn. Đời sống vật chất và tinh "
    "thần của nhân dân được nâng lên rõ rệt, tình làng nghĩa xóm thêm gắn bó."
)

VALID = valid_header(Title="Dân vận khéo trong xây dựng nông thôn mới",
                     Unit="Ban Dân vận Huyện ủy Lâm Hà")

# Header of a profile in 2026, after districts were abolished.
CURRENT = {
    "Year": "2026",
    "Date": "2026-05-01",
    "Level": "xa",
    "District": None,
    "Commune": "Đinh Văn Lâm Hà",
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    return root


def profile_text(header: dict[str, str | None] | None = None, body: str = BODY) -> str:
    values = {**VALID, **(header or {})}
    lines = "".join(f"{key}: {value}\n" for key, value in values.items() if value is not None)
    return f"{lines}\n{body}\n"


def write_profile(content: Path, header: dict[str, str | None] | None = None, body: str = BODY,
                  *, folder: str = PROFILE_DIR, stem: str = STEM) -> Path:
    """Write a profile: VALID's header updated by `header` (None drops a key), then `body`."""
    file = content / "profiles" / folder / f"{stem}.md"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(profile_text(header, body), encoding="utf-8")
    return file


def read(file: Path, content: Path):
    return read_profile(file, content, today=TODAY)


def line_of(file: Path, start: str) -> int:
    """1-based number of the first line of `file` that starts with `start`."""
    lines = file.read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def codes(problems: list[Problem]) -> list[str]:
    return sorted(p.code for p in problems)


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, problems
    return found[0]


def is_vietnamese(text: str) -> bool:
    """Carries Vietnamese letters (diacritics or đ), not just ASCII."""
    return unicodedata.normalize("NFD", text) != text or "đ" in text.lower()


def assert_helpful(problem: Problem, *in_message: str, hint: str = "") -> None:
    assert is_vietnamese(problem.message), problem.message
    assert problem.hint, "a problem should say how to fix it"
    assert is_vietnamese(problem.hint), problem.hint
    for text in in_message:
        assert text in problem.message, (text, problem.message)
    assert hint in problem.hint, (hint, problem.hint)


def read_error(content: Path, header: dict[str, str | None], code: str, body: str = BODY):
    """Read a profile expected to fail with exactly one error of `code`.

    A photo error keeps the profile (published without the photo); any other error drops it.
    """
    file = write_profile(content, header, body)
    profile, problems = read(file, content)
    if code in PHOTO_CODES:
        assert profile is not None and profile.image is None and not profile.body_images
        assert "<img" not in profile.body_html
    else:
        assert profile is None
    errors = [p for p in problems if p.is_error]
    assert codes(errors) == [code], problems
    problem = errors[0]
    assert problem.path == f"profiles/{PROFILE_DIR}/{STEM}.md"
    assert problem.severity is Severity.ERROR
    return file, problem


# -- a valid profile ---------------------------------------------------------------


def test_valid_profile_has_no_problem(content):
    profile, problems = read(write_profile(content), content)
    assert problems == []
    assert profile is not None


def test_valid_profile_values(content):
    profile, _ = read(write_profile(content), content)
    assert profile.source == f"profiles/{PROFILE_DIR}/{STEM}.md"
    assert profile.kind is Kind.MO_HINH
    assert profile.title == "Dân vận khéo trong xây dựng nông thôn mới"
    assert profile.year == 2023
    assert profile.fields == (Field.KINH_TE,)
    assert profile.level is Level.HUYEN
    assert profile.unit == "Ban Dân vận Huyện ủy Lâm Hà"
    assert profile.person == ""
    assert profile.date == datetime.datetime(2023, 11, 20, tzinfo=VIETNAM_TZ)
    assert profile.modified is None
    assert profile.status is Status.PUBLISHED
    assert profile.is_published


def test_summary_defaults_to_the_first_paragraph(content):
    profile, _ = read(write_profile(content), content)
    assert profile.summary_given is False
    assert profile.summary == " ".join(BODY.split("\n\n")[0].split())


def test_summary_key_is_used_when_given(content):
    profile, _ = read(write_profile(content, {"Summary": "Tóm tắt ngắn."}), content)
    assert profile.summary == "Tóm tắt ngắn."
    assert profile.summary_given is True


def test_valid_profile_place_is_current_and_historical(content):
    profile, _ = read(write_profile(content), content)
    place = profile.place
    assert place.province.name == "Tỉnh Lâm Đồng"
    assert not place.province.legacy
    assert place.historical_province.name == "Tỉnh Lâm Đồng"
    assert place.historical_district.name == "Huyện Lâm Hà"
    assert place.historical_commune.name == "Thị trấn Đinh Văn"
    assert place.commune.name == "Xã Đinh Văn Lâm Hà"
    assert place.is_historical
    assert "huyện Lâm Hà" in place.historical_label
    assert place.historical_label == (
        "trước 01/7/2025: thị trấn Đinh Văn, huyện Lâm Hà, tỉnh Lâm Đồng"
    )
    assert place.label == "Xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng"
    assert place.as_written == "Đinh Văn, Lâm Hà, Lâm Đồng"


def test_url_is_kind_and_file_stem(content):
    profile, _ = read(write_profile(content, stem="to-tu-quan-duong-lang"), content)
    assert profile.slug == "to-tu-quan-duong-lang"
    assert profile.url == "mo-hinh/to-tu-quan-duong-lang/"


def test_url_of_dien_hinh_starts_with_its_kind(content):
    file = write_profile(content, {"Kind": "dien-hinh", "Unit": None, "Person": "Nguyễn Văn An"})
    profile, problems = read(file, content)
    assert problems == []
    assert profile.url == f"dien-hinh/{STEM}/"
    assert profile.actor == "Nguyễn Văn An"


def test_slug_key_overrides_the_file_stem(content):
    profile, _ = read(write_profile(content, {"Slug": "Tên đường dẫn khác"}), content)
    assert profile.slug == "ten-duong-dan-khac"
    assert profile.url == "mo-hinh/ten-duong-dan-khac/"


def test_legacy_province_resolves_to_its_current_province(content):
    file = write_profile(content, {"Province": "Đắk Nông", "District": None, "Commune": None})
    profile, problems = read(file, content)
    assert problems == []
    place = profile.place
    assert place.province.name == "Tỉnh Lâm Đồng"
    assert place.historical_province.name == "Tỉnh Đắk Nông"
    assert place.is_historical is True
    assert place.historical_label == "trước 01/7/2025: tỉnh Đắk Nông"


def test_unchanged_province_without_district_is_not_historical(content):
    file = write_profile(content, {"District": None, "Commune": None, "Level": "tinh"})
    profile, problems = read(file, content)
    assert problems == []
    assert profile.place.is_historical is False
    assert profile.place.historical_label == ""
    assert profile.place.label == "Tỉnh Lâm Đồng"


def test_current_commune_after_the_reform(content):
    profile, problems = read(write_profile(content, CURRENT), content)
    assert problems == []
    assert profile.year == 2026
    assert profile.place.commune.name == "Xã Đinh Văn Lâm Hà"
    assert profile.place.historical_district is None
    assert profile.place.is_historical is False


def test_several_fields_and_spelled_out_values(content):
    file = write_profile(content, {"Field": "Kinh tế; văn hóa, kinh-te", "Level": "Cấp tỉnh"})
    profile, problems = read(file, content)
    assert problems == []
    assert profile.fields == (Field.KINH_TE, Field.VAN_HOA_XA_HOI)
    assert profile.level is Level.TINH


def test_lists_are_split(content):
    file = write_profile(content, {
        "Tags": "nông thôn mới, đường làng ,",
        "Results": "12 km đường; 3 nhà văn hóa",
        "Source": "https://example.vn/a, https://example.vn/b",
    })
    profile, problems = read(file, content)
    assert problems == []
    assert profile.tags == ("nông thôn mới", "đường làng")
    assert profile.results == ("12 km đường", "3 nhà văn hóa")
    assert profile.sources == ("https://example.vn/a", "https://example.vn/b")


def test_header_keys_are_case_insensitive_and_windows_newlines_work(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    text = profile_text().replace("Title:", "TITLE:").replace("Year:", "year:")
    file.write_bytes(("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"))
    profile, problems = read(file, content)
    assert problems == []
    assert profile.title == VALID["Title"]
    assert profile.year == 2023


def test_nfd_file_gives_an_nfc_profile(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_text(unicodedata.normalize("NFD", profile_text()), encoding="utf-8")
    assert unicodedata.normalize("NFD", VALID["Title"]) != VALID["Title"]
    profile, problems = read(file, content)
    assert problems == []
    assert profile.title == unicodedata.normalize("NFC", VALID["Title"]) == VALID["Title"]
    assert profile.place.commune.name == "Xã Đinh Văn Lâm Hà"


@pytest.mark.parametrize(("written", "kind"), [
    ("model", Kind.MO_HINH),
    ("Mô hình", Kind.MO_HINH),
    ("individual", Kind.DIEN_HINH),
    ("collective", Kind.DIEN_HINH),
    ("Điển hình", Kind.DIEN_HINH),
])
def test_kind_aliases_are_accepted(content, written, kind):
    profile, problems = read(write_profile(content, {"Kind": written}), content)
    assert problems == []
    assert profile.kind is kind


def test_draft_status_is_read(content):
    profile, problems = read(write_profile(content, {"Status": "draft"}), content)
    assert problems == []
    assert profile.status is Status.DRAFT
    assert not profile.is_published


def test_main_image_beside_the_profile_is_resolved(content):
    file = write_profile(content, {"Image": "anh-dai-dien.jpg"})
    (file.parent / "anh-dai-dien.jpg").write_bytes(b"\xff\xd8\xff")
    profile, problems = read(file, content)
    assert problems == []
    assert profile.image == f"profiles/{PROFILE_DIR}/anh-dai-dien.jpg"


def test_body_image_is_resolved_and_pointed_at_its_published_place(content):
    file = write_profile(content, body=BODY + "\n\n![Cán bộ gặp dân](hinh-1.jpg)")
    (file.parent / "hinh-1.jpg").write_bytes(b"\xff\xd8\xff")
    profile, problems = read(file, content)
    assert problems == []
    assert profile.body_images == (f"profiles/{PROFILE_DIR}/hinh-1.jpg",)
    assert 'src="lantoa-photo:0"' in profile.body_html


def test_body_image_on_the_web_is_left_alone(content):
    file = write_profile(content, body=BODY + "\n\n![Ảnh](https://example.vn/anh.jpg)")
    profile, problems = read(file, content)
    assert problems == []
    assert profile.body_images == ()
    assert 'src="https://example.vn/anh.jpg"' in profile.body_html


# -- errors ------------------------------------------------------------------------


def test_missing_required_keys_are_all_reported_in_one_run(content):
    file = write_profile(content, {"Title": None, "Year": None, "Date": None, "Kind": "abc"})
    profile, problems = read(file, content)
    assert profile is None
    missing = [p for p in problems if p.code == "E011"]
    assert sorted(p.field for p in missing) == ["Date", "Title", "Year"]
    assert all(p.line == 1 for p in missing)
    by_field = {p.field: p for p in missing}
    assert_helpful(by_field["Title"], "thiếu", "Title", hint="Title: …")
    assert_helpful(by_field["Year"], "năm công nhận", hint="Year: …")
    assert_helpful(by_field["Date"], "ngày đăng", hint="Date: …")
    # The bad Kind is reported in the same run.
    assert only(problems, "E012").field == "Kind"


def test_every_required_key_missing_gives_one_problem_each(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_text("Unit: Hội Nông dân xã\n\n" + BODY + "\n", encoding="utf-8")
    profile, problems = read(file, content)
    assert profile is None
    assert sorted(p.field for p in problems if p.code == "E011") == [
        "Date", "Field", "Kind", "Level", "Province", "Title", "Year",
    ]


def test_unknown_kind(content):
    file, problem = read_error(content, {"Kind": "phong-trao"}, "E012")
    assert problem.field == "Kind"
    assert problem.line == line_of(file, "Kind:") == 2
    assert_helpful(problem, "loại", "'phong-trao'", hint="mo-hinh")
    assert "dien-hinh" in problem.hint


def test_near_miss_kind_gets_a_suggestion(content):
    _, problem = read_error(content, {"Kind": "mo-hin"}, "E012")
    assert "có phải 'mo-hinh'?" in problem.hint


def test_unknown_field(content):
    file, problem = read_error(content, {"Field": "kinh-te, nong nghiep"}, "E013")
    assert problem.field == "Field"
    assert problem.line == line_of(file, "Field:")
    assert_helpful(problem, "lĩnh vực", "'nong nghiep'", hint="kinh-te")


def test_unknown_level(content):
    file, problem = read_error(content, {"Level": "tinhx"}, "E014")
    assert problem.field == "Level"
    assert problem.line == line_of(file, "Level:")
    assert_helpful(problem, "cấp", "'tinhx'", hint="có phải 'tinh'?")


@pytest.mark.parametrize("year", ["23", "1999", "2030", "2023a", "hai nghìn"])
def test_invalid_year(content, year):
    file, problem = read_error(content, {"Year": year}, "E015")
    assert problem.field == "Year"
    assert problem.line == line_of(file, "Year:") == 3
    assert_helpful(problem, f"năm '{year}'", hint="2009")
    assert "2026" in problem.hint  # the last valid year is today's


def test_malformed_date(content):
    file, problem = read_error(content, {"Date": "20/11/2023"}, "E021")
    assert problem.field == "Date"
    assert problem.line == line_of(file, "Date:")
    assert_helpful(problem, "'20/11/2023'", hint="2024-05-19")


def test_unknown_province_suggests_the_nearest(content):
    # "Lâm Đông" alone would be accepted with a warning (W031): this one has a typo.
    file, problem = read_error(content, {"Province": "Lâm Đôngg"}, "E030")
    assert problem.field == "Province"
    assert problem.line == line_of(file, "Province:") == 4
    assert_helpful(problem, "'Lâm Đôngg'", hint="Lâm Đồng")
    assert problem.hint == "có phải Lâm Đồng?"


def test_district_not_in_the_province_says_where_it_is(content):
    file, problem = read_error(content, {"Province": "Nghệ An", "District": "Lâm Hà"}, "E032")
    assert problem.field == "District"
    assert problem.line == line_of(file, "District:")
    assert_helpful(problem, "'Lâm Hà'", "không thuộc Nghệ An", "thuộc Lâm Đồng")


def test_unknown_commune_suggests_the_nearest(content):
    file, problem = read_error(content, {"Commune": "Đinh Văng"}, "E034")
    assert problem.field == "Commune"
    assert problem.line == line_of(file, "Commune:")
    assert_helpful(problem, "'Đinh Văng'", "Lâm Hà", hint="Đinh Văn")


def test_ambiguous_commune_without_district(content):
    header = {"Province": "Cao Bằng", "District": None, "Commune": "Phan Thanh",
              "Year": "2020", "Date": "2020-06-01", "Level": "tinh"}
    file, problem = read_error(content, header, "E033")
    assert problem.field == "Commune"
    assert problem.line == line_of(file, "Commune:")
    assert_helpful(problem, "'Phan Thanh'", "Bảo Lạc", "Nguyên Bình", hint="District")


def test_ambiguous_commune_is_resolved_by_its_district(content):
    header = {"Province": "Cao Bằng", "District": "Bảo Lạc", "Commune": "Phan Thanh",
              "Year": "2020", "Date": "2020-06-01", "Level": "tinh"}
    profile, problems = read(write_profile(content, header), content)
    assert problems == []
    assert profile.place.historical_district.name == "Huyện Bảo Lạc"
    assert profile.place.historical_commune.short_name == "Phan Thanh"


def test_a_huge_file_is_refused_without_being_parsed(content):
    file = write_profile(content, {}, BODY + "\n\n" + "Dân vận khéo. " * 80_000)
    profile, problems = read(file, content)
    assert profile is None
    assert codes(problems) == ["E002"]
    assert_helpful(problems[0], "quá lớn", hint="ảnh để thành tệp riêng")


@pytest.mark.parametrize("raw", [b"", b"  \n\n\t\n"])
def test_empty_file(content, raw):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_bytes(raw)
    profile, problems = read(file, content)
    assert profile is None
    assert codes(problems) == ["E001"]
    assert problems[0].line is None
    assert_helpful(problems[0], "rỗng")


def test_windows_1258_file_is_recognised(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    raw = (b"Title: Mo hinh dan van\nKind: mo-hinh\nYear: 2023\nDistrict: "
           + "Lâm Hà".encode("cp1258") + b"\nProvince: Lam Dong\n\nNoi dung.\n")
    assert b"L\xe2m H\xe0" in raw
    file.write_bytes(raw)
    profile, problems = read(file, content)
    assert profile is None
    problem = only(problems, "E003")
    assert len(problems) == 1
    assert problem.field == "tệp"
    assert problem.line == 4  # the District line, where the first non-UTF-8 byte is
    assert "Windows-1258" in problem.message
    assert "UTF-8" in problem.message
    assert_helpful(problem, hint="UTF-8")


def test_invalid_bytes_that_are_not_windows_1258_are_still_reported(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_bytes(b"Title: x\n\x81\xec\n")  # 0x81 is undefined in Windows-1258
    profile, problems = read(file, content)
    assert profile is None
    assert codes(problems) == ["E003"]
    assert "Windows-1258" not in problems[0].message
    assert problems[0].line == 2


def test_file_without_header(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_text("\n" + BODY + "\n", encoding="utf-8")
    profile, problems = read(file, content)
    assert profile is None
    assert codes(problems) == ["E004"]
    assert problems[0].line == 1
    assert_helpful(problems[0], "phần đầu", hint="Title:")


def test_duplicate_key_is_reported_on_its_second_line(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_text(profile_text().replace("Date:", "Year: 2022\nDate:"), encoding="utf-8")
    profile, problems = read(file, content)
    assert profile is None
    problem = only(problems, "E010")
    assert problem.line == line_of(file, "Year: 2022")
    assert_helpful(problem, "lặp lại", "dòng 3")


def test_missing_main_image(content):
    file, problem = read_error(content, {"Image": "anh-dai-dien.jpg"}, "E041")
    assert problem.field == "Image"
    assert problem.line == line_of(file, "Image:")
    assert_helpful(problem, "'anh-dai-dien.jpg'", hint="đặt ảnh cạnh tệp hồ sơ")


def test_main_image_name_is_case_sensitive(content):
    file = write_profile(content, {"Image": "Anh.JPG"})
    (file.parent / "anh.jpg").write_bytes(b"\xff\xd8\xff")
    profile, problems = read(file, content)
    assert profile is not None and profile.image is None
    assert codes(problems) == ["E041"]


@pytest.mark.parametrize("reference", ["../../../../etc/passwd", "/etc/passwd"])
def test_image_outside_the_content_folder(content, reference):
    file, problem = read_error(content, {"Image": reference}, "E040")
    assert problem.field == "Image"
    assert problem.line == line_of(file, "Image:")
    assert_helpful(problem, reference, "ngoài thư mục nội dung")


def test_missing_body_image_is_reported_on_its_body_line(content):
    body = BODY + "\n\nMột đoạn nữa.\n\n![Cán bộ gặp dân](hinh-thieu.jpg)\n\nĐoạn cuối."
    file, problem = read_error(content, {}, "E041", body=body)
    assert problem.field == "Ảnh trong bài"
    assert problem.line == line_of(file, "![Cán bộ gặp dân]")
    assert_helpful(problem, "'hinh-thieu.jpg'")


def test_district_level_in_2026(content):
    file, problem = read_error(content, {**CURRENT, "Level": "huyen"}, "E016")
    assert problem.field == "Level"
    assert problem.line == line_of(file, "Level:")
    assert_helpful(problem, "cấp huyện", "2026", hint="xa")


def test_district_in_2026(content):
    header = {**CURRENT, "District": "Lâm Hà", "Commune": "Đinh Văn"}
    file, problem = read_error(content, header, "E031")
    assert problem.field == "District"
    assert problem.line == line_of(file, "District:")
    assert_helpful(problem, "cấp huyện", "2026", hint="Commune")


def test_no_unit_nor_person(content):
    _, problem = read_error(content, {"Unit": None}, "E018")
    assert problem.line == 1
    assert_helpful(problem, "Unit", "Person", hint="Person: …")


@pytest.mark.parametrize(("key", "value", "code"), [
    ("Period", "2021 đến 2025", "E017"),
    ("Status", "xuất bản sau", "E019"),
    ("Source", "www.example.vn", "E020"),
])
def test_other_malformed_values(content, key, value, code):
    file, problem = read_error(content, {key: value}, code)
    assert problem.field == key
    assert problem.line == line_of(file, f"{key}:")
    assert_helpful(problem, value)


# -- warnings ---------------------------------------------------------------------


def test_unknown_key_is_a_warning_and_the_profile_stays_valid(content):
    file = write_profile(content, {"Tag": "nông thôn mới"})
    profile, problems = read(file, content)
    assert profile is not None
    problem = only(problems, "W001")
    assert len(problems) == 1
    assert problem.severity is Severity.WARNING
    assert not problem.is_error
    assert problem.field == "Tag"  # as the editor wrote it
    assert problem.line == line_of(file, "Tag:")
    assert_helpful(problem, "'Tag'", hint="có phải 'Từ khóa' (Tags)?")


def test_phone_number_in_dien_hinh_is_a_warning(content):
    header = {"Kind": "dien-hinh", "Unit": None, "Person": "Nguyễn Văn An"}
    file = write_profile(content, header, BODY + "\n\nLiên hệ: 0912 345 678.")
    profile, problems = read(file, content)
    assert profile is not None
    problem = only(problems, "W003")
    assert len(problems) == 1
    assert problem.severity is Severity.WARNING
    assert_helpful(problem, "số điện thoại", hint="số điện thoại")


def test_dien_hinh_without_private_data_has_no_warning(content):
    header = {"Kind": "dien-hinh", "Unit": None, "Person": "Nguyễn Văn An"}
    profile, problems = read(write_profile(content, header), content)
    assert profile is not None
    assert problems == []


def test_phone_number_in_mo_hinh_is_not_checked(content):
    profile, problems = read(write_profile(content, body=BODY + "\n\nĐường dây nóng 0912 345 678."),
                             content)
    assert profile is not None
    assert problems == []


def test_short_body_is_a_warning(content):
    profile, problems = read(write_profile(content, body="Chỉ vài chữ."), content)
    assert profile is not None
    assert codes(problems) == ["W002"]
    assert "3 từ" in problems[0].message


# -- sanitised Markdown --------------------------------------------------------------

HOSTILE = (
    "<script>alert(1)</script>\n\n"
    '<a href="javascript:alert(1)">x</a>\n\n'
    "<img src=x onerror=alert(1)>\n\n"
    '<iframe src="https://example.com/"></iframe>\n\n'
    "[bấm vào đây](javascript:alert(2))\n\n"
    '<div onclick="alert(3)">z</div>\n\n'
    "<style>body { display: none }</style>"
)


def test_body_html_has_no_script_handler_javascript_url_or_iframe(content):
    file = write_profile(content, body=BODY + "\n\n" + HOSTILE)
    (file.parent / "x").write_bytes(b"image")  # so that <img src=x> is a valid photo
    profile, problems = read(file, content)
    assert problems == []
    html = profile.body_html.lower()
    for dangerous in ("<script", "javascript:", "onerror", "<iframe", "onclick", "<style"):
        assert dangerous not in html
    assert "alert(" not in html


@pytest.mark.parametrize("hostile", HOSTILE.split("\n\n"))
def test_render_markdown_drops_each_hostile_construct(hostile):
    html = render_markdown(hostile).lower()
    for dangerous in ("<script", "javascript:", "onerror", "<iframe", "onclick", "<style"):
        assert dangerous not in html
    assert "alert(" not in html


PLAIN_MARKDOWN = """## Cách làm

Cán bộ *gần dân*, **hiểu dân** và [tham khảo](https://example.vn) thêm.

- Chung vốn mua cám.
- Cử người đi tập huấn.

1. Bàn bạc.
2. Thực hiện.

### Kết quả

| Chỉ tiêu | Kết quả |
| --- | --- |
| Hộ tham gia | 64 |
| Hầm biogas | 52 |

> Dân biết, dân bàn, dân làm, dân kiểm tra.
"""


def test_plain_markdown_renders_like_markdown_itself():
    expected = markdown.markdown(PLAIN_MARKDOWN, extensions=["extra", "sane_lists"])
    assert render_markdown(PLAIN_MARKDOWN) == expected


def test_plain_markdown_body_is_published_unchanged(content):
    body = BODY + "\n\n" + PLAIN_MARKDOWN
    profile, _ = read(write_profile(content, body=body), content)
    expected = markdown.markdown("\n" + body + "\n", extensions=["extra", "sane_lists"])
    assert profile.body_html == expected
    assert '<a href="https://example.vn">tham khảo</a>' in profile.body_html


def test_heading_ids_from_attribute_lists_survive():
    assert render_markdown("## Kết quả {#ket-qua}") == '<h2 id="ket-qua">Kết quả</h2>'


def test_table_column_alignment_survives_sanitising():
    html = render_markdown("| Chỉ tiêu | Số |\n|:--|--:|\n| Hộ | 64 |\n")
    assert '<td style="text-align:right">64</td>' in html


# -- never raising -----------------------------------------------------------------

FUZZ = settings(max_examples=50, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_fuzzed(content: Path, data: bytes):
    file = content / "profiles" / "x" / "fuzz.md"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    return read(file, content)


def blocking(problems) -> bool:
    """Errors that keep a profile off the site (a bad photo does not)."""
    return any(p.is_error and p.code not in PHOTO_CODES for p in problems)


@FUZZ
@given(st.binary())
def test_read_profile_never_raises_on_arbitrary_bytes(content, raw):
    profile, problems = read_fuzzed(content, raw)
    assert profile is None or not blocking(problems)


@FUZZ
@given(st.text())
def test_read_profile_never_raises_on_arbitrary_text(content, text):
    profile, problems = read_fuzzed(content, text.encode("utf-8", "surrogatepass"))
    assert profile is None or not blocking(problems)


@FUZZ
@given(st.text())
def test_read_profile_never_raises_on_a_valid_header_with_arbitrary_body(content, body):
    profile, problems = read_fuzzed(content, profile_text(body=body).encode("utf-8", "surrogatepass"))
    assert (profile is None) == blocking(problems)


@FUZZ
@given(st.text())
def test_parse_header_never_raises_and_keeps_line_numbers_in_range(text):
    header, problems = parse_header(text, "x.md")
    line_count = len(text.split("\n"))
    assert all(1 <= line <= line_count for line in header.lines.values())
    assert 1 <= header.body_line <= line_count + 1
    assert bool(header.values) or [p.code for p in problems] == ["E004"]


# -- suspected bugs: read_profile raises instead of reporting a problem ---------------


def test_superscript_digit_as_province_is_a_problem_not_a_crash(content):
    file = write_profile(content, {"Province": "²", "District": None, "Commune": None})
    profile, problems = read(file, content)
    assert profile is None
    assert "E030" in codes(problems)


def test_percent_encoded_nul_in_image_is_a_problem_not_a_crash(content):
    file = write_profile(content, {"Image": "anh%00.jpg"})
    profile, problems = read(file, content)
    assert profile is not None and profile.image is None
    assert "E041" in codes(problems)


def test_percent_encoded_nul_in_body_image_is_a_problem_not_a_crash(content):
    file = write_profile(content, body=BODY + "\n\n![ảnh](anh%00.jpg)")
    profile, problems = read(file, content)
    assert profile is not None and not profile.body_images
    assert "E041" in codes(problems)


def test_overlong_image_name_is_a_problem_not_a_crash(content):
    file = write_profile(content, {"Image": "a" * 300 + ".jpg"})
    profile, problems = read(file, content)
    assert profile is not None and profile.image is None
    assert "E041" in codes(problems)


# -- header keys in Vietnamese ---------------------------------------------------------------

VIETNAMESE_HEADER = (
    "Tiêu đề: Dân vận khéo trong xây dựng nông thôn mới\n"
    "Loại: mô hình\n"
    "Năm: 2023\n"
    "Tỉnh: Lâm Đồng\n"
    "Huyện: Lâm Hà\n"
    "Xã: Đinh Văn\n"
    "Linh vuc: Kinh tế, Văn hóa - xã hội\n"
    "CẤP: cấp huyện\n"
    "Đơn vị: Ban Dân vận Huyện ủy Lâm Hà\n"
    "Ngày đăng: 2023-11-20\n"
    "Nổi bật: có\n"
    "Từ khoá: xóa nhà tạm, nông thôn mới\n"
)


def test_vietnamese_keys_with_or_without_marks_are_read_like_english_ones(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_text(VIETNAMESE_HEADER + "\n" + BODY + "\n", encoding="utf-8")
    profile, problems = read(file, content)
    assert problems == []
    english, _ = read(write_profile(content, {"Tags": "xóa nhà tạm, nông thôn mới", "Field":
                                              "kinh-te, van-hoa-xa-hoi", "Commune": "Đinh Văn"},
                                    stem="english"), content)
    assert profile is not None and english is not None
    assert profile.place == english.place
    assert profile.fields == english.fields and profile.level == english.level
    assert profile.tags == ("xóa nhà tạm", "nông thôn mới")  # the last header line stays a key
    assert profile.featured and not english.featured
    assert "xóa nhà tạm" not in profile.body_html


def test_a_problem_names_the_key_as_the_editor_wrote_it(content):
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    text = VIETNAMESE_HEADER.replace("Năm: 2023", "Năm: 2031")
    file.write_text(text + "\n" + BODY + "\n", encoding="utf-8")
    _, problems = read(file, content)
    problem = only(problems, "E015")
    assert problem.field == "Năm" and problem.line == 3


def test_a_key_after_a_blank_line_is_reported_not_published_silently(content):
    text = profile_text().replace("Date: ", "\nDate: ", 1)
    file = content / "profiles" / PROFILE_DIR / f"{STEM}.md"
    file.parent.mkdir(parents=True)
    file.write_text(text, encoding="utf-8")
    profile, problems = read(file, content)
    assert profile is None  # Date is now missing …
    assert only(problems, "E011").field == "Date"
    stray = only(problems, "W005")  # … and the reason is said where it is
    assert stray.line == line_of(file, "Date:") and stray.field == "Date"


def test_a_paragraph_that_merely_starts_like_a_key_is_body_text(content):
    profile, problems = read(write_profile(content, body="Kết quả: sau hai năm, 40 hộ thoát nghèo.\n\n"
                                           + BODY), content)
    assert profile is not None and [p.code for p in problems] == []
    assert "Kết quả: sau hai năm" in profile.body_html


def test_an_unknown_vietnamese_key_names_the_nearest_declared_one(content):
    _, problems = read(write_profile(content, {"Linh vục chính": "kinh tế"}), content)
    problem = only(problems, "W001")
    assert "Lĩnh vực" in problem.hint and problem.field == "Linh vục chính"


@given(st.sampled_from([name for key in HEADER for name in key.names]), st.sampled_from([
    str.lower, str.upper, str.title, lambda s: s, lambda s: s.replace(" ", "_"),
    lambda s: "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))]))
def test_every_declared_name_is_found_whatever_its_case_or_marks(name, spell):
    written = spell(name)
    assert find_key(written) is find_key(name) is not None, written


# -- a missing photo names the file that was probably meant ------------------------


def test_missing_photo_suggests_the_file_of_the_same_name_in_another_case(content):
    file = write_profile(content, {"Image": "anh-dai-dien.jpg"})
    (file.parent / "Anh-Dai-Dien.JPG").write_bytes(b"\xff\xd8\xff")
    _, problem = read_error(content, {"Image": "anh-dai-dien.jpg"}, "E041")
    assert "có phải 'Anh-Dai-Dien.JPG'" in problem.hint


def test_missing_photo_suggests_the_closest_name_beside_the_profile(content):
    file = write_profile(content)
    for name in ("duong-be-tong-1.jpg", "hoi-nghi.jpg", "ghi-chu.txt"):
        (file.parent / name).write_bytes(b"x")
    body = BODY + "\n\n![Đường bê tông](duong-be-tong.jpg)"
    _, problem = read_error(content, {}, "E041", body=body)
    assert "có phải 'duong-be-tong-1.jpg'" in problem.hint
    assert "hoi-nghi" not in problem.hint


def test_missing_photo_suggests_nothing_implausible(content):
    file = write_profile(content)
    (file.parent / "hoi-nghi-tong-ket.jpg").write_bytes(b"x")
    (file.parent / "duong-be-tong.md").write_text("x", encoding="utf-8")
    _, problem = read_error(content, {"Image": "duong-be-tong.jpg"}, "E041")
    assert "có phải" not in problem.hint
    assert "đặt ảnh cạnh tệp hồ sơ" in problem.hint


# -- body warnings carry the line they are about --------------------------------------


def test_short_body_warning_points_at_the_first_line_of_text(content):
    file = write_profile(content, body="\n\nChỉ vài chữ.")
    _, problems = read(file, content)
    assert only(problems, "W002").line == line_of(file, "Chỉ vài chữ.")


def test_private_data_warning_points_at_its_line(content):
    header = {"Kind": "dien-hinh", "Unit": None, "Person": "Nguyễn Văn An"}
    file = write_profile(content, header, BODY + "\n\nMột đoạn.\nLiên hệ: 0912 345 678.")
    _, problems = read(file, content)
    assert only(problems, "W003").line == line_of(file, "Liên hệ:")


PRIVATE_TEXT = st.text(st.sampled_from("0123456789 .-+\nsinh ngày/Số: "), max_size=80)


@settings(max_examples=300, deadline=None)
@given(title=PRIVATE_TEXT, person=PRIVATE_TEXT, body=st.lists(PRIVATE_TEXT, max_size=4))
def test_a_private_number_found_anywhere_is_found_in_the_whole_text(title, person, body):
    # The check reads the whole text first and looks for the line only on a match: a match
    # in one value or paragraph is a match in the whole text.
    from lantoa.reading import PRIVATE_DATA, _line_matching

    text = "Title: " + title.replace("\n", " ") + "\nPerson: " + person.replace("\n", " ")
    text += "\n\n" + "\n\n".join(body)
    header, _ = parse_header(text, "ho-so.md")
    whole = "\n".join((*header.values.values(), header.body))
    for pattern, _ in PRIVATE_DATA:
        if _line_matching(header, pattern) is not None:
            assert pattern.search(whole)


def test_a_misspelt_key_after_a_stray_line_is_reported_not_published_as_text(content):
    text = profile_text({"Image_Caption": None}).replace(
        "Date:", "Ghi chép thêm về mô hình\nLinh vucc: kinh-te\nDate:", 1)
    file = write_profile(content)
    file.write_text(text, encoding="utf-8")
    _, problems = read(file, content)
    stray = [p for p in problems if p.code == "W005" and p.field == "Linh vucc"]
    assert len(stray) == 1 and stray[0].line == line_of(file, "Linh vucc:")
    assert "có phải 'Lĩnh vực' (Field)?" in stray[0].hint


# -- the Markdown converter passes over plain text without trying each inline pattern --

_STOCK = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
_PLAIN_PIECES = st.sampled_from(["Dân", "vận", "khéo", "ứng", "xã", "Đ", "HTML", " ", "\n", "\n\n", "1.",
                                 "- ", "#", "> ", ":", "!", "(", ")", ">", ";", "=", "~", "^", "|", "'", '"'])
_MARKUP_PIECES = st.sampled_from([
    "  ", "  \n", "*", "**", "_", "__", "`", "``", "\\", "[", "]", "<", "&", "http://a.vn", "a@b.vn", "&amp;",
    "<b>", "</b>", "<br>", "[^1]", "[^1]: chú thích", "*[HTML]: định nghĩa", "{: #id }", "```", "<!-- -->",
    "[a](b)", "![a](b)", "<http://a.vn>", "\u0002", "\u0003", "klzzwxh:0", "    ",
])


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.one_of(_PLAIN_PIECES, _PLAIN_PIECES, _MARKUP_PIECES), max_size=24).map("".join))
@example("Dân  \nvận")
@example("Dân *vận* khéo")
@example("Dân _vận_")
@example("`mã`")
@example("\\*")
@example("[a](b)")
@example("<b>khéo</b>")
@example("&amp;")
@example("<http://a.vn>")
def test_the_profile_markdown_converter_gives_python_markdowns_own_html(text):
    assert reading._markdown.reset().convert(text) == _STOCK.reset().convert(text)


def test_the_plain_text_shortcut_is_taken_only_for_the_inline_patterns_it_knows():
    assert type(reading.make_markdown().treeprocessors["inline"]) is reading._PlainTextFirst
    # An inline pattern it was not written for (struck text between "~~", a character it
    # does not look for): the stock processor is kept, and the pattern applies.
    class Struck(markdown.Extension):
        def extendMarkdown(self, md):
            md.inlinePatterns.register(SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del"), "del", 65)

    with_more = reading.make_markdown(("extra", "sane_lists", Struck()))
    assert type(with_more.treeprocessors["inline"]) is markdown.treeprocessors.InlineProcessor
    assert "<del>khéo</del>" in with_more.convert("Dân vận ~~khéo~~")


def test_every_sample_profile_body_converts_as_python_markdown_converts_it():
    for file in sorted((SAMPLE_CONTENT / "profiles").rglob("*.md")):
        body = file.read_text(encoding="utf-8").split("\n\n", 1)[-1]
        assert reading._markdown.reset().convert(body) == _STOCK.reset().convert(body), file


# The private-data patterns as first written: "not after a digit" as a look-behind first.
_PRIVATE_DATA_AS_WRITTEN = (
    r"(?<!\d)(?:\+84|0)(?:[\s.\-]?\d){9,10}(?!\d)",
    r"(?<!\d)\d{12}(?!\d)|(?<!\d)\d{9}(?!\d)",
)


@settings(max_examples=400)
@given(st.text(alphabet="0123456789+84 .-\n a٣", max_size=40))
@example("0912345678")
@example("1+84912345678")
@example("x+84 912 345 678 ")
@example("123456789")
@example("1234567890")
@example("012345678901")
def test_private_data_patterns_find_what_their_look_behind_versions_find(text):
    import re

    for (pattern, _), written in zip(reading.PRIVATE_DATA, _PRIVATE_DATA_AS_WRITTEN, strict=False):
        assert bool(pattern.search(text)) == bool(re.search(written, text)), (pattern.pattern, text)
