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
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import add, is_not, itemgetter, lshift, not_, sub
from typing import Any, overload

from .._gcpause import gc_paused
from ..errors import DecodeError, InstructionError, LinkError
from .instruction import Instruction, _make, encode_fields, to_s32
from .opcodes import CALL, GOTOL, LD_IMM64, CallKind, InsnClass, JumpOp, PseudoSrc
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

    # _slots and _resolved are computed on first use (the program is immutable); _encoded is
    # the little-endian encoding (of each instruction, or of all of them) when its maker
    # already has it. _sources, when set, gives each instruction's ``source``: it is attached
    # the first time instructions are handed out (see :meth:`with_lazy_sources`); everything
    # internal works on _insns, which may lack them (``source`` is not part of identity).
    __slots__ = ("_insns", "_slots", "_resolved", "_encoded", "_symbol_refs", "_sources")

    def __init__(self, items: Iterable[Item] = ()) -> None:
        # Flat lists of instructions are the common case: the other entries (labels, nested
        # lists) are found at C speed and only they are looked at one by one.
        flat: Sequence[Any] = items if isinstance(items, list | tuple) else list(_flatten(items))
        others = list(compress(range(len(flat)), map(is_not, map(type, flat), repeat(Instruction))))
        insns: Sequence[Instruction] = _gather(flat, others) if others else flat
        self._insns: tuple[Instruction, ...] = tuple(insns)
        self._slots: tuple[int, ...] | None = None
        self._resolved: _Links | None = None
        self._encoded: list[bytes] | bytes | None = None
        # With _resolved: the instructions that refer to a symbol other than a label.
        self._symbol_refs: list[int] = []
        self._sources: Callable[[], Sequence[Any]] | None = None

    @classmethod
    def _from_tuple(
        cls, insns: tuple[Instruction, ...], encoded: list[bytes] | bytes | None = None
    ) -> Instructions:
        new = cls.__new__(cls)
        new._insns = insns
        new._slots = None
        new._resolved = None
        new._encoded = encoded
        new._symbol_refs = []
        new._sources = None
        return new

    def with_lazy_sources(self, sources: Callable[[], Sequence[Any]]) -> Instructions:
        """This program, whose instructions get their ``source`` from ``sources()``.

        ``sources()`` returns one entry per instruction (None where it has none); it is
        called the first time an instruction is looked at, so that readers of large objects
        build no source-line objects for programs nobody lists.
        """
        new = Instructions._from_tuple(self._insns, self._encoded)
        new._sources = sources
        return new

    def _public(self) -> tuple[Instruction, ...]:
        """The instructions with their sources attached (the lazy ones, the first time)."""
        sources = self._sources
        if sources is None:
            return self._insns
        insns = self._insns
        with gc_paused():  # tens of thousands of new objects (see pyebpf._gcpause)
            found = sources()
            if len(found) != len(insns):
                raise InstructionError(
                    f"{len(found)} source entries for a program of {len(insns)} instructions"
                )
            make = tuple.__new__  # ``insn.with_source(source)``, inlined
            self._insns = tuple(
                [
                    insn if source is None else make(Instruction, (*insn[:7], source))
                    for insn, source in zip(insns, found, strict=True)
                ]
            )
        self._sources = None
        return self._insns

    def _keeping_sources(self, insns: tuple[Instruction, ...]) -> Instructions:
        """A program of ``insns`` (one for one with this program's) that keeps lazy sources."""
        new = Instructions._from_tuple(insns)
        new._sources = self._sources
        return new

    # --- sequence protocol ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._insns)

    @overload
    def __getitem__(self, index: int) -> Instruction: ...

    @overload
    def __getitem__(self, index: slice) -> Instructions: ...

    def __getitem__(self, index: int | slice) -> Instruction | Instructions:
        insns = self._insns if self._sources is None else self._public()
        if isinstance(index, slice):
            return Instructions._from_tuple(insns[index])
        return insns[index]

    def __iter__(self) -> Iterator[Instruction]:
        return iter(self._insns if self._sources is None else self._public())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Instructions):
            return self._insns == other._insns
        if isinstance(other, list | tuple):
            return list(self._insns) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._insns)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Instructions, (self._public(),))

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
            encoded = self._encoded
            if isinstance(encoded, bytes):
                self._slots = _slot_offsets_of_code(encoded)
            else:
                self._slots = _slot_offsets(self._insns)
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
        insns = self._insns
        # Label names are never empty, so compress() picks the labelled indexes at C speed.
        for i in compress(range(len(insns)), map(_LABEL_FIELD, insns)):
            name = insns[i][5]
            if name is not None:
                if name in found:
                    raise LinkError(
                        f"duplicate label {name!r} (also at instruction {found[name]})", i
                    )
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
        insns = self._insns
        out = list(insns)
        for i, field, delta in zip(*self._resolve(), strict=True):
            insn = insns[i]
            out[i] = _make(insn[:field] + (delta,) + insn[field + 1 :])
        return self._keeping_sources(tuple(out))

    def _resolve(self, labels: dict[str, int] | None = None) -> _Links:
        """Every label reference: its index, field (3: off, 4: imm) and offset, in 3 lists.

        (Three lists of ints rather than a tuple per reference: the garbage collector does
        not have to walk them.)

        ``labels`` is :attr:`labels` when the caller already knows it (the assembler).
        """
        if self._resolved is None:
            self._resolved = self._compute_resolve(self.labels if labels is None else labels)
        return self._resolved

    def _compute_resolve(self, labels: dict[str, int]) -> _Links:
        # The common case at C speed (map/zip over the referring instructions); anything
        # unusual -- an undefined label, an offset near a limit -- takes the checked loop.
        insns = self._insns
        refs = list(compress(range(len(insns)), map(_REF_FIELD, insns)))
        self._symbol_refs = refs  # narrowed below to the references that are not labels
        if not refs:
            return [], [], []
        offsets = self.slot_offsets
        picked = list(map(insns.__getitem__, refs))
        # Jumps (the common case) are known by their opcode alone; calls, gotol and ld_imm64
        # also need their src.
        fields = list(map(_FIELD_BY_JUMP_OP.get, map(_OPCODE, picked), repeat(0)))
        if 0 in fields:
            fields = list(map(_FIELD_BY_OP_SRC.get, map(_OP_SRC, picked), repeat(0)))
        if 0 in fields:  # some refer to maps or kernel symbols: keep them for to_bytes
            chosen = list(compress(range(len(refs)), fields))
            self._symbol_refs = list(compress(refs, map(not_, fields)))
            at = [refs[k] for k in chosen]
            kinds = [fields[k] for k in chosen]
            names = [picked[k][6] for k in chosen]
        else:
            self._symbol_refs = []
            at, kinds, names = refs, fields, list(map(_REF_FIELD, picked))
        label_slots = dict(zip(labels, map(offsets.__getitem__, labels.values()), strict=True))
        try:
            targets = list(map(label_slots.__getitem__, names))
        except KeyError:
            return self._resolve_checked(labels, refs)
        # delta = target slot - own slot - 1, at C speed
        deltas = list(map(sub, map(sub, targets, map(offsets.__getitem__, at)), repeat(1)))
        if deltas and not -0x8000 <= min(deltas) <= max(deltas) <= 0x7FFF:
            return self._resolve_checked(labels, refs)
        return at, kinds, deltas

    def _resolve_checked(self, labels: dict[str, int], refs: list[int]) -> _Links:
        insns = self._insns
        offsets = self.slot_offsets
        resolved: _Links = ([], [], [])
        for i in refs:
            insn = insns[i]
            # Which field holds the pc-relative target (see Instruction.relative_offset).
            field = _TARGET_FIELD.get(insn[0], 0)
            if (
                field == 0
                or (field == 5 and insn[2] != _LOCAL)
                or (field == 6 and insn[2] != _FUNC)
            ):
                continue
            if field > 4:
                field = 4
            ref = insn[6]
            target = labels.get(ref)
            if target is None:
                raise LinkError(f"undefined label {ref!r} in `{insn}`", i)
            delta = offsets[target] - offsets[i] - 1
            if field == 3 and not -0x8000 <= delta <= 0x7FFF:
                raise LinkError(
                    f"jump offset {delta} does not fit in 16 bits (use gotol for long jumps) "
                    f"(target {ref!r})",
                    i,
                )
            if field == 4 and not -(1 << 31) <= delta < (1 << 31):
                raise LinkError(f"offset {delta} does not fit in 32 bits (target {ref!r})", i)
            resolved[0].append(i)
            resolved[1].append(field)
            resolved[2].append(delta)
        return resolved

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
        return self._keeping_sources(tuple(out))

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
        resolved = self._resolve()
        insns = self._insns
        if not allow_unresolved:
            for i in self._symbol_refs:
                insn = insns[i]
                if insn[0] in (LD_IMM64, CALL) and to_s32(insn[4]) == 0:
                    if insn.is_map_load:
                        raise LinkError(
                            f"map {insn[6]!r} has no file descriptor yet "
                            "(associate_map() it, or load the program through pyebpf)",
                            i,
                        )
                    if insn.is_kfunc_call:
                        raise LinkError(f"kfunc {insn[6]!r} has no BTF id yet", i)
        if byteorder == "little":
            encoded = self._encoded
            if isinstance(encoded, bytes):
                blob = encoded
            else:
                blob = b"".join(encoded if encoded is not None else _encode_le(insns))
            if not resolved[0]:
                return blob
            # Label references: write the linked offsets over the symbolic ones in place.
            buf = bytearray(blob)
            offsets = self.slot_offsets
            indexes, kinds, deltas = resolved
            if 4 not in kinds:  # jumps only: write each 16-bit offset at C speed
                slots = map(offsets.__getitem__, indexes)
                where = map(add, map(lshift, slots, repeat(3)), repeat(2))
                deque(map(_PACK_OFF, repeat(buf), where, deltas), maxlen=0)
                return bytes(buf)
            for i, field, delta in zip(*resolved, strict=True):
                at = offsets[i] << 3
                if field == 3:
                    _PACK_OFF(buf, at + 2, delta)
                else:
                    _PACK_IMM(buf, at + 4, delta)
                    if insns[i][0] == LD_IMM64:  # as encode_fields: the high word of delta
                        _PACK_IMM(buf, at + 12, to_s32(delta >> 32))
            return bytes(buf)
        parts = [encode_fields(i[0], i[1], i[2], i[3], i[4], byteorder) for i in insns]
        # Label references: encode the linked fields in place of the symbolic ones.
        for i, field, delta in zip(*resolved, strict=True):
            op, dst, src, off, imm = insns[i][:5]
            if field == 3:
                off = delta
            else:
                imm = delta
            parts[i] = encode_fields(op, dst, src, off, imm, byteorder)
        return b"".join(parts)

    @classmethod
    def from_bytes(
        cls, data: bytes | bytearray | memoryview, byteorder: str = "little"
    ) -> Instructions:
        """Decode raw bytecode; any invalid input raises :class:`DecodeError` naming the slot."""
        return cls._decode(data, byteorder)

    @classmethod
    def _decode(cls, data: bytes | bytearray | memoryview, byteorder: str) -> Instructions:
        # Fast path: real programs repeat a few hundred distinct slots many times, so each
        # distinct 8-byte value is unpacked and validated once. ld_imm64 pairs (and anything
        # invalid) are handled below; any irregularity falls back to the checked loop, which
        # gives the exact error.
        if byteorder in _BYTEORDERS and isinstance(data, bytes | bytearray | memoryview):
            raw = bytes(data)
            if not len(raw) % 8:
                decoded = _decode_distinct(raw, byteorder)
                if decoded is not None:
                    return cls._from_tuple(decoded)
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


