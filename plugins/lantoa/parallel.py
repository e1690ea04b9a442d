"""Worker processes for reading profiles and processing photos."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor


def worker_count(configured: int | None = None) -> int:
    """Worker processes to use: the configured number (LANTOA_WORKERS), else one per core."""
    return configured or os.cpu_count() or 1


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
