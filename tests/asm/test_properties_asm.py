"""Hypothesis properties: encode/decode and print/assemble round trips, and never crashing."""

from __future__ import annotations

import os
import random

from asm_corpus import all_valid_opcodes
from asm_strategies import VALID_OPCODES, instructions, kernel_log_text, programs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyebpf.asm import Instruction, Instructions, assemble, disassemble
from pyebpf.errors import AssemblerError, DecodeError

FAST = settings(
    max_examples=int(os.environ.get("ASM_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_strategy_draws_every_valid_opcode() -> None:
    assert set(VALID_OPCODES) == all_valid_opcodes()


@FAST
@given(programs(), st.sampled_from(["little", "big"]))
def test_bytes_round_trip(insns: list[Instruction], byteorder: str) -> None:
    prog = Instructions(insns)
    data = prog.to_bytes(byteorder, allow_unresolved=True)
    assert len(data) == prog.slot_count * 8
    assert Instructions.from_bytes(data, byteorder) == prog


@FAST
@given(programs(), st.booleans())
def test_text_round_trip(insns: list[Instruction], hex_imm: bool) -> None:
    data = Instructions(insns).to_bytes()
    text = disassemble(data, hex_imm=hex_imm)
    assert assemble(text).to_bytes() == data
    # str() of the decoded program is the same text, up to the leading tab.
    assert str(Instructions.from_bytes(data)) == disassemble(data)


@FAST
@given(programs(), st.booleans(), st.booleans())
def test_listing_and_annotated_round_trip(
    insns: list[Instruction], hex_imm: bool, ann: bool
) -> None:
    data = Instructions(insns).to_bytes()
    listing = disassemble(data, hex_imm=hex_imm, listing=True, annotate=ann)
    assert assemble(listing).to_bytes() == data
    annotated = disassemble(data, hex_imm=hex_imm, annotate=True)
    assert assemble(annotated).to_bytes() == data


@FAST
@given(programs(pseudo=False), st.randoms(use_true_random=False))
def test_kernel_log_round_trip(insns: list[Instruction], rnd: random.Random) -> None:
    """A log_level 2 style log: instructions with states, repeated paths, noise lines."""
    prog = Instructions(insns)
    lines = ["func#0 @0", "0: R1=ctx() R10=fp0"]
    for insn, slot in zip(prog, prog.slot_offsets, strict=True):
        line = f"{slot}: {kernel_log_text(insn)}"
        if rnd.random() < 0.5:
            line = f"{line:<40} ; R0_w=scalar() R10=fp0"
        lines.append(line)
        if rnd.random() < 0.1:  # the verifier walks some instructions again on another path
            lines.append(f"from {slot} to {slot}: R1=ctx() R10=fp0")
            lines.append(line)
    lines.append("processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 0")
    assert assemble("\n".join(lines)).to_bytes() == prog.to_bytes()


# --- never crashes ------------------------------------------------------------------------

slot_bytes = st.one_of(
    st.binary(min_size=8, max_size=8),
    instructions().map(lambda i: i.encode()),
    st.builds(
        lambda op, rest: bytes([op]) + rest,
        st.sampled_from(VALID_OPCODES),
        st.binary(min_size=7, max_size=7),
    ),
)


@FAST
@given(st.one_of(st.binary(max_size=80), st.lists(slot_bytes, max_size=12).map(b"".join)))
def test_random_bytes_decode_or_raise_decode_error(data: bytes) -> None:
    try:
        prog = Instructions.from_bytes(data)
    except DecodeError as exc:
        assert exc.slot is not None and 0 <= exc.slot <= len(data) // 8
        try:
            disassemble(data)
        except DecodeError as again:
            assert again.slot == exc.slot
        else:
            raise AssertionError("disassemble() accepted what from_bytes() refused") from None
        return
    assert prog.to_bytes(allow_unresolved=True) == data
    assert assemble(disassemble(data)).to_bytes() == data


_TOKENS = [
    "r0", "r1", "w2", "r10", "r11", "=", "+=", "s/=", "<<=", "*", "(", ")", "u8", "u64", "s16",
    "+", "-", "0", "1", "-1", "0x7fffffff", "4294967296", "goto", "gotol", "may_goto", "if",
    "==", "s<", "call", "exit", "ll", "lock", "map[", "]", "map_value[m]+8", "func[f]",
    "ksym[k]", "kfunc#", "@", "#", "//", "/*", "*/", ";", ":", "pc", "skb[", "atomic_fetch_add",
    "xchg_64", "cmpxchg_64", "load_acquire", "store_release", "bswap16", "be32", "(s8)",
    "ld_pseudo", ",", "label", "\t", "  ", "12: (b7)", "\n",
]  # fmt: skip


def _check_text(text: str) -> None:
    try:
        prog = assemble(text)
    except AssemblerError as exc:
        assert exc.line >= 0 and exc.reason
        return
    # Whatever assembles must print and assemble back to the same instructions.
    assert assemble(str(prog)) == prog


@FAST
@given(st.lists(st.sampled_from(_TOKENS), max_size=14).map(" ".join))
def test_random_token_text_assembles_or_raises_assembler_error(text: str) -> None:
    _check_text(text)


@FAST
@given(st.text(max_size=60))
def test_random_text_assembles_or_raises_assembler_error(text: str) -> None:
    _check_text(text)


@FAST
@given(instructions(), st.integers(0, 60), st.sampled_from(list("x#+-*()[],;:0 \tqr9")))
def test_mutated_lines_assemble_or_raise_assembler_error(
    insn: Instruction, where: int, char: str
) -> None:
    line = str(insn)
    where = min(where, len(line))
    _check_text(line[:where] + char + line[where + 1 :])
    _check_text(line[:where] + char + line[where:])
