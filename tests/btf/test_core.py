"""CO-RE relocations computed offline (pyebpf.btf.core) on hand-built local and target BTF."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf.asm import R0, R2, R3, Instruction, Instructions, exit_, ld_imm64, mov
from pyebpf.asm.opcodes import CALL
from pyebpf.btf import (
    VOID,
    BTFType,
    CORERelocation,
    CORERelocKind,
    Enumerator,
    Kind,
    Member,
    encode_btf,
    encode_btf_with_strings,
    parse_btf,
)
from pyebpf.btf.core import (
    CandidateCache,
    compute_relocation,
    compute_relocations,
    essential_name,
    parse_spec,
)
from pyebpf.elf.core import POISON_CALL_CORE, apply_core_relocations, patch_instruction
from pyebpf.errors import CORERelocationError

K = CORERelocKind


class Types:
    """A BTF under construction: ``add`` returns the new type's id."""

    def __init__(self) -> None:
        self.types: list[BTFType] = [VOID]

    def add(self, kind: Kind, name: str = "", **fields: object) -> int:
        type_id = len(self.types)
        self.types.append(BTFType(type_id, kind, name, **fields))  # type: ignore[arg-type]
        return type_id

    def int_(self, name: str, size: int, signed: bool = False) -> int:
        return self.add(Kind.INT, name, size=size, encoding=int(signed), bits=size * 8)

    def struct(self, name: str, size: int, *members: tuple[str, int, int, int]) -> int:
        return self.add(Kind.STRUCT, name, size=size, members=tuple(Member(*m) for m in members))

    def btf(self):
        return parse_btf(encode_btf(self.types))


def local_types() -> tuple[Types, dict[str, int]]:
    t = Types()
    ids: dict[str, int] = {}
    u32 = ids["u32"] = t.int_("unsigned int", 4)
    s32 = ids["s32"] = t.int_("int", 4, signed=True)
    u64 = ids["u64"] = t.int_("long long unsigned int", 8)
    char = t.int_("char", 1)
    comm = t.add(Kind.ARRAY, type=char, index_type=u32, nelems=16)
    ids["task"] = t.struct(
        "task",
        48,
        ("pid", s32, 0, 0),
        ("flags", u32, 32, 0),
        ("comm", comm, 64, 0),
        ("bits", u32, 192 + 3, 3),
        ("gone", u32, 224, 0),
        ("start", u64, 256, 0),
    )
    ids["task___v2"] = t.struct("task___v2", 4, ("renamed", u32, 0, 0))
    ids["missing"] = t.struct("no_such_type", 4, ("x", s32, 0, 0))
    ids["anon"] = t.struct("", 4, ("x", s32, 0, 0))
    ids["enum"] = t.add(
        Kind.ENUM,
        "mode",
        size=4,
        enumerators=(Enumerator("MODE_A", 1), Enumerator("MODE_B", 2), Enumerator("MODE_GONE", 3)),
    )
    ptr = t.add(Kind.PTR, type=0)
    ids["pair"] = t.struct("pair", 16, ("a", ptr, 0, 0), ("b", ptr, 64, 0))
    ids["typedef"] = t.add(Kind.TYPEDEF, "task_t", type=ids["task"])
    return t, ids


def target_types() -> tuple[Types, dict[str, int]]:
    """The 'kernel': task's fields moved, some inside anonymous structs/unions, wider types."""
    t = Types()
    ids: dict[str, int] = {}
    u32 = t.int_("unsigned int", 4)
    s32 = t.int_("int", 4, signed=True)
    u64 = ids["u64"] = t.int_("long unsigned int", 8)
    char = t.int_("char", 1)
    comm = t.add(Kind.ARRAY, type=char, index_type=u32, nelems=16)
    const_comm = t.add(Kind.CONST, type=comm)
    inner = t.struct("", 8, ("pid", s32, 0, 0), ("bits", u32, 32 + 29, 3))
    union = t.add(Kind.UNION, "", size=8, members=(Member("", inner, 0), Member("raw", u64, 0)))
    ids["task"] = t.struct(
        "task",
        64,
        ("state", u64, 0, 0),
        ("", union, 64, 0),
        ("flags", u64, 128, 0),
        ("comm", const_comm, 192, 0),
        ("start", u32, 320, 0),
        ("renamed", u32, 352, 0),
    )
    ids["enum"] = t.add(
        Kind.ENUM,
        "mode",
        size=4,
        kind_flag=True,
        enumerators=(Enumerator("MODE_B", -5), Enumerator("MODE_A", 7)),
    )
    ptr = t.add(Kind.PTR, type=0)
    ids["pair"] = t.struct("pair", 16, ("b", ptr, 0, 0), ("a", ptr, 64, 0))
    ids["typedef"] = t.add(Kind.TYPEDEF, "task_t", type=ids["task"])
    return t, ids


