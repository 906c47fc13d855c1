"""Parse raw ``.BTF`` data (an ELF section, ``/sys/kernel/btf/*`` or a raw BTF file).

Parsing is done in two steps so that large inputs (vmlinux has >100k types) stay fast: the
whole type section is scanned once to find where each record starts (which also checks that
every record is complete and of a known kind), and each :class:`BTFType` is decoded the first
time it is asked for. :meth:`BTF.check` decodes everything, for callers that want every
error up front.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields
from itertools import accumulate, chain, compress, repeat
from operator import add, and_, lshift, mul
from typing import NoReturn

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
_FIXED_WORDS = {int(k): v // 4 for k, v in _EXTRA_FIXED.items()}
_PER_VLEN_WORDS = {int(k): v // 4 for k, v in _EXTRA_PER_VLEN.items()}
# Where each kind's record names other types and strings, in 32-bit words: the words of the
# fixed part that hold type ids (counted from the record start), and for the per-vlen part
# (stride, word of the name or None, word of the type id or None).
_Sub = tuple[int, int | None, int | None]
_LAYOUT: dict[int, tuple[tuple[int, ...], _Sub | None]] = {
    int(Kind.INT): ((), None),
    int(Kind.PTR): ((2,), None),
    int(Kind.ARRAY): ((3, 4), None),
    int(Kind.STRUCT): ((), (3, 0, 1)),
    int(Kind.UNION): ((), (3, 0, 1)),
    int(Kind.ENUM): ((), (2, 0, None)),
    int(Kind.FWD): ((), None),
    int(Kind.TYPEDEF): ((2,), None),
    int(Kind.VOLATILE): ((2,), None),
    int(Kind.CONST): ((2,), None),
    int(Kind.RESTRICT): ((2,), None),
    int(Kind.FUNC): ((2,), None),
    int(Kind.FUNC_PROTO): ((2,), (2, 0, 1)),
    int(Kind.VAR): ((2,), None),
    int(Kind.DATASEC): ((), (3, None, 0)),
    int(Kind.FLOAT): ((), None),
    int(Kind.DECL_TAG): ((2,), None),
    int(Kind.TYPE_TAG): ((2,), None),
    int(Kind.ENUM64): ((), (3, 0, None)),
}
_U32 = next(code for code in "IL" if array(code).itemsize == 4)


def _kind_table(kinds: set[int]) -> bytes:
    """A ``bytes.translate`` table: 1 for the given kind numbers, 0 for every other byte."""
    return bytes(1 if value in kinds else 0 for value in range(256))


_HAS_TYPE_AT_2 = _kind_table({kind for kind, (refs, _sub) in _LAYOUT.items() if 2 in refs})
# Kinds with ids or names beyond word 2 (STRUCT and UNION share a layout: picked together).
_PICK_KIND = {
    int(Kind.ARRAY): _kind_table({int(Kind.ARRAY)}),
    int(Kind.STRUCT): _kind_table({int(Kind.STRUCT), int(Kind.UNION)}),
    int(Kind.ENUM): _kind_table({int(Kind.ENUM)}),
    int(Kind.FUNC_PROTO): _kind_table({int(Kind.FUNC_PROTO)}),
    int(Kind.DATASEC): _kind_table({int(Kind.DATASEC)}),
    int(Kind.ENUM64): _kind_table({int(Kind.ENUM64)}),
}


def type_words(data: bytes, byteorder: str) -> array[int]:
    """``data`` (a length that is a multiple of 4) as 32-bit words in host order."""
    words = array(_U32)
    words.frombytes(data)
    if byteorder != sys.byteorder:
        words.byteswap()
    return words


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
        # The type section as 32-bit words in host order, and where each record starts in it.
        self._words = type_words(self.raw[self._type_start : self._type_end], self.byteorder)
        # The same words as bytes in host order, and where the type section starts in them:
        # the raw data itself unless it must be byte-swapped (no memoryview: see entries).
        if self.byteorder == sys.byteorder:
            self._word_bytes, self._word_base = self.raw, self._type_start
        else:
            self._word_bytes, self._word_base = self._words.tobytes(), 0
        self._word_at = array("I")
        self._kinds = bytearray()
        self._scan()
        at = self._word_at
        self._name_offs = array("I", map(self._words.__getitem__, at))
        self._count: int = self._first_id + len(at)
        self._cache: list[BTFType | None] = [None] * len(at)
        self._by_name: dict[str, list[int]] | None = None
        self._groups: dict[int, list[int]] | None = None
        self._validate()

    # --- scanning ------------------------------------------------------------------------

    def _scan(self) -> None:
        """Find every record, checking its kind and that it fits in the type section."""
        words = self._words
        at = self._word_at.append
        kinds = self._kinds.append
        fixed, per_vlen = _FIXED_WORDS, _PER_VLEN_WORDS
        w, end = 0, len(words)
        while w < end:
            if end - w < 3:
                raise BTFError(
                    f"truncated type record ({4 * (end - w)} bytes left)",
                    self.section,
                    self._type_start + 4 * w,
                )
            info = words[w + 1]
            kind = (info >> 24) & 0x1F
            if kind not in _KINDS:
                raise BTFError(
                    f"type {self._first_id + len(self._word_at)} has unknown kind {kind}",
                    self.section,
                    self._type_start + 4 * w,
                )
            at(w)
            kinds(kind)
            w += 3 + fixed.get(kind, 0) + per_vlen.get(kind, 0) * (info & 0xFFFF)
        if w != end:
            raise BTFError(
                f"type {self._first_id + len(self._word_at) - 1} runs past the end of the type section",
                self.section,
                self._type_start + 4 * self._word_at[-1],
            )

    def kind_groups(self) -> dict[int, list[int]]:
        """Kind number -> indexes (type id - first id) of this BTF's types of that kind."""
        if self._groups is None:
            kinds = self._kinds
            order = sorted(range(len(kinds)), key=kinds.__getitem__)  # stable: ids ascending
            groups: dict[int, list[int]] = {}
            start = 0
            for kind in sorted(set(kinds)):
                count = kinds.count(kind)
                groups[kind] = order[start : start + count]
                start += count
            self._groups = groups
        return self._groups

    def record_words(self, indexes: list[int]) -> list[int]:
        """Where the records of the types at ``indexes`` (type id - first id) start, in words."""
        return list(map(self._word_at.__getitem__, indexes))

    def heads(self, starts: Sequence[int], field: int) -> list[int]:
        """Word ``field`` (0: name offset, 1: info, 2: size/type, then the kind's fixed part)
        of the records starting at words ``starts``."""
        if field == 0:
            return list(map(self._words.__getitem__, starts))
        return list(map(self._words.__getitem__, map(add, starts, repeat(field))))

    def entries(self, kind: int, starts: list[int]) -> tuple[list[int], array[int]]:
        """The per-vlen entries of the records of ``kind`` starting at words ``starts``: how
        many each has, and all their words one after the other."""
        stride = _PER_VLEN_WORDS[kind]
        first = 3 + _FIXED_WORDS.get(kind, 0)
        vlens = list(map(and_, self.heads(starts, 1), repeat(0xFFFF)))
        at = map(lshift, map(add, starts, repeat(first)), repeat(2))
        begins = list(map(add, at, repeat(self._word_base)))  # in bytes
        ends = map(add, begins, map(mul, vlens, repeat(4 * stride)))
        # Slices of bytes, not of a memoryview: a BTF caught in a reference cycle (an error
        # traceback) would hold a memoryview with exports, which the collector cannot clear.
        data = self._word_bytes
        words = array(_U32)
        words.frombytes(b"".join(map(data.__getitem__, map(slice, begins, ends))))
        return vlens, words

    def _validate(self) -> None:
        """What libbpf's ``btf__parse`` checks of every type (the scan checked kinds and
        record sizes): names inside the string section and referenced type ids that exist.

        Done on whole columns of words at C speed (each kind's records picked out of the
        kind column with a translate table); only if something is out of range are the types
        looked at one by one, to report the first bad one.
        """
        word_at, kinds = self._word_at, self._kinds
        if not word_at:
            return
        str_end, count = self._str_base + self._str_len, self._count
        if max(self._name_offs) >= str_end:
            self._report_invalid()
        # The type id in the common part (word 2): every kind that has one, in one pass.
        ids = compress(self.heads(word_at, 2), kinds.translate(_HAS_TYPE_AT_2))
        if max(ids, default=0) >= count:
            self._report_invalid()
        # The rest: the few kinds with more ids or names, each kind's records picked out.
        for kind, table in _PICK_KIND.items():
            starts = list(compress(word_at, kinds.translate(table)))
            if not starts:
                continue
            refs, sub = _LAYOUT[kind]
            for field in refs:
                if field != 2 and max(self.heads(starts, field)) >= count:
                    self._report_invalid()
            if sub is None:
                continue
            stride, name_field, type_field = sub
            _vlens, words = self.entries(kind, starts)
            if name_field is not None and max(words[name_field::stride], default=0) >= str_end:
                self._report_invalid()
            if type_field is not None and max(words[type_field::stride], default=0) >= count:
                self._report_invalid()

    def _report_invalid(self) -> NoReturn:
        """Raise the BTFError of the first type with a bad name offset or type id."""
        words, str_end = self._words, self._str_base + self._str_len
        for index, w in enumerate(self._word_at):
            type_id = self._first_id + index
            pos = self._type_start + 4 * w
            kind = self._kinds[index]
            refs, sub = _LAYOUT[kind]
            names = [words[w]]
            ids = [words[w + field] for field in refs]
            if sub is not None:
                stride, name_field, type_field = sub
                first = w + 3 + _FIXED_WORDS.get(kind, 0)
                for at in range(first, first + stride * (words[w + 1] & 0xFFFF), stride):
                    if name_field is not None:
                        names.append(words[at + name_field])
                    if type_field is not None:
                        ids.append(words[at + type_field])
            for name_off in names:
                if name_off >= str_end:
                    raise BTFError(
                        f"type {type_id} has a name at string offset {name_off:#x}, outside "
                        f"the string section (which ends at {str_end:#x})",
                        self.section,
                        pos,
                    )
            for ref in ids:
                self._ref(type_id, ref, pos)
        raise AssertionError("_report_invalid found nothing invalid")  # pragma: no cover

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
        # Byte offsets of each piece (UTF-8 never has a NUL byte inside a character, so
        # the byte and text splits line up; in ASCII they are the same lengths).
        pieces = texts if section.isascii() else section.split(b"\0")
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
        if not 0 <= index < len(self._word_at):
            raise BTFError(
                f"type id {type_id} does not exist (last id is {len(self) - 1})", self.section
            )
        cached = self._cache[index]
        if cached is None:
            pos = self._type_start + 4 * self._word_at[index]
            cached = self._cache[index] = self._decode(type_id, pos)
        return cached

    def offset_of(self, type_id: int) -> int:
        """Byte offset of a type's record in :attr:`raw`."""
        return self._type_start + 4 * self._word_at[type_id - self._first_id]

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
            rows = self._s_iii.iter_unpack(raw[body : body + 12 * vlen])
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
            rows = self._s_ii.iter_unpack(raw[body : body + 8 * vlen])
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
                    for n, value in unpack.iter_unpack(raw[body : body + 8 * vlen])
                ]
            )
            return _new_type(
                type_id, kind, name, size=size_type, kind_flag=kflag, enumerators=values
            )
        if k == _ENUM64:
            values64 = []
            for n, lo, hi in self._s_iii.iter_unpack(raw[body : body + 12 * vlen]):
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
            rows = self._s_iii.iter_unpack(raw[body : body + 12 * vlen])
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
        from .bulk import decode_all  # the bulk decoder builds on this module

        with gc_paused():
            if decode_all(self):
                groups = self.kind_groups()
                modifiers = chain.from_iterable(groups.get(int(k), ()) for k in MODIFIER_KINDS)
                for index in sorted(modifiers):
                    self.resolve(self._first_id + index)
                return self
            # Something irregular: one type at a time, which raises the first error.
            cache, word_at, decode = self._cache, self._word_at, self._decode
            for index, t in enumerate(cache):
                type_id = self._first_id + index
                if t is None:
                    t = cache[index] = decode(type_id, self._type_start + 4 * word_at[index])
                if t.kind in _REF_KINDS:
                    self.resolve(type_id)
        return self

    # --- lookups -------------------------------------------------------------------------

    def name_index(self) -> Mapping[str, list[int]]:
        """The ids of this BTF's own types (not a split BTF's base) by name, built once.

        It is read from the names alone, without decoding any type (cheap on vmlinux).
        """
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
        for type_id in self.name_index().get(name, ()):
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
