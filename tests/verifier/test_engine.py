"""The verifier engine end to end: verdicts, first error lines, errnos and insns_processed.

Every expectation below was measured on the Linux 6.18 kernel of the development machine
(``bpf(BPF_PROG_LOAD)`` as root, and with CAP_SYS_ADMIN/CAP_PERFMON dropped for ``cap_bpf``);
``test_engine_live.py`` re-checks the same programs against the running kernel.
"""

from __future__ import annotations

import errno
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf import asm
from pyebpf.spec import MapSpec, ProgramSpec
from pyebpf.verifier import verify


def I(op: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:  # noqa: E743
    return struct.pack("<BBhi", op, (src << 4) | dst, off, imm)


def ld_map(dst: int, fd: int) -> bytes:
    return struct.pack("<BBhi", 0x18, (1 << 4) | dst, 0, fd) + bytes(8)


EXIT = I(0x95)
MOV = 0xB7
MOVX = 0xBF
SF, XDP, KPROBE, CGSKB = 1, 6, 2, 8
HASH = MapSpec(type=1, key_size=4, value_size=8, max_entries=16)
ARRAY1 = MapSpec(type=2, key_size=4, value_size=8, max_entries=1)
ARRAY2 = MapSpec(type=2, key_size=4, value_size=8, max_entries=2)
RINGBUF = MapSpec(type=27, key_size=0, value_size=0, max_entries=4096)
LOOKUP = (
    I(0x62, 10, 0, -4, 0)
    + I(MOVX, 2, 10)
    + I(0x07, 2, 0, 0, -4)
    + ld_map(1, 100)
    + I(0x85, 0, 0, 0, 1)
)
LOOKUP_ARRAY = (
    I(0x62, 10, 0, -4, 0) + I(MOVX, 2, 10) + I(0x07, 2, 0, 0, -4) + ld_map(1, 100)
    + I(0x85, 0, 0, 0, 1)
)  # fmt: skip
PKT = I(0x61, 2, 1, 0) + I(0x61, 3, 1, 4) + I(MOVX, 4, 2) + I(0x07, 4, 0, 0, 14) + I(0x2D, 4, 3, 1)
RB = ld_map(1, 100) + I(MOV, 2, 0, 0, 8) + I(MOV, 3) + I(0x85, 0, 0, 0, 131)
LOOP10 = I(MOV, 1) + I(0x07, 1, 0, 0, 1) + I(0xA5, 1, 0, -2, 10) + I(MOV) + EXIT
# r6 = ctx; r4 = 1; "if r4 > 5 goto +0" (decided: cap_bpf explores the other side
# speculatively) then a store at insn 4: a pointer spill / an unaligned store of data
DECIDED = I(MOVX, 6, 1) + I(MOV) + I(MOV, 4, 0, 0, 1)
SPEC_SPILL = DECIDED + I(0x25, 4, 0, 0, 5) + I(0x7B, 10, 6, -8) + I(MOV, 0, 0, 0, 1) + EXIT
MUL_BOUNDS = (
    I(0x61, 0, 1, 0) + I(0x07, 0, 0, 0, 1) + I(0x27, 0, 0, 0, 3) + I(0x55, 0, 0, 1, 0)
    + I(0x37, 0, 0, 0, 0) + I(MOV) + EXIT
)  # fmt: skip
LINKED_TAIL = (
    I(0x75, 1, 0, 2, 0) + I(MOV) + EXIT + I(0x55, 0, 0, 1, 0) + I(0x37, 0, 0, 0, 0) + I(MOV) + EXIT
)
LINKED_DELTA = I(0x85, 0, 0, 0, 7) + I(MOVX, 1, 0) + I(0x07, 1, 0, 0, -4) + LINKED_TAIL
LINKED_BROKEN = (
    I(0x85, 0, 0, 0, 7) + I(MOVX, 1, 0) + I(0x07, 1, 0, 0, -4) + I(0x27, 1, 0, 0, 1) + LINKED_TAIL
)
SPEC_DATA = (
    DECIDED + I(0x63, 10, 4, -4) + I(0x25, 4, 0, 0, 5) + I(0x63, 10, 4, -4) + I(MOV, 0, 0, 0, 1)
    + EXIT
)  # fmt: skip

# name, program, prog type, maps, privilege, (accepted, errno, first error line, insns_processed)
CASES = [
    ("mov_exit", I(MOV) + EXIT, SF, None, "root", (True, 0, None, 2)),
    ("r0_not_init", EXIT, SF, None, "root", (False, 13, "R0 !read_ok", 1)),
    ("r2_not_init", I(MOVX, 0, 2) + EXIT, SF, None, "root", (False, 13, "R2 !read_ok", 1)),
    (
        "fp_read_only",
        I(MOV, 10, 0, 0, 1) + I(MOV) + EXIT,
        SF,
        None,
        "root",
        (False, 13, "frame pointer is read only", 1),
    ),
    (
        "stack_store_load",
        I(0x7A, 10, 0, -8, 5) + I(0x79, 0, 10, -8) + EXIT,
        SF,
        None,
        "root",
        (True, 0, None, 3),
    ),
    (
        "stack_oob",
        I(0x7A, 10, 0, 8, 5) + I(MOV) + EXIT,
        SF,
        None,
        "root",
        (False, 13, "invalid write to stack R10 off=8 size=8", 1),
    ),
    ("unreachable", I(MOV) + EXIT + EXIT, SF, None, "root", (False, 22, "unreachable insn 2", 0)),
    (
        "branch",
        I(0x61, 2, 1) + I(0x25, 2, 0, 1, 5) + I(MOV, 0, 0, 0, 1) + I(MOV) + EXIT,
        SF,
        None,
        "root",
        (True, 0, None, 7),
    ),
    (
        "lookup_null_checked",
        LOOKUP + I(0x15, 0, 0, 1, 0) + I(0x79, 0, 0) + I(MOV) + EXIT,
        SF,
        [HASH],
        "root",
        (True, 0, None, 10),
    ),
    (
        "lookup_unchecked",
        LOOKUP + I(0x79, 0, 0) + I(MOV) + EXIT,
        SF,
        [HASH],
        "root",
        (False, 13, "R0 invalid mem access 'map_value_or_null'", 6),
    ),
    (
        "lookup_oob",
        LOOKUP + I(0x15, 0, 0, 1, 0) + I(0x79, 0, 0, 8) + I(MOV) + EXIT,
        SF,
        [HASH],
        "root",
        (False, 13, "invalid access to map value, value_size=8 off=8 size=8", 7),
    ),
    ("loop10", LOOP10, SF, None, "root", (True, 0, None, 23)),
    ("loop10", LOOP10, SF, None, "cap_bpf", (False, 22, "infinite loop detected at insn 1", 100)),
    (
        "infinite_loop",
        I(MOV, 1) + I(0x15, 1, 0, -1, 0) + I(MOV) + EXIT,
        SF,
        None,
        "root",
        (False, 22, "infinite loop detected at insn 1", 9),
    ),
    (
        "pkt_checked",
        PKT + I(0x69, 0, 2, 12) + I(MOV) + EXIT,
        XDP,
        None,
        "root",
        (True, 0, None, 10),
    ),
    (
        "pkt_unchecked",
        I(0x61, 2, 1) + I(0x71, 0, 2) + I(MOV) + EXIT,
        XDP,
        None,
        "root",
        (False, 13, "invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)", 2),
    ),
    (
        "pkt_too_wide",
        PKT + I(0x61, 0, 2, 12) + I(MOV) + EXIT,
        XDP,
        None,
        "root",
        (False, 13, "invalid access to packet, off=12 size=4, R2(id=0,off=12,r=14)", 6),
    ),
    (
        "div_by_zero",
        I(MOV, 0, 0, 0, 1) + I(0x37, 0, 0, 0, 0) + EXIT,
        SF,
        None,
        "root",
        (False, 22, "div by zero", 2),
    ),
    (
        "ctx_oob",
        I(0x61, 0, 1, 1000) + EXIT,
        SF,
        None,
        "root",
        (False, 13, "invalid bpf_context access off=1000 size=4", 1),
    ),
    (
        "helper_not_allowed",
        I(0x85, 0, 0, 0, 44) + I(MOV) + EXIT,
        SF,
        None,
        "root",
        (False, 22, "program of this type cannot use helper bpf_xdp_adjust_head#44", 1),
    ),
    (
        "unbounded_index",
        LOOKUP
        + I(0x15, 0, 0, 3, 0)
        + I(0x79, 3, 0)
        + I(0x0F, 0, 3)
        + I(0x71, 0, 0)
        + I(MOV)
        + EXIT,
        SF,
        [HASH],
        "root",
        (
            False,
            22,
            "math between map_value pointer and register with unbounded min value is not allowed",
            8,
        ),
    ),
    (
        "masked_index",
        LOOKUP
        + I(0x15, 0, 0, 4, 0)
        + I(0x79, 3, 0)
        + I(0x57, 3, 0, 0, 7)
        + I(0x0F, 0, 3)
        + I(0x71, 0, 0)
        + I(MOV)
        + EXIT,
        SF,
        [HASH],
        "root",
        (True, 0, None, 13),
    ),
    (
        "masked_index",
        LOOKUP
        + I(0x15, 0, 0, 4, 0)
        + I(0x79, 3, 0)
        + I(0x57, 3, 0, 0, 7)
        + I(0x0F, 0, 3)
        + I(0x71, 0, 0)
        + I(MOV)
        + EXIT,
        SF,
        [HASH],
        "cap_bpf",
        (True, 0, None, 15),
    ),
    ("uninit_stack_read", I(0x79, 0, 10, -8) + EXIT, SF, None, "root", (True, 0, None, 2)),
    (
        "uninit_stack_read",
        I(0x79, 0, 10, -8) + EXIT,
        SF,
        None,
        "cap_bpf",
        (False, 13, "invalid read from stack R10 off=-8 size=8", 1),
    ),
    (
        "ptr_leak_to_map",
        LOOKUP + I(0x15, 0, 0, 1, 0) + I(0x7B, 0, 10) + I(MOV) + EXIT,
        SF,
        [HASH],
        "cap_bpf",
        (False, 13, "R10 leaks addr into map", 7),
    ),
    (
        "return_fp",
        I(MOVX, 0, 10) + EXIT,
        SF,
        None,
        "cap_bpf",
        (False, 13, "R0 leaks addr as return value", 2),
    ),
    (
        "ctx_compare",
        I(0x15, 1, 0, 1, 0) + I(MOV) + I(MOV) + EXIT,
        SF,
        None,
        "root",
        (True, 0, None, 6),
    ),
    (
        "ctx_compare",
        I(0x15, 1, 0, 1, 0) + I(MOV) + I(MOV) + EXIT,
        SF,
        None,
        "cap_bpf",
        (False, 13, "R1 pointer comparison prohibited", 1),
    ),
    (
        "ptr_plus_ptr",
        I(MOVX, 0, 10) + I(0x0F, 0, 1) + EXIT,
        SF,
        None,
        "root",
        (False, 13, "R0 pointer += pointer prohibited", 2),
    ),
    (
        "pkt_end_arith",
        I(0x61, 3, 1, 4) + I(0x07, 3, 0, 0, 1) + I(MOV) + EXIT,
        XDP,
        None,
        "root",
        (False, 13, "R3 pointer arithmetic on pkt_end prohibited", 2),
    ),
    (
        "or_null_arith",
        LOOKUP + I(0x07, 0, 0, 0, 1) + I(MOV) + EXIT,
        SF,
        [HASH],
        "root",
        (
            False,
            13,
            "R0 pointer arithmetic on map_value_or_null prohibited, null-check it first",
            6,
        ),
    ),
    (
        "shift_65",
        I(MOV) + I(0x67, 0, 0, 0, 65) + EXIT,
        SF,
        None,
        "root",
        (False, 22, "invalid shift 65", 2),
    ),
    (
        "modified_ctx",
        I(0x07, 1, 0, 0, 8) + I(0x61, 0, 1) + EXIT,
        SF,
        None,
        "root",
        (False, 13, "dereference of modified ctx ptr R1 off=8 disallowed", 2),
    ),
    (
        "cgroup_skb_return",
        I(0x61, 0, 1) + EXIT,
        CGSKB,
        None,
        "root",
        (
            False,
            22,
            "At program exit the register R0 has smin=0 smax=4294967295 should have been in [0, 1]",
            2,
        ),
    ),
    (
        "spill_fill_ctx",
        I(0x7B, 10, 1, -8) + I(0x79, 2, 10, -8) + I(0x61, 0, 2) + I(MOV) + EXIT,
        SF,
        None,
        "root",
        (True, 0, None, 5),
    ),
    (
        "ringbuf",
        RB
        + I(0x15, 0, 0, 4, 0)
        + I(0x7A, 0, 0, 0, 1)
        + I(MOVX, 1, 0)
        + I(MOV, 2)
        + I(0x85, 0, 0, 0, 132)
        + I(MOV)
        + EXIT,
        KPROBE,
        [RINGBUF],
        "root",
        (True, 0, None, 12),
    ),
    (
        "ringbuf_leak",
        RB + I(0x15, 0, 0, 1, 0) + I(0x7A, 0, 0, 0, 1) + I(MOV) + EXIT,
        KPROBE,
        [RINGBUF],
        "root",
        (False, 22, "Unreleased reference id=2 alloc_insn=4", 8),
    ),
    (
        "ringbuf_oob",
        RB
        + I(0x15, 0, 0, 4, 0)
        + I(0x7A, 0, 0, 8, 1)
        + I(MOVX, 1, 0)
        + I(MOV, 2)
        + I(0x85, 0, 0, 0, 132)
        + I(MOV)
        + EXIT,
        KPROBE,
        [RINGBUF],
        "root",
        (False, 13, "invalid access to memory, mem_size=8 off=8 size=8", 6),
    ),
    (
        "subprog",
        I(MOV, 1, 0, 0, 3)
        + I(0x85, 0, 1, 0, 2)
        + I(0x07, 0)
        + EXIT
        + I(MOVX, 0, 1)
        + I(0x07, 0, 0, 0, 1)
        + EXIT,
        SF,
        None,
        "root",
        (True, 0, None, 7),
    ),
    (
        "combined_stack",
        I(0x7A, 10, 0, -400, 0)
        + I(0x85, 0, 1, 0, 2)
        + I(MOV)
        + EXIT
        + I(0x7A, 10, 0, -200, 0)
        + I(MOV)
        + EXIT,
        SF,
        None,
        "root",
        (False, 13, "combined stack size of 2 calls is 608. Too large", 7),
    ),
    (
        "may_goto",
        I(MOV, 1)
        + I(0xE5, 0, 0, 2, 0)
        + I(0x15, 1, 0, -2, 0)
        + I(0x05, 0, 0, -3, 0)
        + I(MOV)
        + EXIT,
        SF,
        None,
        "root",
        (True, 0, None, 6),
    ),
    (
        "may_goto",
        I(MOV, 1)
        + I(0xE5, 0, 0, 2, 0)
        + I(0x15, 1, 0, -2, 0)
        + I(0x05, 0, 0, -3, 0)
        + I(MOV)
        + EXIT,
        SF,
        None,
        "cap_bpf",
        (True, 0, None, 14),
    ),
    ("kprobe_needs_perfmon", I(MOV) + EXIT, KPROBE, None, "cap_bpf", (False, 1, None, 0)),
    # Spectre v4 (6.17+ nospec_result): a pointer spill gets a barrier after it, so the
    # speculative path of the decided branch at insn 3 ends right after insn 4 (7 + 1 insns)
    ("spec_path_ends_after_pointer_spill", SPEC_SPILL, SF, None, "cap_bpf", (True, 0, None, 8)),
    ("pointer_spill_root", SPEC_SPILL, SF, None, "root", (True, 0, None, 7)),
    # a store over plain data needs no barrier: the speculative path runs on to exit (8 + 3)
    ("spec_path_goes_on_after_data_store", SPEC_DATA, SF, None, "cap_bpf", (True, 0, None, 11)),
    # linked registers with a delta (r1 = r0 - 4): "r1 s>= 0" proves r0 >= 4, so the division
    # by zero behind "if r0 != 0" is dead; any other operation on r1 breaks the link
    ("linked_delta_bounds_the_base", LINKED_DELTA, SF, None, "root", (True, 0, None, 9)),
    ("linked_delta_cap_bpf", LINKED_DELTA, SF, None, "cap_bpf", (True, 0, None, 10)),
    ("linked_delta_broken", LINKED_BROKEN, SF, None, "root", (False, 22, "div by zero", 9)),
    # 6.14+ multiplies the bounds when no product overflows: (len + 1) * 3 >= 3 is never 0
    ("mul_keeps_bounds", MUL_BOUNDS, SF, None, "root", (True, 0, None, 6)),
    ("mul_keeps_bounds_cap_bpf", MUL_BOUNDS, SF, None, "cap_bpf", (True, 0, None, 7)),
    # a direct map-value address needs an array of one element: -ENOTSUPP (524) otherwise
    (
        "direct_value_of_two_element_array",
        I(0x18, 1, 2, 0, 100) + bytes(8) + I(MOV) + EXIT,
        SF,
        [ARRAY2],
        "root",
        (False, 524, "invalid access to map value pointer, value_size=8 off=0", 0),
    ),
    (
        "direct_value_past_the_value",
        I(0x18, 1, 2, 0, 100) + I(0, 0, 0, 0, 8) + I(MOV) + EXIT,
        SF,
        [ARRAY1],
        "root",
        (False, 22, "invalid access to map value pointer, value_size=8 off=8", 0),
    ),
]


def run_case(code: bytes, ptype: int, maps: list[MapSpec] | None, priv: str):  # noqa: ANN201
    table = {100 + i: m for i, m in enumerate(maps or [])}
    return verify(code, ptype, maps=table, privilege=priv)


@pytest.mark.parametrize(
    "name,code,ptype,maps,priv,expected", CASES, ids=[f"{c[0]}@{c[4]}" for c in CASES]
)
def test_matches_kernel(name, code, ptype, maps, priv, expected) -> None:  # noqa: ANN001
    accepted, err, first_line, processed = expected
    result = run_case(code, ptype, maps, priv)
    assert result.accepted is accepted, result.error
    assert result.insns_processed == processed
    if not accepted:
        assert result.error is not None
        assert result.error.errno == err
        if first_line is not None:
            assert result.error.first_line == first_line


def test_log_ends_with_stats_line() -> None:
    result = run_case(
        LOOKUP + I(0x15, 0, 0, 1, 0) + I(0x79, 0, 0) + I(MOV) + EXIT, SF, [HASH], "root"
    )
    log = result.log(2)
    last = log.rstrip().splitlines()[-1]
    assert last.startswith("processed 10 insns (limit 1000000) max_states_per_insn ")
    assert last.endswith(" mark_read 0")
    assert "5: (85) call bpf_map_lookup_elem#1" in log
    assert "R0=map_value_or_null(id=1,ks=4,vs=8)" in log


def test_level1_log_shows_failing_path_and_error() -> None:
    result = run_case(PKT + I(0x61, 0, 2, 12) + I(MOV) + EXIT, XDP, None, "root")
    lines = result.log(1).splitlines()
    assert "R2 offset is outside of the packet" in lines
    assert any(line.startswith("4: (2d) if r4 > r3 goto pc+1") for line in lines)


def test_explain_names_path_and_hint() -> None:
    result = run_case(LOOKUP + I(0x79, 0, 0) + I(MOV) + EXIT, SF, [HASH], "root")
    text = result.explain()
    assert "map_value_or_null" in text
    assert "call bpf_map_lookup_elem#1" in text
    assert "Hint:" in text


def test_accepts_dsl_program_and_prog_type_names() -> None:
    prog = asm.Instructions([asm.mov(asm.R0, 0), asm.exit_()])
    assert verify(prog, "xdp").accepted
    assert verify(list(prog), "socket_filter").accepted
    assert verify(prog, 6).accepted


def test_program_spec_maps_by_reference() -> None:
    insns = asm.Instructions.from_bytes(
        LOOKUP + I(0x15, 0, 0, 1, 0) + I(0x79, 0, 0) + I(MOV) + EXIT
    )
    insns = asm.Instructions([i.with_reference("counts") if i.is_map_load else i for i in insns])
    spec = ProgramSpec(name="p", type=SF, instructions=insns, maps={"counts": HASH})
    result = verify(spec, spec.type)
    assert result.accepted, result.error


def test_unknown_map_fd_is_ebadf() -> None:
    result = verify(LOOKUP + I(MOV) + EXIT, SF)
    assert not result.accepted
    assert result.error is not None
    assert result.error.errno == errno.EBADF
    assert result.error.first_line == "fd 100 is not pointing to valid bpf_map"


def test_bad_inputs_are_rejections_not_exceptions() -> None:
    assert not verify(b"\x95\x00", SF).accepted
    assert not verify(b"", SF).accepted
    assert not verify(I(MOV) + EXIT, "no_such_type").accepted
    assert not verify(I(MOV) + EXIT, SF, privilege="nobody").accepted


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=0, max_size=96), st.sampled_from([SF, XDP, KPROBE, CGSKB]),
       st.sampled_from(["root", "cap_bpf"]))  # fmt: skip
