"""Picking programs out of an ELF object for the commands that take one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import PyebpfError
from ..spec import ProgramSpec
from .output import UsageError


def load(data: bytes, path: str) -> Any:
    from ..elf import load_object

    try:
        return load_object(data)
    except PyebpfError as exc:
        raise UsageError(f"{path}: {exc}") from None


def select_programs(
    data: bytes, path: str, section: str | None, program: str | None
) -> Iterator[tuple[str, ProgramSpec]]:
    """The programs of an object, filtered by section and name; an error if none match."""
    obj = load(data, path)
    found = False
    for name, spec in sorted(obj.programs.items()):
        if program is not None and name != program:
            continue
        if section is not None and spec.section_name != section:
            continue
        found = True
        yield name, spec
    if not found:
        names = ", ".join(sorted(obj.programs)) or "none"
        what = f"program {program!r}" if program else f"section {section!r}" if section else "programs"
        raise UsageError(f"{path}: no {what} (programs: {names})")
