"""A text dump of BTF in the format of ``bpftool btf dump file X`` (raw format).

Useful on its own, and it lets the tests compare the parser with bpftool line by line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import accumulate, islice, repeat
from operator import add

from .._gcpause import gc_paused
from ..errors import BTFError
from .bulk import BULK_KINDS, Columns, kind_columns
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
_ENUM = int(Kind.ENUM)


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
    with gc_paused():  # see pyebpf._gcpause
        btf._read_all_strings()  # every name is needed: read the string section in one go
        try:
            texts = _format_all(btf)
        except BTFError:
            texts = None
    if texts is not None:
        yield from texts
        return
    # Some type does not decode: format one by one in batches, so that the lines before the
    # bad type are still yielded before its error.
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


def _format_all(btf: BTF) -> list[str] | None:
    """:func:`format_type` of every type, a kind at a time: the common kinds straight from
    their columns of fields with ``%`` at C speed (no BTFType objects), the rare ones one by
    one. None if some type needs the one-by-one path."""
    out: list[str] = [""] * (len(btf) - btf._first_id)
    first = btf._first_id
    for kind, indexes in btf.kind_groups().items():
        if kind in BULK_KINDS:
            columns = kind_columns(btf, kind, indexes)
            if columns is None:
                return None
            texts = _format_columns(kind, columns)
        else:
            texts = [format_type(btf, btf[first + index]) for index in indexes]
        deque(map(out.__setitem__, indexes, texts), maxlen=0)
    return out


def _format_columns(kind: int, columns: Columns) -> list[str]:
    values, entries, counts = columns.fields, columns.entries, columns.counts
    ids = values["id"]
    names = list(map(_ANON.get, values["name"], values["name"]))
    name = _KIND_NAME[kind]
    if kind in _REF:
        fmt = f"[%d] {name} '%s' type_id=%d"
        return list(map(fmt.__mod__, zip(ids, names, values["type"], strict=True)))
    if kind == _FUNC:
        linkages = map(_FUNC_LINKAGE.get, values["linkage"], repeat("UNKN"))
        rows = zip(ids, names, values["type"], linkages, strict=True)
        return list(map("[%d] FUNC '%s' type_id=%d linkage=%s".__mod__, rows))
    if kind == _ARRAY:
        fmt = "[%d] ARRAY '%s' type_id=%d index_type_id=%d nr_elems=%d"
        arrays = zip(
            ids, names, values["type"], values["index_type"], values["nelems"], strict=True
        )
        return list(map(fmt.__mod__, arrays))
    entry_names = list(map(_ANON.get, entries["name"], entries["name"]))
    if kind == _FUNC_PROTO:
        fmt = "[%d] FUNC_PROTO '%s' ret_type_id=%d vlen=%d"
        heads = map(fmt.__mod__, zip(ids, names, values["type"], counts, strict=True))
        params = zip(entry_names, entries["type"], strict=True)
        return _blocks(heads, list(map("\t'%s' type_id=%d".__mod__, params)), counts)
    if kind in _AGGREGATE:
        fmt = f"[%d] {name} '%s' size=%d vlen=%d"
        heads = map(fmt.__mod__, zip(ids, names, values["size"], counts, strict=True))
        bitfields = map(_BITFIELD.__getitem__, entries["bitfield_size"])
        members = zip(entry_names, entries["type"], entries["bit_offset"], bitfields, strict=True)
        lines = list(map("\t'%s' type_id=%d bits_offset=%d%s".__mod__, members))
        return _blocks(heads, lines, counts)
    # ENUM
    signed = map(_ENCODING.__getitem__, values["kind_flag"])
    fmt = "[%d] ENUM '%s' encoding=%s size=%d vlen=%d"
    heads = map(fmt.__mod__, zip(ids, names, signed, values["size"], counts, strict=True))
    enumerators = zip(entry_names, entries["value"], strict=True)
    return _blocks(heads, list(map("\t'%s' val=%d".__mod__, enumerators)), counts)


def _blocks(heads: Iterable[str], lines: list[str], counts: list[int]) -> list[str]:
    """Each head followed by its ``count`` lines, joined by newlines."""
    bounds = list(accumulate(counts, initial=0))
    groups = map(tuple, map(lines.__getitem__, map(slice, bounds[:-1], bounds[1:])))
    return list(map("\n".join, map(add, zip(heads), groups)))


_ANON = {"": "(anon)"}  # .get(name, name): a name, or (anon) for none
_BITFIELD = ["", *(f" bitfield_size={n}" for n in range(1, 256))]
_ENCODING = {False: "UNSIGNED", True: "SIGNED"}
