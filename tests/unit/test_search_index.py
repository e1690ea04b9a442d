"""The search index: keys, postings and columns, read back as the browser reads them."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lantoa.collection import collect
from lantoa.files import verify_checksums, write_checksums
from lantoa.model import Field, Kind
from lantoa.search_index import encode_set, fnv1a, search_columns, write_index
from lantoa.search_terms import query_terms
from lantoa.text import fold

from tests.conftest import valid_header, write_profile
from tests.search_corpus import (
    IndexReader,
    adjacent,
    corpora,
    plain_syllables,
    read_set,
    written_syllables,
)


def test_fnv1a_matches_the_reference_values():
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("foobar") == 0xBF9CF968
    assert fnv1a("lâm") != fnv1a("lam")  # keys are hashed as UTF-8


@given(st.integers(min_value=1, max_value=3000).flatmap(
    lambda n: st.tuples(st.just(n), st.sets(st.integers(min_value=0, max_value=n - 1)))))
def test_sets_round_trip_as_lists_bitmaps_or_complements(case):
    universe, members = case
    ordered = sorted(members)
    assert read_set(encode_set(ordered, universe), universe) == ordered


def test_the_smallest_set_encoding_is_chosen():
    assert encode_set([5, 900], 1000)[0] == 0
    assert encode_set(list(range(0, 1000, 2)), 1000)[0] == 1
    nearly_all = [i for i in range(1000) if i != 7]
    assert encode_set(nearly_all, 1000) == bytes([2, 1, 7])
    # Every member: the complement's deltas, none (most marked terms, every holder a spelling's).
    assert encode_set(list(range(1000)), 1000) == encode_set(range(1000), 1000) == bytes([2, 0])
    assert read_set(bytes([2, 0]), 1000) == list(range(1000))
    assert encode_set([], 0) == bytes([0, 0])


def write_corpus(content: Path) -> None:
    def profile(slug: str, title: str, body: str, **header: str) -> None:
        write_profile(content, f"lam-dong/2023/{slug}.md", valid_header(
            Title=title, District=None, Commune=None, Unit="Hội Nông dân", **header), body)

    profile("k-ho", "Người K'Ho giữ rừng đầu nguồn", "Đồng bào K'Ho cùng nhận khoán bảo vệ rừng.")
    profile("kho-khan", "Vượt khó khăn, vươn lên thoát nghèo", "Những hộ khó khăn được giúp vốn.")
    profile("kho-gao", "Kho gạo tình thương", "Mỗi tháng kho gạo giúp người neo đơn.")
    profile("ha-noi", "Phố văn minh ở Hà Nội", "Tổ dân phố giữ phố sạch.", Province="Hà Nội")
    profile("han-oi", "Hàn ơi, về quê", "Câu hò của người đi xa.")
    profile("xa-hoi", "Sức mạnh xã hội", "Củng cố niềm tin của nhân dân.",
            Summary="Phát huy sức mạnh xã hội")


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory) -> tuple[IndexReader, list[str]]:
    base = tmp_path_factory.mktemp("search-corpus")
    write_corpus(base / "content")
    profiles = collect(base / "content").profiles
    write_index(profiles, base / "idx", "")
    return IndexReader(base / "idx"), [p.slug for p in profiles]


def found(index: IndexReader, slugs: list[str], query: str) -> set[str]:
    """Profiles holding every term of `query`, as the browser's phrase lookup finds them."""
    entries = index.entries("t")
    ids = None
    for term in query_terms(query):
        anywhere, _ = index.postings(term, entries)
        ids = set(anywhere) if ids is None else ids & set(anywhere)
    return {slugs[i] for i in ids or ()}


@pytest.mark.parametrize(("query", "expected"), [
    ("K'Ho", {"k-ho"}), ("k’ho", {"k-ho"}), ("k ho", {"k-ho"}),
    ("khó khăn", {"kho-khan"}), ("kho khan", {"kho-khan"}),
    ("kho gạo", {"kho-gao"}), ("KHO GAO", {"kho-gao"}),
    ("kho", {"kho-khan", "kho-gao"}), ("khó", {"kho-khan", "kho-gao"}),
    ("hà nội", {"ha-noi"}), ("han oi", {"han-oi"}),
    ("xã hội", {"xa-hoi"}), ("hội củng", set()), ("củng cố", {"xa-hoi"}),
])
def test_each_query_finds_exactly_the_profiles_holding_it(corpus_index, query, expected):
    index, slugs = corpus_index
    assert found(index, slugs, query) == expected


