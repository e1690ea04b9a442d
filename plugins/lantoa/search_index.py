"""A static search index made for Vietnamese: folded syllables and syllable pairs.

Vietnamese is written in short, very frequent syllables, and most words are two
of them: an index of single syllables makes "dan van kheo" touch nearly every
profile. This index keeps, for every term of `lantoa.search_terms` (folded
syllables, and pairs of syllables adjacent in one sentence of one field), the
sorted ids of the profiles that contain it — in the strong fields (title, unit or
person, place names) and anywhere. A query fetches one bucket file per term,
intersects, and reads the profiles' facets from small columns, so recall is
complete and a query costs the same whatever came before. The terms as written
that carry a diacritic are kept in their own buckets, as subsets of their folded
term: a query typed with marks ranks first the profiles holding it exactly as
typed, at the cost of one more small file per term (a second pass over the
candidates' stored text would cost megabytes for common words).

Layout under the index folder (every binary file gzip-compressed, mtime 0):
  meta.json            counts, bucket counts, chunk size, and the facet columns:
                       for each, its URL parameter, label, values, value labels,
                       and where its bits lie (file, shift, bits, one value or a set)
  cot-<n>.bin.gz       one byte per profile, holding the bits of one or more columns
  t/<bucket>.bin.gz    folded terms whose FNV-1a hash (of the UTF-8 key) falls in the bucket
  dau/<bucket>.bin.gz  marked terms, likewise
  am-tiet.json.gz      every folded syllable, sorted, with how many profiles hold it:
                       a syllable still being typed is completed from it, most common first
  d/<chunk>.json.gz    what a result shows (and the text its excerpt is cut from),
                       for CHUNK profiles in id order
A bucket file is a run of entries: varint key length, key (UTF-8), varint payload
length, payload. A folded payload is two sets: the ids holding the term anywhere
(universe: every profile) and, of those, the ones holding it in a strong field
(universe: the positions in the first set). A marked payload is one set: the
positions, in its folded term's first set, of the profiles holding it as written.
A set is a type byte and data: 0 the members as varint deltas (count first),
1 a bitmap of the universe, 2 the non-members as varint deltas (count first).
Profile ids are positions in newest-first order, so id order is the default ranking.

`make_index` also returns an `IndexMemo` of what it made; given back with the next
profiles, when they are the same profiles in the same order, it updates the index in
place (an edit costs what it touches) and writes the same bytes as a fresh index.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import operator
import os
import shutil
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import changed_positions
from .facets import FACETS, Facet
from .files import CHANGES_SHARE, generation_name, read_keyed, write_keyed
from .model import Profile
from .search_terms import Terms, html_blocks, profile_terms
from .site import absolute_url
from .text import fold

FORMAT_VERSION = 4
CHUNK = 10  # results per document file: the first page of a ranked search touches up to 10
BUCKET_BYTES = 12_000  # target size of one postings file on the wire (gzip)
MARKED_BUCKET_BYTES = 4_000  # marked terms are small subsets: smaller files, fetched only with marks
EXCERPT_SOURCE_CHARS = 1200  # text a result's excerpt is cut from


def fnv1a(term: str) -> int:
    value = 0x811C9DC5
    for byte in term.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _varint(number: int, out: bytearray) -> None:
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)


def _deltas(ids: Iterable[int], count: int, out: bytearray) -> None:
    _varint(count, out)
    previous = -1
    for i in ids:
        _varint(i - previous - 1, out)
        previous = i


_EVERY = bytes((2, 0))  # `encode_set` of every member of a universe


def encode_set(members: Sequence[int], universe: int) -> bytes:
    """Sorted members of 0 … universe-1: as deltas, as a bitmap, or as the deltas of
    the non-members, whichever is smaller (a term in nearly every profile costs bytes)."""
    size = len(members)
    absent = universe - size
    if absent == 0 < size:
        return _EVERY  # the deltas of no non-member, at once
    out = bytearray()
    if min(size, absent) * 8 > universe:
        out.append(1)
        bitmap = bytearray(math.ceil(universe / 8))
        for i in members:
            bitmap[i >> 3] |= 1 << (i & 7)
        out += bitmap
    elif size <= absent:
        out.append(0)
        _deltas(members, size, out)
    else:
        out.append(2)
        _deltas(sorted(set(range(universe)).difference(members)), absent, out)
    return bytes(out)


def _subset(ids: Sequence[int], universe: Sequence[int]) -> bytes:
    """`encode_set` of sorted `ids`, all of them in the sorted `universe`, by their positions there."""
    if len(ids) == len(universe):  # all of it: most marked terms are a syllable's only spelling
        return encode_set(range(len(ids)), len(ids))
    within = universe if isinstance(universe, list) else list(universe)  # bisect reads a list faster
    return encode_set([bisect_left(within, i) for i in ids], len(within))


def _entry(key: str, payload: bytes) -> bytes:
    name = key.encode("utf-8")
    out = bytearray()
    _varint(len(name), out)
    out += name
    _varint(len(payload), out)
    out += payload
    return bytes(out)


def excerpt_source(profile: Profile) -> str:
    """The start of a profile's text, from which the browser cuts the excerpt around a match."""
    body = " ".join(" ".join(html_blocks(profile.body_html)).split())  # plain text, like the summary
    text = body if body.startswith(profile.summary[:40]) else f"{profile.summary} {body}"
    if len(text) > EXCERPT_SOURCE_CHARS:
        text = text[:EXCERPT_SOURCE_CHARS].rsplit(" ", 1)[0] + " …"
    return text


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