@pytest.fixture(scope="module")
def env():
    lt, lids = local_types()
    tt, tids = target_types()
    return lt.btf(), lids, tt.btf(), tids


def relocate(env, type_name: str, access: str, kind: CORERelocKind):
    local, lids, target, _ = env
    relo = CORERelocation(0, lids[type_name], access, kind)
    return compute_relocation(local, relo, CandidateCache(local, target))


def test_essential_names():
    assert essential_name("task_struct___old") == "task_struct"
    assert essential_name("a___b___c") == "a___b"
    assert essential_name("x____y") == "x____y"  # the flavour may not start with "_"
    assert essential_name("___x") == "___x"
    assert essential_name("x___") == "x___"
    assert essential_name("plain") == "plain"


def test_field_offsets_through_anonymous_members(env):
    pid = relocate(env, "task", "0:0", K.FIELD_BYTE_OFFSET)
    assert (pid.orig_value, pid.new_value, pid.poison) == (0, 8, False)
    assert pid.target_spec is not None and pid.target_spec.raw == [0, 1, 0, 0]
    flags = relocate(env, "task", "0:1", K.FIELD_BYTE_OFFSET)
    assert (flags.orig_value, flags.new_value) == (4, 16)
    # A u32 read of a field that is u64 in the target: the load is widened (unsigned).
    assert (flags.orig_size, flags.new_size, flags.fail_size_adjust) == (4, 8, False)
    start = relocate(env, "task", "0:5", K.FIELD_BYTE_OFFSET)
    assert (start.orig_value, start.new_value, start.new_size) == (32, 40, 4)


def test_array_elements_and_typedefs(env):
    third = relocate(env, "task", "0:2:3", K.FIELD_BYTE_OFFSET)
    assert (third.orig_value, third.new_value) == (8 + 3, 24 + 3)
    assert relocate(env, "task", "0:2:3", K.FIELD_BYTE_SIZE).new_value == 1
    assert relocate(env, "task", "0:2", K.FIELD_BYTE_SIZE).new_value == 16
    assert relocate(env, "typedef", "0:1", K.FIELD_BYTE_OFFSET).new_value == 16
    # The second element of an array of tasks.
    assert relocate(env, "task", "1:1", K.FIELD_BYTE_OFFSET).new_value == 64 + 16
    with pytest.raises(CORERelocationError, match="array element"):
        relocate(env, "task", "0:2:3", K.FIELD_SIGNED)


def test_bitfields(env):
    # Local: 3 bits at bit 195 (u32). Target: 3 bits at bit 64 + 61 = 125.
    results = {k: relocate(env, "task", "0:3", k) for k in K if k.name.startswith("FIELD_")}
    assert results[K.FIELD_EXISTS].new_value == 1
    assert results[K.FIELD_BYTE_OFFSET].new_value == 12  # 125 // 8 // 4 * 4
    assert results[K.FIELD_BYTE_SIZE].new_value == 4
    assert results[K.FIELD_LSHIFT_U64].new_value == 64 - (125 + 3 - 96)
    assert results[K.FIELD_RSHIFT_U64].new_value == 61
    assert results[K.FIELD_SIGNED].new_value == 0
    assert not results[K.FIELD_BYTE_OFFSET].validate  # compilers may choose other loads
    assert results[K.FIELD_RSHIFT_U64].validate
    assert relocate(env, "task", "0:0", K.FIELD_SIGNED).new_value == 1


def test_bitfield_that_needs_a_wider_load():
    local, target = Types(), Types()
    for types, bit in ((local, 0), (target, 30)):
        u32 = types.int_("unsigned int", 4)
        types.struct("s", 8, ("f", u32, bit, 4))
    lb, tb = local.btf(), target.btf()
    relo = CORERelocation(0, 2, "0:0", K.FIELD_BYTE_SIZE)
    assert compute_relocation(lb, relo, CandidateCache(lb, tb)).new_value == 8
    big = CORERelocation(0, 2, "0:0", K.FIELD_LSHIFT_U64)
    assert compute_relocation(lb, big, CandidateCache(lb, tb), byteorder="big").new_value == 30


