"""``load_object``: read a clang-built BPF object into specs (no kernel involved)."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field

from .._gcpause import gc_paused
from ..btf import BTF, BTFExt, CORERelocation, Kind, parse_btf, parse_btf_ext
from ..errors import BTFError, ElfError, NotSupportedError
from ..kernel_tables import MapType, ProgType
from ..spec import MapSpec, ProgramSpec
from .btfmaps import (
    BPF_F_MMAPABLE,
    BPF_F_RDONLY_PROG,
    MapSymbol,
    btf_maps,
    data_map,
    is_data_section,
    legacy_maps,
)
from .container import SHT_NOBITS, SHT_PROGBITS, ElfObject, SymbolType, read_elf
from .externs import KCONFIG_SECTION, ExternSpec, find_externs, kconfig_size
from .programs import (
    ExtIndex,
    Function,
    Relocator,
    Target,
    decode_section,
    link_program,
    split_functions,
)
from .sections import section_info
from .variables import VariableSpec


@dataclass(eq=False)
class ObjectSpec:
    """Everything in one object file: programs, maps, globals, externs, BTF."""

    programs: dict[str, ProgramSpec]
    maps: dict[str, MapSpec]
    variables: dict[str, VariableSpec]
    externs: dict[str, ExternSpec]
    btf: BTF | None
    btf_ext: BTFExt | None
    license: str
    kernel_version: int
    byteorder: str
    core_relocations: dict[str, tuple[CORERelocation, ...]] = field(default_factory=dict)
    # Where each map definition sits in its ELF section (for tools that annotate listings).
    map_symbols: dict[str, MapSymbol] = field(default_factory=dict)

    def _write_data(self, section: str, offset: int, raw: bytes) -> None:
        old = self.maps[section]
        data = bytearray(old.contents[0][1])
        data[offset : offset + len(raw)] = raw
        self.replace_map(old.replace(contents=((0, bytes(data)),)))

    def replace_map(self, spec: MapSpec) -> None:
        """Replace a map spec (by name) here and in every program that refers to it."""
        if spec.name not in self.maps:
            raise ElfError(f"no map named {spec.name!r} in this object")
        self.maps[spec.name] = spec
        for name, prog in self.programs.items():
            if spec.name in prog.maps:
                maps = dict(prog.maps)
                maps[spec.name] = spec
                self.programs[name] = prog.replace(maps=maps)

    def __repr__(self) -> str:
        return (
            f"<ObjectSpec {len(self.programs)} programs, {len(self.maps)} maps, "
            f"{len(self.variables)} variables, {self.byteorder}-endian>"
        )


def load_object(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> ObjectSpec:
    """Read a BPF ELF object (a path or its bytes) into an :class:`ObjectSpec`."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        try:
            with open(source, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise ElfError(f"cannot read {os.fspath(source)!r}: {exc.strerror}") from None
    with gc_paused():
        return _Reader(data).read()


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.elf: ElfObject = read_elf(data)
        self.e = "<" if self.elf.byteorder == "little" else ">"

    def read(self) -> ObjectSpec:
        elf = self.elf
        license_ = self._license()
        version = self._version()
        btf, ext = self._btf()
        maps: dict[str, MapSpec] = {}
        locations: dict[str, MapSymbol] = {}
        map_sections: dict[int, dict[int, str]] = {}
        data_sections: dict[int, str] = {}
        for section in elf.sections:
            name = section.name
            if name.startswith(".struct_ops"):
                raise NotSupportedError(f"section {name}: struct_ops maps are not supported yet")
            if section.type not in (SHT_PROGBITS, SHT_NOBITS) or section.is_program:
                continue
            if name == ".maps":
                found, where = btf_maps(elf, section, btf)
            elif name == "maps" or name.startswith("maps/"):
                found, where = legacy_maps(elf, section)
            elif is_data_section(name):
                if section.size == 0:
                    continue
                maps[name] = data_map(section, btf)
                data_sections[section.index] = name
                continue
            else:
                continue
            for map_name in found:
                if map_name in maps:
                    raise ElfError(f"map {map_name!r} is defined twice", name)
            maps.update(found)
            locations.update(where)
            map_sections[section.index] = {loc.offset: n for n, loc in where.items()}
        externs = find_externs(elf, btf)
        size = kconfig_size(externs)
        if size:
            maps[KCONFIG_SECTION] = MapSpec(
                name=KCONFIG_SECTION,
                type=MapType.ARRAY,
                key_size=4,
                value_size=size,
                max_entries=1,
                flags=BPF_F_MMAPABLE | BPF_F_RDONLY_PROG,
                contents=((0, bytes(size)),),
                freeze=True,
            )
        programs, core = self._programs(
            Target(map_sections, data_sections, externs), btf, ext, license_, version, maps
        )
        obj = ObjectSpec(
            programs=programs,
            maps=maps,
            variables={},
            externs=externs,
            btf=btf,
            btf_ext=ext,
            license=license_,
            kernel_version=version,
            byteorder=elf.byteorder,
            core_relocations=core,
            map_symbols=locations,
        )
        obj.variables = self._variables(obj, data_sections, btf)
        return obj

    # --- small sections ----------------------------------------------------------------

    def _license(self) -> str:
        section = self.elf.section_named("license")
        if section is None:
            return ""
        raw = section.data.split(b"\0", 1)[0]
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise ElfError("license is not UTF-8", "license", 0) from None

    def _version(self) -> int:
        section = self.elf.section_named("version")
        if section is None:
            return 0
        if len(section.data) != 4:
            raise ElfError(
                f"expected a 4-byte version, found {len(section.data)} bytes", "version", 0
            )
        return int(struct.unpack(self.e + "I", section.data)[0])

    # --- BTF ---------------------------------------------------------------------------

    def _btf(self) -> tuple[BTF | None, BTFExt | None]:
        section = self.elf.section_named(".BTF")
        if section is None:
            return None, None
        btf = parse_btf(section.data)
        if btf.byteorder != self.elf.byteorder:
            raise BTFError(f"byte order ({btf.byteorder}) differs from the ELF's", ".BTF", 0)
        btf = self._fix_datasecs(btf)
        ext_section = self.elf.section_named(".BTF.ext")
        ext = parse_btf_ext(ext_section.data, btf) if ext_section is not None else None
        return btf, ext

    def _fix_datasecs(self, btf: BTF) -> BTF:
        """Fill in the DATASEC sizes and variable offsets clang leaves as zero (as libbpf does)."""
        raw = bytearray(btf.raw)
        symbols = {
            (s.section, s.name): s.value
            for s in self.elf.symbols
            if s.type in (SymbolType.OBJECT, SymbolType.NOTYPE) and s.name
        }
        changed = False
        for type_id in range(1, len(btf)):
            if btf.kind_of(type_id) != Kind.DATASEC:
                continue
            datasec = btf[type_id]
            section = self.elf.section_named(datasec.name)
            if section is None:
                continue  # .kconfig / .ksyms have no ELF section
            pos = btf.offset_of(type_id)
            if section.size > 0xFFFFFFFF:
                raise ElfError(f"size {section.size:#x} does not fit BTF's 32 bits", section.name)
            struct.pack_into(self.e + "I", raw, pos + 8, section.size)
            for i, info in enumerate(datasec.secinfos):
                var = btf[info.type]
                offset = symbols.get((section.index, var.name))
                if offset is not None and offset > section.size:
                    raise ElfError(
                        f"variable {var.name!r} lies outside the section", section.name, offset
                    )
                if offset is not None:
                    struct.pack_into(self.e + "I", raw, pos + 12 + 12 * i + 4, offset)
            changed = True
        return parse_btf(bytes(raw)) if changed else btf

    # --- programs ----------------------------------------------------------------------

    def _programs(
        self,
        target: Target,
        btf: BTF | None,
        ext: BTFExt | None,
        license_: str,
        version: int,
        maps: dict[str, MapSpec],
    ) -> tuple[dict[str, ProgramSpec], dict[str, tuple[CORERelocation, ...]]]:
        elf = self.elf
        code = [s for s in elf.sections if s.is_program and s.size]
        decoded = {s.index: decode_section(s, elf.byteorder) for s in code}
        by_section = {s.index: split_functions(elf, s, decoded[s.index]) for s in code}
        relocator = Relocator(elf, target, by_section)
        functions: dict[str, Function] = {}
        for section in code:
            relocator.relocate(section, decoded[section.index], by_section[section.index])
            for func in by_section[section.index]:
                if func.name in functions:
                    raise ElfError(
                        f"function {func.name!r} is defined twice", section.name, func.start
                    )
                functions[func.name] = func
        index = ExtIndex(ext)
        programs: dict[str, ProgramSpec] = {}
        core: dict[str, tuple[CORERelocation, ...]] = {}
        for section in code:
            if section.name == ".text":
                continue  # subprograms only
            info = section_info(section.name)
            for func in by_section[section.index]:
                linked = link_program(func, functions, index)
                refs = linked.instructions.map_references()
                missing = [m for m in refs if m not in maps]
                if missing:
                    raise ElfError(
                        f"program {func.name!r} uses map {missing[0]!r}, which is not defined",
                        section.name,
                    )
                programs[func.name] = ProgramSpec(
                    name=func.name,
                    type=info.prog_type if info else ProgType.UNSPEC,
                    instructions=linked.instructions,
                    license=license_,
                    attach_type=info.attach_type if info else None,
                    attach_to=info.attach_to if info else "",
                    section_name=section.name,
                    kernel_version=version,
                    flags=info.flags if info else 0,
                    byteorder=elf.byteorder,
                    maps={name: maps[name] for name in sorted(refs)},
                    btf=btf,
                    func_info=linked.func_info,
                    line_info=linked.line_info,
                )
                if linked.core_relos:
                    core[func.name] = linked.core_relos
        return programs, core

    # --- variables ---------------------------------------------------------------------

    def _variables(
        self, obj: ObjectSpec, data_sections: dict[int, str], btf: BTF | None
    ) -> dict[str, VariableSpec]:
        var_types: dict[str, int] = {}
        if btf is not None:
            for section_name in data_sections.values():
                for datasec in btf.find(section_name, Kind.DATASEC):
                    for info in datasec.secinfos:
                        var_types[btf[info.type].name] = info.type
        out: dict[str, VariableSpec] = {}
        for sym in self.elf.symbols:
            data_name = data_sections.get(sym.section)
            if data_name is None or sym.type != SymbolType.OBJECT or not sym.name:
                continue
            size = obj.maps[data_name].value_size
            if sym.value + sym.size > size:
                raise ElfError(
                    f"variable {sym.name!r} runs past the end of the section",
                    data_name,
                    sym.value,
                )
            if sym.name in out:
                continue  # two statics of the same name in different functions: keep the first
            out[sym.name] = VariableSpec(
                sym.name, data_name, sym.value, sym.size, var_types.get(sym.name, 0), obj
            )
        return out
