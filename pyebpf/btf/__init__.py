"""pyebpf.btf: BTF and BTF.ext, parsed by pyebpf itself.

* :func:`parse_btf` / :class:`BTF` -- types by id and name, sizes, raw bytes;
* :func:`parse_btf_ext` / :class:`BTFExt` -- func info, line info, CO-RE relocation records;
* :func:`encode_btf` -- types back to bytes; :func:`kernel_btf` -- the running kernel's BTF.
"""

from __future__ import annotations

from .dump import dump_raw, format_type
from .encode import StringTable, encode_btf, encode_btf_with_strings
from .ext import (
    BTFExt,
    CORERelocation,
    CORERelocKind,
    FuncInfo,
    FuncInfoTable,
    LineInfo,
    LineInfoTable,
    SourceLine,
    parse_btf_ext,
)
from .fixups import sanitize_for_kernel
from .kernel import kernel_btf, module_btf, read_btf_file
from .parser import BTF, detect_byteorder, parse_btf
from .types import (
    VOID,
    BTFType,
    Enumerator,
    IntEncoding,
    Kind,
    Linkage,
    Member,
    Param,
    VarSecinfo,
)

__all__ = [
    "BTF",
    "BTFExt",
    "BTFType",
    "CORERelocKind",
    "CORERelocation",
    "Enumerator",
    "FuncInfo",
    "FuncInfoTable",
    "LineInfoTable",
    "IntEncoding",
    "Kind",
    "LineInfo",
    "Linkage",
    "Member",
    "Param",
    "SourceLine",
    "StringTable",
    "VOID",
    "VarSecinfo",
    "detect_byteorder",
    "dump_raw",
    "format_type",
    "encode_btf",
    "encode_btf_with_strings",
    "kernel_btf",
    "module_btf",
    "parse_btf",
    "parse_btf_ext",
    "read_btf_file",
    "sanitize_for_kernel",
]
