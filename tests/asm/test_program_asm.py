"""``Instructions``: slots vs indexes, labels, linking, maps, byte order and decoding errors."""

from __future__ import annotations

import pytest

from pyebpf.asm import (
    R0,
    R1,
    R2,
    U32,
    U64,
    Instruction,
    Instructions,
    Label,
    assemble,
    call,
    call_kfunc,
    call_local,
    exit_,
    gotol,
    ja,
    jeq,
    jne,
    ld_imm64,
    ldx,
    load_func,
    load_map_fd,
    load_map_value,
    may_goto,
    mov,
)
from pyebpf.errors import DecodeError, InstructionError, LinkError


def program() -> Instructions:
    return Instructions(
        [
            mov(R0, 0),  # index 0, slot 0
            ld_imm64(R1, 1 << 40),  # index 1, slots 1-2
            jeq(R1, 0, "out"),  # index 2, slot 3
            ld_imm64(R2, 7),  # index 3, slots 4-5
            Label("out"),
            exit_(),  # index 4, slot 6
        ]
    )


def test_slots_and_indexes() -> None:
    prog = program()
    assert len(prog) == 5
    assert prog.slot_offsets == (0, 1, 3, 4, 6)
    assert prog.slot_count == 7
    assert [prog.slot_of(i) for i in range(5)] == [0, 1, 3, 4, 6]
    assert [prog.index_of(s) for s in (0, 1, 3, 4, 6)] == [0, 1, 2, 3, 4]
    assert len(prog.to_bytes()) == 7 * 8
    with pytest.raises(LinkError, match="slot 2 is the second half of an ld_imm64") as info:
        prog.index_of(2)
    assert info.value.index == 1
    with pytest.raises(LinkError, match="slot 5 is the second half"):
        prog.index_of(5)
    with pytest.raises(LinkError, match="outside the program"):
        prog.index_of(7)
    with pytest.raises(LinkError, match="outside the program"):
        prog.index_of(-1)
    assert Instructions().slot_count == 0 and Instructions().to_bytes() == b""


def test_labels_by_marker_and_with_label_are_the_same() -> None:
    a = Instructions([mov(R0, 0), Label("out"), exit_()])
    b = Instructions([mov(R0, 0), exit_().with_label("out")])
    assert a == b
    assert a.labels == {"out": 1}
    assert Instructions([Label("main"), mov(R0, 0), exit_()]).name == "main"
    # A Label and the same with_label on the next instruction agree.
    assert Instructions([Label("x"), exit_().with_label("x")]).labels == {"x": 0}


def test_link_resolves_forward_and_backward_across_ld_imm64() -> None:
    prog = Instructions(
        [
            Label("top"),
            ld_imm64(R1, 1),  # slots 0-1
            jne(R1, 0, "end"),  # slot 2 -> slot 6: +3
            ja("top"),  # slot 3 -> slot 0: -4
            gotol("end"),  # slot 4 -> 6: +1
            may_goto("top"),  # slot 5 -> 0: -6
            Label("end"),
            exit_(),  # slot 6
        ]
    )
    linked = prog.link()
    assert [insn.relative_offset for insn in linked] == [None, 3, -4, 1, -6, None]
    assert linked[1].off == 3 and linked[3].imm == 1
    # Labels and references survive linking, so the text still reads symbolically.
    assert "goto top" in str(linked) and linked.labels == {"top": 0, "end": 5}
    assert prog.to_bytes() == linked.to_bytes()


def test_link_local_calls_and_callbacks() -> None:
    prog = Instructions(
        [
            load_func(R2, "cb"),  # slots 0-1 -> 4: imm 3 (relative to the first slot)
            call_local("cb"),  # slot 2 -> 4: +1
            exit_(),  # slot 3
            Label("cb"),
            mov(R0, 0),
            exit_(),
        ]
    )
    linked = prog.link()
    assert linked[0].imm == 3 and linked[1].imm == 1
    assert prog.function_references() == {"cb"}
    data = prog.to_bytes()
    assert data[:16].hex() == "1842000003000000" + "00" * 8
    assert data[16:24].hex() == "8510000001000000"


