"""The process's C allocator, told to give memory back, so the gateway's RSS stays flat.

A faulted soak (``python -m bench.soak --tracemalloc``) showed Python's own heap flat while RSS
climbed in steps: glibc's malloc kept what it had once handed out. Two of its defaults do that
to a server like this one:

- The mmap threshold is dynamic: once a large block (an upstream body, a JSON text) is freed,
  the threshold rises to that block's size (up to 32 MiB), and later large blocks come from the
  heap, where one live block above them keeps all of it resident. A fixed threshold keeps each
  block over 128 KiB in its own mapping, returned to the system when it is freed, and keeps the
  heap's free top trimmed past 128 KiB.
- Each thread that allocates gets an arena of its own, up to eight per core (the database
  driver's threads, the default executor's); two serve one event loop and its helpers.

``tune()`` sets both with ``mallopt``, as ``MALLOC_MMAP_THRESHOLD_=131072 MALLOC_ARENA_MAX=2``
would at exec, and does nothing where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

log = logging.getLogger(__name__)

# glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, now fixed
ARENA_MAX = 2


def tune(libc: Any = None) -> bool:
    """Fix glibc's mmap threshold and cap its arenas; ``True`` when both took effect.

    ``libc`` is the C library to tune (this process's, unless a test brings its own). Settings
    are process-wide and the same every time, so calling it again (another app in the same
    process) changes nothing.
    """
    lib = ctypes.CDLL(None) if libc is None else libc
    if not hasattr(lib, "gnu_get_libc_version") or not hasattr(lib, "mallopt"):
        return False  # musl, macOS: other allocators, other defaults
    applied: bool = lib.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    applied = lib.mallopt(M_ARENA_MAX, ARENA_MAX) == 1 and applied
    if not applied:
        log.warning("glibc refused the allocator settings; RSS may grow with fragmentation")
    return applied
