"""Placeholder: the printer lands next."""

from __future__ import annotations

from typing import Any


def format_instruction(insn: Any, **kwargs: Any) -> str:
    return repr(tuple(insn))


def format_program(prog: Any, **kwargs: Any) -> str:
    return "\n".join(format_instruction(i) for i in prog)


def disassemble(data: Any, **kwargs: Any) -> str:
    raise NotImplementedError
