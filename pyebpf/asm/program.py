"""``Instructions``: a program as an immutable sequence of instructions.

Two numberings exist and the API keeps them apart:

* an *index* counts logical instructions (``insns[i]``);
* a *slot* counts 8-byte units as the kernel does (``ld_imm64`` takes two slots), which is
  what jump offsets, verifier logs and ``llvm-objdump`` use.

``slot_of(index)`` and ``index_of(slot)`` convert between them. Symbolic references (labels,
maps, functions) are kept on the instructions and resolved by :meth:`Instructions.link`, which
:meth:`Instructions.to_bytes` calls.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ..errors import DecodeError, InstructionError, LinkError
from .instruction import Instruction, _make, encode_fields, to_s32
from .opcodes import LD_IMM64, CallKind, PseudoSrc
from .validation import field_error

_BYTEORDERS = ("little", "big")


@dataclass(frozen=True, slots=True)
class Label:
    """A marker in an instruction list: names the next instruction.

    ``Instructions([Label("out"), exit_()])`` is the same as ``[exit_().with_label("out")]``.
    """

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InstructionError(f"a label needs a non-empty name, not {self.name!r}")


Item = Instruction | Label | Iterable[Any]


class Instructions(Sequence[Instruction]):
    """An eBPF program: a sequence of :class:`Instruction`.

    Build it from instructions, :class:`Label` markers and nested lists of either; it is
    immutable (methods return new programs).
    """

    __slots__ = ("_insns", "_slots")

    def __init__(self, items: Iterable[Item] = ()) -> None:
        insns: list[Instruction] = []
        pending: str | None = None
        for item in _flatten(items):
            if isinstance(item, Label):
                if pending is not None:
                    raise InstructionError(
                        f"labels {pending!r} and {item.name!r} name the same instruction"
                    )
                pending = item.name
                continue
            if pending is not None:
                if item[5] is not None and item[5] != pending:
                    raise InstructionError(
                        f"labels {pending!r} and {item[5]!r} name the same instruction"
                    )
                item = item.with_label(pending)
                pending = None
            insns.append(item)
        if pending is not None:
            raise InstructionError(f"label {pending!r} is not followed by an instruction")
        self._insns: tuple[Instruction, ...] = tuple(insns)
        self._slots: tuple[int, ...] | None = None

    @classmethod
    def _from_tuple(cls, insns: tuple[Instruction, ...]) -> Instructions:
        new = cls.__new__(cls)
        new._insns = insns
        new._slots = None
        return new

    # --- sequence protocol ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._insns)

    @overload
    def __getitem__(self, index: int) -> Instruction: ...

    @overload
    def __getitem__(self, index: slice) -> Instructions: ...

    def __getitem__(self, index: int | slice) -> Instruction | Instructions:
        if isinstance(index, slice):
            return Instructions._from_tuple(self._insns[index])
        return self._insns[index]

    def __iter__(self) -> Iterator[Instruction]:
        return iter(self._insns)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Instructions):
            return self._insns == other._insns
        if isinstance(other, list | tuple):
            return list(self._insns) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._insns)

    def __add__(self, other: Iterable[Item]) -> Instructions:
        return Instructions([self, other])

    def __radd__(self, other: Iterable[Item]) -> Instructions:
        return Instructions([other, self])

    def __repr__(self) -> str:
        return f"Instructions({len(self)} instructions, {self.slot_count} slots)"

    def __str__(self) -> str:
        from .text.printer import format_program

        return format_program(self)

    # --- slots and labels ----------------------------------------------------------------

    @property
    def slot_offsets(self) -> tuple[int, ...]:
        """The slot offset of each instruction index."""
        if self._slots is None:
            offsets = []
            slot = 0
            for insn in self._insns:
                offsets.append(slot)
                slot += 2 if insn[0] == LD_IMM64 else 1
            self._slots = tuple(offsets)
        return self._slots

    @property
    def slot_count(self) -> int:
        """Length in 8-byte slots (what the kernel calls ``insn_cnt``)."""
        if not self._insns:
            return 0
        return self.slot_offsets[-1] + self._insns[-1].width

    def slot_of(self, index: int) -> int:
        """Slot offset of instruction ``index``."""
        return self.slot_offsets[index]

    def index_of(self, slot: int) -> int:
        """Instruction index at slot ``slot``; LinkError for the second half of an ld_imm64."""
        import bisect

        offsets = self.slot_offsets
        i = bisect.bisect_left(offsets, slot)
        if i < len(offsets) and offsets[i] == slot:
            return i
        if 0 <= slot < self.slot_count:
            raise LinkError(f"slot {slot} is the second half of an ld_imm64", i - 1)
        raise LinkError(f"slot {slot} is outside the program ({self.slot_count} slots)")

    @property
    def labels(self) -> dict[str, int]:
        """Label name -> instruction index."""
        found: dict[str, int] = {}
        for i, insn in enumerate(self._insns):
            name = insn[5]
            if name is not None:
                if name in found:
                    raise LinkError(f"duplicate label {name!r} (also at instruction {found[name]})", i)
                found[name] = i
        return found

    @property
    def name(self) -> str | None:
        """The label of the first instruction: the program's function name, if any."""
        return self._insns[0][5] if self._insns else None

    def references(self) -> set[str]:
        """Every symbol some instruction refers to."""
        return {insn[6] for insn in self._insns if insn[6] is not None}

    def map_references(self) -> dict[str, list[int]]:
        """Map name -> indexes of the instructions that load it."""
        refs: dict[str, list[int]] = {}
        for i, insn in enumerate(self._insns):
            if insn[6] is not None and insn.is_map_load:
                refs.setdefault(insn[6], []).append(i)
        return refs

    def function_references(self) -> set[str]:
        """Labels this program calls or takes the address of (bpf-to-bpf and callbacks)."""
        return {
            insn[6]
            for insn in self._insns
            if insn[6] is not None and (insn.is_local_call or insn.is_func_ref)
        }

    # --- symbolic references -------------------------------------------------------------

    def link(self) -> Instructions:
        """Resolve every label reference into a pc-relative offset.

        Jumps, ``gotol``, local calls and function-pointer loads that carry a ``reference``
        get their offset computed from the label's slot. An undefined or duplicate label,
        or an offset that does not fit its field, raises :class:`LinkError` naming the
        instruction.
        """
        labels = self.labels
        if not any(insn[6] is not None for insn in self._insns):
            return self
        offsets = self.slot_offsets
        out = list(self._insns)
        for i, insn in enumerate(self._insns):
            ref = insn[6]
            if ref is None or not insn.is_pc_relative:
                continue
            target = labels.get(ref)
            if target is None:
                raise LinkError(f"undefined label {ref!r} in `{insn}`", i)
            delta = offsets[target] - offsets[i] - 1
            try:
                out[i] = insn.with_relative_offset(delta)
            except InstructionError as exc:
                raise LinkError(f"{exc} (target {ref!r})", i) from None
        return Instructions._from_tuple(tuple(out))

    def associate_map(self, name: str, fd: int) -> Instructions:
        """Put file descriptor ``fd`` into every load of map ``name`` (keeps value offsets)."""
        if not isinstance(fd, int) or fd < 0:
            raise InstructionError(f"map fd must be a non-negative integer, not {fd!r}")
        found = False
        out = list(self._insns)
        for i, insn in enumerate(self._insns):
            if insn[6] == name and insn.is_map_load:
                imm = (insn[4] & ~0xFFFFFFFF) | fd
                out[i] = _make(insn[:4] + (_s64(imm),) + insn[5:])
                found = True
        if not found:
            raise LinkError(f"no instruction loads map {name!r}")
        return Instructions._from_tuple(tuple(out))

    def with_map_fds(self, fds: Mapping[str, int]) -> Instructions:
        """``associate_map`` for several maps at once."""
        prog = self
        for name, fd in fds.items():
            prog = prog.associate_map(name, fd)
        return prog

    # --- bytes ---------------------------------------------------------------------------

    def to_bytes(self, byteorder: str = "little", *, allow_unresolved: bool = False) -> bytes:
        """Encode the program (linking label references first).

        A map load or kfunc call whose symbol has no fd/id yet (imm 0) raises
        :class:`LinkError` unless ``allow_unresolved`` is set, in which case it is encoded
        with a zero immediate, as an ELF object would carry it.
        """
        if byteorder not in _BYTEORDERS:
            raise InstructionError(f"byteorder must be 'little' or 'big', not {byteorder!r}")
        linked = self.link()
        if not allow_unresolved:
            for i, insn in enumerate(linked._insns):
                if insn[6] is not None and to_s32(insn[4]) == 0:
                    if insn.is_map_load:
                        raise LinkError(
                            f"map {insn[6]!r} has no file descriptor yet "
                            "(associate_map() it, or load the program through pyebpf)",
                            i,
                        )
                    if insn.is_kfunc_call:
                        raise LinkError(f"kfunc {insn[6]!r} has no BTF id yet", i)
        if byteorder == "little":
            return _encode_le(linked._insns)
        return b"".join(encode_fields(*insn[:5], byteorder) for insn in linked._insns)  # type: ignore[misc]

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, byteorder: str = "little") -> Instructions:
        """Decode raw bytecode; any invalid input raises :class:`DecodeError` naming the slot."""
        return cls._decode(data, byteorder)

    @classmethod
    def _decode(cls, data: bytes | bytearray | memoryview, byteorder: str) -> Instructions:
        slots = list(iter_raw_slots(data, byteorder))
        insns: list[Instruction] = []
        i = 0
        n = len(slots)
        while i < n:
            slot, (opcode, dst, src, off, imm) = slots[i]
            reason = field_error(opcode, dst, src, off, imm)
            if reason is not None:
                raise DecodeError(reason, slot)
            if opcode == LD_IMM64:
                if i + 1 >= n:
                    raise DecodeError("ld_imm64 is truncated: its second slot is missing", slot)
                _, (op2, dst2, src2, off2, imm2) = slots[i + 1]
                if op2 or dst2 or src2 or off2:
                    raise DecodeError(
                        "second slot of ld_imm64 uses reserved fields "
                        "(opcode, registers and offset must be 0)",
                        slot + 1,
                    )
                value = (imm & 0xFFFFFFFF) | ((imm2 & 0xFFFFFFFF) << 32)
                insns.append(_make((opcode, dst, src, off, _s64(value), None, None, None)))
                i += 2
                continue
            insns.append(_make((opcode, dst, src, off, imm, None, None, None)))
            i += 1
        return cls._from_tuple(tuple(insns))


