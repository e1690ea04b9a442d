"""Worker processes for reading profiles, processing photos and drawing share cards."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
import time
import traceback
from array import array
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection, wait
from typing import Any

from .progress import Step


def worker_count(configured: int | None = None) -> int:
    """Worker processes to use: the configured number (LANTOA_WORKERS), else one per core."""
    return configured or os.cpu_count() or 1


def free_workers(configured: int | None = None) -> int:
    """Processes to split work over now: `worker_count`, less the helpers still busy.

    The helpers of `Background` (share cards, the search index) work beside the
    build. A process more than there are cores makes nothing faster, and each forked
    process takes memory of its own: at 100,000 profiles the builder, a child
    rendering pages, the search helper and the card helper took 5.3 GB together.
    """
    # Only this process's own helpers can be asked (a forked child inherits the list),
    # and a build that failed never finished its helpers: the list forgets the ended ones.
    alive = {work: [helper for helper in work.helpers if helper.is_alive()]
             for work in _RUNNING if work.owner == os.getpid()}
    _RUNNING[:] = [work for work, helpers in alive.items() if helpers]
    # Helpers that run only on a core nobody else wants (`Background(idle=True)`) take none.
    busy = sum(len(helpers) for work, helpers in alive.items() if not work.idle)
    return max(1, worker_count(configured) - busy)


def single_threaded() -> bool:
    try:  # threads started outside Python (native libraries) count too
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes.

    Forked workers inherit what the parent already loaded (the gazetteer), which is
    the fastest start; but forking a process that runs threads (the preview server,
    a test runner) can deadlock, so then workers start from a fresh interpreter.
    """
    method = "fork" if single_threaded() else "forkserver"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


_RUNNING: list[Background] = []  # started in this process and not finished: `free_workers`
_SETTLING: list[Background | Forked] = []  # to wait for before the build ends: `settle`
PARALLEL_MAP_MIN = 200  # fewer items than this per worker are done in this process
LOOK_SECONDS = 0.005  # how often `forked_map` reads what its children sent while it works


