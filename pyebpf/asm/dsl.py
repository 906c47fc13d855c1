"""The instruction DSL: one readable constructor per operation.

Operands choose the encoding the way the text syntax does:

* a :class:`Register` ``R1`` is 64-bit, ``W1`` its 32-bit view: ``add(W1, W2)`` is ``w1 += w2``
  (class ALU), ``add(R1, R2)`` is ``r1 += r2`` (ALU64); conditional jumps likewise pick JMP32
  or JMP;
* an ``int`` is an immediate; a ``str`` target is a label, resolved when the program is linked;
* sizes are :data:`U8`/:data:`U16`/:data:`U32`/:data:`U64` (or ``Size.B`` ...).

Every constructor validates its operands and raises :class:`~pyebpf.errors.InstructionError`
naming the operation and the operand. Example::

    Instructions([
        mov(R0, 0),
        ldx(U32, R2, R1, 0),            # r2 = *(u32 *)(r1 + 0)
        jeq(R2, 0, "out"),
        mov(R0, 1),
        Label("out"),
        exit_(),
    ])
"""

from __future__ import annotations

from ..errors import InstructionError
from .helper_ids import HelperId
from .instruction import Instruction, _make, to_s32
from .opcodes import (
    CALL,
    EXIT,
    GOTOL,
    JA,
    LD_IMM64,
    MAY_GOTO,
    ALUOp,
    AtomicOp,
    CallKind,
    InsnClass,
    Mode,
    PseudoSrc,
    Size,
    Source,
)
from .registers import Register

Target = str | int
Operand = Register | int


def _fail(op: str, message: str) -> InstructionError:
    return InstructionError(f"{op}: {message}")


def _reg(op: str, value: object, what: str = "register") -> Register:
    if isinstance(value, Register):
        return value
    raise _fail(op, f"{what} must be a register (R0-R10 or W0-W10), not {value!r}")


