"""Small test programs built with the DSL, shared by the syscall tests."""

from __future__ import annotations

import platform

from pyebpf import Map, MapSpec
from pyebpf.asm import (
    R0,
    R1,
    R2,
    R3,
    R6,
    R10,
    U8,
    U16,
    U32,
    U64,
    Instructions,
    Label,
    add,
    atomic_add,
    call,
    exit_,
    jeq,
    jgt,
    jne,
    ldx,
    load_map_fd,
    mov,
    rsh,
    st,
)

GETPPID_NR = {"x86_64": 110, "aarch64": 173}.get(platform.machine(), -1)


def counter_map(name: str = "counts", entries: int = 1) -> Map:
    spec = MapSpec(name=name, type="array", key_size=4, value_size=8, max_entries=entries)
    return Map(spec, key_type=int, value_type=int)


def count_slot0(map_name: str = "counts") -> list[object]:
    """counts[0] += 1 (clobbers r0-r5); the program must define the label "out"."""
    return [
        st(U32, R10, -4, 0),
        mov(R2, R10),
        add(R2, -4),
        load_map_fd(R1, map_name),
        call("map_lookup_elem"),
        jeq(R0, 0, "out"),
        mov(R1, 1),
        atomic_add(R0, 0, R1, U64),
    ]


def only_pid(pid: int) -> list[object]:
    """Jump to "out" unless the current process is ``pid``."""
    return [call("get_current_pid_tgid"), rsh(R0, 32), jne(R0, pid, "out")]


def pid_counter(pid: int, ret: int = 0) -> Instructions:
    """Tracing program: count calls made by process ``pid``."""
    return Instructions([*only_pid(pid), *count_slot0(), Label("out"), mov(R0, ret), exit_()])


def raw_syscall_counter(pid: int, nr: int) -> Instructions:
    """raw_tracepoint/sys_enter: count syscall ``nr`` made by ``pid`` (ctx->args[1] is the id)."""
    return Instructions(
        [
            mov(R6, R1),
            *only_pid(pid),
            ldx(U64, R1, R6, 8),
            jne(R1, nr, "out"),
            *count_slot0(),
            Label("out"),
            mov(R0, 0),
            exit_(),
        ]
    )


def udp_port_counter(port: int, *, data_off: int, end_off: int, ret: int) -> Instructions:
    """XDP/TC program: count Ethernet+IPv4+UDP packets to ``port``; return ``ret`` always.

    ``data_off``/``end_off`` are the context offsets of the packet pointers (XDP 0/4,
    __sk_buff 76/80).
    """
    dport = ((port & 0xFF) << 8) | (port >> 8)  # the big-endian port read as a little-endian u16
    return Instructions(
        [
            ldx(U32, R2, R1, data_off),
            ldx(U32, R3, R1, end_off),
            mov(R1, R2),
            add(R1, 38),
            jgt(R1, R3, "out"),
            ldx(U16, R1, R2, 12),
            jne(R1, 0x0008, "out"),  # ETH_P_IP, big-endian
            ldx(U8, R1, R2, 23),
            jne(R1, 17, "out"),  # IPPROTO_UDP (IHL assumed 5: we send the packets ourselves)
            ldx(U16, R1, R2, 36),
            jne(R1, dport, "out"),
            *count_slot0(),
            Label("out"),
            mov(R0, ret),
            exit_(),
        ]
    )


def constant(ret: int) -> Instructions:
    return Instructions([mov(R0, ret), exit_()])


def count_and_return(ret: int) -> Instructions:
    """Count every run, return ``ret`` (socket filters, cgroup programs)."""
    return Instructions([*count_slot0(), Label("out"), mov(R0, ret), exit_()])
