"""The build folder: a recycled one holds exactly what a new one would (`link_previous`)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from lantoa.files import write_pickle
from lantoa.output import PageCache, _linked, _manifest_path, link_previous
from lantoa.publish import spare_folder, staging_folder
from lantoa.snapshot import SiteFolders, derived_folders, site_record


def tree(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() and not p.is_symlink() else None
            for p in sorted(folder.rglob("*"))}


def site(tmp_path: Path) -> tuple[dict, Path]:
    target = tmp_path / "site"
    for name, text in {"index.html": "trang chủ", "mo-hinh/a/index.html": "a", "mo-hinh/b/index.html": "b",
                       "feeds/rss.xml": "<rss/>", "anh/the.jpg": "ảnh"}.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text, encoding="utf-8")
    settings = {"OUTPUT_PATH": str(target), "LANTOA_CACHE_DIR": str(tmp_path / "cache")}
    # The manifest vouches for pages and feeds; the photo is written by every build.
    write_pickle(_manifest_path(settings), {"files": {n: ("x",) for n in
                                                      ("index.html", "mo-hinh/a/index.html",
                                                       "mo-hinh/b/index.html", "feeds/rss.xml")}})
    return settings, target


def test_a_new_build_folder_gets_the_vouched_files_as_links(tmp_path):
    settings, target = site(tmp_path)
    staging = staging_folder(target)
    assert link_previous(settings, target, staging) == 4
    assert tree(staging) == {"feeds": None, "feeds/rss.xml": b"<rss/>", "index.html": "trang chủ".encode(),
                             "mo-hinh": None, "mo-hinh/a": None, "mo-hinh/a/index.html": b"a",
                             "mo-hinh/b": None, "mo-hinh/b/index.html": b"b"}
    assert os.stat(staging / "mo-hinh/a/index.html").st_ino == os.stat(target / "mo-hinh/a/index.html").st_ino


def test_a_recycled_build_folder_holds_exactly_what_a_new_one_would(tmp_path):
    settings, target = site(tmp_path)
    fresh = tmp_path / "fresh"
    link_previous(settings, target, fresh)
    spare = spare_folder(target)
    # The site before: one page the same file, one rewritten since, one page and a folder
    # that are gone, a photo, a link where a page should be, and an empty folder.
    (spare / "mo-hinh/a").mkdir(parents=True)
    os.link(target / "mo-hinh/a/index.html", spare / "mo-hinh/a/index.html")
    (spare / "mo-hinh/b").mkdir(parents=True)
    (spare / "mo-hinh/b/index.html").write_text("b cũ", encoding="utf-8")
    (spare / "mo-hinh/c").mkdir(parents=True)
    (spare / "mo-hinh/c/index.html").write_text("đã xóa", encoding="utf-8")
    (spare / "anh").mkdir()
    (spare / "anh/the.jpg").write_text("ảnh cũ", encoding="utf-8")
    (spare / "feeds").mkdir()
    (spare / "feeds/rss.xml").symlink_to(target / "feeds/rss.xml")
    (spare / "trong/rong").mkdir(parents=True)
    kept = os.stat(spare / "mo-hinh/a/index.html").st_ino
    staging = staging_folder(target)
    assert staging != spare and not spare.exists()  # the spare became the build folder
    assert link_previous(settings, target, staging) == 4
    assert tree(staging) == tree(fresh)
    assert not (staging / "feeds/rss.xml").is_symlink()
    assert os.stat(staging / "mo-hinh/a/index.html").st_ino == kept
    for name in ("mo-hinh/b/index.html", "feeds/rss.xml", "index.html"):
        assert os.stat(staging / name).st_ino == os.stat(target / name).st_ino


def test_a_spare_without_a_site_is_not_recycled(tmp_path):
    target = tmp_path / "site"
    spare = spare_folder(target)
    (spare / "mo-hinh/a").mkdir(parents=True)
    (spare / "mo-hinh/a/index.html").write_text("a", encoding="utf-8")
    staging = staging_folder(target)
    assert not staging.exists() and not spare.exists()


def test_a_spare_that_is_a_link_is_neither_recycled_nor_emptied(tmp_path):
    settings, target = site(tmp_path)
    outside = tmp_path / "ngoai"
    (outside / "mo-hinh/a").mkdir(parents=True)
    (outside / "mo-hinh/a/index.html").write_text("không được đụng vào", encoding="utf-8")
    spare_folder(target).symlink_to(outside, target_is_directory=True)
    staging = staging_folder(target)
    assert not staging.exists()
    link_previous(settings, target, staging)
    assert tree(staging)["mo-hinh/a/index.html"] == b"a"
    assert (outside / "mo-hinh/a/index.html").read_text(encoding="utf-8") == "không được đụng vào"


def built(tmp_path: Path, digests: dict[str, str], owners: dict[str, tuple], **extra) -> PageCache:
    """A build in place by hand: each owner's one file written, the manifest committed."""
    settings = {"OUTPUT_PATH": str(tmp_path / "site"), "LANTOA_CACHE_DIR": str(tmp_path / "cache"),
                "LANTOA_WORKERS": 1, **extra}
    pages = PageCache(settings)
    pages.compare_profiles(digests)
    for owner, (signature, shows) in owners.items():
        if pages.visit(owner, signature, shows):
            name = f"{owner}/index.html"
            pages.write_bytes(name, [digests[u] for u in shows],
                              lambda o=owner: f"trang {o}".encode(), owner)
    pages.finish()
    return pages


