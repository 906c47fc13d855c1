"""The reader's fast paths agree with the straightforward ones they replace.

``Instructions.from_bytes`` validates each distinct slot value once and handles ld_imm64
pairs separately; here it is compared with a plain slot-by-slot decoder (the rules of
``field_error``) on real program sections, mutations of them and generated slot sequences,
including which error is raised and where.
"""

from __future__ import annotations

import gc
import random
import struct

from elf_fixtures import OBJECTS
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf._gcpause import gc_paused
from pyebpf.asm import Instructions, iter_raw_slots
from pyebpf.asm.validation import field_error
from pyebpf.errors import DecodeError


def reference_decode(data: bytes, byteorder: str) -> list[tuple[int, ...]]:
    """Slot by slot, the obvious way: the fields of each instruction (ld_imm64 joined)."""
    slots = list(iter_raw_slots(data, byteorder))
    out: list[tuple[int, ...]] = []
    i = 0
    while i < len(slots):
        slot, (opcode, dst, src, off, imm) = slots[i]
        reason = field_error(opcode, dst, src, off, imm)
        if reason is not None:
            raise DecodeError(reason, slot)
        if opcode == 0x18:
            if i + 1 >= len(slots):
                raise DecodeError("ld_imm64 is truncated: its second slot is missing", slot)
            _, (op2, dst2, src2, off2, imm2) = slots[i + 1]
            if op2 or dst2 or src2 or off2:
                raise DecodeError("second slot of ld_imm64 uses reserved fields", slot + 1)
            value = (imm & 0xFFFFFFFF) | ((imm2 & 0xFFFFFFFF) << 32)
            if value >= 1 << 63:
                value -= 1 << 64
            out.append((opcode, dst, src, off, value, None, None, None))
            i += 2
        else:
            out.append((opcode, dst, src, off, imm, None, None, None))
            i += 1
    return out


def outcome(decode: object, data: bytes, byteorder: str) -> tuple[object, ...]:
    try:
        result = decode(data, byteorder)  # type: ignore[operator]
    except DecodeError as exc:
        return ("error", exc.slot)
    return ("ok", [tuple(insn) for insn in result])


def program_sections() -> list[tuple[bytes, str]]:
    from elftools.elf.elffile import ELFFile

    found = []
    for path in OBJECTS:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            order = "little" if elf.little_endian else "big"
            for section in elf.iter_sections():
                if section["sh_flags"] & 0x4 and section.data_size:  # SHF_EXECINSTR
                    found.append((bytes(section.data()), order))
    return found


def test_real_sections_decode_like_the_reference() -> None:
    sections = program_sections()
    assert len(sections) > 10
    for data, order in sections:
        assert outcome(Instructions.from_bytes, data, order) == outcome(
            reference_decode, data, order
        )


def test_mutated_sections_fail_at_the_same_slot() -> None:
    rnd = random.Random(2026)
    sections = program_sections()
    errors = 0
    for n in range(600):
        data, order = sections[n % len(sections)]
        mutated = bytearray(data[:2048])
        mutated = mutated[: len(mutated) // 8 * 8]
        for _ in range(rnd.randint(1, 3)):
            mutated[rnd.randrange(len(mutated))] = rnd.randrange(256)
        ours = outcome(Instructions.from_bytes, bytes(mutated), order)
        assert ours == outcome(reference_decode, bytes(mutated), order)
        errors += ours[0] == "error"
    assert errors > 50  # the mutations do reach the error paths


# A small pool of slots, so that sequences repeat values (what the cache relies on) and
# build valid and broken ld_imm64 pairs.
_POOL = [
    struct.pack("<BBhi", *fields)
    for fields in (
        (0xB7, 0x01, 0, 5),  # r1 = 5
        (0x18, 0x01, 0, 7),  # ld_imm64 first half
        (0x18, 0x11, 0, 0),  # ld_imm64 of a map (src 1)
        (0x00, 0x00, 0, -1),  # ld_imm64 second half
        (0x00, 0x00, 1, 0),  # second half with a reserved field set
        (0x95, 0x00, 0, 0),  # exit
        (0x85, 0x00, 0, 1),  # call 1
        (0x0F, 0xBC, 0, 0),  # bad register
        (0x07, 0x01, 0, -8),  # r1 += -8
    )
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, len(_POOL) - 1), max_size=40), st.sampled_from(["little", "big"]))
def test_generated_slots_decode_like_the_reference(picks: list[int], order: str) -> None:
    data = b"".join(_POOL[i] for i in picks)
    if order == "big":  # the same fields, big-endian
        data = b"".join(
            struct.pack(">BBhi", op, ((regs & 0xF) << 4) | (regs >> 4), off, imm)
            for op, regs, off, imm in struct.iter_unpack("<BBhi", data)
        )
    assert outcome(Instructions.from_bytes, data, order) == outcome(reference_decode, data, order)


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # still inside the outer pause
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()