def test_missing_fields_exist_zero_or_are_poisoned(env):
    exists = relocate(env, "task", "0:4", K.FIELD_EXISTS)
    assert (exists.orig_value, exists.new_value, exists.poison) == (1, 0, False)
    offset = relocate(env, "task", "0:4", K.FIELD_BYTE_OFFSET)
    assert offset.poison


def test_incompatible_field_types_do_not_match():
    local, target = Types(), Types()
    local.struct("s", 4, ("f", local.int_("int", 4, True), 0, 0))
    u32 = target.int_("unsigned int", 4)
    target.struct("s", 4, ("f", target.struct("inner", 4, ("x", u32, 0, 0)), 0, 0))
    lb, tb = local.btf(), target.btf()
    relo = CORERelocation(0, 2, "0:0", K.FIELD_EXISTS)
    assert compute_relocation(lb, relo, CandidateCache(lb, tb)).new_value == 0


def test_flavours_match_the_plain_name(env):
    renamed = relocate(env, "task___v2", "0:0", K.FIELD_BYTE_OFFSET)
    assert (renamed.orig_value, renamed.new_value) == (0, 44)


def test_type_relocations(env):
    local, lids, target, tids = env
    assert relocate(env, "task", "0", K.TYPE_EXISTS).new_value == 1
    assert relocate(env, "missing", "0", K.TYPE_EXISTS).new_value == 0
    size = relocate(env, "task", "0", K.TYPE_SIZE)
    assert (size.orig_value, size.new_value) == (48, 64)
    assert relocate(env, "missing", "0", K.TYPE_SIZE).new_value == 0
    target_id = relocate(env, "task", "0", K.TYPE_ID_TARGET)
    assert (target_id.new_value, target_id.validate) == (tids["task"], False)
    local_id = relocate(env, "task", "0", K.TYPE_ID_LOCAL)
    assert (local_id.orig_value, local_id.new_value) == (lids["task"], lids["task"])
    assert relocate(env, "typedef", "0", K.TYPE_SIZE).new_value == 64
    # TYPE_MATCHES: every local member must exist by name with a matching type.
    assert relocate(env, "pair", "0", K.TYPE_MATCHES).new_value == 1
    assert relocate(env, "task", "0", K.TYPE_MATCHES).new_value == 0  # 'gone', 'bits' widths
    assert relocate(env, "enum", "0", K.TYPE_MATCHES).new_value == 0  # MODE_GONE


def test_enum_values(env):
    assert relocate(env, "enum", "0", K.ENUMVAL_VALUE).new_value == 7  # MODE_A
    # A negative 32-bit value is sign-extended, as libbpf reads it.
    assert relocate(env, "enum", "1", K.ENUMVAL_VALUE).new_value == (1 << 64) - 5
    assert relocate(env, "enum", "1", K.ENUMVAL_EXISTS).new_value == 1
    assert relocate(env, "enum", "2", K.ENUMVAL_EXISTS).new_value == 0
    assert relocate(env, "enum", "2", K.ENUMVAL_VALUE).poison


def test_enum64_values():
    local, target = Types(), Types()
    local.add(Kind.ENUM64, "big", size=8, enumerators=(Enumerator("BIG", 1),))
    target.add(Kind.ENUM, "big", size=4, enumerators=(Enumerator("OTHER", 1),))
    target.add(Kind.ENUM64, "big___2", size=8, enumerators=(Enumerator("BIG___x", 1 << 40),))
    lb, tb = local.btf(), target.btf()
    relo = CORERelocation(0, 1, "0", K.ENUMVAL_VALUE)
    assert compute_relocation(lb, relo, CandidateCache(lb, tb)).new_value == 1 << 40


def test_candidates_that_disagree_are_ambiguous():
    local, target = Types(), Types()
    local.struct("s", 4, ("f", local.int_("int", 4, True), 0, 0))
    s32 = target.int_("int", 4, True)
    target.struct("s", 8, ("f", s32, 0, 0))
    target.struct("s___2", 8, ("g", s32, 0, 0), ("f", s32, 32, 0))
    lb, tb = local.btf(), target.btf()
    relo = CORERelocation(0, 2, "0:0", K.FIELD_BYTE_OFFSET)
    with pytest.raises(CORERelocationError, match="field offset ambiguity"):
        compute_relocation(lb, relo, CandidateCache(lb, tb))
    size = CORERelocation(0, 2, "0", K.TYPE_SIZE)
    target.struct("s___3", 12, ("f", s32, 0, 0))
    with pytest.raises(CORERelocationError, match="decision ambiguity"):
        compute_relocation(lb, size, CandidateCache(lb, target.btf()))


