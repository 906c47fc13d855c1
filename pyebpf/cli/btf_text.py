"""BTF for the command: JSON records, C-like type names and counts by kind.

The text dump itself is :func:`pyebpf.btf.dump.dump_raw` (bpftool's raw format).
"""

from __future__ import annotations

from typing import Any

from ..btf import BTF, BTFType, IntEncoding, Kind, Linkage
from ..errors import BTFError

_LINKAGE = {Linkage.STATIC: "static", Linkage.GLOBAL: "global", Linkage.EXTERN: "extern"}


_INT_ENCODING: dict[int, str] = {
    IntEncoding.NONE: "(none)",
    IntEncoding.SIGNED: "SIGNED",
    IntEncoding.CHAR: "CHAR",
    IntEncoding.BOOL: "BOOL",
}


def _int_encoding(t: BTFType) -> str:
    return _INT_ENCODING.get(int(t.encoding), "UNKN")


def _linkage(value: int) -> str:
    try:
        return _LINKAGE[Linkage(value)]
    except ValueError:
        return "(unknown)"


def _safe(btf: BTF, type_id: int) -> BTFType | None:
    try:
        return btf[type_id]
    except BTFError:
        return None


def type_record(t: BTFType) -> dict[str, Any]:
    """One type as a JSON-friendly dict (only the fields its kind uses)."""
    record: dict[str, Any] = {"id": t.id, "kind": t.kind.name, "name": t.name}
    kind = t.kind
    if kind in (
        Kind.INT,
        Kind.STRUCT,
        Kind.UNION,
        Kind.ENUM,
        Kind.ENUM64,
        Kind.DATASEC,
        Kind.FLOAT,
    ):
        record["size"] = t.size
    if kind == Kind.INT:
        record.update(bits_offset=t.bit_offset, nr_bits=t.bits, encoding=_int_encoding(t))
    elif kind == Kind.ARRAY:
        record.update(type_id=t.type, index_type_id=t.index_type, nr_elems=t.nelems)
    elif kind in (Kind.STRUCT, Kind.UNION):
        record["members"] = [
            {"name": m.name, "type_id": m.type, "bits_offset": m.bit_offset}
            | ({"bitfield_size": m.bitfield_size} if t.kind_flag and m.bitfield_size else {})
            for m in t.members
        ]
    elif kind in (Kind.ENUM, Kind.ENUM64):
        record["signed"] = t.kind_flag
        record["values"] = [{"name": e.name, "val": e.value} for e in t.enumerators]
    elif kind == Kind.FWD:
        record["fwd_kind"] = "union" if t.kind_flag else "struct"
    elif kind == Kind.FUNC_PROTO:
        record["ret_type_id"] = t.type
        record["params"] = [{"name": p.name, "type_id": p.type} for p in t.params]
    elif kind in (Kind.FUNC, Kind.VAR):
        record.update(type_id=t.type, linkage=_linkage(t.linkage))
    elif kind == Kind.DATASEC:
        record["vars"] = [
            {"type_id": s.type, "offset": s.offset, "size": s.size} for s in t.secinfos
        ]
    elif kind == Kind.DECL_TAG:
        record.update(type_id=t.type, component_idx=t.component_idx)
    else:
        record["type_id"] = t.type
    return record


def type_name(btf: BTF | None, type_id: int, depth: int = 0) -> str:
    """A short C-like name for a type: ``unsigned int``, ``struct foo *``, ``char[4]``."""
    if btf is None:
        return "?"
    t = _safe(btf, type_id)
    if t is None or depth > 16:
        return "?"
    kind = t.kind
    if kind == Kind.VOID:
        return "void"
    if kind in (Kind.INT, Kind.FLOAT, Kind.TYPEDEF):
        return t.name or "?"
    if kind in (Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.ENUM64, Kind.FWD):
        word = {Kind.STRUCT: "struct", Kind.UNION: "union", Kind.FWD: "struct"}.get(kind, "enum")
        if kind == Kind.FWD and t.kind_flag:
            word = "union"
        return f"{word} {t.name or '(anon)'}"
    if kind == Kind.PTR:
        return type_name(btf, t.type, depth + 1) + " *"
    if kind == Kind.ARRAY:
        return f"{type_name(btf, t.type, depth + 1)}[{t.nelems}]"
    if kind in (Kind.CONST, Kind.VOLATILE, Kind.RESTRICT):
        return f"{kind.name.lower()} {type_name(btf, t.type, depth + 1)}"
    if kind in (Kind.VAR, Kind.TYPE_TAG, Kind.DECL_TAG):
        return type_name(btf, t.type, depth + 1)
    if kind == Kind.FUNC_PROTO:
        params = ", ".join(type_name(btf, p.type, depth + 1) for p in t.params)
        return f"{type_name(btf, t.type, depth + 1)} (*)({params})"
    return t.name or kind.name.lower()


def summary(btf: BTF) -> dict[str, Any]:
    """Counts of types by kind."""
    kinds: dict[str, int] = {}
    for t in btf:
        kinds[t.kind.name] = kinds.get(t.kind.name, 0) + 1
    return {"types": sum(kinds.values()), "kinds": dict(sorted(kinds.items()))}
