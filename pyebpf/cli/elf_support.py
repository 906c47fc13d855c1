"""Picking programs out of an ELF object for the commands that take one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import PyebpfError
from ..spec import ProgramSpec
from .output import UsageError, first_line

if TYPE_CHECKING:  # pragma: no cover
    from ..elf import ObjectSpec


def load(data: bytes, path: str) -> ObjectSpec:
    """The object ``pyebpf.elf.load_object`` reads from ``data``; errors name ``path``."""
    from ..elf import load_object

    try:
        return load_object(data)
    except PyebpfError as exc:
        raise UsageError(f"{path}: {first_line(exc)}") from None


def select_programs(
    data: bytes, path: str, section: str | None, program: str | None, obj: Any = None
) -> Iterator[tuple[str, ProgramSpec]]:
    """The programs of an object, filtered by section and name; an error if none match."""
    if obj is None:
        obj = load(data, path)
    found = False
    programs = sorted(obj.programs.items(), key=lambda item: (item[1].section_name, item[0]))
    for name, spec in programs:
        if program is not None and name != program:
            continue
        if section is not None and spec.section_name != section:
            continue
        found = True
        yield name, spec
    if not found:
        names = ", ".join(sorted(obj.programs)) or "none"
        if program is not None:
            what = f"program {program!r}" + (f" in section {section!r}" if section else "")
        elif section is not None:
            what = f"programs in section {section!r}"
        else:
            what = "programs"
        raise UsageError(f"{path}: no {what} (programs: {names})")


def source_lines(spec: ProgramSpec) -> dict[int, str]:
    """Slot -> C source text, from the program's BTF line info (empty where there is none).

    A line is shown only where it changes, as ``llvm-objdump -S`` does.
    """
    lines: dict[int, str] = {}
    last = None
    for record in sorted(spec.line_info or (), key=lambda r: r.insn_off):
        source = getattr(record, "source", None)
        text = str(source).strip() if source is not None else ""
        if not text or text == last:
            continue
        lines[record.insn_off // 8] = text
        last = text
    return lines


def line_texts(spec: ProgramSpec) -> dict[int, str]:
    """Slot -> C source text of every BTF line info record of the program."""
    lines: dict[int, str] = {}
    for record in spec.line_info or ():
        source = getattr(record, "source", None)
        text = str(source).strip() if source is not None else ""
        if text:
            lines[record.insn_off // 8] = text
    return lines