def test_candidates_that_agree_are_fine_and_others_are_dropped():
    local, target = Types(), Types()
    local.struct("s", 4, ("f", local.int_("int", 4, True), 0, 0))
    s32 = target.int_("int", 4, True)
    target.struct("s", 8, ("f", s32, 32, 0))
    target.struct("s___2", 8, ("g", s32, 0, 0), ("f", s32, 32, 0))
    target.struct("s___3", 8, ("g", s32, 0, 0))
    target.add(Kind.UNION, "s", size=4, members=(Member("f", s32, 0),))  # another kind
    lb, tb = local.btf(), target.btf()
    cache = CandidateCache(lb, tb)
    assert [c.type_id for c in cache.get(2)] == [2, 3, 4]
    relo = CORERelocation(0, 2, "0:0", K.FIELD_BYTE_OFFSET)
    assert compute_relocation(lb, relo, cache).new_value == 4
    assert [c.type_id for c in cache.get(2)] == [2, 3]  # s___3 has no 'f'


def test_module_btf_is_searched_only_without_vmlinux_candidates():
    local, vmlinux, module = Types(), Types(), Types()
    local.struct("s", 4, ("f", local.int_("int", 4, True), 0, 0))
    local.struct("m", 4, ("f", 1, 0, 0))
    vmlinux.struct("s", 8, ("f", vmlinux.int_("int", 4, True), 32, 0))
    base = vmlinux.btf()
    # A module's split BTF: ids and strings continue after vmlinux's.
    module.types = [VOID, *base]
    module.struct("m", 8, ("f", 1, 32, 0))
    module_btf = parse_btf(_split(module.types, base), base=base)
    lb = local.btf()
    asked = []

    def modules():
        asked.append(True)
        return [module_btf]

    cache = CandidateCache(lb, base, modules)
    relo = CORERelocation(0, 2, "0:0", K.FIELD_BYTE_OFFSET)
    assert compute_relocation(lb, relo, cache).new_value == 4
    assert asked == []  # vmlinux had a candidate
    relo = CORERelocation(0, 3, "0:0", K.FIELD_BYTE_OFFSET)
    result = compute_relocation(lb, relo, cache)
    assert result.new_value == 4 and asked == [True]
    assert result.target_spec is not None and result.target_spec.btf is module_btf
    assert result.target_spec.root_type_id == len(base)  # the module's first own type
    missing = CORERelocation(0, 3, "0", K.TYPE_ID_TARGET)
    assert compute_relocation(lb, missing, cache).new_value == len(base)
    assert asked == [True]  # asked once


def _split(types, base) -> bytes:
    """Raw split BTF of ``types[len(base):]`` on ``base``.

    Encoded with the base's string section as prefix, every name offset already counts on
    from the base's strings, as split BTF wants: only the prefix itself is cut off again.
    """
    raw = encode_btf_with_strings([VOID, *types[len(base) :]], "little", base.strings)
    _magic, _version, _flags, _hdr, _toff, type_len, str_off, str_len = struct.unpack_from(
        "<HBBIIIII", raw, 0
    )
    body = raw[24 : 24 + type_len]
    strings = raw[24 + str_off : 24 + str_off + str_len][len(base.strings) :]
    header = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(body), len(body), len(strings))
    return header + body + strings


@pytest.mark.parametrize(
    ("type_name", "access", "kind", "message"),
    [
        ("task", "", K.FIELD_BYTE_OFFSET, "not a list of indices"),
        ("task", "0::1", K.FIELD_BYTE_OFFSET, "not a list of indices"),
        ("task", "0:x", K.FIELD_BYTE_OFFSET, "not a list of indices"),
        ("task", "-1", K.FIELD_BYTE_OFFSET, "not a list of indices"),
        ("task", ":".join(["0"] * 65), K.FIELD_BYTE_OFFSET, "deeper than 64"),
        ("task", "0:9", K.FIELD_BYTE_OFFSET, "no member #9"),
        ("task", "0:2:16", K.FIELD_BYTE_OFFSET, "out of bounds"),
        ("task", "0:0:1", K.FIELD_BYTE_OFFSET, "neither a struct"),
        ("task", "1", K.TYPE_SIZE, "must be '0'"),
        ("task", "0", K.ENUMVAL_VALUE, "not an enum"),
        ("enum", "5", K.ENUMVAL_VALUE, "no enumerator"),
        ("anon", "0:0", K.FIELD_BYTE_OFFSET, "anonymous"),
        ("anon", "0", K.TYPE_EXISTS, "anonymous"),
    ],
)
def test_bad_relocations_say_what(env, type_name, access, kind, message):
    with pytest.raises(CORERelocationError, match=message):
        relocate(env, type_name, access, kind)