@dataclass(frozen=True)
class FacetColumn:
    """A filter of the search page, stored as one small number per profile.

    `values` lists (value, label) in the order the filter shows them; a profile's
    code is the position of its value, or with `multi` a bit per value it holds.
    """

    name: str  # the facet it filters by (lantoa.facets)
    param: str  # URL parameter of the search page
    label: str  # the filter's label
    values: Callable[[Sequence[Profile]], list[tuple[str, str]]]
    of: Callable[[Profile], Iterable[str]]
    multi: bool = False

    def bits(self, count: int) -> int:
        return count if self.multi else max(1, (count - 1).bit_length())


def search_columns(facets: Sequence[Facet] = FACETS) -> tuple[FacetColumn, ...]:
    """One filter per facet declared with a search parameter, in declaration order."""
    def values_of(facet: Facet) -> Callable[[Sequence[Profile]], list[tuple[str, str]]]:
        def values(profiles: Sequence[Profile]) -> list[tuple[str, str]]:
            terms = {t.key: t for p in profiles for t in facet.terms_of(p)}
            terms.update((t.key, t) for t in (facet.every_term() if facet.every_term else ()))
            return [(t.key, t.name) for t in sorted(terms.values(), key=lambda t: t.sort_key)]
        return values

    def keys_of(facet: Facet) -> Callable[[Profile], Iterable[str]]:
        return lambda profile: [t.key for t in facet.terms_of(profile)]

    return tuple(FacetColumn(f.name, f.param, f.label, values_of(f), keys_of(f), multi=f.several)
                 for f in facets if f.param)


def _layout(widths: list[int], alone: list[bool]) -> list[tuple[int, int]]:
    """(file, shift) of each column: first fit into bytes, in declaration order; a
    column in id order (the year: ids are newest first) gets a byte of its own, where
    its long runs compress to almost nothing."""
    used: list[int] = []
    shared: list[bool] = []
    places = []
    for width, own in zip(widths, alone, strict=True):
        if width > 8:
            raise ValueError(f"a search column of {width} bits does not fit in a byte")
        file = len(used) if own else next(
            (i for i, bits in enumerate(used) if shared[i] and bits + width <= 8), len(used))
        if file == len(used):
            used.append(0)
            shared.append(not own)
        places.append((file, used[file]))
        used[file] += width
    return places


def column_keys(profile: Profile, columns: Sequence[FacetColumn]) -> tuple[tuple[str, ...], ...]:
    """The values a profile holds in each facet column: what its codes in the columns are made of."""
    return tuple(tuple(column.of(profile)) for column in columns)


