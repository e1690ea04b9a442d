"""The terms a profile is found by: Vietnamese syllables, folded and as written.

Text is cut into syllables (runs of letters and digits: "K'Ho" is "k", "ho"),
each kept folded ("ha", what a query without marks matches) and as written with
its tone mark last ("ha" and U+0300, `text.marked_key`, so "hoà" = "hòa"). A profile's
terms are its syllables and the pairs of syllables adjacent inside one sentence
of one field (or block of the body), joined by a space: "k ho" can equal neither
the syllable "kho" nor another pair. `lantoa.search_index` writes them out.
"""

from __future__ import annotations

import html
import re
from array import array
from collections.abc import Hashable, Iterable
from functools import lru_cache
from itertools import pairwise
from operator import itemgetter
from typing import NamedTuple

from .model import Profile
from .text import ABBREVIATIONS, fold, marked_key, nfc

# A Vietnamese syllable has at most seven letters; longer runs are numbers, codes or
# pasted junk. They are not indexed, and a pair never spans one.
MAX_SYLLABLE = 40

# Tags that do not end a block of text: a pair may span them ("<b>Lâm</b> Hà").
_INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i",
                "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
                "time", "u", "var", "wbr"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|<!--.*?-->", re.S)
# A sentence ends with a word (text between spaces) ending in . ! ? … or ;, closing
# quotes and brackets after it included, unless the word is an abbreviation or an
# initial: "TP. Huế", "TT. Đinh Văn", "Nguyễn V. An".
_SENTENCE_END = re.compile(r"[.!?…;]+[\"”’»)\]]*$")
_OPENERS = "(\"“‘«["


def _ends_sentence(word: str) -> bool:
    end = _SENTENCE_END.search(word)
    if not end:
        return False
    before = word[:end.start()].lstrip(_OPENERS)
    return not (end.group().startswith(".") and (len(before) == 1 or before in ABBREVIATIONS))


def html_blocks(body_html: str) -> list[str]:
    """The text of each block (paragraph, heading, list item, cell …) of a body."""
    # A line break in the source is only a space: a block ends at a tag that ends it.
    cut = _TAG.sub(lambda m: " " if (m.group(2) or "").lower() in _INLINE_TAGS else "\0", body_html)
    return [html.unescape(block) for block in cut.split("\0") if block.strip()]


@lru_cache(maxsize=4096)
def _letter(char: str) -> str:
    """The ASCII letter or digit a character folds to, or "" when it separates syllables."""
    folded = fold(char)
    return folded if len(folded) == 1 and (folded.isascii() and folded.isalnum()) else ""


class Syllable(NamedTuple):
    folded: str  # "ha": what a query without marks is matched against
    marked: str  # "ha\u0300": as written, tone mark last (text.marked_key)


_BREAK = None  # a run too long to be a syllable: pairs do not span it


@lru_cache(maxsize=200_000)
def _token_syllables(token: str) -> tuple[Syllable | None, ...]:
    """The syllables of one lowercase token without spaces ("k'ho" → k, ho)."""
    found: list[Syllable | None] = []
    run: list[str] = []
    letters: list[str] = []

    def close() -> None:
        if run:
            written = "".join(run)
            found.append(Syllable("".join(letters), marked_key(written))
                         if len(run) <= MAX_SYLLABLE else _BREAK)
            run.clear()
            letters.clear()

    for char in token:
        letter = _letter(char)
        if letter:
            run.append(char)
            letters.append(letter)
        else:
            close()
    close()
    return tuple(found)


def chains(text: str) -> list[list[Syllable]]:
    """The runs of adjacent syllables of one piece of text (cut only by over-long runs)."""
    result: list[list[Syllable]] = [[]]
    for token in nfc(text).lower().split():
        for syllable in _token_syllables(token):
            if syllable is _BREAK:
                result.append([])
            else:
                result[-1].append(syllable)
    return [chain for chain in result if chain]


@lru_cache(maxsize=200_000)
def _token_keys(token: str) -> tuple[tuple[str, ...], tuple[str, ...], bool] | None:
    """`_token_syllables` as (folded keys, marked keys, whether a sentence ends after the
    token); None when it holds a run too long to be a syllable."""
    found = _token_syllables(token)
    if _BREAK in found:
        return None
    return (tuple(s.folded for s in found), tuple(s.marked for s in found),  # type: ignore[union-attr]
            _ends_sentence(token))


def _key_chains(text: str) -> list[tuple[list[str], list[str]]]:
    """The runs of adjacent syllables of one field as lists of folded and of marked
    keys, cut at the end of each sentence. Indexing reads every word of every
    profile: each distinct token is worked out once."""
    folded: list[str] = []
    marked: list[str] = []
    result = [(folded, marked)]
    for token in nfc(text).lower().split():
        keys = _token_keys(token)
        if keys is None:
            for syllable in _token_syllables(token):
                if syllable is _BREAK:
                    folded, marked = [], []
                    result.append((folded, marked))
                else:
                    folded.append(syllable.folded)
                    marked.append(syllable.marked)
            keys = ((), (), _ends_sentence(token))
        folded += keys[0]
        marked += keys[1]
        if keys[2]:
            folded, marked = [], []
            result.append((folded, marked))
    return result


