"""The text syntax: every statement form, labels, comments, symbolic forms and every error."""

from __future__ import annotations

import pytest

from pyebpf.asm import (
    R0,
    R1,
    R2,
    Instruction,
    Instructions,
    Label,
    assemble,
    call,
    call_kfunc,
    call_local,
    disassemble,
    exit_,
    ja,
    jeq,
    load_btf_id,
    load_func,
    load_map_fd,
    load_map_idx,
    load_map_idx_value,
    load_map_value,
    mov,
)
from pyebpf.errors import AssemblerError

# Text pyebpf does not print itself but accepts (aliases and other tools' spellings).
ALIASES = [
    ("r0 = 0x10", mov(R0, 16)),
    ("r0=1", mov(R0, 1)),
    ("r1 = - 1", mov(R1, -1)),
    ("if r1 == 0 goto pc+2", jeq(R1, 0, 2)),
    ("if r1 == 0 goto 2", jeq(R1, 0, 2)),
    ("goto pc-1", ja(-1)),
    ("call bpf_map_lookup_elem", call(1)),
    ("call map_lookup_elem", call(1)),
    ("call bpf_map_lookup_elem#1", call(1)),
    ("call unknown#999", call(999)),
    ("call 0xffffffff", Instruction(0x85, imm=-1)),
    ("call pc-3", call_local(-3)),
    ("call kfunc#12", call_kfunc(12)),
    ("call kfunc#12@3", call_kfunc(12, 3)),
    ("call kfunc#bpf_obj_new_impl", call_kfunc("bpf_obj_new_impl")),
    ("call bpf_obj_new_impl#12", call_kfunc(12)),  # kernel log: a kfunc by BTF name
    ("call kernel-function#12", call_kfunc(12)),
    ("r1 = map[fd:5] ll", load_map_fd(R1, 5)),
    ("r1 = map[events] ll", load_map_fd(R1, "events")),
    ("r1 = map[events]", load_map_fd(R1, "events")),
    ("r1 = map[events]+8 ll", load_map_value(R1, "events", 8)),
    ("r1 = map_value[data] ll", load_map_value(R1, "data")),
    ("r1 = map_value[data]-4 ll", load_map_value(R1, "data", -4)),
    ("r1 = map_value[fd:3]+16 ll", load_map_value(R1, 3, 16)),
    ("r1 = map[idx:2] ll", load_map_idx(R1, 2)),
    ("r1 = map_value[idx:2]+4 ll", load_map_idx_value(R1, 2, 4)),
    ("r1 = ksym[bpf_prog_active] ll", load_btf_id(R1, "bpf_prog_active")),
    ("r1 = ksym[77] ll", load_btf_id(R1, 77)),
    ("ld_pseudo r1, 1, 5", load_map_fd(R1, 5)),
    ("ld_pseudo r1, 0x2, 0x5, 0x8", load_map_value(R1, 5, 8)),
    ("r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)", Instruction(0xDB, 1, 2, 0, 1)),
    ("r2 = atomic64_xchg((u64 *)(r1 +0), r2)", Instruction(0xDB, 1, 2, 0, 0xE1)),
    ("r0 = atomic_cmpxchg((u32 *)(r1 -4), r0, r2)", Instruction(0xC3, 1, 2, -4, 0xF1)),
    ("*(u32 *)(r10 -4) = r1", Instruction(0x63, 10, 1, -4)),
    ("r0 = *(u8 *)skb[r1 + -4]", Instruction(0x50, 0, 1, 0, -4)),
    ("r0 = 0;", mov(R0, 0)),
    ("r0 = 0 /* inline */ # and a comment", mov(R0, 0)),
    ("r0 /* a */ = /* b */ 0 // trailing", mov(R0, 0)),
    ("  12:\tb7 00 00 00 00 00 00 00\tr0 = 0x0", mov(R0, 0)),
]


@pytest.mark.parametrize(("text", "insn"), ALIASES, ids=[t for t, _ in ALIASES])
def test_accepted_spellings(text: str, insn: Instruction | None) -> None:
    if insn is None:
        with pytest.raises(AssemblerError):
            assemble(text)
        return
    assert list(assemble(text)) == [insn]


def test_semicolons_separate_statements() -> None:
    text = """
    ;   int x = ctx->len;              (llvm-objdump -S prints source lines like this)
    ; /src/prog.c:12
    top: r0 = 0 ; r1 = 1;r2 = 2   # one line, three statements; `;` in a comment is a comment
    if r1 > 3 goto top; exit ;
    """
    prog = assemble(text)
    assert list(prog) == [
        mov(R0, 0).with_label("top"),
        mov(R1, 1),
        mov(R2, 2),
        Instruction(0x25, 1, 0, 0, 3).with_reference("top"),
        Instruction(0x95, 0, 0, 0, 0),
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [("r0 = 0\nr0 = 1; r1 = +; exit", 2), ("r0 = 0; goto nowhere\nexit", 1)],
)
def test_errors_in_split_lines_name_the_text_line(text: str, line: int) -> None:
    with pytest.raises(AssemblerError) as info:
        assemble(text)
    assert info.value.line == line


