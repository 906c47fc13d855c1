"""Decode every type of a :class:`~pyebpf.btf.BTF` at once, kind by kind, a column at a time.

``BTF.check()`` and the raw dump need every type. One ``_decode`` call per type costs a few
microseconds of interpreter overhead, which for vmlinux (>100k types) is most of the time.
Here each kind's records are read as columns of words (:meth:`BTF.heads`,
:meth:`BTF.entries`), names come from the string table in bulk, and the
:class:`~pyebpf.btf.BTFType` objects are filled one field at a time over a whole column
(``map`` over the slot setters), so that the per-type work happens in C.

The result equals what ``BTF[type_id]`` decodes one type at a time (the tests compare them);
anything irregular -- a name that is not valid UTF-8, an unknown linkage -- makes
:func:`decode_all` give up and return False, so that the one-by-one path reports the error
exactly where it is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from itertools import accumulate, chain, repeat
from operator import add, and_, lshift, rshift, sub
from typing import TYPE_CHECKING, Any

from ..errors import BTFError
from .types import BTFType, Enumerator, Kind, Linkage, Member, Param

if TYPE_CHECKING:
    from .parser import BTF

_new = tuple.__new__
_DEFAULTS = {f.name: f.default for f in fields(BTFType) if f.default is not MISSING}
_LINKAGES = {int(linkage): linkage for linkage in Linkage}
_KIND = {int(k): k for k in Kind}
_REFS = frozenset(
    int(k)
    for k in (Kind.PTR, Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG)
)
# Per member of a struct with/without kind_flag: bit offset mask and bitfield size shift.
_OFFSET_MASK = {True: 0xFFFFFF, False: 0xFFFFFFFF}
_BITFIELD_SHIFT = {True: 24, False: 32}
_SIGN_BIT = {True: 0x80000000, False: 0}


@dataclass
class Columns:
    """The types of one kind as columns, in index order.

    ``fields``: BTFType field -> a list with one value per type (``kind`` is one value for
    all). Kinds with per-vlen entries also have ``counts`` (entries per type) and
    ``entries``: the entries of every type one after the other, a list per field --
    ``name``, ``type``, ``bit_offset``, ``bitfield_size`` for members, ``name``, ``type``
    for parameters, ``name``, ``value`` for enumerators.
    """

    fields: dict[str, Any]
    counts: list[int] = field(default_factory=list)
    entries: dict[str, list[Any]] = field(default_factory=dict)


def decode_all(btf: BTF) -> bool:
    """Decode every type of ``btf`` that is not decoded yet; False if one needs the
    one-by-one path (which then raises the error)."""
    btf._read_all_strings()
    cache = btf._cache
    for kind, indexes in btf.kind_groups().items():
        if any(map(cache.__getitem__, indexes)):  # some already decoded: keep those objects
            indexes = [i for i in indexes if cache[i] is None]
            if not indexes:
                continue
        try:
            if kind in BULK_KINDS:
                columns = kind_columns(btf, kind, indexes)
                built = None if columns is None else _build_types(kind, columns)
            else:  # rare kinds (a few hundred types in vmlinux): one at a time
                offset_of = btf.offset_of
                ids = map(add, indexes, repeat(btf._first_id))
                built = [btf._decode(type_id, offset_of(type_id)) for type_id in ids]
        except BTFError:
            return False
        if built is None:
            return False
        deque(map(cache.__setitem__, indexes, built), maxlen=0)
    return True


def kind_columns(btf: BTF, kind: int, indexes: list[int]) -> Columns | None:
    """The types at ``indexes`` (all of ``kind``, one of :data:`BULK_KINDS`) as columns;
    None if one of them needs the one-by-one path (an unknown linkage). Call
    ``btf._read_all_strings()`` first; a bad string raises BTFError."""
    starts = btf.record_words(indexes)
    infos = btf.heads(starts, 1)
    values: dict[str, Any] = {
        "id": list(map(add, indexes, repeat(btf._first_id))),
        "kind": _KIND[kind],
        "name": _strings(btf, btf.heads(starts, 0)),
    }
    columns = Columns(values)
    if kind in _REFS:
        values["type"] = btf.heads(starts, 2)
        values["kind_flag"] = list(map(bool, map(rshift, infos, repeat(31))))
    elif kind == _FUNC:
        linkages = list(map(_LINKAGES.get, map(and_, infos, repeat(0xFFFF))))
        if None in linkages:
            return None
        values["type"] = btf.heads(starts, 2)
        values["linkage"] = linkages
    elif kind == _ARRAY:
        values["type"] = btf.heads(starts, 3)
        values["index_type"] = btf.heads(starts, 4)
        values["nelems"] = btf.heads(starts, 5)
    elif kind == _FUNC_PROTO:
        columns.counts, words = btf.entries(kind, starts)
        values["type"] = btf.heads(starts, 2)
        columns.entries = {"name": _strings(btf, words[0::2]), "type": words[1::2].tolist()}
    elif kind in (_STRUCT, _UNION):
        kflags = list(map(bool, map(rshift, infos, repeat(31))))
        vlens, words = btf.entries(kind, starts)
        columns.counts = vlens
        offsets = words[2::3]
        masks = map(_OFFSET_MASK.__getitem__, _per_entry(kflags, vlens))
        shifts = map(_BITFIELD_SHIFT.__getitem__, _per_entry(kflags, vlens))
        values["size"] = btf.heads(starts, 2)
        values["kind_flag"] = kflags
        columns.entries = {
            "name": _strings(btf, words[0::3]),
            "type": words[1::3].tolist(),
            "bit_offset": list(map(and_, offsets, masks)),
            "bitfield_size": list(map(rshift, offsets, shifts)),
        }
    elif kind == _ENUM:
        kflags = list(map(bool, map(rshift, infos, repeat(31))))
        vlens, words = btf.entries(kind, starts)
        columns.counts = vlens
        raw = words[1::2]
        # Signed enums: the 32-bit pattern as a signed value (v - 2 * sign bit).
        signs = map(and_, raw, map(_SIGN_BIT.__getitem__, _per_entry(kflags, vlens)))
        values["size"] = btf.heads(starts, 2)
        values["kind_flag"] = kflags
        columns.entries = {
            "name": _strings(btf, words[0::2]),
            "value": list(map(sub, raw, map(lshift, signs, repeat(1)))),
        }
    return columns


def _build_types(kind: int, columns: Columns) -> list[BTFType]:
    values = dict(columns.fields)
    values["kind"] = repeat(values["kind"])
    if columns.entries:
        container, entry_type = _ENTRY_TYPES[kind]
        rows = zip(*columns.entries.values(), strict=True)
        values[container] = _split(list(map(_new, repeat(entry_type), rows)), columns.counts)
    return _build(len(values["id"]), values)


def _strings(btf: BTF, offsets: Sequence[int]) -> list[str]:
    """The strings at ``offsets`` (after ``_read_all_strings``; odd offsets one by one)."""
    found: list[Any] = list(map(btf._strings.get, offsets))
    if None in found:
        for i, text in enumerate(found):
            if text is None:
                found[i] = btf.string(offsets[i])  # BTFError: the caller gives up
    return found


def _per_entry(flags: list[bool], counts: list[int]) -> Iterable[bool]:
    """Each type's flag repeated for each of its entries."""
    return chain.from_iterable(map(repeat, flags, counts))


