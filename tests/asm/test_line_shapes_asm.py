"""Lines that differ only in their last token (a label, an immediate, an offset) read alike.

The assembler reads a line shape once and completes later lines of that shape from their last
token; each line must still assemble exactly as it does alone, errors included.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf.asm import Instruction, assemble
from pyebpf.errors import AssemblerError

# Last tokens, valid and not: in and out of range, hex, signed, registers, junk.
_NUMBERS = [
    "0", "1", "7", "-1", "-0", "00", "08", "0x10", "-0x10", "0X7fffffff", "2147483647",
    "2147483648", "-2147483648", "-2147483649", "4294967295", "32767", "32768", "-32768",
    "65535", "+5", "1a", "x", "r2", "w2", "r11",
]  # fmt: skip
_WIDE = ["0b11", "-0B1", "0x8000000000000000", "-9223372036854775808", "-9223372036854775809",
         "18446744073709551615", "18446744073709551616", "0xffffffffffffffff", "12 ll"]  # fmt: skip
_LABELS = ["L0", "L1", "_x", "exit", "r1", "1L", "L.1", "Lé"]
_SHAPES = [
    ("r3 += {}", _NUMBERS),
    ("w3 = {}", _NUMBERS),
    ("r4 <<= {}", _NUMBERS),
    ("*(u32 *)(r10 - 8) = {}", _NUMBERS),
    ("*(u64 *)(r1 + 0) = {}", _NUMBERS),
    ("w1 = *(u32 *)(r1 + {})", [n + ")" for n in _NUMBERS] + ["8", "8))"]),
    ("r2 = *(s16 *)(r6 - {})", [n + ")" for n in _NUMBERS]),
    ("if r1 > r2 goto {}", _LABELS + _NUMBERS),
    ("if w4 != 50993 goto {}", _LABELS),
    ("goto {}", _LABELS + _NUMBERS),
    ("if w4 s< {} goto L0", _NUMBERS),
    ("if r4 == {} goto L1", _NUMBERS),
    ("r2 = {} ll", _NUMBERS + _WIDE),
    ("w2 = {} ll", _NUMBERS),
]
# Every label a line may name, each on an instruction of its own.
_TAIL = (
    "".join(f"{name}:\n  r0 = {i}\n" for i, name in enumerate(_LABELS) if name != "1L") + "exit\n"
)


def _alone(line: str) -> Instruction | str:
    """What the line assembles to on its own (with the labels it may name), or the error."""
    try:
        return assemble(f"{line}\n{_TAIL}")[0]
    except AssemblerError as exc:
        return exc.reason


@st.composite
def _lines(draw: st.DrawFn) -> list[str]:
    """Lines of one or two shapes with one indent, so that shapes repeat with other tails."""
    indent = draw(st.sampled_from(["\t", "  ", ""]))
    shapes = draw(st.lists(st.sampled_from(_SHAPES), min_size=1, max_size=2))
    lines = []
    for _ in range(draw(st.integers(1, 30))):
        template, tails = draw(st.sampled_from(shapes))
        lines.append(indent + template.format(draw(st.sampled_from(tails))))
    return lines


@settings(max_examples=300, deadline=None)
@given(_lines())
def test_each_line_reads_as_it_does_alone(lines: list[str]) -> None:
    expected = [_alone(line) for line in lines]
    # Lines are read first, labels checked after: a reading error comes before a label's.
    errors = [i for i, e in enumerate(expected) if isinstance(e, str)]
    reading = [i for i in errors if not str(expected[i]).startswith("undefined label")]
    if errors:
        with pytest.raises(AssemblerError) as info:
            assemble("\n".join(lines) + "\n" + _TAIL)
        first = (reading or errors)[0]
        assert info.value.line == first + 1
        assert info.value.reason == expected[first]
        return
    program = assemble("\n".join(lines) + "\n" + _TAIL)
    assert list(program)[: len(lines)] == expected
    linked = program.to_bytes()
    for i, (line, insn) in enumerate(zip(lines, expected, strict=True)):
        assert isinstance(insn, Instruction)
        if insn.reference is None:  # (jumps to labels are linked against the labels' place)
            size = 16 if insn.is_ld_imm64 else 8
            at = program.slot_offsets[i] * 8
            alone = assemble(f"{line}\n{_TAIL}").to_bytes()[:size]
            assert linked[at : at + size] == alone, line


def test_shapes_repeated_with_other_tails() -> None:
    text = "\n".join(
        [
            "\tr3 += 5",
            "\tr3 += 4294967296",  # out of 32 bits: the full parser says so
        ]
    )
    with pytest.raises(AssemblerError) as info:
        assemble(text)
    assert info.value.line == 2
    wide = assemble("\tr2 = 5 ll\n\tr2 = 0xffffffffffffffff ll\n\tr2 = -0x10 ll\n\texit")
    assert [insn.imm for insn in wide[:3]] == [5, -1, -16]
    for bad in ("0b11", "18446744073709551616", "-9223372036854775809"):
        with pytest.raises(AssemblerError) as info:
            assemble(f"\tr2 = 5 ll\n\tr2 = {bad} ll\n\texit")
        assert info.value.line == 2
    program = assemble("\tr3 += 5\n\tr3 += -7\n\tr3 += r4\n\tif w1 > 3 goto A\nA:\n"
                       "\tif w1 > 9 goto A\n\tif w1 > w2 goto A\n\texit")  # fmt: skip
    assert [str(i) for i in program] == [
        "r3 += 5",
        "r3 += -7",
        "r3 += r4",
        "if w1 > 3 goto A",
        "if w1 > 9 goto A",
        "if w1 > w2 goto A",
        "exit",
    ]
    assert program.labels == {"A": 4}
