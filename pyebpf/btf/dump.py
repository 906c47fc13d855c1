"""A text dump of BTF in the format of ``bpftool btf dump file X`` (raw format).

Useful on its own, and it lets the tests compare the parser with bpftool line by line.
"""

from __future__ import annotations

from collections.abc import Iterator

from .parser import BTF
from .types import BTFType, IntEncoding, Kind

_INT_ENCODING = {
    0: "(none)",
    IntEncoding.SIGNED: "SIGNED",
    IntEncoding.CHAR: "CHAR",
    IntEncoding.BOOL: "BOOL",
}
_FUNC_LINKAGE = {0: "static", 1: "global", 2: "extern"}


def _name(name: str) -> str:
    return f"'{name or '(anon)'}'"


def format_type(btf: BTF, t: BTFType) -> str:
    """One type (with its member lines) as bpftool prints it."""
    head = f"[{t.id}] {t.kind.name} {_name(t.name)}"
    k = t.kind
    if k == Kind.INT:
        enc = _INT_ENCODING.get(t.encoding, "UNKN")
        return f"{head} size={t.size} bits_offset={t.bit_offset} nr_bits={t.bits} encoding={enc}"
    if k in (Kind.PTR, Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG):
        return f"{head} type_id={t.type}"
    if k == Kind.ARRAY:
        return f"{head} type_id={t.type} index_type_id={t.index_type} nr_elems={t.nelems}"
    if k in (Kind.STRUCT, Kind.UNION):
        lines = [f"{head} size={t.size} vlen={len(t.members)}"]
        for m in t.members:
            line = f"\t{_name(m.name)} type_id={m.type} bits_offset={m.bit_offset}"
            if m.bitfield_size:
                line += f" bitfield_size={m.bitfield_size}"
            lines.append(line)
        return "\n".join(lines)
    if k in (Kind.ENUM, Kind.ENUM64):
        enc = "SIGNED" if t.kind_flag else "UNSIGNED"
        lines = [f"{head} encoding={enc} size={t.size} vlen={len(t.enumerators)}"]
        suffix = ("LL" if t.kind_flag else "ULL") if k == Kind.ENUM64 else ""
        lines += [f"\t{_name(v.name)} val={v.value}{suffix}" for v in t.enumerators]
        return "\n".join(lines)
    if k == Kind.FWD:
        return f"{head} fwd_kind={'union' if t.kind_flag else 'struct'}"
    if k == Kind.FUNC:
        return f"{head} type_id={t.type} linkage={_FUNC_LINKAGE.get(t.linkage, 'UNKN')}"
    if k == Kind.FUNC_PROTO:
        lines = [f"{head} ret_type_id={t.type} vlen={len(t.params)}"]
        lines += [f"\t{_name(p.name)} type_id={p.type}" for p in t.params]
        return "\n".join(lines)
    if k == Kind.VAR:
        return f"{head} type_id={t.type}, linkage={_FUNC_LINKAGE.get(t.linkage, 'UNKN')}"
    if k == Kind.DATASEC:
        lines = [f"{head} size={t.size} vlen={len(t.secinfos)}"]
        for v in t.secinfos:
            target = btf[v.type]
            lines.append(
                f"\ttype_id={v.type} offset={v.offset} size={v.size} ({target.kind.name} {_name(target.name)})"
            )
        return "\n".join(lines)
    if k == Kind.FLOAT:
        return f"{head} size={t.size}"
    if k == Kind.DECL_TAG:
        return f"{head} type_id={t.type} component_idx={t.component_idx}"
    return head


def dump_raw(btf: BTF) -> Iterator[str]:
    """Every type of ``btf`` in id order, formatted like bpftool's raw dump."""
    for t in btf:
        yield format_type(btf, t)
