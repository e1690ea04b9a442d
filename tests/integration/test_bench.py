"""`lantoa bench`: it builds real sites from its synthetic profiles and reports every build."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_the_benchmark_builds_real_sites_and_reports_each_build(tmp_path: Path):
    keep = tmp_path / "bench"
    command = [sys.executable, "-m", "lantoa.cli", "bench", "40", "--keep", str(keep), "--no-serve"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    # Each build's line, and the indented lines under it: its ratio, its CPU time …
    report: dict[str, dict[str, float]] = {}
    build: dict[str, float] = {}
    for line in result.stdout.splitlines():
        found = re.fullmatch(r"(.*?)\s+(-?\d+\.\d+|\d+)", line)
        if not found:
            continue
        if line.startswith(" "):
            build[found[1].strip()] = float(found[2])
        else:
            build = report[found[1].strip()] = {"": float(found[2])}
    assert report["số hồ sơ"][""] == 40
    cold = report["Lan Tỏa, dựng từ đầu, bộ đệm trống (giây)"]
    assert 0 < report["Lan Tỏa, dựng lại, không có gì thay đổi (giây)"][""] < cold[""]
    # The three edits and the move were built: the site shows the last of them.
    edits = next(line for line in result.stdout.splitlines() if line.strip().startswith("ba lần sửa"))
    assert len(re.findall(r"\d+\.\d+", edits)) == 3
    site = keep / "lantoa"
    pages = [p for p in site.glob("*/*/index.html") if p.parent.parent.name in ("mo-hinh", "dien-hinh")]
    assert len(pages) == 40
    moved = re.compile(r"<h1[^>]*>\s*Mô hình đã đổi tên hoàn toàn\s*</h1>")
    assert sum(bool(moved.search(p.read_text(encoding="utf-8"))) for p in pages) == 1
    # Plain Pelican built the same profiles into folders of its own, before and after.
    for folder in ("pelican-before", "pelican-after"):
        assert len(list((keep / folder).rglob("*.html"))) > 40
    # What the cores left unused is at most what they had, and what they had less the CPU spent.
    cpu = cold.get("thời gian CPU, cả các tiến trình phụ (giây)")
    if cpu is not None:  # where /proc tells it
        idle = cold["nhân rảnh: số nhân × thời gian − CPU (giây)"]
        assert cpu > 0 and idle <= (os.cpu_count() or 1) * cold[""]
        assert abs(idle - ((os.cpu_count() or 1) * cold[""] - cpu)) < 0.02
