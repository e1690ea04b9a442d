"""Build real sites with Pelican and check the profile pages and the home page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from lantoa.collection import collect
from lantoa.problems import StrictBuildError

from tests.conftest import ROOT, SAMPLE_CONTENT, TODAY, build_site, valid_header, write_profile


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_sample_profile_has_its_page_with_facts(sample_site: Path):
    from datetime import date

    collection = collect(SAMPLE_CONTENT, today=date.fromisoformat(TODAY))
    assert not collection.errors, [p.format() for p in collection.errors]
    assert len(collection.profiles) >= 40
    for profile in collection.profiles:
        page = sample_site / profile.url / "index.html"
        html = read(page)
        assert '<html lang="vi">' in html
        heading = re.search(r'<h1 id="tieu-de"[^>]*>(.*?)</h1>', html).group(1)
        assert heading == escape(profile.title)
        facts = html.split('class="facts"')[1].split("</aside>")[0]
        assert profile.kind.label in facts
        assert f">{profile.year}<" in facts
        assert escape(profile.place.province.name) in facts
        for field in profile.fields:
            assert escape(field.label) in facts
        assert profile.level.label in facts
        assert escape(profile.actor) in facts
        for result in profile.results:
            assert escape(result) in facts
        for source in profile.sources:
            assert f'href="{escape(source)}"' in html
        if profile.place.is_historical:
            assert escape(profile.place.historical_label) in facts


def escape(text: str) -> str:
    from markupsafe import escape as markup_escape

    return str(markup_escape(text))


def test_legacy_province_is_shown_under_its_current_province(tmp_path: Path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2019/buon-dak-nong.md", valid_header(
        Title="Buôn làng Đắk Nông giữ rừng", Province="Đắk Nông", District=None,
        Commune=None, Year="2019", Date="2019-05-02", Level="tinh"))
    output = build_site(content, tmp_path / "output")
    html = read(output / "mo-hinh/buon-dak-nong/index.html")
    assert "Tỉnh Lâm Đồng" in html
    assert "trước 01/7/2025: tỉnh Đắk Nông" in html


def test_every_profile_is_listed_newest_first(sample_site: Path):
    html = read(sample_site / "ho-so/index.html")
    assert '<html lang="vi">' in html
    years = [int(y) for y in re.findall(r"· <span>(\d{4})</span> ·", html)]
    assert years and years == sorted(years, reverse=True)
    assert len(years) == 20  # first page of the listing
    assert 'rel="next"' in html


def test_a_broken_profile_is_reported_and_the_others_are_built(tmp_path: Path, capsys):
    content = tmp_path / "content"
    for n in range(3):
        write_profile(content, f"lam-dong/2023/tot-{n}.md",
                      valid_header(Title=f"Mô hình tốt số {n}", Date=f"2023-11-2{n}"))
    write_profile(content, "lam-dong/2023/hong.md",
                  valid_header(Title="Hồ sơ hỏng", Province="Lâm Đôngg", Kind="mo hinh la"))
    output = build_site(content, tmp_path / "output")
    for n in range(3):
        assert (output / f"mo-hinh/tot-{n}/index.html").is_file()
    assert not (output / "mo-hinh/hong").exists()
    err = capsys.readouterr().err
    assert "profiles/lam-dong/2023/hong.md:4: Province: không tìm thấy tỉnh/thành phố 'Lâm Đôngg'" in err
    assert "Lâm Đồng" in err.split("hong.md:4:")[1].splitlines()[0]
    assert "profiles/lam-dong/2023/hong.md:2: Kind:" in err
    assert "tot-" not in err


def test_strict_build_fails_listing_every_problem(tmp_path: Path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/tot.md", valid_header())
    write_profile(content, "lam-dong/2023/hong-1.md", valid_header(Year="20233"))
    write_profile(content, "lam-dong/2023/hong-2.md", valid_header(Field="kinh-te-so"))
    with pytest.raises(StrictBuildError) as failure:
        build_site(content, tmp_path / "output", LANTOA_STRICT=True)
    codes = sorted((p.path.split("/")[-1], p.code) for p in failure.value.problems if p.is_error)
    assert codes == [("hong-1.md", "E015"), ("hong-2.md", "E013")]


def test_scripts_never_reach_the_output(tmp_path: Path):
    content = tmp_path / "content"
    body = ("Đoạn mở đầu <script>alert('x')</script> và <a href=\"javascript:alert(1)\">liên kết</a>"
            " cùng <img src=\"https://example.vn/a.png\" onerror=\"alert(1)\" alt=\"a\">"
            " <iframe src=\"https://evil.example\"></iframe>.\n\n" + "Nội dung dài. " * 40)
    write_profile(content, "lam-dong/2023/doc-hai.md", valid_header(), body)
    html = read(build_site(content, tmp_path / "output") / "mo-hinh/doc-hai/index.html")
    for forbidden in ("javascript:", "onerror", "<iframe", "alert('x')"):
        assert forbidden not in html
    # The only scripts are the page's own: its JSON-LD and the theme's share script.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script type="application/ld+json">', '<script src="/theme/js/share.js" type="module">']
    assert "<p>Đoạn mở đầu  và <a>liên kết</a>" in html


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lantoa.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_check_lists_every_problem_and_exits_1(tmp_path: Path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/tot.md", valid_header())
    write_profile(content, "lam-dong/2023/a.md", valid_header(Province="Lam Dong"))
    write_profile(content, "nghe-an/2020/b.md", valid_header(Province="Nghệ An", Date="2020/01/01"))
    (content / "profiles/rong.md").write_text("", encoding="utf-8")
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("profiles/")]
    assert any(line.startswith("profiles/lam-dong/2023/a.md:4: Province:") and "Lâm Đồng" in line
               for line in lines)
    assert any(line.startswith("profiles/nghe-an/2020/b.md:5: District:") for line in lines)
    assert any(line.startswith("profiles/nghe-an/2020/b.md:10: Date:") for line in lines)
    assert any(line.startswith("profiles/rong.md: tệp: tệp rỗng") for line in lines)
    assert all("(gợi ý: " in line for line in lines)
    ok = run_cli("check", "--content", str(SAMPLE_CONTENT))
    assert ok.returncode == 0, ok.stderr


def test_failed_strict_build_keeps_the_previous_site(tmp_path: Path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/tot.md", valid_header())
    output = tmp_path / "site"
    built = run_cli("build", "--content", str(content), "--output", str(output), "--strict")
    assert built.returncode == 0, built.stderr
    assert (output / "mo-hinh/tot/index.html").is_file()
    write_profile(content, "lam-dong/2023/hong.md", valid_header(Level="thon"))
    failed = run_cli("build", "--content", str(content), "--output", str(output), "--strict")
    assert failed.returncode == 1
    assert "hong.md:8: Level:" in failed.stderr
    assert (output / "mo-hinh/tot/index.html").is_file()
    # The failed build's folder is kept as the spare: never published, recycled by the next build.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site", "site.spare"]