# Opcode -> the field of its pc-relative target: 3 (off), 4 (imm), 5 (imm, if a local call),
# 6 (imm, if a function-pointer ld_imm64); opcodes not listed have none.
_TARGET_FIELD = {
    **{InsnClass.JMP | code | src: 3 for code in range(0, 0xF0, 0x10) for src in (0, 8)},
    **{InsnClass.JMP32 | code | src: 3 for code in range(0, 0xF0, 0x10) for src in (0, 8)},
    GOTOL: 4,
    CALL: 5,
    int(InsnClass.JMP | JumpOp.EXIT): 0,
    LD_IMM64: 6,
}
# (opcode, src) -> the field of the pc-relative target, for instructions that have one.
_FIELD_BY_OP_SRC = {
    **{(op, src): 3 for op, field in _TARGET_FIELD.items() if field == 3 for src in range(16)},
    (GOTOL, 0): 4,
    (CALL, int(CallKind.LOCAL)): 4,
    (LD_IMM64, int(PseudoSrc.FUNC)): 4,
}
_OP_SRC = itemgetter(0, 2)
# The same for the opcodes whose field does not depend on src: the jumps.
_FIELD_BY_JUMP_OP = {op: 3 for op, field in _TARGET_FIELD.items() if field == 3}
_Links = tuple[list[int], list[int], list[int]]  # see Instructions._resolve
_LOCAL = int(CallKind.LOCAL)
_FUNC = int(PseudoSrc.FUNC)


