"""The disassembler: instructions to the pseudo-C text ``llvm-objdump`` prints.

Each instruction prints exactly as ``llvm-objdump-22 -d`` prints it, in decimal (the
``--no-print-imm-hex`` style, our default) or hexadecimal immediates (``hex_imm=True``, the
``llvm-objdump-22`` default). Where LLVM's text would lose information, pyebpf prints a form
of its own that the assembler reads back, so ``assemble(disassemble(b)) == b`` always holds:

* bpf-to-bpf calls: ``call pc+5`` (LLVM prints ``call 5``, the same as helper 5);
* kfunc calls: ``call kfunc#1234`` (``call kfunc#1234@2`` with a module fd_array index);
* ``ld_imm64`` pseudo kinds with a second immediate: ``ld_pseudo r1, 2, 5, 8`` (LLVM drops
  the 8);
* ``ld_ind`` with an offset: ``r0 = *(u32 *)skb[r1 + 4]`` (LLVM drops the 4).

With ``symbolic=True`` (the default for ``str(instructions)``) references print by name:
``goto out``, ``call my_func``, ``r1 = map[my_map] ll``, ``r1 = map_value[data]+8 ll``,
``r1 = func[callback] ll``, ``r1 = ksym[bpf_prog_active] ll``, ``call kfunc#bpf_obj_new_impl``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...errors import DecodeError
from ..helper_ids import HelperId
from ..instruction import Instruction, _make, to_s32
from ..opcodes import LD_IMM64, AtomicOp, CallKind, InsnClass, PseudoSrc
from ..program import Instructions, iter_raw_slots
from ..validation import field_error

_ALU_OPS = {
    0x00: "+=",
    0x10: "-=",
    0x20: "*=",
    0x30: "/=",
    0x40: "|=",
    0x50: "&=",
    0x60: "<<=",
    0x70: ">>=",
    0x90: "%=",
    0xA0: "^=",
    0xB0: "=",
    0xC0: "s>>=",
}
_SIGNED_ALU_OPS = {0x30: "s/=", 0x90: "s%="}
_JUMP_OPS = {
    0x10: "==",
    0x20: ">",
    0x30: ">=",
    0x40: "&",
    0x50: "!=",
    0x60: "s>",
    0x70: "s>=",
    0xA0: "<",
    0xB0: "<=",
    0xC0: "s<",
    0xD0: "s<=",
}
_SIZE_NAMES = {0x00: "32", 0x08: "16", 0x10: "8", 0x18: "64"}
_ATOMIC_RMW = {0x00: "+=", 0x40: "|=", 0x50: "&=", 0xA0: "^="}
_ATOMIC_FETCH = {0x01: "add", 0x41: "or", 0x51: "and", 0xA1: "xor"}


def _num(value: int, hex_imm: bool) -> str:
    if not hex_imm:
        return str(value)
    return f"-{-value:#x}" if value < 0 else f"{value:#x}"


def _rel(value: int, hex_imm: bool) -> str:
    """A relative offset with an explicit sign, as LLVM prints jump targets."""
    if hex_imm:
        return f"-{-value:#x}" if value < 0 else f"+{value:#x}"
    return f"{value:+d}"


def _mem(base: int, off: int, hex_imm: bool) -> str:
    sign = "-" if off < 0 else "+"
    return f"r{base} {sign} {_num(abs(off), hex_imm)}"


def format_instruction(insn: Instruction, *, hex_imm: bool = False, symbolic: bool = True) -> str:
    """The text of one instruction (see the module docstring)."""
    opcode, dst, src, off, imm = insn[0], insn[1], insn[2], insn[3], insn[4]
    ref = insn[6] if symbolic else None
    cls = opcode & 0x07
    if cls == InsnClass.ALU64 or cls == InsnClass.ALU:
        return _format_alu(opcode, cls, dst, src, off, imm, hex_imm)
    if cls == InsnClass.JMP or cls == InsnClass.JMP32:
        return _format_jump(opcode, cls, dst, src, off, imm, ref, hex_imm)
    if cls == InsnClass.LDX:
        sign = "s" if opcode & 0xE0 == 0x80 else "u"
        size = opcode & 0x18
        reg = "r" if size == 0x18 or sign == "s" else "w"
        return f"{reg}{dst} = *({sign}{_SIZE_NAMES[size]} *)({_mem(src, off, hex_imm)})"
    if cls == InsnClass.ST:
        return (
            f"*(u{_SIZE_NAMES[opcode & 0x18]} *)({_mem(dst, off, hex_imm)}) = {_num(imm, hex_imm)}"
        )
    if cls == InsnClass.STX:
        return _format_stx(opcode, dst, src, off, imm, hex_imm)
    # LD
    if opcode == LD_IMM64:
        return _format_ld_imm64(dst, src, imm, ref, hex_imm)
    size = _SIZE_NAMES[opcode & 0x18]
    if opcode & 0xE0 == 0x20:
        return f"r0 = *(u{size} *)skb[{_num(imm, hex_imm)}]"
    if imm:
        sign = "-" if imm < 0 else "+"
        return f"r0 = *(u{size} *)skb[r{src} {sign} {_num(abs(imm), hex_imm)}]"
    return f"r0 = *(u{size} *)skb[r{src}]"


def _format_alu(
    opcode: int, cls: int, dst: int, src: int, off: int, imm: int, hex_imm: bool
) -> str:
    r = "r" if cls == InsnClass.ALU64 else "w"
    op = opcode & 0xF0
    is_reg = opcode & 0x08
    if op == 0x80:
        return f"{r}{dst} = -{r}{dst}"
    if op == 0xD0:
        if cls == InsnClass.ALU64:
            return f"r{dst} = bswap{imm} r{dst}"
        return f"r{dst} = {'be' if is_reg else 'le'}{imm} r{dst}"
    if op == 0xB0 and is_reg and off:
        if off == 1 and cls == InsnClass.ALU64:
            return f"r{dst} = addr_space_cast(r{src}, {_num(imm >> 16, hex_imm)}, {_num(imm & 0xFFFF, hex_imm)})"
        return f"{r}{dst} = (s{off}){r}{src}"
    sym = _SIGNED_ALU_OPS[op] if off == 1 and op in _SIGNED_ALU_OPS else _ALU_OPS[op]
    operand = f"{r}{src}" if is_reg else _num(imm, hex_imm)
    return f"{r}{dst} {sym} {operand}"


def _format_jump(
    opcode: int, cls: int, dst: int, src: int, off: int, imm: int, ref: str | None, hex_imm: bool
) -> str:
    op = opcode & 0xF0
    if op == 0x00:
        if cls == InsnClass.JMP32:
            return f"gotol {ref if ref else _rel(imm, hex_imm)}"
        return f"goto {ref if ref else _rel(off, hex_imm)}"
    if op == 0x80:
        if src == CallKind.LOCAL:
            return f"call {ref}" if ref else f"call pc{imm:+d}"
        if src == CallKind.KFUNC:
            target = ref if ref else str(imm)
            return f"call kfunc#{target}@{off}" if off else f"call kfunc#{target}"
        return f"call {_num(imm, hex_imm)}"
    if op == 0x90:
        return "exit"
    if op == 0xE0:
        return f"may_goto {ref if ref else _rel(off, hex_imm)}"
    r = "r" if cls == InsnClass.JMP else "w"
    operand = f"{r}{src}" if opcode & 0x08 else _num(imm, hex_imm)
    target = ref if ref else _rel(off, hex_imm)
    return f"if {r}{dst} {_JUMP_OPS[op]} {operand} goto {target}"


def _format_stx(opcode: int, dst: int, src: int, off: int, imm: int, hex_imm: bool) -> str:
    size = opcode & 0x18
    bits = _SIZE_NAMES[size]
    r = "r" if size == 0x18 else "w"
    mem = _mem(dst, off, hex_imm)
    if opcode & 0xE0 == 0x60:
        return f"*(u{bits} *)({mem}) = {r}{src}"
    # ATOMIC
    if imm in _ATOMIC_RMW:
        return f"lock *(u{bits} *)({mem}) {_ATOMIC_RMW[imm]} {r}{src}"
    if imm in _ATOMIC_FETCH:
        return f"{r}{src} = atomic_fetch_{_ATOMIC_FETCH[imm]}((u{bits} *)({mem}), {r}{src})"
    if imm == AtomicOp.XCHG:
        name = "xchg_64" if size == 0x18 else "xchg32_32"
        return f"{r}{src} = {name}({mem}, {r}{src})"
    if imm == AtomicOp.CMPXCHG:
        name = "cmpxchg_64" if size == 0x18 else "cmpxchg32_32"
        return f"{r}0 = {name}({mem}, {r}0, {r}{src})"
    if imm == AtomicOp.LOAD_ACQUIRE:
        # Here dst is the loaded register and src the base (see the DSL's load_acquire).
        return f"{r}{dst} = load_acquire((u{bits} *)({_mem(src, off, hex_imm)}))"
    return f"store_release((u{bits} *)({mem}), {r}{src})"


def _format_ld_imm64(dst: int, src: int, imm: int, ref: str | None, hex_imm: bool) -> str:
    if src == PseudoSrc.IMM:
        return f"r{dst} = {_num(imm, hex_imm)} ll"
    low, high = to_s32(imm), to_s32(imm >> 32)
    if ref:
        if src in (PseudoSrc.MAP_FD, PseudoSrc.MAP_IDX) and not high:
            return f"r{dst} = map[{ref}] ll"
        if src in (PseudoSrc.MAP_VALUE, PseudoSrc.MAP_IDX_VALUE):
            return (
                f"r{dst} = map_value[{ref}]{high:+d} ll"
                if high
                else f"r{dst} = map_value[{ref}] ll"
            )
        if src == PseudoSrc.FUNC:
            return f"r{dst} = func[{ref}] ll"
        if src == PseudoSrc.BTF_ID and not high:
            return f"r{dst} = ksym[{ref}] ll"
    # LLVM prints the immediates of ld_pseudo unsigned (`ld_pseudo r1, 1, 4294967295`).
    text = f"ld_pseudo\tr{dst}, {_num(src, hex_imm)}, {_num(low & 0xFFFFFFFF, hex_imm)}"
    return f"{text}, {_num(high & 0xFFFFFFFF, hex_imm)}" if high else text


def helper_name(helper: int) -> str | None:
    """``bpf_<name>`` for a known helper id."""
    try:
        return "bpf_" + HelperId(helper).name.lower()
    except ValueError:
        return None


def _annotation(insn: Instruction, index_slot: int, labels_at: dict[int, str] | None) -> str:
    if insn.is_helper_call:
        name = helper_name(insn[4])
        return f"  # {name}" if name else ""
    return ""


def format_program(
    program: Iterable[Instruction],
    *,
    hex_imm: bool = False,
    symbolic: bool = True,
    annotate: bool = False,
    listing: bool = False,
    indent: str = "\t",
) -> str:
    """Text of a whole program: labels on their own lines, one instruction per line.

    ``annotate`` adds helper names as comments (``call 1  # bpf_map_lookup_elem``) and the
    absolute slot of each jump target; ``listing`` prefixes each line with its slot and raw
    bytes the way ``llvm-objdump -d`` does (the assembler reads both back).
    """
    prog = program if isinstance(program, Instructions) else Instructions(program)
    lines = []
    offsets = prog.slot_offsets
    for i, insn in enumerate(prog):
        if insn[5] is not None and symbolic:
            lines.append(f"{insn[5]}:")
        text = format_instruction(insn, hex_imm=hex_imm, symbolic=symbolic)
        if annotate:
            text += _annotation(insn, offsets[i], None)
            rel = insn.relative_offset
            if rel is not None and (insn[6] is None or not symbolic):
                text += f"  # -> {offsets[i] + rel + 1}"
        if listing:
            raw = (
                insn.encode()
                if insn[6] is None or not insn.is_pc_relative
                else prog.link()[i].encode()
            )
            text = f"{offsets[i]:8d}:\t{' '.join(f'{b:02x}' for b in raw)}\t{text}"
        else:
            text = indent + text
        lines.append(text)
    return "\n".join(lines) + ("\n" if lines else "")


def disassemble(
    data: bytes | bytearray | memoryview | Instructions,
    *,
    byteorder: str = "little",
    hex_imm: bool = False,
    annotate: bool = False,
    listing: bool = False,
) -> str:
    """Raw bytecode (or an ``Instructions``) to text, one instruction per line.

    Bytes are decoded strictly: invalid input raises :class:`DecodeError` naming the slot.
    """
    if isinstance(data, Instructions):
        return format_program(data, hex_imm=hex_imm, annotate=annotate, listing=listing)
    if not annotate and not listing:
        return _fast_disassemble(data, byteorder, hex_imm)
    return format_program(
        Instructions.from_bytes(data, byteorder),
        hex_imm=hex_imm,
        annotate=annotate,
        listing=listing,
    )


def _fast_disassemble(data: bytes | bytearray | memoryview, byteorder: str, hex_imm: bool) -> str:
    """Disassemble straight from slots, memoising the text of each distinct slot value.

    Real programs repeat the same 8-byte instructions over and over (spills, fills, moves,
    helper calls), so a cache keyed by the raw slot makes large inputs cheap.
    """
    cache: dict[tuple[int, int, int, int, int], str] = {}
    out: list[str] = []
    append = out.append
    slots = iter_raw_slots(data, byteorder)
    for slot, fields in slots:
        text = cache.get(fields)
        if text is not None:
            append(text)
            continue
        opcode, dst, src, off, imm = fields
        reason = field_error(opcode, dst, src, off, imm)
        if reason is not None:
            raise DecodeError(reason, slot)
        if opcode == LD_IMM64:
            second = next(slots, None)
            if second is None:
                raise DecodeError("ld_imm64 is truncated: its second slot is missing", slot)
            op2, dst2, src2, off2, imm2 = second[1]
            if op2 or dst2 or src2 or off2:
                raise DecodeError(
                    "second slot of ld_imm64 uses reserved fields (opcode, registers and offset must be 0)",
                    slot + 1,
                )
            value = (imm & 0xFFFFFFFF) | ((imm2 & 0xFFFFFFFF) << 32)
            if value >> 63:
                value -= 1 << 64
            append(
                "\t"
                + format_instruction(
                    _make((opcode, dst, src, off, value, None, None, None)), hex_imm=hex_imm
                )
            )
            continue
        text = "\t" + format_instruction(
            _make((opcode, dst, src, off, imm, None, None, None)), hex_imm=hex_imm
        )
        cache[fields] = text
        append(text)
    return "\n".join(out) + ("\n" if out else "")
