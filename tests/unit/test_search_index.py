"""The search index format: terms, hashing and postings as the browser reads them."""

from __future__ import annotations

import gzip
import json

from hypothesis import given
from hypothesis import strategies as st
from lantoa.search_index import encode_ids, fnv1a, query_terms, terms_of


def read_set(data: bytes, at: int, count: int) -> tuple[list[int], int]:
    """The reader in theme/static/js/search-index.js, in Python: ids and the next offset."""
    if data[at] == 1:
        bitmap = data[at + 1: at + 1 + (count + 7) // 8]
        return [i for i in range(count) if bitmap[i >> 3] >> (i & 7) & 1], at + 1 + len(bitmap)
    at += 1

    def varint() -> int:
        nonlocal at
        value = shift = 0
        while True:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    ids, previous = [], -1
    for _ in range(varint()):
        previous += varint() + 1
        ids.append(previous)
    return ids, at


def decode_ids(data: bytes, count: int) -> list[int]:
    ids, end = read_set(data, 0, count)
    assert end == len(data)
    return ids


def test_terms_are_folded_syllables_and_adjacent_pairs():
    assert terms_of("Dân vận khéo") == {"dan", "van", "kheo", "danvan", "vankheo"}
    assert terms_of("ĐỨC TRỌNG") == {"duc", "trong", "ductrong"}


def test_queries_of_two_syllables_or_more_look_up_pairs():
    assert query_terms("lam ha") == ["lamha"]
    assert query_terms("DÂN VẬN KHÉO") == ["danvan", "vankheo"]
    assert query_terms("đức") == ["duc"]
    assert query_terms("  ") == []


def test_fnv1a_matches_the_reference_values():
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("foobar") == 0xBF9CF968


@given(st.integers(min_value=1, max_value=3000).flatmap(
    lambda n: st.tuples(st.just(n), st.sets(st.integers(min_value=0, max_value=n - 1)))))
def test_postings_round_trip_as_lists_or_bitmaps(case):
    count, ids = case
    ordered = sorted(ids)
    assert decode_ids(encode_ids(ordered, count), count) == ordered


def test_dense_postings_become_bitmaps():
    assert encode_ids(list(range(0, 1000, 2)), 1000)[0] == 1
    assert encode_ids([5, 900], 1000)[0] == 0


def test_a_built_index_finds_each_profile_by_its_place(tmp_path):
    from lantoa.collection import collect
    from lantoa.search_index import write_index

    from tests.conftest import valid_header, write_profile

    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/a.md", valid_header(Title="Đường làng Lâm Hà"))
    write_profile(content, "ha-noi/2023/b.md", valid_header(
        Title="Phố văn minh", Province="Hà Nội", District=None, Commune=None, Unit="Tổ dân phố"))
    profiles = collect(content).profiles
    meta = write_index(profiles, tmp_path / "idx", "")
    assert meta["count"] == 2
    found = {}
    for bucket in (tmp_path / "idx/t").iterdir():
        data = gzip.decompress(bucket.read_bytes())
        at = 0
        while at < len(data):
            length = data[at]
            term = data[at + 1: at + 1 + length].decode()
            anywhere, at = read_set(data, at + 1 + length, meta["count"])
            strong, at = read_set(data, at, meta["count"])
            found[term] = (anywhere, strong)
    lam_ha = [p.title for p in profiles if p.title == "Đường làng Lâm Hà"]
    assert [profiles[i].title for i in found["lamha"][1]] == lam_ha  # strong field: its title
    assert [profiles[i].title for i in found["hanoi"][0]] == ["Phố văn minh"]
    vocabulary = json.loads(gzip.decompress((tmp_path / "idx/am-tiet.json.gz").read_bytes()))
    assert vocabulary == sorted(vocabulary) and {"lam", "ha", "duong", "lang"} <= set(vocabulary)
    assert "lamha" not in vocabulary and not any(word.isdigit() for word in vocabulary)
    rows = json.loads(gzip.decompress((tmp_path / "idx/d/0.json.gz").read_bytes()))
    assert [row[1] for row in rows] == [p.title for p in profiles]
