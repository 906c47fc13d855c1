"""Parse ``.BTF.ext``: per-section function info, line info and CO-RE relocation records.

Offsets in the records (``insn_off``) are byte offsets into the ELF section they describe,
exactly as clang writes them; :attr:`FuncInfo.slot` and friends give the 8-byte slot.
String offsets refer to the string section of the matching ``.BTF``.
"""

from __future__ import annotations

import array
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any, TypeVar, overload

from ..errors import BTFError
from .parser import BTF, detect_byteorder

_SECTION = ".BTF.ext"
_NATIVE = "<" if sys.byteorder == "little" else ">"
_U32 = next(code for code in "IL" if array.array(code).itemsize == 4)
_R = TypeVar("_R")


class CORERelocKind(IntEnum):
    """``enum bpf_core_relo_kind``."""

    FIELD_BYTE_OFFSET = 0
    FIELD_BYTE_SIZE = 1
    FIELD_EXISTS = 2
    FIELD_SIGNED = 3
    FIELD_LSHIFT_U64 = 4
    FIELD_RSHIFT_U64 = 5
    TYPE_ID_LOCAL = 6
    TYPE_ID_TARGET = 7
    TYPE_EXISTS = 8
    TYPE_SIZE = 9
    ENUMVAL_EXISTS = 10
    ENUMVAL_VALUE = 11
    TYPE_MATCHES = 12


@dataclass(frozen=True, slots=True)
class SourceLine:
    """A C source line from BTF line info: what listings and verifier errors show."""

    file: str
    line: int
    column: int
    text: str

    def __str__(self) -> str:
        return self.text.strip()

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class FuncInfo:
    """``struct bpf_func_info``: the function starting at ``insn_off`` has BTF FUNC ``type_id``."""

    insn_off: int
    type_id: int

    @property
    def slot(self) -> int:
        return self.insn_off // 8


@dataclass(frozen=True, slots=True)
class LineInfo:
    """``struct bpf_line_info`` with its strings resolved."""

    insn_off: int
    file_name_off: int
    line_off: int
    line: int
    column: int
    source: SourceLine

    @property
    def slot(self) -> int:
        return self.insn_off // 8


@dataclass(frozen=True, slots=True)
class CORERelocation:
    """``struct bpf_core_relo``: a CO-RE relocation record, kept as data."""

    insn_off: int
    type_id: int
    access: str
    kind: CORERelocKind

    @property
    def slot(self) -> int:
        return self.insn_off // 8


# The fast constructors below set every field by name: keep them in step with the classes.
if tuple(f.name for f in fields(LineInfo)) != (
    "insn_off",
    "file_name_off",
    "line_off",
    "line",
    "column",
    "source",
) or tuple(f.name for f in fields(SourceLine)) != ("file", "line", "column", "text"):
    raise ImportError(
        "LineInfo/SourceLine fields changed: update pyebpf/btf/ext.py"
    )  # pragma: no cover

_LINE_SETTERS = tuple(
    getattr(LineInfo, name).__set__
    for name in ("insn_off", "file_name_off", "line_off", "line", "column", "source")
)


def new_line_info(
    insn_off: int, file_name_off: int, line_off: int, line: int, column: int, source: SourceLine
) -> LineInfo:
    """``LineInfo(...)`` without the frozen-dataclass ``__init__`` (twice as fast).

    Objects and programs carry tens of thousands of line records, built when parsing and
    again when rebasing them per program; the fields are set through the slot descriptors.
    """
    info = object.__new__(LineInfo)
    s_insn, s_file, s_line_off, s_line, s_column, s_source = _LINE_SETTERS
    s_insn(info, insn_off)
    s_file(info, file_name_off)
    s_line_off(info, line_off)
    s_line(info, line)
    s_column(info, column)
    s_source(info, source)
    return info


_SOURCE_SETTERS = tuple(
    getattr(SourceLine, name).__set__ for name in ("file", "line", "column", "text")
)


def _new_source_line(file: str, line: int, column: int, text: str) -> SourceLine:
    """``SourceLine(...)`` the fast way, as :func:`new_line_info`."""
    source = object.__new__(SourceLine)
    s_file, s_line, s_column, s_text = _SOURCE_SETTERS
    s_file(source, file)
    s_line(source, line)
    s_column(source, column)
    s_text(source, text)
    return source


