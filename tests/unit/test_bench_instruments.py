"""The benchmark's instruments: what a build takes with its helpers (`TreeUsage`), the progress relay."""

from __future__ import annotations

import multiprocessing
import sys
import time

import pytest
from lantoa.bench import TreeUsage

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="PSS and CPU time are read from /proc")


def _hold(megabytes: int, ready, done) -> None:
    held = bytearray(megabytes * 1024 * 1024)
    held[::4096] = b"x" * len(held[::4096])  # touched: private pages, not shared zeros
    ready.set()
    done.wait(30)


def test_the_helpers_of_a_process_are_counted_with_it() -> None:
    # Spawned: the test runner runs threads, and forking it could deadlock. The process
    # then forks its helper, as a build does.
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Event()
    parent = context.Process(target=_spawn_helper, args=(ready, done))
    parent.start()
    try:
        assert ready.wait(30)
        usage = TreeUsage(parent.pid)
        alone = TreeUsage(0).sample()  # no such process: nothing
        time.sleep(2 * TreeUsage.INTERVAL)
        assert usage.sample() > 150 * 1024  # the helper's 200 MB, though the parent holds none
        done.set()
        parent.join(30)
        assert (usage.stop()[0] or 0) > 150
        assert alone == 0
    finally:
        done.set()
        parent.join(30)


def _spawn_helper(ready, done) -> None:
    helper = multiprocessing.get_context("fork").Process(target=_hold, args=(200, ready, done))
    helper.start()
    helper.join()


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def _spawn_burners(seconds: float) -> None:
    # One helper through a fork server, as the share cards are drawn: not this process's
    # child, so only /proc can tell its time.
    server = multiprocessing.get_context("forkserver").Process(target=_burn, args=(seconds,))
    forked = multiprocessing.get_context("fork").Process(target=_burn, args=(seconds,))
    server.start()
    forked.start()
    _burn(seconds)
    server.join()
    forked.join()


def test_the_cpu_time_of_every_helper_is_counted() -> None:
    context = multiprocessing.get_context("spawn")
    parent = context.Process(target=_spawn_burners, args=(2.0,))
    parent.start()
    usage = TreeUsage(parent.pid)
    parent.join(60)
    _, cpu = usage.stop()
    # Three processes burnt two seconds each; a sample every tenth of a second misses little,
    # and the interpreters' starts add up to a second on a busy machine. A process counted
    # twice would add two.
    assert cpu is not None and 5.4 < cpu < 7.6


def test_the_relay_sums_advances_and_sends_them_before_a_stage_ends() -> None:
    from lantoa.bench import _Relay

    class Connection:
        def __init__(self) -> None:
            self.sent: list[tuple] = []

        def send(self, message: tuple) -> None:
            self.sent.append(message)

    connection = Connection()
    relay = _Relay(connection)
    relay.begin("Trang hồ sơ", 10_000, "trang")
    for _ in range(10_000):
        relay.advance(1)
    relay.end("Trang hồ sơ", 10_000, 10_000, "trang", 1.0)
    advances = [message[1] for message in connection.sent if message[0] == "advance"]
    assert sum(advances) == 10_000  # nothing lost, the last ones sent before the end
    assert len(advances) < 100  # not a message per page
    assert connection.sent[0][0] == "begin" and connection.sent[-1][0] == "end"
