"""The main job of pyebpf, end to end: `make demo`.

1. Build an XDP program with the DSL: count packets per IP protocol in an array map, pass all.
2. Print it as text (the syntax llvm-objdump prints) and assemble that text back.
3. Verify it offline, as the Linux verifier would.
4. Where the kernel allows: create the map, load the program, test-run it on a packet and read
   the map back.
"""

from __future__ import annotations

import errno
import struct
import sys
from pathlib import Path

from pyebpf import MapSpec, Pinning, ProgramSpec, load_collection
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
from pyebpf.elf import load_object
from pyebpf.verifier import verify

XDP_PASS = 2
FIXTURE = str(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "loader-el.o")
ETH_HLEN = 14
IPPROTO_OFFSET = ETH_HLEN + 9  # the protocol byte of an IPv4 header


def build_program() -> Instructions:
    return Instructions(
        [
            # r2 = ctx->data, r3 = ctx->data_end
            ldx(U32, R2, R1, 0),
            ldx(U32, R3, R1, 4),
            mov(R4, R2),
            add(R4, IPPROTO_OFFSET + 1),
            jgt(R4, R3, "pass"),  # packet too short: just pass it
            ldx(U8, R4, R2, IPPROTO_OFFSET),  # r4 = IP protocol
            stx(U32, R10, -4, R4),  # key = protocol
            load_map_fd(R1, "counts"),
            mov(R2, R10),
            add(R2, -4),
            call("map_lookup_elem"),
            jeq(R0, 0, "pass"),
            mov(R1, 1),
            atomic_add(R0, 0, R1),  # counts[protocol] += 1
            Label("pass"),
            mov(R0, XDP_PASS),
            exit_(),
        ]
    )


def udp_packet() -> bytes:
    eth = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])
    )
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
    spec = ProgramSpec(
        name="count_protos", type="xdp", instructions=program, maps={"counts": counts}
    )
    return run_optional_parts(spec, counts)


def run_optional_parts(spec: ProgramSpec, counts: MapSpec) -> int:
    print("== 3. verified offline, as the Linux 6.18 verifier would")
    result = verify(spec, spec.type)
    print(result.explain())
    print(result.log(level=1).splitlines()[-1])
    if not result.accepted:
        return 1
    # Without the packet bounds check (instruction 4) the kernel must refuse the program.
    unchecked = list(spec.instructions)
    del unchecked[4]
    rejected = verify(spec.replace(instructions=Instructions(unchecked)), spec.type)
    print("   without the bounds check it is rejected, and here is why:")
    print("\n".join("   " + line for line in rejected.explain().splitlines()))
    return run_in_kernel(spec, counts)


def run_in_kernel(spec: ProgramSpec, counts: MapSpec) -> int:
    print("== 4. in the kernel: create the map, load the program, test-run it, read the map")
    from pyebpf import Map, Program
    from pyebpf.errors import BPFError, NotSupportedError

    try:
        with Map(counts) as m, Program(spec, maps={"counts": m}) as prog:
            info = prog.info()
            print(
                f"   loaded program id {info.id}: {len(info.instructions)} translated instructions"
            )
            run = prog.test_run(udp_packet(), repeat=1000)
            print(
                f"   test run x1000 on a UDP packet: retval {run.retval} (XDP_PASS), {run.duration} ns per run"
            )
            hits = int.from_bytes(m[17], "little")
            print(f"   counts[17 (UDP)] = {hits}")
            if run.retval != XDP_PASS or hits != 1000:
                print("   unexpected result")
                return 1
    except (BPFError, NotSupportedError) as exc:
        if isinstance(exc, BPFError) and exc.errno not in (errno.EPERM, errno.EACCES, errno.ENOSYS):
            raise
        print(f"   skipped: this process may not use bpf() here ({exc})")
        return 0
    return run_clang_object()


def run_clang_object() -> int:
    print("== 5. a clang-built object (tests/fixtures/loader.c): read it, load it, run a program")
    obj = load_object(FIXTURE)
    names = ", ".join(sorted(obj.programs)[:6])
    print(f"   {len(obj.programs)} programs ({names}, ...), {len(obj.maps)} maps")
    obj.variables["rodata_limit"].set(1000)  # globals are settable before load
    # No bpffs is mounted for the demo: keep the object's pinned map private.
    obj.replace_map(obj.maps["pinned_map"].replace(pinning=Pinning.NONE))
    with load_collection(obj) as coll:
        run = coll.programs["socket_prog"].test_run(bytes(64))
        print(
            f"   socket_prog returned {run.retval}; global bss_last = {coll.variables['bss_last'].get()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