class _SourceLines(Mapping[tuple[int, int, int], SourceLine]):
    """(file_name_off, line_off, line_col) of raw line records -> :class:`SourceLine`.

    Objects carry tens of thousands of distinct keys and most readers never look at one, so
    a SourceLine is built on its first lookup (the strings were checked when parsing).
    """

    __slots__ = ("_btf", "_rows", "_built", "_keys")

    def __init__(self, btf: BTF) -> None:
        self._btf = btf
        self._rows: list[LineRows] = []  # flat raw records (see LineRows)
        self._built: dict[tuple[int, int, int], SourceLine] = {}
        self._keys: dict[tuple[int, int, int], None] | None = None

    def add(self, rows: LineRows) -> None:
        self._rows.append(rows)
        self._keys = None

    def _all_keys(self) -> dict[tuple[int, int, int], None]:
        if self._keys is None:
            keys: dict[tuple[int, int, int], None] = {}
            for rows in self._rows:
                keys.update(dict.fromkeys(zip(rows[1::4], rows[2::4], rows[3::4], strict=True)))
            self._keys = keys
        return self._keys

    def __getitem__(self, key: tuple[int, int, int]) -> SourceLine:
        found = self._built.get(key)
        if found is None:
            if key not in self._all_keys():
                raise KeyError(key)
            file_off, line_off, line_col = key
            string = self._btf.string
            found = self._built[key] = _new_source_line(
                string(file_off), line_col >> 10, line_col & 0x3FF, string(line_off)
            )
        return found

    def lookup(
        self, keys: list[tuple[int, int, int]], *, from_rows: bool = False
    ) -> list[SourceLine]:
        """``[self[key] for key in keys]``, the new keys built in one go. ``from_rows``: the
        keys come from this mapping's own records, so they need no membership check."""
        built = self._built
        try:
            return list(map(built.__getitem__, keys))  # all built before: the usual case
        except KeyError:
            pass
        new = [key for key in dict.fromkeys(keys) if key not in built]
        if not from_rows:
            every = self._all_keys()
            for key in new:
                if key not in every:
                    raise KeyError(key)
        string = self._btf.string
        files = {off: string(off) for off in {key[0] for key in new}}
        texts = {off: string(off) for off in {key[1] for key in new}}
        make = _new_source_line
        for key in new:
            file_off, line_off, line_col = key
            built[key] = make(files[file_off], line_col >> 10, line_col & 0x3FF, texts[line_off])
        return list(map(built.__getitem__, keys))

    def __contains__(self, key: object) -> bool:
        return key in self._all_keys()

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return iter(self._all_keys())

    def __len__(self) -> int:
        return len(self._all_keys())


