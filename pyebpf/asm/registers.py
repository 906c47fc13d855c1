"""Registers: ``R0``-``R10`` (64-bit) and their 32-bit views ``W0``-``W10``.

A register operand carries its width, so the DSL picks ALU vs ALU64 and JMP32 vs JMP from
the operands, the way the text syntax does (``w1 += w2`` vs ``r1 += r2``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InstructionError

MAX_REGISTER = 10
FRAME_POINTER = 10


@dataclass(frozen=True, slots=True)
class Register:
    """A register, ``number`` 0-10; ``wide`` is False for the 32-bit view ``wN``."""

    number: int
    wide: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.number, int) or not 0 <= self.number <= MAX_REGISTER:
            raise InstructionError(f"no register r{self.number}: registers are r0-r10")

    @property
    def r(self) -> Register:
        """The 64-bit view."""
        return Register(self.number, True)

    @property
    def w(self) -> Register:
        """The 32-bit view."""
        return Register(self.number, False)

    def __str__(self) -> str:
        return f"{'r' if self.wide else 'w'}{self.number}"

    def __repr__(self) -> str:
        return str(self).upper()

    def __index__(self) -> int:
        return self.number


R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 = (Register(i) for i in range(11))
W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10 = (Register(i, False) for i in range(11))
RFP = R10  # the read-only frame pointer
