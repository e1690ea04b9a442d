"""Progress of long work: which stage a build is in, and how far it got.

Code that does long work says so with `stage(name, total, unit)` and advances
the step it gets back; it never prints progress itself. What the user sees
depends on where the output goes (`reporting(reporter_for(stream))`, set by the
command line): on a terminal, one live line per stage drawn with rich (stage,
count, bar, time); elsewhere (CI, a log file) one plain line per stage with its
count and its time; inside a test or a library call, nothing.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Protocol, TextIO

REFRESH_SECONDS = 0.1  # a terminal is redrawn at most this often


class Reporter(Protocol):
    def begin(self, name: str, total: int | None, unit: str) -> None: ...

    def advance(self, count: int) -> None: ...

    def end(self, name: str, done: int, total: int | None, unit: str, seconds: float) -> None: ...

    def close(self) -> None: ...


class Silent:
    """Nothing shown: builds run from tests or other code."""

    def begin(self, name: str, total: int | None, unit: str) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def end(self, name: str, done: int, total: int | None, unit: str, seconds: float) -> None:
        pass

    def close(self) -> None:
        pass


def _count(done: int, total: int | None, unit: str) -> str:
    if not unit:
        return ""
    shown = f"{done:,}".replace(",", ".")
    if total is not None and total != done:
        shown += f"/{total:,}".replace(",", ".")
    return f"{shown} {unit}, "


class Lines(Silent):
    """One line per finished stage, with its count and time: for logs and CI."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def end(self, name: str, done: int, total: int | None, unit: str, seconds: float) -> None:
        print(f"[{name}] {_count(done, total, unit)}{seconds:.2f} giây", file=self.stream, flush=True)


class Live:
    """A rich progress display on a terminal: the stage running, its bar and count; past stages stay."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        # Refreshed by hand, never by rich's own thread: forking a process that runs a
        # thread is unsafe, and the build forks its workers.
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[unit]}"), TimeElapsedColumn(),
                                 console=Console(file=stream), auto_refresh=False, transient=False)
        self.progress.start()
        self.task = None
        self.drawn = 0.0

    def begin(self, name: str, total: int | None, unit: str) -> None:
        self.task = self.progress.add_task(name, total=total, unit=unit)
        self._refresh(force=True)

    def advance(self, count: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)
            self._refresh()

    def end(self, name: str, done: int, total: int | None, unit: str, seconds: float) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=done, total=max(done, total or 0) or 1)
            self.progress.stop_task(self.task)
            self.task = None
        self._refresh(force=True)

    def close(self) -> None:
        self.progress.refresh()
        self.progress.stop()

    def _refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.drawn >= REFRESH_SECONDS:
            self.drawn = now
            self.progress.refresh()


_reporter: Reporter = Silent()


class Step:
    """The running stage: `advance` as the work gets done."""

    def __init__(self, reporter: Reporter, total: int | None):
        self.reporter = reporter
        self.total = total
        self.done = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        self.reporter.advance(count)


@contextlib.contextmanager
def stage(name: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
    """One stage of long work; `total` items of `unit` ("hồ sơ", "trang") when known."""
    reporter = _reporter
    started = time.perf_counter()
    reporter.begin(name, total, unit)
    step = Step(reporter, total)
    try:
        yield step
    finally:
        reporter.end(name, step.done, total, unit, time.perf_counter() - started)


def current() -> Reporter:
    """The reporter stages go to now."""
    return _reporter


@contextlib.contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Show the stages of the work inside the block with `reporter`."""
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield reporter
    finally:
        _reporter = previous
        reporter.close()


def reporter_for(stream: TextIO = sys.stderr) -> Reporter:
    """Live progress on a terminal, a line per stage anywhere else."""
    return Live(stream) if stream.isatty() else Lines(stream)
