"""Program sections: split into functions, apply relocations, link bpf-to-bpf calls.

Each function symbol of an executable section becomes a :class:`Function` whose
instructions carry symbolic references (maps, data sections, callees, externs). A program is
a function outside ``.text`` followed by the bodies of every function it reaches, as libbpf
lays them out; BTF func and line info are rebased to the program's slots.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter
from typing import Any

from ..asm import Instruction, Instructions
from ..asm.opcodes import CallKind, PseudoSrc
from ..btf import BTFExt, CORERelocation, FuncInfo, FuncInfoTable, LineInfoTable, SourceLine
from ..btf.ext import LineRows
from ..errors import DecodeError, ElfError
from .container import ElfObject, Relocation, RelocType, Section, SymbolType
from .externs import ExternSpec


@dataclass
class Function:
    name: str
    section: Section
    start: int  # byte offset in the section
    size: int  # bytes
    instructions: Instructions = field(default_factory=Instructions)


_CALL_OR_LD = frozenset((0x85, 0x18))
_OP = itemgetter(0)


@dataclass(frozen=True)
class Target:
    """What an ld_imm64 relocation may point at, by section index."""

    map_sections: dict[int, dict[int, str]]  # section -> {offset: map name}
    data_sections: dict[int, str]  # section -> data map name
    externs: dict[str, ExternSpec]


def decode_section(section: Section, byteorder: str) -> Instructions:
    if section.size % 8:
        raise ElfError(f"size {section.size} is not a multiple of 8", section.name)
    try:
        return Instructions.from_bytes(section.data, byteorder)
    except DecodeError as exc:
        raise ElfError(
            f"bad instruction: {exc.reason}", section.name, (exc.slot or 0) * 8
        ) from None


def split_functions(elf: ElfObject, section: Section, insns: Instructions) -> list[Function]:
    """The FUNC symbols of a section, checked to tile its instructions without overlap."""
    syms = sorted(
        (s for s in elf.symbols if s.section == section.index and s.type == SymbolType.FUNC),
        key=lambda s: s.value,
    )
    if not syms and insns:
        raise ElfError("instructions but no function symbol (is this a BPF object?)", section.name)
    slot_count = insns.slot_count
    funcs = []
    for i, sym in enumerate(syms):
        if sym.value % 8 or sym.size % 8 or sym.size == 0:
            raise ElfError(
                f"function {sym.name!r} has a misaligned start or size", section.name, sym.value
            )
        end = sym.value + sym.size
        if end > slot_count * 8:
            raise ElfError(
                f"function {sym.name!r} runs past the end of the section", section.name, sym.value
            )
        if i + 1 < len(syms) and end > syms[i + 1].value:
            raise ElfError(
                f"function {sym.name!r} overlaps {syms[i + 1].name!r}",
                section.name,
                syms[i + 1].value,
            )
        funcs.append(Function(sym.name, section, sym.value, sym.size))
    return funcs


class Relocator:
    """Applies one section's relocations and local call targets to its functions."""

    def __init__(
        self, elf: ElfObject, target: Target, functions_by_section: dict[int, list[Function]]
    ) -> None:
        self.elf = elf
        self.target = target
        self.functions_by_section = functions_by_section
        self._replaced: dict[tuple[Any, ...], Instruction] = {}
        self._starts: dict[int, dict[int, str]] = {}  # section -> function start -> name

    def function_at(self, section_index: int, offset: int, where: Section, at: int) -> str:
        starts = self._starts.get(section_index)
        if starts is None:
            # First function at each offset, as a scan in order would find it.
            starts = self._starts[section_index] = {}
            for func in self.functions_by_section.get(section_index, ()):
                starts.setdefault(func.start, func.name)
        found = starts.get(offset)
        if found is not None:
            return found
        name = (
            self.elf.sections[section_index].name
            if section_index < len(self.elf.sections)
            else section_index
        )
        raise ElfError(f"no function starts at {name}+{offset:#x}", where.name, at)

    def relocate(self, section: Section, insns: Instructions, funcs: list[Function]) -> None:
        relocs = {r.offset: r for r in self.elf.relocations.get(section.index, ())}
        offsets = insns.slot_offsets
        count = len(offsets)

        def index_at(slot: int) -> int | None:
            """The instruction starting at ``slot`` (None inside an ld_imm64 or past the end)."""
            i = bisect.bisect_left(offsets, slot)
            return i if i < count and offsets[i] == slot else None

        for r in relocs.values():
            index = index_at(r.offset // 8) if r.offset % 8 == 0 else None
            if index is None:
                raise ElfError(
                    "relocation does not point at an instruction", section.name, r.offset
                )
            reloc_insn = insns[index]
            if reloc_insn[0] != 0x85 and reloc_insn[0] != 0x18:
                self._apply(section, reloc_insn, r, r.offset)  # raises: explains what is wrong
        # Only calls and ld_imm64 can carry relocations or local targets: find them once.
        special = list(compress(range(count), map(_CALL_OR_LD.__contains__, map(_OP, insns))))
        out = list(insns)
        for func in funcs:
            first = index_at(func.start // 8)
            last_slot = (func.start + func.size) // 8
            last = index_at(last_slot)
            if first is None or (last_slot < insns.slot_count and last is None):
                raise ElfError(
                    f"function {func.name!r} does not start and end on instructions",
                    section.name,
                    func.start,
                )
            if last is None:
                last = count
            lo, hi = bisect.bisect_left(special, first), bisect.bisect_left(special, last)
            for i in special[lo:hi]:
                insn = out[i]
                at = offsets[i] * 8
                reloc = relocs.get(at)
                if reloc is not None:
                    out[i] = self._apply(section, insn, reloc, at)
                elif insn.is_local_call or insn.is_func_ref:
                    # A pc-relative target in the same section that needed no relocation.
                    callee_at = (offsets[i] + 1 + (insn.relative_offset or 0)) * 8
                    out[i] = insn.with_reference(
                        self.function_at(section.index, callee_at, section, at)
                    )
            body = out[first:last]
            body[0] = body[0].with_label(func.name)
            func.instructions = Instructions(body)

    def _replace(self, insn: Instruction, **changes: Any) -> Instruction:
        """``insn.replace(**changes)``, memoised: the same load or call of the same map or
        function recurs throughout a large object, and ``replace`` validates every field."""
        key = (tuple(insn), tuple(changes.items()))
        done = self._replaced.get(key)
        if done is None:
            done = self._replaced[key] = insn.replace(**changes)
        return done

    def _apply(
        self, section: Section, insn: Instruction, reloc: Relocation, at: int
    ) -> Instruction:
        sym = reloc.symbol
        if reloc.type == RelocType.R_BPF_64_32:
            if not insn.is_call:
                raise ElfError(
                    f"R_BPF_64_32 relocation on `{insn}`, which is not a call", section.name, at
                )
            if sym.is_undefined:
                ext = self.target.externs.get(sym.name)
                if ext is None or ext.kind != "kfunc":
                    raise ElfError(
                        f"call to undefined {sym.name!r}, which is not a kfunc", section.name, at
                    )
                return self._replace(insn, src=CallKind.KFUNC, imm=0, reference=sym.name)
            if (
                sym.section >= len(self.elf.sections)
                or not self.elf.sections[sym.section].is_program
            ):
                raise ElfError(
                    f"call to {sym.name!r}, which is not in a program section", section.name, at
                )
            offset = sym.value + (insn.imm + 1) * 8
            callee = self.function_at(sym.section, offset, section, at)
            return self._replace(insn, src=CallKind.LOCAL, imm=-1, reference=callee)
        if reloc.type != RelocType.R_BPF_64_64:
            name = (
                RelocType(reloc.type).name
                if reloc.type in RelocType._value2member_map_
                else str(reloc.type)
            )
            raise ElfError(
                f"relocation type {name} cannot apply to an instruction", section.name, at
            )
        if not insn.is_ld_imm64:
            raise ElfError(
                f"R_BPF_64_64 relocation on `{insn}`, which is not ld_imm64", section.name, at
            )
        if sym.is_undefined:
            return self._extern_load(section, insn, sym.name, at)
        offset = sym.value + insn.imm_low
        if sym.section in self.target.map_sections:
            maps = self.target.map_sections[sym.section]
            map_name = maps.get(offset) if sym.type == SymbolType.SECTION else maps.get(sym.value)
            if map_name is None:
                raise ElfError(f"ld_imm64 of {sym.name!r}, which is not a map", section.name, at)
            return self._replace(insn, src=PseudoSrc.MAP_FD, imm=0, reference=map_name)
        if sym.section in self.target.data_sections:
            if not 0 <= offset <= 0xFFFFFFFF:
                raise ElfError(
                    f"data offset {offset} of {sym.name!r} is out of range", section.name, at
                )
            return self._replace(
                insn,
                src=PseudoSrc.MAP_VALUE,
                imm=offset << 32,
                reference=self.target.data_sections[sym.section],
            )
        if sym.section < len(self.elf.sections) and self.elf.sections[sym.section].is_program:
            if offset % 8:
                raise ElfError(
                    f"function address {sym.name!r}+{offset:#x} is misaligned", section.name, at
                )
            callee = self.function_at(sym.section, offset, section, at)
            return self._replace(insn, src=PseudoSrc.FUNC, imm=0, reference=callee)
        where = (
            self.elf.sections[sym.section].name
            if sym.section < len(self.elf.sections)
            else sym.section
        )
        raise ElfError(
            f"ld_imm64 of {sym.name!r} in section {where}, which is neither map, data nor code",
            section.name,
            at,
        )

    def _extern_load(self, section: Section, insn: Instruction, name: str, at: int) -> Instruction:
        ext = self.target.externs.get(name)
        if ext is None:
            raise ElfError(f"ld_imm64 of undefined symbol {name!r}", section.name, at)
        if ext.kind == "kconfig":
            return self._replace(
                insn, src=PseudoSrc.MAP_VALUE, imm=ext.offset << 32, reference=".kconfig"
            )
        if ext.kind == "ksym":
            src = PseudoSrc.BTF_ID if ext.typed else PseudoSrc.IMM
            return self._replace(insn, src=src, imm=0, reference=name)
        if ext.kind == "kfunc":
            # The address of a kfunc (e.g. to test it for existence): a BTF id load.
            return self._replace(insn, src=PseudoSrc.BTF_ID, imm=0, reference=name)
        raise ElfError(f"ld_imm64 of extern {name!r} of kind {ext.kind}", section.name, at)


@dataclass(frozen=True)
class LinkedProgram:
    instructions: Instructions
    func_info: FuncInfoTable
    line_info: LineInfoTable
    core_relos: tuple[CORERelocation, ...]


class ExtIndex:
    """BTF.ext records of each section, sorted by offset, for range lookups per function.

    Line info stays in raw rows (see :class:`LineInfoTable`): programs get lazy tables.
    """

    def __init__(self, ext: BTFExt | None) -> None:
        self._tables: dict[tuple[str, str], tuple[list[int], list[Any]]] = {}
        self._lines: dict[str, tuple[list[int], LineRows]] = {}  # flat raw records
        self.sources: dict[str, Mapping[tuple[int, int, int], SourceLine]] = {}
        if ext is None:
            return
        tables: tuple[tuple[str, Mapping[str, tuple[Any, ...]]], ...] = (
            ("func", ext.func_info),
            ("core", ext.core_relos),
        )
        for what, per_section in tables:
            for section, records in per_section.items():
                ordered = sorted(records, key=lambda r: r.insn_off)
                self._tables[(what, section)] = ([r.insn_off for r in ordered], ordered)
        for section, table in ext.line_info.items():
            rows = table.rows()
            offsets = list(rows[0::4])
            if offsets != sorted(offsets):
                it = iter(rows)
                ordered = sorted(zip(it, it, it, it, strict=False), key=_OP)
                rows = [v for row in ordered for v in row]
                offsets = list(rows[0::4])
            self._lines[section] = (offsets, rows)
            self.sources[section] = table.sources

    def between(self, what: str, section: str, lo: int, hi: int) -> list[Any]:
        table = self._tables.get((what, section))
        if table is None:
            return []
        offsets, records = table
        return records[bisect.bisect_left(offsets, lo) : bisect.bisect_left(offsets, hi)]

    def lines_between(self, section: str, lo: int, hi: int) -> LineRows:
        """The flat raw line records of ``section`` at byte offsets ``lo`` to ``hi``."""
        table = self._lines.get(section)
        if table is None:
            return ()
        offsets, rows = table
        return rows[4 * bisect.bisect_left(offsets, lo) : 4 * bisect.bisect_left(offsets, hi)]


class _Sources(Mapping[tuple[int, int, int], SourceLine]):
    """The source lines of several sections' line info, as one mapping."""

    def __init__(self, maps: list[Mapping[tuple[int, int, int], SourceLine]]) -> None:
        self._maps = maps

    def __getitem__(self, key: tuple[int, int, int]) -> SourceLine:
        for m in self._maps:
            found = m.get(key)
            if found is not None:
                return found
        raise KeyError(key)

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return iter({k: None for m in self._maps for k in m})

    def __len__(self) -> int:
        return sum(1 for _ in self)


def link_program(main: Function, functions: dict[str, Function], ext: ExtIndex) -> LinkedProgram:
    """``main`` followed by every function it calls or takes the address of, transitively."""
    order = [main]
    seen = {main.name}
    i = 0
    while i < len(order):
        for ref in sorted(order[i].instructions.function_references()):
            if ref in seen:
                continue
            callee = functions.get(ref)
            if callee is None:
                raise ElfError(
                    f"{order[i].name} calls {ref!r}, which is not defined", order[i].section.name
                )
            seen.add(ref)
            order.append(callee)
        i += 1
    body: list[Instruction] = []
    func_info: list[FuncInfo] = []
    line_chunks: list[tuple[LineRows, int]] = []
    line_sources: list[Mapping[tuple[int, int, int], SourceLine]] = []
    core: list[CORERelocation] = []
    slot = 0
    for func in order:
        base = slot * 8 - func.start  # new byte offset = old byte offset + base
        lo, hi = func.start, func.start + func.size
        sec = func.section.name
        lines = ext.lines_between(sec, lo, hi)
        if lines:
            line_chunks.append((lines, base))
            section_sources = ext.sources[sec]
            if not any(m is section_sources for m in line_sources):
                line_sources.append(section_sources)
        if base == 0:
            # A program at the start of its own section (the usual layout): the records
            # are already right, and they are immutable.
            func_info += ext.between("func", sec, lo, hi)
            core += ext.between("core", sec, lo, hi)
        else:
            for rec in ext.between("func", sec, lo, hi):
                func_info.append(FuncInfo(rec.insn_off + base, rec.type_id))
            for relo in ext.between("core", sec, lo, hi):
                core.append(
                    CORERelocation(relo.insn_off + base, relo.type_id, relo.access, relo.kind)
                )
        body.extend(func.instructions)
        slot += func.instructions.slot_count
    sources = line_sources[0] if len(line_sources) == 1 else _Sources(line_sources)
    line_info = LineInfoTable.from_rows(line_chunks, sources)
    instructions = Instructions._from_tuple(tuple(body))
    if line_chunks:
        instructions = instructions.with_lazy_sources(_SourcesOf(instructions, line_info))
    return LinkedProgram(
        instructions,
        FuncInfoTable(func_info),
        line_info,
        tuple(core),
    )


class _SourcesOf:
    """The C source line of each instruction of a linked program, from its line info.

    Called (once) when the program's instructions are first looked at; several records at
    one slot: the last one counts.
    """

    __slots__ = ("_program", "_line_info")

    def __init__(self, program: Instructions, line_info: LineInfoTable) -> None:
        self._program = program
        self._line_info = line_info

    def __call__(self) -> list[SourceLine | None]:
        # (Called by Instructions with the garbage collector paused.)
        by_slot = self._line_info.source_by_slot()
        return list(map(by_slot.get, self._program.slot_offsets))
