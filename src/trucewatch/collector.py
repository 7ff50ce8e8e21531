"""Python's cyclic garbage collector paused for the length of a bulk operation.

Filing a batch of reports allocates a great many short-lived dicts, lists and tuples, and
CPython's cyclic collector runs a pass every 700 net container allocations: in a
100,000-report run those passes were about a sixth of the filing's CPU, finding almost
nothing (the objects die by reference counting; a batch makes few cycles). Pausing the
collector while one bulk operation runs, and letting it run again afterwards, keeps that
work for after the batch: the allocation count keeps growing while paused, so the next
allocation after the batch starts a collection that finds whatever cycles the batch did
leave. A batch is bounded (``Limits.max_batch``), and so is what can wait meanwhile.

The pause is process-wide (the collector is), shared by overlapping bulk operations in
several threads: the collector runs again when the last of them ends, and only if it ran
when the first began (a process that switched it off keeps it off).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block (and inside any that overlaps it)."""
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