def pair_key(first: str, second: str) -> str:
    """The key of two adjacent syllables: joined by a space, unlike any syllable."""
    return f"{first} {second}"


def terms_of(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """Folded and marked terms of separate pieces of text: every syllable, and every
    pair of syllables adjacent inside one sentence of one piece (`pair_key`). A marked
    term is kept only when it carries a diacritic, that is when it is not ASCII like
    every folded term."""
    folded: set[str] = set()
    marked: set[str] = set()
    for text in texts:
        for folded_keys, marked_keys in _key_chains(text):
            folded.update(folded_keys)
            folded.update(map(" ".join, pairwise(folded_keys)))
            marked.update(marked_keys)
            marked.update(map(" ".join, pairwise(marked_keys)))
    return folded, marked - folded


def query_terms(query: str) -> list[str]:
    """What a query without marks looks up: its pairs for two syllables or more, else the syllable."""
    words = chains(query)
    flat = [s.folded for chain in words for s in chain]
    if len(flat) < 2:
        return flat
    return [pair_key(a.folded, b.folded) for chain in words for a, b in pairwise(chain)]


def _strong_texts(profile: Profile) -> list[str]:
    place = profile.place
    units = [place.province, *place.communes, place.historical_province, place.historical_district,
             place.historical_commune]
    return [profile.title, profile.unit, profile.person, *(u.name for u in units if u)]


def _other_texts(profile: Profile) -> list[str]:
    return [profile.summary, *html_blocks(profile.body_html), *profile.results, *profile.tags,
            profile.awarded_by, profile.award]


class Terms(NamedTuple):
    """The terms of one profile, kept between builds while the profile is unchanged
    (`TermStore` keeps them as numbers).

    Tuples of distinct strings, not sets: a tuple costs a third of a set per term."""

    strong: tuple[str, ...]  # folded terms of its strong fields
    anywhere: tuple[str, ...]  # folded terms of all its text
    marked: tuple[str, ...]  # terms as written, where they carry a diacritic


def profile_terms(profile: Profile) -> Terms:
    """A profile's terms, as it is read now. Not interned: the terms a build keeps are
    `TermStore`'s, one string per term for all profiles, and interning each profile's
    thousand terms took 0.06 of the 0.4 ms its terms take."""
    strong, strong_marked = terms_of(_strong_texts(profile))
    other, other_marked = terms_of(_other_texts(profile))
    return Terms(tuple(strong), tuple(strong | other), tuple(strong_marked | other_marked))


class TermStore:
    """Profiles' `Terms` by a key (a digest), kept between builds as arrays of term numbers.

    A term is a number into one vocabulary shared by all profiles: four bytes per term
    held, against eight for a reference in a tuple (some 50 million of them at 100,000
    profiles), and an array is read back as one block of bytes, not term by term.
    Numbers stay while the store lives; once as many profiles have been dropped as the
    store holds, the terms are numbered again, so the vocabulary keeps to about what the
    profiles use.

    Kept packed: every profile's numbers in one array, with where each part starts, and the
    vocabulary as one string. Read back, a profile's arrays are cut from it when asked for:
    an edit asks for a few, and unpickling 10,000 profiles' tuples of arrays took 45 ms of
    the search helper, the vocabulary's 66,000 strings 11 ms.
    """

    _PARTS = len(Terms._fields)

    def __init__(self) -> None:
        self._words: list[str] = []
        self._numbers: dict[str, int] | None = {}
        self._coded: dict[Hashable, tuple[array[int], ...]] = {}
        # What was read back and not cut out yet: each key's position; the parts' starts; the numbers.
        self._position: dict[Hashable, int] = {}
        self._starts: array[int] = array("Q", [0])
        self._packed: array[int] = array("I")
        self._dropped = 0  # profiles dropped since the terms were last numbered

    def __len__(self) -> int:
        return len(self._coded) + len(self._position)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._coded or key in self._position

    def keys(self) -> Iterable[Hashable]:
        return [*self._coded, *self._position]

    def get(self, key: Hashable) -> Terms | None:
        coded = self._coded_of(key)
        if coded is None:
            return None
        words = self._words
        return Terms(*(itemgetter(*numbers)(words) if len(numbers) > 1 else tuple(words[n] for n in numbers)
                       for numbers in coded))

    def _coded_of(self, key: Hashable) -> tuple[array[int], ...] | None:
        coded = self._coded.get(key)
        if coded is None and key in self._position:
            first = self._position[key] * self._PARTS
            starts, packed = self._starts, self._packed
            coded = tuple(packed[starts[n]:starts[n + 1]] for n in range(first, first + self._PARTS))
        return coded

    def put(self, key: Hashable, terms: Terms) -> None:
        numbers = self._numbers
        if numbers is None:  # not pickled: made again when a term is first added
            numbers = self._numbers = {word: n for n, word in enumerate(self._words)}
        coded = tuple(self._numbered(part, numbers) for part in terms)
        if key in self._position or key in self._coded:
            self._position.pop(key, None)
            self._coded[key] = coded
            return
        # A new key goes straight into the packed arrays: a store filled by a cold build is
        # pickled as it is (`_pack`), not copied into them then, its numbers held twice.
        packed, starts = self._packed, self._starts
        for numbers in coded:
            packed.extend(numbers)
            starts.append(len(packed))
        self._position[key] = (len(starts) - 1) // self._PARTS - 1

    def _numbered(self, words: tuple[str, ...], numbers: dict[str, int]) -> array[int]:
        if len(words) < 2:
            return array("I", [self._number(word, numbers) for word in words])
        try:
            return array("I", itemgetter(*words)(numbers))  # one call in C, not one per word
        except KeyError:
            for word in set(words).difference(numbers):
                self._number(word, numbers)
            return array("I", itemgetter(*words)(numbers))

    def _number(self, word: str, numbers: dict[str, int]) -> int:
        found = numbers.get(word)
        if found is None:
            found = numbers[word] = len(self._words)
            self._words.append(word)
        return found

    def kept(self, keys: Iterable[Hashable]) -> TermStore:
        """A store of these keys' terms, where this one has them, with the same vocabulary."""
        kept = TermStore()
        kept._words, kept._numbers = self._words, self._numbers
        kept._starts, kept._packed = self._starts, self._packed
        for key in keys:
            if key in self._coded:
                kept._coded[key] = self._coded[key]
            elif key in self._position:
                kept._position[key] = self._position[key]
        kept._dropped = self._dropped + len(self) - len(kept)
        if kept._dropped > len(kept):
            kept._renumber()
        return kept

    def _all_coded(self) -> dict[Hashable, tuple[array[int], ...]]:
        """Every key's arrays, the packed ones cut out."""
        return {key: self._coded_of(key) for key in self.keys()}

    def _renumber(self) -> None:
        coded = self._all_coded()
        used = sorted({n for arrays in coded.values() for numbers in arrays for n in numbers})
        new = {old: new for new, old in enumerate(used)}
        self._words = [self._words[n] for n in used]
        self._numbers = None
        self._coded = {key: tuple(array("I", map(new.__getitem__, numbers)) for numbers in arrays)
                       for key, arrays in coded.items()}
        self._position, self._starts, self._packed = {}, array("Q", [0]), array("I")
        self._dropped = 0

    def _pack(self) -> None:
        """Every key's numbers in the packed arrays, in key order, and only those (a key put
        again or dropped leaves numbers behind): what is pickled (`__getstate__`)."""
        position, coded = self._position, self._coded
        if not coded and len(self._starts) == len(position) * self._PARTS + 1 and all(
                map(int.__eq__, position.values(), range(len(position)))):
            return  # as it was read back or filled: packed already
        old_starts, old_packed = self._starts, self._packed
        starts, packed = array("Q", [0]), array("I")
        packed_position: dict[Hashable, int] = {}
        for key, number in position.items():
            first = number * self._PARTS
            begin, end = old_starts[first], old_starts[first + self._PARTS]
            offset = len(packed) - begin
            packed.extend(old_packed[begin:end])
            starts.extend(offset + old_starts[n] for n in range(first + 1, first + self._PARTS + 1))
            packed_position[key] = len(packed_position)
        for key in list(coded):
            for numbers in coded.pop(key):
                packed.extend(numbers)
                starts.append(len(packed))
            packed_position[key] = len(packed_position)
        self._position, self._starts, self._packed = packed_position, starts, packed

    def __getstate__(self) -> dict:
        self._pack()
        # One string, split again when read: no term holds a NUL (a profile's control
        # characters are dropped when it is read); a list otherwise.
        words = self._words
        vocabulary = "\0".join(words) if words and not any("\0" in word for word in words) else words
        return {"words": vocabulary, "keys": list(self._position), "starts": self._starts,
                "packed": self._packed, "dropped": self._dropped}

    def __setstate__(self, state: dict) -> None:
        words = state["words"]
        self._words = words.split("\0") if isinstance(words, str) else words
        self._numbers = None
        self._dropped = state["dropped"]
        if "coded" in state:  # kept by an earlier version: a dict of each key's arrays
            self._coded, self._position = state["coded"], {}
            self._starts, self._packed = array("Q", [0]), array("I")
            return
        self._coded = {}
        self._position = {key: n for n, key in enumerate(state["keys"])}
        self._starts, self._packed = state["starts"], state["packed"]