def test_link_errors_name_the_instruction() -> None:
    with pytest.raises(LinkError, match="undefined label 'nowhere'") as info:
        Instructions([mov(R0, 0), ja("nowhere"), exit_()]).link()
    assert info.value.index == 1
    with pytest.raises(LinkError, match="duplicate label 'a'") as dup:
        Instructions([mov(R0, 0).with_label("a"), exit_().with_label("a")]).link()
    assert dup.value.index == 1
    far = Instructions([jeq(R1, 0, "far"), [mov(R0, 0)] * 40000, Label("far"), exit_()])
    with pytest.raises(LinkError, match="does not fit in 16 bits") as big:
        far.to_bytes()
    assert big.value.index == 0
    # gotol reaches it.
    assert len(Instructions([gotol("far"), far[1:]]).to_bytes()) == (1 + 40001) * 8


def test_label_errors() -> None:
    with pytest.raises(InstructionError, match="name the same instruction"):
        Instructions([Label("a"), Label("b"), exit_()])
    with pytest.raises(InstructionError, match="not followed by an instruction"):
        Instructions([exit_(), Label("tail")])
    with pytest.raises(InstructionError, match="non-empty name"):
        Label("")
    with pytest.raises(InstructionError, match="not an instruction: 42"):
        Instructions([exit_(), 42])  # type: ignore[list-item]
    with pytest.raises(InstructionError, match="not an instruction: 'r0 = 0'"):
        Instructions([exit_(), "r0 = 0"])  # type: ignore[list-item]
    with pytest.raises(InstructionError, match="cannot contain text"):
        Instructions("r0 = 0")  # type: ignore[arg-type]


def test_associate_map_keeps_value_offsets() -> None:
    prog = Instructions(
        [
            load_map_fd(R1, "events"),
            load_map_value(R2, "data", 16),
            load_map_fd(R1, "events"),
            mov(R0, 0),
            exit_(),
        ]
    )
    assert prog.map_references() == {"events": [0, 2], "data": [1]}
    with pytest.raises(LinkError, match="map 'events' has no file descriptor yet") as info:
        prog.to_bytes()
    assert info.value.index == 0
    assert prog.to_bytes(allow_unresolved=True)[:16].hex() == "1811" + "00" * 14
    linked = prog.with_map_fds({"events": 7, "data": 9})
    assert linked[0].imm == 7 and linked[2].imm == 7
    assert linked[1].imm_low == 9 and linked[1].imm_high == 16
    data = linked.to_bytes()
    assert data[16:32].hex() == "1822000009000000" + "0000000010000000"
    with pytest.raises(LinkError, match="no instruction loads map 'other'"):
        prog.associate_map("other", 3)
    with pytest.raises(InstructionError, match="non-negative integer"):
        prog.associate_map("events", -1)


def test_kfunc_without_id_is_a_link_error() -> None:
    with pytest.raises(LinkError, match="kfunc 'bpf_obj_new_impl' has no BTF id yet"):
        Instructions([call_kfunc("bpf_obj_new_impl"), exit_()]).to_bytes()


def test_big_endian_round_trip() -> None:
    prog = program()
    little, big = prog.to_bytes(), prog.to_bytes(byteorder="big")
    assert little != big
    # Big-endian swaps the register nibbles and the multi-byte fields.
    assert big[8:16].hex() == "1810000000000000"  # r1 = 1 << 40: low half 0
    assert big[16:24].hex() == "0000000000000100"  # high half 0x100
    assert little[24:32].hex() == "1501020000000000"
    assert big[24:32].hex() == "1510000200000000"
    assert Instructions.from_bytes(big, byteorder="big") == Instructions.from_bytes(little)
    assert Instructions.from_bytes(big, "big").to_bytes("big") == big
    with pytest.raises(InstructionError, match="byteorder must be"):
        prog.to_bytes(byteorder="middle")
    with pytest.raises(DecodeError, match="byteorder must be"):
        Instructions.from_bytes(little, byteorder="middle")


