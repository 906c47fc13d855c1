"""The text assembler: the pseudo-C syntax of ``llvm-mc -triple bpf`` and ``llvm-objdump``.

``assemble(text)`` reads one statement per line (``;`` also separates statements is NOT
supported, since the kernel log uses it for state). It accepts:

* everything :func:`pyebpf.asm.disassemble` prints, and the text ``llvm-objdump-22 -d`` prints
  (in hex or decimal), including whole listing lines (``  12:\\tb7 00 ... \\tr0 = 0``);
* lines of the kernel verifier log (``12: (b7) r0 = 0``, ``if r1 > 0x5 goto pc+3``,
  ``call bpf_map_lookup_elem#1``, ``(r10 -8)``), so a log can be pasted back; the register
  state the log prints after `` ; `` is ignored;
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
from ...errors import AssemblerError, InstructionError
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
from ..program import Instructions, Label
from ..validation import field_error

_NUM = r"[-+]?\s*(?:0[xX][0-9a-fA-F]+|\d+)"
_REG = r"([rw])(\d+)"
_IDENT = r"[A-Za-z_.$][\w.$]*"
_SIZE = r"\*\s*\(\s*([us])(8|16|32|64)\s*\*\s*\)"
_MEM = r"\(\s*r(\d+)\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\)"
_TARGET = rf"(?:pc\s*)?([-+]\s*(?:0[xX][0-9a-fA-F]+|\d+)|{_IDENT}|\d+)"

_SIZE_BITS = {"8": 0x10, "16": 0x08, "32": 0x00, "64": 0x18}
_ALU_OPS = {
    "+=": (0x00, 0), "-=": (0x10, 0), "*=": (0x20, 0), "/=": (0x30, 0), "|=": (0x40, 0),
    "&=": (0x50, 0), "<<=": (0x60, 0), ">>=": (0x70, 0), "%=": (0x90, 0), "^=": (0xA0, 0),
    "s>>=": (0xC0, 0), "s/=": (0x30, 1), "s%=": (0x90, 1), "=": (0xB0, 0),
}
_JUMP_OPS = {
    "==": 0x10, ">": 0x20, ">=": 0x30, "&": 0x40, "!=": 0x50, "s>": 0x60, "s>=": 0x70,
    "<": 0xA0, "<=": 0xB0, "s<": 0xC0, "s<=": 0xD0,
}
_ATOMIC_RMW = {"+=": 0x00, "|=": 0x40, "&=": 0x50, "^=": 0xA0}
_ATOMIC_FETCH = {"add": 0x01, "or": 0x41, "and": 0x51, "xor": 0xA1}

# Prefixes that tools print before the instruction text.
_KERNEL_PREFIX = re.compile(r"^\s*(\d+)\s*:\s*\(([0-9a-fA-F]{2})\)\s*")
_OBJDUMP_PREFIX = re.compile(r"^\s*\d+\s*:\s*((?:[0-9a-fA-F]{2} ){7}[0-9a-fA-F]{2}(?: (?:[0-9a-fA-F]{2} ){7}[0-9a-fA-F]{2})?)\s+")
_LABEL = re.compile(rf"^\s*({_IDENT})\s*:(?!=)\s*")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/")

_RE_ALU = re.compile(rf"^{_REG}\s*(s>>=|s/=|s%=|<<=|>>=|\+=|-=|\*=|/=|\|=|&=|%=|\^=|=)\s*(.+)$")
_RE_IF = re.compile(rf"^if\s+{_REG}\s*(s<=|s>=|s<|s>|==|!=|<=|>=|<|>|&)\s*(?:{_REG}|({_NUM}))\s+goto\s+{_TARGET}$")
_RE_STORE = re.compile(rf"^{_SIZE}\s*{_MEM}\s*=\s*(?:{_REG}|({_NUM}))$")
_RE_LOCK = re.compile(rf"^lock\s+{_SIZE}\s*{_MEM}\s*(\+=|\|=|&=|\^=)\s*{_REG}$")
_RE_LOAD = re.compile(rf"^{_SIZE}\s*{_MEM}$")
_RE_SKB = re.compile(rf"^{_SIZE}\s*skb\s*\[\s*(?:r(\d+)\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?|({_NUM}))\s*\]$")
_RE_FETCH = re.compile(rf"^atomic(?:64)?_fetch_(add|or|and|xor)\s*\(\s*\(\s*u(32|64)\s*\*\s*\)\s*{_MEM}\s*,\s*{_REG}\s*\)$")
_RE_XCHG = re.compile(rf"^(?:xchg_64|xchg32_32|atomic64_xchg|atomic_xchg)\s*\(\s*(?:\(\s*u(32|64)\s*\*\s*\)\s*)?(?:\(\s*)?r(\d+)\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\)?\s*,\s*{_REG}\s*\)$")
_RE_CMPXCHG = re.compile(rf"^(?:cmpxchg_64|cmpxchg32_32|atomic64_cmpxchg|atomic_cmpxchg)\s*\(\s*(?:\(\s*u(32|64)\s*\*\s*\)\s*)?(?:\(\s*)?r(\d+)\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\)?\s*,\s*{_REG}\s*,\s*{_REG}\s*\)$")
_RE_ACQUIRE = re.compile(rf"^load_acquire\s*\(\s*\(\s*u(8|16|32|64)\s*\*\s*\)\s*{_MEM}\s*\)$")
_RE_RELEASE = re.compile(rf"^store_release\s*\(\s*\(\s*u(8|16|32|64)\s*\*\s*\)\s*{_MEM}\s*,\s*{_REG}\s*\)$")
_RE_MOVSX = re.compile(rf"^\(\s*s(8|16|32)\s*\)\s*{_REG}$")
_RE_END = re.compile(rf"^(be|le|bswap)(16|32|64)\s+{_REG}$")
_RE_NEG = re.compile(rf"^-\s*{_REG}$")
_RE_ASC = re.compile(rf"^addr_space_cast\s*\(\s*{_REG}\s*,\s*({_NUM})\s*,\s*({_NUM})\s*\)$")
_RE_LL = re.compile(rf"^({_NUM})\s*ll$")
_RE_SYM = re.compile(rf"^(map|map_value|func|ksym)\s*\[\s*(?:(fd|idx)\s*:\s*)?({_IDENT}|\d+)\s*\]\s*(?:([-+])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*(?:ll)?$")
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
        raise ctx.error(f"immediate {value} does not fit in 32 bits (use `ll` for a 64-bit constant)")
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


def _insn(ctx: _Ctx, opcode: int, dst: int, src: int, off: int, imm: int, ref: str | None = None) -> Instruction:
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
        return _insn(ctx, InsnClass.STX | Mode.ATOMIC | _SIZE_BITS[ma.group(1)], dst, base, off, AtomicOp.LOAD_ACQUIRE)
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
            imm = _mem_off(ctx, m.group(4), m.group(5)) if m.group(5) else 0
            return _insn(ctx, InsnClass.LD | Mode.IND | size, 0, src, 0, imm)
        return _insn(ctx, InsnClass.LD | Mode.ABS | size, 0, 0, 0, _imm32(ctx, _int(ctx, m.group(6))))
    raise ctx.error(f"cannot parse the load {rhs!r}")


def _fetch(ctx: _Ctx, dst: int, wide: bool, rhs: str) -> Instruction:
    m = _RE_FETCH.match(rhs)
    if m is None:
        raise ctx.error(f"cannot parse {rhs!r}")
    base = _reg(ctx, "r", m.group(3))[0]
    off = _mem_off(ctx, m.group(4), m.group(5))
    src, _ = _reg(ctx, m.group(6), m.group(7))
    if src != dst:
        raise ctx.error("atomic_fetch_* returns the old value in its source register (`r2 = atomic_fetch_add(..., r2)`)")
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
            raise ctx.error("xchg returns the old value in its source register (`r2 = xchg_64(r1 + 0, r2)`)")
        size = 0x18 if (m.group(1) == "64" or (m.group(1) is None and "64" in rhs.split("(")[0])) else 0x00
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
    size = 0x18 if (m.group(1) == "64" or (m.group(1) is None and "64" in rhs.split("(")[0])) else 0x00
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
        src = (PseudoSrc.MAP_IDX if by_idx else PseudoSrc.MAP_FD) if kind == "map" else (
            PseudoSrc.MAP_IDX_VALUE if by_idx else PseudoSrc.MAP_VALUE
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
    return _insn(ctx, InsnClass.ST | Mode.MEM | size, base, 0, off, _imm32(ctx, _int(ctx, m.group(8))))


def _parse_lock(ctx: _Ctx, m: re.Match[str]) -> Instruction:
    bits = m.group(2)
    if bits not in ("32", "64"):
        raise ctx.error("atomic operations are 32- or 64-bit")
    base = _reg(ctx, "r", m.group(3))[0]
    off = _mem_off(ctx, m.group(4), m.group(5))
    src, _ = _reg(ctx, m.group(7), m.group(8))
    return _insn(ctx, InsnClass.STX | Mode.ATOMIC | _SIZE_BITS[bits], base, src, off, _ATOMIC_RMW[m.group(6)])


def _parse_call(ctx: _Ctx, arg: str, labels_hint: set[str]) -> Instruction:
    arg = arg.strip()
    if arg.startswith("pc") or arg[0] in "+-":
        off, _ = _target(ctx, arg)
        return _insn(ctx, CALL, 0, CallKind.LOCAL, 0, _imm32(ctx, off))
    if arg.startswith("kfunc#"):
        body = arg[len("kfunc#"):]
        target, _, module = body.partition("@")
        mod = _off16(ctx, _int(ctx, module)) if module else 0
        if target.lstrip("-").isdigit():
            return _insn(ctx, CALL, 0, CallKind.KFUNC, mod, _imm32(ctx, _int(ctx, target)))
        return _insn(ctx, CALL, 0, CallKind.KFUNC, mod, 0, target)
    if arg[0].isdigit() or arg[0] == "-":
        return _insn(ctx, CALL, 0, CallKind.HELPER, 0, _imm32(ctx, _int(ctx, arg)))
    # A name: `bpf_map_lookup_elem#1` (kernel log), a helper name, or a local function label.
    name, hash_, number = arg.partition("#")
    if hash_:
        if not number.strip().isdigit():
            raise ctx.error(f"cannot parse the call target {arg!r}")
        return _insn(ctx, CALL, 0, CallKind.HELPER, 0, _imm32(ctx, int(number)))
    if name in labels_hint:
        return _insn(ctx, CALL, 0, CallKind.LOCAL, 0, 0, name)
    try:
        return _insn(ctx, CALL, 0, CallKind.HELPER, 0, helper_id(name))
    except InstructionError:
        pass
    if not re.fullmatch(_IDENT, name):
        raise ctx.error(f"cannot parse the call target {arg!r}")
    return _insn(ctx, CALL, 0, CallKind.LOCAL, 0, 0, name)


def _parse_statement(ctx: _Ctx, stmt: str, labels_hint: set[str]) -> Instruction:
    first = stmt[0]
    if first in "rw":
        m = _RE_ALU.match(stmt)
        if m is not None:
            return _parse_assignment(ctx, m)
    elif first == "i" and stmt.startswith("if"):
        m = _RE_IF.match(stmt)
        if m is None:
            raise ctx.error("cannot parse the conditional jump (expected `if rX OP rY|imm goto TARGET`)")
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
                raise ctx.error("cannot parse the atomic operation (expected `lock *(u64 *)(r1 + 0) += r2`)")
            return _parse_lock(ctx, m)
        if stmt.startswith("ld_pseudo"):
            m = _RE_PSEUDO.match(stmt)
            if m is None:
                raise ctx.error("cannot parse ld_pseudo (expected `ld_pseudo r1, KIND, IMM[, IMM2]`)")
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
            raise ctx.error("cannot parse store_release (expected `store_release((u64 *)(r1 + 0), r2)`)")
        base = _reg(ctx, "r", m.group(2))[0]
        off = _mem_off(ctx, m.group(3), m.group(4))
        src, _ = _reg(ctx, m.group(5), m.group(6))
        return _insn(ctx, InsnClass.STX | Mode.ATOMIC | _SIZE_BITS[m.group(1)], base, src, off, AtomicOp.STORE_RELEASE)
    raise ctx.error("unknown instruction")


def _strip_comment(line: str) -> str:
    if "/*" in line:
        line = _BLOCK_COMMENT.sub(" ", line)
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
    out = []
    for number, raw in enumerate(lines, 1):
        line = _strip_comment(raw)
        m = _OBJDUMP_PREFIX.match(line)
        if m is not None:
            line = line[m.end():]
        line = line.strip()
        if not line:
            continue
        while True:
            lm = _LABEL.match(line)
            if lm is None:
                break
            out.append((number, "", lm.group(1), None))
            line = line[lm.end():].strip()
        if line:
            out.append((number, line.rstrip(";").strip(), None, None))
    return out


def _log_statements(lines: list[str]) -> list[tuple[int, str, str | None, int | None]]:
    by_slot: dict[int, tuple[int, str, str | None, int | None]] = {}
    for number, raw in enumerate(lines, 1):
        m = _KERNEL_PREFIX.match(raw)
        if m is None:
            continue
        slot = int(m.group(1))
        line = raw[m.end():]
        semi = line.find(" ; ")  # the register state printed after the instruction
        if semi >= 0:
            line = line[:semi]
        line = _strip_comment(line).strip()
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
    statements = _statements(text)
    labels_hint = {label for _, _, label, _ in statements if label is not None}
    items: list[Instruction | Label] = []
    aliases: dict[str, str] = {}
    pending: str | None = None
    pending_line = 0
    seen: dict[str, int] = {}
    cache: dict[str, Instruction] = {}
    for number, stmt, label, kernel_opcode in statements:
        if label is not None:
            if label in seen:
                raise AssemblerError(f"duplicate label {label!r} (first defined on line {seen[label]})", number)
            seen[label] = number
            if pending is not None:
                aliases[label] = pending  # two labels for one instruction: the second is an alias
            else:
                pending, pending_line = label, number
            continue
        insn = cache.get(stmt) if kernel_opcode is None else None
        if insn is None:
            ctx = _Ctx(number, stmt, kernel_opcode)
            insn = _parse_statement(ctx, stmt, labels_hint)
            if kernel_opcode is not None and kernel_opcode != insn[0]:
                raise AssemblerError(
                    f"the log says opcode {kernel_opcode:02x} but the text assembles to {insn[0]:02x}",
                    number, stmt,
                )
            if kernel_opcode is None:
                cache[stmt] = insn
        if pending is not None:
            items.append(Label(pending))
            pending = None
        items.append(insn)
    if pending is not None:
        raise AssemblerError(f"label {pending!r} is not followed by an instruction", pending_line)
    if aliases:
        items = [
            i if isinstance(i, Label) or i[6] not in aliases else i.with_reference(aliases[i[6]])
            for i in items
        ]
    program = Instructions(items)
    _check_references(program, statements)
    return program


def _check_references(program: Instructions, statements: list[tuple[int, str, str | None, int | None]]) -> None:
    """Undefined labels and out-of-range offsets are errors at assembly time, with a line."""
    labels = set(program.labels)
    lines = [number for number, stmt, label, _ in statements if label is None]
    for i, insn in enumerate(program):
        ref = insn[6]
        if ref is not None and insn.is_pc_relative and ref not in labels:
            raise AssemblerError(f"undefined label {ref!r}", lines[i], statements_text(statements, lines[i]))
    try:
        program.link()
    except Exception as exc:  # LinkError: report with the line of the instruction
        index = getattr(exc, "index", None)
        line = lines[index] if index is not None else 0
        raise AssemblerError(getattr(exc, "reason", str(exc)), line) from None


def statements_text(statements: list[tuple[int, str, str | None, int | None]], line: int) -> str:
    for number, stmt, label, _ in statements:
        if number == line and label is None:
            return stmt
    return ""