def test_relocation_of_a_type_that_does_not_exist(env):
    local, _, target, _ = env
    relo = CORERelocation(0, 9999, "0:0", K.FIELD_BYTE_OFFSET)
    with pytest.raises(CORERelocationError, match="type 9999 does not exist"):
        compute_relocation(local, relo, CandidateCache(local, target))
    with pytest.raises(CORERelocationError, match="does not exist"):
        parse_spec(local, relo)


def test_spec_describes_the_access(env):
    local, lids, _, _ = env
    spec = parse_spec(local, CORERelocation(0, lids["task"], "0:2:3", K.FIELD_BYTE_OFFSET))
    assert spec.describe() == "task.comm[3]"
    assert spec.bit_offset == (8 + 3) * 8


def test_compute_relocations_shares_the_cache(env):
    local, lids, target, _ = env
    relos = [
        CORERelocation(0, lids["task"], "0:0", K.FIELD_BYTE_OFFSET),
        CORERelocation(8, lids["task"], "0:1", K.FIELD_BYTE_OFFSET),
    ]
    assert [r.new_value for r in compute_relocations(local, relos, target)] == [8, 16]


# --- patching instructions (pyebpf.collection, offline) ---------------------------------------


def _patched(env, insns, *relos):
    local, _, target, _ = env
    return apply_core_relocations(Instructions(insns), list(relos), local, target, "prog")


def test_patching_alu_ldx_and_ld_imm64(env):
    _, lids, _, tids = env
    task = lids["task"]
    ldx_w = Instruction(0x61, dst=0, src=1, off=4)  # r0 = *(u32 *)(r1 + 4): task.flags
    out = _patched(
        env,
        [mov(R2, 0), ldx_w, ld_imm64(R3, 0), exit_()],
        CORERelocation(0, task, "0:0", K.FIELD_BYTE_OFFSET),
        CORERelocation(8, task, "0:1", K.FIELD_BYTE_OFFSET),
        CORERelocation(16, task, "0", K.TYPE_ID_TARGET),
    )
    assert out[0].imm == 8
    assert (out[1].off, out[1].opcode) == (16, 0x79)  # widened to a u64 load
    assert out[2].imm == tids["task"]
    assert out[3] == exit_()


def test_poisoning(env):
    task = env[1]["task"]
    out = _patched(
        env,
        [mov(R2, 36), ld_imm64(R3, 56), exit_()],
        CORERelocation(0, task, "0:4", K.FIELD_BYTE_OFFSET),
        CORERelocation(8, task, "0:4", K.FIELD_BYTE_OFFSET),
    )
    assert [(i.opcode, i.imm) for i in out[:3]] == [(CALL, POISON_CALL_CORE)] * 3
    assert out.slot_count == 4 and out[3] == exit_()


def test_signed_field_of_another_size_is_poisoned_on_load():
    local, target = Types(), Types()
    local.struct("s", 4, ("f", local.int_("int", 4, True), 0, 0))
    target.struct("s", 8, ("f", target.int_("long", 8, True), 0, 0))
    lb, tb = local.btf(), target.btf()
    insns = Instructions([Instruction(0x61, dst=0, src=1, off=0), exit_()])
    relo = CORERelocation(0, 2, "0:0", K.FIELD_BYTE_OFFSET)
    out = apply_core_relocations(insns, [relo], lb, tb)
    assert (out[0].opcode, out[0].imm) == (CALL, POISON_CALL_CORE)
    # As an ALU immediate the same relocation is just the offset.
    alu = apply_core_relocations(Instructions([mov(R0, 0), exit_()]), [relo], lb, tb)
    assert alu[0].imm == 0


