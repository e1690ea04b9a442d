"""The cache stays bounded: after any number of builds it holds at most two generations."""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

from lantoa.cache import Cache, code_digest
from lantoa.files import ANY_KEY, RACY_SECONDS
from lantoa.search_index import read_memo

from tests.conftest import build_site, valid_header, write_profile
from tests.hostile.corpus import jpeg


def entries(cache: Path) -> dict[str, set[str]]:
    """namespace → the entries in it ("" for the top-level files)."""
    found: dict[str, set[str]] = {}
    for child in cache.iterdir():
        if child.is_dir():
            found[child.name] = {c.name for c in child.iterdir()}
        else:
            found.setdefault("", set()).add(child.name)
    return found


def test_twenty_builds_with_an_edit_each_keep_two_generations(tmp_path: Path):
    content = tmp_path / "content"
    edited = write_profile(content, "lam-dong/2023/duoc-sua.md",
                           valid_header(Title="Mô hình được sửa", Image="anh.jpg"))
    (edited.parent / "anh.jpg").write_bytes(jpeg((1200, 800)))
    write_profile(content, "lam-dong/2023/khong-doi.md", valid_header(Title="Mô hình không đổi"))
    output, cache = tmp_path / "site", tmp_path / ".cache"
    counts = []
    for number in range(20):
        text = edited.read_text(encoding="utf-8").replace(
            "Title: Mô hình được sửa", f"Title: Mô hình được sửa lần {number}", 1)
        edited.write_text(text + f"\nLần sửa thứ {number}.\n", encoding="utf-8")
        if number % 5 == 4:  # the photo changes too, now and then
            (edited.parent / "anh.jpg").write_bytes(jpeg((1200, 800 + number)))
        shutil.rmtree(output, ignore_errors=True)
        build_site(content, output)
        found = entries(cache)
        # One search index per generation, one share card per profile per generation …
        assert len(found["search"]) <= 2, found["search"]
        assert len([c for c in found["cards"] if c.endswith(".jpg")]) <= 2 * 2
        assert len(found["images"]) <= 2
        assert "qr" not in found  # QR codes are drawn with the page, never cached
        counts.append(sum(len(names) for names in found.values()))
    # … so the number of entries stops growing once two generations exist (the files'
    # sizes follow the content, which grows here by a sentence a build).
    assert max(counts) <= 2 * counts[0], counts


def test_a_build_reuses_what_the_previous_build_cached(tmp_path: Path):
    content = tmp_path / "content"
    written = write_profile(content, "lam-dong/2023/mot.md", valid_header(Title="Một mô hình"))
    # Saved well before either build: a build within the clock's resolution of a save keeps
    # no record of its inputs (`snapshot.RACY_SECONDS`), one after it does, and whether the
    # first build ends within it depends on the machine's speed.
    past = time.time() - 10 * RACY_SECONDS
    os.utime(written, (past, past))
    build_site(content, tmp_path / "a")
    before = entries(tmp_path / ".cache")
    build_site(content, tmp_path / "a")
    assert entries(tmp_path / ".cache") == before


def test_keys_change_with_the_code_and_the_settings_that_show(tmp_path: Path):
    settings = {"LANTOA_CACHE_DIR": str(tmp_path), "SITEURL": "https://a.example", "LANTOA_WORKERS": 1}
    one = Cache(settings)
    assert one.key("x") == Cache({**settings, "LANTOA_WORKERS": 4}).key("x")  # does not show
    assert one.key("x") != Cache({**settings, "SITEURL": "https://b.example"}).key("x")
    assert one.key("x") != one.key("y")
    assert code_digest.cache_info().currsize >= 1


