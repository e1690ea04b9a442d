"""Photos: upright, stripped of GPS, resized, cached, rejected with a clear error."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import feedparser
import pytest
from lantoa.images import SHARE_SIZE, draw_share_card
from PIL import Image

from tests.conftest import ROOT, build_site, valid_header, write_profile
from tests.photos import heic_from_phone, psd_file

GPS_IFD = 0x8825


def jpeg_with_gps(size=(2000, 1500), orientation: int | None = None, colour=(30, 120, 60)) -> bytes:
    image = Image.new("RGB", size, colour)
    # A mark in the top-left corner shows which way is up after rotation.
    image.paste((250, 250, 250), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    exif[0x010F] = "Điện thoại"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (11.0, 56.0, 30.5), 3: "E", 4: (108.0, 26.0, 10.2)})
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def png_bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")  # 81 megapixels in a few kilobytes
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("photos")
    content = base / "content"
    folder = content / "profiles/lam-dong/2023"
    body = ("Mô hình được nhân dân đồng tình hưởng ứng, cán bộ nghe dân nói, nói dân hiểu, làm dân "
            "tin. " * 8 + "\n\n![Bà con họp bàn làm đường](hop-dan.jpg)\n\nKết quả rất đáng ghi nhận. " * 2)
    write_profile(content, "lam-dong/2023/anh-gps.md",
                  valid_header(Title="Ảnh có GPS", Image="gps.jpg", Image_Caption="Đường mới làm"), body)
    (folder / "gps.jpg").write_bytes(jpeg_with_gps())
    (folder / "hop-dan.jpg").write_bytes(jpeg_with_gps((1200, 900)))
    write_profile(content, "lam-dong/2023/anh-xoay.md",
                  valid_header(Title="Ảnh chụp dọc", Image="xoay.jpg", Date="2023-11-21"))
    (folder / "xoay.jpg").write_bytes(jpeg_with_gps((1600, 1200), orientation=6))
    write_profile(content, "lam-dong/2023/anh-nho.md",
                  valid_header(Title="Ảnh nhỏ", Image="nho.png", Date="2023-11-22"))
    Image.new("RGBA", (300, 200), (0, 0, 255, 128)).save(folder / "nho.png")
    write_profile(content, "lam-dong/2023/anh-gia.md",
                  valid_header(Title="Ảnh giả", Image="gia.jpg", Date="2023-11-23"))
    (folder / "gia.jpg").write_text("đây không phải ảnh", encoding="utf-8")
    write_profile(content, "lam-dong/2023/anh-cut.md",
                  valid_header(Title="Ảnh cụt", Image="cut.jpg", Date="2023-11-24"))
    (folder / "cut.jpg").write_bytes(jpeg_with_gps()[:5000])
    write_profile(content, "lam-dong/2023/anh-bom.md",
                  valid_header(Title="Ảnh bom", Image="bom.png", Date="2023-11-25"))
    (folder / "bom.png").write_bytes(png_bomb())
    write_profile(content, "lam-dong/2023/khong-anh.md",
                  valid_header(Title="Hồ sơ không có ảnh " + "rất dài " * 20, Date="2023-11-26"))
    output = build_site(content, base / "output", SITEURL="https://lantoa.example.vn")
    return content, output, base


def outputs_of(output: Path, stem: str) -> list[Path]:
    return sorted((output / "anh/lam-dong/2023" / stem).iterdir())


def test_gps_and_all_metadata_are_stripped_from_every_output(photo_site):
    _, output, _ = photo_site
    files = outputs_of(output, "gps") + outputs_of(output, "hop-dan")
    assert len(files) == 2 * 2 * (3 + 1)  # 3 widths and a card, WebP and JPEG (1200 px: 480, 960, 1200)
    for file in files:
        data = file.read_bytes()
        assert b"Exif" not in data and b"GPS" not in data and b"http://ns.adobe.com/xap" not in data
        with Image.open(file) as image:
            assert not image.getexif()


def test_widths_formats_and_no_upscaling(photo_site):
    _, output, _ = photo_site
    names = [p.name for p in outputs_of(output, "gps")]
    assert names == ["1600.jpg", "1600.webp", "480.jpg", "480.webp", "960.jpg", "960.webp",
                     "the.jpg", "the.webp"]
    for width in (480, 960, 1600):
        with Image.open(output / f"anh/lam-dong/2023/gps/{width}.webp") as image:
            assert image.format == "WEBP" and image.size == (width, width * 3 // 4)
    with Image.open(output / "anh/lam-dong/2023/gps/the.jpg") as card:
        assert card.size == (480, 360)
    small = [p.name for p in outputs_of(output, "nho")]
    assert small == ["300.jpg", "300.webp", "the.jpg", "the.webp"]


def test_a_rotated_photo_comes_out_upright(photo_site):
    _, output, _ = photo_site
    with Image.open(output / "anh/lam-dong/2023/xoay/960.jpg") as image:
        assert image.size == (960, 1280)
        # The light corner was top-left of the sensor; orientation 6 puts it top-right.
        assert sum(image.getpixel((900, 40))) > 600
        assert sum(image.getpixel((40, 40))) < 400


def test_pages_use_picture_srcset_sizes_and_intrinsic_dimensions(photo_site):
    _, output, _ = photo_site
    html = (output / "mo-hinh/anh-gps/index.html").read_text(encoding="utf-8")
    lead = html.split('<figure class="lead-photo">')[1].split("</figure>")[0]
    webp = '<source type="image/webp" srcset="https://lantoa.example.vn/anh/lam-dong/2023/gps/480.webp 480w'
    assert webp in lead
    assert 'width="1600" height="1200"' in lead and 'alt="Đường mới làm"' in lead
    assert 'fetchpriority' not in lead and 'loading="lazy"' not in lead  # vnu 20.6 rejects it
    body = html.split('<div class="prose">')[1]
    assert 'alt="Bà con họp bàn làm đường"' in body and 'loading="lazy"' in body
    assert "sizes=" in body and "{photo}" not in html
    listing = (output / "dia-phuong/lam-dong/index.html").read_text(encoding="utf-8")
    assert 'srcset="https://lantoa.example.vn/anh/lam-dong/2023/gps/the.webp"' in listing
    assert 'width="480" height="360"' in listing


def test_bad_images_are_named_and_their_profiles_still_built(photo_site, capsys):
    content, output, base = photo_site
    from lantoa.cli import main

    assert main(["check", "--content", str(content)]) == 1
    assert "bom.png: Ảnh: ảnh quá nhiều điểm ảnh" in capsys.readouterr().err
    for slug in ("anh-gia", "anh-cut", "anh-bom"):
        html = (output / f"mo-hinh/{slug}/index.html").read_text(encoding="utf-8")
        assert "lead-photo" not in html
    result = _build_cli(content, base / "strict", "--strict")
    assert result.returncode == 1
    errors = result.stderr
    assert re.search(r"profiles/lam-dong/2023/gia\.jpg: Ảnh: tệp không phải là ảnh.*anh-gia\.md", errors)
    assert re.search(r"profiles/lam-dong/2023/cut\.jpg: Ảnh: ảnh bị hỏng hoặc chưa tải hết", errors)
    bomb = r"profiles/lam-dong/2023/bom\.png: Ảnh: ảnh quá nhiều điểm ảnh \(giới hạn 50 megapixel\)"
    assert re.search(bomb, errors)


def _build_cli(content: Path, output: Path, *extra: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "lantoa.cli", "build", "--content", str(content),
                           "--output", str(output), *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_a_file_over_the_byte_limit_is_rejected(photo_site, tmp_path):
    content, _, _ = photo_site
    output = build_site(content, tmp_path / "out", LANTOA_MAX_IMAGE_BYTES=10_000)
    assert not (output / "anh/lam-dong/2023/gps").exists()
    assert (output / "mo-hinh/anh-gps/index.html").is_file()


def test_a_second_build_does_no_image_work_and_outputs_are_deterministic(photo_site, tmp_path, capsys):
    content, output, base = photo_site
    build_site(content, base / "again", SITEURL="https://lantoa.example.vn")
    assert "Ảnh: 0 ảnh xử lý mới, 7 ảnh dùng lại, 0 thẻ chia sẻ vẽ mới." in capsys.readouterr().err
    fresh = build_site(content, tmp_path / "fresh" / "output", SITEURL="https://lantoa.example.vn")
    assert "Ảnh: 7 ảnh xử lý mới" in capsys.readouterr().err
    for file in (output / "anh").rglob("*.*"):
        assert file.read_bytes() == (fresh / file.relative_to(output)).read_bytes(), file


def test_every_profile_gets_a_share_card_as_og_image(photo_site):
    _, output, _ = photo_site
    # On its photo a JPEG; without one (none given, or a fake one refused) a PNG.
    cards = (("anh-gps", ".jpg", "JPEG"), ("khong-anh", ".png", "PNG"), ("anh-gia", ".png", "PNG"))
    for slug, suffix, kind in cards:
        card = output / f"anh/the-chia-se/mo-hinh-{slug}{suffix}"
        with Image.open(card) as image:
            assert image.size == SHARE_SIZE and image.format == kind
        assert not card.with_suffix({".jpg": ".png", ".png": ".jpg"}[suffix]).exists()
        html = (output / f"mo-hinh/{slug}/index.html").read_text(encoding="utf-8")
        assert (f'<meta property="og:image" content="https://lantoa.example.vn/anh/the-chia-se/'
                f'mo-hinh-{slug}{suffix}">') in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_a_long_title_wraps_inside_the_card(tmp_path):
    fonts = ROOT / "theme/fonts"
    title = "Đồng bào Ê Đê buôn Đắk Rơ Wa " + "chung sức xây dựng nông thôn mới kiểu mẫu " * 6
    data = draw_share_card(title, "Xã Hòa Phú, tỉnh Đắk Lắk", 2024, "Lan Tỏa", fonts)
    with Image.open(io.BytesIO(data)) as card:
        assert card.size == SHARE_SIZE
        right_margin = card.crop((SHARE_SIZE[0] - 60, 0, SHARE_SIZE[0], SHARE_SIZE[1])).convert("RGB")
        # Only the background colour in the right margin.
        assert set(right_margin.get_flattened_data()) == {(163, 22, 26)}
    unbroken = draw_share_card("Ủyban" * 40, "Hà Nội", 2020, "Lan Tỏa", fonts)
    assert Image.open(io.BytesIO(unbroken)).size == SHARE_SIZE


def test_feed_entries_carry_the_photo_as_enclosure(photo_site):
    _, output, _ = photo_site
    parsed = feedparser.parse((output / "feeds/rss.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.link.endswith("/anh-gps/"))
    enclosure = entry.enclosures[0]
    assert enclosure.href == "https://lantoa.example.vn/anh/lam-dong/2023/gps/1600.jpg"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == (output / "anh/lam-dong/2023/gps/1600.jpg").stat().st_size


@pytest.fixture(scope="module")
def phone_site(tmp_path_factory):
    """Photos as editors send them: an iPhone HEIC, a tiny picture, a Photoshop file."""
    base = tmp_path_factory.mktemp("phone")
    content = base / "content"
    folder = content / "profiles/lam-dong/2024"
    write_profile(content, "lam-dong/2024/anh-iphone.md",
                  valid_header(Title="Ảnh từ iPhone", Image="IMG_4127.HEIC", Year="2024", Date="2024-05-02"))
    (folder / "IMG_4127.HEIC").write_bytes(heic_from_phone((1600, 1200)))
    write_profile(content, "lam-dong/2024/anh-ti-hon.md",
                  valid_header(Title="Ảnh tí hon", Image="ti-hon.jpg", Year="2024", Date="2024-05-03"))
    Image.new("RGB", (120, 90), (200, 60, 40)).save(folder / "ti-hon.jpg", quality=90)
    write_profile(content, "lam-dong/2024/anh-photoshop.md",
                  valid_header(Title="Ảnh Photoshop", Image="ban-thiet-ke.psd", Year="2024",
                               Date="2024-05-04"))
    (folder / "ban-thiet-ke.psd").write_bytes(psd_file())
    output = build_site(content, base / "output", SITEURL="https://lantoa.example.vn")
    return content, output


def test_a_heic_lead_photo_is_published_upright_and_stripped(phone_site):
    _, output = phone_site
    folder = output / "anh/lam-dong/2024/IMG_4127"
    assert sorted(p.name for p in folder.iterdir()) == [
        "1200.jpg", "1200.webp", "480.jpg", "480.webp", "960.jpg", "960.webp", "the.jpg", "the.webp"]
    for file in folder.iterdir():
        assert b"GPS" not in file.read_bytes() and b"Exif" not in file.read_bytes()
    html = (output / "mo-hinh/anh-iphone/index.html").read_text(encoding="utf-8")
    lead = html.split('<figure class="lead-photo">')[1].split("</figure>")[0]
    base = "https://lantoa.example.vn/anh/lam-dong/2024/IMG_4127/"
    assert f'srcset="{base}480.webp 480w, {base}960.webp 960w, {base}1200.webp 1200w"' in lead
    assert 'width="1200" height="1600"' in lead
    with Image.open(output / "anh/the-chia-se/mo-hinh-anh-iphone.jpg") as card:
        assert card.size == SHARE_SIZE
        # Drawn over the (darkened) photo, not the plain red of a profile without one.
        assert card.getpixel((600, 600))[1] > card.getpixel((600, 600))[0]


def test_a_tiny_lead_photo_is_shown_at_its_own_size_and_warned(phone_site, capsys):
    content, output = phone_site
    html = (output / "mo-hinh/anh-ti-hon/index.html").read_text(encoding="utf-8")
    lead = html.split('<figure class="lead-photo">')[1].split("</figure>")[0]
    base = "https://lantoa.example.vn/anh/lam-dong/2024/ti-hon/"
    assert f'srcset="{base}120.webp 120w"' in lead and f'srcset="{base}120.jpg 120w"' in lead
    assert 'width="120" height="90"' in lead
    listing = (output / "dia-phuong/lam-dong/index.html").read_text(encoding="utf-8")
    card = listing.split(f'srcset="{base}the.webp"')[1].split("</picture>")[0]
    assert 'width="120" height="90"' in card
    with Image.open(output / "anh/lam-dong/2024/ti-hon/the.jpg") as image:
        assert image.size == (120, 90)
    from lantoa.cli import main

    main(["check", "--content", str(content)])
    err = capsys.readouterr().err
    assert ("profiles/lam-dong/2024/anh-ti-hon.md: Image: [cảnh báo] ảnh đại diện "
            "'profiles/lam-dong/2024/ti-hon.jpg' quá nhỏ (120×90 px, cần cạnh dài từ 960 px)") in err
    assert "anh-iphone.md: Image: [cảnh báo]" not in err


def test_a_photoshop_file_is_named_with_what_to_do(phone_site, capsys):
    content, output = phone_site
    from lantoa.cli import main

    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert ("profiles/lam-dong/2024/ban-thiet-ke.psd: Ảnh: định dạng Photoshop (PSD) chưa hỗ trợ "
            "(hồ sơ: profiles/lam-dong/2024/anh-photoshop.md) (gợi ý: xuất lại ảnh sang JPEG") in err
    assert "[E046]" in err and "E042" not in err
    html = (output / "mo-hinh/anh-photoshop/index.html").read_text(encoding="utf-8")
    assert "lead-photo" not in html


def test_the_sample_site_publishes_its_iphone_photo(sample_site):
    folder = sample_site / "anh/lam-dong/2024/vuon-che-loc-ngai"
    assert sorted(p.name for p in folder.iterdir()) == [
        "1600.jpg", "1600.webp", "480.jpg", "480.webp", "960.jpg", "960.webp", "the.jpg", "the.webp"]
    assert all(b"GPS" not in p.read_bytes() for p in folder.iterdir())
    html = (sample_site / "mo-hinh/hop-tac-xa-che-loc-ngai/index.html").read_text(encoding="utf-8")
    lead = html.split('<figure class="lead-photo">')[1].split("</figure>")[0]
    assert "vuon-che-loc-ngai/1600.webp 1600w" in lead and 'width="1600" height="1200"' in lead


def test_a_share_card_follows_its_cache_entry_and_goes_with_its_profile(tmp_path):
    content, output = tmp_path / "content", tmp_path / "site"
    write_profile(content, "lam-dong/2023/o-lai.md", valid_header(Title="Mô hình ở lại"))
    gone = write_profile(content, "lam-dong/2023/bi-xoa.md", valid_header(Title="Mô hình bị xóa"))
    build_site(content, output)
    cards = output / "anh/the-chia-se"
    stays, leaves = cards / "mo-hinh-o-lai.png", cards / "mo-hinh-bi-xoa.png"
    assert stays.is_file() and leaves.is_file()
    # The card's cache entry is damaged: the site keeps its whole card, a file of its own,
    # and the first build that needs the entry draws it again and links the new file.
    entry = next(p for p in (tmp_path / ".cache/cards").iterdir()
                 if p.suffix == ".png" and p.read_bytes() == stays.read_bytes())
    whole = entry.read_bytes()
    entry.unlink()
    entry.write_bytes(whole[:100])
    gone.unlink()
    build_site(content, output)
    assert not leaves.exists()
    assert stays.read_bytes() == whole
    other = tmp_path / "other"
    build_site(content, other)
    assert entry.read_bytes() == whole
    card = other / "anh/the-chia-se/mo-hinh-o-lai.png"
    assert card.read_bytes() == whole and os.stat(card).st_ino == os.stat(entry).st_ino
