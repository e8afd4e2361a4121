"""How many threads the engine spreads its chunk-wise NumPy and pyarrow work over.

Both libraries release the GIL in their kernels, so a second core nearly halves the id matching of a large file.
Callers map over a `concurrent.futures.ThreadPoolExecutor` of this size opened for the one call: nothing is left
to recreate after a fork (Celery's prefork workers inherit modules, not the parent's threads), and the executor
hands out items one at a time to whichever thread is free, so a thread slowed by another process's use of its
core leaves the waiting items to the others.
"""

import os

THREADS = max(1, min(4, os.cpu_count() or 1))