def test_an_owner_whose_signature_and_profiles_are_unchanged_is_kept_without_a_look(tmp_path):
    digests = {"a/": "1", "b/": "2"}
    owners = {"trang-a": (("ke", "b/"), ("a/", "b/")), "trang-b": ((), ("b/",)), "danh-sach": (("x",), ())}
    first = built(tmp_path, digests, owners)
    assert first.rendered == 3
    again = built(tmp_path, digests, owners)
    assert (again.rendered, again.skipped) == (0, 3)
    # b changed: the two owners showing it are looked at again (and rewritten, as their
    # inputs changed); the third is kept without even making its inputs.
    changed = built(tmp_path, {"a/": "1", "b/": "3"}, owners)
    assert (changed.rendered, changed.skipped) == (2, 1)
    # Another signature (a neighbour, a term's profiles) is looked at; the same inputs
    # then need no render.
    moved = built(tmp_path, {"a/": "1", "b/": "3"}, {**owners, "danh-sach": (("y",), ())})
    assert moved.visit("danh-sach", ("y",)) is True
    assert (moved.rendered, moved.skipped) == (0, 3)


def test_a_kept_owner_whose_file_was_damaged_or_whose_code_changed_is_looked_at_again(tmp_path):
    digests = {"a/": "1"}
    owners = {"trang-a": ((), ("a/",)), "trang-khac": ((), ())}
    built(tmp_path, digests, owners)
    (tmp_path / "site/trang-a/index.html").write_text("hỏng", encoding="utf-8")
    repaired = built(tmp_path, digests, owners)
    assert (repaired.rendered, repaired.skipped) == (1, 1)
    assert (tmp_path / "site/trang-a/index.html").read_text(encoding="utf-8") == "trang trang-a"
    # Other settings that show (another salt): nothing is kept on the record's word.
    other = built(tmp_path, digests, owners, SITENAME="Trang khác")
    assert other.skipped == 0 and other.rendered == 2
    # Gone from the build: its file goes with it.
    built(tmp_path, digests, {"trang-a": ((), ("a/",))}, SITENAME="Trang khác")
    assert not (tmp_path / "site/trang-khac").exists()


