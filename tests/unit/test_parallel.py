"""Work split over forked processes gives what it gives in one process, in order."""

from __future__ import annotations

import multiprocessing
import os
import time

from lantoa.parallel import PARALLEL_MAP_MIN, Background, forked_map, free_workers, single_threaded


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
    # Spawned: the test runner runs threads, and forking it could deadlock.
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    process = context.Process(target=_ask_in_a_child_while_a_helper_works, args=(answers,))
    process.start()
    child, own = answers.get(timeout=60)
    process.join(60)
    assert child == bytes([2])  # none of the helpers is the child's own
    assert own == 1
