"""The ELF container: sections, symbols and relocations of a BPF object.

pyelftools reads the ELF and section headers; section contents, symbols and relocations are
sliced and unpacked here with :mod:`struct` (fast, and every bound is checked so that a
malformed object gives an :class:`~pyebpf.errors.ElfError` naming the section and offset).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from enum import IntEnum

from elftools.common.exceptions import ELFError as _PyelftoolsError
from elftools.construct.core import ConstructError as _ConstructError
from elftools.elf.elffile import ELFFile

from ..errors import ElfError

EM_NONE = 0
EM_BPF = 247

SHT_NULL = 0
SHT_PROGBITS = 1
SHT_SYMTAB = 2
SHT_STRTAB = 3
SHT_RELA = 4
SHT_NOBITS = 8
SHT_REL = 9

SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4

SHN_UNDEF = 0
SHN_LORESERVE = 0xFF00
SHN_ABS = 0xFFF1
SHN_COMMON = 0xFFF2


class SymbolType(IntEnum):
    NOTYPE = 0
    OBJECT = 1
    FUNC = 2
    SECTION = 3
    FILE = 4


class SymbolBinding(IntEnum):
    LOCAL = 0
    GLOBAL = 1
    WEAK = 2


class RelocType(IntEnum):
    """``R_BPF_*`` relocation types."""

    NONE = 0
    R_BPF_64_64 = 1
    R_BPF_64_ABS64 = 2
    R_BPF_64_ABS32 = 3
    R_BPF_64_NODYLD32 = 4
    R_BPF_64_32 = 10


@dataclass(frozen=True, slots=True)
class Section:
    index: int
    name: str
    type: int
    flags: int
    size: int
    link: int
    info: int
    entsize: int
    data: bytes  # empty for SHT_NOBITS

    @property
    def is_program(self) -> bool:
        return self.type == SHT_PROGBITS and bool(self.flags & SHF_EXECINSTR)


@dataclass(frozen=True, slots=True)
class Symbol:
    index: int
    name: str
    type: int  # SymbolType value (kept as int: unknown values are legal ELF)
    binding: int
    visibility: int
    section: int
    value: int
    size: int

    @property
    def is_undefined(self) -> bool:
        return self.section == SHN_UNDEF


@dataclass(frozen=True, slots=True)
class Relocation:
    offset: int
    type: int
    symbol: Symbol


@dataclass(frozen=True)
class ElfObject:
    """Sections by index (and name), the symbol table and each section's relocations."""

    byteorder: str
    machine: int
    sections: tuple[Section, ...]
    symbols: tuple[Symbol, ...]
    relocations: dict[int, tuple[Relocation, ...]]  # target section index -> relocations

    def section_named(self, name: str) -> Section | None:
        for section in self.sections:
            if section.name == name:
                return section
        return None


_SYM_LE = struct.Struct("<IBBHQQ")
_SYM_BE = struct.Struct(">IBBHQQ")
_REL_LE = struct.Struct("<QQ")
_REL_BE = struct.Struct(">QQ")


def read_elf(data: bytes) -> ElfObject:
    """Parse the container of a BPF object."""
    if len(data) < 64:
        raise ElfError(f"{len(data)} bytes is too short for an ELF header", offset=0)
    if data[:4] != b"\x7fELF":
        raise ElfError(f"not an ELF file (magic {data[:4]!r})", offset=0)
    if data[4] != 2:
        raise ElfError(f"only 64-bit ELF is supported (EI_CLASS {data[4]})", offset=4)
    if data[5] not in (1, 2):
        raise ElfError(f"unknown byte order (EI_DATA {data[5]})", offset=5)
    byteorder = "little" if data[5] == 1 else "big"
    try:
        elf = ELFFile(io.BytesIO(data))
        machine_name = elf.header["e_machine"]
        machine = _machine_number(machine_name)
        if elf.header["e_type"] not in ("ET_REL", 1):
            raise ElfError(
                f"expected a relocatable object (ET_REL), not {elf.header['e_type']}", offset=16
            )
        headers = []
        for index in range(elf.num_sections()):
            section = elf.get_section(index)
            headers.append((index, section.name, section.header))
    except (
        _PyelftoolsError,
        _ConstructError,
        UnicodeDecodeError,
        OverflowError,
        ValueError,
    ) as exc:
        # pyelftools does not bound-check what it reads from headers: a huge or negative
        # offset surfaces as OverflowError/ValueError from seek(), a bad name as UnicodeDecodeError.
        raise ElfError(f"malformed ELF headers: {type(exc).__name__}: {exc}") from None
    if machine not in (EM_BPF, EM_NONE):
        raise ElfError(f"not a BPF object (e_machine {machine_name})", offset=18)

    sections = []
    for index, name, h in headers:
        offset, size = h["sh_offset"], h["sh_size"]
        sh_type = _int(h["sh_type"])
        if sh_type in (SHT_NULL, SHT_NOBITS):
            body = b""
        else:
            if offset > len(data) or size > len(data) - offset:
                raise ElfError(
                    f"contents ({offset:#x}+{size:#x}) run past the end of the file ({len(data):#x} bytes)",
                    name or f"#{index}",
                    offset,
                )
            body = data[offset : offset + size]
        sections.append(
            Section(
                index,
                name,
                sh_type,
                h["sh_flags"],
                size,
                h["sh_link"],
                h["sh_info"],
                h["sh_entsize"],
                body,
            )
        )
    symbols = _read_symbols(sections, byteorder)
    relocations = _read_relocations(sections, symbols, byteorder)
    return ElfObject(byteorder, machine, tuple(sections), symbols, relocations)


