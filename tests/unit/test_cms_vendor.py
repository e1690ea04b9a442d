"""Decap CMS comes from the pinned npm tarball, checked, and only the files the page loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from lantoa.cms_vendor import MAIN_SCRIPT, STAMP, VendorError, fetch_tarball, unpack, vendored_files, wanted

from tests.conftest import ROOT


def test_only_what_the_page_loads_is_kept():
    assert wanted("decap-cms.js") and wanted("9829.decap-cms.js") and wanted("f728dc876b39e5273411.wasm")
    assert wanted("decap-cms.js.LICENSE.txt")
    assert not wanted("decap-cms.js.map") and not wanted("cms.js") and not wanted("9829.cms.js")


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path: Path):
    with pytest.raises(VendorError, match="không khớp"):
        unpack(b"not the package", tmp_path / "decap")
    assert not (tmp_path / "decap").exists()


def test_the_pinned_tarball_unpacks_to_the_vendored_files(tmp_path: Path):
    target = tmp_path / "decap"
    unpack(fetch_tarball(), target)  # npm's cache answers after the first install
    assert (target / STAMP).is_file() and (target / MAIN_SCRIPT).stat().st_size > 1_000_000
    names = sorted(p.name for p in target.iterdir() if p.name != STAMP)
    assert names == [p.name for p in vendored_files(ROOT)]


def test_a_build_on_a_fresh_clone_fetches_the_release_itself_once(tmp_path: Path, monkeypatch):
    import lantoa_cms
    from lantoa.settings import apply_defaults

    monkeypatch.setattr(lantoa_cms, "PROJECT", tmp_path)
    monkeypatch.setattr(lantoa_cms, "_tried_install", [])
    files = lantoa_cms.admin_files(apply_defaults({"SITENAME": "Lan Tỏa", "LANTOA_TODAY": "2026-11-25"}))
    assert files[MAIN_SCRIPT] == tmp_path / "vendor" / "decap-cms-3.16.3" / MAIN_SCRIPT
    assert "Chưa cài trình soạn thảo" not in files["config.js"].decode()

    monkeypatch.setattr(lantoa_cms, "PROJECT", tmp_path / "offline")  # tried once: not again
    files = lantoa_cms.admin_files(apply_defaults({"LANTOA_TODAY": "2026-11-25"}))
    assert MAIN_SCRIPT not in files
    assert "Chưa cài trình soạn thảo" in files["config.js"].decode()


def test_builds_that_unpack_the_release_at_once_all_succeed(tmp_path: Path):
    # Two builds started on a fresh clone both find the editor missing and unpack it.
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # the test runner's threads make forking unsafe
    tarball, target = fetch_tarball(), tmp_path / "vendor" / "decap"
    ready = context.Barrier(4)
    builds = [context.Process(target=_unpack_together, args=(ready, tarball, target)) for _ in range(4)]
    for build in builds:
        build.start()
    for build in builds:
        build.join(120)
    assert [build.exitcode for build in builds] == [0] * 4
    assert (target / STAMP).is_file() and (target / MAIN_SCRIPT).stat().st_size > 1_000_000
    assert sorted(p.name for p in (tmp_path / "vendor").iterdir()) == ["decap"]  # nothing left aside
    assert target.stat().st_mode & 0o777 == (tmp_path / "vendor").stat().st_mode & 0o777


def _unpack_together(ready, tarball: bytes, target: Path) -> None:
    ready.wait()
    unpack(tarball, target)
