"""Extern symbols: kfuncs, ksyms and ``.kconfig`` values.

clang leaves them undefined in the ELF symbol table; BTF says which is which (they are listed
in the ``.ksyms`` and ``.kconfig`` DATASECs). Their values come from the running kernel, so
they are resolved only when a collection is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..btf import BTF, Kind
from ..errors import ElfError
from .container import ElfObject, SymbolBinding

KCONFIG_SECTION = ".kconfig"
KSYMS_SECTION = ".ksyms"


@dataclass(frozen=True)
class ExternSpec:
    """An extern the object uses.

    ``kind`` is ``"kfunc"``, ``"ksym"`` or ``"kconfig"``; ``type_id`` is the object-BTF id of
    its FUNC or VAR; ``typed`` says whether a ksym has a type (resolved by BTF id) or is
    ``void`` (resolved by address); ``offset``/``size`` place a kconfig value in the
    ``.kconfig`` map.
    """

    name: str
    kind: str
    weak: bool
    type_id: int = 0
    typed: bool = True
    offset: int = 0
    size: int = 0


def find_externs(elf: ElfObject, btf: BTF | None) -> dict[str, ExternSpec]:
    """Every undefined symbol a relocation refers to, classified with BTF."""
    used = {
        r.symbol.name: r.symbol
        for relocs in elf.relocations.values()
        for r in relocs
        if r.symbol.is_undefined and r.symbol.name
    }
    if not used:
        return {}
    if btf is None:
        raise ElfError(
            f"extern {sorted(used)[0]!r} needs BTF to tell what it is, and there is no .BTF"
        )
    in_section: dict[str, tuple[str, int]] = {}
    for sec_name in (KCONFIG_SECTION, KSYMS_SECTION):
        for datasec in btf.find(sec_name, Kind.DATASEC):
            for info in datasec.secinfos:
                in_section[btf[info.type].name] = (sec_name, info.type)
    # Extern functions called directly are not always in .ksyms; find their FUNC by name.
    externs: dict[str, ExternSpec] = {}
    kconfig_offset = 0
    for name in sorted(used, key=lambda n: used[n].index):
        sym = used[name]
        weak = sym.binding == SymbolBinding.WEAK
        sec_name, type_id = in_section.get(name, ("", 0))
        if not type_id:
            funcs = btf.find(name, Kind.FUNC)
            if not funcs:
                raise ElfError(
                    f"extern {name!r} is neither in .ksyms nor .kconfig nor a BTF function"
                )
            sec_name, type_id = KSYMS_SECTION, funcs[0].id
        t = btf[type_id]
        if t.kind == Kind.FUNC:
            externs[name] = ExternSpec(name, "kfunc", weak, type_id)
        elif sec_name == KSYMS_SECTION:
            typed = btf.resolve(t.type).kind != Kind.VOID
            externs[name] = ExternSpec(name, "ksym", weak, type_id, typed=typed)
        else:
            size = btf.size_of(t.type)
            align = min(size, 8) if size else 1
            kconfig_offset = (kconfig_offset + align - 1) // align * align
            externs[name] = ExternSpec(
                name, "kconfig", weak, type_id, offset=kconfig_offset, size=size
            )
            kconfig_offset += size
    return externs


def kconfig_size(externs: dict[str, ExternSpec]) -> int:
    return max((e.offset + e.size for e in externs.values() if e.kind == "kconfig"), default=0)