def _split(items: list[Any], counts: list[int]) -> list[tuple[Any, ...]]:
    """``items`` cut into consecutive tuples of ``counts`` items."""
    bounds = list(accumulate(counts, initial=0))
    return list(map(tuple, map(items.__getitem__, map(slice, bounds[:-1], bounds[1:]))))


def _build(count: int, columns: dict[str, Iterable[Any]]) -> list[BTFType]:
    """``count`` BTFTypes, the fields in ``columns`` set from them, the others to defaults.

    BTFType is a frozen dataclass, so its ``__init__`` cannot be used cheaply. Each set of
    given fields gets a twin class with BTFType's exact slot layout and a plain generated
    ``__init__`` (as dataclasses generate theirs); ``map`` builds the twins and a
    ``__class__`` assignment, which Python allows between classes of the same layout,
    makes them BTFTypes, equal in every way to ones built by ``BTFType(...)``.
    """
    given = tuple(columns)
    maker = _TWINS.get(given)
    if maker is None:
        maker = _TWINS[given] = _twin(given)
    built = list(map(maker, *columns.values()))
    deque(map(setattr, built, repeat("__class__"), repeat(BTFType)), maxlen=0)
    return built


def _twin(given: tuple[str, ...]) -> type:
    """A class with BTFType's slots whose ``__init__`` takes ``given`` and defaults the rest."""
    unknown = set(given) - set(BTFType.__slots__)
    if unknown:
        raise AssertionError(f"BTFType has no field {sorted(unknown)[0]!r}")  # pragma: no cover
    namespace: dict[str, Any] = {f"default_{name}": value for name, value in _DEFAULTS.items()}
    body = "".join(
        f"    self.{name} = {name if name in given else 'default_' + name}\n"
        for name in BTFType.__slots__
    )
    exec(f"def __init__(self, {', '.join(given)}):\n{body}", namespace)
    slots = {"__slots__": BTFType.__slots__, "__init__": namespace["__init__"]}
    return type("BTFTypeFields", (), slots)


_TWINS: dict[tuple[str, ...], type] = {}


_FUNC, _FUNC_PROTO, _ARRAY, _STRUCT, _UNION, _ENUM = (
    int(Kind.FUNC),
    int(Kind.FUNC_PROTO),
    int(Kind.ARRAY),
    int(Kind.STRUCT),
    int(Kind.UNION),
    int(Kind.ENUM),
)
BULK_KINDS = _REFS | {_FUNC, _FUNC_PROTO, _ARRAY, _STRUCT, _UNION, _ENUM}
"""The kinds decoded a column at a time; the others (a few hundred types) one by one."""
_ENTRY_TYPES: dict[int, tuple[str, type]] = {
    _FUNC_PROTO: ("params", Param),
    _STRUCT: ("members", Member),
    _UNION: ("members", Member),
    _ENUM: ("enumerators", Enumerator),
}
