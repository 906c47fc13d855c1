"""Differential tests against LLVM 22: llvm-mc assembles our text to our bytes, and
llvm-objdump prints our bytes as our disassembler does (hex and decimal immediates).

The corpus (asm_corpus.py) reaches every valid opcode byte with the operand edges; each
tool runs once per batch, so the whole module takes a few seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from asm_corpus import (
    all_valid_opcodes,
    edge_corpus,
    own_form_corpus,
    wide_gotol_corpus,
)
from asm_llvm_tools import mc_assemble, objdump, objdump_texts, object_with_text

from pyebpf.asm import Instruction, Instructions, assemble, disassemble
from pyebpf.asm.text import format_instruction

pytestmark = pytest.mark.llvm

# RFC 9669's 125 opcode bytes plus may_goto (0xe5) and the 1- and 2-byte
# load_acquire/store_release (0xd3, 0xcb); addr_space_cast reuses 0xbf.
EXPECTED_OPCODE_COUNT = 128


def _first_difference(ours: bytes, theirs: bytes, insns: list[Instruction]) -> str:
    prog = Instructions(insns)
    for index, slot in enumerate(prog.slot_offsets):
        a, b = ours[slot * 8 : slot * 8 + 16], theirs[slot * 8 : slot * 8 + 16]
        if a[: insns[index].size] != b[: insns[index].size]:
            return f"instruction {index} `{insns[index]}`: ours {a.hex()} llvm {b.hex()}"
    return f"lengths differ: ours {len(ours)}, llvm {len(theirs)}"


def _diff_texts(
    insns: list[Instruction],
    listed: list[tuple[int, str]],
    hex_imm: bool,
    *,
    skip_local: bool = False,
) -> list[str]:
    assert len(listed) == len(insns), "llvm-objdump printed a different number of instructions"
    slots = Instructions(insns).slot_offsets
    bad = []
    for insn, slot, (their_slot, theirs) in zip(insns, slots, listed, strict=True):
        assert slot == their_slot
        if skip_local and insn.is_local_call:
            continue  # llvm-objdump prints `call N`; test_own_forms_are_lossy_in_llvm covers it
        ours = format_instruction(insn, hex_imm=hex_imm)
        if ours != theirs:
            bad.append(f"slot {slot}: ours {ours!r}, llvm {theirs!r}")
    return bad


@pytest.mark.parametrize("hex_imm", [False, True], ids=["decimal", "hex"])
def test_llvm_mc_assembles_our_text_to_our_bytes(tmp_path: Path, hex_imm: bool) -> None:
    corpus = edge_corpus()
    text = "".join(format_instruction(insn, hex_imm=hex_imm) + "\n" for insn in corpus)
    ours = assemble(text).to_bytes()
    assert ours == Instructions(corpus).to_bytes()
    theirs = mc_assemble(text, tmp_path)
    assert ours == theirs, _first_difference(ours, theirs, corpus)


def test_llvm_mc_and_we_split_lines_at_semicolons_alike(tmp_path: Path) -> None:
    """Several statements on a line, separated by `;` with or without blanks."""
    texts = [format_instruction(insn) for insn in edge_corpus()]
    separators = ["; ", " ; ", ";", " ;\t"]
    lines = []
    for start in range(0, len(texts), 3):
        group = texts[start : start + 3]
        lines.append(separators[start % len(separators)].join(group) + ("" if start % 2 else ";"))
    text = "\n".join(lines) + "\n"
    ours = assemble(text).to_bytes()
    assert ours == Instructions(edge_corpus()).to_bytes()
    assert ours == mc_assemble(text, tmp_path)


@pytest.mark.parametrize("hex_imm", [False, True], ids=["decimal", "hex"])
def test_llvm_objdump_prints_what_we_print(tmp_path: Path, hex_imm: bool) -> None:
    corpus = edge_corpus() + wide_gotol_corpus()
    data = Instructions(corpus).to_bytes()
    listed = objdump_texts(object_with_text(data, tmp_path), hex_imm=hex_imm)
    bad = _diff_texts(corpus, listed, hex_imm)
    assert not bad, f"{len(bad)} of {len(corpus)} differ:\n" + "\n".join(bad[:30])
    # And disassemble() of the raw bytes prints the same lines.
    ours = [line.strip() for line in disassemble(data, hex_imm=hex_imm).splitlines()]
    assert ours == [text for _, text in listed]


@pytest.mark.parametrize("hex_imm", [False, True], ids=["decimal", "hex"])
def test_objdump_output_assembles_back(tmp_path: Path, hex_imm: bool) -> None:
    """A whole llvm-objdump listing (headers, bytes, target annotations) pasted into assemble()."""
    corpus = edge_corpus() + wide_gotol_corpus()
    data = Instructions(corpus).to_bytes()
    listing = objdump(object_with_text(data, tmp_path), hex_imm=hex_imm)
    assert "file format" in listing and " <.text+0x" in listing
    assert assemble(listing).to_bytes() == data


def test_own_forms_are_lossy_in_llvm(tmp_path: Path) -> None:
    """Where pyebpf prints its own form, LLVM's text is the documented lossy one."""
    cases = own_form_corpus()
    insns = [insn for insn, _ in cases]
    data = Instructions(insns).to_bytes()
    listed = objdump_texts(object_with_text(data, tmp_path), hex_imm=False)
    assert len(listed) == len(cases)
    for (insn, lossy), (_, theirs) in zip(cases, listed, strict=True):
        assert theirs == lossy, f"{insn!r}: llvm printed {theirs!r}"
        ours = format_instruction(insn)
        assert ours != theirs, f"{insn!r}: our own form should differ from LLVM's"
        # LLVM's text assembles to a different instruction; ours to the same one.
        assert assemble(theirs)[0] != insn
        assert assemble(ours)[0] == insn
    assert assemble(disassemble(data)).to_bytes() == data