def test_never_raises_on_random_bytes(data: bytes, ptype: int, priv: str) -> None:
    result = verify(data, ptype, maps={100: HASH}, privilege=priv)
    assert isinstance(result.accepted, bool)
    if not result.accepted:
        assert result.error is not None and result.error.message


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0x07, 0x0F, 0x17, 0xB7, 0xBF, 0x57, 0x25, 0x15, 0x79,
                                            0x7B, 0x61, 0x71, 0x85]),
                          st.integers(0, 10), st.integers(0, 10), st.integers(-8, 3),
                          st.integers(-16, 16)), max_size=12))  # fmt: skip
def test_never_raises_on_random_instruction_mixes(
    fields: list[tuple[int, int, int, int, int]],
) -> None:
    code = b"".join(I(*f) for f in fields) + I(MOV) + EXIT
    for ptype in (SF, XDP):
        result = verify(code, ptype, maps={100: HASH})
        assert result.insns_processed >= 0


def test_register_copy_and_assign_carry_every_field() -> None:
    """``Reg.copy``/``assign`` spell the fields out (for speed): a new slot must be added there."""
    from pyebpf.verifier.state import Reg

    original = Reg()
    for i, name in enumerate(Reg.__slots__):
        setattr(original, name, ("marker", i))
    assigned = Reg()
    assigned.assign(original)
    for copy in (original.copy(), assigned):
        for name in Reg.__slots__:
            assert getattr(copy, name) == getattr(original, name), name