@pytest.mark.parametrize(
    ("insns", "insn_off", "access", "message"),
    [
        ([mov(R2, 99), exit_()], 0, "0:0", "unexpected value"),
        ([Instruction(0x61, dst=0, src=1, off=7), exit_()], 0, "0:0", "unexpected offset"),
        ([Instruction(0x71, dst=0, src=1, off=4), exit_()], 0, "0:1", "unexpected memory size"),
        ([Instruction(0x0F, dst=0, src=1), exit_()], 0, "0:0", "no immediate operand"),
        ([exit_()], 0, "0:0", "cannot relocate"),
        ([mov(R2, 0), exit_()], 4, "0:0", "not a multiple of 8"),
        ([ld_imm64(R2, 0), exit_()], 8, "0:0", "second half of an ld_imm64"),
        ([mov(R2, 0), exit_()], 80, "0:0", "outside the program"),
    ],
)
def test_patching_errors_name_program_instruction_and_access(env, insns, insn_off, access, message):
    relo = CORERelocation(insn_off, env[1]["task"], access, K.FIELD_BYTE_OFFSET)
    with pytest.raises(CORERelocationError, match=message) as info:
        _patched(env, insns, relo)
    text = str(info.value)
    assert "program 'prog'" in text and repr(access) in text and "task" in text


def test_offset_too_big_for_a_load():
    local, target = Types(), Types()
    local.struct("s", 4, ("f", local.int_("int", 4, True), 0, 0))
    target.struct("s", 0x10000, ("f", target.int_("int", 4, True), 0x8000 * 8, 0))
    lb, tb = local.btf(), target.btf()
    relo = CORERelocation(0, 2, "0:0", K.FIELD_BYTE_OFFSET)
    result = compute_relocation(lb, relo, CandidateCache(lb, tb))
    with pytest.raises(CORERelocationError, match="too big"):
        patch_instruction(Instruction(0x61, dst=0, src=1, off=0), result)


# --- property: offsets follow the fields wherever the target puts them ------------------------

_SIZES = {1: "unsigned char", 2: "short unsigned int", 4: "unsigned int", 8: "long unsigned int"}


@st.composite
def layouts(draw):
    """Field names with sizes; the target's order, which fields it lacks, which it nests."""
    names = draw(st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=8, unique=True))
    sizes = {n: draw(st.sampled_from(sorted(_SIZES))) for n in names}
    order = draw(st.permutations(names))
    missing = draw(st.sets(st.sampled_from(names), max_size=len(names) - 1))
    nested = draw(st.sets(st.sampled_from(names)))
    wrap = draw(st.sampled_from([Kind.STRUCT, Kind.UNION]))
    return names, sizes, [n for n in order if n not in missing], nested, wrap


def _struct_of(types: Types, name: str, fields: list[str], sizes, nested=(), wrap=Kind.STRUCT):
    ints = {size: types.int_(c, size) for size, c in _SIZES.items()}
    members, offsets, offset = [], {}, 0
    for field_name in fields:
        size = sizes[field_name]
        offset = -(-offset // size) * size  # natural alignment
        if field_name in nested:  # alone in an anonymous struct/union at this offset
            inner = types.add(wrap, "", size=size, members=(Member(field_name, ints[size], 0),))
            members.append(("", inner, offset * 8, 0))
        else:
            members.append((field_name, ints[size], offset * 8, 0))
        offsets[field_name] = offset
        offset += size
    return types.struct(name, -(-offset // 8) * 8, *members), offsets


@settings(max_examples=150, deadline=None)
@given(layouts())
def test_field_relocations_follow_the_target_layout(layout):
    names, sizes, target_fields, nested, wrap = layout
    local, target = Types(), Types()
    local_id, _ = _struct_of(local, "thing", names, sizes)
    _, target_offsets = _struct_of(target, "thing", target_fields, sizes, nested, wrap)
    lb, tb = local.btf(), target.btf()
    cache = CandidateCache(lb, tb)
    for i, field_name in enumerate(names):

        def reloc(kind, i=i):
            return compute_relocation(lb, CORERelocation(0, local_id, f"0:{i}", kind), cache)

        exists = reloc(K.FIELD_EXISTS).new_value
        offset = reloc(K.FIELD_BYTE_OFFSET)
        if field_name in target_offsets:
            assert exists == 1
            assert offset.new_value == target_offsets[field_name] and not offset.poison
            assert reloc(K.FIELD_BYTE_SIZE).new_value == sizes[field_name]
            assert reloc(K.FIELD_RSHIFT_U64).new_value == 64 - 8 * sizes[field_name]
        else:
            assert exists == 0 and offset.poison
