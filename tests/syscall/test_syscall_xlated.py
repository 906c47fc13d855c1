"""Lenient decoding of translated programs (offline: raw bytes as the kernel returns them)."""

from __future__ import annotations

import struct

from pyebpf.asm import R0, Instructions, exit_, ld_imm64, mov
from pyebpf.syscall.xlated import decode_xlated

NOSPEC = 0xC2  # BPF_ST | BPF_NOSPEC: a speculation barrier only the kernel emits
TAIL_CALL = 0xF5  # BPF_JMP | BPF_TAIL_CALL after the verifier rewrote bpf_tail_call


def raw(opcode: int, regs: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", opcode, regs, off, imm)


def test_plain_program_decodes_exactly() -> None:
    prog = Instructions([mov(R0, 1), ld_imm64(R0, 1 << 40), exit_()])
    decoded = decode_xlated(prog.to_bytes())
    assert decoded == prog and decoded.internal_slots == ()


def test_kernel_internal_encodings_are_kept_and_listed() -> None:
    data = raw(0xB7) + raw(NOSPEC) + raw(TAIL_CALL) + raw(0x95)
    decoded = decode_xlated(data)
    assert len(decoded) == 4
    assert decoded.internal_slots == (1, 2)
    assert [insn.opcode for insn in decoded] == [0xB7, NOSPEC, TAIL_CALL, 0x95]
    assert decoded[-1] == exit_()
