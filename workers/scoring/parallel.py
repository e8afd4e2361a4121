"""A small per-process thread pool for the engine's chunk-wise NumPy and pyarrow work.

Both libraries release the GIL in their kernels, so a second core nearly halves the id matching of a large file.
The pool is created lazily and again after a fork: Celery's prefork workers inherit the module but not the
parent's threads.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

THREADS = max(1, min(4, os.cpu_count() or 1))

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_lock = threading.Lock()


def map_in_threads(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """[function(item) for item in items], spread over the calling thread and the pool's.

    Items are handed out one at a time to whichever thread is free, the caller included: when another
    process holds a core, the free threads take over the waiting work instead of idling until it is done.
    """
    if len(items) < 2 or THREADS == 1:
        return [function(item) for item in items]
    results: list[Result | None] = [None] * len(items)
    handed_out = itertools.count()  # next() on a count is atomic under the GIL

    def work() -> None:
        while (position := next(handed_out)) < len(items):
            results[position] = function(items[position])

    helpers = [_shared_pool().submit(work) for _ in range(min(THREADS, len(items)) - 1)]
    try:
        work()
    finally:
        for helper in helpers:
            helper.result()  # waits, and re-raises what a helper raised
    return results  # type: ignore[return-value]


def _shared_pool() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=THREADS - 1, thread_name_prefix="scoring")
            _pool_pid = os.getpid()
        return _pool
