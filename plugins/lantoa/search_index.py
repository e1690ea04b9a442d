"""A static search index made for Vietnamese: folded syllables and syllable pairs.

Vietnamese is written in short, very frequent syllables, and most words are two
of them: an index of single syllables makes "dan van kheo" touch nearly every
profile. This index keeps, for every folded syllable and every pair of adjacent
syllables, the sorted ids of the profiles that contain it — in the strong fields
(title, unit or person, place names) and anywhere. A query fetches one bucket
file per term, intersects, and reads the profiles' facets from three one-byte
columns, so recall is complete and a query costs the same whatever came before.

Layout under the index folder (every binary file gzip-compressed, mtime 0):
  meta.json            counts, bucket count, facet values, chunk size
  cot-tinh.bin.gz      one byte per profile: index of its province in meta
  cot-nam.bin.gz       one byte per profile: year - 2000
  cot-khac.bin.gz      one byte per profile: fields (bits 0-3), kind (4), level (5-6)
  t/<bucket>.bin.gz    postings of the terms whose FNV-1a hash falls in the bucket
  am-tiet.json.gz      every syllable, sorted, to complete one still being typed
  d/<chunk>.json.gz    what a result shows (and the text its excerpt is cut from),
                       for CHUNK profiles in id order
Profile ids are positions in newest-first order, so id order is the default ranking.
"""

from __future__ import annotations

import gzip
import html
import json
import math
import re
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from .gazetteer import gazetteer
from .model import Field, Kind, Level, Profile
from .site import absolute_url
from .text import fold

FORMAT_VERSION = 3
CHUNK = 40  # results shown per document file
BUCKET_BYTES = 16_000  # target size of one postings file on the wire (gzip)
EXCERPT_SOURCE_CHARS = 1200  # text a result's excerpt is cut from
_WORD = re.compile(r"[0-9a-z]+")
_ANY_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]+>")


# A Vietnamese syllable has at most seven letters; longer runs are numbers, codes or
# pasted junk. Skipping them keeps every term (a pair is two) within the one-byte
# length the index format gives it.
MAX_SYLLABLE = 40


