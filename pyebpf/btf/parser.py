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
        self.section = section
        self.base = base
        self.byteorder = detect_byteorder(self.raw, section)
        e = "<" if self.byteorder == "little" else ">"
        self._e = e
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

    def _decode(self, type_id: int, pos: int) -> BTFType:
        e, raw = self._e, self.raw
        name_off, info, size_type = struct.unpack_from(e + "III", raw, pos)
        kind = _KINDS[(info >> 24) & 0x1F]
        vlen = info & 0xFFFF
        kflag = bool(info >> 31)
        name = self.string(name_off)
        body = pos + 12
        ref = lambda t: self._ref(type_id, t, pos)  # noqa: E731
        if kind == Kind.INT:
            (word,) = struct.unpack_from(e + "I", raw, body)
            return BTFType(
                type_id,
                kind,
                name,
                size=size_type,
                kind_flag=kflag,
                encoding=(word >> 24) & 0x0F,
                bit_offset=(word >> 16) & 0xFF,
                bits=word & 0xFF,
            )
        if kind in (Kind.STRUCT, Kind.UNION):
            members = []
            for i in range(vlen):
                m_name, m_type, m_off = struct.unpack_from(e + "III", raw, body + 12 * i)
                bitfield = (m_off >> 24) if kflag else 0
                bit_off = (m_off & 0xFFFFFF) if kflag else m_off
                members.append(Member(self.string(m_name), ref(m_type), bit_off, bitfield))
            return BTFType(
                type_id, kind, name, size=size_type, kind_flag=kflag, members=tuple(members)
            )
        if kind == Kind.ENUM:
            fmt = e + ("Ii" if kflag else "II")
            values = []
            for i in range(vlen):
                v_name, value = struct.unpack_from(fmt, raw, body + 8 * i)
                values.append(Enumerator(self.string(v_name), value))
            return BTFType(
                type_id, kind, name, size=size_type, kind_flag=kflag, enumerators=tuple(values)
            )
        if kind == Kind.ENUM64:
            values = []
            for i in range(vlen):
                v_name, lo, hi = struct.unpack_from(e + "III", raw, body + 12 * i)
                value = (hi << 32) | lo
                if kflag and value >= 1 << 63:
                    value -= 1 << 64
                values.append(Enumerator(self.string(v_name), value))
            return BTFType(
                type_id, kind, name, size=size_type, kind_flag=kflag, enumerators=tuple(values)
            )
        if kind == Kind.ARRAY:
            elem, index, nelems = struct.unpack_from(e + "III", raw, body)
            return BTFType(
                type_id, kind, name, type=ref(elem), index_type=ref(index), nelems=nelems
            )
        if kind == Kind.FUNC_PROTO:
            params = []
            for i in range(vlen):
                p_name, p_type = struct.unpack_from(e + "II", raw, body + 8 * i)
                params.append(Param(self.string(p_name), ref(p_type)))
            return BTFType(type_id, kind, name, type=ref(size_type), params=tuple(params))
        if kind == Kind.FUNC:
            return BTFType(
                type_id, kind, name, type=ref(size_type), linkage=_linkage(vlen, self, pos)
            )
        if kind == Kind.VAR:
            (linkage,) = struct.unpack_from(e + "I", raw, body)
            return BTFType(
                type_id, kind, name, type=ref(size_type), linkage=_linkage(linkage, self, pos)
            )
        if kind == Kind.DATASEC:
            infos = []
            for i in range(vlen):
                v_type, v_off, v_size = struct.unpack_from(e + "III", raw, body + 12 * i)
                infos.append(VarSecinfo(ref(v_type), v_off, v_size))
            return BTFType(type_id, kind, name, size=size_type, secinfos=tuple(infos))
        if kind == Kind.DECL_TAG:
            (component,) = struct.unpack_from(e + "i", raw, body)
            return BTFType(type_id, kind, name, type=ref(size_type), component_idx=component)
        if kind == Kind.FLOAT:
            return BTFType(type_id, kind, name, size=size_type)
        if kind == Kind.FWD:
            return BTFType(type_id, kind, name, kind_flag=kflag)
        # PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG
        return BTFType(type_id, kind, name, type=ref(size_type), kind_flag=kflag)

    def check(self) -> BTF:
        """Decode every type (raising the first BTFError) and check reference chains end."""
        for type_id in range(self._first_id, len(self)):
            t = self[type_id]
            if t.kind in MODIFIER_KINDS or t.kind == Kind.PTR:
                self.resolve(type_id)
        return self

    # --- lookups -------------------------------------------------------------------------

    def _name_index(self) -> dict[str, list[int]]:
        if self._by_name is None:
            index: dict[str, list[int]] = {}
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
    try:
        return Linkage(value)
    except ValueError:
        raise BTFError(f"unknown linkage {value}", btf.section, pos) from None


def parse_btf(
    data: bytes | bytearray | memoryview, *, base: BTF | None = None, section: str = ".BTF"
) -> BTF:
    """Parse raw BTF bytes (see :class:`BTF`)."""
    return BTF(data, base=base, section=section)
