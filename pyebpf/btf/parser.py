"""Parse raw ``.BTF`` data (an ELF section, ``/sys/kernel/btf/*`` or a raw BTF file).

Parsing is done in two steps so that large inputs (vmlinux has >100k types) stay fast: the
whole type section is scanned once to find where each record starts (which also checks that
every record is complete and of a known kind), and each :class:`BTFType` is decoded the first
time it is asked for. :meth:`BTF.check` decodes everything, for callers that want every
error up front.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterator
from dataclasses import fields
from itertools import accumulate

from .._gcpause import gc_paused
from ..errors import BTFError
from .types import (
    MODIFIER_KINDS,
    VOID,
    BTFType,
    Enumerator,
    Kind,
    Linkage,
    Member,
    Param,
    VarSecinfo,
)

BTF_MAGIC = 0xEB9F
_HEADER_MIN = 24
_MAX_RESOLVE_DEPTH = 32

# Bytes that follow the 12-byte common record: fixed part and per-vlen part.
_EXTRA_FIXED = {
    Kind.INT: 4,
    Kind.ARRAY: 12,
    Kind.VAR: 4,
    Kind.DECL_TAG: 4,
}
_EXTRA_PER_VLEN = {
    Kind.STRUCT: 12,
    Kind.UNION: 12,
    Kind.ENUM: 8,
    Kind.FUNC_PROTO: 8,
    Kind.DATASEC: 12,
    Kind.ENUM64: 12,
}
_KINDS = {int(k): k for k in Kind if k != Kind.VOID}


def detect_byteorder(data: bytes, what: str = ".BTF") -> str:
    """'little' or 'big' from the BTF/BTF.ext magic; BTFError if it is neither."""
    if len(data) < 2:
        raise BTFError(f"{len(data)} bytes is too short for a header", what, 0)
    if data[0] == 0x9F and data[1] == 0xEB:
        return "little"
    if data[0] == 0xEB and data[1] == 0x9F:
        return "big"
    raise BTFError(f"bad magic {data[:2].hex()} (expected 0xeb9f)", what, 0)


class BTF:
    """Parsed BTF: types by id, names, and the raw bytes they came from.

    For split BTF (kernel modules) pass the ``base`` BTF: ids and string offsets continue
    after the base's.
    """

    def __init__(
        self,
        data: bytes | bytearray | memoryview,
        *,
        base: BTF | None = None,
        section: str = ".BTF",
    ) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise BTFError(f"expected bytes, not {type(data).__name__}", section)
        self.raw = bytes(data)
        self._view = memoryview(self.raw)
        self.section = section
        self.base = base
        self.byteorder = detect_byteorder(self.raw, section)
        e = "<" if self.byteorder == "little" else ">"
        self._e = e
        self._s_i = struct.Struct(e + "I")
        self._s_i_signed = struct.Struct(e + "i")
        self._s_ii = struct.Struct(e + "II")
        self._s_ii_signed = struct.Struct(e + "Ii")
        self._s_iii = struct.Struct(e + "III")
        if len(self.raw) < _HEADER_MIN:
            raise BTFError(f"{len(self.raw)} bytes is too short for the BTF header", section, 0)
        _magic, version, self.flags, hdr_len = struct.unpack_from(e + "HBBI", self.raw, 0)
        if version != 1:
            raise BTFError(f"unsupported BTF version {version}", section, 2)
        if hdr_len < _HEADER_MIN or hdr_len > len(self.raw):
            raise BTFError(f"header length {hdr_len} is invalid", section, 4)
        type_off, type_len, str_off, str_len = struct.unpack_from(e + "IIII", self.raw, 8)
        body = len(self.raw) - hdr_len
        for what, off, length in (("type", type_off, type_len), ("string", str_off, str_len)):
            if off > body or length > body - off:
                raise BTFError(
                    f"{what} section ({off:#x}+{length:#x}) runs past the end of the data "
                    f"({body:#x} bytes after the header)",
                    section,
                    8,
                )
        if type_len % 4 or type_off % 4:
            raise BTFError("type section is not 4-byte aligned", section, 8)
        self._type_start = hdr_len + type_off
        self._type_end = self._type_start + type_len
        self._str_start = hdr_len + str_off
        self._str_len: int = str_len
        if base is None and str_len and self.raw[self._str_start] != 0:
            raise BTFError(
                "string section does not start with an empty string", section, self._str_start
            )
        if str_len and self.raw[self._str_start + str_len - 1] != 0:
            raise BTFError(
                "string section is not NUL-terminated", section, self._str_start + str_len - 1
            )
        self._first_id: int = 1 if base is None else len(base)
        self._str_base: int = 0 if base is None else base._str_base + base._str_len
        self._strings: dict[int, str] = {}
        self._all_strings_read = False
        self._offsets = array("I")
        self._name_offs = array("I")
        self._kinds = bytearray()
        self._scan()
        self._count: int = self._first_id + len(self._offsets)
        self._cache: list[BTFType | None] = [None] * len(self._offsets)
        self._by_name: dict[str, list[int]] | None = None

    # --- scanning ------------------------------------------------------------------------

    def _scan(self) -> None:
        raw = self.raw
        head = struct.Struct(self._e + "III")
        unpack = head.unpack_from
        offsets = self._offsets.append
        names = self._name_offs.append
        kinds = self._kinds.append
        fixed = {int(k): v for k, v in _EXTRA_FIXED.items()}
        per_vlen = {int(k): v for k, v in _EXTRA_PER_VLEN.items()}
        pos, end = self._type_start, self._type_end
        while pos < end:
            if end - pos < 12:
                raise BTFError(f"truncated type record ({end - pos} bytes left)", self.section, pos)
            name_off, info, _ = unpack(raw, pos)
            kind = (info >> 24) & 0x1F
            if kind not in _KINDS:
                raise BTFError(
                    f"type {self._first_id + len(self._offsets)} has unknown kind {kind}",
                    self.section,
                    pos,
                )
            offsets(pos)
            names(name_off)
            kinds(kind)
            pos += 12 + fixed.get(kind, 0) + per_vlen.get(kind, 0) * (info & 0xFFFF)
        if pos != end:
            raise BTFError(
                f"type {self._first_id + len(self._offsets) - 1} runs past the end of the type section",
                self.section,
                self._offsets[-1],
            )

    # --- strings -------------------------------------------------------------------------

    def string(self, offset: int) -> str:
        """The NUL-terminated string at ``offset`` of the string section."""
        cached = self._strings.get(offset)
        if cached is not None:
            return cached
        text = self._read_string(offset)
        self._strings[offset] = text
        return text

    def _read_string(self, offset: int) -> str:
        if offset < self._str_base:
            assert self.base is not None
            return self.base.string(offset)
        rel = offset - self._str_base
        if rel >= self._str_len:
            raise BTFError(
                f"string offset {offset:#x} is outside the string section ({self._str_len:#x} bytes)",
                self.section,
                self._str_start,
            )
        start = self._str_start + rel
        stop = self.raw.index(0, start)
        try:
            return self.raw[start:stop].decode()
        except UnicodeDecodeError:
            raise BTFError(f"string at {offset:#x} is not UTF-8", self.section, start) from None

    def _read_all_strings(self) -> None:
        """Fill the string cache from the whole section at once (for decoding every type).

        Only strings that start right after a NUL are read this way; other offsets (a
        suffix of another string) and non-UTF-8 sections go through :meth:`string`.
        """
        if self._all_strings_read:
            return
        self._all_strings_read = True
        section = self.strings
        try:
            texts = section.decode().split("\0")
        except UnicodeDecodeError:
            return
        pieces = section.split(b"\0")
        # Byte offsets of each piece (UTF-8 never has a NUL byte inside a character, so
        # the byte and text splits line up).
        starts = accumulate(map((1).__add__, map(len, pieces)), initial=self._str_base)
        fresh = dict(zip(starts, texts[:-1], strict=False))  # the last piece follows the last NUL
        fresh.update(self._strings)
        self._strings = fresh

    @property
    def strings(self) -> bytes:
        """This BTF's own string section."""
        return self.raw[self._str_start : self._str_start + self._str_len]

    # --- types ---------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of type ids, including void (and the base's types for split BTF)."""
        return self._count

    def __iter__(self) -> Iterator[BTFType]:
        """Every type of this BTF (not the base's), in id order."""
        for type_id in range(self._first_id, len(self)):
            yield self[type_id]

    def __getitem__(self, type_id: int) -> BTFType:
        if type_id == 0:
            return VOID
        if type_id < self._first_id:
            assert self.base is not None
            return self.base[type_id]
        index = type_id - self._first_id
        if not 0 <= index < len(self._offsets):
            raise BTFError(
                f"type id {type_id} does not exist (last id is {len(self) - 1})", self.section
            )
        cached = self._cache[index]
        if cached is None:
            cached = self._cache[index] = self._decode(type_id, self._offsets[index])
        return cached

    def offset_of(self, type_id: int) -> int:
        """Byte offset of a type's record in :attr:`raw`."""
        return self._offsets[type_id - self._first_id]

    def kind_of(self, type_id: int) -> Kind:
        """The kind of a type without decoding it."""
        if type_id == 0:
            return Kind.VOID
        if type_id < self._first_id:
            assert self.base is not None
            return self.base.kind_of(type_id)
        return Kind(self._kinds[type_id - self._first_id])

    def _ref(self, type_id: int, ref: int, pos: int) -> int:
        if ref >= self._count:
            raise BTFError(
                f"type {type_id} refers to type {ref}, which does not exist", self.section, pos
            )
        return ref

    def _refs(self, type_id: int, refs: list[int], pos: int) -> None:
        """Check several references at once (the first missing one is reported)."""
        if refs and max(refs) >= self._count:
            for ref in refs:
                self._ref(type_id, ref, pos)

    def _decode(self, type_id: int, pos: int) -> BTFType:
        # Hot when every type is decoded (vmlinux: >100k types): precompiled structs,
        # iter_unpack over the per-vlen records and one bounds check per list of references.
        raw = self.raw
        name_off, info, size_type = self._s_iii.unpack_from(raw, pos)
        k = (info >> 24) & 0x1F  # compared as a plain int: faster than enum members
        kind = _KINDS[k]
        vlen = info & 0xFFFF
        kflag = bool(info >> 31)
        # The string cache first: ``string()`` is a call per name (empty names take it too).
        string, cached = self.string, self._strings.get
        name = cached(name_off) or string(name_off)
        body = pos + 12
        if k in _REF_KIND_INTS:  # PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG
            return _new_type(
                type_id, kind, name, type=self._ref(type_id, size_type, pos), kind_flag=kflag
            )
        if k == _STRUCT or k == _UNION:
            rows = self._s_iii.iter_unpack(self._view[body : body + 12 * vlen])
            if kflag:
                members = tuple(
                    [
                        _new(Member, (cached(n) or string(n), t, off & 0xFFFFFF, off >> 24))
                        for n, t, off in rows
                    ]
                )
            else:
                members = tuple(
                    [_new(Member, (cached(n) or string(n), t, off, 0)) for n, t, off in rows]
                )
            self._refs(type_id, [m[1] for m in members], pos)
            return _new_type(type_id, kind, name, size=size_type, kind_flag=kflag, members=members)
        if k == _FUNC_PROTO:
            rows = self._s_ii.iter_unpack(self._view[body : body + 8 * vlen])
            params = tuple([_new(Param, (cached(n) or string(n), t)) for n, t in rows])
            self._refs(type_id, [p[1] for p in params], pos)
            return _new_type(
                type_id, kind, name, type=self._ref(type_id, size_type, pos), params=params
            )
        if k == _FUNC:
            return _new_type(
                type_id,
                kind,
                name,
                type=self._ref(type_id, size_type, pos),
                linkage=_linkage(vlen, self, pos),
            )
        if k == _INT:
            (word,) = self._s_i.unpack_from(raw, body)
            return _new_type(
                type_id,
                kind,
                name,
                size=size_type,
                kind_flag=kflag,
                encoding=(word >> 24) & 0x0F,
                bit_offset=(word >> 16) & 0xFF,
                bits=word & 0xFF,
            )
        if k == _ENUM:
            unpack = self._s_ii_signed if kflag else self._s_ii
            values = tuple(
                [
                    _new(Enumerator, (cached(n) or string(n), value))
                    for n, value in unpack.iter_unpack(self._view[body : body + 8 * vlen])
                ]
            )
            return _new_type(
                type_id, kind, name, size=size_type, kind_flag=kflag, enumerators=values
            )
        if k == _ENUM64:
            values64 = []
            for n, lo, hi in self._s_iii.iter_unpack(self._view[body : body + 12 * vlen]):
                value = (hi << 32) | lo
                if kflag and value >= 1 << 63:
                    value -= 1 << 64
                values64.append(Enumerator(string(n), value))
            return _new_type(
                type_id, kind, name, size=size_type, kind_flag=kflag, enumerators=tuple(values64)
            )
        if k == _ARRAY:
            elem, index, nelems = self._s_iii.unpack_from(raw, body)
            return _new_type(
                type_id,
                kind,
                name,
                type=self._ref(type_id, elem, pos),
                index_type=self._ref(type_id, index, pos),
                nelems=nelems,
            )
        if k == _VAR:
            (linkage,) = self._s_i.unpack_from(raw, body)
            return _new_type(
                type_id,
                kind,
                name,
                type=self._ref(type_id, size_type, pos),
                linkage=_linkage(linkage, self, pos),
            )
        if k == _DATASEC:
            rows = self._s_iii.iter_unpack(self._view[body : body + 12 * vlen])
            infos = tuple([_new(VarSecinfo, row) for row in rows])
            self._refs(type_id, [i[0] for i in infos], pos)
            return _new_type(type_id, kind, name, size=size_type, secinfos=infos)
        if k == _DECL_TAG:
            (component,) = self._s_i_signed.unpack_from(raw, body)
            return _new_type(
                type_id,
                kind,
                name,
                type=self._ref(type_id, size_type, pos),
                component_idx=component,
            )
        if k == _FLOAT:
            return _new_type(type_id, kind, name, size=size_type)
        # FWD
        return _new_type(type_id, kind, name, kind_flag=kflag)

    def check(self) -> BTF:
        """Decode every type (raising the first BTFError) and check reference chains end."""
        self._read_all_strings()
        cache, offsets, decode = self._cache, self._offsets, self._decode
        with gc_paused():
            for index, t in enumerate(cache):
                type_id = self._first_id + index
                if t is None:
                    t = cache[index] = decode(type_id, offsets[index])
                if t.kind in _REF_KINDS:
                    self.resolve(type_id)
        return self

    # --- lookups -------------------------------------------------------------------------

    def _name_index(self) -> dict[str, list[int]]:
        if self._by_name is None:
            index: dict[str, list[int]] = {}
            self._read_all_strings()
            string = self.string
            for i, name_off in enumerate(self._name_offs):
                if name_off:
                    index.setdefault(string(name_off), []).append(self._first_id + i)
            self._by_name = index
        return self._by_name

    def find(self, name: str, kind: Kind | None = None) -> list[BTFType]:
        """All types called ``name`` (of ``kind`` if given), base types first."""
        found = self.base.find(name, kind) if self.base is not None else []
        for type_id in self._name_index().get(name, ()):
            if kind is None or self.kind_of(type_id) == kind:
                found.append(self[type_id])
        return found

    def find_one(self, name: str, kind: Kind | None = None) -> BTFType:
        """The one type called ``name``; BTFError when there is none."""
        found = self.find(name, kind)
        if not found:
            what = f"{kind.name} " if kind is not None else ""
            raise BTFError(f"no {what}type named {name!r}", self.section)
        return found[0]

    def resolve(self, type_id: int) -> BTFType:
        """Skip typedefs, qualifiers and type tags."""
        t = self[type_id]
        for _ in range(_MAX_RESOLVE_DEPTH):
            if t.kind not in MODIFIER_KINDS:
                return t
            t = self[t.type]
        raise BTFError(
            f"type {type_id} is part of a modifier chain that is too long or a loop", self.section
        )

    def size_of(self, type_id: int) -> int:
        """The size in bytes of a type, following typedefs, qualifiers, arrays and variables."""
        multiplier = 1
        t = self[type_id]
        for _ in range(_MAX_RESOLVE_DEPTH):
            if t.kind in (
                Kind.INT,
                Kind.STRUCT,
                Kind.UNION,
                Kind.ENUM,
                Kind.ENUM64,
                Kind.DATASEC,
                Kind.FLOAT,
            ):
                return multiplier * t.size
            if t.kind == Kind.PTR:
                return multiplier * 8
            if t.kind == Kind.ARRAY:
                multiplier *= t.nelems
                if multiplier > 0xFFFFFFFF:
                    raise BTFError(f"type {type_id} is larger than 4 GiB", self.section)
            elif t.kind not in MODIFIER_KINDS and t.kind != Kind.VAR:
                raise BTFError(f"type {type_id} ({t}) has no size", self.section)
            t = self[t.type]
        raise BTFError(f"type {type_id} nests too deeply to have a size", self.section)

    def __repr__(self) -> str:
        return f"<BTF {self.section}: {len(self) - 1} types, {self.byteorder}-endian>"