def test_linked_delta_in_the_log() -> None:
    """6.18 prints a linked register's delta after its id, as ``id=1-4``."""
    result = verify(LINKED_DELTA, SF, privilege="root")
    assert "R1=scalar(id=1-4)" in result.log(2)


def test_smp_processor_id_is_bounded_by_the_target_cpus() -> None:
    """get_smp_processor_id() < nr_cpu_ids: an index into an 8-byte value is safe for a
    1-CPU target and out of bounds for a 2-CPU one (value_size 8: only index 0 fits)."""
    code = (
        I(0x85, 0, 0, 0, 8)  # r0 = bpf_get_smp_processor_id()
        + I(0x67, 0, 0, 0, 3)  # r0 <<= 3
        + I(MOVX, 6, 0)
        + LOOKUP_ARRAY
        + I(0x15, 0, 0, 3, 0)  # if r0 == 0 goto exit
        + I(0x0F, 0, 6)  # r0 += r6
        + I(0x79, 0, 0)  # r0 = *(u64 *)(r0 + 0)
        + I(0x05, 0, 0, 0)
        + I(MOV)
        + EXIT
    )
    table = {100: ARRAY1}
    assert verify(code, SF, maps=table, nr_cpus=1).accepted
    two = verify(code, SF, maps=table, nr_cpus=2)
    assert not two.accepted and "invalid access to map value" in two.error.message
