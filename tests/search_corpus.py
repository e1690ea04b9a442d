"""Random short Vietnamese profiles for the search tests, what they should match, and
a reader of the index format in Python (the browser's is theme/static/js/search-index.js).

The expected matches are worked out here independently of `lantoa.search_index`:
syllables are the runs of ASCII letters and digits of the text once accents are
stripped by Unicode decomposition, and a phrase is a pair adjacent in one field.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from hypothesis import strategies as st
from lantoa.gazetteer import gazetteer
from lantoa.model import Field, Kind, Level, Place, Profile

# Syllables that collide once folded or glued together (k+ho / kho / khó, ha+noi /
# han+oi, lâm / làm / lam), tone marks placed old and new style (hoà / hòa),
# capitals, đ, digits and a one-letter syllable.
SYLLABLES = ("k", "ho", "kho", "khó", "khô", "Kho", "gạo", "khăn", "hà", "Hà", "hạ", "ha", "lâm",
             "Lâm", "làm", "lam", "nội", "noi", "hàn", "han", "ơi", "oi", "hoà", "hòa", "hoa", "Đồng",
             "đồng", "dong", "văn", "vận", "van", "Nguyễn", "a", "y", "ý", "2025", "HÀ", "M", "Nông")
# What may stand between two syllables inside one field: none of it ends a sentence.
JOINERS = (" ", " ", " ", "'", "’", "-", ", ", " (", ") ", ": ", " “", "” ", "/", " – ")


@st.composite
def texts(draw, max_syllables: int = 6) -> str:
    words = draw(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=max_syllables))
    text = words[0]
    for word in words[1:]:
        text += draw(st.sampled_from(JOINERS)) + word
    return text


@dataclass(frozen=True)
class Fields:
    """The searchable text of one random profile."""

    title: str
    actor: str
    summary: str
    paragraphs: tuple[str, ...]
    results: tuple[str, ...]
    tags: tuple[str, ...]
    awarded_by: str
    province: int  # position among the current provinces
    year: int
    fields: tuple[Field, ...]
    kind: Kind
    level: Level

    def profile(self, number: int) -> Profile:
        province = gazetteer().provinces()[self.province]
        body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.paragraphs)
        return Profile(
            source=f"profiles/p{number}.md", slug=f"p{number}", kind=self.kind, title=self.title,
            year=self.year, place=Place(province=province), fields=self.fields, level=self.level,
            date=datetime(self.year, 1, 1), body_html=body, summary=self.summary,
            unit=self.actor, results=self.results, tags=self.tags, awarded_by=self.awarded_by)

    def texts(self) -> list[str]:
        province = gazetteer().provinces()[self.province]
        return [self.title, self.actor, province.name, self.summary, *self.paragraphs, *self.results,
                *self.tags, self.awarded_by]

    def strong_texts(self) -> list[str]:
        return [self.title, self.actor, gazetteer().provinces()[self.province].name]


@st.composite
def profile_fields(draw) -> Fields:
    short = texts()
    return Fields(
        title=draw(short), actor=draw(short), summary=draw(short),
        paragraphs=tuple(draw(st.lists(short, min_size=1, max_size=3))),
        results=tuple(draw(st.lists(short, max_size=2))),
        tags=tuple(draw(st.lists(texts(max_syllables=3), max_size=2))),
        awarded_by=draw(st.one_of(st.just(""), short)),
        province=draw(st.integers(min_value=0, max_value=len(gazetteer().provinces()) - 1)),
        year=draw(st.integers(min_value=2009, max_value=2025)),
        fields=tuple(draw(st.sets(st.sampled_from(list(Field)), min_size=1))),
        kind=draw(st.sampled_from(list(Kind))), level=draw(st.sampled_from(list(Level))))


corpora = st.lists(profile_fields(), min_size=1, max_size=8)

# --- what should match, worked out independently --------------------------------

_TONES = {"\u0300", "\u0309", "\u0303", "\u0301", "\u0323"}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plain_syllables(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", _strip_accents(text))


def typed_syllables(text: str) -> list[str]:
    """Syllables as one would type them again: lower case, composed."""
    return [unicodedata.normalize("NFC", part) for part in
            re.findall(r"(?:[0-9a-zđ][\u0300-\u036f]*)+", unicodedata.normalize("NFD", text.lower()))]


def written_syllables(text: str) -> list[str]:
    """Syllables as written, lower case, with the tone mark (if any) last in decomposed form."""
    found = []
    for syllable in typed_syllables(text):
        decomposed = unicodedata.normalize("NFD", syllable)
        tone = [c for c in decomposed if c in _TONES]
        kept = "".join(c for c in decomposed if c not in _TONES)
        found.append(unicodedata.normalize("NFC", kept) + (tone[-1] if tone else ""))
    return found


def adjacent(texts: list[str], split=plain_syllables) -> set[tuple[str, str]]:
    """Every pair of syllables adjacent inside one of `texts`."""
    pairs = set()
    for text in texts:
        words = split(text)
        pairs |= set(pairwise(words))
    return pairs


# --- a reader of the index format -------------------------------------------------


def fnv1a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


class _Bytes:
    def __init__(self, data: bytes, at: int = 0):
        self.data, self.at = data, at

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    def set(self, universe: int) -> list[int]:
        kind = self.data[self.at]
        self.at += 1
        if kind == 1:
            bitmap = self.data[self.at: self.at + (universe + 7) // 8]
            self.at += len(bitmap)
            return [i for i in range(universe) if bitmap[i >> 3] >> (i & 7) & 1]
        listed, previous = [], -1
        for _ in range(self.varint()):
            previous += self.varint() + 1
            listed.append(previous)
        assert kind in (0, 2) and all(i < universe for i in listed)
        return listed if kind == 0 else sorted(set(range(universe)) - set(listed))


def read_set(data: bytes, universe: int) -> list[int]:
    """One encoded set on its own; every byte must be read."""
    reader = _Bytes(data)
    members = reader.set(universe)
    assert reader.at == len(data)
    return members


class IndexReader:
    """Reads a written index folder as the browser does."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.count = self.meta["count"]

    def entries(self, kind: str) -> dict[str, bytes]:
        """Every key of the folded ("t") or marked ("dau") buckets and its payload."""
        found = {}
        buckets = self.meta["buckets" if kind == "t" else "markedBuckets"]
        for path in (self.folder / kind).glob("*.bin.gz"):
            reader = _Bytes(gzip.decompress(path.read_bytes()))
            while reader.at < len(reader.data):
                length = reader.varint()
                key = reader.data[reader.at: reader.at + length]
                reader.at += length
                size = reader.varint()
                assert fnv1a(key) % buckets == int(path.name.split(".")[0])
                found[key.decode()] = reader.data[reader.at: reader.at + size]
                reader.at += size
        return found

    def postings(self, term: str, entries: dict[str, bytes] | None = None) -> tuple[list[int], list[int]]:
        """(ids holding `term` anywhere, ids holding it in a strong field)."""
        payload = (entries if entries is not None else self.entries("t")).get(term)
        if payload is None:
            return [], []
        reader = _Bytes(payload)
        anywhere = reader.set(self.count)
        strong = [anywhere[rank] for rank in reader.set(len(anywhere))]
        assert reader.at == len(payload)
        return anywhere, strong

    def marked(self, term: str, folded: str, entries: dict[str, bytes] | None = None,
               folded_entries: dict[str, bytes] | None = None) -> list[int]:
        """Ids holding `term` as written (its folded form given)."""
        payload = (entries if entries is not None else self.entries("dau")).get(term)
        if payload is None:
            return []
        anywhere, _ = self.postings(folded, folded_entries)
        return [anywhere[rank] for rank in read_set(payload, len(anywhere))]

    def columns(self) -> list[dict[str, list]]:
        """Per column of the meta, each profile's values, decoded as the meta says."""
        decoded = []
        for column in self.meta["columns"]:
            data = gzip.decompress((self.folder / column["file"]).read_bytes())
            assert len(data) == self.count
            values = []
            for byte in data:
                code = (byte >> column["shift"]) & ((1 << column["bits"]) - 1)
                held = [v for i, v in enumerate(column["values"]) if code >> i & 1] if column["multi"] \
                    else [column["values"][code]]
                values.append(held)
            decoded.append({"param": column["param"], "values": values})
        return decoded
