"""Share cards without a photo: a PNG whose text alone is compressed, its pixels those of the card."""

from __future__ import annotations

import io
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lantoa.images import (
    _STEPS,
    SHARE_CREAM,
    SHARE_MARGIN,
    SHARE_RED,
    SHARE_SIZE,
    _adler32_joined,
    _card_text,
    _ink_palette,
    _plain_cards,
    _TextLayer,
    draw_share_card,
    png_is_whole,
    share_card_image,
)
from PIL import Image

from tests.conftest import ROOT

FONTS = ROOT / "theme/fonts"
SITE = "Lan Tỏa"
WHITE = (255, 255, 255)

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàằầèềìòồờùừỳảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹáắấéếíóốớúứýạặậẹệịọộợụựỵ"

TITLE_LETTERS = VIETNAMESE + VIETNAMESE.upper() + " ,.-\u201c\u201d0123456789"


def idat(png: bytes) -> bytes:
    """The zlib stream of a PNG's image data."""
    position, stream = 8, b""
    while position < len(png):
        length = int.from_bytes(png[position:position + 4], "big")
        if png[position + 4:position + 8] == b"IDAT":
            stream += png[position + 8:position + 8 + length]
        position += 12 + length
    return stream


def assert_is_the_card(png: bytes, title: str, place: str, year: int) -> None:
    # zlib checks the stream's Adler-32 of every scanline: the spliced checksum is right.
    scanlines = zlib.decompress(idat(png))
    width, height = SHARE_SIZE
    row = width // 2 + 1  # four bits a pixel, behind the filter byte
    assert len(scanlines) == row * height
    assert all(scanlines[number * row] == 0 for number in range(height))
    with Image.open(io.BytesIO(png)) as card:
        card.load()
        assert card.format == "PNG" and card.mode == "P" and card.size == SHARE_SIZE
        expected = share_card_image(title, place, year, SITE, FONTS)
        assert card.tobytes() == expected.tobytes()
        assert card.getpalette() == expected.getpalette()


@pytest.mark.parametrize("title", [
    "A",
    "",
    "Mô hình \u201cDân vận khéo\u201d trong xây dựng nông thôn mới ở xã Ẩm Hậu",
    "Ủyban" * 40,  # one word longer than a line: cut, never overflowing
    "Gặp gỡ, lắng nghe ý kiến người dân, giải quyết dứt điểm kiến nghị " * 6,  # four lines and "…"
    "gịỵ ẬỆỘ ǵ ỵỵỵ",  # marks above and below the line
])
def test_a_plain_card_is_its_pixels(title: str) -> None:
    assert_is_the_card(draw_share_card(title, "Xã Hòa Phú, tỉnh Đắk Lắk", 2024, SITE, FONTS),
                       title, "Xã Hòa Phú, tỉnh Đắk Lắk", 2024)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(st.sampled_from(TITLE_LETTERS), max_size=160),
       place=st.text(st.sampled_from(VIETNAMESE + " ,"), max_size=60),
       year=st.integers(1945, 2100))
def test_any_plain_card_is_its_pixels(title: str, place: str, year: int) -> None:
    assert_is_the_card(draw_share_card(title, place, year, SITE, FONTS), title, place, year)


def test_the_colours_are_the_blends_of_pasting_the_ink() -> None:
    """Every pixel is within one palette step of painting the ink through its coverage."""
    title, place = "Đường hoa nông thôn", "Xã Hòa Phú, Đắk Lắk"
    card = Image.open(io.BytesIO(draw_share_card(title, place, 2020, SITE, FONTS))).convert("RGB")
    painted = Image.new("RGB", SHARE_SIZE, SHARE_RED)
    for layer in _card_text(title, place, 2020, FONTS):
        layer.paint(painted)
    # Below the site's name (not painted here), each channel differs by at most half a step
    # of coverage (255 / _STEPS), rounding aside.
    band = (0, 120, *SHARE_SIZE)
    pairs = zip(card.crop(band).get_flattened_data(), painted.crop(band).get_flattened_data(), strict=True)
    difference = max(abs(a - b) for got, want in pairs for a, b in zip(got, want, strict=True))
    assert difference <= 255 // (2 * _STEPS) + 2
    assert card.getpixel((3, 3)) == SHARE_RED
    assert card.crop((0, 140, SHARE_SIZE[0], 480)).convert("L").getextrema()[1] == 255  # white letters
    palette = _ink_palette(SHARE_RED, WHITE)
    assert tuple(palette[-3:]) == WHITE


