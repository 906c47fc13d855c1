"""Generated instruction sets for the asm tests: every valid opcode byte and the operand edges.

``all_valid_opcodes()`` finds the opcode bytes the validator accepts with *some* fields, by
trying candidate field values; ``edge_corpus()`` builds raw instructions (fields, not the DSL,
so r10 and immediate zero divisors are covered too) that reach every one of them.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyebpf.asm import Instruction
from pyebpf.asm.validation import field_error

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
IMM_EDGES = (0, 1, -1, INT32_MIN, INT32_MAX, 0xFFFFFFFF, 0x7F, 0x80, 0xFFFF, 0x10000)
OFF_EDGES = (0, 1, -1, -32768, 32767, 8, -8)
IMM64_EDGES = (
    0,
    1,
    -1,
    INT32_MIN,
    INT32_MAX,
    0xFFFFFFFF,
    1 << 32,
    0x123456789,
    INT64_MIN,
    INT64_MAX,
    (1 << 64) - 1,
    0x8000000000000000,
    0x80000000,
    0xFFFFFFFF00000000,
    0x7FFFFFFF80000000,
)
REGS = range(11)

_ALU_CODES = (0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xA0, 0xB0, 0xC0)
_JMP_COND = (0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xA0, 0xB0, 0xC0, 0xD0)
_SIZES = (0x00, 0x08, 0x10, 0x18)
_ATOMIC_RMW = (0x00, 0x40, 0x50, 0xA0, 0x01, 0x41, 0x51, 0xA1, 0xE1, 0xF1)

_CANDIDATE_OFF = (0, 1, 8, 16, 32)
_CANDIDATE_IMM = (0, 1, 16, 32, 64, 0x100, 0x110, 0x10000, *_ATOMIC_RMW)


def all_valid_opcodes() -> set[int]:
    """Every opcode byte that is valid with some choice of the other fields."""
    found = set()
    for opcode in range(256):
        for src in (0, 1, 2):
            for off in _CANDIDATE_OFF:
                for imm in _CANDIDATE_IMM:
                    if field_error(opcode, 0, src, off, imm) is None:
                        found.add(opcode)
    return found


def _raw(opcode: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> Instruction:
    return Instruction(opcode, dst, src, off, imm)


def _alu() -> Iterator[Instruction]:
    for cls in (0x04, 0x07):
        for code in _ALU_CODES:
            for imm in IMM_EDGES:
                yield _raw(cls | code, 1, 0, 0, imm)
            for reg in REGS:
                yield _raw(cls | code | 0x08, reg, 10 - reg)
                yield _raw(cls | code, reg, 0, 0, 7)
        for code in (0x30, 0x90):  # sdiv, smod
            for imm in IMM_EDGES:
                yield _raw(cls | code, 2, 0, 1, imm)
            yield _raw(cls | code | 0x08, 3, 4, 1)
        for reg in REGS:
            yield _raw(cls | 0x80, reg)  # neg
        for bits in (8, 16, 32) if cls == 0x07 else (8, 16):  # movsx
            for reg in REGS:
                yield _raw(cls | 0xB8, reg, 10 - reg, bits)
    for opcode in (0xD4, 0xDC, 0xD7):  # le, be, bswap
        for bits in (16, 32, 64):
            for reg in (0, 5, 10):
                yield _raw(opcode, reg, 0, 0, bits)
    yield _raw(0xBF, 1, 2, 1, 1)  # addr_space_cast(r2, 0, 1)
    yield _raw(0xBF, 3, 4, 1, 1 << 16)  # addr_space_cast(r4, 1, 0)


def _jumps() -> Iterator[Instruction]:
    for cls in (0x05, 0x06):
        for code in _JMP_COND:
            for imm in IMM_EDGES:
                yield _raw(cls | code, 1, 0, 3, imm)
            for off in OFF_EDGES:
                yield _raw(cls | code | 0x08, 2, 3, off)
            for reg in REGS:
                yield _raw(cls | code | 0x08, reg, 10 - reg, 1)
                yield _raw(cls | code, reg, 0, -1, 9)
    for off in OFF_EDGES:
        yield _raw(0x05, 0, 0, off)  # goto
        yield _raw(0xE5, 0, 0, off)  # may_goto
    for imm in IMM_EDGES:
        if -32768 <= imm <= 32767:  # llvm-mc 22 parses gotol offsets as 16-bit only
            yield _raw(0x06, 0, 0, 0, imm)  # gotol
        yield _raw(0x85, 0, 0, 0, imm)  # call helper
    yield _raw(0x95)  # exit


def _memory() -> Iterator[Instruction]:
    for size in _SIZES:
        for off in OFF_EDGES:
            yield _raw(0x61 | size, 1, 2, off)  # ldx
            yield _raw(0x63 | size, 3, 4, off)  # stx
            yield _raw(0x62 | size, 5, 0, off, 7)  # st
        for reg in REGS:
            yield _raw(0x61 | size, reg, 10 - reg, 4)
            yield _raw(0x63 | size, reg, 10 - reg, -4)
        for imm in IMM_EDGES:
            yield _raw(0x62 | size, 10, 0, -8, imm)
        if size != 0x18:
            for off in OFF_EDGES:
                yield _raw(0x81 | size, 6, 7, off)  # ldx sign-extending
            for reg in REGS:
                yield _raw(0x81 | size, reg, 10 - reg, 2)
        for op in (0x100, 0x110):  # load_acquire, store_release
            for off in (0, -32768, 32767):
                yield _raw(0xC3 | size, 1, 2, off, op)
            yield _raw(0xC3 | size, 9, 10, 16, op)
    for size in (0x00, 0x18):
        for op in _ATOMIC_RMW:
            for off in (0, -32768, 32767):
                yield _raw(0xC3 | size, 1, 2, off, op)
            yield _raw(0xC3 | size, 10, 9, -8, op)


def _legacy_and_wide() -> Iterator[Instruction]:
    for size in (0x00, 0x08, 0x10):
        for imm in IMM_EDGES:
            yield _raw(0x20 | size, 0, 0, 0, imm)  # ld_abs
        for reg in REGS:
            yield _raw(0x40 | size, 0, reg, 0, 0)  # ld_ind
    for value in IMM64_EDGES:
        for reg in (0, 1, 10):
            yield _raw(0x18, reg, 0, 0, value)
    for kind in range(1, 7):
        for low in (0, 1, 5, INT32_MAX, 0xFFFFFFFF):
            yield _raw(0x18, 1, kind, 0, low)


def edge_corpus() -> list[Instruction]:
    """Instructions without pyebpf-only forms: LLVM must print each one as pyebpf does."""
    return [*_alu(), *_jumps(), *_memory(), *_legacy_and_wide()]


def wide_gotol_corpus() -> list[Instruction]:
    """``gotol`` beyond 16 bits: llvm-mc 22 cannot assemble it, llvm-objdump prints it."""
    return [_raw(0x06, 0, 0, 0, imm) for imm in (INT32_MIN, INT32_MAX, 0x10000, -0x10000, 0xFFFF)]


def own_form_corpus() -> list[tuple[Instruction, str]]:
    """Instructions pyebpf prints in its own lossless form, with LLVM's lossy decimal text."""
    out = []
    for imm in (0, 1, 5, -3, INT32_MAX, INT32_MIN):
        out.append((_raw(0x85, 0, 1, 0, imm), f"call {imm}"))  # local call
        out.append((_raw(0x85, 0, 2, 0, imm), f"call {imm}"))  # kfunc
    out.append((_raw(0x85, 0, 2, 3, 77), "call 77"))  # kfunc in module BTF (fd_array index 3)
    for kind in range(1, 7):
        for high in (1, -1, INT32_MAX):
            low = 5
            value = (low & 0xFFFFFFFF) | ((high & 0xFFFFFFFF) << 32)
            out.append((_raw(0x18, 2, kind, 0, value), f"ld_pseudo\tr2, {kind}, {low}"))
    for size, bits in ((0x00, 32), (0x08, 16), (0x10, 8)):
        for imm in (4, -4, INT32_MAX, INT32_MIN):
            out.append((_raw(0x40 | size, 0, 3, 0, imm), f"r0 = *(u{bits} *)skb[r3]"))
    return out