def test_every_valid_opcode_is_reached() -> None:
    valid = all_valid_opcodes()
    assert len(valid) == EXPECTED_OPCODE_COUNT
    reached = {insn.opcode for insn in edge_corpus()}
    assert reached == valid


_C_PROGRAM = r"""
typedef unsigned long long u64; typedef unsigned int u32; typedef signed char s8;
struct ctx { u64 a, b; u32 c; s8 d; };
static __attribute__((noinline)) u64 mix(u64 x, u64 y) { return (x * 31) ^ (y >> 3); }
__attribute__((section("tc"))) int prog(struct ctx *c) {
    u64 acc = 0;
    for (int i = 0; i < 16; i++) {
        if (c->a > i) acc += mix(c->b, i); else acc -= c->c;
        __sync_fetch_and_add(&c->b, acc);
        acc = __builtin_bswap32((u32)acc) + (long)c->d / 3;
    }
    return acc == 0x123456789ULL ? 1 : (int)(acc % 7);
}
"""


def _require_clang() -> None:
    if shutil.which("clang-22") is None:
        if os.environ.get("PYEBPF_REQUIRE_LLVM", "") not in ("", "0"):
            pytest.fail("PYEBPF_REQUIRE_LLVM=1 but clang-22 is not installed")
        pytest.skip("clang-22 is not installed")


def _compile(tmp_path: Path, *flags: str) -> tuple[Path, bytes]:
    """_C_PROGRAM built by clang-22 (cpu v4): the object and the bytes of its `tc` section."""
    _require_clang()
    source, obj, raw = tmp_path / "prog.c", tmp_path / "prog.o", tmp_path / "tc.bin"
    source.write_text(_C_PROGRAM)
    subprocess.run(
        [
            "clang-22",
            "-target",
            "bpf",
            "-mcpu=v4",
            "-O2",
            *flags,
            "-c",
            str(source),
            "-o",
            str(obj),
        ],
        check=True,
    )
    subprocess.run(
        ["llvm-objcopy-22", "-O", "binary", "--only-section=tc", str(obj), str(raw)], check=True
    )
    return obj, raw.read_bytes()


def test_clang_output_round_trips(tmp_path: Path) -> None:
    """A real clang-22 program: our text matches llvm-objdump's and assembles back."""
    _, data = _compile(tmp_path)
    insns = list(Instructions.from_bytes(data))
    assert len(insns) > 20
    for hex_imm in (False, True):
        listed = objdump_texts(object_with_text(data, tmp_path), hex_imm=hex_imm)
        bad = _diff_texts(insns, listed, hex_imm, skip_local=True)
        assert not bad, "\n".join(bad)
        assert assemble(disassemble(data, hex_imm=hex_imm)).to_bytes() == data


def test_objdump_listing_with_source_lines_assembles(tmp_path: Path) -> None:
    """`llvm-objdump -d -S -l` interleaves `; file:line` and `; source` lines: comments to us."""
    obj, data = _compile(tmp_path, "-g")

    def listing(*flags: str) -> str:
        args = ["llvm-objdump-22", "-d", *flags, "--section=tc", str(obj)]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout

    with_source = listing("-S", "-l")
    assert sum(line.startswith(";") for line in with_source.splitlines()) >= 4
    ours = assemble(with_source).to_bytes()
    assert ours == assemble(listing()).to_bytes()
    # LLVM prints a local call as `call -0x1`, a helper call: only those bytes differ.
    assert len(ours) == len(data)
    for at in range(0, len(data), 8):
        if data[at] == 0x85 and data[at + 1] >> 4 == 1:
            continue
        assert ours[at : at + 8] == data[at : at + 8], at // 8