def test_a_plain_card_is_half_the_bytes_of_a_jpeg() -> None:
    from lantoa.images import _encode_card

    title = "Mô hình \u201cDân vận khéo\u201d trong xây dựng nông thôn mới ở xã Ẩm Hậu"
    png = draw_share_card(title, "Xã Hòa Phú, tỉnh Đắk Lắk", 2024, SITE, FONTS)
    jpeg = _encode_card(Image.open(io.BytesIO(png)).convert("RGB"))
    assert len(png) < len(jpeg) / 2


def test_text_beside_the_site_name_or_the_other_ink_is_still_the_card() -> None:
    cards = _plain_cards(FONTS, SITE)

    def layer(ink: tuple[int, int, int], rows: list[tuple[int, int]]) -> _TextLayer:
        coverage = Image.new("L", SHARE_SIZE)
        for top, bottom in rows:
            coverage.paste(200, (100, top, 400, bottom))
        return _TextLayer(ink, coverage, rows)

    for layers in (
        [layer(WHITE, [(300, 340)]), layer(SHARE_CREAM, [(540, 570)])],
        [layer(WHITE, [(60, 90)])],  # over the rows of the site's name
        [layer(WHITE, [(300, 340)]), layer(SHARE_CREAM, [(338, 350)])],  # two inks in one band
        [layer(WHITE, [(-20, 8)]), layer(SHARE_CREAM, [(600, 700)])],  # past the card's edges
    ):
        png = cards.encode(layers)
        with Image.open(io.BytesIO(png)) as card:
            card.load()
            assert card.tobytes() == cards.indices(layers).tobytes()
        zlib.decompress(idat(png))


def joined(first: bytes, second: bytes) -> int:
    return _adler32_joined(zlib.adler32(first), zlib.adler32(second), len(second))


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_joined_checksums_are_the_checksum_of_the_joined_bytes(first: bytes, second: bytes) -> None:
    assert joined(first, second) == zlib.adler32(first + second)


def test_large_inputs_join_too() -> None:
    first, second = bytes(range(256)) * 400, b"\xff" * 70_000
    assert joined(first, second) == zlib.adler32(first + second)


@settings(max_examples=40, deadline=None)
@given(title=st.text(st.sampled_from(TITLE_LETTERS + "ẬỆỘẤẦẨẪẬǴỴỶỸgjpqyỵ"), max_size=160),
       place=st.text(st.sampled_from(VIETNAMESE.upper() + "gjpqy ,"), max_size=60))
def test_a_mask_reaches_past_its_text(title: str, place: str) -> None:
    """A layer's mask spans only the rows its text can reach: no glyph is cut at its edges."""
    for layer in _card_text(title, place, 2024, FONTS):
        width, height = layer.coverage.size
        assert layer.coverage.crop((0, 0, width, 1)).getbbox() is None or layer.top == 0
        assert layer.coverage.crop((0, height - 1, width, height)).getbbox() is None \
            or layer.top + height == SHARE_SIZE[1]
        assert all(layer.top <= top and bottom <= layer.top + height for top, bottom in layer.rows)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.text(st.sampled_from(TITLE_LETTERS + "ẬỆỘẤgjpqyỵ"), max_size=40),
                      min_size=1, max_size=4),
       size=st.sampled_from([34, 52, 68]), spacing=st.integers(20, 90))
def test_copying_words_in_gives_the_mask_that_blending_them_gives(lines: list[str], size: int,
                                                                  spacing: int) -> None:
    from lantoa.images import _typeset

    font = _typeset(str(FONTS / "NotoSans-Bold.ttf"), size)
    copied, blended = Image.new("L", (1200, 500)), Image.new("L", (1200, 500))
    drawn: list[tuple[int, int, int, int]] = []
    for number, line in enumerate(lines):  # lines close enough for marks and descenders to meet
        font.draw(copied, (40, 20 + number * spacing), line, 255, drawn)
        font.draw(blended, (40, 20 + number * spacing), line, 255)
    assert copied.tobytes() == blended.tobytes()


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_plain_card_is_whole_until_a_byte_changes_or_goes(data) -> None:
    """A PNG card checks itself (no checksum file beside it in the cache): any byte changed,
    the file cut short or something after its end is found."""
    card = CHECKED_CARD
    assert png_is_whole(card)
    at = data.draw(st.integers(0, len(card) - 1), label="byte")
    changed = bytearray(card)
    changed[at] ^= data.draw(st.integers(1, 255), label="flipped bits")
    assert not png_is_whole(bytes(changed))
    assert not png_is_whole(card[:data.draw(st.integers(0, len(card) - 1), label="cut at")])
    assert not png_is_whole(card + data.draw(st.binary(min_size=1, max_size=16), label="after"))


