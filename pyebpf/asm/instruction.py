"""``Instruction``: one eBPF instruction as an immutable value.

An instruction holds the raw wire fields (``opcode``, ``dst``, ``src``, ``off``, ``imm``) plus
symbolic metadata that is resolved late, when a program is linked:

* ``label``: the symbol that names this instruction (a jump target or a function start);
* ``reference``: the symbol this instruction points at -- a label for jumps, ``gotol``, local
  calls and function-pointer loads, a map name for map loads, a kfunc/ksym name for calls and
  ``ld_imm64`` of kernel symbols;
* ``source``: optional source-line information (from BTF line info); it is not part of the
  instruction's identity and is ignored by ``==``.

``ld_imm64`` is one logical instruction that takes two 8-byte slots; its ``imm`` is the whole
64-bit constant (signed). ``width`` tells how many slots an instruction takes.

Instructions are tuples underneath so that building and encoding large programs stays fast.
"""

from __future__ import annotations

import struct
from typing import Any

from ..errors import InstructionError
from .opcodes import (
    CALL,
    LD_IMM64,
    ALUOp,
    AtomicOp,
    CallKind,
    InsnClass,
    JumpOp,
    Mode,
    PseudoSrc,
    Size,
    Source,
)
from .validation import field_error

_S64 = 1 << 64
_S32 = 1 << 32


def to_s32(value: int) -> int:
    """Wrap a 32-bit pattern to its signed value."""
    value &= 0xFFFFFFFF
    return value - _S32 if value & 0x80000000 else value


def to_s64(value: int) -> int:
    """Wrap a 64-bit pattern to its signed value."""
    value &= 0xFFFFFFFFFFFFFFFF
    return value - _S64 if value & 0x8000000000000000 else value