def test_facet_terms_kept_between_builds_are_the_terms_made_afresh(tmp_path: Path):
    from lantoa.collection import collect
    from lantoa.facets import FACETS, facet_terms
    from lantoa.state import kept_terms

    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/mot.md", valid_header(Title="Mô hình một"))
    edited = write_profile(content, "ha-noi/2021/hai.md",
                           valid_header(Title="Mô hình hai", Province="Hà Nội", District="Long Biên",
                                        Commune="Thạch Bàn", Year="2021", Date="2021-03-04"))
    cache = Cache({"LANTOA_CACHE_DIR": str(tmp_path / "cache")})

    def kept() -> dict:
        collection = collect(content)
        found = kept_terms(collection, FACETS, cache)
        assert found == facet_terms(collection.profiles, FACETS)
        return found

    kept()
    made: list[str] = []
    first = FACETS[0]
    counting = (replace(first, terms_of=lambda p: made.append(p.source) or first.terms_of(p)), *FACETS[1:])
    collection = collect(content)
    assert kept_terms(collection, counting, cache) == facet_terms(collection.profiles, FACETS)
    assert made == []  # every profile's terms came from the cache
    edited.write_text(edited.read_text(encoding="utf-8").replace("Hà Nội", "Cao Bằng")
                      .replace("District: Long Biên\n", "").replace("Commune: Thạch Bàn\n", ""),
                      encoding="utf-8")
    found = kept()
    assert [t.title for t in found["mo-hinh/hai/"]["province"]] == ["Tỉnh Cao Bằng"]
    other = Cache({"LANTOA_CACHE_DIR": str(tmp_path / "cache"), "SITENAME": "Trang khác"})
    collection = collect(content)
    assert kept_terms(collection, counting, other) == facet_terms(collection.profiles, FACETS)
    assert len(made) == 2  # another salt: nothing is taken from the file
    # The table of terms lost (a damaged cache): the profiles' kept keys name nothing,
    # and their terms are made again, whole.
    table = cache.entry("facet-terms", "table", suffix=".pickle")
    assert table.is_file()
    with open(table, "r+b") as handle:
        handle.truncate(10)
    made.clear()
    collection = collect(content)
    assert kept_terms(collection, counting, cache) == facet_terms(collection.profiles, FACETS)
    assert sorted(made) == sorted(p.source for p in collection.profiles)
    made.clear()
    assert kept_terms(collection, counting, cache) == facet_terms(collection.profiles, FACETS)
    assert made == []  # kept again, table and all


def test_a_state_made_from_the_kept_structure_is_the_state_made_afresh(tmp_path: Path, monkeypatch):
    """While every profile stands where it stood and holds the terms, localities and fields it
    held, a build's index, terms and related profiles are made from the structure the build
    before kept (`KeptStructure`); otherwise from the profiles. Either way they are what a
    state made afresh has, and every profile in them is this build's own."""
    import lantoa.state
    from lantoa.bench import write_synthetic
    from lantoa.collection import collect
    from lantoa.model import Field
    from lantoa.output import PageCache
    from lantoa.parallel import settle
    from lantoa.state import NoPhotos, make_state

    content = tmp_path / "content"
    files = write_synthetic(120, content)
    settings = {"LANTOA_CACHE_DIR": str(tmp_path / "cache"), "OUTPUT_PATH": str(tmp_path / "site"),
                "LANTOA_WORKERS": 1}
    fallbacks: list[int] = []
    made_afresh = lantoa.state.kept_terms
    monkeypatch.setattr(lantoa.state, "kept_terms",
                        lambda *args: fallbacks.append(1) or made_afresh(*args))

    def state(keep: bool):
        cache = Cache(settings)
        found = make_state(collect(content), NoPhotos(), PageCache(settings, cache), cache, keep_terms=keep)
        settle()  # the structure is kept beside the build
        return found

    def shown(found) -> tuple:
        own = {id(p) for p in found.profiles}
        assert all(id(p) in own for by_key in found.index.values()
                   for entry in by_key.values() for p in entry.profiles)
        index = {name: [(e.term, [p.source for p in e.profiles], list(e.urls)) for e in by_key.values()]
                 for name, by_key in found.index.items()}
        extras = {url: (x.crumbs, x.newer and x.newer.url, x.older and x.older.url,
                        [p.url for p in x.related], dict(x.terms), found.extras.around(url))
                  for url, x in found.extras.items()}
        children = {url: {name: [e.term for e in entries] for name, entries in by_facet.items()}
                    for url, by_facet in found.children.items()}
        terms = {p.url: found.extras.terms[p.url] for p in found.profiles}
        return index, extras, children, found.empty_terms, terms, [p.source for p in found.profiles]

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    first = state(True)
    assert fallbacks == [1]
    for changed in (lambda: edit(files[7], "\n\n", "\n\nMột câu mới ở đầu.\n\n"),
                    lambda: [edit(f, "\n\n", "\n\nThêm.\n\n") for f in files[40:80]]):
        changed()  # the text only: made from the kept structure (more than 32 changed: kept again)
        fallbacks.clear()
        kept = state(True)
        assert fallbacks == [] and kept.structure == first.structure
        assert kept.extras.placement == first.extras.placement
        assert shown(kept) == shown(state(False))
    assert shown(state(True)) == shown(state(False)) and fallbacks == []
    profile = next(p for p in first.profiles if p.source == files[7].relative_to(content).as_posix())
    # Another field, and another province: the same order, another structure, made afresh.
    other_field = next(f.value for f in Field if f not in profile.fields)
    for changes in ((r"^Field: .*$", f"Field: {other_field}"),
                    (r"^(District|Commune): .*\n", ""), (r"^Province: .*$", "Province: Cao Bằng")):
        text = files[7].read_text(encoding="utf-8")
        for pattern, replacement in zip(changes[::2], changes[1::2], strict=True):
            text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
        files[7].write_text(text, encoding="utf-8")
        fallbacks.clear()
        moved = state(True)
        assert fallbacks == [1] and moved.structure != first.structure
        assert len(moved.profiles) == len(first.profiles) and not moved.collection.errors
        assert shown(moved) == shown(state(False))
        assert shown(state(True)) == shown(moved) and fallbacks == [1]


