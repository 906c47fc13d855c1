"""Map definitions: BTF-defined ``.maps``, legacy ``maps`` and global data sections."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import cast

from ..btf import BTF, BTFType, Kind, Linkage
from ..errors import BTFError, ElfError
from ..kernel_tables import MapType
from ..spec import MapSpec, Pinning
from .container import ElfObject, RelocType, Section, SymbolBinding, SymbolType

BPF_F_RDONLY_PROG = 1 << 7
BPF_F_MMAPABLE = 1 << 10

_UINT_FIELDS = {
    "type": "type",
    "max_entries": "max_entries",
    "map_flags": "flags",
    "numa_node": "numa_node",
    "map_extra": "map_extra",
    "pinning": "pinning",
    "key_size": "key_size",
    "value_size": "value_size",
}


@dataclass(frozen=True)
class MapSymbol:
    """Where a map definition sits in its section (for relocations that name it)."""

    name: str
    section: str
    offset: int
    size: int


def _uint(btf: BTF, member_type: int, map_name: str, field: str) -> int:
    """``__uint(field, N)`` is ``int (*field)[N]``: N is the array's element count."""
    ptr = btf.resolve(member_type)
    if ptr.kind != Kind.PTR:
        raise BTFError(f"map {map_name!r}: {field} is not a __uint() pointer ({ptr})", ".BTF")
    array = btf.resolve(ptr.type)
    if array.kind != Kind.ARRAY:
        raise BTFError(f"map {map_name!r}: {field} does not point to an array ({array})", ".BTF")
    return array.nelems


def _pointee(btf: BTF, member_type: int, map_name: str, field: str) -> int:
    """``__type(field, T)`` is ``T *field``: the id of T."""
    ptr = btf.resolve(member_type)
    if ptr.kind != Kind.PTR:
        raise BTFError(f"map {map_name!r}: {field} is not a __type() pointer ({ptr})", ".BTF")
    return ptr.type


def map_from_btf(
    btf: BTF, struct_type: BTFType, name: str, values: dict[int, str] | None = None
) -> MapSpec:
    """A MapSpec from a BTF map definition struct; ``values`` are the ``.values`` entries."""
    if struct_type.kind != Kind.STRUCT:
        raise BTFError(f"map {name!r}: definition is {struct_type}, not a struct", ".BTF")
    fields: dict[str, object] = {"name": name, "btf": btf}
    key_size = value_size = None
    inner: MapSpec | None = None
    for member in struct_type.members:
        if member.name in _UINT_FIELDS:
            fields[_UINT_FIELDS[member.name]] = _uint(btf, member.type, name, member.name)
        elif member.name == "key":
            type_id = _pointee(btf, member.type, name, "key")
            fields["key_type_id"] = type_id
            key_size = btf.size_of(type_id)
        elif member.name == "value":
            type_id = _pointee(btf, member.type, name, "value")
            fields["value_type_id"] = type_id
            value_size = btf.size_of(type_id)
        elif member.name == "values":
            inner = _values_member(btf, member.type, name)
        else:
            raise BTFError(f"map {name!r}: unknown field {member.name!r}", ".BTF")
    map_type = fields.get("type", 0)
    try:
        fields["type"] = MapType(cast(int, map_type))
    except ValueError:
        raise BTFError(f"map {name!r}: unknown map type {map_type}", ".BTF") from None
    if fields.get("pinning", 0) not in (0, 1):
        raise BTFError(f"map {name!r}: unknown pinning {fields['pinning']}", ".BTF")
    fields["pinning"] = Pinning(int(fields.get("pinning", 0)))  # type: ignore[call-overload]
    for field, size in (("key_size", key_size), ("value_size", value_size)):
        if size is not None:
            if field in fields and fields[field] != size:
                raise BTFError(
                    f"map {name!r}: {field} {fields[field]} disagrees with the type's size {size}",
                    ".BTF",
                )
            fields[field] = size
        fields.setdefault(field, 0)
    fields.setdefault("max_entries", 0)
    map_type = fields["type"]
    if map_type in (MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS):
        if inner is None:
            raise BTFError(
                f"map {name!r}: a map of maps needs a 'values' inner map definition", ".BTF"
            )
        fields["inner_map"] = inner
        fields["value_size"] = 4
    elif inner is not None and map_type != MapType.PROG_ARRAY:
        raise BTFError(
            f"map {name!r}: 'values' is only allowed for prog arrays and maps of maps", ".BTF"
        )
    if map_type == MapType.PROG_ARRAY:
        fields["value_size"] = 4
    if values:
        fields["contents"] = tuple(sorted(values.items()))
    try:
        return MapSpec(**fields)  # type: ignore[arg-type]
    except Exception as exc:  # SpecError: a value that MapSpec refuses
        raise BTFError(f"map {name!r}: {exc}", ".BTF") from None


