"""The assembler's and encoder's fast paths agree with the generic ones."""

from __future__ import annotations

from asm_strategies import programs
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf.asm import Instructions, assemble, disassemble
from pyebpf.asm.program import LD_IMM64


def _generic_slots(insns: list) -> list[int]:  # type: ignore[type-arg]
    slots, slot = [], 0
    for insn in insns:
        slots.append(slot)
        slot += 2 if insn.opcode == LD_IMM64 else 1
    return slots


@settings(max_examples=150, deadline=None)
@given(programs())
def test_assembled_bytes_equal_rebuilt_program(insns: list) -> None:  # type: ignore[type-arg]
    text = disassemble(Instructions(insns).to_bytes())
    program = assemble(text)
    assert program.to_bytes() == Instructions(list(program)).to_bytes()
    assert list(program.slot_offsets) == _generic_slots(list(program))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30), st.integers(0, 5))
def test_labelled_jumps_resolve_the_same_both_ways(count: int, back: int) -> None:
    lines = ["start:"]
    for i in range(count):
        lines.append(f"L{i}: r1 = {i} ll" if i % 3 == 0 else f"L{i}: r0 += {i}")
        lines.append(f"  if r0 > {i} goto L{max(0, i - back)}")
        lines.append(f"  call L{count - 1}" if i == 0 else "  gotol start")
    lines.append("  exit")
    program = assemble("\n".join(lines))
    rebuilt = Instructions(list(program))
    assert program.to_bytes() == rebuilt.to_bytes() == rebuilt.link().to_bytes()
    assert list(program.slot_offsets) == _generic_slots(list(program))
