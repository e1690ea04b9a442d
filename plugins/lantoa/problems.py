"""Problems as data: every check returns `Problem` values, one reporter prints them.

A problem says where (file, line), what (field, code, message) and how to fix it
(hint), in Vietnamese, the way ruff or rustc report diagnostics. Nothing in the
pipeline raises for a bad profile; it collects problems and goes on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TextIO


class Severity(StrEnum):
    ERROR = "lỗi"
    WARNING = "cảnh báo"


# Every problem code, once: what it means in a few words. The editor's guide
# explains each (a test checks), and `lantoa check` prints them.
CODES: dict[str, str] = {
    "E001": "tệp rỗng",
    "E002": "tệp quá lớn",
    "E003": "tệp không phải UTF-8",
    "E004": "tệp không có phần đầu",
    "E005": "không đọc được tệp",
    "E006": "liên kết tượng trưng trỏ ra ngoài thư mục nội dung",
    "E007": "không phải tệp thông thường",
    "E008": "nội dung quá phức tạp để hiển thị",
    "E009": "lỗi nội bộ khi đọc hồ sơ",
    "E010": "một khóa xuất hiện hai lần",
    "E011": "thiếu khóa bắt buộc",
    "E012": "loại không hợp lệ",
    "E013": "lĩnh vực không hợp lệ",
    "E014": "cấp công nhận không hợp lệ",
    "E015": "năm không hợp lệ",
    "E016": "cấp huyện sau 2025",
    "E017": "giai đoạn sai dạng",
    "E018": "thiếu cả đơn vị lẫn cá nhân",
    "E019": "trạng thái không hợp lệ",
    "E020": "nguồn không phải địa chỉ web",
    "E021": "ngày sai định dạng",
    "E022": "không tạo được đường dẫn từ tên tệp",
    "E023": "giá trị có/không không hợp lệ",
    "E030": "không tìm thấy tỉnh, thành phố",
    "E031": "có huyện cho năm sau 2025",
    "E032": "không tìm thấy huyện, hoặc huyện thuộc tỉnh khác",
    "E033": "nhiều xã cùng tên",
    "E034": "không tìm thấy xã, phường",
    "E035": "hai đơn vị cấp huyện cùng tên",
    "E036": "tên tỉnh viết không dấu khớp với nhiều tỉnh",
    "E040": "ảnh nằm ngoài thư mục nội dung",
    "E041": "không tìm thấy ảnh",
    "E042": "tệp không phải là ảnh",
    "E043": "ảnh bị hỏng hoặc chép chưa hết",
    "E044": "ảnh quá nhiều điểm ảnh",
    "E045": "tệp ảnh quá nặng",
    "E046": "định dạng ảnh chưa hỗ trợ",
    "E050": "hai hồ sơ trùng đường dẫn",
    "W001": "khóa không xác định",
    "W002": "nội dung rất ngắn",
    "W003": "hồ sơ điển hình có thể chứa thông tin cá nhân",
    "W004": "tệp lưu bằng bảng mã UTF-16",
    "W005": "dòng khóa nằm trong nội dung",
    "W030": "tên địa phương viết theo biến thể chính tả",
    "W031": "tên địa phương viết không dấu hoặc khác dấu",
    "W032": "tỉnh cũ nay thuộc nhiều tỉnh",
    "W042": "đuôi tệp ảnh không khớp nội dung",
    "W043": "ảnh đại diện quá nhỏ",
    "W050": "có thể nộp hai lần",
}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    field: str
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """`path:line: field: message (gợi ý: hint)` — the form editors read."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.field}: {self.message}"
        if self.severity is Severity.WARNING:
            text = f"{where}: {self.field}: [cảnh báo] {self.message}"
        if self.hint:
            text += f" (gợi ý: {self.hint})"
        return f"{text} [{self.code}]"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.field, p.code, p.message))


def report(problems: Iterable[Problem], stream: TextIO | None = None) -> tuple[int, int]:
    """Print every problem, sorted by file and line, then a summary; return (errors, warnings)."""
    stream = stream or sys.stderr
    ordered = sort_problems(problems)
    for problem in ordered:
        print(problem.format(), file=stream)
    errors = sum(1 for p in ordered if p.is_error)
    warnings = len(ordered) - errors
    files = len({p.path for p in ordered})
    if ordered:
        print(f"Tổng cộng: {errors} lỗi, {warnings} cảnh báo trong {files} tệp.", file=stream)
    return errors, warnings


class StrictBuildError(Exception):
    """A strict build met at least one error; the problems were already reported."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = sum(1 for p in problems if p.is_error)
        super().__init__(f"Dừng bản dựng: {errors} lỗi trong nội dung (chế độ nghiêm ngặt).")