def test_terms_as_written_are_subsets_of_their_folded_term(corpus_index):
    index, slugs = corpus_index
    assert {slugs[i] for i in index.marked("kho\u0301", "kho")} == {"kho-khan"}
    assert {slugs[i] for i in index.marked("kho\u0301 khăn", "kho khan")} == {"kho-khan"}
    assert index.marked("kho\u0301 ga\u0323o", "kho gao") == []
    assert "k ho" not in index.entries("dau")  # no diacritic: the folded term is the one


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora)
def test_every_two_syllable_query_finds_exactly_the_profiles_with_the_pair_in_one_field(
        tmp_path_factory, corpus):
    folder = tmp_path_factory.mktemp("prop")
    profiles = [fields.profile(n) for n, fields in enumerate(corpus)]
    write_index(profiles, folder, "")
    index = IndexReader(folder)
    folded, marked = index.entries("t"), index.entries("dau")
    holding = [adjacent(fields.texts()) for fields in corpus]
    in_strong = [adjacent(fields.strong_texts()) for fields in corpus]
    written = [adjacent(fields.texts(), written_syllables) for fields in corpus]
    vocabulary = sorted({s for fields in corpus for t in fields.texts() for s in plain_syllables(t)})
    for a in vocabulary:
        for b in vocabulary:
            anywhere, strong = index.postings(f"{a} {b}", folded)
            assert anywhere == [i for i, pairs in enumerate(holding) if (a, b) in pairs], (a, b)
            assert strong == [i for i, pairs in enumerate(in_strong) if (a, b) in pairs], (a, b)
    for pair in set().union(*written):
        key = " ".join(pair)
        expected = [i for i, pairs in enumerate(written) if pair in pairs]
        if key.isascii():
            assert key not in marked
        else:
            assert index.marked(key, " ".join(plain_syllables(key)), marked, folded) == expected, pair


@settings(max_examples=30, deadline=None)
@given(corpora)
def test_the_columns_hold_each_profiles_facets_as_the_meta_describes(tmp_path_factory, corpus):
    folder = tmp_path_factory.mktemp("cols")
    profiles = [fields.profile(n) for n, fields in enumerate(corpus)]
    write_index(profiles, folder, "")
    index = IndexReader(folder)
    assert [c["param"] for c in index.meta["columns"]] == [c.param for c in search_columns()]
    for column, spec in zip(index.columns(), search_columns(), strict=True):
        assert [sorted(held) for held in column["values"]] == [sorted(spec.of(p)) for p in profiles]
    described = {c["param"]: c for c in index.meta["columns"]}
    assert described["nam"]["values"] == sorted({str(p.year) for p in profiles}, reverse=True)
    assert described["loai"]["labels"] == [Kind(v).label for v in described["loai"]["values"]]
    for file in {c["file"] for c in index.meta["columns"]}:
        used = sorted((c["shift"], c["shift"] + c["bits"]) for c in index.meta["columns"]
                      if c["file"] == file)
        assert all(end <= 8 for _, end in used) and all(a[1] <= b[0] for a, b in pairwise(used))


def test_the_year_column_has_a_byte_of_its_own(corpus_index):
    index, _ = corpus_index
    year = next(c for c in index.meta["columns"] if c["param"] == "nam")
    assert [c["param"] for c in index.meta["columns"] if c["file"] == year["file"]] == ["nam"]


def test_completion_knows_how_many_profiles_hold_each_syllable(corpus_index):
    index, _ = corpus_index
    vocabulary = json.loads(gzip.decompress((index.folder / "am-tiet.json.gz").read_bytes()))
    counts = dict(zip(vocabulary["words"], vocabulary["counts"], strict=True))
    assert vocabulary["words"] == sorted(vocabulary["words"])
    assert counts["kho"] == 2 and counts["k"] == 1 and counts["nong"] == 6
    assert not any(" " in word or word.isdigit() for word in vocabulary["words"])


def test_a_built_index_lists_its_profiles_in_order(tmp_path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/a.md", valid_header(Title="Đường làng Lâm Hà"))
    write_profile(content, "ha-noi/2023/b.md", valid_header(
        Title="Phố văn minh", Province="Hà Nội", District=None, Commune=None, Unit="Tổ dân phố"))
    profiles = collect(content).profiles
    meta = write_index(profiles, tmp_path / "idx", "")
    assert meta["count"] == 2 and meta["version"] == 4
    index = IndexReader(tmp_path / "idx")
    _, strong = index.postings("lam ha")
    assert [profiles[i].title for i in strong] == ["Đường làng Lâm Hà"]
    assert [profiles[i].title for i in index.postings("ha noi")[0]] == ["Phố văn minh"]
    rows = json.loads(gzip.decompress((tmp_path / "idx/d/0.json.gz").read_bytes()))
    assert [row[1] for row in rows] == [p.title for p in profiles]


TEXTS = ("Nhân dân hiến đất làm đường.", "Tổ tự quản giữ an ninh trật tự.", "Hợp tác xã cà phê Lâm Hà.",
         "Dân vận khéo ở thôn K'Long.", "Chuyển đổi số ngay tại thôn.", "")


# A field is a facet column of the index: a profile moved to another keeps its place in the order.
FIELD_EDITS = (None, (Field.KINH_TE,), (Field.QUOC_PHONG_AN_NINH, Field.VAN_HOA_XA_HOI))


@pytest.fixture(scope="module")
def edit_corpus(tmp_path_factory) -> list:
    from lantoa.bench import write_synthetic

    content = tmp_path_factory.mktemp("search-edits") / "content"
    write_synthetic(40, content, seed=7)
    return collect(content).profiles


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=39), st.sampled_from(TEXTS),
                          st.sampled_from(TEXTS), st.sampled_from(FIELD_EDITS), st.booleans()),
                min_size=1, max_size=4),
       st.data())
