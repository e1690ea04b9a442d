"""Work split over forked processes gives what it gives in one process, in order."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time

import pytest
from lantoa.parallel import (
    PARALLEL_MAP_MIN,
    Background,
    afterwards,
    beside,
    forked_map,
    free_workers,
    settle,
    single_threaded,
)


def _answer_of_a_fresh_process(target, *args):
    """What `target(*args, answers)` puts in its queue, run in a spawned interpreter:
    single-threaded, as a build is (the test runner runs threads, and a process with
    threads never forks helpers)."""
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    process = context.Process(target=target, args=(*args, answers))
    process.start()
    answer = answers.get(timeout=60)
    process.join(60)
    return answer


def test_a_forked_map_gives_the_results_in_order_made_by_this_process_and_a_child():
    table = [f"mục {n}" for n in range(PARALLEL_MAP_MIN * 5)]  # read by the children, never sent

    def work(number: int) -> tuple[str, int]:
        return table[number].upper(), os.getpid()

    results = forked_map(work, len(table), workers=2)
    assert [text for text, _ in results] == [t.upper() for t in table]
    if single_threaded():  # otherwise forking is unsafe and it all runs here
        makers = {pid for _, pid in results}
        assert os.getpid() in makers and len(makers) == 2  # this process and one child: two cores


def test_a_short_map_runs_in_this_process():
    assert forked_map(lambda n: (n, os.getpid()), 10, workers=2) == [(n, os.getpid()) for n in range(10)]


def test_no_items_no_results():
    assert forked_map(lambda n: n, 0, workers=4) == []


def test_helpers_at_work_take_their_cores_from_the_workers():
    assert free_workers(2) == 2
    work = Background(time.sleep, [1.0, 0.1], helpers=1)
    time.sleep(0.3)  # the helper has taken the long job
    assert free_workers(2) == 1
    assert free_workers(1) == 1  # never none
    work.finish()
    assert free_workers(2) == 2


def _ask_in_a_child_while_a_helper_works(answers) -> None:
    """In a fresh process (single-threaded, as a build is): what a forked child and this
    process say `free_workers(2)` is while one helper of this process works."""
    work = Background(time.sleep, [1.0], helpers=1)
    try:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # as a page renderer is: it inherits the list of helpers at work
            answer = b"x"
            try:
                answer = bytes([free_workers(2)])
            finally:
                os.write(write, answer)
                os._exit(0)
        os.waitpid(pid, 0)
        answers.put((os.read(read, 1), free_workers(2)))
    finally:
        work.finish()


def test_a_forked_child_does_not_count_the_helpers_of_its_parent():
    child, own = _answer_of_a_fresh_process(_ask_in_a_child_while_a_helper_works)
    assert child == bytes([2])  # none of the helpers is the child's own
    assert own == 1


def test_packed_jobs_give_each_helper_its_own_copy_of_a_job():
    """A helper that reads the builder's job objects writes their reference counts and
    copies the memory pages they sit on; a packed job is unpickled afresh."""
    from pathlib import Path

    from lantoa.parallel import PackedJobs

    titles = [f"Mô hình “Dân vận khéo” số {n}" for n in range(500)]
    jobs = [(Path(f"/cache/cards/{n}.jpg"), title, n, None) for n, title in enumerate(titles)]
    packed = PackedJobs(jobs)
    assert len(packed) == len(jobs)
    assert list(packed) == jobs
    assert packed[-1] == jobs[-1]
    assert all(got[1] is not title for got, title in zip(packed, titles, strict=True))
    assert len(PackedJobs([])) == 0


def test_helpers_drain_packed_jobs_like_a_list(tmp_path):
    from lantoa.parallel import PackedJobs

    names = [f"{n}.txt" for n in range(40)]
    Background(_touch, PackedJobs((str(tmp_path), name) for name in names), 1).finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def _touch(job) -> None:
    folder, name = job
    with open(os.path.join(folder, name), "w") as file:
        file.write(name)


_SEEN_BY_HELPERS: list[str] = []  # filled at run time: a fork sees it, a fresh interpreter does not


def _report_what_it_sees(job) -> None:
    folder, name = job
    with open(os.path.join(folder, name), "w") as file:
        file.write(f"{os.getpid()} {len(_SEEN_BY_HELPERS)}")


def _helpers_in_a_child(folder: str, answers) -> None:
    from lantoa.parallel import PackedJobs

    _SEEN_BY_HELPERS.append("set after import")
    for fresh in (True, False):
        jobs = PackedJobs([(folder, f"{fresh}-first"), *((folder, f"{fresh}-{n}") for n in range(3))])
        work = Background(_report_what_it_sees, jobs, 1, fresh=fresh)
        while work.started == 0:  # the helper takes the first job: the builder has not joined in
            time.sleep(0.01)
        work.finish()
    answers.put(os.getpid())


def test_fresh_helpers_start_in_new_interpreters_and_forked_ones_share_the_builders_memory(tmp_path):
    builder = _answer_of_a_fresh_process(_helpers_in_a_child, str(tmp_path))
    reports = {p.name: p.read_text().split() for p in tmp_path.iterdir()}
    assert sorted(reports) == sorted(f"{fresh}-{n}" for fresh in (True, False) for n in ("first", 0, 1, 2))
    for fresh in (True, False):
        helper, seen = reports[f"{fresh}-first"]
        assert int(helper) != builder
        assert seen == ("0" if fresh else "1")


def _work_without_helpers(folder: str, answers) -> None:
    from multiprocessing import resource_tracker

    tracked = []  # what would make the resource tracker start (its first registration does)
    resource_tracker.register = lambda name, kind: tracked.append(kind)
    for jobs in ([], [(folder, "one")]):
        Background(_report_what_it_sees, jobs, 0, fresh=True).finish()
    answers.put((os.getpid(), tracked))


def test_work_without_helpers_starts_no_interpreter_and_is_done_by_the_builder(tmp_path):
    # Fresh helpers share counters through named semaphores, which start multiprocessing's
    # resource tracker, an interpreter of its own: an edit that draws no share card paid it.
    builder, tracked = _answer_of_a_fresh_process(_work_without_helpers, str(tmp_path))
    assert tracked == []
    assert (tmp_path / "one").read_text().split()[0] == str(builder)


def _render_while_a_helper_ends(folder: str, answers) -> None:
    from lantoa.parallel import run_jobs
    from lantoa.progress import stage

    def job(number: int):
        def write() -> None:
            time.sleep(0.002)
            with open(os.path.join(folder, str(number)), "w") as file:
                file.write(str(os.getpid()))
        return write

    helper = Background(time.sleep, [1.0], helpers=1)
    while helper.started == 0:
        time.sleep(0.01)
    with stage("Ghi tệp", 1000, "tệp") as step:
        run_jobs([job(n) for n in range(1000)], 2, step, per_worker=100)
    helper.finish()
    answers.put((os.getpid(), step.done))


def test_a_core_freed_in_the_middle_of_a_stage_gets_a_child_for_the_rest(tmp_path):
    """At the start the helper holds the second core: the builder renders alone. Once
    the helper ends (after about 1 s of 2 s of work), a child takes a share of the rest."""
    builder, done = _answer_of_a_fresh_process(_render_while_a_helper_ends, str(tmp_path))
    writers = [int(p.read_text()) for p in sorted(tmp_path.iterdir(), key=lambda p: int(p.name))]
    assert len(writers) == 1000 and done == 1000
    assert writers[0] == builder  # alone at first
    children = set(writers) - {builder}
    assert len(children) == 1  # two cores: one child once the helper is gone
    assert 50 <= writers.count(children.pop()) <= 450


def _map_while_a_helper_ends(answers) -> None:
    def work(number: int) -> tuple[int, int]:
        time.sleep(0.002)
        return number * number, os.getpid()

    helper = Background(time.sleep, [1.0], helpers=1)
    while helper.started == 0:
        time.sleep(0.01)
    results = forked_map(work, 1000, workers=2)
    helper.finish()

    def fails_in_a_child(number: int) -> int:
        if os.getpid() != builder and number > 500:
            raise ValueError("hỏng")
        time.sleep(0.001)
        return number

    builder = os.getpid()
    try:
        forked_map(fails_in_a_child, 1000, workers=2)
        failure = None
    except RuntimeError as error:
        failure = str(error)
    answers.put((os.getpid(), results, failure))


def test_a_forked_map_takes_a_core_freed_in_the_middle_and_keeps_the_order():
    """The helper holds the second core for the first half: the map starts alone, a child
    joins once the helper is gone, and the results come back in order. A child that fails
    fails the map."""
    builder, results, failure = _answer_of_a_fresh_process(_map_while_a_helper_ends)
    assert [value for value, _ in results] == [n * n for n in range(1000)]
    makers = [pid for _, pid in results]
    assert makers[0] == builder
    children = set(makers) - {builder}
    assert len(children) == 1
    assert 50 <= makers.count(children.pop()) <= 600
    assert failure is not None and "lỗi" in failure


def _map_failing_here(answers) -> None:
    builder = os.getpid()

    def fails_here(number: int) -> int:
        if os.getpid() == builder and number > 300:
            raise ValueError("hỏng ở tiến trình dựng")
        time.sleep(0.002)
        return number

    with contextlib.suppress(ValueError):
        forked_map(fails_here, 1000, workers=2)
    # The child that was working beside it is stopped and reaped, not left waiting.
    with open(f"/proc/self/task/{os.getpid()}/children") as listing:
        answers.put(listing.read().split())


def test_a_forked_map_that_fails_here_stops_its_children():
    left = _answer_of_a_fresh_process(_map_failing_here)
    assert left == []


def _index_then_memo(job):
    """A job as the search helper's: its result now, then work the build need not wait for."""
    folder, seconds = job
    with open(os.path.join(folder, "index"), "w") as file:
        file.write("chỉ mục")

    def memo() -> None:
        time.sleep(seconds)
        with open(os.path.join(folder, "memo"), "w") as file:
            file.write("ghi nhớ")
    return memo


