"""Parse ``.BTF.ext``: per-section function info, line info and CO-RE relocation records.

Offsets in the records (``insn_off``) are byte offsets into the ELF section they describe,
exactly as clang writes them; :attr:`FuncInfo.slot` and friends give the 8-byte slot.
String offsets refer to the string section of the matching ``.BTF``.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import IntEnum
from typing import TypeVar

from ..errors import BTFError
from .parser import BTF, detect_byteorder

_SECTION = ".BTF.ext"
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


class FuncInfoTable(tuple[FuncInfo, ...]):
    """A program's func info; ``to_bytes()`` gives the kernel's ``bpf_func_info`` records."""

    __slots__ = ()

    def to_bytes(self, byteorder: str = sys.byteorder) -> bytes:
        e = "<" if byteorder == "little" else ">"
        return b"".join(struct.pack(e + "II", f.insn_off // 8, f.type_id) for f in self)


class LineInfoTable(tuple[LineInfo, ...]):
    """A program's line info; ``to_bytes()`` gives the kernel's ``bpf_line_info`` records."""

    __slots__ = ()

    def to_bytes(self, byteorder: str = sys.byteorder) -> bytes:
        e = "<" if byteorder == "little" else ">"
        return b"".join(
            struct.pack(
                e + "IIII", x.insn_off // 8, x.file_name_off, x.line_off, (x.line << 10) | x.column
            )
            for x in self
        )


@dataclass(frozen=True)
class BTFExt:
    """All of ``.BTF.ext``, keyed by the ELF section name each record list belongs to."""

    func_info: dict[str, tuple[FuncInfo, ...]]
    line_info: dict[str, tuple[LineInfo, ...]]
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

    # Many records share a source line (one per instruction of a C statement): build each
    # SourceLine once.
    sources: dict[tuple[int, int, int], SourceLine] = {}
    files: dict[int, str] = {}

    def line(off: int, fields: tuple[int, ...]) -> LineInfo:
        (record,) = lines(off, 0, [fields])
        return record

    def lines(pos: int, rec_size: int, rows: list[tuple[int, ...]]) -> list[LineInfo]:
        # Strings are checked record by record first, so the first bad record is reported.
        for i, (_insn_off, file_off, line_off, line_col) in enumerate(rows):
            if (file_off, line_off, line_col) not in sources:
                off = pos + i * rec_size
                file_name = files.get(file_off)
                if file_name is None:
                    file_name = files[file_off] = _string(btf, file_off, off)
                sources[(file_off, line_off, line_col)] = _new_source_line(
                    file_name, line_col >> 10, line_col & 0x3FF, _string(btf, line_off, off)
                )
        source_of = sources.__getitem__
        return [
            new_line_info(a, b, c, d >> 10, d & 0x3FF, source_of((b, c, d))) for a, b, c, d in rows
        ]

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
        line_info=_records(raw, e, btf, hdr_len + li_off, li_len, "IIII", line, "line_info", lines),
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
    decode: Callable[[int, tuple[int, ...]], _R],
    what: str,
    decode_rows: Callable[[int, int, list[tuple[int, ...]]], list[_R]] | None = None,
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
        if rec_size == min_size and decode_rows is not None:
            rows = list(known.iter_unpack(raw[pos : pos + count * rec_size]))
            records += decode_rows(pos, rec_size, rows)
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
