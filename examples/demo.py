"""The main job of pyebpf, end to end: `make demo`.

1. Build an XDP program with the DSL: count packets per IP protocol in an array map, pass all.
2. Print it as text (the syntax llvm-objdump prints) and assemble that text back.
3. Verify it offline, as the Linux verifier would.
4. Where the kernel allows: create the map, load the program, test-run it on a packet and read
   the map back.
"""

from __future__ import annotations

import struct
import sys

from pyebpf import MapSpec, ProgramSpec
from pyebpf.asm import (
    R0,
    R1,
    R2,
    R3,
    R4,
    R10,
    U8,
    U32,
    Instructions,
    Label,
    add,
    assemble,
    atomic_add,
    call,
    disassemble,
    exit_,
    jeq,
    jgt,
    ldx,
    load_map_fd,
    mov,
    stx,
)

XDP_PASS = 2
ETH_HLEN = 14
IPPROTO_OFFSET = ETH_HLEN + 9  # the protocol byte of an IPv4 header


def build_program() -> Instructions:
    return Instructions([
        # r2 = ctx->data, r3 = ctx->data_end
        ldx(U32, R2, R1, 0),
        ldx(U32, R3, R1, 4),
        mov(R4, R2),
        add(R4, IPPROTO_OFFSET + 1),
        jgt(R4, R3, "pass"),              # packet too short: just pass it
        ldx(U8, R4, R2, IPPROTO_OFFSET),  # r4 = IP protocol
        stx(U32, R10, -4, R4),            # key = protocol
        load_map_fd(R1, "counts"),
        mov(R2, R10),
        add(R2, -4),
        call("map_lookup_elem"),
        jeq(R0, 0, "pass"),
        mov(R1, 1),
        atomic_add(R0, 0, R1),            # counts[protocol] += 1
        Label("pass"),
        mov(R0, XDP_PASS),
        exit_(),
    ])


def udp_packet() -> bytes:
    eth = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    udp = struct.pack("!HHHH", 1234, 5678, 8, 0)
    return eth + ip + udp


def main() -> int:
    program = build_program()
    print("== 1. the program, built with the DSL, as text")
    print(program)

    text = str(program)
    again = assemble(text)
    assert again.to_bytes(allow_unresolved=True) == program.to_bytes(allow_unresolved=True)
    print(f"== 2. assembled back from that text: {again.slot_count} slots, byte-identical")
    raw = program.to_bytes(allow_unresolved=True)
    print(disassemble(raw, annotate=True))

    counts = MapSpec(name="counts", type="array", key_size=4, value_size=8, max_entries=256)
    spec = ProgramSpec(name="count_protos", type="xdp", instructions=program, maps={"counts": counts})
    return run_optional_parts(spec, counts)


def run_optional_parts(spec: ProgramSpec, counts: MapSpec) -> int:
    # Parts that later layers add (verifier, kernel loading) are wired in below as they land.
    return 0


if __name__ == "__main__":
    sys.exit(main())
