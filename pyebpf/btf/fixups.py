"""Rewrite an object's BTF into what the kernel accepts (as libbpf does before BPF_BTF_LOAD).

clang describes externs in ways the kernel refuses: ``extern`` FUNC and VAR linkage, and the
``.ksyms``/``.kconfig`` DATASECs whose size and offsets only exist once pyebpf lays them out.
This is pure data manipulation (no kernel access); the string section is kept as a prefix so
that line info string offsets stay valid.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .encode import encode_btf_with_strings
from .parser import BTF
from .types import BTFType, IntEncoding, Kind, Linkage, Param, VarSecinfo

KSYMS = ".ksyms"
KCONFIG = ".kconfig"


def sanitize_for_kernel(btf: BTF, kconfig_layout: Mapping[str, tuple[int, int]] = {}) -> bytes:
    """Raw BTF the kernel loads; ``kconfig_layout`` maps kconfig names to (offset, size)."""
    types: list[BTFType] = [btf[0], *btf]
    int_id = _find_int(types)

    def add(t: BTFType) -> int:
        types.append(dataclasses.replace(t, id=len(types)))
        return len(types) - 1

    for type_id in range(1, len(types)):
        t = types[type_id]
        if t.kind == Kind.FUNC and t.linkage == Linkage.EXTERN:
            types[type_id] = dataclasses.replace(t, linkage=Linkage.GLOBAL)
            proto = types[t.type]
            if proto.kind == Kind.FUNC_PROTO and any(p.type and not p.name for p in proto.params):
                # The kernel wants every parameter of a FUNC named.
                params = tuple(
                    Param(p.name or (f"arg{i}" if p.type else ""), p.type)
                    for i, p in enumerate(proto.params)
                )
                types[t.type] = dataclasses.replace(proto, params=params)
    for type_id in range(1, len(types)):
        t = types[type_id]
        if t.kind != Kind.DATASEC or t.name not in (KSYMS, KCONFIG):
            continue
        if int_id is None:
            int_id = add(BTFType(0, Kind.INT, "int", size=4, encoding=IntEncoding.SIGNED, bits=32))
        infos = []
        offset = 0
        for info in t.secinfos:
            target = types[info.type]
            if t.name == KSYMS:
                # Each ksym/kfunc becomes a 4-byte allocated int variable, as in libbpf.
                if target.kind == Kind.FUNC:
                    var_id = add(
                        BTFType(
                            0,
                            Kind.VAR,
                            f"__pyebpf_ksym_{target.name}",
                            type=int_id,
                            linkage=Linkage.GLOBAL,
                        )
                    )
                else:
                    types[info.type] = dataclasses.replace(
                        target, type=int_id, linkage=Linkage.GLOBAL
                    )
                    var_id = info.type
                infos.append(VarSecinfo(var_id, offset, 4))
                offset += 4
            else:
                place = kconfig_layout.get(target.name)
                if place is None:
                    continue
                types[info.type] = dataclasses.replace(target, linkage=Linkage.GLOBAL)
                infos.append(VarSecinfo(info.type, place[0], place[1]))
                offset = max(offset, place[0] + place[1])
        infos.sort(key=lambda v: v.offset)
        if not infos:
            # An empty DATASEC is invalid; keep a placeholder variable.
            var_id = add(
                BTFType(
                    0,
                    Kind.VAR,
                    f"__pyebpf_empty{t.name.replace('.', '_')}",
                    type=int_id,
                    linkage=Linkage.GLOBAL,
                )
            )
            infos.append(VarSecinfo(var_id, 0, 4))
            offset = 4
        types[type_id] = dataclasses.replace(t, size=offset, secinfos=tuple(infos))
    return encode_btf_with_strings(types, btf.byteorder, btf.strings)


def _find_int(types: list[BTFType]) -> int | None:
    for t in types:
        if t.kind == Kind.INT and t.size == 4 and t.bits == 32 and t.bit_offset == 0:
            return t.id
    return None