class Instruction(tuple):
    """One instruction (see the module docstring)."""

    __slots__ = ()

    def __new__(
        cls,
        opcode: int,
        dst: int = 0,
        src: int = 0,
        off: int = 0,
        imm: int = 0,
        label: str | None = None,
        reference: str | None = None,
        source: Any = None,
    ) -> Instruction:
        for name, value in (
            ("opcode", opcode),
            ("dst", dst),
            ("src", src),
            ("off", off),
            ("imm", imm),
        ):
            if type(value) is not int and not isinstance(value, int):
                raise InstructionError(f"{name} must be an integer, not {type(value).__name__}")
        opcode, dst, src, off, imm = int(opcode), int(dst), int(src), int(off), int(imm)
        if not 0 <= opcode <= 0xFF:
            raise InstructionError(f"opcode {opcode:#x} does not fit in 8 bits")
        if not 0 <= dst <= 0xF or not 0 <= src <= 0xF:
            raise InstructionError(f"register field out of range (dst={dst}, src={src})")
        if not -0x8000 <= off <= 0x7FFF:
            raise InstructionError(f"offset {off} does not fit in a signed 16-bit field")
        if opcode == LD_IMM64:
            if not -(1 << 63) <= imm < _S64:
                raise InstructionError(f"immediate {imm} does not fit in 64 bits")
            imm = to_s64(imm)
            low = to_s32(imm)
        else:
            if not -(1 << 31) <= imm < _S32:
                raise InstructionError(f"immediate {imm} does not fit in 32 bits")
            imm = low = to_s32(imm)
        reason = field_error(opcode, dst, src, off, low)
        if reason is not None:
            raise InstructionError(reason)
        return tuple.__new__(cls, (opcode, dst, src, off, imm, label, reference, source))

    # Field access: named properties over the tuple.
    @property
    def opcode(self) -> int:
        return self[0]

    @property
    def dst(self) -> int:
        return self[1]

    @property
    def src(self) -> int:
        return self[2]

    @property
    def off(self) -> int:
        return self[3]

    @property
    def imm(self) -> int:
        return self[4]

    @property
    def label(self) -> str | None:
        return self[5]

    @property
    def reference(self) -> str | None:
        return self[6]

    @property
    def source(self) -> Any:
        return self[7]

    # Identity ignores ``source`` (line info is an annotation, not part of the instruction).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instruction):
            return NotImplemented
        return self[:7] == other[:7]

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self[:7])

    def __repr__(self) -> str:
        parts = [f"opcode={self[0]:#04x}"]
        for name, i in (("dst", 1), ("src", 2), ("off", 3), ("imm", 4)):
            if self[i]:
                parts.append(f"{name}={self[i]}")
        for name, i in (("label", 5), ("reference", 6)):
            if self[i] is not None:
                parts.append(f"{name}={self[i]!r}")
        return f"Instruction({', '.join(parts)})  # {self}"

    def __str__(self) -> str:
        from .text.printer import format_instruction

        return format_instruction(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Instruction, tuple(self))

    # Copies with changed fields.
    def replace(self, **changes: Any) -> Instruction:
        """A copy with some fields changed (validated like the constructor)."""
        fields = dict(zip(_FIELDS, self, strict=True))
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise InstructionError(f"Instruction has no field {sorted(unknown)[0]!r}")
        fields.update(changes)
        return Instruction(**fields)

    def with_label(self, label: str | None) -> Instruction:
        """This instruction, named ``label`` (a jump target or function name)."""
        return _make(self[:5] + (label,) + self[6:])

    def with_reference(self, reference: str | None) -> Instruction:
        """This instruction, pointing at symbol ``reference``."""
        return _make(self[:6] + (reference,) + self[7:])

    def with_source(self, source: Any) -> Instruction:
        """This instruction with source-line information attached."""
        return _make(self[:7] + (source,))

    # Decoded views.
    @property
    def cls(self) -> InsnClass:
        return InsnClass(self[0] & 0x07)

    @property
    def width(self) -> int:
        """Number of 8-byte slots: 2 for ld_imm64, else 1."""
        return 2 if self[0] == LD_IMM64 else 1

    @property
    def size(self) -> int:
        """Encoded size in bytes."""
        return 16 if self[0] == LD_IMM64 else 8

    @property
    def is_ld_imm64(self) -> bool:
        return self[0] == LD_IMM64

    @property
    def is_alu(self) -> bool:
        return self[0] & 0x07 in (InsnClass.ALU, InsnClass.ALU64)

    @property
    def is_jump_class(self) -> bool:
        return self[0] & 0x07 in (InsnClass.JMP, InsnClass.JMP32)

    @property
    def alu_op(self) -> ALUOp:
        return ALUOp(self[0] & 0xF0)

    @property
    def jump_op(self) -> JumpOp:
        return JumpOp(self[0] & 0xF0)

    @property
    def source_operand(self) -> Source:
        return Source(self[0] & 0x08)

    @property
    def mode(self) -> Mode:
        return Mode(self[0] & 0xE0)

    @property
    def mem_size(self) -> Size:
        return Size(self[0] & 0x18)

    @property
    def atomic_op(self) -> AtomicOp:
        return AtomicOp(self[4])

    @property
    def is_exit(self) -> bool:
        return self[0] == 0x95

    @property
    def is_call(self) -> bool:
        return self[0] == CALL

    @property
    def is_helper_call(self) -> bool:
        return self[0] == CALL and self[2] == CallKind.HELPER

    @property
    def is_local_call(self) -> bool:
        return self[0] == CALL and self[2] == CallKind.LOCAL

    @property
    def is_kfunc_call(self) -> bool:
        return self[0] == CALL and self[2] == CallKind.KFUNC

    @property
    def is_func_ref(self) -> bool:
        """An ld_imm64 that loads the address of a BPF function (callback)."""
        return self[0] == LD_IMM64 and self[2] == PseudoSrc.FUNC

    @property
    def is_map_load(self) -> bool:
        """An ld_imm64 that loads a map or a map value address (by fd or fd_array index)."""
        return self[0] == LD_IMM64 and self[2] in (1, 2, 5, 6)

    @property
    def is_branch(self) -> bool:
        """A jump with a pc-relative target in ``off`` (goto, conditional jumps, may_goto)."""
        op = self[0]
        cls = op & 0x07
        if cls == InsnClass.JMP:
            code = op & 0xF0
            return code not in (JumpOp.CALL, JumpOp.EXIT)
        return cls == InsnClass.JMP32 and op != 0x06

    @property
    def is_conditional_jump(self) -> bool:
        op = self[0]
        return op & 0x07 in (5, 6) and (op & 0xF0) not in (0x00, 0x80, 0x90, 0xE0)

    @property
    def is_gotol(self) -> bool:
        return self[0] == 0x06

    @property
    def is_may_goto(self) -> bool:
        return self[0] == 0xE5

    @property
    def is_unconditional_jump(self) -> bool:
        return self[0] in (0x05, 0x06)

    @property
    def is_pc_relative(self) -> bool:
        """Does this instruction name another instruction by a relative slot offset?"""
        return self.is_branch or self.is_gotol or self.is_local_call or self.is_func_ref

    @property
    def relative_offset(self) -> int | None:
        """The slot offset to the target (relative to the next slot), or None."""
        if self.is_branch:
            return self[3]
        if self.is_gotol or self.is_local_call:
            return self[4]
        if self.is_func_ref:
            return to_s32(self[4])
        return None

    def with_relative_offset(self, delta: int) -> Instruction:
        """This pc-relative instruction with its target offset set to ``delta`` slots."""
        if self.is_branch:
            if not -0x8000 <= delta <= 0x7FFF:
                raise InstructionError(
                    f"jump offset {delta} does not fit in 16 bits (use gotol for long jumps)"
                )
            return _make(self[:3] + (delta,) + self[4:])
        if self.is_gotol or self.is_local_call or self.is_func_ref:
            if not -(1 << 31) <= delta < (1 << 31):
                raise InstructionError(f"offset {delta} does not fit in 32 bits")
            return _make(self[:4] + (delta,) + self[5:])
        raise InstructionError(f"{self} has no pc-relative target")

    @property
    def imm_low(self) -> int:
        """The 32-bit ``imm`` field of the first slot (signed)."""
        return to_s32(self[4])

    @property
    def imm_high(self) -> int:
        """For ld_imm64, the ``imm`` of the second slot (signed); else 0."""
        return to_s32(self[4] >> 32) if self[0] == LD_IMM64 else 0

    def encode(self, byteorder: str = "little") -> bytes:
        """The 8 or 16 bytes of this instruction (symbols must already be resolved)."""
        return encode_fields(self[0], self[1], self[2], self[3], self[4], byteorder)