def _s64(value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value & (1 << 63) else value


_RAW_LE = struct.Struct("<BBhi")
_RAW_BE = struct.Struct(">BBhi")


def iter_raw_slots(
    data: bytes | bytearray | memoryview, byteorder: str = "little"
) -> Iterator[tuple[int, tuple[int, int, int, int, int]]]:
    """Yield ``(slot, (opcode, dst, src, off, imm))`` for each 8-byte slot, unvalidated.

    This is the lenient view the verifier uses to report malformed programs the way the
    kernel does; only a length that is not a multiple of 8 is refused here.
    """
    if byteorder not in _BYTEORDERS:
        raise DecodeError(f"byteorder must be 'little' or 'big', not {byteorder!r}")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(f"expected bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) % 8:
        raise DecodeError(
            f"length {len(data)} is not a multiple of 8 (the last slot has {len(data) % 8} bytes)",
            len(data) // 8,
        )
    raw = _RAW_LE if byteorder == "little" else _RAW_BE
    for slot, (opcode, regs, off, imm) in enumerate(raw.iter_unpack(data)):
        if byteorder == "little":
            dst, src = regs & 0x0F, regs >> 4
        else:
            dst, src = regs >> 4, regs & 0x0F
        yield slot, (opcode, dst, src, off, imm)


def _encode_le(insns: tuple[Instruction, ...]) -> bytes:
    pack = _RAW_LE.pack
    out = bytearray()
    append = out.extend
    for insn in insns:
        opcode = insn[0]
        if opcode == LD_IMM64:
            imm = insn[4]
            append(pack(opcode, (insn[2] << 4) | insn[1], insn[3], to_s32(imm)))
            append(pack(0, 0, 0, to_s32(imm >> 32)))
        else:
            append(pack(opcode, (insn[2] << 4) | insn[1], insn[3], insn[4]))
    return bytes(out)


def _flatten(items: Iterable[Any]) -> Iterator[Instruction | Label]:
    if isinstance(items, Instruction | Label):
        yield items
        return
    if isinstance(items, str | bytes):
        raise InstructionError(
            "an instruction list cannot contain text or bytes (use assemble() or Instructions.from_bytes())"
        )
    for item in items:
        if isinstance(item, Instruction | Label):
            yield item
        elif isinstance(item, Instructions):
            yield from item._insns
        elif isinstance(item, Iterable) and not isinstance(item, str | bytes):
            yield from _flatten(item)
        else:
            raise InstructionError(f"not an instruction: {item!r}")


# Public constants that callers use with slots and symbols.
__all__ = ["Instructions", "Label", "iter_raw_slots", "PseudoSrc", "CallKind"]
