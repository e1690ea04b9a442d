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
    # Abbreviations editors and spreadsheets use: "TT. Đinh Văn", "P. Bến Nghé", "Q.1".
    "tt.",
    "tt",
    "tx.",
    "tx",
    "p.",
    "q.",
    "h.",
)
ABBREVIATIONS = {"tp": "thành phố", "tt": "thị trấn", "tx": "thị xã", "p": "phường",
                 "q": "quận", "h": "huyện"}
_PREFIX_RE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(p) for p in UNIT_PREFIXES) + r")(?:\s+|(?<=\.))"
    r"|[pq](?=\d))",  # "P3", "Q1": ward and district numbers written tight
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
    return ABBREVIATIONS.get(word.rstrip("."), word)


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-joined slug; đ becomes d (DESIGN §4).

    python-slugify makes every slug; a text of Vietnamese letters, digits, spaces and
    hyphens alone (a place name, a file name) is slugged by a table that python-slugify
    itself filled, letter by letter, at import: the same slug in 1.5 µs instead of 8
    (the gazetteer slugs 14,000 names, the readers about four texts a profile).
    """
    text = nfc(text)
    if _PLAIN_SLUG_TEXT.issuperset(text):
        return _DASHES.sub("-", text.translate(_SLUG_LETTERS)).strip("-")
    return _library_slug(text)


def _library_slug(text: str) -> str:
    return _slugify(text.replace("đ", "d").replace("Đ", "D"), lowercase=True)


def _slug_letters() -> dict[int, str]:
    """Each letter and digit of Vietnamese text → what python-slugify makes of it; a space
    or hyphen → a hyphen."""
    letters = "abcdefghijklmnopqrstuvwxyzđ0123456789" + "".join(
        unicodedata.normalize("NFC", base + marks)
        for base in "aăâeêioôơuưy" for marks in ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323"))
    letters += "ăâêôơư" + letters.upper()
    table = {ord(letter): _library_slug(letter) for letter in set(letters)}
    if not all(slug and slug.isascii() and slug.isalnum() for slug in table.values()):
        return {}  # another release of python-slugify: every slug by the library
    return {**table, ord(" "): "-", ord("-"): "-"}


_SLUG_LETTERS = _slug_letters()
_PLAIN_SLUG_TEXT = frozenset(map(chr, _SLUG_LETTERS))
_DASHES = re.compile("-{2,}")


def place_slug(name: str) -> str:
    """Slug of a place name without its unit-type word: "Huyện Lâm Hà" → "lam-ha"."""
    return slugify(strip_unit_prefix(name))


def _split_tone(syllable: str) -> tuple[str, str]:
    """A syllable without its tone mark, and the mark ("" when level): "hoà" → ("hoa", "\u0300")."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_MARKS:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def marked_key(syllable: str) -> str:
    """A syllable with every mark kept and its tone mark moved to the end (as the
    combining mark), so the old and new tone placements compare equal: "hoà" and
    "hòa" → "hoa\u0300", while "hoa", "hóa" and "hòa" stay three keys."""
    base, tone = _split_tone(syllable)
    return base + tone


def _syllable_key(syllable: str) -> str:
    """A syllable with its tone moved to the end, so "hoà" and "hòa" compare equal."""
    base, tone = _split_tone(syllable)
    return base + (str(_TONE_MARKS[tone]) if tone else "")


@lru_cache(maxsize=65536)  # every profile asks for the same few hundred names
def name_key(name: str) -> str:
    """Exact matching key of a place name: case, unit-type word, punctuation and
    tone placement ("Khánh Hoà" = "Khánh Hòa") do not matter; diacritics do."""
    words = re.sub(r"[^\w]+", " ", strip_unit_prefix(name).lower()).split()
    return " ".join(_syllable_key(word) for word in words)


# Spelling variants that the official lists themselves mix (DESIGN §3): none of them
# tells two places apart, so matching may ignore them once exact names have failed.
_APOSTROPHES = "'’‘`´ʼ"
_ONSETS = ("b", "c", "ch", "d", "đ", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
           "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")
_Y_AFTER_ONSET = re.compile(r"^(" + "|".join(sorted(_ONSETS, key=len, reverse=True)) + r")y$")
# "Đắk", "Đăk", "Đak", "Dak", "Đắc": one Central Highlands word (water), written every way.
_DAK = {"đăk", "đak", "dak", "đăc", "đac"}
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_NONG_TRUONG = re.compile(r"^nông trường\b|^n\.\s?t\.?(?=\s)|^nt\.?(?=\s)")


@lru_cache(maxsize=65536)
def _variant_syllables(name: str) -> tuple[str, ...]:
    """Syllables with variants undone: tone moved to the end (as its combining mark),
    y → i after a consonant (Sỹ = Sĩ, Quý = Quí), Đăk/Đắk/Đak → one form,
    numbers without leading zeros, Roman numerals as digits."""
    text = strip_unit_prefix(name).lower()
    text = _NONG_TRUONG.sub("nt", text)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")  # "H'Nol" = "HNol", "Đắk D'rông" = "Đắk Drông"
    syllables = []
    for word in re.sub(r"[^\w]+", " ", text).split():
        base, tone = _split_tone(word)
        if base.isascii() and base.isdigit():
            base = str(int(base))
        elif base in _ROMAN and not tone:
            base = _ROMAN[base]
        elif base in _DAK:
            base, tone = "đak", ""
        else:
            base = _Y_AFTER_ONSET.sub(r"\1i", base)
        syllables.append(base + tone)
    return tuple(syllables)


def variant_key(name: str) -> str:
    """Matching key that forgives the spelling variants of the official lists: y/i,
    Đăk/Đắk/Đak, apostrophes, hyphens, spaces and capitals inside minority-language
    names ("Ea H'leo" = "Ea Hleo" = "EaHLeo"), "Nông trường"/"NT", "Phường 03"/"Phường 3"."""
    return "".join(_variant_syllables(name))


def folded_key(name: str) -> str:
    """`variant_key` without any diacritic: "Lam Dong", "Pho Bang" match "Phó Bảng"."""
    return fold("".join(_variant_syllables(name))).replace(" ", "")


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
