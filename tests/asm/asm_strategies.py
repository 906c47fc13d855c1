"""Hypothesis strategies for valid instructions, and the kernel verifier log's text form.

``instructions()`` draws an opcode among the 128 valid ones and then only field values that
opcode allows, so no example is thrown away. ``kernel_log_text()`` prints an instruction the way
Linux's ``print_bpf_insn`` (kernel/bpf/disasm.c) does in a verifier log.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pyebpf.asm import Instruction
from pyebpf.asm.helper_ids import HelperId

VALID_OPCODES = sorted(
    {
        *(cls | code | src for cls in (0x04, 0x07) for code in range(0, 0xD0, 0x10)
          if code != 0x80 for src in (0, 8)),
        0x84, 0x87, 0xD4, 0xDC, 0xD7,
        *(cls | code | src for cls in (0x05, 0x06)
          for code in (0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xA0, 0xB0, 0xC0, 0xD0)
          for src in (0, 8)),
        0x05, 0x06, 0x85, 0x95, 0xE5,
        *(0x61 | size for size in (0, 8, 0x10, 0x18)),
        *(0x81 | size for size in (0, 8, 0x10)),
        *(0x62 | size for size in (0, 8, 0x10, 0x18)),
        *(0x63 | size for size in (0, 8, 0x10, 0x18)),
        *(0xC3 | size for size in (0, 8, 0x10, 0x18)),
        *(0x20 | size for size in (0, 8, 0x10)),
        *(0x40 | size for size in (0, 8, 0x10)),
        0x18,
    }
)  # fmt: skip

_EDGE32 = (0, 1, -1, -(1 << 31), (1 << 31) - 1, 0x7F, -0x80, 0xFFFF)
_EDGE16 = (0, 1, -1, -32768, 32767)
_EDGE64 = (0, 1, -1, -(1 << 63), (1 << 63) - 1, 1 << 32, (1 << 32) - 1, -(1 << 31))
_RMW = (0x00, 0x40, 0x50, 0xA0, 0x01, 0x41, 0x51, 0xA1, 0xE1, 0xF1)

regs = st.integers(0, 10)
imm32 = st.one_of(st.sampled_from(_EDGE32), st.integers(-(1 << 31), (1 << 31) - 1))
off16 = st.one_of(st.sampled_from(_EDGE16), st.integers(-32768, 32767))
imm64 = st.one_of(st.sampled_from(_EDGE64), st.integers(-(1 << 63), (1 << 63) - 1))


@st.composite
def instructions(draw: st.DrawFn, *, pseudo: bool = True) -> Instruction:
    """A valid instruction; ``pseudo=False`` leaves out ld_imm64 pseudo sources and kfuncs."""
    opcode = draw(st.sampled_from(VALID_OPCODES))
    cls, code, is_reg = opcode & 0x07, opcode & 0xF0, opcode & 0x08
    dst, src, off, imm = draw(regs), 0, 0, 0
    if cls in (0x04, 0x07):
        if code == 0x80:
            pass
        elif code == 0xD0:
            imm = draw(st.sampled_from((16, 32, 64)))
        elif code == 0xB0 and is_reg:
            src = draw(regs)
            widths = (0, 8, 16, 32, 1) if cls == 0x07 else (0, 8, 16)
            off = draw(st.sampled_from(widths))
            if off == 1:
                imm = draw(st.sampled_from((1, 1 << 16)))
        elif is_reg:
            src = draw(regs)
            off = draw(st.sampled_from((0, 1))) if code in (0x30, 0x90) else 0
        else:
            imm = draw(imm32)
            off = draw(st.sampled_from((0, 1))) if code in (0x30, 0x90) else 0
    elif cls in (0x05, 0x06):
        if opcode in (0x05, 0xE5):
            dst, off = 0, draw(off16)
        elif opcode == 0x06:
            dst, imm = 0, draw(imm32)
        elif opcode == 0x95:
            dst = 0
        elif opcode == 0x85:
            dst = 0
            src = draw(st.sampled_from((0, 1, 2) if pseudo else (0, 1)))
            imm = draw(imm32)
            if src == 2:
                off = draw(st.sampled_from((0, 0, 1, 7)))
        else:
            off = draw(off16)
            if is_reg:
                src = draw(regs)
            else:
                imm = draw(imm32)
    elif cls == 0x01:
        src, off = draw(regs), draw(off16)
    elif cls == 0x02:
        off, imm = draw(off16), draw(imm32)
    elif cls == 0x03:
        src, off = draw(regs), draw(off16)
        if opcode & 0xE0 == 0xC0:
            sizes_ok = opcode & 0x18 in (0x00, 0x18)
            imm = draw(st.sampled_from((*_RMW, 0x100, 0x110) if sizes_ok else (0x100, 0x110)))
    elif opcode == 0x18:
        src = draw(st.sampled_from((0, 1, 2, 3, 4, 5, 6) if pseudo else (0,)))
        imm = draw(imm64)
    else:  # ld_abs / ld_ind
        dst = 0
        imm = draw(imm32)
        if opcode & 0xE0 == 0x40:
            src = draw(regs)
    return Instruction(opcode, dst, src, off, imm)


def programs(*, pseudo: bool = True, max_size: int = 40) -> st.SearchStrategy[list[Instruction]]:
    return st.lists(instructions(pseudo=pseudo), min_size=1, max_size=max_size)


# --- the kernel verifier log (kernel/bpf/disasm.c) -------------------------------------------

_ALU = {0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=", 0x60: "<<=",
        0x70: ">>=", 0x90: "%=", 0xA0: "^=", 0xB0: "=", 0xC0: "s>>="}  # fmt: skip
_JMP = {0x10: "==", 0x20: ">", 0x30: ">=", 0x40: "&", 0x50: "!=", 0x60: "s>", 0x70: "s>=",
        0xA0: "<", 0xB0: "<=", 0xC0: "s<", 0xD0: "s<="}  # fmt: skip
_LDST = {0x00: "u32", 0x08: "u16", 0x10: "u8", 0x18: "u64"}
_LDSX = {0x00: "s32", 0x08: "s16", 0x10: "s8"}
_ATOMIC_ALU = {0x00: "add", 0x40: "or", 0x50: "and", 0xA0: "xor"}


def _helper_name(imm: int) -> str:
    try:
        return "bpf_" + HelperId(imm).name.lower()
    except ValueError:
        return "unknown"


def kernel_log_text(insn: Instruction) -> str:
    """``(op) text`` as the verifier log prints ``insn`` (ld_imm64 pseudo kinds excepted)."""
    op, dst, src, off, imm = insn.opcode, insn.dst, insn.src, insn.off, insn.imm
    cls, code = op & 0x07, op & 0xF0
    head = f"({op:02x}) "
    r = "w" if cls in (0x04, 0x06) else "r"
    if cls in (0x04, 0x07):
        if code == 0xD0:
            if cls == 0x07:
                return f"{head}r{dst} = bswap{imm} r{dst}"
            return f"{head}r{dst} = {'be' if op & 0x08 else 'le'}{imm} r{dst}"
        if code == 0x80:
            return f"{head}{r}{dst} = -{r}{dst}"
        if op == 0xBF and off == 1:
            return f"{head}r{dst} = addr_space_cast(r{src}, {(imm & 0xFFFFFFFF) >> 16}, {imm & 0xFFFF})"
        sym = {0x30: "s/=", 0x90: "s%="}[code] if code in (0x30, 0x90) and off == 1 else _ALU[code]
        if op & 0x08:
            movsx = f"(s{off})" if code == 0xB0 and off in (8, 16, 32) else ""
            return f"{head}{r}{dst} {sym} {movsx}{r}{src}"
        return f"{head}{r}{dst} {sym} {imm}"
    if cls == 0x03:
        size = _LDST[op & 0x18]
        if op & 0xE0 == 0x60:
            return f"{head}*({size} *)(r{dst} {off:+d}) = r{src}"
        b64 = "64" if op & 0x18 == 0x18 else ""
        if imm in _ATOMIC_ALU:
            return f"{head}lock *({size} *)(r{dst} {off:+d}) {_ALU[imm]} r{src}"
        if imm - 1 in _ATOMIC_ALU:
            name = _ATOMIC_ALU[imm - 1]
            return f"{head}r{src} = atomic{b64}_fetch_{name}(({size} *)(r{dst} {off:+d}), r{src})"
        if imm == 0xF1:
            return f"{head}r0 = atomic{b64}_cmpxchg(({size} *)(r{dst} {off:+d}), r0, r{src})"
        if imm == 0xE1:
            return f"{head}r{src} = atomic{b64}_xchg(({size} *)(r{dst} {off:+d}), r{src})"
        if imm == 0x100:
            return f"{head}r{dst} = load_acquire(({size} *)(r{src} {off:+d}))"
        return f"{head}store_release(({size} *)(r{dst} {off:+d}), r{src})"
    if cls == 0x02:
        return f"{head}*({_LDST[op & 0x18]} *)(r{dst} {off:+d}) = {imm}"
    if cls == 0x01:
        table = _LDST if op & 0xE0 == 0x60 else _LDSX
        return f"{head}r{dst} = *({table[op & 0x18]} *)(r{src} {off:+d})"
    if cls == 0x00:
        if op & 0xE0 == 0x20:
            return f"{head}r0 = *({_LDST[op & 0x18]} *)skb[{imm}]"
        if op & 0xE0 == 0x40:
            return f"{head}r0 = *({_LDST[op & 0x18]} *)skb[r{src} + {imm}]"
        assert src == 0, "the log prints map and BTF loads as kernel addresses"
        return f"{head}r{dst} = {imm & 0xFFFFFFFFFFFFFFFF:#x}"
    # JMP / JMP32
    if code == 0x80:
        if src == 1:
            return f"{head}call pc{imm:+d}"
        if src == 2:
            return f"{head}call kernel-function#{imm}"
        return f"{head}call {_helper_name(imm)}#{imm}"
    if op == 0x05:
        return f"{head}goto pc{off:+d}"
    if op == 0xE5:
        return f"{head}may_goto pc{off:+d}"
    if op == 0x06:
        return f"{head}gotol pc{imm:+d}"
    if op == 0x95:
        return f"{head}exit"
    if op & 0x08:
        return f"{head}if {r}{dst} {_JMP[code]} {r}{src} goto pc{off:+d}"
    return f"{head}if {r}{dst} {_JMP[code]} {imm & 0xFFFFFFFF:#x} goto pc{off:+d}"