def test_labels_comments_and_blank_lines() -> None:
    text = """
        # a comment line
        // another one
        entry:  r0 = 0;       # a trailing semicolon ends the statement
                if r1 s> 5 goto out
        again:
        retry:                  /* two labels for one instruction */
                r0 += 1
                if r0 < 10 goto retry
                goto again
        out:    exit
    """
    prog = assemble(text)
    assert [insn.label for insn in prog] == ["entry", None, "again", None, None, "out"]
    # `retry` is an alias of `again`: references to it use the first label.
    assert prog[3].reference == "again"
    assert prog.link()[3].off == -2 and prog.link()[1].off == 3
    plain = Instructions([i.with_label(None).with_reference(None) for i in prog.link()])
    assert Instructions.from_bytes(prog.to_bytes()) == plain


def test_symbolic_program_prints_and_reassembles() -> None:
    prog = Instructions(
        [
            Label("main"),
            load_map_fd(R1, "events"),
            load_map_value(R2, "config", 8),
            load_func(R2, "callback"),
            load_btf_id(R1, "bpf_prog_active"),
            call_kfunc("bpf_rcu_read_lock"),
            call_local("callback"),
            jeq(R0, 0, "main"),
            exit_(),
            Label("callback"),
            mov(R0, 0),
            exit_(),
        ]
    )
    text = str(prog)
    assert "r1 = map[events] ll" in text and "r2 = map_value[config]+8 ll" in text
    assert "r2 = func[callback] ll" in text and "r1 = ksym[bpf_prog_active] ll" in text
    assert "call kfunc#bpf_rcu_read_lock" in text and "call callback" in text
    assert assemble(text) == prog


def test_a_label_named_like_a_helper_is_a_local_call() -> None:
    prog = assemble("call map_lookup_elem\nexit\nmap_lookup_elem:\nexit")
    assert prog[0].is_local_call and prog[0].reference == "map_lookup_elem"
    # Without such a label the name is the helper.
    assert assemble("call map_lookup_elem\nexit")[0] == call(1)
    # An unknown name without a label is a local call to an undefined label: an error.
    with pytest.raises(AssemblerError, match="undefined label 'no_such_function'"):
        assemble("call no_such_function\nexit")


def test_listing_and_annotated_text_read_back() -> None:
    prog = Instructions([mov(R0, 0), jeq(R0, 0, 1), call(5), mov(R0, 1), exit_()])
    data = prog.to_bytes()
    for hex_imm in (False, True):
        listing = disassemble(data, listing=True, hex_imm=hex_imm)
        assert listing.splitlines()[0] == "       0:\tb7 00 00 00 00 00 00 00\tr0 = 0" or hex_imm
        assert assemble(listing).to_bytes() == data
    annotated = disassemble(data, annotate=True)
    assert "call 5  # bpf_ktime_get_ns" in annotated and "# -> 3" in annotated
    assert assemble(annotated).to_bytes() == data