def _failing_afterwards(folder):
    def memo() -> None:
        raise OSError(28, "No space left on device")
    return memo


def _fill_the_disk(folder) -> None:
    with open(os.path.join(folder, "manifest"), "w") as file:
        file.write("một phần")
    raise OSError(28, "No space left on device")


def _settling_as_a_build(folder: str, answers) -> None:
    """In a fresh process (single-threaded, as a build is): what finish and settle do with
    work left for afterwards and work done beside."""
    from functools import partial

    seen = {"single_threaded": single_threaded()}
    work = Background(_index_then_memo, [(folder, 1.0)], helpers=1)
    time.sleep(0.3)  # the helper has taken the job
    started = time.perf_counter()
    work.finish()
    seen["finish_seconds"] = time.perf_counter() - started
    seen["index_after_finish"] = os.path.exists(os.path.join(folder, "index"))
    seen["memo_after_finish"] = os.path.exists(os.path.join(folder, "memo"))
    settle()
    seen["memo_after_settle"] = os.path.exists(os.path.join(folder, "memo"))

    failing = Background(_failing_afterwards, [folder], helpers=1)
    time.sleep(0.3)
    failing.finish()
    try:
        settle()
    except RuntimeError as error:
        seen["afterwards_failed"] = str(error)

    beside(partial(_fill_the_disk, folder), defer=True)
    try:
        settle()
    except OSError as error:
        seen["beside_errno"] = error.errno
    answers.put(seen)


