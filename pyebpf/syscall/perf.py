"""Reading a BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf ring buffer per CPU.

For every CPU a ``PERF_COUNT_SW_BPF_OUTPUT`` event is opened and mmapped (a metadata page and
2^n data pages) and stored in the map at that CPU's index, where ``bpf_perf_event_output``
finds it. Records are ``PERF_RECORD_SAMPLE`` (the raw bytes the program wrote, padded by the
kernel to keep 8-byte alignment) and ``PERF_RECORD_LOST`` (how many samples were dropped
because the buffer was full), which is counted per CPU.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import select
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import BPFError, ObjectClosedError, SpecError
from ..kernel_tables import MapType
from ._sys import close_fd, ffi, perf_event_open
from .attach_trace import PERF_EVENT_IOC_DISABLE, PERF_EVENT_IOC_ENABLE, PERF_FLAG_FD_CLOEXEC

PERF_TYPE_SOFTWARE = 1
PERF_COUNT_SW_BPF_OUTPUT = 10
PERF_SAMPLE_RAW = 1 << 10
PERF_RECORD_LOST = 2
PERF_RECORD_SAMPLE = 9
# struct perf_event_mmap_page: data_head, data_tail, data_offset, data_size offsets.
_HEAD, _TAIL, _DATA_OFFSET, _DATA_SIZE = 1024, 1032, 1040, 1048
_U64 = struct.Struct("=Q")
_HDR = struct.Struct("=IHH")


@dataclass(frozen=True)
class PerfSample:
    """One record: the sample's raw bytes (``lost`` is 0), or a loss report (``data`` empty)."""

    cpu: int
    data: bytes
    lost: int = 0


def _online_cpus() -> list[int]:
    with open("/sys/devices/system/cpu/online") as f:
        text = f.read().strip()
    cpus: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.extend(range(int(lo), int(hi or lo) + 1))
    return cpus


class _CPURing:
    def __init__(self, cpu: int, pages: int, wakeup_events: int) -> None:
        attr = ffi.new("struct perf_event_attr *")
        attr.type = PERF_TYPE_SOFTWARE
        attr.size = ffi.sizeof("struct perf_event_attr")
        attr.config = PERF_COUNT_SW_BPF_OUTPUT
        attr.sample_type = PERF_SAMPLE_RAW
        attr.sample_period = 1
        attr.wakeup_events = wakeup_events
        self.cpu = cpu
        self.fd = perf_event_open(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC)
        try:
            self.mm = mmap.mmap(self.fd, (pages + 1) * mmap.PAGESIZE, mmap.MAP_SHARED)
            fcntl.ioctl(self.fd, PERF_EVENT_IOC_ENABLE, 0)
        except BaseException:
            close_fd(self.fd)
            raise
        self.lost = 0

    def read(self) -> list[PerfSample]:
        mm = self.mm
        head = _U64.unpack_from(mm, _HEAD)[0]
        tail = _U64.unpack_from(mm, _TAIL)[0]
        offset = _U64.unpack_from(mm, _DATA_OFFSET)[0] or mmap.PAGESIZE
        size = _U64.unpack_from(mm, _DATA_SIZE)[0] or (len(mm) - mmap.PAGESIZE)
        out: list[PerfSample] = []
        while tail < head:
            header = self._copy(offset, size, tail, _HDR.size)
            kind, _misc, rec_size = _HDR.unpack(header)
            if rec_size < _HDR.size:
                break  # a corrupt header: stop rather than loop forever
            body = self._copy(offset, size, tail + _HDR.size, rec_size - _HDR.size)
            if kind == PERF_RECORD_SAMPLE and len(body) >= 4:
                raw_size = struct.unpack_from("=I", body)[0]
                out.append(PerfSample(self.cpu, body[4 : 4 + raw_size]))
            elif kind == PERF_RECORD_LOST and len(body) >= 16:
                lost = struct.unpack_from("=QQ", body)[1]
                self.lost += lost
                out.append(PerfSample(self.cpu, b"", lost))
            tail += rec_size
        _U64.pack_into(mm, _TAIL, tail)
        return out

    def _copy(self, offset: int, size: int, pos: int, length: int) -> bytes:
        start = pos % size
        if start + length <= size:
            return self.mm[offset + start : offset + start + length]
        first = size - start
        return self.mm[offset + start : offset + size] + self.mm[offset : offset + length - first]

    def close(self) -> None:
        try:
            fcntl.ioctl(self.fd, PERF_EVENT_IOC_DISABLE, 0)
        except OSError:
            pass
        self.mm.close()
        close_fd(self.fd)


class PerfEventArray:
    """Reader of a PERF_EVENT_ARRAY map: ``poll(timeout)``/``read()`` return :class:`PerfSample`.

    ``pages`` (a power of two) sets each CPU's buffer size; ``lost`` totals the dropped samples.
    """

    def __init__(self, events: Any, pages: int = 8, wakeup_events: int = 1) -> None:
        if getattr(events, "type", None) != MapType.PERF_EVENT_ARRAY:
            raise SpecError(
                f"PerfEventArray needs a PERF_EVENT_ARRAY map, not {getattr(events, 'type', events)!r}"
            )
        if pages <= 0 or pages & (pages - 1):
            raise SpecError(f"pages must be a power of two, not {pages}")
        self.map = events
        self._rings: list[_CPURing] = []
        self._epoll: select.epoll | None = select.epoll()
        try:
            for cpu in _online_cpus():
                if cpu >= events.max_entries:
                    break
                ring = _CPURing(cpu, pages, wakeup_events)
                self._rings.append(ring)
                events[cpu] = ring.fd
                self._epoll.register(ring.fd, select.EPOLLIN)
        except BaseException:
            self.close()
            raise
        if not self._rings:
            raise BPFError(errno.ENODEV, "perf_event_open", "no online CPU fits in the map")

    @property
    def lost(self) -> int:
        return sum(r.lost for r in self._rings)

    def read(self) -> list[PerfSample]:
        if self._epoll is None:
            raise ObjectClosedError("perf event reader is closed")
        out: list[PerfSample] = []
        for ring in self._rings:
            out.extend(ring.read())
        return out

    def poll(self, timeout: float | None = None) -> list[PerfSample]:
        """Wait up to ``timeout`` seconds (None: forever) for records and return them."""
        records = self.read()
        if records:
            return records
        assert self._epoll is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            self._epoll.poll(left)
            records = self.read()
            if records or (deadline is not None and time.monotonic() >= deadline):
                return records

    def __iter__(self) -> Iterator[PerfSample]:
        while True:
            yield from self.poll(None)

    def close(self) -> None:
        for ring in self._rings:
            try:
                if not self.map.closed:
                    self.map.delete(ring.cpu)
            except OSError:
                pass
            ring.close()
        self._rings = []
        if self._epoll is not None:
            self._epoll.close()
            self._epoll = None

    def __enter__(self) -> PerfEventArray:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # release the per-CPU fds even without close()
        if getattr(self, "_epoll", None) is not None:
            self.close()
