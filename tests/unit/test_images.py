"""Photos from phones: HEIC and AVIF read upright and stripped, small photos never blown up,
formats the site cannot read named as such."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from lantoa.images import SHARE_SIZE, card_size_for, draw_share_card, process_photo, small_lead_photos
from lantoa.problems import Severity
from PIL import Image, TiffImagePlugin

from tests.conftest import ROOT
from tests.photos import avif_from_phone, heic_from_phone, marked, psd_file

WIDTHS = (480, 960, 1600)
MAX_PIXELS = 50_000_000
GPS_IFD = 0x8825


def assert_upright_and_clean(files: dict[str, bytes], upright: tuple[int, int]) -> None:
    with Image.open(io.BytesIO(files["960.jpg"])) as image:
        assert image.size == (960, round(960 * upright[1] / upright[0]))
        # The light corner was top-left of the sensor; turned 90° clockwise it is top-right.
        assert sum(image.getpixel((image.width - 40, 40))) > 600
        assert sum(image.getpixel((40, 40))) < 400
    for name, data in files.items():
        assert b"Exif" not in data and b"GPS" not in data, name
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), name
            assert "icc_profile" not in image.info and "xmp" not in image.info, name


def test_an_iphone_heic_comes_out_upright_without_gps():
    data = heic_from_phone((1600, 1200))
    assert b"GPS" not in data and b"Exif" in data  # the GPS is there, in binary EXIF
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(GPS_IFD)
    files, photo, problems = process_photo(data, "profiles/x/2024/IMG_4127.HEIC", WIDTHS, MAX_PIXELS)
    assert problems == []
    assert (photo.width, photo.height) == (1200, 1600)
    assert sorted(files) == ["1200.jpg", "1200.webp", "480.jpg", "480.webp", "960.jpg", "960.webp",
                             "the.jpg", "the.webp"]
    assert_upright_and_clean(files, (1200, 1600))


def test_an_avif_comes_out_upright_without_gps():
    data = avif_from_phone((1600, 1200))
    with Image.open(io.BytesIO(data)) as original:
        assert original.format == "AVIF" and original.getexif().get_ifd(GPS_IFD)
    files, photo, problems = process_photo(data, "profiles/x/2024/tai-ve.avif", WIDTHS, MAX_PIXELS)
    assert problems == []
    assert (photo.width, photo.height) == (1200, 1600)
    assert_upright_and_clean(files, (1200, 1600))


def test_heic_output_is_the_same_bytes_every_time():
    data = heic_from_phone((640, 480))
    first, _, _ = process_photo(data, "profiles/a.heic", WIDTHS, MAX_PIXELS)
    second, _, _ = process_photo(data, "profiles/a.heic", WIDTHS, MAX_PIXELS)
    assert first == second


@pytest.mark.parametrize("name", ["a.heic", "a.HEIC", "a.Heif", "a.hif"])
def test_heic_endings_in_any_case_are_photos(name):
    _, photo, problems = process_photo(heic_from_phone((64, 48)), f"profiles/{name}", WIDTHS, MAX_PIXELS)
    assert photo is not None and problems == []


@pytest.mark.parametrize("name", ["a.avif", "a.AVIF"])
def test_avif_endings_in_any_case_are_photos(name):
    _, photo, problems = process_photo(avif_from_phone((64, 48)), f"profiles/{name}", WIDTHS, MAX_PIXELS)
    assert photo is not None and problems == []


def test_a_heic_named_jpg_is_used_with_a_warning():
    _, photo, problems = process_photo(heic_from_phone((64, 48)), "profiles/a.jpg", WIDTHS, MAX_PIXELS)
    assert photo is not None
    assert [(p.code, p.message) for p in problems] == [("W042", "đuôi tệp '.jpg' không khớp nội dung (HEIF)")]


def test_a_cut_off_heic_is_broken_not_a_non_photo():
    data = heic_from_phone((640, 480))
    _, photo, problems = process_photo(data[:len(data) // 2], "profiles/a.heic", WIDTHS, MAX_PIXELS)
    assert photo is None
    assert [(p.code, p.message) for p in problems] == [("E043", "ảnh bị hỏng hoặc chưa tải hết")]


def test_a_heic_over_the_pixel_limit_is_refused_before_decoding():
    _, photo, problems = process_photo(heic_from_phone((640, 480)), "profiles/a.heic", WIDTHS, 100_000)
    assert photo is None and [p.code for p in problems] == ["E044"]


def _saved(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _dng() -> bytes:
    """A TIFF carrying the DNGVersion tag: Pillow would open it and publish its preview."""
    return _saved(marked((160, 120)), "TIFF", tiffinfo={50706: b"\x01\x04\x00\x00"})


def _raw_tiff() -> bytes:
    """A TIFF whose first image is a preview pointing to the sensor data, as NEF and ARW are."""
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[254], tags[330] = 1, 8  # a reduced-resolution image; its SubIFDs
    tags.tagtype[330] = 4
    return _saved(marked((160, 120)), "TIFF", tiffinfo=tags)


UNSUPPORTED = [
    ("anh.psd", psd_file, "Photoshop (PSD)"),
    ("scan.pdf", lambda: _saved(marked((160, 120)), "PDF"), "PDF"),
    ("IMG_0001.CR2", lambda: b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(200),
     "RAW của máy ảnh Canon (CR2)"),
    ("IMG_0001.CR3", lambda: b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom" + bytes(200),
     "RAW của máy ảnh Canon (CR3)"),
    ("DSC_0001.dng", _dng, "RAW (DNG)"),
    ("DSC_0001.NEF", _raw_tiff, "RAW của máy ảnh"),
    ("anh.jxl", lambda: b"\x00\x00\x00\x0cJXL \r\n\x87\n" + bytes(200), "JPEG XL"),
    ("anh.jxl", lambda: b"\xff\x0a\xfa\x7f" + bytes(200), "JPEG XL"),
    ("logo.svg", lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ("favicon.ico", lambda: _saved(marked((32, 32)), "ICO"), "ICO (biểu tượng)"),
]


@pytest.mark.parametrize(("name", "make", "label"), UNSUPPORTED, ids=[u[0] + u[2] for u in UNSUPPORTED])
def test_a_format_the_site_cannot_read_is_named(name, make, label):
    files, photo, problems = process_photo(make(), f"profiles/x/{name}", WIDTHS, MAX_PIXELS)
    assert files == {} and photo is None
    [problem] = problems
    assert (problem.code, problem.field, problem.severity) == ("E046", "Ảnh", Severity.ERROR)
    assert problem.message == f"định dạng {label} chưa hỗ trợ"
    assert problem.hint.startswith("xuất lại ảnh sang JPEG")


def test_a_plain_tiff_is_still_a_photo():
    _, photo, problems = process_photo(_saved(marked((160, 120)), "TIFF"), "profiles/scan.tif", WIDTHS,
                                       MAX_PIXELS)
    assert photo is not None and problems == []


def test_a_file_that_is_no_photo_is_still_e042():
    _, photo, problems = process_photo("Biên bản họp dân".encode(), "profiles/a.jpg", WIDTHS, MAX_PIXELS)
    assert photo is None
    assert [(p.code, p.message, p.hint) for p in problems] == [
        ("E042", "tệp không phải là ảnh (dù có đuôi ảnh)", "chọn lại đúng tệp ảnh JPEG hoặc PNG")]


def test_a_tiny_photo_is_never_blown_up():
    data = _saved(marked((120, 90)), "JPEG", quality=90)
    files, photo, problems = process_photo(data, "profiles/nho.jpg", WIDTHS, MAX_PIXELS)
    assert problems == []
    assert sorted(files) == ["120.jpg", "120.webp", "the.jpg", "the.webp"]
    assert [(v.width, v.height) for v in photo.card] == [(120, 90), (120, 90)]
    for name, data in files.items():
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (120, 90), name
    assert photo.srcset("image/webp", "/anh/") == "/anh/120.webp 120w"


@pytest.mark.parametrize(("size", "card"), [
    ((4000, 3000), (480, 360)),  # large: the full 480×360
    ((480, 360), (480, 360)),
    ((120, 90), (120, 90)),  # small: its own size
    ((300, 200), (267, 200)),  # wider than 4:3: cut at the sides
    ((100, 100), (100, 75)),  # square: cut at top and bottom
    ((2000, 300), (400, 300)),  # a panorama of little height
    ((1, 1), (1, 1)),
])
def test_the_card_crop_is_4_3_and_never_larger_than_the_photo(size, card):
    assert card_size_for(*size) == card


def test_a_small_lead_photo_is_a_warning_with_its_size():
    photos = {}
    for source, size in (("profiles/a/nho.jpg", (800, 600)), ("profiles/a/lon.jpg", (1280, 960)),
                         ("profiles/a/doc.jpg", (720, 960))):
        data = _saved(marked(size), "JPEG")
        photos[source] = process_photo(data, source, WIDTHS, MAX_PIXELS)[1]
    profiles = [SimpleNamespace(source="profiles/a/mot.md", image="profiles/a/nho.jpg"),
                SimpleNamespace(source="profiles/a/hai.md", image="profiles/a/lon.jpg"),
                SimpleNamespace(source="profiles/a/ba.md", image="profiles/a/doc.jpg"),
                SimpleNamespace(source="profiles/a/bon.md", image=None)]
    [warning] = small_lead_photos(profiles, photos)
    assert warning.format() == (
        "profiles/a/mot.md: Image: [cảnh báo] ảnh đại diện 'profiles/a/nho.jpg' quá nhỏ (800×600 px, cần "
        "cạnh dài từ 960 px) (gợi ý: dùng ảnh gốc từ điện thoại hoặc máy ảnh, không dùng ảnh đã thu nhỏ "
        "hay ảnh chụp màn hình; ảnh nhỏ vẫn được đăng) [W043]")
    assert warning.severity is Severity.WARNING


@pytest.mark.parametrize(("size", "box"), [((120, 90), (120, 90)), ((1000, 750), (1000, 630))])
def test_a_small_photo_sits_in_the_share_card_unscaled(size, box):
    photo = _saved(Image.new("RGB", size, (40, 200, 60)), "PNG")
    data = draw_share_card("Ảnh nhỏ", "Lâm Đồng", 2024, "Lan Tỏa", ROOT / "theme/fonts", photo)
    with Image.open(io.BytesIO(data)) as card:
        assert card.size == SHARE_SIZE
        left = (SHARE_SIZE[0] - box[0]) // 2
        inside = card.getpixel((left + 6, SHARE_SIZE[1] // 2 + box[1] // 2 - 6))
        outside = card.getpixel((left - 6, SHARE_SIZE[1] // 2 + box[1] // 2 - 6))
        assert inside[1] > 60 and outside[1] < 30  # the darkened green photo, then the dark tone


def test_a_large_photo_covers_the_share_card():
    photo = _saved(Image.new("RGB", (2400, 1800), (40, 200, 60)), "PNG")
    data = draw_share_card("Ảnh lớn", "Lâm Đồng", 2024, "Lan Tỏa", ROOT / "theme/fonts", photo)
    with Image.open(io.BytesIO(data)) as card:
        assert all(card.getpixel(xy)[1] > 60 for xy in ((3, 3), (1196, 626), (3, 626)))