def test_sequence_protocol_and_concatenation() -> None:
    prog = program()
    assert prog[0] == mov(R0, 0)
    assert isinstance(prog[1:3], Instructions) and len(prog[1:3]) == 2
    assert list(prog + [exit_()])[-1] == exit_()
    assert ([mov(R0, 1)] + prog)[0] == mov(R0, 1)
    assert prog == list(prog) and hash(prog) == hash(Instructions(list(prog)))
    assert repr(prog) == "Instructions(5 instructions, 7 slots)"
    nested = Instructions([[mov(R0, 0), [ldx(U32, R1, R1, 0)]], Instructions([exit_()])])
    assert len(nested) == 3
    assert prog.references() == {"out"}


def slot(opcode: int, regs: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return (
        bytes([opcode, regs])
        + off.to_bytes(2, "little", signed=True)
        + imm.to_bytes(4, "little", signed=True)
    )


EXIT = slot(0x95)
MOV = slot(0xB7)

# (bytes, slot named in the error, a fragment of the reason)
BAD_INPUTS = [
    (slot(0xFF) + EXIT, 0, "unknown opcode 0xff"),
    (MOV + slot(0x8F) + EXIT, 1, "unknown opcode 0x8f"),  # neg with the X bit
    (MOV + slot(0x0E) + EXIT, 1, "indirect jumps"),  # JMP32|JA|X
    (slot(0x8D) + EXIT, 0, "callx"),
    (slot(0x38) + EXIT, 0, "legacy packet loads are 1, 2 or 4 bytes"),
    (slot(0x99, 0x21) + EXIT, 0, "sign-extending loads are 1, 2 or 4 bytes"),
    (slot(0x10) + EXIT, 0, "ld_imm64 is 0x18 only"),
    (slot(0xE3, 0x21) + EXIT, 0, "unknown opcode"),  # STX|XADD-like mode 0xe0
    (slot(0xD3, 0x21, 0, 0x01) + EXIT, 0, "needs a 4- or 8-byte access"),
    (slot(0xDB, 0x21, 0, 0x02) + EXIT, 0, "unknown atomic operation 0x2"),
    # reserved fields set
    (slot(0xB7, 0x10) + EXIT, 0, "reserved field src"),
    (slot(0xB7, 0, 1) + EXIT, 0, "reserved field off"),
    (slot(0xBF, 0x21, 0, 5) + EXIT, 0, "reserved field imm"),
    (MOV + slot(0x95, 0, 0, 1), 1, "exit uses reserved fields"),
    (slot(0x05, 0x01, 1) + EXIT, 0, "goto uses reserved fields"),
    (slot(0x05, 0, 1, 1) + EXIT, 0, "goto uses reserved field imm"),
    (slot(0x06, 0, 1, 1) + EXIT, 0, "gotol uses reserved field off"),
    (slot(0x85, 0x01, 0, 1) + EXIT, 0, "call uses reserved field dst"),
    (slot(0x85, 0x30, 0, 1) + EXIT, 0, "call src must be 0"),
    (slot(0x85, 0, 1, 1) + EXIT, 0, "call uses reserved field off"),
    (slot(0x15, 0x21, 1, 0) + EXIT, 0, "reserved field src"),
    (slot(0x1D, 0x21, 1, 4) + EXIT, 0, "reserved field imm"),
    (slot(0x61, 0x21, 0, 4) + EXIT, 0, "load uses reserved field imm"),
    (slot(0x63, 0x21, 0, 4) + EXIT, 0, "store uses reserved field imm"),
    (slot(0x62, 0x21, 0, 4) + EXIT, 0, "reserved field src"),
    (slot(0x87, 0, 0, 1) + EXIT, 0, "neg uses reserved fields"),
    (slot(0xD4, 0, 0, 8) + EXIT, 0, "byte swap width must be 16, 32 or 64"),
    (slot(0xDF, 0, 0, 16) + EXIT, 0, "ALU64 byte swap is 0xd7 only"),
    (slot(0x37, 0x01, 2, 3) + EXIT, 0, "div/mod offset must be 0"),
    (slot(0xBC, 0x21, 32) + EXIT, 0, "movsx width must be one of 8, 16"),
    (slot(0xBF, 0x21, 1, 5) + EXIT, 0, "addr_space_cast"),
    (slot(0xE5, 0x01, 1) + EXIT, 0, "may_goto uses reserved fields"),
    (slot(0x20, 0x01) + EXIT, 0, "legacy packet load uses reserved fields"),
    (slot(0x20, 0x10) + EXIT, 0, "ld_abs uses reserved field src"),
    (slot(0xB7, 0x0B) + EXIT, 0, "dst register r11 does not exist"),
    (slot(0xBF, 0xC1) + EXIT, 0, "src register r12 does not exist"),
    (slot(0x18, 0x71) + slot(0) + EXIT, 0, "ld_imm64 src must be 0-6"),
    (slot(0x18, 0x01, 1) + slot(0) + EXIT, 0, "ld_imm64 uses reserved field off"),
    # truncated ld_imm64 and a bad second slot
    (MOV + slot(0x18, 0x01, 0, 1), 1, "ld_imm64 is truncated"),
    (slot(0x18, 0x01) + EXIT, 1, "second slot of ld_imm64 uses reserved fields"),
    (slot(0x18, 0x01) + slot(0, 0x01) + EXIT, 1, "second slot of ld_imm64"),
    (slot(0x18, 0x01) + slot(0, 0, 1) + EXIT, 1, "second slot of ld_imm64"),
    # length not a multiple of 8
    (MOV + EXIT[:5], 1, "length 13 is not a multiple of 8"),
    (b"\x95", 0, "length 1 is not a multiple of 8"),
]


@pytest.mark.parametrize(("data", "where", "fragment"), BAD_INPUTS, ids=[f for *_, f in BAD_INPUTS])
def test_decode_errors_name_the_slot(data: bytes, where: int, fragment: str) -> None:
    with pytest.raises(DecodeError) as info:
        Instructions.from_bytes(data)
    assert info.value.slot == where
    assert fragment in info.value.reason
    assert str(info.value).startswith(f"slot {where}: ")
    # The disassembler decodes strictly too, with the same slot.
    from pyebpf.asm import disassemble

    with pytest.raises(DecodeError) as again:
        disassemble(data)
    assert again.value.slot == where
    # Big-endian input gets the same verdict.
    if len(data) % 8 == 0:
        swapped = b"".join(
            bytes([s[0], ((s[1] & 0x0F) << 4) | (s[1] >> 4)]) + s[2:4][::-1] + s[4:8][::-1]
            for s in (data[i : i + 8] for i in range(0, len(data), 8))
        )
        with pytest.raises(DecodeError) as big:
            Instructions.from_bytes(swapped, byteorder="big")
        assert big.value.slot == where


def test_decode_rejects_non_bytes() -> None:
    with pytest.raises(DecodeError, match="expected bytes, not str"):
        Instructions.from_bytes("b700000000000000")  # type: ignore[arg-type]


def test_decode_accepts_bytearray_and_memoryview() -> None:
    data = program().to_bytes()
    assert Instructions.from_bytes(bytearray(data)) == Instructions.from_bytes(memoryview(data))


def test_str_prints_labels_and_round_trips() -> None:
    prog = Instructions(
        [
            Label("entry"),
            mov(R0, 0),
            jeq(R1, 0, "out"),
            call("map_lookup_elem"),
            load_map_fd(R1, "events"),
            Label("out"),
            exit_(),
        ]
    )
    text = str(prog)
    assert text == (
        "entry:\n\tr0 = 0\n\tif r1 == 0 goto out\n\tcall 1\n\tr1 = map[events] ll\nout:\n\texit\n"
    )
    assert assemble(text) == prog


def test_instruction_equality_with_lists() -> None:
    assert Instructions([exit_()]) == [Instruction(0x95)]
    assert Instructions([exit_()]) != [mov(R0, 0)]
    assert Instructions([ldx(U64, R1, R2, 0)]) == (ldx(U64, R1, R2, 0),)
