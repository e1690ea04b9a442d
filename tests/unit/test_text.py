"""Vietnamese text helpers: folding, NFC, slugs, name keys and collation."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lantoa.text import (
    collation_key,
    fold,
    folded_key,
    marked_key,
    name_key,
    nfc,
    place_slug,
    slugify,
    sort_vietnamese,
    strip_unit_prefix,
    unit_prefix,
    variant_key,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, database=None)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# -- fold ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đắk Nông", "dak nong"),
        ("DÂN VẬN KHÉO", "dan van kheo"),
        ("Lâm Đồng", "lam dong"),
        ("  Thừa   Thiên\tHuế ", "thua thien hue"),
        ("Ươm mầm", "uom mam"),
    ],
)
def test_fold_lowercases_and_drops_every_diacritic_including_d_bar(text, expected):
    assert fold(text) == expected


def test_fold_treats_nfd_input_like_precomposed_input():
    assert fold(nfd("Đắk Nông")) == "dak nong"


# -- NFC -----------------------------------------------------------------------


def test_nfd_input_is_not_byte_equal_to_precomposed_input():
    # Guard for the tests below: the NFD form really is a different string.
    assert nfd("Lâm Hà") != "Lâm Hà"
    assert len(nfd("Lâm Hà")) > len("Lâm Hà")


def test_nfc_composes_combining_marks():
    assert nfc(nfd("Lâm Hà")) == "Lâm Hà"


def test_slugify_of_nfd_equals_slugify_of_precomposed():
    assert slugify(nfd("Lâm Hà")) == slugify("Lâm Hà") == "lam-ha"


def test_name_key_of_nfd_equals_name_key_of_precomposed():
    assert name_key(nfd("Lâm Hà")) == name_key("Lâm Hà")


def test_place_slug_of_nfd_equals_place_slug_of_precomposed():
    assert place_slug(nfd("Huyện Lâm Hà")) == place_slug("Huyện Lâm Hà") == "lam-ha"


# -- slugify / place_slug --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đồng Tháp", "dong-thap"),
        ("Dân vận khéo", "dan-van-kheo"),
        ("ĐẮK LẮK", "dak-lak"),
        ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
        ("Mô hình  “Dân vận khéo” năm 2023!", "mo-hinh-dan-van-kheo-nam-2023"),
        ("", ""),
    ],
)
def test_slugify_is_ascii_lowercase_hyphenated_with_d_bar_as_d(text, expected):
    assert slugify(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Huyện Lâm Hà", "lam-ha"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
        ("TP. Huế", "hue"),
        ("TP Hồ Chí Minh", "ho-chi-minh"),
        ("Tỉnh Lâm Đồng", "lam-dong"),
        ("tỉnh lâm đồng", "lam-dong"),
        ("Thị trấn Đinh Văn", "dinh-van"),
        ("Thị xã Sơn Tây", "son-tay"),
        ("Xã Đinh Văn Lâm Hà", "dinh-van-lam-ha"),
        ("Phường Bến Nghé", "ben-nghe"),
        ("Đặc khu Phú Quốc", "phu-quoc"),
        ("Lâm Đồng", "lam-dong"),
    ],
)
def test_place_slug_drops_the_unit_type_word(name, expected):
    assert place_slug(name) == expected


def test_strip_unit_prefix_prefers_the_longest_unit_word():
    assert strip_unit_prefix("Thành phố Hồ Chí Minh") == "Hồ Chí Minh"
    assert strip_unit_prefix("Thị trấn Đinh Văn") == "Đinh Văn"


def test_strip_unit_prefix_keeps_a_name_that_is_only_a_unit_word():
    assert strip_unit_prefix("Huyện") == "Huyện"


def test_strip_unit_prefix_does_not_cut_a_name_that_merely_starts_like_a_unit_word():
    # "Tp" needs a space or a dot after it to be a prefix; "Xã" needs a space.
    assert strip_unit_prefix("Tphong") == "Tphong"
    assert strip_unit_prefix("Xãhội") == "Xãhội"


# -- name_key ------------------------------------------------------------------


def test_name_key_ignores_tone_placement():
    assert name_key("Khánh Hoà") == name_key("Khánh Hòa")
    assert name_key("Thuỷ Nguyên") == name_key("Thủy Nguyên")


def test_name_key_ignores_case():
    assert name_key("LÂM ĐỒNG") == name_key("lâm đồng") == name_key("Lâm Đồng")


def test_name_key_ignores_unit_prefix():
    assert name_key("Tỉnh Lâm Đồng") == name_key("Lâm Đồng")
    assert name_key("TP. Hồ Chí Minh") == name_key("Thành phố Hồ Chí Minh")


def test_name_key_ignores_punctuation_and_spacing():
    assert name_key("Bà Rịa - Vũng Tàu") == name_key("Bà Rịa–Vũng  Tàu")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Lâm Đông", "Lâm Đồng"),
        ("Lam Dong", "Lâm Đồng"),
        ("Hà Nam", "Hà Nội"),
        ("Đồng Nai", "Dồng Nai"),
    ],
)
def test_name_key_keeps_diacritics_significant(one, other):
    assert name_key(one) != name_key(other)


# -- collation -------------------------------------------------------------------


def vn_sorted(items):
    return sorted(items, key=collation_key)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Lạng Sơn", "Lâm Đồng"),
        ("Đồng Tháp", "Gia Lai"),
        ("Cà Mau", "Cao Bằng"),
        ("Cao Bằng", "Cần Thơ"),
        ("Huế", "Hưng Yên"),
        ("Thái Nguyên", "Thanh Hóa"),
        ("Ô Môn", "Ơ Bờ"),
    ],
)
def test_collation_orders_pairs_of_place_names(first, second):
    assert collation_key(first) < collation_key(second)
    assert vn_sorted([second, first]) == [first, second]


def test_collation_puts_a_breve_and_circumflex_in_alphabet_order():
    assert vn_sorted(["â", "a", "ă"]) == ["a", "ă", "â"]


def test_collation_puts_d_bar_between_d_and_e():
    assert vn_sorted(["e", "đ", "d"]) == ["d", "đ", "e"]
    assert vn_sorted(["E", "Đ", "D"]) == ["D", "Đ", "E"]


def test_collation_sorts_the_whole_alphabet_in_vietnamese_order():
    letters = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    assert vn_sorted(reversed(letters)) == letters


def test_collation_breaks_ties_by_tone_in_dictionary_order():
    # Không dấu, huyền, hỏi, ngã, sắc, nặng.
    assert vn_sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_collation_lets_letters_win_over_tones():
    # "à" carries a tone but its letters ("ab") come before "ac".
    assert vn_sorted(["ac", "àb"]) == ["àb", "ac"]


def test_collation_puts_a_space_before_any_letter():
    assert vn_sorted(["Cao", "Cà Mau"]) == ["Cà Mau", "Cao"]


def test_collation_of_nfd_text_matches_nfc_text_order():
    assert collation_key(nfd("Lâm Đồng"))[:2] == collation_key("Lâm Đồng")[:2]


def test_sort_vietnamese_uses_the_key_function():
    items = [{"n": "Gia Lai"}, {"n": "Đồng Tháp"}, {"n": "Cần Thơ"}, {"n": "Cà Mau"}]
    ordered = sort_vietnamese(items, key=lambda item: item["n"])
    assert [item["n"] for item in ordered] == ["Cà Mau", "Cần Thơ", "Đồng Tháp", "Gia Lai"]


# -- properties ----------------------------------------------------------------

vietnamese_text = st.text(
    alphabet=st.sampled_from(
        "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíị"
        "òỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ -.,0123456789"
    )
)


@PROPERTY_SETTINGS
@given(st.text())
def test_slugify_always_gives_a_clean_slug_or_nothing(text):
    slug = slugify(text)
    assert slug == "" or SLUG_RE.fullmatch(slug)


@PROPERTY_SETTINGS
@given(vietnamese_text)
def test_slugify_of_vietnamese_text_is_a_clean_slug(text):
    slug = slugify(text)
    assert slug == "" or SLUG_RE.fullmatch(slug)


@PROPERTY_SETTINGS
@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@PROPERTY_SETTINGS
@given(vietnamese_text)
def test_fold_of_vietnamese_text_is_plain_ascii(text):
    assert fold(text).isascii()


@PROPERTY_SETTINGS
@given(st.text())
def test_name_key_does_not_depend_on_normalisation_form(text):
    assert name_key(nfc(text)) == name_key(nfd(text))


@PROPERTY_SETTINGS
@given(vietnamese_text)
def test_name_key_of_vietnamese_text_does_not_depend_on_normalisation_form(text):
    assert name_key(nfc(text)) == name_key(nfd(text))


@PROPERTY_SETTINGS
@given(st.text())
def test_collation_key_never_raises_and_is_a_total_order(text):
    letters, tones, original = collation_key(text)
    assert len(letters) == len(tones) == len(nfc(text).lower())
    assert original == text


# -- variant_key and folded_key ----------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sỹ Bình", "Sĩ Bình"),
        ("Quý Quân", "Quí Quân"),
        ("Kỳ Anh", "Kì Anh"),
        ("Đăk Blà", "Đắk Blà"),
        ("Đak Đoa", "Đăk Đoa"),
        ("Đắc Lua", "Dak Lua"),
        ("H'Nol", "HNol"),
        ("Ea-Bar", "EaBar"),
        ("Cư Ê Wi", "Cư Êwi"),
        ("Đắk D'rông", "Đắk DRông"),
        ("Phường 03", "Phường 3"),
        ("Hòa Tú 2", "Hòa Tú II"),
        ("Thị trấn Nông trường Phong Hải", "Thị trấn NT Phong Hải"),
        ("N.T Liên Sơn", "Nông trường Liên Sơn"),
    ],
)
def test_variant_key_forgives_the_spelling_variants_of_the_official_lists(one, other):
    assert variant_key(one) == variant_key(other)
    assert name_key(one) != name_key(other) or one.lower() == other.lower()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Thủy", "Thi"),  # "uy" is a vowel, not y after a consonant
        ("Xà Phìn", "Sà Phìn"),  # s/x tell real communes apart
        ("Minh Quán", "Minh Quân"),
        ("Ba Tơ", "Ba Tô"),
    ],
)
def test_variant_key_keeps_letters_and_diacritics_that_tell_places_apart(one, other):
    assert variant_key(one) != variant_key(other)


def test_folded_key_drops_every_diacritic_after_the_variants():
    assert folded_key("Lam Dong") == folded_key("Lâm Đồng") == folded_key("Tỉnh Lâm Đông")
    assert folded_key("Phố Bảng") == folded_key("Phó Bảng")
    assert folded_key("Sỹ Binh") == folded_key("Sĩ Bình")


@pytest.mark.parametrize(
    ("text", "name", "word"),
    [("TT. Đinh Văn", "Đinh Văn", "thị trấn"), ("P. Bến Nghé", "Bến Nghé", "phường"),
     ("Q.1", "1", "quận"), ("P3", "3", "phường"), ("TX Buôn Hồ", "Buôn Hồ", "thị xã"),
     ("H. Lâm Hà", "Lâm Hà", "huyện"), ("TP. Huế", "Huế", "thành phố")],
)
def test_abbreviated_unit_words_are_read_as_unit_words(text, name, word):
    assert strip_unit_prefix(text) == name
    assert unit_prefix(text) == word


def test_marked_key_keeps_every_mark_and_places_the_tone_last():
    assert marked_key("hoà") == marked_key("hòa") == "hoa\u0300"
    assert len({marked_key("hoa"), marked_key("hóa"), marked_key("hòa"), marked_key("hỏa")}) == 4
    assert marked_key("lâm") == "lâm" and marked_key("đường") == "đương\u0300"
    assert marked_key("k") == "k"


# -- the slug table agrees with python-slugify ----------------------------------------
SLUG_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàằầèềìòồờùừỳảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹáắấéếíóốớúứýạặậẹệịọộợụựỵfjwz"


def library_slug(text: str) -> str:
    from lantoa.text import _library_slug

    return _library_slug(nfc(text))


@PROPERTY_SETTINGS
@given(st.text(st.sampled_from(SLUG_LETTERS + SLUG_LETTERS.upper() + "0123456789 -")))
def test_the_letter_table_slugs_plain_text_as_python_slugify_does(text):
    assert slugify(text) == library_slug(text)
    assert slugify(nfd(text)) == library_slug(text)


@PROPERTY_SETTINGS
@given(st.text(st.sampled_from(SLUG_LETTERS + "0123456789 -.,'&;#’“”_/()")))
def test_text_outside_the_table_is_slugged_by_python_slugify(text):
    assert slugify(text) == library_slug(text)


def test_every_place_name_is_slugged_as_python_slugify_slugs_it(monkeypatch):
    """Every name the gazetteer slugs (current, legacy and historical units): the URLs of
    facet pages are a public contract."""
    import lantoa.gazetteer as gazetteer_module

    names: list[str] = []

    def recorded(name: str) -> str:
        names.append(name)
        return place_slug(name)

    monkeypatch.setattr(gazetteer_module, "place_slug", recorded)
    gazetteer_module.Gazetteer()
    assert len(names) > 10_000
    for name in names:
        assert place_slug(name) == library_slug(strip_unit_prefix(name)), name