def facet_columns(profiles: Sequence[Profile], columns: Sequence[FacetColumn] | None = None,
                  keys: Sequence[tuple[tuple[str, ...], ...]] | None = None,
                  ) -> tuple[list[dict], dict[str, bytes]]:
    """The facet columns of `profiles`: their description for meta.json, and their files.
    `keys` are the profiles' `column_keys`, when already made."""
    columns = search_columns() if columns is None else columns
    keys = [column_keys(p, columns) for p in profiles] if keys is None else keys
    described = []
    values = [column.values(profiles) for column in columns]
    widths = [column.bits(len(pairs)) for column, pairs in zip(columns, values, strict=True)]
    codes = []
    for number, (column, pairs) in enumerate(zip(columns, values, strict=True)):
        position = {value: i for i, (value, _) in enumerate(pairs)}
        held = ([position[value] for value in held[number]] for held in keys)
        codes.append([sum(1 << i for i in set(h)) if column.multi else h[0] for h in held])
    layout = _layout(widths, [not column.multi and all(map(operator.le, c, c[1:]))
                              for column, c in zip(columns, codes, strict=True)])
    files = [bytearray(len(profiles)) for _ in range(max((f for f, _ in layout), default=-1) + 1)]
    for column, pairs, width, (file, shift), column_codes in zip(columns, values, widths, layout, codes,
                                                                   strict=True):
        data = files[file]
        for doc, code in enumerate(column_codes):
            data[doc] |= code << shift
        described.append({"name": column.name, "param": column.param, "label": column.label,
                          "file": f"cot-{file}.bin.gz", "shift": shift, "bits": width,
                          "multi": column.multi, "values": [v for v, _ in pairs],
                          "labels": [label for _, label in pairs]})
    return described, {f"cot-{i}.bin.gz": _gzip(bytes(data)) for i, data in enumerate(files)}


def _group(entries: dict[str, bytes], buckets: int, gzipped: dict[bytes, bytes],
           used: dict[bytes, bytes], hashes: dict[str, int], added: set[str]) -> dict[int, bytes]:
    """Entries by bucket, each bucket compressed; `gzipped` has what each content gave
    before (an edit changes a few buckets: the others are not compressed again), `used`
    gets what this grouping used. `hashes` has each term's `fnv1a` (kept in the memo:
    hashing 66,000 terms byte by byte cost 50 ms of an edit at 10,000 profiles), and gets
    those it lacked, named in `added`."""
    grouped: dict[int, list[bytes]] = defaultdict(list)
    for term in sorted(entries):
        hashed = hashes.get(term)
        if hashed is None:
            hashed = hashes[term] = fnv1a(term)
            added.add(term)
        grouped[hashed % buckets].append(entries[term])
    files = {}
    for bucket, chunk in grouped.items():
        raw = b"".join(chunk)
        key = hashlib.blake2b(raw, digest_size=16).digest()
        found = gzipped.get(key)
        files[bucket] = used[key] = found if found is not None else _gzip(raw)
    return files


def _buckets(entries: dict[str, bytes], target: int, compression: float, gzipped: dict[bytes, bytes],
             used: dict[bytes, bytes], hashes: dict[str, int], added: set[str],
             ) -> tuple[int, dict[int, bytes]]:
    """Entries grouped into files of about `target` bytes on the wire: (count, files)."""
    # A first guess from the raw size; how well postings compress depends on the
    # corpus, so the count is set again from the compressed size when it is far off.
    buckets = max(1, math.ceil(sum(map(len, entries.values())) / (target * compression)))
    files = _group(entries, buckets, gzipped, used, hashes, added)
    wire = sum(map(len, files.values()))
    if abs(wire / buckets - target) > target / 10:
        buckets = max(1, math.ceil(wire / target))
        files = _group(entries, buckets, gzipped, used, hashes, added)
    return buckets, files


def _ids() -> array[int]:
    return array("I")