CHECKED_CARD = draw_share_card("Dân vận khéo ở thôn K'Long", "Xã Hòa Phú, tỉnh Đắk Lắk", 2024, SITE, FONTS)


@settings(max_examples=30, deadline=None)
@given(text=st.text(st.sampled_from(TITLE_LETTERS + "ẬỆỘẤgjpqyỵ"), min_size=1, max_size=40),
       pen=st.integers(-40, 1100))
def test_a_layers_rows_are_scanlines_as_they_are(text: str, pen: int) -> None:
    """The two blank columns before a layer's mask are each row's filter byte once packed
    four bits a pixel: the rows compress as they are, the same scanlines as the mask's
    packed rows each put behind a 0, even where a glyph reaches past the card's left edge."""
    from lantoa.images import _drawn, _typeset

    font = _typeset(str(FONTS / "NotoSans-Bold.ttf"), 52)
    layer = _drawn(WHITE, font, 52, [((pen, 200), text)], indexed=True)
    assert layer.left == 2 and layer.coverage.width == SHARE_SIZE[0] + 2
    assert layer.coverage.getextrema()[1] < 16  # indices, four bits each
    box = (0, layer.top - 3, SHARE_SIZE[0], layer.top + layer.coverage.height + 5)
    rows = layer.mask(box).tobytes("raw", "L;4")
    width = SHARE_SIZE[0] // 2
    expected = b"".join(b"\0" + rows[start:start + width] for start in range(0, len(rows), width))
    assert layer.scanlines(box) == expected
    unpadded = _TextLayer(WHITE, layer.coverage.crop((2, 0, SHARE_SIZE[0] + 2, layer.coverage.height)),
                          layer.rows, layer.top, indexed=layer.indexed)
    assert unpadded.scanlines(box) == expected


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.text(st.sampled_from(TITLE_LETTERS + "ẬỆỘẤgjpqyỵ"), max_size=40),
                      min_size=1, max_size=4),
       spacing=st.integers(20, 90), ink=st.sampled_from([WHITE, SHARE_CREAM]))
def test_a_layer_drawn_as_palette_indices_is_its_coverage_translated(lines: list[str], spacing: int,
                                                                     ink: tuple[int, int, int]) -> None:
    """Words copied in as palette indices give what translating the coverage gives; where two
    words meet (lines close enough for marks and descenders to), the layer is coverage again."""
    from lantoa.images import _drawn, _ink_indices, _typeset

    font = _typeset(str(FONTS / "NotoSans-Bold.ttf"), 52)
    placed = [((SHARE_MARGIN, 200 + number * spacing), line) for number, line in enumerate(lines)]
    coverage = _drawn(ink, font, 52, placed)
    indexed = _drawn(ink, font, 52, placed, indexed=True)
    assert not coverage.indexed
    assert (indexed.rows, indexed.top) == (coverage.rows, coverage.top)
    if indexed.indexed:
        assert indexed.coverage.tobytes() == coverage.coverage.tobytes().translate(_ink_indices(ink))
    else:
        assert indexed.coverage.tobytes() == coverage.coverage.tobytes()
    box = (0, coverage.top, SHARE_SIZE[0], coverage.top + coverage.coverage.height)
    assert indexed.indices(box).tobytes() == coverage.indices(box).tobytes()


@settings(max_examples=200, deadline=None)
@given(word=st.text(st.sampled_from(TITLE_LETTERS + "ẬỆỘẤgjpqyỵ\u0301\u200bー·"), min_size=1, max_size=12),
       size=st.sampled_from([34, 36, 68]))
def test_a_word_is_what_drawing_it_into_its_box_gives(word: str, size: int) -> None:
    """A word's mask is FreeType's bitmap as it comes (one layout): the bytes and place that
    drawing the word into a mask of its bounding box, as Pillow draws text, give."""
    from lantoa.images import _Typeset
    from PIL import ImageDraw

    font = _Typeset(str(FONTS / "NotoSans-Bold.ttf"), size)
    mask, offset, advance = font.word(word)
    left, top, right, bottom = font.font.getbbox(word)
    drawn = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    ImageDraw.Draw(drawn).text((-left, -top), word, font=font.font, fill=255)
    assert (mask.mode, mask.size, mask.tobytes()) == (drawn.mode, drawn.size, drawn.tobytes())
    assert offset == (left, top) and advance == font.font.getlength(word)
