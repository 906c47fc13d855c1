"""Which field values an opcode allows: the rules the decoder and the DSL share.

``field_error`` returns ``None`` for a valid instruction and otherwise a short reason. It
follows RFC 9669 plus the Linux 6.18 extensions (may_goto, load-acquire/store-release,
addr_space_cast) and rejects what Linux rejects as "unknown opcode" or "uses reserved fields".
"""

from __future__ import annotations

from .opcodes import (
    CONDITIONAL_JUMPS,
    END_WIDTHS,
    MOVSX_WIDTHS,
    ALUOp,
    AtomicOp,
    InsnClass,
    JumpOp,
    Mode,
    Size,
    Source,
)
from .registers import MAX_REGISTER

_ATOMIC_RMW = frozenset(
    int(op) for op in AtomicOp if op not in (AtomicOp.LOAD_ACQUIRE, AtomicOp.STORE_RELEASE)
)
_ATOMIC_ORDERED = frozenset((int(AtomicOp.LOAD_ACQUIRE), int(AtomicOp.STORE_RELEASE)))


def field_error(opcode: int, dst: int, src: int, off: int, imm: int) -> str | None:
    """Why (opcode, dst, src, off, imm) is not a valid instruction, or None if it is.

    ``imm`` is the 32-bit immediate (for ld_imm64, the low half); the second slot of
    ld_imm64 is checked by the decoder.
    """
    if dst > MAX_REGISTER:
        return f"dst register r{dst} does not exist (r0-r10)"
    if src > MAX_REGISTER and not (opcode == 0x18 and src <= 6):
        return f"src register r{src} does not exist (r0-r10)"
    cls = opcode & 0x07
    if cls in (InsnClass.ALU, InsnClass.ALU64):
        return _alu_error(opcode, cls, src, off, imm)
    if cls in (InsnClass.JMP, InsnClass.JMP32):
        return _jump_error(opcode, cls, dst, src, off, imm)
    return _load_store_error(opcode, cls, dst, src, off, imm)


def _alu_error(opcode: int, cls: int, src: int, off: int, imm: int) -> str | None:
    op = opcode & 0xF0
    source = opcode & 0x08
    is64 = cls == InsnClass.ALU64
    if op > ALUOp.END:
        return f"unknown opcode {opcode:#04x}"
    if op == ALUOp.NEG:
        if source != Source.K:
            return f"unknown opcode {opcode:#04x} (neg takes no source operand)"
        if src or off or imm:
            return "neg uses reserved fields (src, off and imm must be 0)"
        return None
    if op == ALUOp.END:
        if is64 and source != Source.K:
            return f"unknown opcode {opcode:#04x} (ALU64 byte swap is 0xd7 only)"
        if src or off:
            return "byte swap uses reserved fields (src and off must be 0)"
        if imm not in END_WIDTHS:
            return f"byte swap width must be 16, 32 or 64, not {imm}"
        return None
    if source == Source.K:
        if src:
            return f"ALU with an immediate uses reserved field src (r{src})"
    elif imm and not (op == ALUOp.MOV and is64 and off == 1):
        return f"ALU with a register source uses reserved field imm ({imm})"
    if op in (ALUOp.DIV, ALUOp.MOD):
        if off not in (0, 1):
            return f"div/mod offset must be 0 (unsigned) or 1 (signed), not {off}"
        return None
    if op == ALUOp.MOV:
        if off == 0:
            return None
        if source == Source.K:
            return f"mov with an immediate uses reserved field off ({off})"
        if is64 and off == 1:
            if imm not in (1, 1 << 16):
                return f"addr_space_cast must convert between address spaces 0 and 1 (imm {imm:#x})"
            return None
        widths = MOVSX_WIDTHS if is64 else MOVSX_WIDTHS[:2]
        if off not in widths:
            return f"movsx width must be one of {', '.join(map(str, widths))}, not {off}"
        return None
    if off:
        return f"ALU uses reserved field off ({off})"
    return None