def test_a_record_of_other_code_or_settings_is_let_go_but_for_its_files_names(tmp_path):
    from lantoa import output

    digests = {"a/": "1"}
    built(tmp_path, digests, {"trang-a": ((), ("a/",)), "trang-khac": ((), ())})
    settings = {"OUTPUT_PATH": str(tmp_path / "site"), "LANTOA_CACHE_DIR": str(tmp_path / "cache"),
                "LANTOA_WORKERS": 1}
    assert PageCache(settings)._previous_signatures  # the same code and settings: all of it
    assert output._LAST_MANIFEST
    other = PageCache({**settings, "SITENAME": "Trang khác"})
    # Nothing of it can be kept, so nothing of it is held for the build, in the page cache
    # or in the manifest read last (at 100,000 profiles some 160 MB).
    assert output._LAST_MANIFEST == {}
    assert (other._previous_signatures, other._previous_lastmod, other._previous_uses,
            other._previous_digests, other._files_of) == ({}, {}, {}, {}, {})
    assert set(other.previous) == {"trang-a/index.html", "trang-khac/index.html"}
    # …and what the build no longer writes still goes.
    built(tmp_path, digests, {"trang-a": ((), ("a/",))}, SITENAME="Trang khác")
    assert not (tmp_path / "site/trang-khac").exists()


def aged(folder: Path, seconds: int = 100) -> None:
    """Folder times as if the site was made a while ago (a record trusts only older times)."""
    old = time.time() - seconds
    for path in [*folder.rglob("*"), folder]:
        if path.is_dir():
            os.utime(path, (old, old))


def test_a_folder_unchanged_since_the_record_is_listed_from_it_and_a_changed_one_from_disk(tmp_path):
    _, target = site(tmp_path)
    aged(target)
    record = site_record(target)
    listed = SiteFolders(str(target), record).listing()
    assert listed == SiteFolders(str(target)).listing() == record["folders"]
    assert set(record["folders"]["mo-hinh/a"][1]) == {"mo-hinh/a/index.html"}
    # Unchanged folders are taken from the record: what it says is believed …
    record["folders"]["mo-hinh/a"][1]["mo-hinh/a/khong-co.html"] = (1, 1, 1)
    assert "mo-hinh/a/khong-co.html" in SiteFolders(str(target), record).listing()["mo-hinh/a"][1]
    # … and a folder that gained, lost or renamed a file since is listed again.
    (target / "mo-hinh/a/la.html").write_text("lạ", encoding="utf-8")
    (target / "feeds/rss.xml").unlink()
    listed = SiteFolders(str(target), record).listing()
    assert listed == SiteFolders(str(target)).listing()
    assert "mo-hinh/a/la.html" in listed["mo-hinh/a"][1] and "feeds/rss.xml" not in listed["feeds"][1]


def test_a_folder_changed_within_the_clock_resolution_of_the_record_is_listed_from_disk(tmp_path):
    _, target = site(tmp_path)
    record = site_record(target)  # the folders were made a moment ago
    record["folders"]["mo-hinh/a"][1]["mo-hinh/a/khong-co.html"] = (1, 1, 1)
    assert SiteFolders(str(target), record).listing() == SiteFolders(str(target)).listing()


def test_a_record_of_another_form_is_not_trusted(tmp_path):
    _, target = site(tmp_path)
    aged(target)
    record = site_record(target)
    record["site"] = record.pop("folders")  # as a record kept by an earlier version
    (target / "mo-hinh/a/la.html").write_text("lạ", encoding="utf-8")
    aged(target)
    assert "mo-hinh/a/la.html" in SiteFolders(str(target), record).listing()["mo-hinh/a"][1]


def test_recycling_by_the_records_holds_exactly_what_a_new_folder_would(tmp_path):
    settings, target = site(tmp_path)
    spare = spare_folder(target)
    # The spare: the site before, recorded, then one page gone and a stray file since.
    for name in ("index.html", "mo-hinh/a/index.html", "mo-hinh/c/index.html"):
        (spare / name).parent.mkdir(parents=True, exist_ok=True)
        os.link(target / "mo-hinh/a/index.html", spare / name) if name == "mo-hinh/a/index.html" \
            else (spare / name).write_text("cũ", encoding="utf-8")
    aged(spare)
    recycled, published = site_record(spare), site_record(target)
    (spare / "mo-hinh/c/thua.html").write_text("thừa", encoding="utf-8")
    fresh = tmp_path / "fresh"
    link_previous(settings, target, fresh)
    staging = staging_folder(target)
    assert link_previous(settings, target, staging, recycled, published) == 4
    assert tree(staging) == tree(fresh)


