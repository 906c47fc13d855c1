"""Reading the files the command is given: assembly text, raw bytecode or ELF objects."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..asm import Instructions, assemble
from ..errors import PyebpfError
from .output import UsageError

ELF_MAGIC = b"\x7fELF"


@dataclass(frozen=True)
class Input:
    """What a file holds: ``kind`` is "elf", "bytecode" or "asm"."""

    path: str
    kind: str
    data: bytes


def read_input(path: str, kind: str = "auto") -> Input:
    """Read ``path`` ("-" for stdin) and tell ELF, raw bytecode and assembly text apart."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if kind == "auto":
        if data.startswith(ELF_MAGIC):
            kind = "elf"
        elif path.endswith((".s", ".S", ".asm", ".txt")) or _looks_like_text(data):
            kind = "asm"
        else:
            kind = "bytecode"
    if kind not in ("elf", "bytecode", "asm"):
        raise UsageError(f"unknown input kind {kind!r} (use elf, bytecode or asm)")
    return Input(path, kind, data)


def _looks_like_text(data: bytes) -> bool:
    if not data:
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text[:4096])


def instructions_from(inp: Input, byteorder: str = "little") -> Instructions:
    """Instructions from assembly text or raw bytecode (not ELF: that has programs)."""
    try:
        if inp.kind == "asm":
            return assemble(inp.data.decode("utf-8", errors="replace"))
        if inp.kind == "bytecode":
            return Instructions.from_bytes(inp.data, byteorder)
    except PyebpfError as exc:
        raise UsageError(f"{inp.path}: {exc}") from None
    raise UsageError(f"{inp.path} is an ELF object; name a program with --program")
