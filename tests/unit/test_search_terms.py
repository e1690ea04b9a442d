"""The terms a profile is found by: syllables, pairs within a sentence of a field, marks."""

from __future__ import annotations

import pickle

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lantoa.collection import collect
from lantoa.files import read_keyed, write_keyed
from lantoa.search_terms import Terms, TermStore, html_blocks, profile_terms, query_terms, terms_of

from tests.conftest import valid_header, write_profile


def folded_terms(*texts: str) -> set[str]:
    return terms_of(texts)[0]


def test_terms_are_folded_syllables_and_pairs_joined_by_a_space():
    assert folded_terms("Dân vận khéo") == {"dan", "van", "kheo", "dan van", "van kheo"}
    assert folded_terms("ĐỨC TRỌNG") == {"duc", "trong", "duc trong"}


def test_a_pair_can_equal_neither_a_syllable_nor_another_pair():
    assert folded_terms("Người K'Ho") == {"nguoi", "k", "ho", "nguoi k", "k ho"}
    assert "kho" not in folded_terms("Người K'Ho") and "k ho" not in folded_terms("khó khăn")
    assert folded_terms("Hà Nội") & folded_terms("hàn ơi") == set()


def test_marked_terms_are_kept_only_where_they_carry_a_diacritic():
    marked = terms_of(["Lâm Hà", "K'Ho", "hoà"])[1]
    assert marked == {"lâm", "ha\u0300", "lâm ha\u0300", "hoa\u0300"}
    assert terms_of(["hòa"])[1] == {"hoa\u0300"}  # old and new tone placement: one key
    assert terms_of(["hóa"])[1] == {"hoa\u0301"}


def test_pairs_stay_inside_one_field():
    assert "hoi cung" not in folded_terms("Phát huy sức mạnh xã hội", "Củng cố niềm tin")
    assert "hoi cung" in folded_terms("Phát huy sức mạnh xã hội củng cố niềm tin")


def test_pairs_stay_inside_one_sentence_but_not_at_abbreviations():
    terms = folded_terms("Huy động 120 ngày công. Nhân dân đồng tình! Ở TP. Hồ Chí Minh, "
                         "ông Nguyễn V. An; “nói dân hiểu”. Làm dân tin")
    assert {"cong nhan", "tinh o", "an noi", "hieu lam"}.isdisjoint(terms)
    assert {"tp ho", "v an", "nguyen v", "ngay cong", "nhan dan"} <= terms


def test_body_blocks_are_separate_and_inline_tags_are_not():
    blocks = html_blocks("<p>Xã <strong>Lâm</strong> Hà &amp; Đinh Văn</p><h2>Cách làm</h2>"
                         "<ul><li>Dân biết</li><li>dân bàn</li></ul>")
    assert [" ".join(b.split()) for b in blocks] == ["Xã Lâm Hà & Đinh Văn", "Cách làm", "Dân biết",
                                                    "dân bàn"]
    assert "lam cach" not in folded_terms(*blocks) and "biet dan" not in folded_terms(*blocks)
    assert "amp" not in folded_terms(*blocks)
    assert folded_terms(*html_blocks("<p>Nhân dân đồng\nlòng</p>")) >= {"dong long"}


def test_queries_of_two_syllables_or_more_look_up_pairs():
    assert query_terms("lam ha") == ["lam ha"]
    assert query_terms("DÂN VẬN KHÉO") == ["dan van", "van kheo"]
    assert query_terms("K'Ho") == ["k ho"]
    assert query_terms("đức") == ["duc"]
    assert query_terms("  ") == []


def test_over_long_runs_are_not_syllables_and_no_pair_spans_them():
    junk = "x" * 41
    assert folded_terms(f"dân {junk} vận") == {"dan", "van"}
    assert query_terms(f"dân {junk} vận") == []


def test_profile_terms_separate_strong_fields(tmp_path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/a.md", valid_header(Title="Đường làng Lâm Hà"),
                  "Xây dựng nông thôn mới.")
    profile = collect(content).profiles[0]
    strong, anywhere, marked = map(set, profile_terms(profile))
    assert {"lam ha", "duong lang"} <= strong and "nong thon" not in strong
    assert strong <= anywhere and "nong thon" in anywhere
    assert {"lâm ha\u0300", "đương\u0300 lang\u0300"} <= marked
    assert all(len(set(terms)) == len(terms) for terms in profile_terms(profile))


_WORDS = st.text(alphabet="abcđơ ̀\0", max_size=6)
_TERMS = st.builds(lambda *parts: Terms(*(tuple(dict.fromkeys(part)) for part in parts)),
                   *([st.lists(_WORDS, max_size=6)] * 3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(["put", "keep", "save", "write", "pickle"]),
                                st.integers(0, 7), _TERMS), max_size=25))
def test_a_term_store_gives_back_what_was_put_through_saves_and_kept_subsets(steps, tmp_path_factory):
    # The store is kept packed, its profiles' arrays cut out when asked for: whatever was
    # put, kept and saved in between, each key gives the terms last put for it.
    path = tmp_path_factory.mktemp("store") / "terms.pickle"
    store, expected = TermStore(), {}
    for action, key, terms in steps:
        if action == "put":
            store.put(key, terms)
            expected[key] = terms
        elif action == "keep":  # the keys below `key`, as a build keeps its profiles' terms
            store = store.kept(range(key))
            expected = {k: v for k, v in expected.items() if k < key}
        elif action == "save":
            write_keyed(path, "clé", store)
            store = read_keyed(path, "clé")
        elif action == "write":  # written as the build writes it (arrays from their own memory), kept on
            write_keyed(path, "clé", store)
        else:  # pickling packs the store in place; it goes on as before
            assert pickle.loads(pickle.dumps(store)).keys() == store.keys()
            assert not store._coded
        assert len(store) == len(expected) and sorted(store.keys()) == sorted(expected)
        for k in range(8):
            assert (k in store) == (k in expected)
            assert store.get(k) == expected.get(k)
