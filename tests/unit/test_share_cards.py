"""Share cards without a photo: encoded only where their text is, the same bytes as a whole encode."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lantoa.images import SHARE_SIZE, _encode_card, draw_share_card, share_card_image
from PIL import Image

from tests.conftest import ROOT

FONTS = ROOT / "theme/fonts"
SITE = "Lan Tỏa"

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàằầèềìòồờùừỳảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹáắấéếíóốớúứýạặậẹệịọộợụựỵ"

TITLE_LETTERS = VIETNAMESE + VIETNAMESE.upper() + " ,.-\u201c\u201d0123456789"


def whole(title: str, place: str, year: int) -> bytes:
    card, _ = share_card_image(title, place, year, SITE, FONTS)
    return _encode_card(card)


@pytest.mark.parametrize("title", [
    "A",
    "",
    "Mô hình \u201cDân vận khéo\u201d trong xây dựng nông thôn mới ở xã Ẩm Hậu",
    "Ủyban" * 40,  # one word longer than a line: cut, never overflowing
    "Gặp gỡ, lắng nghe ý kiến người dân, giải quyết dứt điểm kiến nghị " * 6,  # four lines and "…"
    "gịỵ ẬỆỘ ǵ ỵỵỵ",  # marks above and below the line
])
def test_a_plain_card_is_the_whole_encode(title: str) -> None:
    card = draw_share_card(title, "Xã Hòa Phú, tỉnh Đắk Lắk", 2024, SITE, FONTS)
    assert card == whole(title, "Xã Hòa Phú, tỉnh Đắk Lắk", 2024)
    with Image.open(io.BytesIO(card)) as image:
        image.load()
        assert image.size == SHARE_SIZE and image.format == "JPEG"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(st.sampled_from(TITLE_LETTERS), max_size=160),
       place=st.text(st.sampled_from(VIETNAMESE + " ,"), max_size=60),
       year=st.integers(1945, 2100))
def test_any_plain_card_is_the_whole_encode(title: str, place: str, year: int) -> None:
    assert draw_share_card(title, place, year, SITE, FONTS) == whole(title, place, year)


def test_the_text_is_there() -> None:
    """The rows taken from the background are only those the text leaves alone."""
    card = Image.open(io.BytesIO(draw_share_card("Đường hoa nông thôn", "Lâm Đồng", 2020, SITE, FONTS)))
    plain = Image.open(io.BytesIO(draw_share_card("", "", 2020, SITE, FONTS)))
    title_band = (0, 140, SHARE_SIZE[0], 480)
    assert card.crop(title_band).convert("L").getextrema()[1] > 240  # white title letters
    assert plain.crop(title_band).convert("L").getextrema()[1] < 120  # the red alone


def test_text_beside_the_site_name_or_another_colour_is_left_to_the_whole_card() -> None:
    from lantoa.images import SHARE_CREAM, _plain_splicer, _TextLayer

    splicer = _plain_splicer(FONTS, SITE)

    def layer(ink: tuple[int, int, int], rows: list[tuple[int, int]]) -> _TextLayer:
        coverage = Image.new("L", SHARE_SIZE)
        for top, bottom in rows:
            coverage.paste(255, (100, top, 400, bottom))
        return _TextLayer(ink, coverage, rows)

    white = (255, 255, 255)
    assert splicer.encode_text([layer(white, [(300, 340)]), layer(SHARE_CREAM, [(540, 570)])]) is not None
    # The site's name is drawn at the top of the background: its rows are not one colour.
    assert splicer.encode_text([layer(white, [(60, 90)])]) is None
    # Title and caption in one block row: a palette colours one ink only.
    assert splicer.encode_text([layer(white, [(300, 340)]), layer(SHARE_CREAM, [(338, 350)])]) is None