def _values_member(btf: BTF, member_type: int, name: str) -> MapSpec | None:
    """``__array(values, T)`` is ``T *values[]``: an inner map definition or a program type."""
    array = btf.resolve(member_type)
    if array.kind != Kind.ARRAY:
        raise BTFError(f"map {name!r}: values is not an array ({array})", ".BTF")
    ptr = btf.resolve(array.type)
    if ptr.kind != Kind.PTR:
        raise BTFError(f"map {name!r}: values are not pointers ({ptr})", ".BTF")
    target = btf.resolve(ptr.type)
    if target.kind == Kind.STRUCT:
        return map_from_btf(btf, target, f"{name}.inner")
    if target.kind == Kind.FUNC_PROTO:
        return None  # prog array: entries are programs
    raise BTFError(f"map {name!r}: values point to {target}, not a map or a function", ".BTF")


def btf_maps(
    elf: ElfObject, section: Section, btf: BTF | None
) -> tuple[dict[str, MapSpec], dict[str, MapSymbol]]:
    """Every map of a ``.maps`` section, with ``values`` from its ABS64 relocations."""
    if btf is None:
        raise ElfError("BTF-defined maps need a .BTF section", section.name)
    datasecs = btf.find(section.name, Kind.DATASEC)
    if not datasecs:
        raise ElfError("no BTF DATASEC describes this section", section.name)
    symbols = {
        s.name: s
        for s in elf.symbols
        if s.section == section.index
        and s.type in (SymbolType.OBJECT, SymbolType.NOTYPE)
        and s.name
    }
    locations: dict[str, MapSymbol] = {}
    definitions: dict[str, BTFType] = {}
    for info in datasecs[0].secinfos:
        var = btf[info.type]
        if var.kind != Kind.VAR:
            raise BTFError(f"{section.name} entry {var} is not a variable", ".BTF")
        sym = symbols.get(var.name)
        if sym is None:
            raise ElfError(f"map {var.name!r} has BTF but no symbol", section.name)
        if sym.binding == SymbolBinding.LOCAL:
            raise ElfError(
                f"map {var.name!r} is static; maps must be global", section.name, sym.value
            )
        locations[var.name] = MapSymbol(var.name, section.name, sym.value, sym.size or info.size)
        definitions[var.name] = btf.resolve(var.type)
    values = _initial_values(elf, section, locations, definitions, btf)
    maps = {
        name: map_from_btf(btf, definition, name, values.get(name))
        for name, definition in definitions.items()
    }
    return maps, locations


