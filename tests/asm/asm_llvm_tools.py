"""Thin wrappers around LLVM 22's llvm-mc, llvm-objcopy and llvm-objdump for the asm tests.

Each call works on a whole batch (one file), so a test runs each tool a handful of times.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

MC = "llvm-mc-22"
OBJCOPY = "llvm-objcopy-22"
OBJDUMP = "llvm-objdump-22"

# `   12:\t<bytes>\t<text>` with llvm-objdump's optional ` <.text+0x18>` target annotation.
_LISTING = re.compile(r"^\s*(\d+):\t((?:[0-9a-f]{2} )*[0-9a-f]{2})\s*\t(.*?)(?: <[^ <>]+>)?$")


def _run(args: list[str]) -> str:
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stderr[:4000]}")
    return result.stdout


def mc_assemble(text: str, workdir: Path) -> bytes:
    """Assemble ``text`` with llvm-mc (bpfel, cpu v4) and return the bytes of .text."""
    source, obj, raw = workdir / "in.s", workdir / "mc.o", workdir / "mc.bin"
    source.write_text("\t.text\n" + text)
    _run([MC, "-triple", "bpfel", "-mcpu=v4", "-filetype=obj", str(source), "-o", str(obj)])
    _run([OBJCOPY, "-O", "binary", "--only-section=.text", str(obj), str(raw)])
    return raw.read_bytes()


def object_with_text(data: bytes, workdir: Path, name: str = "code") -> Path:
    """A BPF ELF object whose .text holds ``data`` (for llvm-objdump)."""
    stub_source, stub, raw = workdir / "stub.s", workdir / "stub.o", workdir / f"{name}.bin"
    stub_source.write_text("\t.text\n\texit\n")
    _run([MC, "-triple", "bpfel", "-mcpu=v4", "-filetype=obj", str(stub_source), "-o", str(stub)])
    raw.write_bytes(data)
    obj = workdir / f"{name}.o"
    _run([OBJCOPY, "--update-section", f".text={raw}", str(stub), str(obj)])
    return obj


def objdump(obj: Path, *, hex_imm: bool) -> str:
    """The raw ``llvm-objdump-22 -d`` output for ``obj``."""
    args = [OBJDUMP, "-d", str(obj)]
    if not hex_imm:
        args.append("--no-print-imm-hex")
    return _run(args)


def objdump_texts(obj: Path, *, hex_imm: bool) -> list[tuple[int, str]]:
    """(slot, instruction text) for each instruction llvm-objdump prints, annotation removed."""
    out = []
    for line in objdump(obj, hex_imm=hex_imm).splitlines():
        m = _LISTING.match(line)
        if m is not None:
            out.append((int(m.group(1)), m.group(3)))
    return out
