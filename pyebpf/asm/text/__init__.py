"""Text forms of programs: the assembler and the disassembler."""

from __future__ import annotations

from .assembler import assemble
from .printer import disassemble, format_instruction, format_program

__all__ = ["assemble", "disassemble", "format_instruction", "format_program"]