_LABEL_FIELD = itemgetter(5)
_OPCODE = itemgetter(0)
_REF_FIELD = itemgetter(6)


def _slot_offsets(insns: tuple[Instruction, ...]) -> tuple[int, ...]:
    """The slot of each instruction: its index plus the ld_imm64 before it (found at C speed)."""
    opcodes = bytes(map(_OPCODE, insns))
    runs = []
    start = extra = 0
    at = opcodes.find(LD_IMM64)
    while at >= 0:
        runs.append(range(start + extra, at + 1 + extra))
        start, extra = at + 1, extra + 1
        at = opcodes.find(LD_IMM64, start)
    runs.append(range(start + extra, len(insns) + extra))
    return tuple(chain.from_iterable(runs))


def _slot_offsets_of_code(code: bytes) -> tuple[int, ...]:
    """The same from the encoded program: every slot but the second half of an ld_imm64."""
    opcodes = code[0::8]
    runs = []
    start = 0
    at = opcodes.find(LD_IMM64)
    while at >= 0:
        runs.append(range(start, at + 1))
        start = at + 2
        at = opcodes.find(LD_IMM64, start)
    runs.append(range(start, len(opcodes)))
    return tuple(chain.from_iterable(runs))


def _s64(value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value & (1 << 63) else value


_RAW_LE = struct.Struct("<BBhi")
_PACK_OFF = struct.Struct("<h").pack_into
_PACK_IMM = struct.Struct("<i").pack_into
_RAW_BE = struct.Struct(">BBhi")


def _decode_distinct(raw: bytes, byteorder: str) -> tuple[Instruction, ...] | None:
    """Decode ``raw`` validating each distinct slot value once; None if any slot is unusual.

    "Unusual" is an invalid slot or a malformed ld_imm64 pair: the caller then decodes slot
    by slot to report the error exactly.
    """
    keys = memoryview(raw).cast("Q").tolist()  # slot values in native order: cache keys only
    unpack = (_RAW_LE if byteorder == "little" else _RAW_BE).unpack
    native = sys.byteorder
    little = byteorder == "little"
    cache: dict[int, Instruction | None] = {}
    for key in dict.fromkeys(keys):
        opcode, regs, off, imm = unpack(key.to_bytes(8, native))
        dst, src = (regs & 0x0F, regs >> 4) if little else (regs >> 4, regs & 0x0F)
        if opcode == LD_IMM64 or field_error(opcode, dst, src, off, imm) is not None:
            cache[key] = None  # an ld_imm64 half, or invalid: looked at in order below
        else:
            cache[key] = _make((opcode, dst, src, off, imm, None, None, None))
    out: list[Any] = list(map(cache.__getitem__, keys))  # None only at ld_imm64 halves
    special = [key for key, insn in cache.items() if insn is None]
    if not special:
        return tuple(out)
    # ld_imm64: the first slot must be valid and the second all zero except imm.
    n = len(keys)
    second: list[int] = []
    pairs: dict[tuple[int, int], Instruction] = {}  # the same loads recur too
    for i in compress(range(n), map(frozenset(special).__contains__, keys)):
        if second and second[-1] == i:
            continue  # the second half of the previous ld_imm64
        if i + 1 >= n:
            return None
        insn = pairs.get((keys[i], keys[i + 1]))
        if insn is None:
            opcode, regs, off, imm = unpack(raw[i * 8 : i * 8 + 8])
            dst, src = (regs & 0x0F, regs >> 4) if little else (regs >> 4, regs & 0x0F)
            if opcode != LD_IMM64 or field_error(opcode, dst, src, off, imm):
                return None
            op2, regs2, off2, imm2 = unpack(raw[i * 8 + 8 : i * 8 + 16])
            if op2 or regs2 or off2:
                return None
            value = (imm & 0xFFFFFFFF) | ((imm2 & 0xFFFFFFFF) << 32)
            insn = pairs[(keys[i], keys[i + 1])] = _make(
                (opcode, dst, src, off, _s64(value), None, None, None)
            )
        out[i] = insn
        second.append(i + 1)
    # Drop the second halves (stitching the runs between them).
    parts: list[Instruction] = []
    start = 0
    for j in second:
        parts += out[start:j]
        start = j + 1
    parts += out[start:]
    return tuple(parts)


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


def _encode_le(insns: tuple[Instruction, ...]) -> list[bytes]:
    """The little-endian encoding of each instruction (symbols as they stand)."""
    pack = _RAW_LE.pack
    return [
        pack(insn[0], (insn[2] << 4) | insn[1], insn[3], insn[4])
        if insn[0] != LD_IMM64
        else pack(LD_IMM64, (insn[2] << 4) | insn[1], insn[3], to_s32(insn[4]))
        + pack(0, 0, 0, to_s32(insn[4] >> 32))
        for insn in insns
    ]


def _gather(items: Sequence[Any], others: list[int]) -> list[Instruction]:
    """``items`` as instructions: ``others`` (the indexes of entries that are not plain
    instructions) are flattened, and each label names the instruction after it."""
    insns: list[Instruction] = []
    append = insns.append
    pending: str | None = None
    prev = 0
    end = len(items)
    others.append(end)
    for at in others:
        if at > prev:  # a run of plain instructions: the first takes a pending label
            if pending is not None:
                first = items[prev]
                if first[5] is not None and first[5] != pending:
                    raise InstructionError(
                        f"labels {pending!r} and {first[5]!r} name the same instruction"
                    )
                append(first.with_label(pending))
                pending = None
                prev += 1
            insns.extend(items[prev:at])
        prev = at + 1
        if at == end:
            break
        for item in _flatten((items[at],)):
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
            append(item)
    if pending is not None:
        raise InstructionError(f"label {pending!r} is not followed by an instruction")
    return insns


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
            yield from item._public()
        elif isinstance(item, Iterable) and not isinstance(item, str | bytes):
            yield from _flatten(item)
        else:
            raise InstructionError(f"not an instruction: {item!r}")


# Public constants that callers use with slots and symbols.
__all__ = ["Instructions", "Label", "iter_raw_slots", "PseudoSrc", "CallKind"]
