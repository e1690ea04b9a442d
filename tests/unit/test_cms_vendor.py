"""Decap CMS comes from the pinned npm tarball, checked, and only the files the page loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from lantoa.cms_vendor import MAIN_SCRIPT, STAMP, VendorError, fetch_tarball, unpack, vendored_files, wanted


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
    assert names == [p.name for p in vendored_files()]