def test_finish_waits_for_the_jobs_settle_for_what_they_left_and_errors_come_back(tmp_path):
    seen = _answer_of_a_fresh_process(_settling_as_a_build, str(tmp_path))
    assert seen["single_threaded"]
    # finish returned once the index was there, while the memo was still being written
    assert seen["index_after_finish"] and not seen["memo_after_finish"]
    assert seen["finish_seconds"] < 0.8
    assert seen["memo_after_settle"] and (tmp_path / "memo").read_text() == "ghi nhớ"
    assert "tiến trình phụ gặp lỗi" in seen["afterwards_failed"]
    assert seen["beside_errno"] == 28  # what the command line turns into "ổ đĩa đã đầy"
    assert (tmp_path / "manifest").read_text() == "một phần"


def test_work_beside_the_build_is_done_at_once_when_not_deferred(tmp_path):
    beside(lambda: (tmp_path / "manifest").write_text("xong"), defer=False)
    assert (tmp_path / "manifest").read_text() == "xong"


def test_work_left_for_afterwards_is_done_at_settle_and_dropped_when_the_build_failed(tmp_path):
    done = []
    afterwards(lambda: done.append("manifest"), defer=True)
    afterwards(lambda: done.append("now"), defer=False)
    assert done == ["now"]
    settle()
    assert done == ["now", "manifest"]
    settle()  # once
    assert done == ["now", "manifest"]
    afterwards(lambda: done.append("of a failed build"), defer=True)
    settle(discard=True)
    settle()
    assert done == ["now", "manifest"]


