"""``gc_paused()``: no cyclic garbage collection while a reader builds many objects.

Reading a large object or decoding every vmlinux type allocates hundreds of thousands of
tuples and records, which makes CPython run its cycle collector over and over (about 40%
of the time). Those objects form no reference cycles, so pausing the collector for the
duration loses nothing; it is switched back on afterwards (nested and threaded uses keep
it off until the last one ends, and it is left off if it was off before).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
