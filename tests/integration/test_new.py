"""`lantoa new` driven as an editor would: flags, or answers typed on standard input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lantoa.reading import read_profile

from tests.conftest import valid_header, write_profile

TITLE = "Nông dân Đinh Văn chung sức làm đường giao thông nông thôn"
SLUG = "nong-dan-dinh-van-chung-suc-lam-duong-giao-thong-nong-thon"


def lantoa_new(cwd: Path, *flags: str, answers: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lantoa.cli", "new", "--content", "content", *flags],
                          cwd=cwd, input=answers, capture_output=True, text=True, timeout=120,
                          stdin=None if answers is not None else subprocess.DEVNULL)


def test_answers_on_stdin_are_checked_one_by_one_and_the_profile_is_written(tmp_path: Path):
    answers = "\n".join([
        "3", "1",  # a kind that does not exist, then "mô hình" by its number
        TITLE,
        "20233", "2023",
        "Lam Dongg", "Lam Dong",  # unknown, then accepted without diacritics
        "Lam Haa", "Lam Ha",
        "Dinh Van",
        "1, 4",
        "2",
        "Hội Nông dân thị trấn Đinh Văn",
    ]) + "\n"
    result = lantoa_new(tmp_path, answers=answers)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "loại '3' không hợp lệ" in out
    assert "năm '20233' không hợp lệ" in out
    assert "không tìm thấy tỉnh/thành phố 'Lam Dongg' (gợi ý: có phải Lâm Đồng?)" in out
    assert "có phải Lâm Hà?" in out
    assert "sẽ ghi 'Lâm Đồng'" in out and "sẽ ghi 'Đinh Văn'" in out
    path = tmp_path / "content" / "profiles" / "lam-dong" / "2023" / f"{SLUG}.md"
    assert f"Đã tạo content/profiles/lam-dong/2023/{SLUG}.md" in out
    assert f"http://localhost:8000/mo-hinh/{SLUG}/" in out
    text = path.read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    assert "Province: Lâm Đồng\nDistrict: Lâm Hà\nCommune: Đinh Văn\n" in header
    assert "Field: kinh-te, xay-dung-he-thong-chinh-tri\nLevel: huyen\n" in header
    for section in ("## Cách làm", "## Kết quả", "## Bài học"):
        assert section in text
    profile, problems = read_profile(path, tmp_path / "content")
    assert profile is not None and [p.code for p in problems] == ["W002"]
    district = profile.place.historical_district
    assert district is not None and district.short_name == "Lâm Hà"
    assert "<!--" not in profile.body_html and "Mở đầu" not in profile.body_html


def test_flags_alone_write_the_profile_without_a_question(tmp_path: Path):
    result = lantoa_new(tmp_path, "--kind", "dien-hinh", "--title", "Già làng Ka Sô gương mẫu",
                        "--year", "2024", "--province", "Đắk Nông", "--field", "Văn hóa - xã hội",
                        "--level", "tinh", "--person", "Ka Sô")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "?" not in result.stdout.split("Đã tạo")[0]  # nothing was asked
    # Đắk Nông is now part of Lâm Đồng: filed under the current province, named as written.
    path = tmp_path / "content/profiles/lam-dong/2024/gia-lang-ka-so-guong-mau.md"
    text = path.read_text(encoding="utf-8")
    assert "Province: Đắk Nông\n" in text and "Person: Ka Sô\n" in text and "Unit:" not in text
    assert "http://localhost:8000/dien-hinh/gia-lang-ka-so-guong-mau/" in result.stdout
    profile, problems = read_profile(path, tmp_path / "content")
    assert profile is not None and not [p for p in problems if p.is_error]


def test_a_missing_flag_is_asked_for_and_an_invalid_flag_is_asked_again(tmp_path: Path):
    result = lantoa_new(tmp_path, "--kind", "mo-hinh", "--title", "Dân vận khéo ở Tân Hà", "--year", "2022",
                        "--province", "Lâm Đồng", "--field", "kinh tế", "--level", "cap huyen",
                        "--unit", "Hội Phụ nữ", "--commune", "Tân Hàa",
                        answers="Tân Hà\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "không tìm thấy xã/phường 'Tân Hàa'" in result.stdout
    text = (tmp_path / "content/profiles/lam-dong/2022/dan-van-kheo-o-tan-ha.md").read_text(encoding="utf-8")
    assert "Commune: Tân Hà\n" in text and "Field: kinh-te\n" in text and "Level: huyen\n" in text


def test_without_answers_it_says_what_is_missing_and_writes_nothing(tmp_path: Path):
    result = lantoa_new(tmp_path, "--kind", "mo-hinh", "--title", "Thử")
    assert result.returncode == 2
    assert "Thiếu năm công nhận" in result.stderr and "--year" in result.stderr
    assert not (tmp_path / "content").exists()


def test_it_never_overwrites_and_names_the_file_that_holds_the_url(tmp_path: Path):
    content = tmp_path / "content"
    # Same title elsewhere: the URL /mo-hinh/<slug>/ is taken by another province's file.
    existing = write_profile(content, f"ha-noi/2020/{SLUG}.md", valid_header(Province="Hà Nội", District=None,
                                                                         Commune=None, Level="tinh"))
    before = existing.read_bytes()
    flags = ("--kind", "mo-hinh", "--title", TITLE, "--year", "2023", "--province", "Lâm Đồng",
             "--field", "kinh-te", "--level", "tinh", "--unit", "Hội Nông dân")
    refused = lantoa_new(tmp_path, *flags)
    assert refused.returncode == 1
    assert f"profiles/ha-noi/2020/{SLUG}.md" in refused.stdout
    assert f"--slug {SLUG}-lam-dong" in refused.stderr
    assert existing.read_bytes() == before
    assert not (content / "profiles/lam-dong").exists()
    accepted = lantoa_new(tmp_path, *flags, "--slug", f"{SLUG}-lam-dong")
    assert accepted.returncode == 0, accepted.stderr
    assert (content / f"profiles/lam-dong/2023/{SLUG}-lam-dong.md").is_file()
    again = lantoa_new(tmp_path, *flags, "--slug", f"{SLUG}-lam-dong")
    assert again.returncode == 1 and "không ghi đè" in again.stdout
