"""Work split over forked processes gives what it gives in one process, in order."""

from __future__ import annotations

import os

from lantoa.parallel import PARALLEL_MAP_MIN, forked_map, single_threaded


def test_a_forked_map_gives_the_results_in_order_made_by_the_children():
    table = [f"mục {n}" for n in range(PARALLEL_MAP_MIN * 5)]  # read by the children, never sent

    def work(number: int) -> tuple[str, int]:
        return table[number].upper(), os.getpid()

    results = forked_map(work, len(table), workers=2)
    assert [text for text, _ in results] == [t.upper() for t in table]
    if single_threaded():  # otherwise forking is unsafe and it all runs here
        assert os.getpid() not in {pid for _, pid in results}


def test_a_short_map_runs_in_this_process():
    assert forked_map(lambda n: (n, os.getpid()), 10, workers=2) == [(n, os.getpid()) for n in range(10)]


def test_no_items_no_results():
    assert forked_map(lambda n: n, 0, workers=4) == []
