"""Reading a whole content folder: cross-file checks, order, drafts and the cache."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from lantoa.collection import collect, profile_cache_files, profile_files
from lantoa.problems import Severity

TODAY = datetime.date(2026, 11, 25)

BODY = (
    "Ban Dân vận Huyện ủy đã phối hợp với chính quyền xã vận động nhân dân cùng xây dựng "
    "nông thôn mới. Cán bộ đến từng hộ gia đình, lắng nghe ý kiến và cùng bà con bàn bạc "
    "cách làm phù hợp với điều kiện địa phương. Nhờ cách làm gần dân, người dân tự nguyện "
    "hiến đất mở đường, góp công sửa chữa nhà văn hóa và trồng cây xanh dọc các tuyến đường "
    "liên thôn. Đời sống vật chất và tinh thần của nhân dân được nâng lên rõ rệt."
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    return root


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def write(content: Path, rel: str, title: str = "Mô hình dân vận khéo", *, year: int = 2023,
          date: str | None = None, province: str = "Lâm Đồng", extra: str = "",
          body: str = BODY) -> Path:
    """Write a valid profile at content/profiles/<rel>."""
    file = content / "profiles" / rel
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(
        f"Title: {title}\n"
        "Kind: mo-hinh\n"
        f"Year: {year}\n"
        f"Province: {province}\n"
        "Field: kinh-te\n"
        "Level: tinh\n"
        "Unit: Ban Dân vận Tỉnh ủy\n"
        f"Date: {date or f'{year}-06-01'}\n"
        f"{extra}"
        f"\n{body}\n",
        encoding="utf-8",
    )
    return file


def run(content: Path, cache_dir: Path | None = None):
    return collect(content, cache_dir=cache_dir, today=TODAY)


# -- basics ------------------------------------------------------------------------


def test_empty_or_missing_profiles_folder_gives_an_empty_collection(content):
    collection = run(content)
    assert collection.profiles == []
    assert collection.problems == []
    assert collection.files == 0


def test_profile_files_lists_markdown_files_in_a_stable_order_without_hidden_ones(content):
    write(content, "b/2023/b.md", "B")
    write(content, "a/2023/a.md", "A")
    hidden = write(content, "a/2023/.nhap.md", "Ẩn")
    (content / "profiles" / "a" / "2023" / "ghi-chu.txt").write_text("x", encoding="utf-8")
    files = profile_files(content)
    assert [f.relative_to(content / "profiles").as_posix() for f in files] == [
        "a/2023/a.md", "b/2023/b.md",
    ]
    assert hidden not in files


def test_good_profiles_are_all_published(content):
    write(content, "lam-dong/2023/mot.md", "Một")
    write(content, "lam-dong/2022/hai.md", "Hai", year=2022)
    collection = run(content)
    assert collection.problems == []
    assert collection.errors == []
    assert collection.files == 2
    assert sorted(p.title for p in collection.profiles) == ["Hai", "Một"]


# -- cross-file checks -------------------------------------------------------------


def test_same_url_in_two_files_is_an_error_naming_both_and_neither_is_published(content):
    write(content, "lam-dong/2023/dan-van.md", "Đường làng sạch đẹp")
    write(content, "ha-noi/2021/dan-van.md", "Tổ hòa giải", year=2021, province="Hà Nội")
    collection = run(content)
    clashes = [p for p in collection.problems if p.code == "E050"]
    assert sorted(p.path for p in clashes) == [
        "profiles/ha-noi/2021/dan-van.md", "profiles/lam-dong/2023/dan-van.md",
    ]
    by_path = {p.path: p for p in clashes}
    assert "profiles/ha-noi/2021/dan-van.md" in by_path["profiles/lam-dong/2023/dan-van.md"].message
    assert "profiles/lam-dong/2023/dan-van.md" in by_path["profiles/ha-noi/2021/dan-van.md"].message
    assert all("/mo-hinh/dan-van/" in p.message for p in clashes)
    assert all(p.field == "Slug" and p.is_error for p in clashes)
    assert all("Slug" in p.hint for p in clashes)
    assert collection.profiles == []
    assert collection.unpublished == []


def test_same_url_through_a_slug_key_is_also_a_clash(content):
    write(content, "lam-dong/2023/mot.md", "Một", extra="Slug: chung\n")
    write(content, "lam-dong/2023/hai.md", "Hai", extra="Slug: chung\n")
    write(content, "lam-dong/2023/ba.md", "Ba")
    collection = run(content)
    assert sorted(p.path for p in collection.errors) == [
        "profiles/lam-dong/2023/hai.md", "profiles/lam-dong/2023/mot.md",
    ]
    assert [p.title for p in collection.profiles] == ["Ba"]


def test_same_slug_in_different_kinds_is_not_a_clash(content):
    write(content, "lam-dong/2023/a/chung.md", "Một")
    dien_hinh = write(content, "lam-dong/2023/b/chung.md", "Hai")
    dien_hinh.write_text(dien_hinh.read_text(encoding="utf-8").replace(
        "Kind: mo-hinh", "Kind: dien-hinh"), encoding="utf-8")
    collection = run(content)
    assert collection.problems == []
    assert sorted(p.url for p in collection.profiles) == ["dien-hinh/chung/", "mo-hinh/chung/"]


def test_same_title_province_and_year_is_a_warning_and_both_are_published(content):
    write(content, "lam-dong/2023/mot.md", "Đường làng sạch đẹp")
    write(content, "lam-dong/2023/hai.md", "ĐƯỜNG LÀNG SẠCH ĐẸP")
    collection = run(content)
    assert collection.errors == []
    duplicates = [p for p in collection.problems if p.code == "W050"]
    assert sorted(p.path for p in duplicates) == [
        "profiles/lam-dong/2023/hai.md", "profiles/lam-dong/2023/mot.md",
    ]
    assert all(p.severity is Severity.WARNING for p in duplicates)
    by_path = {p.path: p for p in duplicates}
    assert "profiles/lam-dong/2023/mot.md" in by_path["profiles/lam-dong/2023/hai.md"].message
    assert len(collection.profiles) == 2


def test_same_title_under_an_old_and_a_new_province_name_is_a_duplicate(content):
    # "Đắk Nông" is part of Lâm Đồng now: one model submitted under both names.
    write(content, "lam-dong/2023/mot.md", "Đường làng sạch đẹp")
    write(content, "lam-dong/2023/hai.md", "Đường làng sạch đẹp", province="Đắk Nông")
    collection = run(content)
    assert sorted(p.code for p in collection.problems) == ["W050", "W050"]


@pytest.mark.parametrize(("changes", "why"), [
    ({"year": 2022}, "another year"),
    ({"province": "Hà Nội"}, "another province"),
    ({"title": "Đường làng xanh"}, "another title"),
])
def test_different_title_province_or_year_is_not_a_duplicate(content, changes, why):
    write(content, "a/mot.md", "Đường làng sạch đẹp")
    write(content, "b/hai.md", **{"title": "Đường làng sạch đẹp", **changes})
    collection = run(content)
    assert collection.problems == [], why
    assert len(collection.profiles) == 2


def test_one_broken_profile_does_not_stop_the_others(content):
    write(content, "lam-dong/2023/mot.md", "Một")
    write(content, "lam-dong/2023/hai.md", "Hai")
    write(content, "lam-dong/2023/hong.md", "Hỏng", province="Lâm Đôngg")
    collection = run(content)
    assert sorted(p.title for p in collection.profiles) == ["Hai", "Một"]
    assert collection.files == 3
    assert collection.problems
    assert {p.path for p in collection.problems} == {"profiles/lam-dong/2023/hong.md"}
    assert [p.code for p in collection.errors] == ["E030"]


# -- order and status ---------------------------------------------------------------


def test_profiles_are_sorted_newest_first(content):
    write(content, "x/2021/cu.md", "Cũ", year=2021, date="2021-05-01")
    write(content, "x/2023/dau-nam.md", "Đầu năm", year=2023, date="2023-01-10")
    write(content, "x/2023/cuoi-nam.md", "Cuối năm", year=2023, date="2023-12-20")
    write(content, "x/2024/moi.md", "Mới", year=2024, date="2024-03-01")
    # Recognition year first: a 2022 model published late still sorts below 2023 ones.
    write(content, "x/2022/dang-muon.md", "Đăng muộn", year=2022, date="2025-01-01")
    collection = run(content)
    assert [p.title for p in collection.profiles] == [
        "Mới", "Cuối năm", "Đầu năm", "Đăng muộn", "Cũ",
    ]


def test_same_year_and_date_are_ordered_by_slug(content):
    write(content, "x/c.md", "C")
    write(content, "x/a.md", "A")
    write(content, "x/b.md", "B")
    assert [p.slug for p in run(content).profiles] == ["a", "b", "c"]


def test_drafts_and_hidden_profiles_go_to_unpublished(content):
    write(content, "x/cong-khai.md", "Công khai")
    write(content, "x/nhap.md", "Bản nháp", extra="Status: draft\n")
    write(content, "x/an.md", "Ẩn", extra="Status: hidden\n")
    collection = run(content)
    assert [p.title for p in collection.profiles] == ["Công khai"]
    assert sorted(p.title for p in collection.unpublished) == ["Bản nháp", "Ẩn"]
    assert collection.problems == []


# -- cache -------------------------------------------------------------------------


def test_second_run_reads_every_file_from_the_cache(content, cache_dir):
    for name in ("mot", "hai", "ba"):
        write(content, f"x/{name}.md", name.capitalize())
    first = run(content, cache_dir)
    assert first.read_from_cache == 0
    second = run(content, cache_dir)
    assert second.files == 3
    assert second.read_from_cache == 3
    assert [p.title for p in second.profiles] == [p.title for p in first.profiles]
    assert second.profiles == first.profiles


def test_profiles_from_the_cache_stay_folded_until_their_text_is_asked_for(content, cache_dir):
    for name in ("mot", "hai", "ba"):
        write(content, f"x/{name}.md", name.capitalize())
    first = run(content, cache_dir)
    assert not any("_folded" in vars(p) for p in first.profiles)  # as read, they are whole
    write(content, "x/ba.md", "Ba (đã sửa)")
    second = run(content, cache_dir)
    # Ordered, checked for duplicates and photos, without the text of those it did not read.
    still_folded = ["_folded" in vars(p) for p in second.profiles]
    assert still_folded == [p.title != "Ba (đã sửa)" for p in second.profiles]
    assert sorted(p.title for p in second.profiles) == ["Ba (đã sửa)", "Hai", "Mot"]
    assert second.profiles[0].place == first.profiles[0].place


def test_editing_one_file_rereads_only_that_file(content, cache_dir):
    write(content, "x/mot.md", "Một")
    write(content, "x/hai.md", "Hai")
    edited = write(content, "x/ba.md", "Ba")
    run(content, cache_dir)
    write(content, "x/ba.md", "Ba (đã sửa)")
    assert edited.read_text(encoding="utf-8").startswith("Title: Ba (đã sửa)")
    collection = run(content, cache_dir)
    assert collection.read_from_cache == 2
    assert sorted(p.title for p in collection.profiles) == ["Ba (đã sửa)", "Hai", "Một"]


def test_cached_problems_are_reported_again(content, cache_dir):
    write(content, "x/mot.md", "Một")
    write(content, "x/hong.md", "Hỏng", province="Lâm Đôngg")
    first = run(content, cache_dir)
    second = run(content, cache_dir)
    assert second.read_from_cache == 1  # a broken file is always read again
    assert second.problems == first.problems
    assert [p.code for p in second.errors] == ["E030"]


def test_cached_cross_file_clash_is_still_found(content, cache_dir):
    write(content, "a/chung.md", "Một")
    write(content, "b/chung.md", "Hai")
    run(content, cache_dir)
    second = run(content, cache_dir)
    assert second.read_from_cache == 2
    assert sorted(p.code for p in second.errors) == ["E050", "E050"]
    assert second.profiles == []


def test_removed_image_invalidates_the_cached_profile(content, cache_dir):
    file = write(content, "x/mot.md", "Một", extra="Image: anh.jpg\n")
    image = file.parent / "anh.jpg"
    image.write_bytes(b"\xff\xd8\xff")
    assert run(content, cache_dir).profiles
    image.unlink()
    collection = run(content, cache_dir)
    assert collection.read_from_cache == 0
    assert [p.image for p in collection.profiles] == [None]  # published without the photo
    assert [p.code for p in collection.errors] == ["E041"]


def test_a_new_year_invalidates_the_cache(content, cache_dir):
    write(content, "x/mot.md", "Một")
    run(content, cache_dir)
    collection = collect(content, cache_dir=cache_dir, today=datetime.date(2027, 1, 2))
    assert collection.read_from_cache == 0


def test_corrupt_cache_is_only_a_slower_run(content, cache_dir):
    write(content, "x/mot.md", "Một")
    run(content, cache_dir)
    for shard in profile_cache_files(cache_dir):  # whichever holds it
        shard.write_bytes(b"not a pickle")
    collection = run(content, cache_dir)
    assert collection.read_from_cache == 0
    assert [p.title for p in collection.profiles] == ["Một"]
    assert run(content, cache_dir).read_from_cache == 1


def test_an_edit_rewrites_only_the_shard_that_holds_it(content, cache_dir):
    files = [write(content, f"x/ho-so-{n}.md", f"Mô hình số {n}") for n in range(40)]
    run(content, cache_dir)
    before = {path: path.stat().st_ino for path in profile_cache_files(cache_dir)}  # written aside, renamed
    files[7].write_text(files[7].read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    collection = run(content, cache_dir)
    assert collection.read_from_cache == 39
    rewritten = [path for path, inode in before.items() if path.stat().st_ino != inode]
    assert len(rewritten) == 1
    again = run(content, cache_dir)  # the rewritten shard holds the edit and its neighbours
    assert again.read_from_cache == 40
    assert [p.title for p in again.profiles] == [p.title for p in collection.profiles]


def test_adding_a_missing_image_clears_the_cached_error(content, cache_dir):
    file = write(content, "x/mot.md", "Một", extra="Image: anh.jpg\n")
    assert [p.code for p in run(content, cache_dir).errors] == ["E041"]
    (file.parent / "anh.jpg").write_bytes(b"\xff\xd8\xff")
    collection = run(content, cache_dir)
    assert collection.errors == []
    assert [p.title for p in collection.profiles] == ["Một"]


def _age(file: Path, seconds: int = 60) -> None:
    """Make a file look saved a while ago (its metadata can then be trusted)."""
    stamp = file.stat().st_mtime_ns - seconds * 1_000_000_000
    os.utime(file, ns=(stamp, stamp))


def test_a_file_whose_metadata_did_not_change_is_not_read_again(content, cache_dir, monkeypatch):
    from lantoa import collection as module

    file = write(content, "lam-dong/2023/a.md", "Mô hình cũ")
    _age(file)
    assert [p.title for p in run(content, cache_dir).profiles] == ["Mô hình cũ"]

    def no_reading(*args):
        raise AssertionError("read again")

    monkeypatch.setattr(module, "_fingerprint", no_reading)
    again = run(content, cache_dir)
    assert [p.title for p in again.profiles] == ["Mô hình cũ"] and again.read_from_cache == 1


def test_a_new_file_is_read_once_and_its_cache_entry_is_of_the_bytes_parsed(content, cache_dir, monkeypatch):
    from lantoa import collection as module

    file = write(content, "lam-dong/2023/a.md", "Mô hình A")
    _age(file)
    reads = []
    real = module.read_content

    def counted(root, path, limit):
        reads.append(path)
        data = real(root, path, limit)
        # The file changes after this read: what was parsed is what the cache must vouch for.
        write(content, "lam-dong/2023/a.md", "Mô hình B")
        os.utime(file, ns=(file.stat().st_mtime_ns - 10**9,) * 2)
        return data

    monkeypatch.setattr(module, "read_content", counted)
    assert [p.title for p in run(content, cache_dir).profiles] == ["Mô hình A"]
    assert reads == [str(file)]
    monkeypatch.setattr(module, "read_content", real)
    # Its metadata changed since: hashed again, the bytes differ from those parsed, read again.
    assert [p.title for p in run(content, cache_dir).profiles] == ["Mô hình B"]


def test_a_file_saved_twice_within_the_clock_resolution_is_read_again(content, cache_dir):
    # Same size, same inode, and maybe the same mtime: only its bytes tell the change.
    file = write(content, "lam-dong/2023/a.md", "Mô hình A")
    first = file.stat()
    assert [p.title for p in run(content, cache_dir).profiles] == ["Mô hình A"]
    write(content, "lam-dong/2023/a.md", "Mô hình B")
    os.utime(file, ns=(first.st_atime_ns, first.st_mtime_ns))
    assert file.stat().st_size == first.st_size and file.stat().st_ino == first.st_ino
    assert [p.title for p in run(content, cache_dir).profiles] == ["Mô hình B"]


def test_a_file_with_other_metadata_is_hashed_and_kept_when_its_bytes_are_the_same(content, cache_dir):
    file = write(content, "lam-dong/2023/a.md", "Mô hình A")
    _age(file)
    run(content, cache_dir)
    os.utime(file)  # touched: metadata changed, bytes the same
    again = run(content, cache_dir)
    assert again.read_from_cache == 1 and [p.title for p in again.profiles] == ["Mô hình A"]


def test_the_index_keeps_each_terms_urls_and_the_state_names_them_as_its_profiles_do(tmp_path: Path):
    # Listings and feeds sign a term by its profiles' URLs: taken from the index as it was
    # made, they must be exactly the URLs of the profiles listed, in order, however asked.
    import heapq
    import pickle

    from lantoa.cache import Cache
    from lantoa.output import PageCache, names_digest, value_digest
    from lantoa.settings import apply_defaults
    from lantoa.state import NoPhotos, make_state

    from tests.conftest import ROOT, SAMPLE_CONTENT

    settings = apply_defaults({"OUTPUT_PATH": str(tmp_path / "site"), "PATH": str(SAMPLE_CONTENT),
                               "LANTOA_CACHE_DIR": str(tmp_path / "cache"), "THEME": str(ROOT / "theme")})
    cache = Cache(settings)
    collection = collect(SAMPLE_CONTENT, cache_dir=cache.root)
    state = make_state(collection, NoPhotos(), PageCache(settings, cache), cache, keep_terms=True)
    entries = [entry for by_key in state.index.values() for entry in by_key.values()]
    assert entries
    for entry in entries:
        expected = tuple(p.url for p in entry.profiles)
        assert state.urls(entry.profiles) == expected == tuple(entry.urls)
        assert state.urls_digest(entry.profiles) == names_digest(expected)
        assert entry.term.digest == value_digest(entry.term)
        # A term read back from the cache carries its digest, and it is the same.
        assert pickle.loads(pickle.dumps(entry.term)).__dict__["digest"] == entry.term.digest
    every = list(state.profiles)  # a list the index did not make: the collection's URLs
    assert state.urls(every) == tuple(p.url for p in every)
    assert state.urls_digest(every) == names_digest(p.url for p in every)
    backwards = every[::-1]  # the same profiles in another order are not taken for the collection's
    assert state.urls(backwards) == tuple(p.url for p in backwards)
    # What `assemble` noted of each profile in its one look at it is what the profiles give.
    profiles = collection.profiles
    assert collection.urls_in_order() == tuple(p.url for p in profiles)
    assert collection.digests_in_order() == [collection.digests[p.source] for p in profiles]
    with_photos = [n for n, p in enumerate(profiles) if p.photos]
    assert with_photos and collection.with_photos() == with_photos
    # The newest of a list, as the feeds and the front page choose them, from the collection's
    # ranks: what heapq chooses by each profile's publication key, ties in the same order.
    for listed in [every, backwards, *(entry.profiles for entry in entries)]:
        for count in (1, 3, 20, len(listed) + 1):
            assert state.newest(listed, count) == heapq.nsmallest(
                count, listed, key=lambda p: p.publication_key)


def test_a_profile_read_from_the_cache_has_the_gazetteers_own_units_and_its_keys(content, cache_dir):
    """The cache keeps a place's units as the gazetteer's names for them, not as copies: a
    profile read back holds the very units the gazetteer has, and reads as it was read. Its
    URL, sort key, identity (for submissions made twice) and publication key are made once,
    when the file is read, and kept with it: a build reads them, never makes them."""
    from lantoa.collection import KEPT_PROPERTIES
    from lantoa.gazetteer import gazetteer

    file = write(content, "lam-dong/2023/a.md", "Mô hình A")
    _age(file)
    first = run(content, cache_dir).profiles[0]
    again = run(content, cache_dir)
    assert again.read_from_cache == 1
    place = again.profiles[0].place
    assert place == first.place
    geo = gazetteer()
    assert place.province is geo.current_provinces[place.province.code]
    assert all(unit is geo.current_communes[unit.code] for unit in place.communes)
    kept = again.profiles[0].__dict__
    assert all(name in kept and kept[name] == getattr(first, name) for name in KEPT_PROPERTIES)


def test_reading_many_files_in_a_build_runs_the_paused_collector_again(content, cache_dir):
    import gc

    from lantoa.files import QUIET_CHANGES, frozen_after_reading, pause_collections

    for number in range(QUIET_CHANGES + 1):
        write(content, f"x/ho-so-{number}.md", f"Mô hình số {number}")
    with frozen_after_reading():
        pause_collections()
        run(content, cache_dir)  # all read: garbage enough to collect
        assert gc.isenabled()
        pause_collections()
        run(content, cache_dir)  # none read again: the collector stays paused
        assert not gc.isenabled()
    assert gc.isenabled()