def test_the_search_index_is_not_made_from_terms_that_other_code_kept(tmp_path: Path, monkeypatch):
    """The terms and the memo of the search index are kept for the code and settings that
    made them: a profile's digest says nothing of the tokeniser that read it."""
    import lantoa_search
    from lantoa.search_terms import profile_terms

    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/mot.md", valid_header(Title="Mô hình một"))
    write_profile(content, "ha-noi/2021/hai.md",
                  valid_header(Title="Mô hình hai", Province="Hà Nội", District="Long Biên",
                               Commune="Thạch Bàn", Year="2021", Date="2021-03-04"))
    # In this process (one worker, no helper): the index is made with the tokeniser in use.
    first = index(build_site(content, tmp_path / "a" / "site", LANTOA_WORKERS=1))

    def other_tokeniser(profile):  # what another version of the code could find in a profile
        terms = profile_terms(profile)
        return terms._replace(anywhere=(*terms.anywhere, "tu moi"))

    monkeypatch.setattr(lantoa_search, "profile_terms", other_tokeniser)
    other = {"LANTOA_WORKERS": 1, "SITENAME": "Trang khác"}  # a setting that shows: another salt
    kept = index(build_site(content, tmp_path / "a" / "site", **other))
    afresh = index(build_site(content, tmp_path / "b" / "site", **other))
    assert afresh != first  # the other tokeniser makes another index
    assert kept == afresh


def index(site: Path) -> dict[str, bytes]:
    """The search index of a built site, file by file."""
    folder = site / "tim-kiem/chi-muc"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_search_terms_of_a_few_edits_wait_in_the_memo_and_the_index_is_a_clean_builds(
        tmp_path: Path, monkeypatch):
    """The kept terms of every profile are rewritten only once enough profiles changed: until
    then the changed ones go with the index's memo, and each index is what a clean build makes."""
    import lantoa_search

    content = tmp_path / "content"
    files = [write_profile(content, f"lam-dong/2023/ho-so-{n}.md", valid_header(Title=f"Mô hình số {n}"))
             for n in range(4)]
    monkeypatch.setattr(lantoa_search, "PENDING_TERMS", 2)
    site = tmp_path / "a" / "site"
    build_site(content, site, LANTOA_WORKERS=1)
    store = tmp_path / "a" / ".cache" / "search-terms.pickle"
    written = store.stat().st_mtime_ns, store.stat().st_ino
    rewritten = []
    for number, edited in enumerate(files[:3]):
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nHợp tác xã thứ {number} trồng cà phê.\n",
                          encoding="utf-8")
        time.sleep(RACY_SECONDS)
        kept = index(build_site(content, site, LANTOA_WORKERS=1))
        shutil.rmtree(tmp_path / "b", ignore_errors=True)
        assert kept == index(build_site(content, tmp_path / "b" / "site", LANTOA_WORKERS=1))
        now = store.stat().st_mtime_ns, store.stat().st_ino
        rewritten.append(now != written)
        written = now
        memo = read_memo(tmp_path / "a" / ".cache" / "search-memo.pickle",
                         tmp_path / "a" / ".cache" / "search-memo-whole.pickle", ANY_KEY)
        assert len(memo.pending_terms) == (0 if rewritten[-1] else number + 1)
    # Two changed profiles wait; the third makes three, more than two: the store is written.
    assert rewritten == [False, False, True]