@dataclass
class IndexMemo:
    """What an index was made of, kept for the next build of the same profiles in the same
    order: an edit then encodes again only the terms whose holders changed and the result
    files of the edited profiles, and compresses only the bucket files that changed."""

    siteurl: str
    urls: tuple[str, ...]  # the profiles, newest first
    digests: tuple[str, ...]  # what each looked like
    anywhere: dict[str, array[int]]  # folded term → ids of the profiles holding it anywhere
    strong: dict[str, array[int]]  # … in a strong field
    marked: dict[str, array[int]]  # term as written → ids
    folded_entries: dict[str, bytes]
    marked_entries: dict[str, bytes]
    chunks: list[bytes]  # d/<n>.json.gz
    gzipped: dict[bytes, bytes] = field(default_factory=dict)  # a bucket's content → its file
    written: dict[str, str] = field(default_factory=dict)  # file → SHA-256 of its bytes
    metadata: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # file → size, mtime, inode
    placed_in: str = ""  # the cache entry holding the files `written` describes, once placed
    # Terms of profiles not yet in the kept term store (`lantoa_search`), by their store key:
    # the store is rewritten whole only once many profiles changed, not after every edit.
    pending_terms: dict[Any, Terms] = field(default_factory=dict)
    # Each profile's `column_keys` by id, and the facet columns they gave: while no changed
    # profile holds other values, the columns are the same bytes (at 10,000 profiles,
    # making them again from the profiles cost 70 ms of an edit).
    column_keys: dict[int, tuple] = field(default_factory=dict)
    columns: tuple[list[dict], dict[str, bytes]] | None = None
    # Each term as written, folded: an edit finds the terms as written whose folded form
    # it moved without folding all of them again (26,000 at 10,000 profiles, 40 ms).
    marked_folds: dict[str, str] = field(default_factory=dict)
    term_hashes: dict[str, int] = field(default_factory=dict)  # each term's `fnv1a`, which buckets it
    # Kept as changes to a whole memo (`write_memo`): that memo's name for itself, and the
    # keys of each part changed since it was written (chunks by number).
    base: str = ""
    touched: dict[str, set] = field(default_factory=dict)

    def fits(self, siteurl: str, urls: tuple[str, ...]) -> bool:
        """Whether an index of these profiles, in this order, can be made from this memo."""
        return self.siteurl == siteurl and self.urls == urls

    def touch(self, part: str, keys: Iterable[Any]) -> None:
        self.touched.setdefault(part, set()).update(keys)


# The parts of a memo that an edit changes key by key (`_update`); the others are small.
MEMO_PARTS = ("anywhere", "strong", "marked", "folded_entries", "marked_entries", "column_keys", "chunks",
              "marked_folds", "term_hashes")
MEMO_REST = ("urls", "digests", "gzipped", "written", "metadata", "placed_in", "pending_terms", "columns")


def write_memo(path: Path, whole: Path, key: Any, memo: IndexMemo) -> None:
    """Keep `memo` for the next build: in `path`, as its changes to the whole memo in `whole`
    while they are few (31 MB at 10,000 profiles, 284 MB at 100,000, which an edit
    changes by a few terms), else whole in `whole` anew."""
    touched = sum(map(len, memo.touched.values()))
    if memo.base and touched * CHANGES_SHARE <= len(memo.anywhere) + len(memo.marked):
        changes = {part: {k: getattr(memo, part).get(k) for k in keys}
                   for part, keys in memo.touched.items() if part != "chunks"}
        changes["chunks"] = {n: memo.chunks[n] for n in memo.touched.get("chunks", ())}
        rest = {name: getattr(memo, name) for name in MEMO_REST}
        write_keyed(path, key, {"base": memo.base, "changes": changes, "rest": rest})
        return
    memo.base, memo.touched = generation_name(), {}
    write_keyed(whole, key, memo)
    write_keyed(path, key, {"base": memo.base, "changes": {}, "rest": {}})