def _linkage(value: int, btf: BTF, pos: int) -> Linkage:
    linkage = _LINKAGES.get(value)
    if linkage is None:
        raise BTFError(f"unknown linkage {value}", btf.section, pos)
    return linkage


_new = tuple.__new__
_BTF_TYPE_FIELDS = (
    "id",
    "kind",
    "name",
    "size",
    "type",
    "kind_flag",
    "encoding",
    "bit_offset",
    "bits",
    "index_type",
    "nelems",
    "members",
    "enumerators",
    "params",
    "linkage",
    "secinfos",
    "component_idx",
)
if tuple(f.name for f in fields(BTFType)) != _BTF_TYPE_FIELDS:  # pragma: no cover
    raise ImportError("BTFType's fields changed: update _new_type in pyebpf/btf/parser.py")
_SETTERS = tuple(getattr(BTFType, name).__set__ for name in _BTF_TYPE_FIELDS)


def _new_type(
    type_id: int,
    kind: Kind,
    name: str,
    *,
    size: int = 0,
    type: int = 0,
    kind_flag: bool = False,
    encoding: int = 0,
    bit_offset: int = 0,
    bits: int = 0,
    index_type: int = 0,
    nelems: int = 0,
    members: tuple[Member, ...] = (),
    enumerators: tuple[Enumerator, ...] = (),
    params: tuple[Param, ...] = (),
    linkage: Linkage = Linkage.STATIC,
    secinfos: tuple[VarSecinfo, ...] = (),
    component_idx: int = -1,
) -> BTFType:
    """``BTFType(...)`` without the frozen-dataclass ``__init__``: about twice as fast, which
    counts when every vmlinux type is decoded. The fields are set through the slot
    descriptors (the check above keeps this in step with the class)."""
    t = object.__new__(BTFType)
    (
        s_id,
        s_kind,
        s_name,
        s_size,
        s_type,
        s_kind_flag,
        s_encoding,
        s_bit_offset,
        s_bits,
        s_index_type,
        s_nelems,
        s_members,
        s_enumerators,
        s_params,
        s_linkage,
        s_secinfos,
        s_component_idx,
    ) = _SETTERS
    s_id(t, type_id)
    s_kind(t, kind)
    s_name(t, name)
    s_size(t, size)
    s_type(t, type)
    s_kind_flag(t, kind_flag)
    s_encoding(t, encoding)
    s_bit_offset(t, bit_offset)
    s_bits(t, bits)
    s_index_type(t, index_type)
    s_nelems(t, nelems)
    s_members(t, members)
    s_enumerators(t, enumerators)
    s_params(t, params)
    s_linkage(t, linkage)
    s_secinfos(t, secinfos)
    s_component_idx(t, component_idx)
    return t


_LINKAGES = {int(linkage): linkage for linkage in Linkage}
# Kinds whose record is just the common part with ``type`` naming another type.
_REF_KINDS = MODIFIER_KINDS | {Kind.PTR}
_REF_KIND_INTS = frozenset(int(kind) for kind in _REF_KINDS)
(_INT, _ARRAY, _STRUCT, _UNION, _ENUM, _FUNC, _FUNC_PROTO, _VAR, _DATASEC, _FLOAT, _DECL_TAG) = (
    int(Kind.INT),
    int(Kind.ARRAY),
    int(Kind.STRUCT),
    int(Kind.UNION),
    int(Kind.ENUM),
    int(Kind.FUNC),
    int(Kind.FUNC_PROTO),
    int(Kind.VAR),
    int(Kind.DATASEC),
    int(Kind.FLOAT),
    int(Kind.DECL_TAG),
)
_ENUM64 = int(Kind.ENUM64)


def parse_btf(
    data: bytes | bytearray | memoryview, *, base: BTF | None = None, section: str = ".BTF"
) -> BTF:
    """Parse raw BTF bytes (see :class:`BTF`)."""
    return BTF(data, base=base, section=section)
