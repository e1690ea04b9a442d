"""The preview's site in memory: after a save, the pages it renders are a clean build's pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lantoa.bench import move
from lantoa.build import load_settings, run_pelican
from lantoa.live import LiveSite, page_name

from tests.conftest import ROOT, SAMPLE_CONTENT

EDITED = "profiles/lam-dong/2023/nong-dan-dinh-van-lam-duong.md"


def clean_build(content: Path, output: Path) -> Path:
    """What `lantoa serve` builds, from empty caches, into a folder of its own."""
    settings = load_settings(ROOT / "pelicanconf.py", content, output, strict=False, siteurl="",
                             cache=output.parent / f"{output.name}-cache")
    run_pelican(settings)
    return output


@pytest.fixture
def live(tmp_path: Path) -> LiveSite:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    site = LiveSite(ROOT / "pelicanconf.py", content, tmp_path / "site", tmp_path / "cache")
    assert site.build_here() == 0
    return site


def test_pages_come_from_disk_until_a_profile_is_saved(live: LiveSite):
    assert live.page("index.html") is None
    assert live.page("mo-hinh/nong-dan-dinh-van-lam-duong/index.html") is None


def test_after_a_move_every_page_in_memory_is_the_page_of_a_clean_build(live: LiveSite, tmp_path: Path):
    edited = live.content / EDITED
    move(edited, "Nông dân chung sức làm đường, tên mới", "2019-04-02", "Cao Bằng")
    assert live.update([edited])

    clean = clean_build(live.content, tmp_path / "clean")
    pages = [p.relative_to(clean).as_posix() for p in clean.rglob("index.html")]
    compared = 0
    for name in pages:
        page = live.page(name)
        if page is not None:  # profile, listing and overview pages: every one of them
            assert page == (clean / name).read_bytes(), name
            compared += 1
    # Pelican's own pages, the editor, search and statistics come from the build beside.
    beside = ("tim-kiem/", "thong-ke/", "huong-dan/", "gioi-thieu/", "soan-tren-trinh-duyet/", "quan-tri/")
    assert compared == len([n for n in pages if not n.startswith(beside)])
    assert "dia-phuong/cao-bang/index.html" in pages and "nam/2019/index.html" in pages


def test_a_deleted_profile_is_gone_at_once(live: LiveSite):
    deleted = live.content / EDITED
    deleted.unlink()
    assert live.update([deleted])
    assert live.gone("mo-hinh/nong-dan-dinh-van-lam-duong/index.html")
    assert live.page("mo-hinh/nong-dan-dinh-van-lam-duong/index.html") is None
    assert b"nong-dan-dinh-van-lam-duong" not in live.page("index.html")


def test_a_profile_saved_through_a_link_is_left_to_a_whole_build_which_refuses_it(live: LiveSite,
                                                                                tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "bi-mat.md").write_text((live.content / EDITED).read_text(encoding="utf-8").replace(
        "nong-dan-dinh-van-lam-duong", "bi-mat"), encoding="utf-8")
    (live.content / "profiles/lien-ket").symlink_to(outside, target_is_directory=True)
    (live.content / "profiles/bi-mat.md").symlink_to(outside / "bi-mat.md")
    # A folder linked inside the content too: read through it, every profile in it would be twice.
    profiles = live.content / "profiles"
    (profiles / "ban-sao").symlink_to(profiles / "lam-dong", target_is_directory=True)
    for saved in ("profiles/lien-ket/bi-mat.md", "profiles/bi-mat.md",
                  "profiles/ban-sao/2023/nong-dan-dinh-van-lam-duong.md"):
        assert not live.update([live.content / saved]), saved  # the walk of a whole build decides
    assert live.build_here() == 0
    state = live.snapshot.state
    assert not any(p.slug == "bi-mat" for p in state.profiles)
    assert sum(p.slug == "nong-dan-dinh-van-lam-duong" for p in state.profiles) == 1
    codes = {p.path: p.code for p in state.collection.problems}
    assert codes["profiles/bi-mat.md"] == codes["profiles/lien-ket"] == codes["profiles/ban-sao"] == "E006"
    assert live.page("mo-hinh/bi-mat/index.html") is None


def test_a_change_that_is_not_only_profiles_is_left_to_a_whole_build(live: LiveSite):
    assert not live.update([live.content / "pages/huong-dan.md"])
    assert not live.update([live.content / EDITED, ROOT / "theme/templates/base.html"])


def test_an_atomic_save_is_a_profile_saved_and_its_passing_file_is_nothing(live: LiveSite):
    edited = live.content / EDITED
    # Saved as many editors do: written beside, then renamed over the profile.
    passing = edited.with_name(".nong-dan.md.swp")
    passing.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Đã lưu ", 1),
                       encoding="utf-8")
    passing.replace(edited)
    assert live.update([passing, edited]) is True
    assert "Đã lưu" in live.page("mo-hinh/nong-dan-dinh-van-lam-duong/index.html").decode()
    assert live.update([passing]) is None


def test_request_paths_name_pages():
    assert page_name("/") == "index.html"
    assert page_name("/mo-hinh/a/") == "mo-hinh/a/index.html"
    assert page_name("/mo-hinh/a/index.html") == "mo-hinh/a/index.html"
    assert page_name("/theme/css/site.css") is None and page_name("/mo-hinh/a") is None
