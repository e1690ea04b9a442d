"""Crash safety: a build killed at any stage, and damaged caches, leave no trace.

A build is killed at each stage through `LANTOA_FAULT_AT` (the process ends
abruptly, as under `kill -9`); the next ordinary build must produce exactly the
bytes of a clean build, and no staging folder may remain.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lantoa.publish import FAULT_EXIT_CODE, FAULT_VARIABLE, recover, sync_in_place

from tests.conftest import ROOT, valid_header, write_profile
from tests.hostile.corpus import jpeg

STAGES = ("rendered", "withdrawn", "exchanged", "swapped")


def build(content: Path, output: Path, cache: Path, fault: str | None = None,
          *options: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(FAULT_VARIABLE, None)
    if fault:
        env[FAULT_VARIABLE] = fault
    return subprocess.run([sys.executable, "-m", "lantoa.cli", "build", "--content", str(content),
                           "--output", str(output), "--cache", str(cache), *options], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def make_content(content: Path, version: int) -> None:
    shutil.rmtree(content, ignore_errors=True)
    for number in range(4):
        title = f"Mô hình số {number} phiên bản {version if number < 2 else 1}"
        image = {"Image": "anh.jpg"} if number == 0 else {}
        header = valid_header(Title=title, **image)
        path = write_profile(content, f"lam-dong/2023/mo-hinh-{number}.md", header)
        if number == 0:
            (path.parent / "anh.jpg").write_bytes(jpeg((800 + version, 600)))
    if version == 2:  # one profile deleted, one added
        (content / "profiles/lam-dong/2023/mo-hinh-3.md").unlink()
        write_profile(content, "lam-dong/2024/moi.md", valid_header(Title="Mô hình mới", Year="2024"))


@pytest.fixture(scope="module")
def clean_v2(tmp_path_factory) -> dict[str, bytes]:
    base = tmp_path_factory.mktemp("clean")
    make_content(base / "content", 2)
    result = build(base / "content", base / "site", base / "cache")
    assert result.returncode == 0, result.stderr
    return tree(base / "site")


@pytest.mark.parametrize("stage", STAGES)
def test_a_build_killed_at_any_stage_is_healed_by_the_next(tmp_path, clean_v2, stage):
    content, output, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    make_content(content, 1)
    assert build(content, output, cache).returncode == 0
    make_content(content, 2)
    killed = build(content, output, cache, fault=stage)
    assert killed.returncode == FAULT_EXIT_CODE, killed.stderr
    assert output.is_dir()  # a visitor always finds a whole site, old or new
    healed = build(content, output, cache)
    assert healed.returncode == 0, healed.stderr
    assert tree(output) == clean_v2
    # Beside the site, at most the one it replaced, kept for the next build to recycle.
    beside = sorted(p.name for p in tmp_path.iterdir() if p.name != "site.spare")
    assert beside == ["cache", "content", "site"]


def test_a_failed_build_leaves_its_folder_as_the_spare_and_the_next_build_is_clean(tmp_path, clean_v2):
    content, output, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    make_content(content, 1)
    assert build(content, output, cache).returncode == 0
    make_content(content, 2)
    broken = write_profile(content, "lam-dong/2023/hong.md", valid_header(Level="thon"))
    assert build(content, output, cache).returncode == 0  # the broken one is left out; a spare now exists
    assert (tmp_path / "site.spare").is_dir()
    failed = build(content, output, cache, None, "--strict")  # fails after the spare became its folder
    assert failed.returncode == 1, failed.stderr
    assert (tmp_path / "site.spare").is_dir()
    broken.unlink()
    assert build(content, output, cache).returncode == 0
    assert tree(output) == clean_v2
    folders = sorted(p.relative_to(output) for p in output.rglob("*") if p.is_dir())
    clean = tmp_path / "clean"
    assert build(content, clean, tmp_path / "clean-cache").returncode == 0
    assert folders == sorted(p.relative_to(clean) for p in clean.rglob("*") if p.is_dir())


def test_a_site_set_aside_by_a_killed_build_is_put_back(tmp_path):
    old = tmp_path / "site.old-4242"
    (old / "mo-hinh").mkdir(parents=True)
    (old / "index.html").write_text("cũ", encoding="utf-8")
    (tmp_path / "site.tmp-4243").mkdir()
    recover(tmp_path / "site")
    assert (tmp_path / "site/index.html").read_text(encoding="utf-8") == "cũ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_sync_in_place_makes_the_contents_equal(tmp_path):
    staging, target = tmp_path / "moi", tmp_path / "site"
    (staging / "a").mkdir(parents=True)
    (staging / "a/trang.html").write_text("mới", encoding="utf-8")
    (staging / "b").write_text("tệp", encoding="utf-8")
    (target / "a/cu").mkdir(parents=True)
    (target / "a/trang.html").write_text("cũ", encoding="utf-8")
    (target / "b").mkdir()
    (target / "thua.txt").write_text("x", encoding="utf-8")
    sync_in_place(staging, target)
    assert tree(target) == {"a/trang.html": "mới".encode(), "b": "tệp".encode()}
    assert not staging.exists()


def test_damaged_cache_entries_are_rebuilt_not_published(tmp_path, clean_v2):
    content, output, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    make_content(content, 2)
    assert build(content, output, cache).returncode == 0
    damaged = [
        next((cache / "images").glob("*/800.jpg"), None) or next((cache / "images").glob("*/*.jpg")),
        next((cache / "cards").glob("*.png")),
        next((cache / "search").glob("*/t/*.bin.gz")),
        next((cache / "search").glob("*/meta.json")),
    ]
    for path in damaged:
        with open(path, "r+b") as handle:  # in place: the published hard link is damaged too
            handle.truncate(path.stat().st_size // 2)
    meta = next(p for p in (cache / "images").glob("*/meta.pickle"))
    meta.write_bytes(meta.read_bytes()[:20])
    rebuilt = build(content, output, cache)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "bộ đệm hỏng" in rebuilt.stderr
    assert tree(output) == clean_v2
    again = build(content, output, cache)
    assert "bộ đệm hỏng" not in again.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
def test_an_output_folder_that_is_a_mount_point(tmp_path, clean_v2):
    content, output, cache = tmp_path / "content", tmp_path / "site", tmp_path / "cache"
    output.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(output)], capture_output=True).returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        make_content(content, 1)
        assert build(content, output, cache).returncode == 0
        make_content(content, 2)
        result = build(content, output, cache)
        assert result.returncode == 0, result.stderr
        assert tree(output) == clean_v2
        assert os.path.ismount(output)
    finally:
        subprocess.run(["umount", str(output)], check=False)