def _jump_error(opcode: int, cls: int, dst: int, src: int, off: int, imm: int) -> str | None:
    op = opcode & 0xF0
    source = opcode & 0x08
    is32 = cls == InsnClass.JMP32
    if op == JumpOp.JA:
        if source != Source.K:
            return f"unknown opcode {opcode:#04x} (indirect jumps are not supported)"
        if dst or src:
            return "goto uses reserved fields (dst and src must be 0)"
        if is32:
            return "gotol uses reserved field off (must be 0)" if off else None
        return f"goto uses reserved field imm ({imm})" if imm else None
    if op in CONDITIONAL_JUMPS:
        if source == Source.K and src:
            return f"jump with an immediate uses reserved field src (r{src})"
        if source == Source.X and imm:
            return f"jump with a register source uses reserved field imm ({imm})"
        return None
    if is32:
        return f"unknown opcode {opcode:#04x}"
    if op == JumpOp.CALL:
        if source != Source.K:
            return f"unknown opcode {opcode:#04x} (callx is not supported by Linux)"
        if dst:
            return "call uses reserved field dst"
        if src > 2:
            return f"call src must be 0 (helper), 1 (local) or 2 (kfunc), not {src}"
        if off and src != 2:
            return f"call uses reserved field off ({off})"
        return None
    if op == JumpOp.EXIT:
        if source != Source.K:
            return f"unknown opcode {opcode:#04x}"
        if dst or src or off or imm:
            return "exit uses reserved fields (all must be 0)"
        return None
    if op == JumpOp.JCOND:
        if source != Source.K:
            return f"unknown opcode {opcode:#04x}"
        if dst or src or imm:
            return "may_goto uses reserved fields (dst, src and imm must be 0)"
        return None
    return f"unknown opcode {opcode:#04x}"


def _load_store_error(opcode: int, cls: int, dst: int, src: int, off: int, imm: int) -> str | None:
    mode = opcode & 0xE0
    size = opcode & 0x18
    if cls == InsnClass.LD:
        if mode == Mode.IMM:
            if size != Size.DW:
                return f"unknown opcode {opcode:#04x} (ld_imm64 is 0x18 only)"
            if src > 6:
                return f"ld_imm64 src must be 0-6, not {src}"
            if off:
                return f"ld_imm64 uses reserved field off ({off})"
            return None
        if mode in (Mode.ABS, Mode.IND):
            if size == Size.DW:
                return f"unknown opcode {opcode:#04x} (legacy packet loads are 1, 2 or 4 bytes)"
            if dst or off:
                return "legacy packet load uses reserved fields (dst and off must be 0)"
            if mode == Mode.ABS and src:
                return "ld_abs uses reserved field src"
            return None
        return f"unknown opcode {opcode:#04x}"
    if cls == InsnClass.LDX:
        if mode == Mode.MEMSX and size == Size.DW:
            return f"unknown opcode {opcode:#04x} (sign-extending loads are 1, 2 or 4 bytes)"
        if mode not in (Mode.MEM, Mode.MEMSX):
            return f"unknown opcode {opcode:#04x}"
        return f"load uses reserved field imm ({imm})" if imm else None
    if cls == InsnClass.ST:
        if mode != Mode.MEM:
            return f"unknown opcode {opcode:#04x}"
        return f"store of an immediate uses reserved field src (r{src})" if src else None
    # STX
    if mode == Mode.MEM:
        return f"store uses reserved field imm ({imm})" if imm else None
    if mode == Mode.ATOMIC:
        if imm in _ATOMIC_ORDERED:
            return None
        if imm not in _ATOMIC_RMW:
            return f"unknown atomic operation {imm:#x}"
        if size not in (Size.W, Size.DW):
            return f"atomic {AtomicOp(imm).name.lower()} needs a 4- or 8-byte access"
        return None
    return f"unknown opcode {opcode:#04x}"