def _initial_values(
    elf: ElfObject,
    section: Section,
    locations: dict[str, MapSymbol],
    definitions: dict[str, BTFType],
    btf: BTF,
) -> dict[str, dict[int, str]]:
    """``.values = { [i] = &inner_map or &prog }``: ABS64 relocations into the values array."""
    out: dict[str, dict[int, str]] = {}
    for reloc in elf.relocations.get(section.index, ()):
        if reloc.type != RelocType.R_BPF_64_ABS64:
            raise ElfError(
                f"unexpected relocation type {reloc.type} in a map definition",
                section.name,
                reloc.offset,
            )
        owner = next(
            (m for m in locations.values() if m.offset <= reloc.offset < m.offset + m.size), None
        )
        if owner is None:
            raise ElfError("relocation outside every map definition", section.name, reloc.offset)
        member = next((m for m in definitions[owner.name].members if m.name == "values"), None)
        if member is None:
            raise ElfError(
                f"map {owner.name!r} has initial values but no 'values' field",
                section.name,
                reloc.offset,
            )
        start = owner.offset + member.bit_offset // 8
        delta = reloc.offset - start
        if delta < 0 or delta % 8:
            raise ElfError(
                f"map {owner.name!r}: misaligned 'values' entry", section.name, reloc.offset
            )
        out.setdefault(owner.name, {})[delta // 8] = reloc.symbol.name
    return out


_LEGACY = struct.Struct("IIIII")


def legacy_maps(
    elf: ElfObject, section: Section
) -> tuple[dict[str, MapSpec], dict[str, MapSymbol]]:
    """``struct bpf_map_def`` maps; bytes after the five standard fields become ``extra``."""
    syms = sorted(
        (
            s
            for s in elf.symbols
            if s.section == section.index
            and s.type in (SymbolType.OBJECT, SymbolType.NOTYPE)
            and s.name
        ),
        key=lambda s: s.value,
    )
    e = "<" if elf.byteorder == "little" else ">"
    maps: dict[str, MapSpec] = {}
    locations: dict[str, MapSymbol] = {}
    for i, sym in enumerate(syms):
        end = syms[i + 1].value if i + 1 < len(syms) else section.size
        if sym.size:
            end = sym.value + sym.size
        if sym.value + _LEGACY.size > end or end > len(section.data):
            raise ElfError(
                f"map {sym.name!r}: definition is shorter than struct bpf_map_def",
                section.name,
                sym.value,
            )
        fields = struct.unpack_from(e + "IIIII", section.data, sym.value)
        try:
            map_type = MapType(fields[0])
        except ValueError:
            raise ElfError(
                f"map {sym.name!r}: unknown map type {fields[0]}", section.name, sym.value
            ) from None
        extra = section.data[sym.value + _LEGACY.size : end]
        try:
            maps[sym.name] = MapSpec(
                name=sym.name,
                type=map_type,
                key_size=fields[1],
                value_size=fields[2],
                max_entries=fields[3],
                flags=fields[4],
                extra=extra,
            )
        except Exception as exc:  # SpecError
            raise ElfError(f"map {sym.name!r}: {exc}", section.name, sym.value) from None
        locations[sym.name] = MapSymbol(sym.name, section.name, sym.value, end - sym.value)
    return maps, locations


def is_data_section(name: str) -> bool:
    return any(name == base or name.startswith(base + ".") for base in (".data", ".rodata", ".bss"))


def data_map(section: Section, btf: BTF | None) -> MapSpec:
    """A global-data section as a one-element array map holding the section's bytes.

    As in libbpf, the map is mmapable only when BTF describes the section with at least one
    non-static variable (so string-literal sections like ``.rodata.str1.1`` are not).
    """
    read_only = section.name == ".rodata" or section.name.startswith(".rodata.")
    value_type_id = 0
    mmapable = False
    if btf is not None:
        found = btf.find(section.name, Kind.DATASEC)
        if found:
            value_type_id = found[0].id
            mmapable = any(btf[v.type].linkage != Linkage.STATIC for v in found[0].secinfos)
    flags = (BPF_F_MMAPABLE if mmapable else 0) | (BPF_F_RDONLY_PROG if read_only else 0)
    contents = section.data if section.data else bytes(section.size)
    return MapSpec(
        name=section.name,
        type=MapType.ARRAY,
        key_size=4,
        value_size=section.size,
        max_entries=1,
        flags=flags,
        contents=((0, contents),),
        freeze=read_only,
        btf=btf if value_type_id else None,
        value_type_id=value_type_id,
    )