def test_a_recycled_folder_is_recorded_from_what_changed_as_a_listing_would_record_it(tmp_path):
    settings, target = site(tmp_path)
    spare = spare_folder(target)
    # The spare: the site before, its pages the site's files, a page gone since, the photo.
    for name in ("index.html", "mo-hinh/a/index.html", "mo-hinh/b/index.html", "feeds/rss.xml"):
        (spare / name).parent.mkdir(parents=True, exist_ok=True)
        os.link(target / name, spare / name)
    (spare / "mo-hinh/c").mkdir()
    (spare / "mo-hinh/c/index.html").write_text("cũ", encoding="utf-8")
    (spare / "anh").mkdir()
    (spare / "anh/the.jpg").write_text("ảnh cũ", encoding="utf-8")
    aged(spare)
    recycled, published = site_record(spare), site_record(target)
    staging = staging_folder(target)
    changes = _linked(settings, target, staging, recycled, published)[1]
    # The build: a new profile's page in a folder of its own, a page made again, a feed
    # removed with its folder (each noted, as the page cache notes them), and the photo,
    # which is not in the manifest, written again in the folder the linking removed.
    for name, text in (("mo-hinh/d/index.html", "d"), ("mo-hinh/b/index.html", "b mới")):
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.write_text(text, encoding="utf-8")
        changes.touch_file(name)
    (staging / "feeds/rss.xml").unlink()
    (staging / "feeds").rmdir()
    changes.touch_file("feeds/rss.xml")
    changes.touch_file("feeds")
    (staging / "anh").mkdir()
    (staging / "anh/the.jpg").write_text("ảnh", encoding="utf-8")
    derived = derived_folders(str(staging), recycled, changes)
    assert derived == SiteFolders(str(staging)).listing()
    # A folder nothing changed is the record's, not listed again.
    assert derived["mo-hinh/a"] is recycled["folders"]["mo-hinh/a"]
    assert set(derived) == {"", "mo-hinh", "mo-hinh/a", "mo-hinh/b", "mo-hinh/d", "anh"}


def test_a_recorded_folder_swapped_for_a_link_is_never_entered(tmp_path):
    settings, target = site(tmp_path)
    spare = spare_folder(target)
    (spare / "mo-hinh/c").mkdir(parents=True)
    (spare / "mo-hinh/c/index.html").write_text("cũ", encoding="utf-8")
    aged(spare)
    recycled, published = site_record(spare), site_record(target)
    # The folder becomes a link to a folder outside, its parent's time set back as it was.
    outside = tmp_path / "ngoai"
    outside.mkdir()
    (outside / "index.html").write_text("không được xóa", encoding="utf-8")
    before = os.stat(spare / "mo-hinh").st_mtime_ns
    (spare / "mo-hinh/c/index.html").unlink()
    (spare / "mo-hinh/c").rmdir()
    (spare / "mo-hinh/c").symlink_to(outside, target_is_directory=True)
    os.utime(spare / "mo-hinh", ns=(before, before))
    fresh = tmp_path / "fresh"
    link_previous(settings, target, fresh)
    staging = staging_folder(target)
    link_previous(settings, target, staging, recycled, published)
    assert (outside / "index.html").read_text(encoding="utf-8") == "không được xóa"
    assert tree(staging) == tree(fresh)