def _machine_number(value: object) -> int:
    if isinstance(value, int):
        return value
    return {"EM_NONE": EM_NONE, "EM_BPF": EM_BPF}.get(str(value), -1)


_SHT_NAMES = {
    "SHT_NULL": 0,
    "SHT_PROGBITS": 1,
    "SHT_SYMTAB": 2,
    "SHT_STRTAB": 3,
    "SHT_RELA": 4,
    "SHT_NOBITS": 8,
    "SHT_REL": 9,
}


def _int(value: object) -> int:
    """pyelftools gives names for known enum values and ints for the rest."""
    if isinstance(value, int):
        return value
    return _SHT_NAMES.get(str(value), -1)


def _string(table: Section, offset: int, what: str) -> str:
    if offset >= len(table.data):
        raise ElfError(
            f"{what}: name offset {offset:#x} is outside {table.name}", table.name, offset
        )
    end = table.data.find(b"\0", offset)
    if end < 0:
        raise ElfError(f"{what}: name at {offset:#x} is not NUL-terminated", table.name, offset)
    try:
        return table.data[offset:end].decode()
    except UnicodeDecodeError:
        raise ElfError(f"{what}: name at {offset:#x} is not UTF-8", table.name, offset) from None


def _read_symbols(sections: list[Section], byteorder: str) -> tuple[Symbol, ...]:
    tables = [s for s in sections if s.type == SHT_SYMTAB]
    if not tables:
        return ()
    if len(tables) > 1:
        raise ElfError("more than one symbol table", tables[1].name)
    symtab = tables[0]
    if symtab.link >= len(sections) or sections[symtab.link].type != SHT_STRTAB:
        raise ElfError(f"sh_link {symtab.link} is not a string table", symtab.name)
    strtab = sections[symtab.link]
    if len(symtab.data) % 24:
        raise ElfError(f"size {len(symtab.data)} is not a multiple of 24", symtab.name)
    raw = _SYM_LE if byteorder == "little" else _SYM_BE
    symbols = []
    for i, (name_off, info, other, shndx, value, size) in enumerate(raw.iter_unpack(symtab.data)):
        if shndx < SHN_LORESERVE and shndx >= len(sections):
            raise ElfError(
                f"symbol {i} is in section {shndx}, which does not exist", symtab.name, i * 24
            )
        sym_type = info & 0xF
        if sym_type == SymbolType.SECTION and name_off == 0 and 0 < shndx < len(sections):
            name = sections[shndx].name
        else:
            name = _string(strtab, name_off, f"symbol {i}")
        symbols.append(Symbol(i, name, sym_type, info >> 4, other & 0x3, shndx, value, size))
    return tuple(symbols)


def _read_relocations(
    sections: list[Section], symbols: tuple[Symbol, ...], byteorder: str
) -> dict[int, tuple[Relocation, ...]]:
    raw = _REL_LE if byteorder == "little" else _REL_BE
    out: dict[int, tuple[Relocation, ...]] = {}
    for section in sections:
        if section.type == SHT_RELA:
            raise ElfError("RELA relocations are not used by BPF objects", section.name)
        if section.type != SHT_REL:
            continue
        target = section.info
        if not 0 < target < len(sections):
            raise ElfError(f"sh_info {target} names no section", section.name)
        if not sections[target].flags & SHF_ALLOC:
            continue  # relocations of debug info, .BTF and .BTF.ext: offsets we never use
        if len(section.data) % 16:
            raise ElfError(f"size {len(section.data)} is not a multiple of 16", section.name)
        relocs = []
        for i, (offset, info) in enumerate(raw.iter_unpack(section.data)):
            sym_index = info >> 32
            if sym_index >= len(symbols):
                raise ElfError(
                    f"relocation {i} refers to symbol {sym_index}, which does not exist",
                    section.name,
                    i * 16,
                )
            relocs.append(Relocation(offset, info & 0xFFFFFFFF, symbols[sym_index]))
        out[target] = tuple(relocs)
    return out
