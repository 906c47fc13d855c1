"""Encode :class:`BTFType` values back into raw BTF (for loading into the kernel).

The encoder writes a fresh, de-duplicated string section; type ids are positions in the
given sequence (``types[0]`` must be void).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from ..errors import BTFError
from .parser import BTF_MAGIC
from .types import BTFType, Kind


class StringTable:
    """Builds a BTF string section; ``add`` returns the offset of a (possibly shared) string."""

    def __init__(self, initial: bytes = b"\0") -> None:
        # ``initial`` (an existing string section) is kept byte for byte, so offsets into it
        # stay valid; new strings are appended.
        self._data = bytearray(initial or b"\0")
        self._offsets: dict[str, int] = {"": 0}
        pos = 0
        for chunk in bytes(self._data).split(b"\0")[:-1]:
            self._offsets.setdefault(chunk.decode(errors="replace"), pos)
            pos += len(chunk) + 1

    def add(self, text: str) -> int:
        offset = self._offsets.get(text)
        if offset is None:
            offset = self._offsets[text] = len(self._data)
            self._data += text.encode() + b"\0"
        return offset

    def __bytes__(self) -> bytes:
        return bytes(self._data)


def encode_btf(types: Sequence[BTFType], byteorder: str = "little") -> bytes:
    """Raw BTF for ``types`` (ids are their positions; ``types[0]`` is void and not written)."""
    return encode_btf_with_strings(types, byteorder, b"\0")


def encode_btf_with_strings(
    types: Sequence[BTFType], byteorder: str, strings_prefix: bytes
) -> bytes:
    """Like :func:`encode_btf`, keeping ``strings_prefix`` as the start of the string section."""
    if byteorder not in ("little", "big"):
        raise BTFError(f"byteorder must be 'little' or 'big', not {byteorder!r}")
    e = "<" if byteorder == "little" else ">"
    strings = StringTable(strings_prefix)
    out = bytearray()
    for type_id, t in enumerate(types):
        if type_id == 0:
            if t.kind != Kind.VOID:
                raise BTFError("type 0 must be void")
            continue
        out += _encode_type(t, e, strings)
    string_bytes = bytes(strings)
    header = struct.pack(
        e + "HBBIIIII", BTF_MAGIC, 1, 0, 24, 0, len(out), len(out), len(string_bytes)
    )
    return header + bytes(out) + string_bytes


def _info(kind: Kind, vlen: int, kind_flag: bool) -> int:
    if vlen > 0xFFFF:
        raise BTFError(f"{kind.name} with {vlen} entries does not fit in vlen")
    return (int(kind_flag) << 31) | (int(kind) << 24) | vlen


def _encode_type(t: BTFType, e: str, strings: StringTable) -> bytes:
    name = strings.add(t.name)
    kind = t.kind
    head = struct.Struct(e + "III")
    if kind == Kind.INT:
        word = (t.encoding << 24) | (t.bit_offset << 16) | t.bits
        return head.pack(name, _info(kind, 0, t.kind_flag), t.size) + struct.pack(e + "I", word)
    if kind in (Kind.STRUCT, Kind.UNION):
        kflag = t.kind_flag or any(m.bitfield_size for m in t.members)
        body = b"".join(
            head.pack(
                strings.add(m.name),
                m.type,
                (m.bitfield_size << 24) | m.bit_offset if kflag else m.bit_offset,
            )
            for m in t.members
        )
        return head.pack(name, _info(kind, len(t.members), kflag), t.size) + body
    if kind == Kind.ENUM:
        fmt = struct.Struct(e + ("Ii" if t.kind_flag else "II"))
        body = b"".join(fmt.pack(strings.add(v.name), v.value) for v in t.enumerators)
        return head.pack(name, _info(kind, len(t.enumerators), t.kind_flag), t.size) + body
    if kind == Kind.ENUM64:
        body = b"".join(
            head.pack(strings.add(v.name), v.value & 0xFFFFFFFF, (v.value >> 32) & 0xFFFFFFFF)
            for v in t.enumerators
        )
        return head.pack(name, _info(kind, len(t.enumerators), t.kind_flag), t.size) + body
    if kind == Kind.ARRAY:
        return head.pack(name, _info(kind, 0, False), 0) + head.pack(t.type, t.index_type, t.nelems)
    if kind == Kind.FUNC_PROTO:
        param = struct.Struct(e + "II")
        body = b"".join(param.pack(strings.add(p.name), p.type) for p in t.params)
        return head.pack(name, _info(kind, len(t.params), False), t.type) + body
    if kind == Kind.FUNC:
        return head.pack(name, _info(kind, int(t.linkage), False), t.type)
    if kind == Kind.VAR:
        return head.pack(name, _info(kind, 0, False), t.type) + struct.pack(e + "I", int(t.linkage))
    if kind == Kind.DATASEC:
        body = b"".join(head.pack(v.type, v.offset, v.size) for v in t.secinfos)
        return head.pack(name, _info(kind, len(t.secinfos), False), t.size) + body
    if kind == Kind.DECL_TAG:
        return head.pack(name, _info(kind, 0, False), t.type) + struct.pack(
            e + "i", t.component_idx
        )
    if kind == Kind.FLOAT:
        return head.pack(name, _info(kind, 0, False), t.size)
    if kind == Kind.FWD:
        return head.pack(name, _info(kind, 0, t.kind_flag), 0)
    if kind == Kind.VOID:
        raise BTFError(f"type {t.id}: only type 0 can be void")
    return head.pack(name, _info(kind, 0, t.kind_flag), t.type)
