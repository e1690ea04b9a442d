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
