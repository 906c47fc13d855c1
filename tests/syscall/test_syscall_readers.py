"""Ring buffer and perf event array readers, fed by programs run with BPF_PROG_TEST_RUN."""

from __future__ import annotations

import struct
import threading

import pytest

from pyebpf import Map, MapSpec, Program, ProgramSpec
from pyebpf.asm import (
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R10,
    U32,
    Instructions,
    add,
    call,
    exit_,
    ld_imm64,
    load_map_fd,
    mov,
    st,
)
from pyebpf.errors import ObjectClosedError, SpecError
from pyebpf.syscall import PerfEventArray, RingBuffer

pytestmark = pytest.mark.kernel

SAMPLE = struct.pack("=II", 0x11223344, 0x55667788)


def ringbuf_writer() -> Instructions:
    return Instructions(
        [
            st(U32, R10, -8, 0x11223344),
            st(U32, R10, -4, 0x55667788),
            load_map_fd(R1, "events"),
            mov(R2, R10),
            add(R2, -8),
            mov(R3, 8),
            mov(R4, 0),
            call("ringbuf_output"),
            mov(R0, 0),
            exit_(),
        ]
    )


def perf_writer() -> Instructions:
    return Instructions(
        [
            mov(R6, R1),
            st(U32, R10, -8, 0x11223344),
            st(U32, R10, -4, 0x55667788),
            mov(R1, R6),
            load_map_fd(R2, "events"),
            ld_imm64(R3, 0xFFFFFFFF),  # BPF_F_CURRENT_CPU
            mov(R4, R10),
            add(R4, -8),
            mov(R5, 8),
            call("perf_event_output"),
            mov(R0, 0),
            exit_(),
        ]
    )


def test_ring_buffer_reads_records_and_polls() -> None:
    spec = MapSpec(name="events", type="ringbuf", key_size=0, value_size=0, max_entries=4096)
    with Map(spec) as events, RingBuffer(events) as rb:
        prog_spec = ProgramSpec(name="rb", type="socket_filter", instructions=ringbuf_writer())
        with Program(prog_spec, maps={"events": events}) as prog:
            assert rb.read() == []
            assert rb.poll(timeout=0.05) == []
            prog.test_run(bytes(20), repeat=3)
            assert rb.poll(timeout=1.0) == [SAMPLE] * 3
            # Wrap around the end of the 4 KiB area several times.
            got: list[bytes] = []
            for _ in range(10):
                prog.test_run(bytes(20), repeat=100)
                rb.consume(got.append)
            assert got == [SAMPLE] * 1000
            # A record produced while we wait wakes the poll up.
            timer = threading.Timer(0.05, lambda: prog.test_run(bytes(20)))
            timer.start()
            assert rb.poll(timeout=2.0) == [SAMPLE]
            timer.join()
            # Iterating yields records as they arrive.
            prog.test_run(bytes(20), repeat=2)
            stream = iter(rb)
            assert [next(stream), next(stream)] == [SAMPLE, SAMPLE]
    with pytest.raises(ObjectClosedError):
        rb.read()


def test_ring_buffer_needs_ringbuf_map() -> None:
    spec = MapSpec(name="h", type="hash", key_size=4, value_size=4, max_entries=1)
    with Map(spec) as m, pytest.raises(SpecError):
        RingBuffer(m)


def test_perf_event_array_samples_and_lost_count() -> None:
    spec = MapSpec(name="events", type="perf_event_array", key_size=4, value_size=4, max_entries=0)
    with Map(spec) as events:
        prog_spec = ProgramSpec(name="pe", type="socket_filter", instructions=perf_writer())
        with Program(prog_spec, maps={"events": events}) as prog:
            with PerfEventArray(events, pages=1) as reader:
                assert reader.poll(timeout=0.05) == []
                prog.test_run(bytes(20), repeat=5)
                samples = reader.poll(timeout=1.0)
                assert [s.data[:8] for s in samples] == [SAMPLE] * 5
                assert all(s.lost == 0 for s in samples)
                # Overflow the one-page buffer. The kernel reports the loss in a LOST record
                # written once there is room again, i.e. with the next sample after a read.
                prog.test_run(bytes(20), repeat=1000)
                records = reader.read()
                prog.test_run(bytes(20))
                records += reader.read()
                data = [r for r in records if r.data]
                assert reader.lost > 0
                assert any(r.lost for r in records)
                assert len(data) + reader.lost == 1001
            with pytest.raises(SpecError):
                PerfEventArray(events, pages=3)
