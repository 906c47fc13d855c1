"""Decoding the kernel's translated ("xlated") program leniently.

After verification the kernel rewrites a program: helper calls get kernel-relative immediates,
map loads carry map ids, and some instructions use encodings that only exist inside the kernel
(``BPF_NOSPEC``, ``BPF_TAIL_CALL``, ``BPF_PROBE_MEM`` loads, per-CPU address moves). Those are
not valid user-space eBPF, so :meth:`Instructions.from_bytes` would refuse them. Here every slot
is kept with its exact raw fields; the ones the asm layer does not accept are listed by slot
in :attr:`XlatedProgram.internal_slots` so callers know which instructions are kernel-internal.
"""

from __future__ import annotations

from ..asm import Instructions, iter_raw_slots
from ..asm.instruction import _make
from ..asm.opcodes import LD_IMM64
from ..asm.validation import field_error


class XlatedProgram(Instructions):
    """:class:`Instructions` decoded from xlated bytes, with the kernel-internal slots noted."""

    __slots__ = ("internal_slots",)

    internal_slots: tuple[int, ...]


def decode_xlated(data: bytes) -> XlatedProgram:
    slots = list(iter_raw_slots(data))
    insns = []
    internal: list[int] = []
    i = 0
    while i < len(slots):
        slot, (opcode, dst, src, off, imm) = slots[i]
        if opcode == LD_IMM64 and i + 1 < len(slots):
            imm2 = slots[i + 1][1][4]
            value = (imm & 0xFFFFFFFF) | ((imm2 & 0xFFFFFFFF) << 32)
            if value & (1 << 63):
                value -= 1 << 64
            if field_error(opcode, dst, src, off, imm) is not None:
                internal.append(slot)
            insns.append(_make((opcode, dst, src, off, value, None, None, None)))
            i += 2
            continue
        if field_error(opcode, dst, src, off, imm) is not None:
            internal.append(slot)
        insns.append(_make((opcode, dst, src, off, imm, None, None, None)))
        i += 1
    prog = XlatedProgram(insns)
    prog.internal_slots = tuple(internal)
    return prog