def _imm32(op: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(op, f"immediate must be an integer, not {value!r}")
    if not -(1 << 31) <= value < (1 << 32):
        raise _fail(op, f"immediate {value} does not fit in 32 bits")
    return to_s32(value)


def _off16(op: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(op, f"offset must be an integer, not {value!r}")
    if not -0x8000 <= value <= 0x7FFF:
        raise _fail(op, f"offset {value} does not fit in a signed 16-bit field")
    return value


def _size(op: str, size: object) -> Size:
    if isinstance(size, Size):
        return size
    if isinstance(size, int) and size in (1, 2, 4, 8):
        return Size.from_nbytes(size)
    raise _fail(op, f"size must be U8, U16, U32 or U64 (or 1, 2, 4, 8), not {size!r}")


def _writable(op: str, dst: Register) -> None:
    if dst.number == 10:
        raise _fail(op, "r10 is the read-only frame pointer")


# --- arithmetic --------------------------------------------------------------------------


_new = tuple.__new__
_SHIFTS = (0x60, 0x70, 0xC0)

# Programs repeat the same few instructions (``r1 = r10``, ``r1 += -8``, spills and
# reloads); instructions are immutable, so these share one object each. That saves the
# allocation and, above all, the garbage collector's repeated walks over the caller's many
# live instructions (tuple subclasses stay tracked by the collector). Bounded: past the limit
# new instructions are simply not shared.
_SHARED: dict[tuple[int, int, int, int, int, None, None, None], Instruction] = {}
_SHARED_LIMIT = 4096


def _shared(fields: tuple[int, int, int, int, int, None, None, None]) -> Instruction:
    insn = _SHARED.get(fields)
    if insn is None:
        insn = _new(Instruction, fields)
        if len(_SHARED) < _SHARED_LIMIT:
            _SHARED[fields] = insn
    return insn


def _alu(name: str, code: int, dst: Register, src: Operand, off: int = 0) -> Instruction:
    # Fast path for the common operands (a register and a plain int or register); anything
    # else takes the checked path below, which gives the error messages.
    if type(dst) is Register and dst.number != 10:
        wide = dst.wide
        if type(src) is int:
            if (
                -0x80000000 <= src <= 0x7FFFFFFF
                and (code not in _SHIFTS or 0 <= src < (64 if wide else 32))
                and (src or code not in (0x30, 0x90))
            ):
                opcode = (7 if wide else 4) | code
                return _shared((opcode, dst.number, 0, off, src, None, None, None))
        elif type(src) is Register and src.wide == wide:
            opcode = (7 if wide else 4) | code | 8
            return _shared((opcode, dst.number, src.number, off, 0, None, None, None))
    dst = _reg(name, dst, "destination")
    _writable(name, dst)
    cls = InsnClass.ALU64 if dst.wide else InsnClass.ALU
    if isinstance(src, Register):
        if src.wide != dst.wide:
            raise _fail(name, f"operands {dst} and {src} have different widths")
        return _make((cls | code | Source.X, dst.number, src.number, off, 0, None, None, None))
    if isinstance(src, int) and not isinstance(src, bool):
        if code in (ALUOp.LSH, ALUOp.RSH, ALUOp.ARSH) and not 0 <= src < (64 if dst.wide else 32):
            raise _fail(
                name, f"shift by {src} is out of range for a {64 if dst.wide else 32}-bit register"
            )
        if code in (ALUOp.DIV, ALUOp.MOD) and src == 0:
            raise _fail(name, "division by an immediate zero")
        return _make(
            (cls | code | Source.K, dst.number, 0, off, _imm32(name, src), None, None, None)
        )
    raise _fail(name, f"source must be a register or an integer, not {src!r}")


def mov(dst: Register, src: Operand) -> Instruction:
    """``dst = src``."""
    return _alu("mov", 0xB0, dst, src)


def add(dst: Register, src: Operand) -> Instruction:
    """``dst += src``."""
    return _alu("add", 0x00, dst, src)


def sub(dst: Register, src: Operand) -> Instruction:
    """``dst -= src``."""
    return _alu("sub", 0x10, dst, src)


def mul(dst: Register, src: Operand) -> Instruction:
    """``dst *= src``."""
    return _alu("mul", 0x20, dst, src)


def div(dst: Register, src: Operand) -> Instruction:
    """``dst /= src`` (unsigned)."""
    return _alu("div", 0x30, dst, src)


def sdiv(dst: Register, src: Operand) -> Instruction:
    """``dst s/= src`` (signed, cpu v4)."""
    return _alu("sdiv", 0x30, dst, src, 1)


def mod(dst: Register, src: Operand) -> Instruction:
    """``dst %= src`` (unsigned)."""
    return _alu("mod", 0x90, dst, src)


def smod(dst: Register, src: Operand) -> Instruction:
    """``dst s%= src`` (signed, cpu v4)."""
    return _alu("smod", 0x90, dst, src, 1)


def or_(dst: Register, src: Operand) -> Instruction:
    """``dst |= src``."""
    return _alu("or", 0x40, dst, src)


def and_(dst: Register, src: Operand) -> Instruction:
    """``dst &= src``."""
    return _alu("and", 0x50, dst, src)


def xor(dst: Register, src: Operand) -> Instruction:
    """``dst ^= src``."""
    return _alu("xor", 0xA0, dst, src)


def lsh(dst: Register, src: Operand) -> Instruction:
    """``dst <<= src``."""
    return _alu("lsh", 0x60, dst, src)


def rsh(dst: Register, src: Operand) -> Instruction:
    """``dst >>= src`` (logical)."""
    return _alu("rsh", 0x70, dst, src)


def arsh(dst: Register, src: Operand) -> Instruction:
    """``dst s>>= src`` (arithmetic)."""
    return _alu("arsh", 0xC0, dst, src)


def neg(dst: Register) -> Instruction:
    """``dst = -dst``."""
    dst = _reg("neg", dst)
    _writable("neg", dst)
    cls = InsnClass.ALU64 if dst.wide else InsnClass.ALU
    return _make((cls | ALUOp.NEG, dst.number, 0, 0, 0, None, None, None))


def movsx(dst: Register, src: Register, bits: int) -> Instruction:
    """``dst = (s<bits>)src``: sign-extending move (cpu v4); bits 8, 16 (or 32 on R)."""
    dst, src = _reg("movsx", dst), _reg("movsx", src, "source")
    _writable("movsx", dst)
    if src.wide != dst.wide:
        raise _fail("movsx", f"operands {dst} and {src} have different widths")
    allowed = (8, 16, 32) if dst.wide else (8, 16)
    if bits not in allowed:
        raise _fail("movsx", f"width must be one of {allowed}, not {bits!r}")
    cls = InsnClass.ALU64 if dst.wide else InsnClass.ALU
    return _make((cls | ALUOp.MOV | Source.X, dst.number, src.number, bits, 0, None, None, None))


def _end(name: str, opcode: int, dst: Register, bits: int) -> Instruction:
    dst = _reg(name, dst)
    _writable(name, dst)
    if bits not in (16, 32, 64):
        raise _fail(name, f"width must be 16, 32 or 64, not {bits!r}")
    return _make((opcode, dst.number, 0, 0, bits, None, None, None))


def to_be(dst: Register, bits: int) -> Instruction:
    """``dst = be<bits> dst``: convert to big-endian."""
    return _end("be", InsnClass.ALU | ALUOp.END | Source.X, dst, bits)


def to_le(dst: Register, bits: int) -> Instruction:
    """``dst = le<bits> dst``: convert to little-endian."""
    return _end("le", InsnClass.ALU | ALUOp.END | Source.K, dst, bits)


def bswap(dst: Register, bits: int) -> Instruction:
    """``dst = bswap<bits> dst``: unconditional byte swap (cpu v4)."""
    return _end("bswap", InsnClass.ALU64 | ALUOp.END | Source.K, dst, bits)


def addr_space_cast(dst: Register, src: Register, dst_as: int, src_as: int) -> Instruction:
    """``dst = addr_space_cast(src, dst_as, src_as)`` (arena pointers; spaces 0 and 1)."""
    dst, src = _reg("addr_space_cast", dst), _reg("addr_space_cast", src, "source")
    if (dst_as, src_as) not in ((0, 1), (1, 0)):
        raise _fail("addr_space_cast", "converts between address spaces 0 and 1 only")
    imm = (dst_as << 16) | src_as
    return _make(
        (InsnClass.ALU64 | ALUOp.MOV | Source.X, dst.number, src.number, 1, imm, None, None, None)
    )


# --- jumps and calls ---------------------------------------------------------------------


def _target(op: str, target: Target) -> tuple[int, str | None]:
    if isinstance(target, str):
        if not target:
            raise _fail(op, "label name is empty")
        return 0, target
    if isinstance(target, int) and not isinstance(target, bool):
        return target, None
    raise _fail(op, f"target must be a label name or a relative offset, not {target!r}")


def _jump(name: str, code: int, dst: Register, src: Operand, target: Target) -> Instruction:
    if type(dst) is Register and type(target) is str and target:  # fast path, see _alu
        if type(src) is int and -0x80000000 <= src <= 0x7FFFFFFF:
            opcode = (5 if dst.wide else 6) | code
            return _new(Instruction, (opcode, dst.number, 0, 0, src, None, target, None))
        if type(src) is Register and src.wide == dst.wide:
            opcode = (5 if dst.wide else 6) | code | 8
            return _new(Instruction, (opcode, dst.number, src.number, 0, 0, None, target, None))
    dst = _reg(name, dst)
    cls = InsnClass.JMP if dst.wide else InsnClass.JMP32
    off, ref = _target(name, target)
    off = _off16(name, off)
    if isinstance(src, Register):
        if src.wide != dst.wide:
            raise _fail(name, f"operands {dst} and {src} have different widths")
        return _make((cls | code | Source.X, dst.number, src.number, off, 0, None, ref, None))
    if isinstance(src, int) and not isinstance(src, bool):
        return _make(
            (cls | code | Source.K, dst.number, 0, off, _imm32(name, src), None, ref, None)
        )
    raise _fail(name, f"comparand must be a register or an integer, not {src!r}")


def jeq(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst == src goto target``."""
    return _jump("jeq", 0x10, dst, src, target)


def jne(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst != src goto target``."""
    return _jump("jne", 0x50, dst, src, target)


def jgt(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst > src goto target`` (unsigned)."""
    return _jump("jgt", 0x20, dst, src, target)


def jge(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst >= src goto target`` (unsigned)."""
    return _jump("jge", 0x30, dst, src, target)


def jlt(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst < src goto target`` (unsigned)."""
    return _jump("jlt", 0xA0, dst, src, target)


def jle(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst <= src goto target`` (unsigned)."""
    return _jump("jle", 0xB0, dst, src, target)


def jsgt(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst s> src goto target``."""
    return _jump("jsgt", 0x60, dst, src, target)


def jsge(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst s>= src goto target``."""
    return _jump("jsge", 0x70, dst, src, target)


def jslt(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst s< src goto target``."""
    return _jump("jslt", 0xC0, dst, src, target)


def jsle(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst s<= src goto target``."""
    return _jump("jsle", 0xD0, dst, src, target)


def jset(dst: Register, src: Operand, target: Target) -> Instruction:
    """``if dst & src goto target``."""
    return _jump("jset", 0x40, dst, src, target)


def ja(target: Target) -> Instruction:
    """``goto target`` (16-bit offset)."""
    if type(target) is str and target:
        return _new(Instruction, (JA, 0, 0, 0, 0, None, target, None))
    off, ref = _target("ja", target)
    return _make((JA, 0, 0, _off16("ja", off), 0, None, ref, None))


goto = ja


def gotol(target: Target) -> Instruction:
    """``gotol target``: unconditional jump with a 32-bit offset (cpu v4)."""
    off, ref = _target("gotol", target)
    return _make((GOTOL, 0, 0, 0, _imm32("gotol", off), None, ref, None))


def may_goto(target: Target) -> Instruction:
    """``may_goto target``: a jump the kernel takes once its loop budget runs out."""
    off, ref = _target("may_goto", target)
    return _make((MAY_GOTO, 0, 0, _off16("may_goto", off), 0, None, ref, None))


def helper_id(helper: int | str | HelperId) -> int:
    """The helper id for a name (``"map_lookup_elem"`` or ``"bpf_map_lookup_elem"``) or id."""
    if isinstance(helper, bool):
        raise _fail("call", f"not a helper: {helper!r}")
    if isinstance(helper, int):
        if not 0 <= helper < (1 << 31):
            raise _fail("call", f"helper id {helper} is out of range")
        return int(helper)
    if isinstance(helper, str):
        key = helper.removeprefix("bpf_").upper()
        try:
            return int(HelperId[key])
        except KeyError:
            raise _fail("call", f"unknown helper {helper!r}") from None
    raise _fail("call", f"helper must be a name or an id, not {helper!r}")


def call(helper: int | str | HelperId) -> Instruction:
    """``call helper``: a helper by id or name (``call("map_lookup_elem")``)."""
    if type(helper) is str:  # instructions are immutable: one per helper name will do
        known = _CALLS.get(helper)
        if known is None:
            known = _CALLS[helper] = _make(
                (CALL, 0, CallKind.HELPER, 0, helper_id(helper), None, None, None)
            )
        return known
    return _make((CALL, 0, CallKind.HELPER, 0, helper_id(helper), None, None, None))


_CALLS: dict[str, Instruction] = {}  # only names that helper_id() accepts: a bounded set


def call_local(target: Target) -> Instruction:
    """A bpf-to-bpf call of the function at label ``target`` (or a relative offset)."""
    off, ref = _target("call_local", target)
    return _make((CALL, 0, CallKind.LOCAL, 0, _imm32("call_local", off), None, ref, None))


def call_kfunc(kfunc: int | str, module: int = 0) -> Instruction:
    """A kfunc call by BTF id, or by name (resolved against kernel BTF at load time).

    ``module`` is the index of the module's BTF fd in ``fd_array`` (0: vmlinux).
    """
    if isinstance(kfunc, str):
        if not kfunc:
            raise _fail("call_kfunc", "kfunc name is empty")
        return _make((CALL, 0, CallKind.KFUNC, _off16("call_kfunc", module), 0, None, kfunc, None))
    return _make(
        (
            CALL,
            0,
            CallKind.KFUNC,
            _off16("call_kfunc", module),
            _imm32("call_kfunc", kfunc),
            None,
            None,
            None,
        )
    )


def exit_() -> Instruction:
    """``exit``: return r0."""
    return _EXIT


_EXIT = _make((EXIT, 0, 0, 0, 0, None, None, None))


ret = exit_


# --- 64-bit immediates -------------------------------------------------------------------


def _ld64(op: str, dst: Register, src: int, imm: int, ref: str | None) -> Instruction:
    dst = _reg(op, dst)
    _writable(op, dst)
    if not dst.wide:
        raise _fail(op, f"ld_imm64 loads a 64-bit register, not {dst}")
    return _make((LD_IMM64, dst.number, src, 0, imm, None, ref, None))


def ld_imm64(dst: Register, value: int) -> Instruction:
    """``dst = value ll``: a 64-bit constant (two slots)."""
    if (
        type(dst) is Register
        and type(value) is int
        and dst.wide
        and dst.number != 10
        and -(1 << 63) <= value < (1 << 63)
    ):  # the common operands, valid by construction (see _alu)
        return _new(Instruction, (LD_IMM64, dst.number, 0, 0, value, None, None, None))
    if isinstance(value, bool) or not isinstance(value, int) or not -(1 << 63) <= value < (1 << 64):
        raise _fail("ld_imm64", f"value must be a 64-bit integer, not {value!r}")
    value &= (1 << 64) - 1
    return _ld64("ld_imm64", dst, PseudoSrc.IMM, value - (1 << 64) if value >> 63 else value, None)


def _map_ref(op: str, map_: str | int) -> tuple[int, str | None]:
    if isinstance(map_, str):
        if not map_:
            raise _fail(op, "map name is empty")
        return 0, map_
    if isinstance(map_, int) and not isinstance(map_, bool) and 0 <= map_ < (1 << 31):
        return map_, None
    raise _fail(op, f"map must be a name or a non-negative fd, not {map_!r}")


def load_map_fd(dst: Register, map_: str | int) -> Instruction:
    """``dst = map``: a map by fd, or by name (the fd is filled in at load time)."""
    fd, ref = _map_ref("load_map_fd", map_)
    return _ld64("load_map_fd", dst, PseudoSrc.MAP_FD, fd, ref)


def load_map_value(dst: Register, map_: str | int, offset: int = 0) -> Instruction:
    """``dst = &map_value + offset``: address inside a single-element array map's value."""
    fd, ref = _map_ref("load_map_value", map_)
    offset = _imm32("load_map_value", offset)
    return _ld64("load_map_value", dst, PseudoSrc.MAP_VALUE, _pack64(fd, offset), ref)


def load_map_idx(dst: Register, index: int) -> Instruction:
    """``dst = map`` by index into the ``fd_array`` passed at load time."""
    return _ld64("load_map_idx", dst, PseudoSrc.MAP_IDX, _imm32("load_map_idx", index), None)


def load_map_idx_value(dst: Register, index: int, offset: int = 0) -> Instruction:
    """Map value address by ``fd_array`` index."""
    offset = _imm32("load_map_idx_value", offset)
    return _ld64("load_map_idx_value", dst, PseudoSrc.MAP_IDX_VALUE, _pack64(index, offset), None)


def load_func(dst: Register, target: Target) -> Instruction:
    """``dst = &function``: a callback pointer (e.g. for ``bpf_loop``)."""
    off, ref = _target("load_func", target)
    return _ld64("load_func", dst, PseudoSrc.FUNC, _imm32("load_func", off), ref)


def load_btf_id(dst: Register, symbol: int | str, module_fd: int = 0) -> Instruction:
    """``dst = &ksym``: a kernel variable by BTF id, or by name (resolved at load time)."""
    if isinstance(symbol, str):
        return _ld64("load_btf_id", dst, PseudoSrc.BTF_ID, _pack64(0, module_fd), symbol)
    return _ld64(
        "load_btf_id",
        dst,
        PseudoSrc.BTF_ID,
        _pack64(_imm32("load_btf_id", symbol), module_fd),
        None,
    )


def _pack64(low: int, high: int) -> int:
    value = (low & 0xFFFFFFFF) | ((high & 0xFFFFFFFF) << 32)
    return value - (1 << 64) if value >> 63 else value


# --- memory ------------------------------------------------------------------------------


def ldx(size: Size | int, dst: Register, base: Register, off: int = 0) -> Instruction:
    """``dst = *(u<size> *)(base + off)``."""
    if (
        type(size) is Size
        and type(dst) is Register
        and type(base) is Register
        and type(off) is int
        and dst.number != 10
        and -0x8000 <= off <= 0x7FFF
    ):  # the common operands, valid by construction (see _alu)
        opcode = _LDX_MEM[size]
        return _shared((opcode, dst.number, base.number, off, 0, None, None, None))
    size = _size("ldx", size)
    dst, base = _reg("ldx", dst), _reg("ldx", base, "base")
    _writable("ldx", dst)
    return _make(
        (
            InsnClass.LDX | Mode.MEM | size,
            dst.number,
            base.number,
            _off16("ldx", off),
            0,
            None,
            None,
            None,
        )
    )


_LDX_MEM = {size: int(InsnClass.LDX | Mode.MEM | size) for size in Size}
_STX_MEM = {size: int(InsnClass.STX | Mode.MEM | size) for size in Size}


def ldx_sx(size: Size | int, dst: Register, base: Register, off: int = 0) -> Instruction:
    """``dst = *(s<size> *)(base + off)``: sign-extending load of 1, 2 or 4 bytes (cpu v4)."""
    size = _size("ldx_sx", size)
    if size == Size.DW:
        raise _fail("ldx_sx", "sign-extending loads are 1, 2 or 4 bytes")
    dst, base = _reg("ldx_sx", dst), _reg("ldx_sx", base, "base")
    _writable("ldx_sx", dst)
    return _make(
        (
            InsnClass.LDX | Mode.MEMSX | size,
            dst.number,
            base.number,
            _off16("ldx_sx", off),
            0,
            None,
            None,
            None,
        )
    )


def load(dst: Register, base: Register, off: int = 0, size: Size | int = Size.DW) -> Instruction:
    """``dst = *(size *)(base + off)`` (same as ``ldx`` with the size last)."""
    return ldx(size, dst, base, off)


def stx(size: Size | int, base: Register, off: int, src: Register) -> Instruction:
    """``*(u<size> *)(base + off) = src``."""
    if (
        type(size) is Size
        and type(base) is Register
        and type(src) is Register
        and type(off) is int
        and -0x8000 <= off <= 0x7FFF
    ):  # the common operands, valid by construction (see _alu)
        opcode = _STX_MEM[size]
        return _shared((opcode, base.number, src.number, off, 0, None, None, None))
    size = _size("stx", size)
    base, src = _reg("stx", base, "base"), _reg("stx", src, "source")
    return _make(
        (
            InsnClass.STX | Mode.MEM | size,
            base.number,
            src.number,
            _off16("stx", off),
            0,
            None,
            None,
            None,
        )
    )


def st(size: Size | int, base: Register, off: int, value: int) -> Instruction:
    """``*(u<size> *)(base + off) = value`` (an immediate)."""
    size = _size("st", size)
    base = _reg("st", base, "base")
    return _make(
        (
            InsnClass.ST | Mode.MEM | size,
            base.number,
            0,
            _off16("st", off),
            _imm32("st", value),
            None,
            None,
            None,
        )
    )


def store(base: Register, off: int, value: Operand, size: Size | int = Size.DW) -> Instruction:
    """``*(size *)(base + off) = value``; a register becomes ``stx``, an integer ``st``."""
    if isinstance(value, Register):
        return stx(size, base, off, value)
    return st(size, base, off, value)


def _atomic(
    name: str, op: int, base: Register, off: int, src: Register, size: Size | int | None
) -> Instruction:
    base, src = _reg(name, base, "base"), _reg(name, src, "source")
    sz = (Size.DW if src.wide else Size.W) if size is None else _size(name, size)
    if op < 0x100 and sz not in (Size.W, Size.DW):
        raise _fail(name, "atomic read-modify-write needs a 4- or 8-byte access")
    return _make(
        (
            InsnClass.STX | Mode.ATOMIC | sz,
            base.number,
            src.number,
            _off16(name, off),
            op,
            None,
            None,
            None,
        )
    )


def atomic_add(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``lock *(size *)(base + off) += src`` (size from ``src``'s width by default)."""
    return _atomic("atomic_add", AtomicOp.ADD, base, off, src, size)


def atomic_or(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``lock *(size *)(base + off) |= src``."""
    return _atomic("atomic_or", AtomicOp.OR, base, off, src, size)


def atomic_and(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``lock *(size *)(base + off) &= src``."""
    return _atomic("atomic_and", AtomicOp.AND, base, off, src, size)


def atomic_xor(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``lock *(size *)(base + off) ^= src``."""
    return _atomic("atomic_xor", AtomicOp.XOR, base, off, src, size)


def atomic_fetch_add(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``src = atomic_fetch_add((size *)(base + off), src)``."""
    return _atomic("atomic_fetch_add", AtomicOp.FETCH_ADD, base, off, src, size)


def atomic_fetch_or(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``src = atomic_fetch_or((size *)(base + off), src)``."""
    return _atomic("atomic_fetch_or", AtomicOp.FETCH_OR, base, off, src, size)


def atomic_fetch_and(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``src = atomic_fetch_and((size *)(base + off), src)``."""
    return _atomic("atomic_fetch_and", AtomicOp.FETCH_AND, base, off, src, size)


def atomic_fetch_xor(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``src = atomic_fetch_xor((size *)(base + off), src)``."""
    return _atomic("atomic_fetch_xor", AtomicOp.FETCH_XOR, base, off, src, size)


def xchg(base: Register, off: int, src: Register, size: Size | int | None = None) -> Instruction:
    """``src = xchg(base + off, src)``."""
    return _atomic("xchg", AtomicOp.XCHG, base, off, src, size)


def cmpxchg(base: Register, off: int, src: Register, size: Size | int | None = None) -> Instruction:
    """``r0 = cmpxchg(base + off, r0, src)``: compare with r0, old value to r0."""
    return _atomic("cmpxchg", AtomicOp.CMPXCHG, base, off, src, size)


def load_acquire(
    dst: Register, base: Register, off: int = 0, size: Size | int = Size.DW
) -> Instruction:
    """``dst = load_acquire((size *)(base + off))``; here ``dst`` is the register loaded."""
    dst, base = _reg("load_acquire", dst), _reg("load_acquire", base, "base")
    _writable("load_acquire", dst)
    sz = _size("load_acquire", size)
    return _make(
        (
            InsnClass.STX | Mode.ATOMIC | sz,
            dst.number,
            base.number,
            _off16("load_acquire", off),
            AtomicOp.LOAD_ACQUIRE,
            None,
            None,
            None,
        )
    )


def store_release(
    base: Register, off: int, src: Register, size: Size | int | None = None
) -> Instruction:
    """``store_release((size *)(base + off), src)``."""
    return _atomic("store_release", AtomicOp.STORE_RELEASE, base, off, src, size)


# --- legacy packet access ----------------------------------------------------------------


def load_abs(size: Size | int, offset: int) -> Instruction:
    """``r0 = *(size *)skb[offset]`` (legacy; socket filters and tc)."""
    size = _size("load_abs", size)
    if size == Size.DW:
        raise _fail("load_abs", "legacy packet loads are 1, 2 or 4 bytes")
    return _make(
        (InsnClass.LD | Mode.ABS | size, 0, 0, 0, _imm32("load_abs", offset), None, None, None)
    )


def load_ind(size: Size | int, src: Register, offset: int = 0) -> Instruction:
    """``r0 = *(size *)skb[src + offset]`` (legacy)."""
    size = _size("load_ind", size)
    if size == Size.DW:
        raise _fail("load_ind", "legacy packet loads are 1, 2 or 4 bytes")
    src = _reg("load_ind", src)
    return _make(
        (
            InsnClass.LD | Mode.IND | size,
            0,
            src.number,
            0,
            _imm32("load_ind", offset),
            None,
            None,
            None,
        )
    )


__all__ = [
    "add",
    "addr_space_cast",
    "and_",
    "arsh",
    "atomic_add",
    "atomic_and",
    "atomic_fetch_add",
    "atomic_fetch_and",
    "atomic_fetch_or",
    "atomic_fetch_xor",
    "atomic_or",
    "atomic_xor",
    "bswap",
    "call",
    "call_kfunc",
    "call_local",
    "cmpxchg",
    "div",
    "exit_",
    "goto",
    "gotol",
    "helper_id",
    "ja",
    "jeq",
    "jge",
    "jgt",
    "jle",
    "jlt",
    "jne",
    "jset",
    "jsge",
    "jsgt",
    "jsle",
    "jslt",
    "ld_imm64",
    "ldx",
    "ldx_sx",
    "load",
    "load_abs",
    "load_acquire",
    "load_btf_id",
    "load_func",
    "load_ind",
    "load_map_fd",
    "load_map_idx",
    "load_map_idx_value",
    "load_map_value",
    "lsh",
    "may_goto",
    "mod",
    "mov",
    "movsx",
    "mul",
    "neg",
    "or_",
    "ret",
    "rsh",
    "sdiv",
    "smod",
    "st",
    "store",
    "store_release",
    "stx",
    "sub",
    "to_be",
    "to_le",
    "xchg",
    "xor",
]
