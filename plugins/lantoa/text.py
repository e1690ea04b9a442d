"""Vietnamese text helpers: normalisation, diacritic folding, slugs and collation.

Every module that compares, sorts or slugifies Vietnamese text goes through here,
so "Lâm Đồng", "lam dong" and "LÂM ĐỒNG" are the same name everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from slugify import slugify as _slugify

# Unit-type words that place slugs and name matching drop (DESIGN §4).
# Longest first so "thành phố" wins over a shorter prefix.
UNIT_PREFIXES = (
    "thành phố trung ương",
    "thành phố",
    "thị trấn",
    "đặc khu",
    "thị xã",
    "tỉnh",
    "huyện",
    "quận",
    "phường",
    "xã",
    "tp.",
    "tp",
)
_PREFIX_RE = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in UNIT_PREFIXES) + r")(?:\s+|(?<=\.))",
    re.IGNORECASE,
)

_TONE_MARKS = {
    "\u0300": 1,  # huyền
    "\u0309": 2,  # hỏi
    "\u0303": 3,  # ngã
    "\u0301": 4,  # sắc
    "\u0323": 5,  # nặng
}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_ALPHABET_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}


def nfc(text: str) -> str:
    """Compose text to Unicode NFC: typed combining marks equal precomposed letters."""
    return unicodedata.normalize("NFC", text)


def _fold_table() -> dict[int, str | None]:
    """Every accented Latin letter to its base letter, combining marks to nothing."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "d"}
    for code in range(0x00C0, 0x2000):
        char = chr(code)
        if unicodedata.combining(char):
            table[code] = None
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char and base.isascii():
            table[code] = base.lower()
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lowercase text without any diacritics, đ included: "Đắk Nông" → "dak nong".

    A translation table, not per-character decomposition: search indexing folds
    every word of every profile.
    """
    return " ".join(text.lower().translate(_FOLD).split())


def strip_unit_prefix(name: str) -> str:
    """Drop a leading unit-type word: "Tỉnh Lâm Đồng" → "Lâm Đồng", "TP. Huế" → "Huế"."""
    name = " ".join(nfc(name).split())
    stripped = _PREFIX_RE.sub("", name, count=1).strip()
    return stripped or name


def unit_prefix(name: str) -> str | None:
    """The unit-type word a name starts with, normalised: "TP. Huế" → "thành phố"."""
    match = _PREFIX_RE.match(" ".join(nfc(name).split()))
    if not match:
        return None
    word = match.group(0).strip().lower()
    return "thành phố" if word in ("tp", "tp.") else word


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-joined slug; đ becomes d (DESIGN §4)."""
    return _slugify(nfc(text).replace("đ", "d").replace("Đ", "D"), lowercase=True)


def place_slug(name: str) -> str:
    """Slug of a place name without its unit-type word: "Huyện Lâm Hà" → "lam-ha"."""
    return slugify(strip_unit_prefix(name))


def _syllable_key(syllable: str) -> str:
    """A syllable with its tone moved to the end, so "hoà" and "hòa" compare equal."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_MARKS:
            tone = str(_TONE_MARKS[ch])
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def name_key(name: str) -> str:
    """Exact matching key of a place name: case, unit-type word, punctuation and
    tone placement ("Khánh Hoà" = "Khánh Hòa") do not matter; diacritics do."""
    words = re.sub(r"[^\w]+", " ", strip_unit_prefix(name).lower()).split()
    return " ".join(_syllable_key(word) for word in words)


def loose_key(name: str) -> str:
    """Key for suggestions: folded, so "Lam Dong" and "Lâm Đông" both land near "Lâm Đồng"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(strip_unit_prefix(name))).split())


@lru_cache(maxsize=65536)
def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Sort key in Vietnamese alphabetical order (a ă â b c d đ e ê …).

    Letters compare first and tone marks only break ties, so "Lạng Sơn" sorts
    before "Lâm Đồng" and "Đồng Tháp" before "Gia Lai".
    """
    letters: list[int] = []
    tones: list[int] = []
    for char in nfc(text).lower():
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = 0
        for mark in marks:
            if mark in _LETTER_MARKS:
                base = unicodedata.normalize("NFC", base + mark)
            elif mark in _TONE_MARKS:
                tone = _TONE_MARKS[mark]
        rank = _ALPHABET_RANK.get(base)
        # Spaces and punctuation sort before letters; digits before letters too.
        letters.append(100 + rank if rank is not None else ord(base) if ord(base) < 100 else 1000 + ord(base))
        tones.append(tone)
    return tuple(letters), tuple(tones), text


def sort_vietnamese(items, key=lambda item: item):  # type: ignore[no-untyped-def]
    """Sort items by a text attribute in Vietnamese alphabetical order."""
    return sorted(items, key=lambda item: collation_key(key(item)))