_FIELDS = ("opcode", "dst", "src", "off", "imm", "label", "reference", "source")
_LE = struct.Struct("<BBhi")
_BE = struct.Struct(">BBhi")
_LE2 = struct.Struct("<BBhiBBhi")
_BE2 = struct.Struct(">BBhiBBhi")


def _make(fields: tuple[Any, ...]) -> Instruction:
    """Build an Instruction from already-validated fields (no checks: internal use)."""
    return tuple.__new__(Instruction, fields)


def encode_fields(
    opcode: int, dst: int, src: int, off: int, imm: int, byteorder: str = "little"
) -> bytes:
    """Encode validated fields; ``imm`` is 64-bit for ld_imm64."""
    if byteorder == "little":
        regs = (src << 4) | dst
        if opcode == LD_IMM64:
            return _LE2.pack(opcode, regs, off, to_s32(imm), 0, 0, 0, to_s32(imm >> 32))
        return _LE.pack(opcode, regs, off, imm)
    # Big-endian: the register nibbles swap places too (dst in the high nibble).
    regs = (dst << 4) | src
    if opcode == LD_IMM64:
        return _BE2.pack(opcode, regs, off, to_s32(imm), 0, 0, 0, to_s32(imm >> 32))
    return _BE.pack(opcode, regs, off, imm)