class FuncInfoTable(tuple[FuncInfo, ...]):
    """A program's func info; ``to_bytes()`` gives the kernel's ``bpf_func_info`` records."""

    __slots__ = ()

    def to_bytes(self, byteorder: str = sys.byteorder) -> bytes:
        e = "<" if byteorder == "little" else ">"
        return b"".join(struct.pack(e + "II", f.insn_off // 8, f.type_id) for f in self)


# Raw ``bpf_line_info`` records, flat: insn_off, file_name_off, line_off, line << 10 | column,
# four numbers a record (no object per record: objects hold tens of thousands of them).
LineRows = Sequence[int]


class LineInfoTable(Sequence[LineInfo]):
    """Line info records; ``to_bytes()`` gives the kernel's ``bpf_line_info`` records.

    Objects carry tens of thousands of line records, so tables read from ``.BTF.ext`` keep
    the raw records (each chunk with the byte offset it is moved by) and build the
    :class:`LineInfo` objects only when they are first looked at.
    """

    __slots__ = ("_chunks", "_sources", "_records", "_length")

    def __init__(self, records: Iterable[LineInfo] = ()) -> None:
        self._records: tuple[LineInfo, ...] | None = tuple(records)
        self._chunks: list[tuple[LineRows, int]] = []
        self._sources: Mapping[tuple[int, int, int], SourceLine] = {}
        self._length = len(self._records)

    @classmethod
    def from_rows(
        cls,
        chunks: list[tuple[LineRows, int]],
        sources: Mapping[tuple[int, int, int], SourceLine],
    ) -> LineInfoTable:
        """A lazy table: ``chunks`` of flat raw records, each moved by its byte offset;
        ``sources`` maps (file_name_off, line_off, line_col) to the record's source line."""
        table = cls.__new__(cls)
        table._records = None
        table._chunks = chunks
        table._sources = sources
        table._length = sum(len(rows) for rows, _base in chunks) // 4
        return table

    @property
    def sources(self) -> Mapping[tuple[int, int, int], SourceLine]:
        """(file_name_off, line_off, line_col) of a raw record -> its :class:`SourceLine`."""
        if self._records is not None:
            return {
                (x.file_name_off, x.line_off, (x.line << 10) | x.column): x.source
                for x in self._records
            }
        return self._sources

    def rows(self) -> LineRows:
        """The records, flat and raw (see :data:`LineRows`), offsets moved to where they are."""
        if self._records is not None:
            return [
                v
                for x in self._records
                for v in (x.insn_off, x.file_name_off, x.line_off, (x.line << 10) | x.column)
            ]
        if len(self._chunks) == 1 and self._chunks[0][1] == 0:
            return self._chunks[0][0]
        out: list[int] = []
        for rows, base in self._chunks:
            moved = list(rows)
            moved[0::4] = [a + base for a in rows[0::4]]
            out += moved
        return out

    def source_by_slot(self) -> dict[int, SourceLine]:
        """Slot -> the source line of the last record at that slot."""
        rows = self.rows()
        offsets = rows[0::4]
        keys = list(zip(rows[1::4], rows[2::4], rows[3::4], strict=True))
        sources = self.sources
        if isinstance(sources, _SourceLines):
            found = sources.lookup(keys, from_rows=True)
        else:
            found = list(map(sources.__getitem__, keys))
        if any(map((7).__and__, offsets)):  # not at an instruction: no slot
            return {a >> 3: f for a, f in zip(offsets, found, strict=True) if not a & 7}
        return dict(zip([a >> 3 for a in offsets], found, strict=True))

    def _all(self) -> tuple[LineInfo, ...]:
        records = self._records
        if records is None:
            source_of = self._sources.__getitem__
            built: list[LineInfo] = []
            for rows, base in self._chunks:
                it = iter(rows)
                built += [
                    new_line_info(a + base, b, c, d >> 10, d & 0x3FF, source_of((b, c, d)))
                    for a, b, c, d in zip(it, it, it, it, strict=False)
                ]
            records = self._records = tuple(built)
        return records

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> LineInfo: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[LineInfo, ...]: ...

    def __getitem__(self, index: int | slice) -> LineInfo | tuple[LineInfo, ...]:
        return self._all()[index]

    def __iter__(self) -> Iterator[LineInfo]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LineInfoTable):
            return self._all() == other._all()
        if isinstance(other, tuple):
            return self._all() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"LineInfoTable({self._all()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (LineInfoTable, (self._all(),))

    def to_bytes(self, byteorder: str = sys.byteorder) -> bytes:
        pack = struct.Struct(("<" if byteorder == "little" else ">") + "IIII").pack
        if self._records is None:
            out = []
            for rows, base in self._chunks:
                it = iter(rows)
                out += [
                    pack((a + base) // 8, b, c, d)
                    for a, b, c, d in zip(it, it, it, it, strict=False)
                ]
            return b"".join(out)
        return b"".join(
            [
                pack(x.insn_off // 8, x.file_name_off, x.line_off, (x.line << 10) | x.column)
                for x in self._records
            ]
        )


@dataclass(frozen=True)
class BTFExt:
    """All of ``.BTF.ext``, keyed by the ELF section name each record list belongs to."""

    func_info: dict[str, tuple[FuncInfo, ...]]
    line_info: dict[str, LineInfoTable]
    core_relos: dict[str, tuple[CORERelocation, ...]]


def parse_btf_ext(data: bytes | bytearray | memoryview, btf: BTF) -> BTFExt:
    """Parse ``.BTF.ext`` bytes; names and strings are looked up in ``btf``."""
    raw = bytes(data)
    order = detect_byteorder(raw, _SECTION)
    e = "<" if order == "little" else ">"
    if order != btf.byteorder:
        raise BTFError(f"byte order ({order}) differs from .BTF ({btf.byteorder})", _SECTION, 0)
    if len(raw) < 24:
        raise BTFError(f"{len(raw)} bytes is too short for the header", _SECTION, 0)
    _magic, version, _flags, hdr_len = struct.unpack_from(e + "HBBI", raw, 0)
    if version != 1:
        raise BTFError(f"unsupported version {version}", _SECTION, 2)
    if hdr_len < 24 or hdr_len > len(raw):
        raise BTFError(f"header length {hdr_len} is invalid", _SECTION, 4)
    fi_off, fi_len, li_off, li_len = struct.unpack_from(e + "IIII", raw, 8)
    co_off = co_len = 0
    if hdr_len >= 32:
        co_off, co_len = struct.unpack_from(e + "II", raw, 24)

    def func(off: int, fields: tuple[int, ...]) -> FuncInfo:
        insn_off, type_id = fields
        if type_id >= len(btf):
            raise BTFError(
                f"func_info refers to type {type_id}, which does not exist", _SECTION, off
            )
        return FuncInfo(insn_off, type_id)

    # Many records share a source line (one per instruction of a C statement), and most
    # callers never look at them: the strings are checked here, once per distinct offset, and
    # each SourceLine is built the first time it is looked up.
    sources = _SourceLines(btf)

    def lines(pos: int, rec_size: int, block: bytes) -> list[int]:
        """The records of ``block`` (packed, 16 bytes each), flat, once their strings check."""
        flat = array.array(_U32, block)
        if e != _NATIVE:
            flat.byteswap()
        # The first bad record is reported: the first bad offset of each column, whichever
        # comes first (the file name before the line text of the same record).
        first_bad: tuple[int, int, BTFError] | None = None
        for column in (1, 2):
            offsets = flat[column::4]
            for offset in dict.fromkeys(offsets):
                try:
                    btf.string(offset)
                except BTFError as exc:
                    bad = (offsets.index(offset), column, exc)
                    if first_bad is None or bad[:2] < first_bad[:2]:
                        first_bad = bad
                    break
        if first_bad is not None:
            index, _column, error = first_bad
            raise BTFError(error.reason, _SECTION, pos + index * rec_size) from None
        rows = flat.tolist()
        sources.add(rows)
        return rows

    def core(off: int, fields: tuple[int, ...]) -> CORERelocation:
        insn_off, type_id, access_off, kind = fields
        if type_id >= len(btf):
            raise BTFError(
                f"CO-RE relocation refers to type {type_id}, which does not exist", _SECTION, off
            )
        try:
            relo_kind = CORERelocKind(kind)
        except ValueError:
            raise BTFError(f"unknown CO-RE relocation kind {kind}", _SECTION, off) from None
        return CORERelocation(insn_off, type_id, _string(btf, access_off, off), relo_kind)

    return BTFExt(
        func_info=_records(raw, e, btf, hdr_len + fi_off, fi_len, "II", func, "func_info"),
        line_info={
            name: LineInfoTable.from_rows([(rows, 0)], sources)
            for name, rows in _records(
                raw, e, btf, hdr_len + li_off, li_len, "IIII", None, "line_info", lines
            ).items()
        },
        core_relos=_records(raw, e, btf, hdr_len + co_off, co_len, "IIII", core, "core_relo"),
    )


def _string(btf: BTF, offset: int, where: int) -> str:
    try:
        return btf.string(offset)
    except BTFError as exc:
        raise BTFError(exc.reason, _SECTION, where) from None


def _records(
    raw: bytes,
    e: str,
    btf: BTF,
    start: int,
    length: int,
    fmt: str,
    decode: Callable[[int, tuple[int, ...]], _R] | None,
    what: str,
    decode_rows: Callable[[int, int, bytes], list[_R]] | None = None,
) -> dict[str, tuple[_R, ...]]:
    """Decode one info block: ``rec_size``, then (section name, count, records) groups.

    Records may be longer than the fields pyebpf knows (newer kernels append fields): only
    the known leading fields are read.
    """
    out: dict[str, list[_R]] = {}
    known = struct.Struct(e + fmt)
    min_size = known.size
    if length == 0:
        return {}
    end = start + length
    if start > len(raw) or end > len(raw):
        raise BTFError(f"{what} block ({start:#x}+{length:#x}) runs past the end", _SECTION, start)
    if length < 4:
        raise BTFError(f"{what} block is too short for its record size", _SECTION, start)
    (rec_size,) = struct.unpack_from(e + "I", raw, start)
    if rec_size < min_size or rec_size % 4:
        raise BTFError(
            f"{what} record size {rec_size} is invalid (at least {min_size})", _SECTION, start
        )
    pos = start + 4
    while pos < end:
        if end - pos < 8:
            raise BTFError(f"truncated {what} section header", _SECTION, pos)
        name_off, count = struct.unpack_from(e + "II", raw, pos)
        name = _string(btf, name_off, pos)
        pos += 8
        if count == 0:
            raise BTFError(f"{what} for section {name!r} has no records", _SECTION, pos - 4)
        if count * rec_size > end - pos:
            raise BTFError(
                f"{what} for section {name!r}: {count} records run past the end", _SECTION, pos
            )
        records = out.setdefault(name, [])
        if decode_rows is not None:
            block = raw[pos : pos + count * rec_size]
            if rec_size != min_size:
                block = b"".join(block[i : i + min_size] for i in range(0, len(block), rec_size))
            records += decode_rows(pos, rec_size, block)
        elif decode is None:
            raise AssertionError("_records needs decode or decode_rows")  # pragma: no cover
        elif rec_size == min_size:
            block = raw[pos : pos + count * rec_size]
            for i, fields in enumerate(known.iter_unpack(block)):
                records.append(decode(pos + i * rec_size, fields))
        else:
            for i in range(count):
                records.append(
                    decode(pos + i * rec_size, known.unpack_from(raw, pos + i * rec_size))
                )
        pos += count * rec_size
    return {name: tuple(records) for name, records in out.items()}