def read_memo(path: Path, whole: Path, key: Any) -> IndexMemo | None:
    """The memo `write_memo` kept, whole; None when missing, damaged, kept for another key or
    made against another whole memo than the one in `whole`."""
    found = read_keyed(path, key)
    if not (isinstance(found, dict) and isinstance(found.get("changes"), dict)):
        return None
    memo = read_keyed(whole, key)
    if not isinstance(memo, IndexMemo) or memo.base != found.get("base"):
        return None
    changes, rest = found["changes"], found.get("rest")
    if not (set(changes) <= set(MEMO_PARTS) and isinstance(rest, dict) and set(rest) <= set(MEMO_REST)):
        return None  # not what `write_memo` writes
    for part, changed in changes.items():
        if part == "chunks":
            if any(number >= len(memo.chunks) for number in changed):
                return None
            for number, chunk in changed.items():
                memo.chunks[number] = chunk
        else:
            held = getattr(memo, part)
            for term, value in changed.items():
                if value is None:
                    held.pop(term, None)
                else:
                    held[term] = value
        memo.touch(part, changed)
    for name, value in rest.items():
        setattr(memo, name, value)
    return memo


def _postings(profiles: Sequence[Profile], known_terms: Mapping[str, Terms]) -> Iterator[Terms]:
    for profile in profiles:
        yield known_terms.get(profile.url) or profile_terms(profile)


def write_index(profiles: Iterable[Profile], folder: Path, siteurl: str,
                known_terms: Mapping[str, Terms] | None = None) -> dict:
    """Write the index of `profiles` (newest first) into `folder`; return its summary.

    `known_terms` maps a profile URL to the profile's `profile_terms`, kept from an earlier
    build by the caller; profiles missing from it are tokenised here.
    """
    return make_index(list(profiles), folder, siteurl, known_terms)[0]


def make_index(profiles: list[Profile], folder: Path, siteurl: str,
               known_terms: Mapping[str, Terms] | None = None, digests: Sequence[str] = (),
               memo: IndexMemo | None = None,
               terms_before: Callable[[str], Terms | None] = lambda digest: None,
               urls: tuple[str, ...] | None = None) -> tuple[dict, IndexMemo]:
    """`write_index`, from `memo` when it describes the same profiles in the same order,
    `digests` telling which changed and `terms_before` what a changed one held before
    (by its former digest); otherwise from scratch. Returns the summary and the memo of
    this index. Either way the files are the same bytes. `urls` are the profiles', when
    the caller has them.
    """
    if memo is not None and len(digests) != len(profiles):
        raise ValueError("an index is made from a memo only with every profile's digest")
    known_terms = known_terms or {}
    urls = tuple(p.url for p in profiles) if urls is None else tuple(urls)
    digests = tuple(digests) or urls
    made = None
    if memo is not None and memo.fits(siteurl, urls):
        made = _update(memo, profiles, digests, known_terms, terms_before)
    if made is None:
        made = _from_scratch(profiles, urls, digests, siteurl, known_terms)
    return _write(made, profiles, folder), made


def _from_scratch(profiles: list[Profile], urls: tuple[str, ...], digests: tuple[str, ...], siteurl: str,
                  known_terms: Mapping[str, Terms]) -> IndexMemo:
    count = len(profiles)
    # Ids as 4-byte arrays: at 100,000 profiles there are some 50 million of them.
    anywhere: dict[str, array[int]] = defaultdict(_ids)
    strong: dict[str, array[int]] = defaultdict(_ids)
    marked: dict[str, array[int]] = defaultdict(_ids)
    for doc, terms in enumerate(_postings(profiles, known_terms)):
        for term in terms.anywhere:
            anywhere[term].append(doc)
        for term in terms.strong:
            strong[term].append(doc)
        for term in terms.marked:
            marked[term].append(doc)
    folded_entries = {term: _folded_entry(term, ids, strong.get(term, ()), count)
                      for term, ids in anywhere.items()}
    folds = {term: fold(term) for term in marked}
    marked_entries = {term: _marked_entry(term, ids, anywhere[folds[term]]) for term, ids in marked.items()}
    chunks = [_chunk(profiles[start:start + CHUNK], siteurl) for start in range(0, count, CHUNK)]
    columns = search_columns()
    return IndexMemo(siteurl, urls, digests, dict(anywhere), dict(strong),
                     dict(marked), folded_entries, marked_entries, chunks,
                     column_keys={doc: column_keys(p, columns) for doc, p in enumerate(profiles)},
                     marked_folds=folds)


