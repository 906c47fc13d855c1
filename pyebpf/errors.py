"""The one exception hierarchy of pyebpf.

Every error pyebpf raises on purpose derives from :class:`PyebpfError`, so a caller can catch
the whole library with one ``except``. Each part adds its own subclasses here, so that the
hierarchy is visible in one place and no part has to import another to name an error.
"""

from __future__ import annotations


class PyebpfError(Exception):
    """Root of every error pyebpf raises."""


# --- asm -------------------------------------------------------------------------------------


class AsmError(PyebpfError):
    """An instruction or program that cannot be built, encoded or decoded."""


class InstructionError(AsmError, ValueError):
    """A DSL constructor was given operands that do not fit the operation."""


class DecodeError(AsmError):
    """Bytes that are not a valid eBPF program.

    ``slot`` is the 8-byte slot index where decoding failed (``None`` for whole-input
    problems such as a length that is not a multiple of 8).
    """

    def __init__(self, reason: str, slot: int | None = None) -> None:
        self.reason = reason
        self.slot = slot
        where = f"slot {slot}: " if slot is not None else ""
        super().__init__(f"{where}{reason}")


class LinkError(AsmError):
    """A symbolic reference (label, map, function) that cannot be resolved or encoded.

    ``index`` is the instruction index (not the slot offset) of the offending instruction.
    """

    def __init__(self, reason: str, index: int | None = None) -> None:
        self.reason = reason
        self.index = index
        where = f"instruction {index}: " if index is not None else ""
        super().__init__(f"{where}{reason}")


class AssemblerError(AsmError):
    """Text that the assembler cannot parse; ``line`` is 1-based, ``column`` 1-based or None."""

    def __init__(self, reason: str, line: int, text: str = "", column: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.text = text
        self.column = column
        col = f":{column}" if column is not None else ""
        shown = f" (in `{text.strip()}`)" if text.strip() else ""
        super().__init__(f"line {line}{col}: {reason}{shown}")


# --- object files and type information -------------------------------------------------------


class _LocatedError(PyebpfError):
    """An error in binary input that can say where: which section, at which offset."""

    _section_word = ""  # how the section is introduced in the message

    def __init__(self, reason: str, section: str | None = None, offset: int | None = None) -> None:
        self.reason = reason
        self.section = section
        self.offset = offset
        where = ""
        if section is not None:
            where = f"{self._section_word}{section}"
            if offset is not None:
                where += f" at offset {offset:#x}"
            where += ": "
        elif offset is not None:
            where = f"offset {offset:#x}: "
        super().__init__(f"{where}{reason}")


class ElfError(_LocatedError):
    """An ELF object that pyebpf cannot read; names the section and offset where it can."""

    _section_word = "section "


class BTFError(_LocatedError):
    """BTF or BTF.ext data that is malformed or refers to something that does not exist."""


# --- specs and arguments ---------------------------------------------------------------------


class SpecError(PyebpfError, ValueError):
    """A MapSpec/ProgramSpec (or other description) that is inconsistent."""


# --- the kernel ------------------------------------------------------------------------------


class BPFError(PyebpfError, OSError):
    """A failed ``bpf()`` (or related) system call; keeps ``errno`` and the command."""

    def __init__(self, errno_: int, command: str, message: str) -> None:
        OSError.__init__(self, errno_, message)
        self.command = command

    def __str__(self) -> str:
        return f"{self.command}: {self.strerror}"


class VerifierError(BPFError):
    """The kernel verifier rejected a program: keeps the whole log.

    ``summary`` is the line that states the reason, ``insn_index`` the failing instruction
    index parsed from the log where there is one.
    """

    def __init__(
        self,
        errno_: int,
        command: str,
        message: str,
        log: str,
        summary: str,
        insn_index: int | None,
    ) -> None:
        super().__init__(errno_, command, message)
        self.log = log
        self.summary = summary
        self.insn_index = insn_index


class NotSupportedError(PyebpfError):
    """A feature this kernel, platform or pyebpf version does not support."""


# --- syscall layer (live objects) ------------------------------------------------------------


class ObjectClosedError(PyebpfError, ValueError):
    """A map, program, link or reader used after ``close()``."""


class CodecError(PyebpfError, ValueError, TypeError):
    """A key or value that does not fit the map (wrong size, type or range); raised before bpf()."""


class MapKeyError(PyebpfError, KeyError):
    """A key that is not in the map (the mapping protocol's KeyError)."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0]) if self.args else ""


class CORERelocationError(BTFError):
    """A CO-RE relocation that cannot be applied: names the program, instruction and access."""