def test_a_page_linked_again_keeps_its_folder_and_leaves_the_parent_untouched(tmp_path):
    settings, target = site(tmp_path)
    spare = spare_folder(target)
    for name in ("mo-hinh/a", "mo-hinh/b"):
        (spare / name).mkdir(parents=True)
    os.link(target / "mo-hinh/a/index.html", spare / "mo-hinh/a/index.html")  # the site's file
    (spare / "mo-hinh/b/index.html").write_text("b cũ", encoding="utf-8")  # another file than the site's
    aged(spare)
    recycled, published = site_record(spare), site_record(target)
    parent = os.stat(spare / "mo-hinh").st_mtime_ns
    fresh = tmp_path / "fresh"
    link_previous(settings, target, fresh)
    staging = staging_folder(target)
    link_previous(settings, target, staging, recycled, published)
    assert tree(staging) == tree(fresh)
    assert os.stat(staging / "mo-hinh").st_mtime_ns == parent
    assert os.stat(staging / "mo-hinh/b/index.html").st_ino == os.stat(target / "mo-hinh/b/index.html").st_ino


# The previous site is linked by a forked child while the build reads its content; a test
# runner's threads make forking unsafe, so these run in a fresh, single-threaded interpreter.
LINK_BESIDE = """
import json, os, sys
from pathlib import Path
from lantoa.files import write_pickle
from lantoa.output import _manifest_path, start_linking, wait_for_linking
from lantoa.parallel import single_threaded

root = Path(sys.argv[1])
target, staging = root / "site", root / "staging"
pages = {"index.html": "trang chủ", "mo-hinh/a/index.html": "a", "mo-hinh/b/index.html": "b"}
for name, text in pages.items():
    (target / name).parent.mkdir(parents=True, exist_ok=True)
    (target / name).write_text(text, encoding="utf-8")
settings = {"OUTPUT_PATH": str(staging), "LANTOA_CACHE_DIR": str(root / "cache")}
files = {}
for name in pages:
    status = os.stat(target / name)
    files[name] = ("x", status.st_size, status.st_mtime_ns)
files["mo-hinh/b/index.html"] = ("x", 99, 0)  # edited by hand since the manifest was written
files["gone.html"] = ("x", 1, 0)  # in the manifest, no longer in the site
write_pickle(_manifest_path(settings), {"files": files})
if sys.argv[2] == "blocked":
    staging.write_text("một tệp chiếm chỗ thư mục dựng")
start_linking(settings, target, staging)
try:
    altered = wait_for_linking(staging)
except OSError as error:
    altered = type(error).__name__
linked = sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file()) \
    if staging.is_dir() else []
altered = sorted(altered) if isinstance(altered, set) else altered
print(json.dumps({"forked": single_threaded(), "altered": altered, "linked": linked}))
"""


def _link_beside(tmp_path: Path, how: str) -> dict:
    import json
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", LINK_BESIDE, str(tmp_path), how],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(run.stdout)


def test_the_previous_site_linked_beside_the_build_says_which_files_are_not_as_left(tmp_path):
    found = _link_beside(tmp_path, "plain")
    assert found == {"forked": True, "altered": ["gone.html", "mo-hinh/b/index.html"],
                     "linked": ["index.html", "mo-hinh/a/index.html", "mo-hinh/b/index.html"]}


def test_linking_that_fails_in_the_child_fails_in_the_build_with_its_own_error(tmp_path):
    assert _link_beside(tmp_path, "blocked")["altered"] in ("FileExistsError", "NotADirectoryError")


def test_with_threads_running_the_previous_site_is_linked_at_once(tmp_path):
    import threading

    from lantoa.output import start_linking, wait_for_linking

    settings, target = site(tmp_path)
    staging = staging_folder(target)
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        start_linking(settings, target, staging)
        assert tree(staging)["mo-hinh/a/index.html"] == b"a"  # linked before it returned
        assert wait_for_linking(staging) is None  # nothing forked: the page cache looks itself
    finally:
        stop.set()
        beside.join()


def _manifest(pages: int, salt: str = "s") -> dict:
    names = [f"mo-hinh/{n}/index.html" for n in range(pages)]
    return {"files": {name: ("f" + name, 10, 1) for name in names}, "salt": salt,
            "digests": {name[:-10]: "d" for name in names}, "owned": {name: (name,) for name in names},
            "signatures": {name: ("s", 1) for name in names}, "lastmod": {}, "uses": {}, "facts": {"x": 1}}


