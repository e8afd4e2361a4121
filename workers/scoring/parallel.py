"""A small per-process thread pool for the engine's chunk-wise NumPy and pyarrow work.

Both libraries release the GIL in their kernels, so a second core halves the id matching of a large file.
The pool is created lazily and again after a fork: Celery's prefork workers inherit the module but not the
parent's threads.
"""

from __future__ import annotations

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
    if len(items) < 2 or THREADS == 1:
        return [function(item) for item in items]
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="scoring")
            _pool_pid = os.getpid()
        pool = _pool
    return list(pool.map(function, items))
