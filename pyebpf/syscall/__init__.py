"""pyebpf.syscall: the ``bpf()`` system call and the live objects built on it.

* :class:`Map` -- a map with the mapping protocol, batch operations, per-CPU values, pins;
* :class:`Program` -- a loaded program: ``test_run``, ``info``, pins;
* :class:`Link` and the ``attach_*`` functions -- programs attached to hooks;
* :class:`BTF` -- type information loaded into the kernel;
* :class:`RingBuffer` / :class:`PerfEventArray` readers;
* :mod:`.commands` -- one thin function per ``bpf()`` command.
"""

from __future__ import annotations

from .attach_cgroup import attach_cgroup, query_cgroup
from .attach_net import attach_socket_filter, attach_tcx, attach_xdp
from .attach_trace import (
    attach_kprobe,
    attach_kretprobe,
    attach_raw_tracepoint,
    attach_tracepoint,
    attach_uprobe,
)
from .btf_object import BTF
from .codecs import Codec, CtypesCodec, FDCodec, IntCodec, RawCodec, StructCodec
from .commands import ANY, EXIST, F_LOCK, NOEXIST
from .ids import object_ids
from .info import BTFInfo, LinkInfo, MapInfo, ProgramInfo
from .link import Link
from .map import Map, possible_cpus
from .perf import PerfEventArray, PerfSample
from .program import Program, TestRunResult
from .ringbuf import RingBuffer

__all__ = [
    "ANY",
    "BTF",
    "BTFInfo",
    "Codec",
    "CtypesCodec",
    "EXIST",
    "F_LOCK",
    "FDCodec",
    "IntCodec",
    "Link",
    "LinkInfo",
    "Map",
    "MapInfo",
    "NOEXIST",
    "PerfEventArray",
    "PerfSample",
    "Program",
    "ProgramInfo",
    "RawCodec",
    "RingBuffer",
    "StructCodec",
    "TestRunResult",
    "attach_cgroup",
    "attach_kprobe",
    "attach_kretprobe",
    "attach_raw_tracepoint",
    "attach_socket_filter",
    "attach_tcx",
    "attach_tracepoint",
    "attach_uprobe",
    "attach_xdp",
    "object_ids",
    "possible_cpus",
    "query_cgroup",
]