def forked_map(function: Callable[[int], Any], count: int, workers: int | None, step: Step | None = None,
               per_worker: int = PARALLEL_MAP_MIN) -> list[Any]:
    """`[function(i) for i in range(count)]`, the numbers split over forked processes.

    The children inherit `function` and everything it reads, so nothing is sent to
    them; only the results come back, pickled, a part at a time. Parts are claimed
    from a shared counter by this process and its children, and the free cores are
    counted again after each part (`free_workers`): a helper that ends in the middle
    leaves its core to a new child, while at least `per_worker` items per process
    are left. With fewer items, or with threads running (forking them is unsafe),
    everything is done in this process. `step` advances as items are done.
    """
    advance = step.advance if step is not None else lambda done=1: None
    if count < 2 * per_worker or not single_threaded():
        results = []
        for number in range(count):
            results.append(function(number))
            advance()
        return results
    parts = _parts(count, worker_count(workers))
    claimed = multiprocessing.get_context("fork").Value("q", 0)
    results: dict[int, list[Any]] = {}
    children: dict[Connection, int] = {}  # a child's end of the results → its pid

    def start_children() -> None:  # one per core free now, while each has work enough
        number = claimed.value
        left = count - parts[number].start if number < len(parts) else 0
        for _ in range(min(free_workers(workers), left // per_worker) - 1 - len(children)):
            mine, theirs = multiprocessing.Pipe(duplex=False)
            pid = os.fork()
            if pid == 0:
                mine.close()
                _map_claimed(function, parts, claimed, theirs)
            theirs.close()
            children[mine] = pid

    def collect(timeout: float | None) -> None:  # what the children sent so far
        for end in wait(list(children), timeout):
            try:
                message = end.recv()
            except EOFError:
                message = ("failed",)
            if message[0] == "part":
                results[message[1]] = message[2]
                advance(len(message[2]))
                continue
            end.close()
            if os.waitpid(children.pop(end), 0)[1] != 0 or message[0] == "failed":
                raise RuntimeError("một tiến trình con gặp lỗi (xem ở trên)")

    look_at = 0.0
    try:
        while True:
            start_children()
            number = claim(claimed)
            if number >= len(parts):
                break
            done = []
            for item in parts[number]:
                done.append(function(item))
                advance()
                # A child sending waits until its part is read, and a helper that ends
                # leaves a core to a new child: look every few milliseconds (a look costs
                # microseconds, and the build renders tens of thousands of items).
                if time.monotonic() >= look_at:
                    if children:
                        collect(0)
                    start_children()
                    look_at = time.monotonic() + LOOK_SECONDS
            results[number] = done
        while children:
            collect(None)
    except BaseException:
        # Nobody will read what the other children send: stop them rather than leave
        # them waiting on a full pipe.
        for end, pid in children.items():
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            end.close()
        raise
    return [result for number in range(len(parts)) for result in results[number]]


MIN_PART = 8  # items: the smallest part `forked_map` hands out


def _parts(count: int, workers: int) -> list[range]:
    """`forked_map`'s parts: an eighth of a process's share each, smaller towards the end (a
    quarter of what each process has left), so that the processes end together: with
    equal parts, the last one (half a second of profile pages at 10,000 profiles) kept
    the others waiting."""
    most = max(1, count // (workers * 8))
    parts, start = [], 0
    while start < count:
        size = min(most, max(MIN_PART, (count - start) // (workers * 4)))
        parts.append(range(start, min(count, start + size)))
        start += size
    return parts


def _map_claimed(function: Callable[[int], Any], parts: list[range], claimed, send: Connection) -> None:
    """In a forked child of `forked_map`: the parts it claims, sent back one by one."""
    code = 0
    try:
        while (number := claim(claimed)) < len(parts):
            send.send(("part", number, [function(item) for item in parts[number]]))
        send.send(("done",))
    except BaseException:
        traceback.print_exc()
        code = 1
        with contextlib.suppress(BaseException):
            send.send(("failed",))
    finally:
        os._exit(code)


class PackedJobs(Sequence):
    """Jobs pickled into one buffer; each is unpickled when a helper takes it.

    For helpers started fresh (`Background(fresh=True)`): the jobs reach them as one
    block of bytes, not as some hundred thousand objects pickled one by one, and the
    builder holds one buffer instead of the job tuples.
    """

    def __init__(self, jobs: Iterable[Any]):
        offsets, parts, size = array("Q", [0]), [], 0
        for job in jobs:
            data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
            parts.append(data)
            size += len(data)
            offsets.append(size)
        self._data, self._offsets = b"".join(parts), offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, number: int) -> Any:
        if not -len(self) <= number < len(self):
            raise IndexError(number)
        number %= len(self)
        return pickle.loads(memoryview(self._data)[self._offsets[number]:self._offsets[number + 1]])


class Background:
    """Jobs done by helper processes while the build goes on; `finish` joins in, then waits.

    Each job is claimed once from a shared counter, by a helper or, at the end, by
    the builder itself, so the work ends as soon as all hands are free. Helpers
    only fill the cache: a build that fails meanwhile leaves nothing half-made.

    A job may return work for afterwards (a callable): what the build does not wait
    for, such as keeping a memo for the next build. `finish` returns once every job
    is done; its helper does the rest while the build ends, and `settle` waits for it.
    """

    def __init__(self, run_one: Callable[[Any], Callable[[], None] | None], jobs: Sequence[Any],
                 helpers: int, fresh: bool = False, idle: bool = False):
        """`fresh`: start the helpers in new interpreters (multiprocessing's fork server),
        not as forks of this process. A fork shares this process's memory only until
        either side writes to it: drawing 100,000 share cards beside the build, the
        forked helper came to hold about 1 GB of copied pages. Fresh helpers receive
        `run_one` and the jobs pickled (`PackedJobs` sends them as one buffer), and
        pay an interpreter's start and imports.

        `idle`: the helpers run only on a core nothing else wants (`_drain_idle`), and
        take none from `free_workers`: the build's own work goes first, and the jobs
        fill the moments it leaves a core free. At `finish` the builder joins in, at
        its own priority: the build never waits on cores that other work of the machine
        keeps busy for more than the job each helper holds."""
        self.run_one, self.jobs = run_one, jobs
        started = min(helpers, len(jobs))
        # The fork server's shared counters are named semaphores, which start multiprocessing's
        # resource tracker, an interpreter of its own: not worth it for the builder alone.
        forked = not started or (single_threaded() and not fresh)
        context = multiprocessing.get_context("fork" if forked else "forkserver")
        self.claimed = context.Value("q", 0)
        # Released once per job done, before its work for afterwards; and how many jobs left such work.
        self.done, self.later = context.Semaphore(0), context.Value("q", 0)
        self.idle = idle
        self.helpers = [context.Process(target=_drain_idle if idle else _drain,
                                        args=(run_one, jobs, self.claimed, None, (self.done, self.later)),
                                        daemon=True)
                        for _ in range(started)]
        for helper in self.helpers:
            helper.start()
        self.owner = os.getpid()
        _RUNNING.append(self)

    @property
    def started(self) -> int:
        """How many jobs were taken up so far."""
        return min(len(self.jobs), self.claimed.value)

    def finish(self, step: Step | None = None) -> None:
        _drain(self.run_one, self.jobs, self.claimed, step, (self.done, self.later))
        for _ in range(len(self.jobs)):
            while not self.done.acquire(timeout=LOOK_SECONDS):
                # A helper that died holding a job never says it is done.
                if any(helper.exitcode not in (None, 0) for helper in self.helpers) \
                        or all(helper.exitcode is not None for helper in self.helpers):
                    if self.done.acquire(block=False):  # said just before it ended
                        break
                    self._join()
                    raise RuntimeError("một tiến trình phụ dừng giữa chừng (xem ở trên)")
        if self.later.value:
            _SETTLING.append(self)
        elif failed := self._join():
            raise RuntimeError(f"{failed} tiến trình phụ gặp lỗi (xem ở trên)")

    def _join(self) -> int:
        failed = 0
        for helper in self.helpers:
            helper.join()
            failed += helper.exitcode != 0
        if self in _RUNNING:
            _RUNNING.remove(self)
        return failed


class Forked:
    """`work()` in a forked child while this process goes on; `result()` waits for it and
    gives what it returned, or raises its exception here (a full disk keeps its errno,
    which the command line words for the editor). The child never runs this process's
    exit handlers. Only where forking is safe (`single_threaded`)."""

    def __init__(self, work: Callable[[], Any]):
        self.owner = os.getpid()
        context = multiprocessing.get_context("fork")
        self._answer, theirs = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(work, theirs), daemon=True)
        self._process.start()
        theirs.close()

    @staticmethod
    def _run(work: Callable[[], Any], answer: Connection) -> None:
        try:
            value = work()
        except BaseException as error:
            # Raised again by `result`; anything but an OSError is a fault whose trace belongs here.
            if not isinstance(error, OSError):
                traceback.print_exc()
            with contextlib.suppress(Exception):
                answer.send((False, error))
            raise SystemExit(1) from None
        answer.send((True, value))

    def result(self) -> Any:
        try:
            done, value = self._answer.recv()  # before joining: a child blocked on a full pipe never ends
        except EOFError:
            done, value = False, RuntimeError("một tiến trình phụ dừng giữa chừng (xem ở trên)")
        self._process.join()
        if not done:
            raise value
        return value

    def _join(self) -> int:
        self.result()
        return 0


def beside(work: Callable[[], None], defer: bool) -> None:
    """Do `work` now, or, when `defer` and forking is safe, in a forked child that `settle`
    waits for: work at the end of a build that the next step does not read."""
    if defer and single_threaded():
        _SETTLING.append(Forked(work))
    else:
        work()


_AFTERWARDS: list[tuple[int, Callable[[], None]]] = []  # (owner's pid, work) for `settle` to do


def afterwards(work: Callable[[], None], defer: bool) -> None:
    """Do `work` now, or, when `defer`, in this process at `settle`, while what runs beside
    it goes on: work at the end of a build that the next step does not read. Here, not
    in a forked child: pickling a large value (the output manifest) took a child twice
    as long, every object it touches costing it a copied page of the parent's memory."""
    if defer:
        _AFTERWARDS.append((os.getpid(), work))
    else:
        work()


def settle(discard: bool = False) -> None:
    """Do this process's work left for afterwards (`afterwards`; none when `discard`: the
    build failed), then wait for what it left to finish beside it (`Background`
    helpers' work for afterwards, `beside`); raise the first failure, once all have ended."""
    owner = os.getpid()
    later = [work for pid, work in _AFTERWARDS if pid == owner]
    _AFTERWARDS[:] = [(pid, work) for pid, work in _AFTERWARDS if pid != owner]
    mine = [work for work in _SETTLING if work.owner == owner]
    _SETTLING[:] = [work for work in _SETTLING if work.owner != owner]
    failed, first = 0, None
    for work in [] if discard else later:
        try:
            work()
        except BaseException as error:
            first = first or error
    for work in mine:
        try:
            failed += work._join()
        except BaseException as error:
            first = first or error
    if first is not None:
        raise first
    if failed:
        raise RuntimeError(f"{failed} tiến trình phụ gặp lỗi (xem ở trên)")


def run_jobs(jobs: Sequence[Callable[[], None]], workers: int | None, step: Step, per_worker: int) -> None:
    """Run `jobs`, which only write files, here and in forked children (`forked_map`)."""
    forked_map(lambda number: jobs[number](), len(jobs), workers, step, per_worker)


def claim(counter) -> int:
    """The next job's number from a shared counter (`multiprocessing.Value("q")`)."""
    with counter.get_lock():
        number = counter.value
        counter.value += 1
    return number


def _drain_idle(*arguments: Any) -> None:
    """A helper of `Background(idle=True)`: `_drain` on a core that nothing else of the
    machine wants (SCHED_IDLE)."""
    with contextlib.suppress(AttributeError, OSError):  # not on every system
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    _drain(*arguments)


def _drain(run_one: Callable[[Any], Callable[[], None] | None], jobs: Sequence[Any], claimed,
           step: Step | None = None, signals: tuple | None = None) -> None:
    while True:
        number = claim(claimed)
        if step is not None:
            step.advance(min(number, len(jobs)) - step.done)
        if number >= len(jobs):
            return
        afterwards = run_one(jobs[number])
        if signals is not None:
            done, later = signals
            if afterwards is not None:
                with later.get_lock():
                    later.value += 1
            done.release()
        if afterwards is not None:
            afterwards()