def _update(memo: IndexMemo, profiles: list[Profile], digests: tuple[str, ...],
            known_terms: Mapping[str, Terms],
            terms_before: Callable[[str], Terms | None]) -> IndexMemo | None:
    """The memo of the index of `profiles`, from the memo of the same profiles before some
    of them changed; None when what a changed profile held before is not known."""
    changed = changed_positions(digests, memo.digests)
    if len(changed) > max(50, len(profiles) // 20):
        return None  # most of the work either way: start afresh
    before = [terms_before(memo.digests[doc]) for doc in changed]
    if any(terms is None for terms in before):
        return None
    count = len(profiles)
    postings = {"anywhere": memo.anywhere, "strong": memo.strong, "marked": memo.marked}
    moved: dict[str, set[str]] = {kind: set() for kind in postings}
    for doc, old in zip(changed, before, strict=True):
        new = known_terms.get(profiles[doc].url) or profile_terms(profiles[doc])
        for kind, held in postings.items():
            was, now = set(getattr(old, kind)), set(getattr(new, kind))
            for term in was - now:
                ids = held[term]
                del ids[bisect_left(ids, doc)]
                if not ids:
                    del held[term]
            for term in now - was:
                ids = held.setdefault(term, _ids())
                ids.insert(bisect_left(ids, doc), doc)
            moved[kind] |= was ^ now
    for kind, terms in moved.items():
        memo.touch(kind, terms)
    for term in moved["anywhere"] | moved["strong"]:
        memo.touch("folded_entries", (term,))
        if term in memo.anywhere:
            memo.folded_entries[term] = _folded_entry(term, memo.anywhere[term], memo.strong.get(term, ()),
                                                      count)
        else:
            memo.folded_entries.pop(term, None)
            _forget_hash(memo, term)
    folds = memo.marked_folds
    for term in moved["marked"]:
        if term in memo.marked and term not in folds:
            folds[term] = fold(term)
            memo.touch("marked_folds", (term,))
    # A term as written shows which of the profiles holding its folded form hold it.
    affected = set(moved["marked"])
    if moved["anywhere"]:
        affected.update(term for term, folded in folds.items() if folded in moved["anywhere"])
    for term in affected:
        memo.touch("marked_entries", (term,))
        if term in memo.marked:
            memo.marked_entries[term] = _marked_entry(term, memo.marked[term], memo.anywhere[folds[term]])
        else:
            memo.marked_entries.pop(term, None)
            _forget_hash(memo, term)
            if folds.pop(term, None) is not None:
                memo.touch("marked_folds", (term,))
    columns = search_columns()
    for doc in changed:
        held = column_keys(profiles[doc], columns)
        if memo.column_keys.get(doc) != held:
            memo.column_keys[doc] = held
            memo.touch("column_keys", (doc,))
            memo.columns = None
    for chunk in sorted({doc // CHUNK for doc in changed}):
        memo.chunks[chunk] = _chunk(profiles[chunk * CHUNK:(chunk + 1) * CHUNK], memo.siteurl)
        memo.touch("chunks", (chunk,))
    memo.digests = digests
    return memo


def _forget_hash(memo: IndexMemo, term: str) -> None:
    """A term no longer in the index keeps no hash in the memo."""
    if term not in memo.folded_entries and term not in memo.marked_entries \
            and memo.term_hashes.pop(term, None) is not None:
        memo.touch("term_hashes", (term,))


def _folded_entry(term: str, ids: Sequence[int], strong: Sequence[int], count: int) -> bytes:
    held = list(ids)  # bisect reads a list faster than an array
    return _entry(term, encode_set(held, count) + _subset(strong, held))


def _marked_entry(term: str, ids: Sequence[int], folded_ids: Sequence[int]) -> bytes:
    return _entry(term, _subset(ids, folded_ids))


def _chunk(profiles: Sequence[Profile], siteurl: str) -> bytes:
    rows = [[absolute_url(siteurl, p.url), p.title, p.place.label, p.year, p.kind.label, excerpt_source(p)]
            for p in profiles]
    return _gzip(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode())


def _write(memo: IndexMemo, profiles: list[Profile], folder: Path) -> dict:
    count = len(profiles)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "d").mkdir(parents=True)
    out = _IndexFiles(folder, memo)
    buckets = {}
    used: dict[bytes, bytes] = {}
    hashes, added = memo.term_hashes, set()
    # How much gzip shrinks each kind of entry, as measured on synthetic profiles.
    for name, entries, target, compression in (("t", memo.folded_entries, BUCKET_BYTES, 1.3),
                                               ("dau", memo.marked_entries, MARKED_BUCKET_BYTES, 2.2)):
        buckets[name], files = _buckets(entries, target, compression, memo.gzipped, used, hashes, added)
        (folder / name).mkdir(parents=True)
        for bucket, data in files.items():
            out.put(f"{name}/{bucket}.bin.gz", data)
    memo.gzipped = used  # only what the next build may find again
    if added:
        memo.touch("term_hashes", added)
    if memo.columns is None:
        memo.columns = facet_columns(profiles, keys=[memo.column_keys[doc] for doc in range(count)])
    columns, column_files = memo.columns
    for name, data in column_files.items():
        out.put(name, data)
    for number, data in enumerate(memo.chunks):
        out.put(f"d/{number}.json.gz", data)
    # Every syllable that occurs (numbers aside) and in how many profiles: a syllable
    # still being typed is completed with the commonest ones.
    words = sorted(t for t in memo.anywhere if " " not in t and not t.isdigit())
    vocabulary = {"words": words, "counts": [len(memo.anywhere[w]) for w in words]}
    out.put("am-tiet.json.gz", _gzip(json.dumps(vocabulary, separators=(",", ":")).encode()))
    meta = {"version": FORMAT_VERSION, "count": count, "buckets": buckets["t"],
            "markedBuckets": buckets["dau"], "chunk": CHUNK, "columns": columns,
            "terms": len(memo.folded_entries), "markedTerms": len(memo.marked_entries)}
    out.put("meta.json", json.dumps(meta, ensure_ascii=False).encode())
    memo.written, memo.metadata, memo.placed_in = out.digests, out.metadata, ""  # placed by the caller
    return meta


class _IndexFiles:
    """The index's files as they are written into `folder`. A file with the bytes it had in
    the folder the memo's index was last placed in (`IndexMemo.placed_in`) is hard-linked
    from there while its size, time and inode are the ones it was written with (a file
    changed since, through a link in a site, is written again): an edit changes a few of
    some 1,150 files, and on a file system that has held many files, making a new one
    costs far more than linking an old one (0.7 ms against 20 µs on the reference
    machine's aged disk)."""

    def __init__(self, folder: Path, memo: IndexMemo) -> None:
        self.folder = folder
        self.before = memo.written if memo.placed_in else {}
        self.before_metadata = memo.metadata if memo.placed_in else {}
        self.previous = Path(memo.placed_in) if memo.placed_in else None
        self.digests: dict[str, str] = {}  # name → SHA-256 of its bytes, as `files.write_checksums` has it
        self.metadata: dict[str, tuple[int, int, int]] = {}

    def put(self, name: str, data: bytes) -> None:
        digest = self.digests[name] = hashlib.sha256(data).hexdigest()
        target = self.folder / name
        if self.previous is not None and self.before.get(name) == digest:
            source = self.previous / name
            try:
                status = source.stat()
                found = (status.st_size, status.st_mtime_ns, status.st_ino)
                if found == self.before_metadata.get(name):
                    os.link(source, target)
                    self.metadata[name] = found
                    return
            except OSError:
                pass  # the previous index was pruned: written below
        target.write_bytes(data)
        status = target.stat()
        self.metadata[name] = (status.st_size, status.st_mtime_ns, status.st_ino)