ERRORS = [
    # (text, line, fragment)
    ("r0 = 0\nfoo bar\nexit", 2, "unknown instruction"),
    ("r11 = 0", 1, "no register r11"),
    ("w1 += r2", 1, "different widths"),
    ("if w1 == r2 goto +1", 1, "different widths"),
    ("r1 = (s8)w2", 1, "different widths"),
    ("r1 = 4294967296", 1, "does not fit in 32 bits (use `ll`"),
    ("r1 = -2147483649", 1, "does not fit in 32 bits"),
    ("r1 = 18446744073709551616 ll", 1, "does not fit in 64 bits"),
    ("w1 = 5 ll", 1, "loads an r register"),
    ("w1 = map[m] ll", 1, "loads an r register"),
    ("r1 = *(u64 *)(r2 + 32768)", 1, "does not fit in a signed 16-bit field"),
    ("if r1 == 0 goto +32768", 1, "does not fit in a signed 16-bit field"),
    ("goto -32769", 1, "does not fit in a signed 16-bit field"),
    ("gotol +4294967296", 1, "does not fit in 32 bits"),
    ("exit\ngoto nowhere", 2, "undefined label 'nowhere'"),
    ("a: r0 = 0\na: exit", 2, "duplicate label 'a'"),
    ("r0 = 0\ntail:", 2, "label 'tail' is not followed by an instruction"),
    ("r1 = -r2", 1, "same register on both sides"),
    ("r1 = be16 r2", 1, "same register on both sides"),
    ("r1 = be8 r1", 1, "expected a register or a number"),
    ("r1 = (s64)r2", 1, "cannot parse"),
    ("w1 = (s32)w2", 1, "movsx width must be one of 8, 16"),
    ("r1 = *(u128 *)(r2 + 0)", 1, "cannot parse the load"),
    ("*(s32 *)(r1 + 0) = r2", 1, "stores take u8/u16/u32/u64"),
    ("*(u32 *)(r1 + 0) = 4294967296", 1, "does not fit in 32 bits"),
    ("lock *(u8 *)(r1 + 0) += w2", 1, "atomic operations are 32- or 64-bit"),
    ("r2 = atomic_fetch_add((u64 *)(r1 + 0), r3)", 1, "returns the old value in its source"),
    ("r2 = xchg_64(r1 + 0, r3)", 1, "returns the old value in its source"),
    ("r1 = cmpxchg_64(r1 + 0, r0, r2)", 1, "cmpxchg always returns into r0"),
    ("r0 = cmpxchg_64(r1 + 0, r1, r2)", 1, "cmpxchg compares with r0"),
    ("r1 = *(u32 *)skb[4]", 1, "legacy packet loads always load r0"),
    ("r1 = addr_space_cast(r2, 2, 0)", 1, "addr_space_cast"),
    ("ld_pseudo r1, 7, 0", 1, "ld_pseudo kind must be 1-6"),
    ("ld_pseudo r1", 1, "cannot parse ld_pseudo"),
    ("r1 = func[3] ll", 1, "func[...] takes a label"),
    ("r1 = map[fd:x] ll", 1, "needs a number"),
    ("r1 = func[cb] ll", 1, "undefined label 'cb'"),
    ("call", 1, "call needs a target"),
    ("call bpf_map_lookup_elem#x", 1, "cannot parse the call target"),
    ("call 4294967296", 1, "does not fit in 32 bits"),
    ("call kfunc#1@99999", 1, "does not fit in a signed 16-bit field"),
    ("if r1 == goto +1", 1, "cannot parse the conditional jump"),
    ("*(u32 *)r1 = 2", 1, "cannot parse the store"),
    ("lock r1 += r2", 1, "cannot parse the atomic operation"),
    ("store_release(r1, r2)", 1, "cannot parse store_release"),
    ("r1 = 0x", 1, "expected a register or a number"),
    ("r1 = 5 % 3", 1, "expected a register or a number"),
    ("w1 /= 0", 0, ""),  # an immediate zero divisor is valid bytecode (the verifier rejects it)
    ("0: (b7) r0 = 0\n2: (95) exit", 2, "the log does not show instruction 1"),
    ("0: (b4) r0 = 0", 1, "the log says opcode b4 but the text assembles to b7"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), ERRORS, ids=[t for t, *_ in ERRORS])
def test_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    if not fragment:
        assemble(text)
        return
    with pytest.raises(AssemblerError) as info:
        assemble(text)
    assert fragment in info.value.reason
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}: ")


def test_non_text_is_an_assembler_error() -> None:
    with pytest.raises(AssemblerError, match="expected text"):
        assemble(b"r0 = 0")  # type: ignore[arg-type]


def test_far_jump_is_a_link_error_with_the_line() -> None:
    text = "if r1 == 0 goto far\n" + "r0 = 0\n" * 40000 + "far:\nexit\n"
    with pytest.raises(AssemblerError, match="does not fit in 16 bits") as info:
        assemble(text)
    assert info.value.line == 1
    assert len(assemble(text.replace("if r1 == 0 goto far", "gotol far")).to_bytes()) == 40002 * 8


def test_fast_path_agrees_with_the_full_parser() -> None:
    """The assembler's regex-free fast path builds exactly what the full parser builds."""
    from asm_corpus import edge_corpus

    from pyebpf.asm.text import assembler
    from pyebpf.asm.text.printer import format_instruction

    texts = {
        format_instruction(insn, hex_imm=hex_imm)
        for insn in edge_corpus()
        for hex_imm in (False, True)
    }
    texts |= {"if r1 == 0 goto out", "goto out", "if w1 s< w2 goto +0x7fff", "r1 = 0x7fffffff"}
    fast = 0
    for text in sorted(texts):
        quick = assembler._fast_parse(text)
        if quick is None:
            continue
        fast += 1
        ctx = assembler._Ctx(1, text, None)
        assert quick == assembler._parse_statement(ctx, text, set()), text
    assert fast > 1000
