"""Nothing leaks: every object closes its fd on close(), on with-exit and when collected,
and failed constructors release what they opened. Counted with /proc/self/fd."""

from __future__ import annotations

import gc
import os
import socket

import pytest
from syscall_programs import count_and_return, counter_map

from pyebpf import Map, MapSpec, Program, ProgramSpec
from pyebpf.asm import R0, R2, exit_, ldx, mov
from pyebpf.errors import BPFError, CodecError, VerifierError
from pyebpf.syscall import (
    BTF,
    PerfEventArray,
    RingBuffer,
    attach_raw_tracepoint,
    attach_socket_filter,
)

pytestmark = pytest.mark.kernel


def test_close_and_with_release_fds(no_fd_leak: None) -> None:
    m = counter_map()
    fd = m.fd
    os.fstat(fd)
    m.close()
    with pytest.raises(OSError):
        os.fstat(fd)
    with counter_map() as m2:
        prog = Program(
            ProgramSpec(name="c", type="socket_filter", instructions=count_and_return(0)),
            maps={"counts": m2},
        )
        with prog:
            pass
        assert prog.closed


def test_garbage_collection_releases_fds(no_fd_leak: None) -> None:
    for _ in range(50):
        m = counter_map()
        Program(
            ProgramSpec(name="c", type="socket_filter", instructions=count_and_return(0)),
            maps={"counts": m},
        )
        del m
    gc.collect()


def test_cycles_are_released_too(no_fd_leak: None) -> None:
    m = counter_map()
    m.self_ref = m  # type: ignore[attr-defined]
    del m
    gc.collect()


def test_failed_constructors_do_not_leak(no_fd_leak: None) -> None:
    for _ in range(20):
        with pytest.raises(VerifierError):
            Program(ProgramSpec(name="bad", instructions=[ldx(8, R0, R2, 0), exit_()]))
        with pytest.raises(BPFError):
            Map(MapSpec(name="bad", type="hash", key_size=0, value_size=4, max_entries=1))
        with pytest.raises(CodecError):
            # Creation succeeds, writing the initial contents fails: the map must be closed.
            Map(MapSpec(name="c", type="array", key_size=4, value_size=4, contents=((0, b"x"),)))
        with pytest.raises(BPFError):
            BTF(b"\x9f\xeb\x01\x00" + bytes(20))


def test_links_and_readers_release_fds(no_fd_leak: None) -> None:
    with counter_map() as counts:
        spec = ProgramSpec(name="raw", type="raw_tracepoint", instructions=[mov(R0, 0), exit_()])
        with Program(spec) as prog:
            for _ in range(10):
                attach_raw_tracepoint(prog, "sys_enter")  # dropped: collected
            gc.collect()
            link = attach_raw_tracepoint(prog, "sys_enter")
            link.close()
        filt = ProgramSpec(name="f", type="socket_filter", instructions=count_and_return(-1))
        with (
            Program(filt, maps={"counts": counts}) as prog2,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        ):
            attach_socket_filter(prog2, sock).close()
            attach_socket_filter(prog2, sock)  # dropped
            gc.collect()
    rb_spec = MapSpec(name="rb", type="ringbuf", key_size=0, value_size=0, max_entries=4096)
    with Map(rb_spec) as rb_map:
        RingBuffer(rb_map).close()
    pe_spec = MapSpec(name="pe", type="perf_event_array", key_size=4, value_size=4, max_entries=0)
    with Map(pe_spec) as pe_map:
        PerfEventArray(pe_map).close()
        PerfEventArray(pe_map)  # dropped: __del__ closes the per-CPU events
        gc.collect()


def test_bad_arguments_fail_before_the_kernel_without_leaking(no_fd_leak: None) -> None:
    from pyebpf.errors import SpecError
    from pyebpf.syscall import attach_tracepoint, attach_uprobe, attach_xdp

    with counter_map() as counts:
        with pytest.raises(SpecError):
            counts.put(0, 1, "any")  # type: ignore[arg-type]
        filt = ProgramSpec(name="f", type="socket_filter", instructions=count_and_return(0))
        with Program(filt, maps={"counts": counts}) as prog:
            with pytest.raises(SpecError):
                prog.test_run(bytes(20), flags=-1)
            with pytest.raises(SpecError):
                prog.test_run(bytes(20), data_out_size="big")  # type: ignore[arg-type]
            with pytest.raises(SpecError):
                attach_xdp(prog, "lo", flags="skb")  # type: ignore[arg-type]
            with pytest.raises(SpecError):
                attach_raw_tracepoint(prog, "sys_enter", cookie=-1)
            with pytest.raises(SpecError):
                attach_uprobe(prog, "/proc/self/exe", offset=-4)
            with pytest.raises(SpecError):
                attach_tracepoint(prog, "syscalls", "sys enter")