def test_an_index_made_from_the_last_ones_memo_is_the_index_made_afresh(edit_corpus, tmp_path_factory,
                                                                         edits, data):
    """Edits that keep the order (a title, a body added to or replaced, the fields): the index
    from the memo is byte for byte the index made from scratch, edit after edit. A file the
    edit left as it was is a hard link to the previous index's file, unless that index is
    gone; the checksums recorded from what was written are the files' own."""
    from dataclasses import replace

    from lantoa.search_index import make_index, read_memo, write_memo
    from lantoa.search_terms import profile_terms

    folder = tmp_path_factory.mktemp("edits")
    profiles = list(edit_corpus)
    digests = [str(n) for n in range(len(profiles))]
    known = {d: profile_terms(p) for d, p in zip(digests, profiles, strict=True)}
    _, memo = make_index(profiles, folder / "first", "https://x.vn", None, digests)
    memo.placed_in = str(folder / "first")
    for step, (doc, title_text, body_text, fields, body_replaced) in enumerate(edits):
        # A body replaced takes its terms away: some from the index, some from the profile only.
        body = "" if body_replaced else profiles[doc].body_html
        profiles[doc] = replace(profiles[doc], title=f"{profiles[doc].title} {title_text}".strip(),
                                body_html=f"<p>{body_text}</p>{body}", summary=body_text,
                                fields=fields or profiles[doc].fields)
        digests[doc] = f"{doc}.{step}"
        known[digests[doc]] = profile_terms(profiles[doc])
        update, fresh = folder / f"update-{step}", folder / f"fresh-{step}"
        # Through the cache files, as from one build to the next: the whole memo, then its changes.
        write_memo(folder / "memo.pickle", folder / "memo-whole.pickle", "khóa", memo)
        memo = read_memo(folder / "memo.pickle", folder / "memo-whole.pickle", "khóa")
        previous = Path(memo.placed_in) if memo.placed_in else None
        if previous is not None and data.draw(st.booleans(), label="previous index pruned"):
            shutil.rmtree(previous)
        elif previous is not None and data.draw(st.booleans(), label="a previous file changed in place"):
            # As through a hard link in a published site, some time after it was written.
            changed = data.draw(st.sampled_from(sorted(p for p in previous.rglob("*.gz"))))
            with open(changed, "r+b") as handle:
                first = handle.read(1)
                handle.seek(0)
                handle.write(bytes([first[0] ^ 0xFF]))
            os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 1_000_000_000))
        meta, memo = make_index(profiles, update, "https://x.vn", None, digests, memo, known.get)
        assert meta == make_index(profiles, fresh, "https://x.vn", None, digests)[0]
        # What the memo keeps beside the entries follows them: no more, no less.
        held = {*memo.folded_entries, *memo.marked_entries}
        assert memo.term_hashes == {term: fnv1a(term) for term in held}
        assert memo.marked_folds == {term: fold(term) for term in memo.marked}
        files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(update) for p in update.rglob("*") if p.is_file())
        for name in files:
            assert (update / name).read_bytes() == (fresh / name).read_bytes(), name
            if previous is not None and previous.is_dir():
                before = previous / name
                kept = before.is_file() and before.read_bytes() == (fresh / name).read_bytes()
                linked = before.exists() and (update / name).samefile(before)
                assert linked == kept, name
        write_checksums(update, memo.written)
        assert verify_checksums(update)
        memo.placed_in = str(update)  # as the search plugin does once the index is in the cache


def test_a_memo_kept_as_changes_is_used_only_with_its_own_whole_memo(tmp_path, edit_corpus):
    from lantoa.files import write_keyed
    from lantoa.search_index import make_index, read_memo, write_memo

    profiles = list(edit_corpus)
    digests = [str(n) for n in range(len(profiles))]
    memo = make_index(profiles, tmp_path / "index", "https://x.vn", None, digests)[1]
    changes, whole = tmp_path / "memo.pickle", tmp_path / "memo-whole.pickle"
    write_memo(changes, whole, "khóa", memo)
    assert read_memo(changes, whole, "khóa").urls == memo.urls
    assert read_memo(changes, whole, "khóa khác") is None
    # Changes made against another whole memo (a crash between the two writes), or naming
    # what a memo does not have, are not applied.
    write_keyed(changes, "khóa", {"base": "khác", "changes": {}, "rest": {}})
    assert read_memo(changes, whole, "khóa") is None
    write_keyed(changes, "khóa", {"base": memo.base, "changes": {"__class__": {}}, "rest": {}})
    assert read_memo(changes, whole, "khóa") is None