def test_a_failure_of_work_left_for_afterwards_is_raised_once_all_is_done(tmp_path):
    done = []

    def full_disk():
        raise OSError(28, "No space left on device")

    afterwards(full_disk, defer=True)
    afterwards(lambda: done.append("prune"), defer=True)
    with pytest.raises(OSError) as raised:
        settle()
    assert raised.value.errno == 28
    assert done == ["prune"]


def _report_where_it_runs(job) -> None:
    folder, name, builder = job
    if os.getpid() != builder:
        time.sleep(0.5)  # a helper on a core the machine keeps busy: it crawls
    with open(os.path.join(folder, name), "w") as file:
        file.write(f"{os.getpid()} {os.sched_getscheduler(0)}")


def _idle_helpers_as_a_build(folder: str, answers) -> None:
    from lantoa.parallel import PackedJobs

    builder = os.getpid()
    seen = {"builder": builder}
    jobs = PackedJobs((folder, f"{n:03d}", builder) for n in range(40))
    work = Background(_report_where_it_runs, jobs, 1, fresh=True, idle=True)
    while work.started < 1:
        time.sleep(0.01)
    seen["free_while_drawing"] = free_workers(2)  # the idle helper takes no core
    started = time.perf_counter()
    work.finish()
    seen["finish_seconds"] = time.perf_counter() - started
    seen["free_after"] = free_workers(2)
    answers.put(seen)


def test_idle_helpers_leave_the_cores_to_the_build_which_finishes_their_jobs(tmp_path):
    """An idle helper takes no core from the build's workers and runs under SCHED_IDLE. At
    `finish` the builder draws what is left at its own priority: however slowly the helper
    goes (on cores the machine keeps busy), the build waits at most for its job in hand."""
    seen = _answer_of_a_fresh_process(_idle_helpers_as_a_build, str(tmp_path))
    assert seen["free_while_drawing"] == 2 and seen["free_after"] == 2
    reports = [(tmp_path / f"{n:03d}").read_text().split() for n in range(40)]
    by_builder = [int(pid) == seen["builder"] for pid, _ in reports]
    assert sum(by_builder) >= 30  # the helper, half a second a job, did a few at most
    assert {int(policy) for pid, policy in reports if int(pid) != seen["builder"]} == {os.SCHED_IDLE}
    assert seen["finish_seconds"] < 5