def test_a_manifest_is_kept_as_its_changes_to_a_base_until_they_are_many(tmp_path):
    from lantoa.cache import Cache
    from lantoa.output import BASE_SUFFIX, read_manifest, write_manifest

    cache = Cache({"LANTOA_CACHE_DIR": str(tmp_path / "cache")})
    path = tmp_path / "cache/output-manifest.pickle.khoa"
    first = _manifest(100)
    write_manifest(path, first, None, cache)
    bases = sorted(p.name for p in path.parent.iterdir() if BASE_SUFFIX in p.name)
    assert len(bases) == 1
    read = read_manifest(path)
    assert {part: read[part] for part in first} == first
    # An edit: one page made again, one added, one gone, a fact changed.
    second = {part: dict(values) if isinstance(values, dict) else values for part, values in read.items()
              if part != "layers"}
    second["files"]["mo-hinh/0/index.html"] = ("khác", 11, 2)
    second["files"]["mo-hinh/moi/index.html"] = ("mới", 1, 1)
    del second["files"]["mo-hinh/1/index.html"]
    second["facts"] = {"x": 2}
    write_manifest(path, second, read, cache)
    assert sorted(p.name for p in path.parent.iterdir() if BASE_SUFFIX in p.name) == bases
    assert path.stat().st_size < 1000  # the changes alone
    again = read_manifest(path)
    assert {part: again[part] for part in second} == second
    # A change undone is kept as the value it has again; changes since are added up.
    third = {part: dict(values) if isinstance(values, dict) else values for part, values in again.items()
             if part != "layers"}
    third["files"]["mo-hinh/1/index.html"] = first["files"]["mo-hinh/1/index.html"]
    write_manifest(path, third, again, cache)
    assert {part: read_manifest(path)[part] for part in third} == third
    # Many changes: a new base.
    fourth = _manifest(100, salt="s")
    fourth["files"] = {name: ("mới", 1, 1) for name in fourth["files"]}
    write_manifest(path, fourth, read_manifest(path), cache)
    assert len([p for p in path.parent.iterdir() if BASE_SUFFIX in p.name]) == 2
    assert {part: read_manifest(path)[part] for part in fourth} == fourth


def test_a_manifest_whose_base_is_gone_vouches_for_nothing(tmp_path):
    from lantoa.cache import Cache
    from lantoa.output import BASE_SUFFIX, read_manifest, write_manifest

    cache = Cache({"LANTOA_CACHE_DIR": str(tmp_path / "cache")})
    path = tmp_path / "cache/output-manifest.pickle.khoa"
    write_manifest(path, _manifest(3), None, cache)
    for base in path.parent.glob(f"*{BASE_SUFFIX}*"):
        base.unlink()
    assert read_manifest(path) == {"files": {}}


def test_a_manifest_naming_a_base_outside_its_folder_vouches_for_nothing(tmp_path):
    from lantoa.cache import Cache
    from lantoa.files import write_pickle
    from lantoa.output import BASE_SUFFIX, MANIFEST, read_manifest, write_manifest

    cache = Cache({"LANTOA_CACHE_DIR": str(tmp_path / "cache")})
    path = tmp_path / "cache/output-manifest.pickle.khoa"
    write_manifest(path, _manifest(3), None, cache)
    base = next(path.parent.glob(f"*{BASE_SUFFIX}*"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / base.name).write_bytes(base.read_bytes())  # a valid base, in another folder
    (path.parent / "other.pickle").write_bytes(base.read_bytes())  # beside it, another name
    for named in (f"../elsewhere/{base.name}", str(outside / base.name), "other.pickle"):
        write_pickle(path, {"base": named, "changes": {}, "salt": "s"})
        assert read_manifest(path) == {"files": {}}, named
    write_pickle(path, {"base": base.name, "changes": {}, "salt": "s"})
    assert read_manifest(path)["files"]  # the base it wrote is still read
    assert base.name.startswith(MANIFEST + BASE_SUFFIX)