@lru_cache(maxsize=200_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(s for s in _WORD.findall(fold(word)) if len(s) <= MAX_SYLLABLE)


def syllables(text: str) -> list[str]:
    """Folded syllables; Vietnamese repeats a few thousand syllables, so each is folded once."""
    return [s for word in _ANY_WORD.findall(text.lower()) for s in _word_syllables(word)]


def terms_of(text: str) -> set[str]:
    """Every folded syllable and every pair of adjacent syllables ("danvan")."""
    words = syllables(text)
    return set(words) | {a + b for a, b in pairwise(words)}


def query_terms(query: str) -> list[str]:
    """What the client looks up: pairs for two syllables or more, else the syllable."""
    words = syllables(query)
    if len(words) < 2:
        return words
    return [a + b for a, b in pairwise(words)]


def fnv1a(term: str) -> int:
    value = 0x811C9DC5
    for byte in term.encode("ascii"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _varint(number: int, out: bytearray) -> None:
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)


def encode_ids(ids: list[int], count: int) -> bytes:
    """Sorted ids as deltas in varints, or as a bitmap when that is smaller."""
    out = bytearray()
    if len(ids) * 8 > count:  # dense: a bitmap of `count` bits is smaller
        out.append(1)
        bitmap = bytearray(math.ceil(count / 8))
        for i in ids:
            bitmap[i >> 3] |= 1 << (i & 7)
        out += bitmap
        return bytes(out)
    out.append(0)
    _varint(len(ids), out)
    previous = -1
    for i in ids:
        _varint(i - previous - 1, out)
        previous = i
    return bytes(out)


def _strong_text(profile: Profile) -> str:
    place = profile.place
    units = [place.province, *place.communes, place.historical_province, place.historical_district,
             place.historical_commune]
    return " . ".join([profile.title, profile.unit, profile.person, *(u.name for u in units if u)])


def _all_text(profile: Profile) -> str:
    return " . ".join([_strong_text(profile), profile.summary, _TAG.sub(" ", profile.body_html),
                       " . ".join(profile.results), " . ".join(profile.tags), profile.awarded_by,
                       profile.award])


def excerpt_source(profile: Profile) -> str:
    """The start of a profile's text, from which the browser cuts the excerpt around a match."""
    body = " ".join(_TAG.sub(" ", profile.body_html).split())
    text = body if body.startswith(profile.summary[:40]) else f"{profile.summary} {body}"
    if len(text) > EXCERPT_SOURCE_CHARS:
        text = text[:EXCERPT_SOURCE_CHARS].rsplit(" ", 1)[0] + " …"
    return html.unescape(text)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def facet_values() -> dict[str, list[str]]:
    return {
        "tinh": [p.slug for p in gazetteer().provinces()],
        "linh-vuc": [f.value for f in Field],
        "loai": [k.value for k in Kind],
        "cap": [lv.value for lv in Level],
    }


Terms = tuple[frozenset[str], frozenset[str], frozenset[str]]


def profile_terms(profile: Profile) -> Terms:
    """The terms of one profile: (in its strong fields, anywhere, its single syllables)."""
    text = _all_text(profile)
    return (frozenset(map(sys.intern, terms_of(_strong_text(profile)))),
            frozenset(map(sys.intern, terms_of(text))),
            frozenset(map(sys.intern, syllables(text))))


def write_index(profiles: Iterable[Profile], folder: Path, siteurl: str,
                known_terms: dict[str, Terms] | None = None) -> dict:
    """Write the index of `profiles` (newest first) into `folder`; return its summary.

    `known_terms` maps a profile URL to the profile's `profile_terms`, kept from an earlier
    build by the caller; profiles missing from it are tokenised here.
    """
    profiles = list(profiles)
    count = len(profiles)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "t").mkdir(parents=True)
    (folder / "d").mkdir()
    values = facet_values()
    vocabulary: set[str] = set()
    province_index = {slug: i for i, slug in enumerate(values["tinh"])}
    strong: dict[str, list[int]] = defaultdict(list)
    anywhere: dict[str, list[int]] = defaultdict(list)
    columns = {"tinh": bytearray(), "nam": bytearray(), "khac": bytearray()}
    for doc, profile in enumerate(profiles):
        strong_terms, all_terms, words = (known_terms or {}).get(profile.url) or profile_terms(profile)
        vocabulary |= words
        for term in strong_terms:
            strong[term].append(doc)
        for term in all_terms:
            anywhere[term].append(doc)
        columns["tinh"].append(province_index[profile.place.province.slug])
        columns["nam"].append(profile.year - 2000)
        fields = sum(1 << list(Field).index(f) for f in profile.fields)
        kind = list(Kind).index(profile.kind) << 4
        columns["khac"].append(fields | kind | (profile.level.rank << 5))
    encoded = {}
    total = 0
    for term in sorted(anywhere):
        entry = bytearray([len(term)]) + term.encode("ascii")
        entry += encode_ids(anywhere[term], count) + encode_ids(strong.get(term, []), count)
        encoded[term] = bytes(entry)
        total += len(entry)
    # Postings (varints, bitmaps) compress about 1.5-fold; aim at BUCKET_BYTES on the wire.
    buckets = max(1, math.ceil(total / (BUCKET_BYTES * 1.5)))
    grouped: dict[int, list[bytes]] = defaultdict(list)
    for term, entry in encoded.items():
        grouped[fnv1a(term) % buckets].append(entry)
    for bucket, entries in grouped.items():
        (folder / "t" / f"{bucket}.bin.gz").write_bytes(_gzip(b"".join(entries)))
    for name, column in columns.items():
        (folder / f"cot-{name}.bin.gz").write_bytes(_gzip(bytes(column)))
    for start in range(0, count, CHUNK):
        rows = []
        for profile in profiles[start:start + CHUNK]:
            rows.append([absolute_url(siteurl, profile.url), profile.title, profile.place.label,
                         profile.year, profile.kind.label, excerpt_source(profile)])
        data = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
        (folder / "d" / f"{start // CHUNK}.json.gz").write_bytes(_gzip(data))
    # Every syllable that occurs (numbers aside): a syllable still being typed is
    # completed from this list.
    words = sorted(w for w in vocabulary if not w.isdigit())
    (folder / "am-tiet.json.gz").write_bytes(_gzip(json.dumps(words, separators=(",", ":")).encode()))
    meta = {"version": FORMAT_VERSION, "count": count, "buckets": buckets, "chunk": CHUNK,
            "values": values, "terms": len(encoded)}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return meta
