"""Instruction text as the kernel's verifier log prints it (``kernel/bpf/disasm.c``).

``(b7) r0 = 0``, ``(61) r2 = *(u32 *)(r1 +76)``, ``(2d) if r4 > r3 goto pc+2``,
``(85) call bpf_map_lookup_elem#1``. Works on raw fields so malformed instructions print too.
"""

from __future__ import annotations

_ALU = {0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=", 0x60: "<<=",
        0x70: ">>=", 0x80: "neg", 0x90: "%=", 0xA0: "^=", 0xB0: "=", 0xC0: "s>>=",
        0xD0: "endian"}  # fmt: skip
_ALU_SIGNED = {0x30: "s/=", 0x90: "s%="}
_ATOMIC_ALU = {0x00: "add", 0x50: "and", 0x40: "or", 0xA0: "xor"}
_LDST = {0x00: "u32", 0x08: "u16", 0x10: "u8", 0x18: "u64"}
_LDSX = {0x00: "s32", 0x08: "s16", 0x10: "s8", 0x18: "s64"}
_JMP = {0x00: "jmp", 0x10: "==", 0x20: ">", 0xA0: "<", 0x30: ">=", 0xB0: "<=", 0x40: "&",
        0x50: "!=", 0x60: "s>", 0xC0: "s<", 0x70: "s>=", 0xD0: "s<=", 0x80: "call", 0x90: "exit"}  # fmt: skip
_CLASS = ("ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64")


def _helper_name(helper_id: int) -> str:
    from ..asm.helper_ids import HelperId

    try:
        return f"bpf_{HelperId(helper_id).name.lower()}"
    except ValueError:
        return "unknown"


def _u32(v: int) -> int:
    return v & 0xFFFFFFFF


def format_insn(opcode: int, dst: int, src: int, off: int, imm: int) -> str:
    """One instruction; ``imm`` is the full 64-bit value for ld_imm64."""
    cls = opcode & 7
    op = opcode & 0xF0
    code = f"({opcode:02x})"
    if cls in (4, 7):
        r = "w" if cls == 4 else "r"
        if op == 0xD0:
            if cls == 7:
                return f"{code} r{dst} = bswap{imm} r{dst}"
            return f"{code} r{dst} = {'be' if opcode & 8 else 'le'}{imm} r{dst}"
        if op == 0x80:
            return f"{code} {r}{dst} = -{r}{dst}"
        if opcode == 0xBF and off == 1:
            return f"{code} r{dst} = addr_space_cast(r{src}, {imm >> 16 & 0xFFFF}, {imm & 0xFFFF})"
        name = _ALU_SIGNED[op] if op in (0x30, 0x90) and off == 1 else _ALU.get(op, "?")
        if opcode & 8:
            sx = ""
            if op == 0xB0 and off in (8, 16, 32):
                sx = f"(s{off})"
            return f"{code} {r}{dst} {name} {sx}{r}{src}"
        return f"{code} {r}{dst} {name} {imm}"
    if cls == 3:
        size = _LDST[opcode & 0x18]
        mode = opcode & 0xE0
        if mode == 0x60:
            return f"{code} *({size} *)(r{dst} {off:+d}) = r{src}"
        if mode == 0xC0:
            width = "64" if opcode & 0x18 == 0x18 else ""
            if imm in (0x00, 0x40, 0x50, 0xA0):
                return f"{code} lock *({size} *)(r{dst} {off:+d}) {_ALU[imm]} r{src}"
            if imm in (0x01, 0x41, 0x51, 0xA1):
                return (
                    f"{code} r{src} = atomic{width}_fetch_{_ATOMIC_ALU[imm & 0xF0]}"
                    f"(({size} *)(r{dst} {off:+d}), r{src})"
                )
            if imm == 0xF1:
                return f"{code} r0 = atomic{width}_cmpxchg(({size} *)(r{dst} {off:+d}), r0, r{src})"
            if imm == 0xE1:
                return f"{code} r{src} = atomic{width}_xchg(({size} *)(r{dst} {off:+d}), r{src})"
            if imm == 0x100:
                return f"{code} r{src} = load_acquire(({size} *)(r{dst} {off:+d}))"
            if imm == 0x110:
                return f"{code} store_release(({size} *)(r{dst} {off:+d}), r{src})"
        return f"BUG_{opcode:02x}"
    if cls == 2:
        if opcode & 0xE0 == 0x60:
            return f"{code} *({_LDST[opcode & 0x18]} *)(r{dst} {off:+d}) = {imm}"
        return f"BUG_st_{opcode:02x}"
    if cls == 1:
        mode = opcode & 0xE0
        if mode not in (0x60, 0x80):
            return f"BUG_ldx_{opcode:02x}"
        size = _LDST[opcode & 0x18] if mode == 0x60 else _LDSX[opcode & 0x18]
        return f"{code} r{dst} = *({size} *)(r{src} {off:+d})"
    if cls == 0:
        mode = opcode & 0xE0
        size = _LDST[opcode & 0x18]
        if mode == 0x20:
            return f"{code} r0 = *({size} *)skb[{imm}]"
        if mode == 0x40:
            return f"{code} r0 = *({size} *)skb[r{src} + {imm}]"
        if opcode == 0x18:
            if src == 4:
                return f"{code} r{dst} = pc{imm & 0xFFFFFFFF:+d}"
            if src in (1, 2, 5, 6):
                return f"{code} r{dst} = map[id:{imm & 0xFFFFFFFF}]"
            return f"{code} r{dst} = {imm & 0xFFFFFFFFFFFFFFFF:#x}"
        return f"BUG_ld_{opcode:02x}"
    # jumps
    if op == 0x80:
        if src == 1:
            return f"{code} call pc{imm:+d}"
        if src == 2:
            return f"{code} call kernel-function#{imm}"
        return f"{code} call {_helper_name(imm)}#{imm}"
    if opcode == 0x05:
        return f"{code} goto pc{off:+d}"
    if opcode == 0xE5:
        return f"{code} may_goto pc{off:+d}"
    if opcode == 0x06:
        return f"{code} gotol pc{imm:+d}"
    if opcode == 0x95:
        return f"{code} exit"
    r = "w" if cls == 6 else "r"
    name = _JMP.get(op, "?")
    if opcode & 8:
        return f"{code} if {r}{dst} {name} {r}{src} goto pc{off:+d}"
    return f"{code} if {r}{dst} {name} {_u32(imm):#x} goto pc{off:+d}"
