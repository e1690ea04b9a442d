"""Rebuilds: reproducible bytes, only changed pages rendered, nothing stale left behind."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from lantoa.files import RACY_SECONDS

from tests.conftest import ROOT, SAMPLE_CONTENT, TODAY, linking_when_waited_for, valid_header, write_profile
from tests.hostile.corpus import jpeg


def lantoa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lantoa.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    first, second = tmp_path / "a", tmp_path / "b"
    for output in (first, second):
        # Each from an empty cache of its own: nothing is shared between the two builds.
        result = lantoa("build", "--content", str(content), "--output", str(output), "--strict",
                        "--cache", str(tmp_path / f"cache-{output.name}"))
        assert result.returncode == 0, result.stderr
    assert snapshot(first) == snapshot(second)


def test_a_rebuild_renders_only_what_an_edit_changed(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    output = tmp_path / "site"
    assert lantoa("build", "--content", str(content), "--output", str(output)).returncode == 0
    before = snapshot(output)
    inodes = {name: (output / name).stat().st_ino for name in before}

    edited = content / "profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMột câu bổ sung.\n", encoding="utf-8")
    removed = next((content / "profiles/ha-noi").rglob("*.md"))
    removed_slug = removed.stem
    removed.unlink()
    result = lantoa("build", "--content", str(content), "--output", str(output))
    assert result.returncode == 0, result.stderr
    after = snapshot(output)

    assert "Một câu bổ sung." in after["mo-hinh/nong-dan-dinh-van-lam-duong/index.html"].decode()
    assert not any(f"/{removed_slug}/" in name for name in after)
    # A page far from both changes was kept as it was: same file, not rendered again.
    kept = "dia-phuong/cao-bang/index.html"
    assert after[kept] == before[kept]
    assert (output / kept).stat().st_ino == inodes[kept]
    changed = [n for n in after if n.endswith(".html") and after[n] != before.get(n)]
    assert len(changed) < len([n for n in after if n.endswith(".html")]) / 3
    # The build was made beside the site, from hard links to its files: what it wrote anew
    # (a page, a feed) was never written through them into the site before, now the spare.
    previous = output.with_name(output.name + ".spare")
    for name in ("mo-hinh/nong-dan-dinh-van-lam-duong/index.html", "feeds/atom.xml"):
        assert after[name] != before[name]
        assert (previous / name).read_bytes() == before[name]


def test_an_unchanged_rebuild_renders_nothing(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    output = tmp_path / "site"
    lantoa("build", "--content", str(content), "--output", str(output))
    inodes = {p: p.stat().st_ino for p in output.rglob("*.html")}
    lantoa("build", "--content", str(content), "--output", str(output))
    written_by_pelican = {p.stem for p in (content / "pages").glob("*.md")}  # Pelican rewrites its pages
    pages = [p for p in output.rglob("*.html") if p.parent.name not in written_by_pelican]
    assert pages and all(p.stat().st_ino == inodes[p] for p in pages)


def test_a_build_with_nothing_to_do_does_nothing_until_the_content_or_the_site_changes(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    output, cache = tmp_path / "site", tmp_path / "cache"

    def build() -> str:
        result = lantoa("build", "--content", str(content), "--output", str(output), "--cache", str(cache))
        assert result.returncode == 0, result.stderr
        return result.stderr

    build()
    time.sleep(RACY_SECONDS + 0.5)  # a file changed this recently is never trusted
    stderr = build()
    assert "Không có gì thay đổi" in stderr, stderr
    edited = content / "profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMột câu mới.\n", encoding="utf-8")
    time.sleep(RACY_SECONDS + 0.5)  # (a build right after the save runs too, and trusts nothing)
    assert "Không có gì thay đổi" not in build()
    assert "Một câu mới." in (output / "mo-hinh/nong-dan-dinh-van-lam-duong/index.html").read_text("utf-8")
    stderr = build()
    assert "Không có gì thay đổi" in stderr, stderr
    (output / "nam/index.html").unlink()  # the site was touched: it is made whole again
    assert "Không có gì thay đổi" not in build()
    assert (output / "nam/index.html").is_file()
    # Builds that recycle the site before the previous one record only the folders they
    # changed (`derived_folders`): the record must still let the next build stop at once.
    for sentence in ("Câu thứ hai.", "Câu thứ ba."):
        edited.write_text(edited.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
        time.sleep(RACY_SECONDS + 0.5)
        assert "Không có gì thay đổi" not in build()
        time.sleep(RACY_SECONDS + 0.5)
        assert "Không có gì thay đổi" in build()


def test_a_neighbour_that_changes_kind_is_relinked(tmp_path: Path):
    from tests.conftest import build_site, valid_header, write_profile

    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/mot.md", valid_header(Title="Mô hình một", Date="2023-01-01"))
    neighbour = write_profile(content, "lam-dong/2023/hai.md",
                              valid_header(Title="Mô hình hai", Date="2023-02-01"))
    output = tmp_path / "output"
    build_site(content, output)
    assert 'href="/mo-hinh/hai/"' in (output / "mo-hinh/mot/index.html").read_text(encoding="utf-8")
    neighbour.write_text(neighbour.read_text(encoding="utf-8").replace(
        "Kind: mo-hinh", "Kind: dien-hinh"), encoding="utf-8")
    build_site(content, output)
    page = (output / "mo-hinh/mot/index.html").read_text(encoding="utf-8")
    assert 'href="/dien-hinh/hai/"' in page and 'href="/mo-hinh/hai/"' not in page


NOTHING_CHANGED = "Không có gì thay đổi kể từ lần dựng trước"


def test_a_build_with_nothing_to_do_stops_at_once_and_a_damaged_site_is_built_again(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)  # copies keep their old modification times
    output = tmp_path / "site"
    assert lantoa("build", "--content", str(content), "--output", str(output)).returncode == 0
    before = snapshot(output)

    again = lantoa("build", "--content", str(content), "--output", str(output))
    assert again.returncode == 0 and NOTHING_CHANGED in again.stderr
    assert snapshot(output) == before

    page = output / "mo-hinh/nong-dan-dinh-van-lam-duong/index.html"
    with open(page, "r+b") as handle:  # in place, as a disk error or a stray edit would
        handle.truncate(100)
    repaired = lantoa("build", "--content", str(content), "--output", str(output))
    assert repaired.returncode == 0 and NOTHING_CHANGED not in repaired.stderr
    assert snapshot(output) == before


def test_a_profile_saved_twice_within_the_clock_resolution_is_built_both_times(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    output = tmp_path / "site"
    page = output / "mo-hinh/nong-dan-dinh-van-lam-duong/index.html"
    assert lantoa("build", "--content", str(content), "--output", str(output)).returncode == 0
    edited = content / "profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("Đinh Văn", "Đinh Vân", 1), encoding="utf-8")
    saved = edited.stat()
    result = lantoa("build", "--content", str(content), "--output", str(output))
    assert result.returncode == 0 and "Đinh Vân" in page.read_text(encoding="utf-8")
    # Saved again at once: same size, same inode, the same modification time.
    edited.write_text(text.replace("Đinh Văn", "Đinh Vần", 1), encoding="utf-8")
    os.utime(edited, ns=(saved.st_atime_ns, saved.st_mtime_ns))
    result = lantoa("build", "--content", str(content), "--output", str(output))
    assert result.returncode == 0 and NOTHING_CHANGED not in result.stderr
    assert "Đinh Vần" in page.read_text(encoding="utf-8")


def test_lantoa_build_reports_each_stage_with_its_count_and_time(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    result = lantoa("build", "--content", str(content), "--output", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    profiles = len(list((content / "profiles").rglob("*.md")))
    assert re.search(rf"^\[Đọc hồ sơ\] {profiles} hồ sơ, \d+\.\d\d giây$", result.stderr, re.M)
    assert re.search(r"^\[Trang hồ sơ\] \d+ tệp, \d+\.\d\d giây$", result.stderr, re.M)
    assert re.search(r"^\[Vẽ thẻ chia sẻ\] \d+ thẻ, \d+\.\d\d giây$", result.stderr, re.M)


def test_a_template_saved_between_two_builds_in_one_process_is_taken(tmp_path: Path):
    # The preview server builds again in its own process after a template is saved: the
    # pages it shows are made again, with the template as it is now.
    from lantoa.build import build_atomic, load_settings

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = load_settings(ROOT / "pelicanconf.py", SAMPLE_CONTENT, tmp_path / "site",
                             cache=tmp_path / "cache")
    settings["THEME"] = str(theme)
    site = build_atomic(dict(settings))
    page = next(site.glob("mo-hinh/*/index.html"))
    assert "mẫu-vừa-lưu" not in page.read_text(encoding="utf-8")
    template = theme / "templates/profile.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}<!-- mẫu-vừa-lưu -->", 1), encoding="utf-8")
    site = build_atomic(dict(settings))
    assert "mẫu-vừa-lưu" in (site / page.relative_to(site)).read_text(encoding="utf-8")


def test_templates_are_compiled_once_and_kept_for_the_next_build(tmp_path: Path, monkeypatch):
    import jinja2
    from lantoa.build import build_atomic, load_settings
    from lantoa.cache import COMPILED_TEMPLATES

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    settings = load_settings(ROOT / "pelicanconf.py", content, tmp_path / "site", cache=tmp_path / "cache")
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_template(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    build_atomic(dict(settings))
    assert "profile.html" in compiled and (tmp_path / "cache" / COMPILED_TEMPLATES).is_file()
    edited = next((content / "profiles").rglob("*.md"))
    for damaged in (False, True):
        if damaged:  # a damaged file is compiled again, with a warning, not a failure
            (tmp_path / "cache" / COMPILED_TEMPLATES).write_bytes(b"\0" * 64)
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nCâu thêm {damaged}.\n", encoding="utf-8")
        time.sleep(RACY_SECONDS)
        compiled.clear()
        site = build_atomic(dict(settings))
        assert bool(compiled) == damaged and ("profile.html" in compiled) == damaged
        assert any(f"Câu thêm {damaged}." in page.read_text(encoding="utf-8")
                   for page in site.glob("*/*/index.html"))


def test_one_settings_dict_built_twice_stops_at_once_the_second_time(tmp_path: Path, capsys):
    # Pelican's Markdown reader adds to the MARKDOWN setting it is given: a build runs on its
    # own copy, and the settings the next build is compared by stay as they were.
    import copy
    import threading

    from lantoa.build import build_atomic, load_settings

    settings = load_settings(ROOT / "pelicanconf.py", SAMPLE_CONTENT, tmp_path / "site",
                             cache=tmp_path / "cache")
    given = copy.deepcopy(settings)
    # What a config may hold that cannot be deep-copied: Pelican takes a plugin's module itself.
    settings["LANTOA_TEST_SHARED"] = given["LANTOA_TEST_SHARED"] = (copy, threading.Lock)
    build_atomic(dict(settings))
    assert settings == given
    capsys.readouterr()
    build_atomic(dict(settings))
    assert "Không có gì thay đổi kể từ lần dựng trước" in capsys.readouterr().err


def test_the_open_data_files_are_written_again_only_when_a_row_changes(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    output = tmp_path / "site"
    assert lantoa("build", "--content", str(content), "--output", str(output)).returncode == 0
    files = [output / "du-lieu/ho-so.csv", output / "du-lieu/ho-so.json"]
    inodes = [f.stat().st_ino for f in files]

    # A sentence at the end of the text: no column shows it (the summary is the first paragraph).
    edited = content / "profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMột câu bổ sung.\n", encoding="utf-8")
    time.sleep(RACY_SECONDS)
    assert lantoa("build", "--content", str(content), "--output", str(output)).returncode == 0
    page = output / "mo-hinh/nong-dan-dinh-van-lam-duong/index.html"
    assert "Một câu bổ sung." in page.read_text(encoding="utf-8")
    assert [f.stat().st_ino for f in files] == inodes

    text = edited.read_text(encoding="utf-8")
    edited.write_text(re.sub(r"^Title: .*$", "Title: Tên mới của mô hình", text, count=1, flags=re.M),
                      encoding="utf-8")
    time.sleep(RACY_SECONDS)
    assert lantoa("build", "--content", str(content), "--output", str(output)).returncode == 0
    assert all(f.stat().st_ino != inode for f, inode in zip(files, inodes, strict=True))
    assert all("Tên mới của mô hình" in f.read_text(encoding="utf-8-sig") for f in files)


def test_nothing_is_written_into_the_build_folder_before_the_previous_site_is_linked(tmp_path):
    # A file a plugin writes into the build folder before the page cache has waited for the
    # child that links the previous site may be removed or replaced by the old one, depending
    # on which process comes first (`lantoa.output.start_linking`). Here the child's work
    # comes as late as it may, every time.
    from lantoa.build import build_atomic, load_settings

    content = tmp_path / "content"
    profile = write_profile(content, "lam-dong/2023/co-anh.md", valid_header(Image="anh.jpg"))
    write_profile(content, "lam-dong/2023/khong-anh.md", valid_header(Title="Mô hình không ảnh"))

    linked_late: list[int] = []  # per build, the folders linked when the page cache waited

    def built(output: Path, cache: Path) -> dict[str, bytes]:
        settings = load_settings(ROOT / "pelicanconf.py", content, output, cache=cache)
        settings["LANTOA_TODAY"] = TODAY
        with linking_when_waited_for() as linked:
            build_atomic(settings)
        linked_late.append(len(linked))
        return snapshot(output)

    # Three builds, the photo new each time: the third builds into the first one's folder.
    for width in (800, 801, 802):
        (profile.parent / "anh.jpg").write_bytes(jpeg((width, 600)))
        incremental = built(tmp_path / "site", tmp_path / "cache")
    assert linked_late == [0, 1, 1]  # the first build has no previous site to link
    assert (tmp_path / "site.spare").is_dir()
    assert "anh/lam-dong/2023/anh/the.jpg" in incremental  # the photo's listing crop
    assert incremental == built(tmp_path / "clean", tmp_path / "clean-cache")


def test_a_build_walks_the_content_once_and_a_file_changed_after_the_walk_is_built_next_time(
        tmp_path: Path, monkeypatch):
    # The inputs are summed and the profiles found from one walk; a profile saved between the
    # walk and its reading is read as it is then, and its new metadata makes the next build run.
    import lantoa.files
    from lantoa.build import build_atomic, load_settings

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    settings = load_settings(ROOT / "pelicanconf.py", content, tmp_path / "site", cache=tmp_path / "cache")
    build_atomic(dict(settings))
    edited = content / "profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nCâu thứ nhất.\n", encoding="utf-8")
    time.sleep(RACY_SECONDS)

    walked: list[str] = []
    walk = lantoa.files._walk

    def counted(root, directory, inside, metadata):
        if os.path.samefile(directory, content):
            walked.append(directory)
            if len(walked) == 1:  # the walk is taken: the file changes before it is read
                edited.write_text(edited.read_text(encoding="utf-8") + "\nCâu thứ hai.\n", encoding="utf-8")
        return walk(root, directory, inside, metadata)

    monkeypatch.setattr(lantoa.files, "_walk", counted)
    site = build_atomic(dict(settings))
    assert len(walked) == 1
    page = site / "mo-hinh/nong-dan-dinh-van-lam-duong/index.html"
    assert "Câu thứ hai." in page.read_text(encoding="utf-8")
    monkeypatch.setattr(lantoa.files, "_walk", walk)
    time.sleep(RACY_SECONDS)
    # The record holds the metadata the walk saw, not the file's now: the next build runs.
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("Câu thứ hai.", "Câu thứ ba."), encoding="utf-8")
    time.sleep(RACY_SECONDS)
    site = build_atomic(dict(settings))
    assert "Câu thứ ba." in page.read_text(encoding="utf-8")


def test_the_manifest_keeps_its_base_from_edit_to_edit(tmp_path: Path):
    """The base the output manifest names is kept in the cache from one build to the next
    (the cache's pruning counts it as used), and an edit writes only its changes to it."""
    from lantoa.files import read_pickle

    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(SAMPLE_CONTENT, content)
    edited = content / "profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"
    bases = []
    for number in range(4):
        if number:
            text = edited.read_text(encoding="utf-8")
            edited.write_text(f"{text}\nCâu thêm {number}.\n", encoding="utf-8")
            time.sleep(RACY_SECONDS)
        result = lantoa("build", "--content", str(content), "--output", str(tmp_path / "site"),
                        "--cache", str(cache))
        assert result.returncode == 0, result.stderr
        manifest = next(p for p in cache.glob("output-manifest.pickle.*") if ".base-" not in p.name)
        base = read_pickle(manifest, None)["base"]
        assert (cache / base).is_file()
        bases.append(base)
    assert len(set(bases)) == 1, bases
