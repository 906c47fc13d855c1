"""Reading a BPF_MAP_TYPE_RINGBUF map from user space through mmap.

Layout (kernel/bpf/ringbuf.c): page 0 is the consumer position (ours to write); from page 1
the producer position page, then the data area mapped twice in a row, so a record that wraps
around the end is still contiguous in memory. Each record has an 8-byte header: ``u32 len``
(bit 31 busy: still being written; bit 30 discarded) and ``u32 page offset``; records are
padded to 8 bytes.
"""

from __future__ import annotations

import mmap
import select
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import ObjectClosedError, SpecError
from ..kernel_tables import MapType

BUSY_BIT = 1 << 31
DISCARD_BIT = 1 << 30
HEADER_SIZE = 8
_U64 = struct.Struct("=Q")
_U32 = struct.Struct("=I")


class RingBuffer:
    """Consumer of a ring buffer map: ``poll(timeout)``, ``read()``, ``consume(callback)``.

    It keeps the map open while it lives; ``close()`` (or ``with``) releases the mappings.
    """

    def __init__(self, ring: Any) -> None:
        if getattr(ring, "type", None) != MapType.RINGBUF:
            raise SpecError(f"RingBuffer needs a RINGBUF map, not {getattr(ring, 'type', ring)!r}")
        self.map = ring
        size = int(ring.max_entries)
        page = mmap.PAGESIZE
        self._mask = size - 1
        self._page = page
        fd = ring.fd
        self._consumer: mmap.mmap | None = mmap.mmap(
            fd, page, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0
        )
        self._producer: mmap.mmap | None = mmap.mmap(
            fd, page + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ, offset=page
        )
        self._epoll: select.epoll | None = select.epoll()
        self._epoll.register(fd, select.EPOLLIN)

    def _maps(self) -> tuple[mmap.mmap, mmap.mmap, select.epoll]:
        if self._consumer is None or self._producer is None or self._epoll is None:
            raise ObjectClosedError("ring buffer reader is closed")
        return self._consumer, self._producer, self._epoll

    def read(self) -> list[bytes]:
        """Every record available now (does not wait)."""
        consumer, producer, _ = self._maps()
        out: list[bytes] = []
        cons = _U64.unpack_from(consumer, 0)[0]
        prod = _U64.unpack_from(producer, 0)[0]
        page, mask = self._page, self._mask
        while cons < prod:
            at = page + (cons & mask)
            word = _U32.unpack_from(producer, at)[0]
            if word & BUSY_BIT:
                break  # the producer has not committed this record yet
            length = word & ~(BUSY_BIT | DISCARD_BIT)
            if not word & DISCARD_BIT:
                out.append(producer[at + HEADER_SIZE : at + HEADER_SIZE + length])
            cons += (length + HEADER_SIZE + 7) & ~7
            _U64.pack_into(consumer, 0, cons)
            if cons >= prod:
                prod = _U64.unpack_from(producer, 0)[0]
        return out

    def poll(self, timeout: float | None = None) -> list[bytes]:
        """Wait up to ``timeout`` seconds (None: forever) for records and return them."""
        _, _, epoll = self._maps()
        records = self.read()
        if records:
            return records
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            epoll.poll(left)
            records = self.read()
            if records or (deadline is not None and time.monotonic() >= deadline):
                return records

    def consume(self, callback: Callable[[bytes], object], timeout: float | None = 0) -> int:
        """Call ``callback`` for each record available within ``timeout``; returns the count."""
        records = self.poll(timeout) if timeout != 0 else self.read()
        for record in records:
            callback(record)
        return len(records)

    def __iter__(self) -> Iterator[bytes]:
        """Records as they arrive (blocks; stop by breaking out of the loop)."""
        while True:
            yield from self.poll(None)

    def close(self) -> None:
        for m in (self._consumer, self._producer):
            if m is not None:
                m.close()
        if self._epoll is not None:
            self._epoll.close()
        self._consumer = self._producer = None
        self._epoll = None

    def __enter__(self) -> RingBuffer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
