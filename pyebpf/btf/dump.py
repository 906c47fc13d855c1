"""A text dump of BTF in the format of ``bpftool btf dump file X`` (raw format).

Useful on its own, and it lets the tests compare the parser with bpftool line by line.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from .._gcpause import gc_paused
from ..errors import BTFError
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


# Plain-int kind numbers and names: enum attribute and ``.name`` lookups are slow, and a
# full vmlinux dump formats >100k types.
_KIND_NAME = {int(k): k.name for k in Kind}
_REF = frozenset(
    int(k)
    for k in (Kind.PTR, Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG)
)
_INT, _ARRAY, _FWD, _FUNC, _FUNC_PROTO, _VAR, _DATASEC, _FLOAT, _DECL_TAG = (
    int(Kind.INT),
    int(Kind.ARRAY),
    int(Kind.FWD),
    int(Kind.FUNC),
    int(Kind.FUNC_PROTO),
    int(Kind.VAR),
    int(Kind.DATASEC),
    int(Kind.FLOAT),
    int(Kind.DECL_TAG),
)
_AGGREGATE = frozenset((int(Kind.STRUCT), int(Kind.UNION)))
_ENUMS = frozenset((int(Kind.ENUM), int(Kind.ENUM64)))
_ENUM64 = int(Kind.ENUM64)


def format_type(btf: BTF, t: BTFType) -> str:
    """One type (with its member lines) as bpftool prints it."""
    k = int(t.kind)
    head = f"[{t.id}] {_KIND_NAME[k]} '{t.name or '(anon)'}'"
    if k in _REF:
        return f"{head} type_id={t.type}"
    if k in _AGGREGATE:
        lines = [f"{head} size={t.size} vlen={len(t.members)}"]
        for m in t.members:
            line = f"\t'{m.name or '(anon)'}' type_id={m.type} bits_offset={m.bit_offset}"
            if m.bitfield_size:
                line += f" bitfield_size={m.bitfield_size}"
            lines.append(line)
        return "\n".join(lines)
    if k == _FUNC_PROTO:
        lines = [f"{head} ret_type_id={t.type} vlen={len(t.params)}"]
        lines += [f"\t'{p.name or '(anon)'}' type_id={p.type}" for p in t.params]
        return "\n".join(lines)
    if k == _FUNC:
        return f"{head} type_id={t.type} linkage={_FUNC_LINKAGE.get(t.linkage, 'UNKN')}"
    if k == _INT:
        enc = _INT_ENCODING.get(t.encoding, "UNKN")
        return f"{head} size={t.size} bits_offset={t.bit_offset} nr_bits={t.bits} encoding={enc}"
    if k == _ARRAY:
        return f"{head} type_id={t.type} index_type_id={t.index_type} nr_elems={t.nelems}"
    if k in _ENUMS:
        enc = "SIGNED" if t.kind_flag else "UNSIGNED"
        lines = [f"{head} encoding={enc} size={t.size} vlen={len(t.enumerators)}"]
        suffix = ("LL" if t.kind_flag else "ULL") if k == _ENUM64 else ""
        lines += [f"\t'{v.name or '(anon)'}' val={v.value}{suffix}" for v in t.enumerators]
        return "\n".join(lines)
    if k == _FWD:
        return f"{head} fwd_kind={'union' if t.kind_flag else 'struct'}"
    if k == _VAR:
        return f"{head} type_id={t.type}, linkage={_FUNC_LINKAGE.get(t.linkage, 'UNKN')}"
    if k == _DATASEC:
        lines = [f"{head} size={t.size} vlen={len(t.secinfos)}"]
        for v in t.secinfos:
            target = btf[v.type]
            lines.append(
                f"\ttype_id={v.type} offset={v.offset} size={v.size} ({target.kind.name} {_name(target.name)})"
            )
        return "\n".join(lines)
    if k == _FLOAT:
        return f"{head} size={t.size}"
    if k == _DECL_TAG:
        return f"{head} type_id={t.type} component_idx={t.component_idx}"
    return head


_BATCH = 4096


def dump_raw(btf: BTF) -> Iterator[str]:
    """Every type of ``btf`` in id order, formatted like bpftool's raw dump."""
    # Formatted in batches with the cycle collector paused (see pyebpf._gcpause); lines before a
    # bad type are still yielded before its error.
    btf._read_all_strings()  # every name is needed: read the string section in one go
    types = iter(btf)
    while True:
        batch: list[str] = []
        error: BTFError | None = None
        with gc_paused():
            try:
                for t in islice(types, _BATCH):
                    batch.append(format_type(btf, t))
            except BTFError as exc:
                error = exc
        yield from batch
        if error is not None:
            raise error
        if len(batch) < _BATCH:
            return
