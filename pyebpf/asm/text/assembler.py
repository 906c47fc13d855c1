"""The text assembler: the pseudo-C syntax of ``llvm-mc -triple bpf`` and ``llvm-objdump``.

``assemble(text)`` reads statements one per line, or several on a line separated by ``;`` (as
llvm-mc does). A line that *starts* with ``;`` is a comment: that is how ``llvm-objdump -S``
and ``-l`` interleave source lines and file names with the code. It accepts:

* everything :func:`pyebpf.asm.disassemble` prints, and the text ``llvm-objdump-22 -d`` prints
  (in hex or decimal), including whole listing lines (``  12:\\tb7 00 ... \\tr0 = 0``) with
  their `` <func+0x18>`` target annotations, file and section headers and symbol lines;
* lines of the kernel verifier log (``12: (b7) r0 = 0``, ``if r1 > 0x5 goto pc+3``,
  ``call bpf_map_lookup_elem#1``, ``(r10 -8)``), so a log can be pasted back; the register
  state the log prints after `` ; `` is ignored; ``call NAME#N`` is helper N when NAME is a
  helper (or ``unknown``), else kfunc N (the log names kfuncs by their BTF name);
* labels (``name:``, alone or before a statement), jump/call targets by label, helpers by name
  (``call bpf_map_lookup_elem`` or ``call map_lookup_elem``), and the map forms
  ``r1 = map[name] ll``, ``r1 = map_value[name]+8 ll``, ``r1 = func[label] ll``,
  ``r1 = ksym[name] ll``, ``r1 = map[fd:5] ll``;
* comments: ``#`` or ``//`` to the end of the line (``#`` directly after a helper name, as in
  ``bpf_map_lookup_elem#1``, is part of the name), ``/* ... */`` within a line.

Errors raise :class:`~pyebpf.errors.AssemblerError` with the line number and the reason.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from itertools import accumulate, compress, count
from operator import itemgetter, not_, sub
from typing import Any

from ..._gcpause import gc_paused
from ...errors import AssemblerError, InstructionError, LinkError
from ..dsl import helper_id
from ..instruction import Instruction, _make, to_s32
from ..opcodes import (
    CALL,
    EXIT,
    GOTOL,
    JA,
    LD_IMM64,
    MAY_GOTO,
    AtomicOp,
    CallKind,
    InsnClass,
    Mode,
    PseudoSrc,
    Source,
)
from ..program import Instructions
from ..validation import field_error

_NUM = r"[-+]?\s*(?:0[xX][0-9a-fA-F]+|\d+)"
_REG = r"([rw])(\d+)"
_IDENT = r"[A-Za-z_.$][\w.$]*"
_SIZE = r"\*\s*\(\s*([us])(8|16|32|64)\s*\*\s*\)"
_MEM = r"\(\s*r(\d+)\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\)"
_TARGET = rf"(?:pc\s*)?([-+]\s*(?:0[xX][0-9a-fA-F]+|\d+)|{_IDENT}|\d+)"

_SIZE_BITS = {"8": 0x10, "16": 0x08, "32": 0x00, "64": 0x18}
_ALU_OPS = {
    "+=": (0x00, 0),
    "-=": (0x10, 0),
    "*=": (0x20, 0),
    "/=": (0x30, 0),
    "|=": (0x40, 0),
    "&=": (0x50, 0),
    "<<=": (0x60, 0),
    ">>=": (0x70, 0),
    "%=": (0x90, 0),
    "^=": (0xA0, 0),
    "s>>=": (0xC0, 0),
    "s/=": (0x30, 1),
    "s%=": (0x90, 1),
    "=": (0xB0, 0),
}
_JUMP_OPS = {
    "==": 0x10,
    ">": 0x20,
    ">=": 0x30,
    "&": 0x40,
    "!=": 0x50,
    "s>": 0x60,
    "s>=": 0x70,
    "<": 0xA0,
    "<=": 0xB0,
    "s<": 0xC0,
    "s<=": 0xD0,
}
_ATOMIC_RMW = {"+=": 0x00, "|=": 0x40, "&=": 0x50, "^=": 0xA0}
_ATOMIC_FETCH = {"add": 0x01, "or": 0x41, "and": 0x51, "xor": 0xA1}

# Prefixes that tools print before the instruction text.
_KERNEL_PREFIX = re.compile(r"^\s*(\d+)\s*:\s*\(([0-9a-fA-F]{2})\)\s*")
_OBJDUMP_PREFIX = re.compile(
    r"^\s*\d+\s*:\s*((?:[0-9a-fA-F]{2} ){7}[0-9a-fA-F]{2}(?: (?:[0-9a-fA-F]{2} ){7}[0-9a-fA-F]{2})?)\s+"
)
# What llvm-objdump prints around the listing: the jump-target annotation after an
# instruction (`goto +1 <.text+0x18>`), file and section headers, and symbol lines.
_OBJDUMP_TARGET = re.compile(r"\s+<[^<>\s]+>\s*$")
_OBJDUMP_HEADER = re.compile(
    r"^\s*(?:\S.*:\s+file format \S+|Disassembly of section \S+:|[0-9a-fA-F]{8,16} <[^<>\s]+>:)\s*$"
)
_LABEL = re.compile(rf"^\s*({_IDENT})\s*:(?!=)\s*")

_RE_ALU = re.compile(rf"^{_REG}\s*(s>>=|s/=|s%=|<<=|>>=|\+=|-=|\*=|/=|\|=|&=|%=|\^=|=)\s*(.+)$")
_RE_IF = re.compile(
    rf"^if\s+{_REG}\s*(s<=|s>=|s<|s>|==|!=|<=|>=|<|>|&)\s*(?:{_REG}|({_NUM}))\s+goto\s+{_TARGET}$"
)
_RE_STORE = re.compile(rf"^{_SIZE}\s*{_MEM}\s*=\s*(?:{_REG}|({_NUM}))$")
_RE_LOCK = re.compile(rf"^lock\s+{_SIZE}\s*{_MEM}\s*(\+=|\|=|&=|\^=)\s*{_REG}$")
_RE_LOAD = re.compile(rf"^{_SIZE}\s*{_MEM}$")
_RE_SKB = re.compile(
    # `skb[r1 + -4]`: the kernel log prints the ld_ind offset as `+ %d`.
    rf"^{_SIZE}\s*skb\s*\[\s*(?:r(\d+)\s*(?:([-+])\s*(-?\s*(?:0[xX][0-9a-fA-F]+|\d+)))?|({_NUM}))\s*\]$"
)
_RE_FETCH = re.compile(
    rf"^atomic(?:64)?_fetch_(add|or|and|xor)\s*\(\s*\(\s*u(32|64)\s*\*\s*\)\s*{_MEM}\s*,\s*{_REG}\s*\)$"
)
_RE_XCHG = re.compile(
    rf"^(?:xchg_64|xchg32_32|atomic64_xchg|atomic_xchg)\s*\(\s*(?:\(\s*u(32|64)\s*\*\s*\)\s*)?(?:\(\s*)?r(\d+)\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\)?\s*,\s*{_REG}\s*\)$"
)
_RE_CMPXCHG = re.compile(
    rf"^(?:cmpxchg_64|cmpxchg32_32|atomic64_cmpxchg|atomic_cmpxchg)\s*\(\s*(?:\(\s*u(32|64)\s*\*\s*\)\s*)?(?:\(\s*)?r(\d+)\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\)?\s*,\s*{_REG}\s*,\s*{_REG}\s*\)$"
)
_RE_ACQUIRE = re.compile(rf"^load_acquire\s*\(\s*\(\s*u(8|16|32|64)\s*\*\s*\)\s*{_MEM}\s*\)$")
_RE_RELEASE = re.compile(
    rf"^store_release\s*\(\s*\(\s*u(8|16|32|64)\s*\*\s*\)\s*{_MEM}\s*,\s*{_REG}\s*\)$"
)
_RE_MOVSX = re.compile(rf"^\(\s*s(8|16|32)\s*\)\s*{_REG}$")
_RE_END = re.compile(rf"^(be|le|bswap)(16|32|64)\s+{_REG}$")
_RE_NEG = re.compile(rf"^-\s*{_REG}$")
_RE_ASC = re.compile(rf"^addr_space_cast\s*\(\s*{_REG}\s*,\s*({_NUM})\s*,\s*({_NUM})\s*\)$")
_RE_LL = re.compile(rf"^({_NUM})\s*ll$")
_RE_SYM = re.compile(
    rf"^(map|map_value|func|ksym)\s*\[\s*(?:(fd|idx)\s*:\s*)?({_IDENT}|\d+)\s*\]\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*(?:ll)?$"
)
_RE_PSEUDO = re.compile(rf"^ld_pseudo\s+r(\d+)\s*,\s*({_NUM})\s*,\s*({_NUM})(?:\s*,\s*({_NUM}))?$")
_RE_JA = re.compile(rf"^(goto|gotol|may_goto)\s+{_TARGET}$")
_RE_CALL = re.compile(r"^call\s+(.+)$")


class _Ctx:
    """Per-line parsing context: the line for errors and whether it came from a kernel log."""

    __slots__ = ("line", "text", "kernel_opcode")

    def __init__(self, line: int, text: str, kernel_opcode: int | None) -> None:
        self.line = line
        self.text = text
        self.kernel_opcode = kernel_opcode

    def error(self, reason: str) -> AssemblerError:
        return AssemblerError(reason, self.line, self.text)


def _int(ctx: _Ctx, text: str) -> int:
    try:
        return int(text.replace(" ", ""), 0)
    except ValueError:
        raise ctx.error(f"{text!r} is not a number") from None


def _reg(ctx: _Ctx, kind: str, num: str) -> tuple[int, bool]:
    n = int(num)
    if n > 10:
        raise ctx.error(f"no register {kind}{num}: registers are r0-r10 (w0-w10)")
    return n, kind == "r"


def _imm32(ctx: _Ctx, value: int) -> int:
    if not -(1 << 31) <= value < (1 << 32):
        raise ctx.error(
            f"immediate {value} does not fit in 32 bits (use `ll` for a 64-bit constant)"
        )
    return to_s32(value)


def _off16(ctx: _Ctx, value: int) -> int:
    if not -0x8000 <= value <= 0x7FFF:
        raise ctx.error(f"offset {value} does not fit in a signed 16-bit field")
    return value


def _mem_off(ctx: _Ctx, sign: str | None, num: str | None) -> int:
    if num is None:
        return 0
    value = _int(ctx, num)
    return _off16(ctx, -value if sign == "-" else value)


def _target(ctx: _Ctx, text: str) -> tuple[int, str | None]:
    """A jump target: a relative offset (``+3``, ``-2``, ``pc+3``) or a label."""
    text = text.strip()
    if text.startswith("pc") and text[2:3] in ("+", "-", " "):
        text = text[2:].strip()
    if text[0] in "+-" or text[0].isdigit():
        return _int(ctx, text), None
    return 0, text


def _insn(
    ctx: _Ctx, opcode: int, dst: int, src: int, off: int, imm: int, ref: str | None = None
) -> Instruction:
    reason = field_error(opcode, dst, src, off, to_s32(imm) if opcode == LD_IMM64 else imm)
    if reason is not None:
        raise ctx.error(reason)
    return _make((opcode, dst, src, off, imm, None, ref, None))


def _parse_assignment(ctx: _Ctx, m: re.Match[str]) -> Instruction:
    kind, dnum, op, rhs = m.group(1), m.group(2), m.group(3), m.group(4).strip()
    dst, wide = _reg(ctx, kind, dnum)
    if op != "=":
        return _alu(ctx, op, dst, wide, rhs)
    # Plain assignments: loads, atomics with a result, moves and 64-bit immediates.
    if rhs.startswith("*"):
        return _load(ctx, dst, wide, rhs)
    first = rhs[0]
    if first == "-" and (rhs[1:].lstrip()[:1] in ("r", "w")):
        mneg = _RE_NEG.match(rhs)
        if mneg is None:
            raise ctx.error(f"cannot parse {rhs!r}")
        n, w = _reg(ctx, mneg.group(1), mneg.group(2))
        if n != dst or w != wide:
            raise ctx.error("neg must name the same register on both sides (`r1 = -r1`)")
        return _insn(ctx, (InsnClass.ALU64 if wide else InsnClass.ALU) | 0x80, dst, 0, 0, 0)
    if first == "(":
        msx = _RE_MOVSX.match(rhs)
        if msx is None:
            raise ctx.error(f"cannot parse {rhs!r}")
        s, w = _reg(ctx, msx.group(2), msx.group(3))
        if w != wide:
            raise ctx.error("operands have different widths")
        bits = int(msx.group(1))
        cls = InsnClass.ALU64 if wide else InsnClass.ALU
        return _insn(ctx, cls | 0xB0 | Source.X, dst, s, bits, 0)
    mend = _RE_END.match(rhs)
    if mend is not None:
        n, _ = _reg(ctx, mend.group(3), mend.group(4))
        if n != dst:
            raise ctx.error("byte swap must name the same register on both sides (`r1 = be16 r1`)")
        bits = int(mend.group(2))
        opcode = {"be": 0xDC, "le": 0xD4, "bswap": 0xD7}[mend.group(1)]
        return _insn(ctx, opcode, dst, 0, 0, bits)
    if rhs.startswith("atomic") and "xchg" not in rhs[:16]:
        return _fetch(ctx, dst, wide, rhs)
    if rhs.startswith(("xchg", "cmpxchg", "atomic")):
        return _xchg(ctx, dst, wide, rhs)
    if rhs.startswith("load_acquire"):
        ma = _RE_ACQUIRE.match(rhs)
        if ma is None:
            raise ctx.error(f"cannot parse {rhs!r}")
        base = _reg(ctx, "r", ma.group(2))[0]
        off = _mem_off(ctx, ma.group(3), ma.group(4))
        return _insn(
            ctx,
            InsnClass.STX | Mode.ATOMIC | _SIZE_BITS[ma.group(1)],
            dst,
            base,
            off,
            AtomicOp.LOAD_ACQUIRE,
        )
    if rhs.startswith("addr_space_cast"):
        mc = _RE_ASC.match(rhs)
        if mc is None:
            raise ctx.error(f"cannot parse {rhs!r}")
        s, _ = _reg(ctx, mc.group(1), mc.group(2))
        imm = (_int(ctx, mc.group(3)) << 16) | _int(ctx, mc.group(4))
        return _insn(ctx, InsnClass.ALU64 | 0xB0 | Source.X, dst, s, 1, imm)
    if rhs.startswith(("map", "func", "ksym")):
        return _symbolic_ld(ctx, dst, wide, rhs)
    if rhs.endswith("ll"):
        mll = _RE_LL.match(rhs)
        if mll is None:
            raise ctx.error(f"cannot parse {rhs!r}")
        return _ld_imm64(ctx, dst, wide, _int(ctx, mll.group(1)))
    if ctx.kernel_opcode == LD_IMM64:  # the kernel log prints ld_imm64 without `ll`
        return _ld_imm64(ctx, dst, wide, _int(ctx, rhs))
    return _alu(ctx, "=", dst, wide, rhs)


def _alu(ctx: _Ctx, op: str, dst: int, wide: bool, rhs: str) -> Instruction:
    code, off = _ALU_OPS[op]
    cls = InsnClass.ALU64 if wide else InsnClass.ALU
    if rhs[0] in "rw" and rhs[1:].isdigit():
        src, swide = _reg(ctx, rhs[0], rhs[1:])
        if swide != wide:
            raise ctx.error(f"operands {'r' if wide else 'w'}{dst} and {rhs} have different widths")
        return _insn(ctx, cls | code | Source.X, dst, src, off, 0)
    try:
        value = int(rhs.replace(" ", ""), 0)
    except ValueError:
        raise ctx.error(f"expected a register or a number, found {rhs!r}") from None
    return _insn(ctx, cls | code | Source.K, dst, 0, off, _imm32(ctx, value))


def _load(ctx: _Ctx, dst: int, wide: bool, rhs: str) -> Instruction:
    m = _RE_LOAD.match(rhs)
    if m is not None:
        sign, bits = m.group(1), m.group(2)
        base = _reg(ctx, "r", m.group(3))[0]
        off = _mem_off(ctx, m.group(4), m.group(5))
        mode = Mode.MEMSX if sign == "s" else Mode.MEM
        return _insn(ctx, InsnClass.LDX | mode | _SIZE_BITS[bits], dst, base, off, 0)
    m = _RE_SKB.match(rhs)
    if m is not None:
        if dst != 0:
            raise ctx.error("legacy packet loads always load r0")
        size = _SIZE_BITS[m.group(2)]
        if m.group(3) is not None:
            src = _reg(ctx, "r", m.group(3))[0]
            # The offset of ld_ind is the 32-bit imm, not the 16-bit off of memory operands.
            value = _int(ctx, m.group(5)) if m.group(5) else 0
            imm = _imm32(ctx, -value if m.group(4) == "-" else value)
            return _insn(ctx, InsnClass.LD | Mode.IND | size, 0, src, 0, imm)
        return _insn(
            ctx, InsnClass.LD | Mode.ABS | size, 0, 0, 0, _imm32(ctx, _int(ctx, m.group(6)))
        )
    raise ctx.error(f"cannot parse the load {rhs!r}")


def _fetch(ctx: _Ctx, dst: int, wide: bool, rhs: str) -> Instruction:
    m = _RE_FETCH.match(rhs)
    if m is None:
        raise ctx.error(f"cannot parse {rhs!r}")
    base = _reg(ctx, "r", m.group(3))[0]
    off = _mem_off(ctx, m.group(4), m.group(5))
    src, _ = _reg(ctx, m.group(6), m.group(7))
    if src != dst:
        raise ctx.error(
            "atomic_fetch_* returns the old value in its source register (`r2 = atomic_fetch_add(..., r2)`)"
        )
    size = 0x18 if m.group(2) == "64" else 0x00
    return _insn(ctx, InsnClass.STX | Mode.ATOMIC | size, base, src, off, _ATOMIC_FETCH[m.group(1)])


def _xchg(ctx: _Ctx, dst: int, wide: bool, rhs: str) -> Instruction:
    if "cmpxchg" not in rhs[:16]:
        m = _RE_XCHG.match(rhs)
        if m is None:
            raise ctx.error(f"cannot parse {rhs!r}")
        base = _reg(ctx, "r", m.group(2))[0]
        off = _mem_off(ctx, m.group(3), m.group(4))
        src, swide = _reg(ctx, m.group(5), m.group(6))
        if src != dst:
            raise ctx.error(
                "xchg returns the old value in its source register (`r2 = xchg_64(r1 + 0, r2)`)"
            )
        size = (
            0x18
            if (m.group(1) == "64" or (m.group(1) is None and "64" in rhs.split("(")[0]))
            else 0x00
        )
        return _insn(ctx, InsnClass.STX | Mode.ATOMIC | size, base, src, off, AtomicOp.XCHG)
    m = _RE_CMPXCHG.match(rhs)
    if m is None:
        raise ctx.error(f"cannot parse {rhs!r}")
    if dst != 0:
        raise ctx.error("cmpxchg always returns into r0 (`r0 = cmpxchg_64(r1 + 0, r0, r2)`)")
    base = _reg(ctx, "r", m.group(2))[0]
    off = _mem_off(ctx, m.group(3), m.group(4))
    cmp_reg, _ = _reg(ctx, m.group(5), m.group(6))
    if cmp_reg != 0:
        raise ctx.error("cmpxchg compares with r0 (`r0 = cmpxchg_64(r1 + 0, r0, r2)`)")
    src, _ = _reg(ctx, m.group(7), m.group(8))
    size = (
        0x18 if (m.group(1) == "64" or (m.group(1) is None and "64" in rhs.split("(")[0])) else 0x00
    )
    return _insn(ctx, InsnClass.STX | Mode.ATOMIC | size, base, src, off, AtomicOp.CMPXCHG)


def _ld_imm64(ctx: _Ctx, dst: int, wide: bool, value: int) -> Instruction:
    if not wide:
        raise ctx.error("a 64-bit immediate loads an r register, not a w register")
    if not -(1 << 63) <= value < (1 << 64):
        raise ctx.error(f"immediate {value} does not fit in 64 bits")
    value &= (1 << 64) - 1
    if value >> 63:
        value -= 1 << 64
    return _insn(ctx, LD_IMM64, dst, 0, 0, value)


def _symbolic_ld(ctx: _Ctx, dst: int, wide: bool, rhs: str) -> Instruction:
    m = _RE_SYM.match(rhs)
    if m is None:
        raise ctx.error(f"cannot parse {rhs!r}")
    if not wide:
        raise ctx.error("a 64-bit immediate loads an r register, not a w register")
    kind, tag, name, sign, num = m.groups()
    offset = 0
    if num is not None:
        offset = _imm32(ctx, -_int(ctx, num) if sign == "-" else _int(ctx, num))
    numeric = name.isdigit()
    if tag is not None and not numeric:
        raise ctx.error(f"{tag}: needs a number")
    if kind in ("map", "map_value"):
        by_idx = tag == "idx"
        if kind == "map" and offset:
            kind = "map_value"
        src = (
            (PseudoSrc.MAP_IDX if by_idx else PseudoSrc.MAP_FD)
            if kind == "map"
            else (PseudoSrc.MAP_IDX_VALUE if by_idx else PseudoSrc.MAP_VALUE)
        )
        low = int(name) if numeric else 0
        return _insn(ctx, LD_IMM64, dst, src, 0, _pack64(low, offset), None if numeric else name)
    if kind == "func":
        if numeric:
            raise ctx.error("func[...] takes a label")
        return _insn(ctx, LD_IMM64, dst, PseudoSrc.FUNC, 0, 0, name)
    if numeric:
        return _insn(ctx, LD_IMM64, dst, PseudoSrc.BTF_ID, 0, _pack64(int(name), offset))
    return _insn(ctx, LD_IMM64, dst, PseudoSrc.BTF_ID, 0, _pack64(0, offset), name)


def _pack64(low: int, high: int) -> int:
    value = (low & 0xFFFFFFFF) | ((high & 0xFFFFFFFF) << 32)
    return value - (1 << 64) if value >> 63 else value


def _parse_if(ctx: _Ctx, m: re.Match[str]) -> Instruction:
    dst, wide = _reg(ctx, m.group(1), m.group(2))
    code = _JUMP_OPS[m.group(3)]
    cls = InsnClass.JMP if wide else InsnClass.JMP32
    off, ref = _target(ctx, m.group(7))
    off = _off16(ctx, off)
    if m.group(4) is not None:
        src, swide = _reg(ctx, m.group(4), m.group(5))
        if swide != wide:
            raise ctx.error("operands have different widths")
        return _insn(ctx, cls | code | Source.X, dst, src, off, 0, ref)
    return _insn(ctx, cls | code | Source.K, dst, 0, off, _imm32(ctx, _int(ctx, m.group(6))), ref)


def _parse_store(ctx: _Ctx, m: re.Match[str]) -> Instruction:
    if m.group(1) == "s":
        raise ctx.error("stores take u8/u16/u32/u64, not signed sizes")
    size = _SIZE_BITS[m.group(2)]
    base = _reg(ctx, "r", m.group(3))[0]
    off = _mem_off(ctx, m.group(4), m.group(5))
    if m.group(6) is not None:
        src, _ = _reg(ctx, m.group(6), m.group(7))
        return _insn(ctx, InsnClass.STX | Mode.MEM | size, base, src, off, 0)
    return _insn(
        ctx, InsnClass.ST | Mode.MEM | size, base, 0, off, _imm32(ctx, _int(ctx, m.group(8)))
    )


def _parse_lock(ctx: _Ctx, m: re.Match[str]) -> Instruction:
    bits = m.group(2)
    if bits not in ("32", "64"):
        raise ctx.error("atomic operations are 32- or 64-bit")
    base = _reg(ctx, "r", m.group(3))[0]
    off = _mem_off(ctx, m.group(4), m.group(5))
    src, _ = _reg(ctx, m.group(7), m.group(8))
    return _insn(
        ctx, InsnClass.STX | Mode.ATOMIC | _SIZE_BITS[bits], base, src, off, _ATOMIC_RMW[m.group(6)]
    )


def _is_helper(name: str) -> bool:
    try:
        helper_id(name)
    except InstructionError:
        return False
    return True


def _parse_call(ctx: _Ctx, arg: str, labels_hint: set[str]) -> Instruction:
    arg = arg.strip()
    if arg.startswith("pc") and arg[2:3] in ("+", "-", " "):
        # `call pc+N` is a local call; a bare signed number is a helper id, as in llvm-mc.
        off, _ = _target(ctx, arg)
        return _insn(ctx, CALL, 0, CallKind.LOCAL, 0, _imm32(ctx, off))
    if arg.startswith("kfunc#"):
        body = arg[len("kfunc#") :]
        target, _, module = body.partition("@")
        mod = _off16(ctx, _int(ctx, module)) if module else 0
        if target.lstrip("-").isdigit():
            return _insn(ctx, CALL, 0, CallKind.KFUNC, mod, _imm32(ctx, _int(ctx, target)))
        return _insn(ctx, CALL, 0, CallKind.KFUNC, mod, 0, target)
    if arg[0].isdigit() or arg[0] in "+-":
        return _insn(ctx, CALL, 0, CallKind.HELPER, 0, _imm32(ctx, _int(ctx, arg)))
    # A name: `bpf_map_lookup_elem#1` (kernel log), a helper name, or a local function label.
    name, hash_, number = arg.partition("#")
    if hash_:
        number = number.strip()
        if not number.lstrip("-").isdigit():
            raise ctx.error(f"cannot parse the call target {arg!r}")
        imm = _imm32(ctx, int(number))
        # The log names helpers (`unknown` for ids without a name) and kfuncs by their BTF
        # name, or `kernel-function` when it has none; anything not a helper is a kfunc.
        if name == "unknown" or (name != "kernel-function" and _is_helper(name)):
            return _insn(ctx, CALL, 0, CallKind.HELPER, 0, imm)
        return _insn(ctx, CALL, 0, CallKind.KFUNC, 0, imm)
    if name in labels_hint:
        return _insn(ctx, CALL, 0, CallKind.LOCAL, 0, 0, name)
    try:
        return _insn(ctx, CALL, 0, CallKind.HELPER, 0, helper_id(name))
    except InstructionError:
        pass
    if not re.fullmatch(_IDENT, name):
        raise ctx.error(f"cannot parse the call target {arg!r}")
    return _insn(ctx, CALL, 0, CallKind.LOCAL, 0, 0, name)


_EXIT = _make((EXIT, 0, 0, 0, 0, None, None, None))

# --- the fast path: the commonest statements, split on single spaces -------------------------

_REGS = {f"{k}{n}": (n, k == "r") for k in "rw" for n in range(11)}
_SIMPLE_ALU = {op: code for op, (code, off) in _ALU_OPS.items() if not off}
_LOAD_SIZES = {
    f"*({sign}{bits}": (Mode.MEMSX if sign == "s" else Mode.MEM) | _SIZE_BITS[bits]
    for sign in "us"
    for bits in ("8", "16", "32", "64")
    if not (sign == "s" and bits == "64")
}
_STORE_SIZES = {f"*(u{bits}": size for bits, size in _SIZE_BITS.items()}
_IMM_CHARS = frozenset("0123456789abcdefABCDEFxX+-")


def _fast_int(text: str) -> int | None:
    """A decimal or 0x number (optionally negative), or None for anything else."""
    if text.isdigit() and text.isascii():
        return int(text) if text[0] != "0" or len(text) == 1 else None
    if text[:1] == "-":
        digits = text[1:]
        if digits.isdigit() and digits.isascii():
            return -int(digits) if digits[0] != "0" or len(digits) == 1 else None
    if not text or not _IMM_CHARS.issuperset(text):
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


def _fast_parse(stmt: str) -> Instruction | None:
    """The common statements without regular expressions; None means: use the full parser.

    Only forms whose fields are valid by construction are built here, so no validation is
    skipped; anything unusual (including every error) goes to the full parser.
    """
    fields = _fast_fields(stmt)
    return None if fields is None else _make(fields)


_Fields = tuple[int, int, int, int, int, None, str | None, None]
_EXIT_FIELDS: _Fields = (EXIT, 0, 0, 0, 0, None, None, None)


def _fast_fields(stmt: str) -> _Fields | None:
    """The fields of the common statements, without regular expressions (never ld_imm64);
    None means: use the full parser.

    Only forms whose fields are valid by construction are built here, so no validation is
    skipped; anything unusual (including every error) goes to the full parser.
    """
    t = stmt.split(" ")
    n = len(t)
    off: int | None
    value: int | None
    if n == 3:
        dst = _REGS.get(t[0])
        code = _SIMPLE_ALU.get(t[1])
        if dst is None or code is None:
            return None
        cls = 7 if dst[1] else 4
        src = _REGS.get(t[2])
        if src is not None:
            if src[1] != dst[1]:
                return None
            return (cls | code | 8, dst[0], src[0], 0, 0, None, None, None)
        value = _fast_int(t[2])
        if value is None or not -0x80000000 <= value <= 0x7FFFFFFF:
            return None
        return (cls | code, dst[0], 0, 0, value, None, None, None)
    if n == 6:
        if t[0] == "if" and t[4] == "goto":
            dst = _REGS.get(t[1])
            code = _JUMP_OPS.get(t[2])
            target = t[5]
            if dst is None or code is None or not target:
                return None
            cls = 5 if dst[1] else 6
            if target.isidentifier() and target.isascii():  # a label, the common case
                off, ref = 0, target
            elif target[0] in "+-":
                off = _fast_int(target)
                if off is None or not -0x8000 <= off <= 0x7FFF:
                    return None
                ref = None
            elif (target[0].isalpha() or target[0] in "_.$") and _IDENT_RE.fullmatch(target):
                off, ref = 0, target
            else:
                return None
            src = _REGS.get(t[3])
            if src is not None:
                if src[1] != dst[1]:
                    return None
                return (cls | code | 8, dst[0], src[0], off, 0, None, ref, None)
            imm = t[3]
            if imm.isdigit() and imm.isascii() and (imm[0] != "0" or len(imm) == 1):
                value = int(imm)  # _fast_int's common case, inline
            else:
                value = _fast_int(imm)
            if value is None or not -0x80000000 <= value <= 0x7FFFFFFF:
                return None
            return (cls | code, dst[0], 0, off, value, None, ref, None)
        if t[1] == "=" and t[3].startswith("*)(r") and t[5].endswith(")"):  # load
            dst = _REGS.get(t[0])
            mode_size = _LOAD_SIZES.get(t[2])
            base = _REGS.get(t[3][3:])
            off = _fast_int(t[5][:-1])
            if dst is None or mode_size is None or base is None or off is None or off < 0:
                return None
            off = -off if t[4] == "-" else off if t[4] == "+" else 0x10000
            if not -0x8000 <= off <= 0x7FFF:
                return None
            return (1 | mode_size, dst[0], base[0], off, 0, None, None, None)
        if t[4] == "=" and t[1].startswith("*)(r") and t[3].endswith(")"):  # store
            size = _STORE_SIZES.get(t[0])
            base = _REGS.get(t[1][3:])
            off = _fast_int(t[3][:-1])
            if size is None or base is None or off is None or off < 0:
                return None
            off = -off if t[2] == "-" else off if t[2] == "+" else 0x10000
            if not -0x8000 <= off <= 0x7FFF:
                return None
            src = _REGS.get(t[5])
            if src is not None:
                return (0x63 | size, base[0], src[0], off, 0, None, None, None)
            value = _fast_int(t[5])
            if value is None or not -0x80000000 <= value <= 0x7FFFFFFF:
                return None
            return (0x62 | size, base[0], 0, off, value, None, None, None)
        return None
    if n == 1 and stmt == "exit":
        return _EXIT_FIELDS
    if n == 2 and t[0] == "goto":
        target = t[1]
        if target[:1] in ("+", "-"):
            off = _fast_int(target)
            if off is None or not -0x8000 <= off <= 0x7FFF:
                return None
            return (JA, 0, 0, off, 0, None, None, None)
        if (target.isidentifier() and target.isascii()) or _IDENT_RE.fullmatch(target):
            return (JA, 0, 0, 0, 0, None, target, None)
    return None


_IDENT_RE = re.compile(_IDENT)


def _parse_statement(ctx: _Ctx, stmt: str, labels_hint: set[str]) -> Instruction:
    first = stmt[0]
    if first in "rw":
        m = _RE_ALU.match(stmt)
        if m is not None:
            return _parse_assignment(ctx, m)
    elif first == "i" and stmt.startswith("if"):
        m = _RE_IF.match(stmt)
        if m is None:
            raise ctx.error(
                "cannot parse the conditional jump (expected `if rX OP rY|imm goto TARGET`)"
            )
        return _parse_if(ctx, m)
    elif first == "*":
        m = _RE_STORE.match(stmt)
        if m is None:
            raise ctx.error("cannot parse the store (expected `*(u32 *)(r1 + 4) = w2`)")
        return _parse_store(ctx, m)
    elif stmt == "exit":
        return _make((EXIT, 0, 0, 0, 0, None, None, None))
    elif first == "c" and stmt.startswith("call"):
        m = _RE_CALL.match(stmt)
        if m is None:
            raise ctx.error("call needs a target")
        return _parse_call(ctx, m.group(1), labels_hint)
    elif first in "gm":
        m = _RE_JA.match(stmt)
        if m is not None:
            off, ref = _target(ctx, m.group(2))
            kind = m.group(1)
            if kind == "gotol":
                return _insn(ctx, GOTOL, 0, 0, 0, _imm32(ctx, off), ref)
            return _insn(ctx, JA if kind == "goto" else MAY_GOTO, 0, 0, _off16(ctx, off), 0, ref)
    elif first == "l":
        if stmt.startswith("lock"):
            m = _RE_LOCK.match(stmt)
            if m is None:
                raise ctx.error(
                    "cannot parse the atomic operation (expected `lock *(u64 *)(r1 + 0) += r2`)"
                )
            return _parse_lock(ctx, m)
        if stmt.startswith("ld_pseudo"):
            m = _RE_PSEUDO.match(stmt)
            if m is None:
                raise ctx.error(
                    "cannot parse ld_pseudo (expected `ld_pseudo r1, KIND, IMM[, IMM2]`)"
                )
            dst = _reg(ctx, "r", m.group(1))[0]
            kind = _int(ctx, m.group(2))
            if not 1 <= kind <= 6:
                raise ctx.error(f"ld_pseudo kind must be 1-6, not {kind}")
            low = _imm32(ctx, _int(ctx, m.group(3)))
            high = _imm32(ctx, _int(ctx, m.group(4))) if m.group(4) else 0
            return _insn(ctx, LD_IMM64, dst, kind, 0, _pack64(low, high))
    elif first == "s" and stmt.startswith("store_release"):
        m = _RE_RELEASE.match(stmt)
        if m is None:
            raise ctx.error(
                "cannot parse store_release (expected `store_release((u64 *)(r1 + 0), r2)`)"
            )
        base = _reg(ctx, "r", m.group(2))[0]
        off = _mem_off(ctx, m.group(3), m.group(4))
        src, _ = _reg(ctx, m.group(5), m.group(6))
        return _insn(
            ctx,
            InsnClass.STX | Mode.ATOMIC | _SIZE_BITS[m.group(1)],
            base,
            src,
            off,
            AtomicOp.STORE_RELEASE,
        )
    raise ctx.error("unknown instruction")


def _strip_block_comments(line: str) -> str:
    """Remove ``/* ... */`` in linear time (an unclosed one stays, and fails to parse)."""
    parts = []
    pos = 0
    while True:
        start = line.find("/*", pos)
        end = line.find("*/", start + 2) if start >= 0 else -1
        if end < 0:
            parts.append(line[pos:])
            return " ".join(parts)
        parts.append(line[pos:start])
        pos = end + 2


def _squeeze(line: str) -> str:
    """Runs of blanks become one space, so no pattern backtracks over long blank runs."""
    return " ".join(line.split()) if "  " in line or "\t" in line else line


def _strip_comment(line: str) -> str:
    if "/*" in line:
        line = _strip_block_comments(line)
    cut = line.find("//")
    if cut >= 0:
        line = line[:cut]
    # `#` starts a comment unless it follows a name directly (`bpf_map_lookup_elem#1`,
    # `kfunc#12`).
    pos = line.find("#")
    while pos >= 0:
        if pos == 0 or not (line[pos - 1].isalnum() or line[pos - 1] == "_"):
            return line[:pos]
        pos = line.find("#", pos + 1)
    return line


def _statements(text: str) -> list[tuple[int, str, str | None, int | None]]:
    """(line number, statement or '', label or None, kernel opcode or None) per statement.

    Text that contains kernel verifier log lines (``12: (b7) r0 = 0``) is read as a log: only
    those lines count, each slot once (a log repeats instructions on every path it walks), and
    the state lines around them are ignored.
    """
    lines = text.splitlines()
    if any(_KERNEL_PREFIX.match(line) for line in lines):
        return _log_statements(lines)
    out: list[tuple[int, str, str | None, int | None]] = []
    for number, raw in enumerate(lines, 1):
        line = _squeeze(_strip_comment(raw))
        m = _OBJDUMP_PREFIX.match(line)
        if m is not None:
            line = _OBJDUMP_TARGET.sub("", line[m.end() :])
        elif _OBJDUMP_HEADER.match(line):
            continue
        line = line.strip()
        if not line:
            continue
        while True:
            lm = _LABEL.match(line)
            if lm is None:
                break
            out.append((number, "", lm.group(1), None))
            line = line[lm.end() :].strip()
        line = line.rstrip(";").strip()
        if line:
            out.append((number, line, None, None))
    return out


def _log_statements(lines: list[str]) -> list[tuple[int, str, str | None, int | None]]:
    by_slot: dict[int, tuple[int, str, str | None, int | None]] = {}
    for number, raw in enumerate(lines, 1):
        m = _KERNEL_PREFIX.match(raw)
        if m is None:
            continue
        slot = int(m.group(1))
        line = raw[m.end() :]
        semi = line.find(" ; ")  # the register state printed after the instruction
        if semi >= 0:
            line = line[:semi]
        line = _squeeze(_strip_comment(line).strip())
        if slot not in by_slot and line:
            by_slot[slot] = (number, line, None, int(m.group(2), 16))
    out = []
    expected = 0
    for slot in sorted(by_slot):
        if slot != expected:
            number = by_slot[slot][0]
            raise AssemblerError(
                f"the log does not show instruction {expected} (it jumps to {slot}); "
                "paste a complete log (log level 2) or the program text",
                number,
            )
        entry = by_slot[slot]
        out.append(entry)
        expected = slot + (2 if entry[3] == LD_IMM64 else 1)
    return out


def assemble(text: str) -> Instructions:
    """Assemble text (see the module docstring) into :class:`Instructions`.

    Label references stay symbolic on the instructions (``str()`` of the result prints
    them back); :meth:`Instructions.to_bytes` resolves them.
    """
    if not isinstance(text, str):
        raise AssemblerError(f"expected text (str), not {type(text).__name__}", 0)
    # Instructions are acyclic tuples: pausing the cycle collector while a large text is
    # read saves a fifth of the time (see pyebpf._gcpause).
    with gc_paused():
        return _assemble(text)


def _assemble(text: str) -> Instructions:
    lines = text.splitlines()
    if ": (" in text and any(_KERNEL_PREFIX.match(line) for line in lines):
        statements = _log_statements(lines)
        numbers = [number for number, _, _, _ in statements]
        program = Instructions._from_tuple(tuple(_assemble_log(statements)))
        labels = None
    else:
        split = _split_statements(lines) if ";" in text else None
        if split is None:
            insns, encoded, labels = _assemble_lines(lines, text)
            program = Instructions._from_tuple(tuple(insns), encoded)
            del insns
            numbers = None
        else:
            # One statement per line from here on; errors name the line of the text.
            one_per_line, origin = split
            try:
                insns, encoded, labels = _assemble_lines(one_per_line, text)
                program = Instructions._from_tuple(tuple(insns), encoded)
                del insns
                _check_references(program, None, one_per_line, labels)
            except AssemblerError as exc:
                line = origin[exc.line - 1] if 0 < exc.line <= len(origin) else exc.line
                raise AssemblerError(exc.reason, line, exc.text, exc.column) from None
            return program
    _check_references(program, numbers, lines, labels)
    return program


def _split_statements(lines: list[str]) -> tuple[list[str], list[int]] | None:
    """Lines with ``;`` cut into one statement each, with each one's line number in the text.

    None when no line needs it (``;`` only inside comments), so plain text keeps its fast path.
    """
    out: list[str] = []
    origin: list[int] = []
    changed = False
    for number, raw in enumerate(lines, 1):
        if ";" not in raw:
            out.append(raw)
            origin.append(number)
            continue
        line = _strip_comment(raw)
        if ";" not in line:
            out.append(raw)
            origin.append(number)
            continue
        changed = True
        if line.lstrip().startswith(";"):
            parts = [""]  # an objdump -S / -l source or file line
        else:
            parts = [part for part in line.split(";") if part.strip()] or [""]
        out.extend(parts)
        origin.extend([number] * len(parts))
    return (out, origin) if changed else None


def _assemble_log(statements: list[tuple[int, str, str | None, int | None]]) -> list[Instruction]:
    out = []
    for number, stmt, _, kernel_opcode in statements:
        insn = _parse_statement(_Ctx(number, stmt, kernel_opcode), stmt, set())
        if kernel_opcode is not None and kernel_opcode != insn[0]:
            raise AssemblerError(
                f"the log says opcode {kernel_opcode:02x} but the text assembles to {insn[0]:02x}",
                number,
                stmt,
            )
        out.append(insn)
    return out


_SPECIAL_RE = re.compile(r"[#/:;\t]|  ")

# A line's meaning apart from its position: the labels it defines and its statement (or "").
_Line = tuple[tuple[str, ...], str]


def _read_line(raw: str) -> _Line:
    line = raw.strip()
    if _SPECIAL_RE.search(line) is None:
        return (), line  # a plain statement: no comment, label, listing or log prefix
    if line[-1] == ":" and _IDENT_RE.fullmatch(line, 0, len(line) - 1):
        return (line[:-1],), ""  # a label on its own
    line = _squeeze(_strip_comment(raw))
    m = _OBJDUMP_PREFIX.match(line)
    if m is not None:
        line = _OBJDUMP_TARGET.sub("", line[m.end() :])
    elif _OBJDUMP_HEADER.match(line):
        return (), ""
    line = line.strip()
    labels: tuple[str, ...] = ()
    while line:
        lm = _LABEL.match(line)
        if lm is None:
            break
        labels += (lm.group(1),)
        line = line[lm.end() :].strip()
    return labels, line.rstrip(";").strip()


class _LineReader(dict[str, tuple["Instruction | None", bytes]]):
    """Line text -> (its instruction, its bytes), each distinct line read once on first use.

    A line that is not just a statement (labels, a ``call name`` that waits for the labels,
    a blank or comment line) maps to (None, its bytes) (found at C speed) and ``specials``
    says what it means: (labels, statement, instruction).
    ``markers`` are the characters of labels and comments that occur in the text at all (a
    line without any of them is a plain statement).
    """

    __slots__ = (
        "markers",
        "statements",
        "current",
        "specials",
        "heads",
        "jump_heads",
        "wide_heads",
    )

    def __init__(self, markers: tuple[str, ...]) -> None:
        super().__init__()
        self.markers = markers
        self.statements: dict[str, tuple[Instruction, bytes] | None] = {}
        self.current = ""
        self.specials: dict[str, tuple[tuple[str, ...], str, Instruction | None]] = {}
        # A line less its last token -> how that token completes it: (kind, opcode, dst, src,
        # off, imm, bytes). Programs repeat a few shapes with other labels, immediates and
        # offsets, so the rest is read once. Kinds: _TAIL_LABEL (a jump to a label),
        # _TAIL_IMM (an ALU or store immediate), _TAIL_OFF (a load offset; imm: its sign).
        self.heads: dict[str, tuple[int, int, int, int, int, int, bytes]] = {}
        # `if w1 >` (of `if w1 > 42 goto label`) -> (opcode, dst)
        self.jump_heads: dict[str, tuple[int, int]] = {}
        # `r1 =` (of `r1 = 42 ll`) -> dst
        self.wide_heads: dict[str, int] = {}

    def __missing__(self, raw: str) -> tuple[Instruction | None, bytes]:
        self.current = raw  # names the line if reading it fails
        head, _, tail = raw.rpartition(" ")
        known_head = self.heads.get(head)
        if known_head is not None:
            kind, op, dst, src, off, imm, code = known_head
            if kind == _TAIL_LABEL:
                if tail.isidentifier() and tail.isascii():
                    entry = self[raw] = (
                        _new(Instruction, (op, dst, src, off, imm, None, tail, None)),
                        code,
                    )
                    return entry
            else:
                value = _fast_int(
                    tail if kind == _TAIL_IMM else tail[:-1] if tail[-1:] == ")" else ""
                )
                if value is not None:
                    if kind == _TAIL_OFF:
                        off = value * imm if value >= 0 else 0x10000
                        imm = 0
                    else:
                        imm = value
                    if -0x8000 <= off <= 0x7FFF and -0x80000000 <= imm <= 0x7FFFFFFF:
                        entry = self[raw] = (
                            _new(Instruction, (op, dst, src, off, imm, None, None, None)),
                            _PACK(op, (src << 4) | dst, off, imm),
                        )
                        return entry
        elif tail == "ll" and head.rpartition(" ")[0] in self.wide_heads:
            # `r1 = 42 ll` with another constant: known by its `r1 =`
            start, _, number = head.rpartition(" ")
            # (`ll` takes decimal or hex only, as the full parser reads it: no 0b)
            value = None if number.lstrip("+-")[:2] in ("0b", "0B") else _fast_int(number)
            if value is not None and -(1 << 63) <= value < (1 << 64):
                value &= (1 << 64) - 1
                value -= (value >> 63) << 64  # as _ld_imm64 stores it: signed
                insn = _new(
                    Instruction, (LD_IMM64, self.wide_heads[start], 0, 0, value, None, None, None)
                )
                entry = self[raw] = (insn, insn.encode())
                return entry
        elif head[-5:] == " goto" and tail.isidentifier() and tail.isascii():
            # `if w1 > 42 goto label` with another immediate: known by its `if w1 >`
            start, _, imm_text = head[:-5].rpartition(" ")
            known_start = self.jump_heads.get(start)
            value = None if known_start is None else _fast_int(imm_text)
            if known_start is not None and value is not None and -(1 << 31) <= value < (1 << 31):
                op, dst = known_start
                code = _PACK(op, dst, 0, value)
                self.heads[head] = (_TAIL_LABEL, op, dst, 0, 0, value, code)
                entry = self[raw] = (
                    _new(Instruction, (op, dst, 0, 0, value, None, tail, None)),
                    code,
                )
                return entry
        line = raw.strip()
        labels: tuple[str, ...]
        for marker in self.markers:
            if marker in line:
                name = line[:-1]
                if line[-1] == ":" and name.isidentifier() and name.isascii():
                    labels, stmt = (name,), ""  # a label on its own (as _read_line reads it)
                else:
                    labels, stmt = _read_line(raw)
                break
        else:
            fields = _fast_fields(line)
            if fields is not None:  # never ld_imm64: one slot
                code = _PACK(fields[0], (fields[2] << 4) | fields[1], fields[3], fields[4])
                entry = self[raw] = (_new(Instruction, fields), code)
                self._learn_head(head, tail, fields, code)
                return entry
            labels, stmt = _read_line(raw) if "\t" in line or "  " in line else ((), line)
        known: tuple[Instruction, bytes] | None = None
        if stmt:
            statements = self.statements
            if stmt in statements:
                known = statements[stmt]
            else:
                parsed = _fast_parse(stmt)
                if parsed is None and not _is_call_by_name(stmt):
                    parsed = _parse_statement(_Ctx(0, stmt, None), stmt, set())
                known = statements[stmt] = None if parsed is None else (parsed, _encode(parsed))
        if known is not None and not labels:
            insn = known[0]
            if insn[0] == LD_IMM64 and not insn[2] and tail == "ll" and stmt[-3:] == " ll":
                start, _, number = head.rpartition(" ")  # `r1 = 42 ll`: remember `r1 =`
                if _fast_int(number) is not None and start.strip() == f"r{insn[1]} =":
                    self.wide_heads[start] = insn[1]
            self[raw] = known
            return known
        # A deferred call takes one slot; its bytes are written once the labels are known.
        self.specials[raw] = (labels, stmt, None if known is None else known[0])
        special = self[raw] = (None, known[1] if known is not None else _CALL_SLOT if stmt else b"")
        return special

    def _learn_head(self, head: str, tail: str, fields: _Fields, code: bytes) -> None:
        """Remember how ``head`` reads when its last token (``tail``) varies, if it does."""
        op, dst, src, off, imm, _, ref, _ = fields
        cls = op & 0x07
        if ref is not None:
            if tail == ref and off == 0:  # another label gives the same fields and bytes
                self.heads[head] = (_TAIL_LABEL, op, dst, src, off, imm, code)
                if op & 0xF0 not in (0x00, 0x80, 0x90) and not op & 0x08 and head[-5:] == " goto":
                    start, _, imm_text = head[:-5].rpartition(" ")  # a conditional jump
                    if start.lstrip().startswith("if ") and _fast_int(imm_text) == imm:
                        self.jump_heads[start] = (op, dst)
        elif cls in (0x04, 0x07, 0x02) and not op & 0x08:  # ALU or store of an immediate
            if _fast_int(tail) == imm:
                self.heads[head] = (_TAIL_IMM, op, dst, src, off, 0, code)
        elif cls == 0x01 and tail[-1:] == ")" and head[-1:] in ("+", "-"):  # a load
            if _fast_int(tail[:-1]) == abs(off):
                self.heads[head] = (_TAIL_OFF, op, dst, src, 0, -1 if head[-1] == "-" else 1, code)


_TAIL_LABEL, _TAIL_IMM, _TAIL_OFF = 0, 1, 2
_CALL_SLOT = bytes(8)
_LABELS = itemgetter(0)  # of a special line (or the first of its labels)
_STATEMENT = itemgetter(1)
_INSN = itemgetter(0)  # of a _LineReader entry
_BYTES = itemgetter(1)
_new = tuple.__new__
_MARKERS = (":", "#", "//", "/*", ";")


def _assemble_lines(lines: list[str], text: str) -> tuple[list[Instruction], bytes, dict[str, int]]:
    """Program text to instructions, their little-endian encoding and the label indexes.

    Programs repeat lines a lot, so each distinct line is read once (a dictionary that
    reads on a miss) and every line costs only a lookup at C speed. Lines that are not just
    a statement -- labels above all -- are then placed: all at once when they are lone
    labels (the common case), else one by one. ``call name`` waits for the end, when all
    labels are known (a label makes it a local call, else it names a helper).
    """
    # (one quick scan for "/" spares two slow ones for "//" and "/*" in most texts)
    markers = [marker for marker in _MARKERS if marker[0] in text and marker in text]
    reader = _LineReader(tuple(markers))
    try:
        entries = list(map(reader.__getitem__, lines))
    except AssemblerError as exc:
        number = lines.index(reader.current) + 1
        raise AssemblerError(exc.reason, number, exc.text, exc.column) from None
    # (two passes over the few distinct entries beat a second pass over the many lines)
    found: list[Any] = list(map(_INSN, entries))  # None: a special line
    blob = b"".join(map(_BYTES, entries))
    del entries
    holes = list(compress(range(len(found)), map(not_, found))) if reader.specials else []
    if not holes:
        return found, blob, {}
    specials = list(map(reader.specials.__getitem__, map(lines.__getitem__, holes)))
    del reader
    bulk = _place_lone_labels(found, holes, specials)
    if bulk is not None:
        return bulk[0], blob, bulk[1]
    insns: list[Instruction] = []
    where: dict[str, int] = {}  # label -> instruction index
    append, extend = insns.append, insns.extend
    seen: dict[str, int] = {}
    aliases: dict[str, str] = {}
    deferred: list[tuple[int, int, str]] = []
    pending: str | None = None
    pending_line = 0
    prev = 0
    holes.append(len(found))  # the end, as a hole after the last line
    specials.append(((), "", None))
    for hole, special in zip(holes, specials, strict=True):
        if hole > prev:  # plain statements: the first one takes a pending label
            if pending is not None:
                op, dst, src, off, imm, _, ref, source = found[prev]
                where[pending] = len(insns)
                append(_new(Instruction, (op, dst, src, off, imm, pending, ref, source)))
                pending = None
                prev += 1
            extend(found[prev:hole])
        prev = hole + 1
        if hole == len(found):
            break
        labels, stmt, insn = special
        number = hole + 1
        for label in labels:
            if label in seen:
                raise AssemblerError(
                    f"duplicate label {label!r} (first defined on line {seen[label]})", number
                )
            seen[label] = number
            if pending is not None:
                # Two labels for one instruction: the second is an alias of the first.
                aliases[label] = pending
            else:
                pending, pending_line = label, number
        if not stmt:
            continue
        if insn is None:
            deferred.append((len(insns), number, stmt))
            insn = _EXIT  # placeholder until the labels are known
        if pending is not None:
            where[pending] = len(insns)
            insn = _make(insn[:5] + (pending,) + insn[6:])
            pending = None
        append(insn)
    if pending is not None:
        raise AssemblerError(f"label {pending!r} is not followed by an instruction", pending_line)
    if deferred:
        names = set(seen)
        patched = bytearray(blob)
        slots = _slot_offsets(insns, len(blob))
        for index, number, stmt in deferred:
            call = _parse_statement(_Ctx(number, stmt, None), stmt, names)
            insns[index] = _make(call[:5] + (insns[index][5],) + call[6:])
            at = slots[index] * 8
            patched[at : at + 8] = _encode(call)
        blob = bytes(patched)
    if aliases:
        insns = [
            insn if insn[6] not in aliases else insn.with_reference(aliases[insn[6]])
            for insn in insns
        ]
    return insns, blob, where


def _place_lone_labels(
    found: list[Any],
    holes: list[int],
    specials: list[tuple[tuple[str, ...], str, Instruction | None]],
) -> tuple[list[Instruction], dict[str, int]] | None:
    """The common case of :func:`_assemble_lines` at C speed: every line that is not just a
    statement is one label on its own (or blank), each label distinct and followed by its own
    instruction. None for anything else (aliases, duplicates, a trailing label, ``call
    name``), which the caller handles line by line, with its error messages.
    """
    if any(map(_STATEMENT, specials)):  # a statement on a label line, or a deferred call
        return None
    label_sets = list(map(_LABELS, specials))
    sizes = list(map(len, label_sets))
    # A special line's instruction is the next plain one: its index is the line's index
    # less the special lines before it.
    targets = list(map(sub, holes, count()))
    if max(sizes) > 1:
        return None
    if 0 in sizes:  # blank and comment lines
        label_sets = list(compress(label_sets, sizes))
        targets = list(compress(targets, sizes))
    names = list(map(_LABELS, label_sets))
    insns: list[Instruction] = list(filter(None, found))
    if names and (
        len(set(names)) != len(names)
        or len(set(targets)) != len(targets)
        or targets[-1] >= len(insns)
    ):
        return None
    for name, at in zip(names, targets, strict=True):
        op, dst, src, off, imm, _, ref, source = insns[at]
        insns[at] = _new(Instruction, (op, dst, src, off, imm, name, ref, source))
    return insns, dict(zip(names, targets, strict=True))


def _slot_offsets(insns: list[Instruction], size: int) -> Sequence[int]:
    """The slot of each instruction (``size``: the encoded length, to spot ld_imm64 cheaply)."""
    if size == 8 * len(insns):
        return range(len(insns))
    return [0, *accumulate(2 if insn[0] == LD_IMM64 else 1 for insn in insns)]


def _statement_lines(lines: list[str]) -> list[int]:
    """The line number of each instruction (only needed to report an error)."""
    return [number for number, raw in enumerate(lines, 1) if _read_line(raw)[1]]


_PACK = struct.Struct("<BBhi").pack


def _encode(insn: Instruction) -> bytes:
    """Little-endian bytes of one instruction (ld_imm64 through the general encoder)."""
    if insn[0] == LD_IMM64:
        return insn.encode()
    return _PACK(insn[0], (insn[2] << 4) | insn[1], insn[3], insn[4])


def _is_call_by_name(stmt: str) -> bool:
    """``call name``: a helper or a local function, known only once all labels are read."""
    if not stmt.startswith("call "):
        return False
    arg = stmt[5:].strip()
    return bool(arg) and (arg[0].isalpha() or arg[0] == "_") and "#" not in arg


def _check_references(
    program: Instructions,
    numbers: list[int] | None,
    lines: list[str],
    labels: dict[str, int] | None = None,
) -> None:
    """Undefined labels and out-of-range offsets are errors at assembly time, with a line."""
    try:
        program._resolve(labels)
    except LinkError as exc:
        if numbers is None:
            numbers = _statement_lines(lines)
        line = numbers[exc.index] if exc.index is not None else 0
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        reason = exc.reason
        if reason.startswith("undefined label"):
            reason = reason.split(" in `")[0]
        raise AssemblerError(reason, line, text) from None


def statements_text(statements: list[tuple[int, str, str | None, int | None]], line: int) -> str:
    for number, stmt, label, _ in statements:
        if number == line and label is None:
            return stmt
    return ""
