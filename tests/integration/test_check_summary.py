"""`lantoa check` as an editor runs it: the summary adds up, strict mode fails on unread lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, valid_header, write_profile


def run_check(content: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lantoa.cli", "check", "--content", str(content), *flags],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_summary_counts_files_with_and_without_errors_as_printed(tmp_path: Path):
    content = tmp_path / "content"
    for n in range(4):
        write_profile(content, f"lam-dong/2023/tot-{n}.md", valid_header(Title=f"Mô hình {n}"))
    # One file with two errors (a bad year and a missing photo), one with a warning only.
    write_profile(content, "lam-dong/2023/hong.md", valid_header(Title="Hỏng", Year="20233",
                                                                 Image="khong-co.jpg"))
    write_profile(content, "lam-dong/2023/canh-bao.md", valid_header(Title="Cảnh báo", Province="Lam Dong"))
    result = run_check(content)
    assert result.returncode == 1
    printed = [line for line in result.stderr.splitlines() if line.startswith("profiles/")]
    errors = [line for line in printed if "[cảnh báo]" not in line]
    warnings = [line for line in printed if "[cảnh báo]" in line]
    summary = result.stderr.strip().splitlines()[-1]
    numbers = re.fullmatch(r"Đã kiểm tra (\d+) hồ sơ: (\d+) không có lỗi, (\d+) có lỗi; "
                           r"tổng cộng (\d+) lỗi, (\d+) cảnh báo\.", summary)
    assert numbers, summary
    files, fine, broken, error_count, warning_count = map(int, numbers.groups())
    assert (files, fine, broken) == (6, 5, 1)
    assert error_count == len(errors) == 2
    assert warning_count == len(warnings) == 1


def test_strict_check_fails_on_a_line_that_is_not_read(tmp_path: Path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/tot.md", {**valid_header(), "Tinhh thanh": "Lâm Đồng"})
    assert run_check(content).returncode == 0
    strict = run_check(content, "--strict")
    assert strict.returncode == 1
    assert "W001" in strict.stderr and "nghiêm ngặt" in strict.stderr


def test_a_mistyped_command_is_answered_in_vietnamese_with_the_nearest_one():
    result = subprocess.run([sys.executable, "-m", "lantoa.cli", "nwe"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "lỗi: không có lệnh 'nwe' (có phải 'new'?)" in result.stderr
    assert "invalid choice" not in result.stderr and "usage" not in result.stderr
    help_text = subprocess.run([sys.executable, "-m", "lantoa.cli", "import", "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=60).stdout
    assert help_text.startswith("cách dùng: lantoa import") and "tùy chọn:" in help_text
    assert "show this help" not in help_text
