"""The BTF parser against bpftool, on the fixtures (every kind) and on the running kernel."""

from __future__ import annotations

import os
import struct

import pytest
from btf_fixtures import OBJECTS, bpftool, section_bytes

from pyebpf.btf import (
    BTF,
    Kind,
    Linkage,
    dump_raw,
    encode_btf,
    kernel_btf,
    parse_btf,
    read_btf_file,
)
from pyebpf.errors import BTFError

VMLINUX = "/sys/kernel/btf/vmlinux"


@pytest.mark.parametrize("path", OBJECTS, ids=lambda p: p.name)
def test_fixture_dump_matches_bpftool(path):
    btf = parse_btf(section_bytes(path, ".BTF"))
    ours = "\n".join(dump_raw(btf)) + "\n"
    assert ours == bpftool("btf", "dump", "file", str(path))


@pytest.mark.skipif(not os.path.exists(VMLINUX), reason="no /sys/kernel/btf/vmlinux")
def test_vmlinux_dump_matches_bpftool():
    btf = kernel_btf()
    ours = "\n".join(dump_raw(btf)) + "\n"
    reference = bpftool("btf", "dump", "file", VMLINUX)
    assert ours.count("\n") == reference.count("\n")
    assert ours == reference
    assert btf.find_one("task_struct", Kind.STRUCT).size == btf.size_of(
        btf.find_one("task_struct").id
    )


def test_every_kind_is_decoded():
    path = next(p for p in OBJECTS if p.name == "btfkinds-el.o")
    btf = parse_btf(section_bytes(path, ".BTF")).check()
    kinds = {t.kind for t in btf}
    assert kinds == set(Kind) - {Kind.VOID}
    big = btf.find_one("big", Kind.ENUM64)
    assert [(v.name, v.value) for v in big.enumerators] == [
        ("BIG_SMALL", 1),
        ("BIG_LARGE", 0x123456789A),
    ]
    small = btf.find_one("signed_small", Kind.ENUM)
    assert small.is_signed and [v.value for v in small.enumerators] == [-3, 4]
    bits = btf.find_one("bits", Kind.STRUCT)
    assert [(m.name, m.bit_offset, m.bitfield_size) for m in bits.members[:3]] == [
        ("a", 0, 3),
        ("b", 3, 5),
        ("c", 8, 7),
    ]
    assert btf.find_one("double", Kind.FLOAT).size == 8
    tags = {t.name: t.component_idx for t in btf if t.kind == Kind.DECL_TAG}
    assert tags == {"a_param": 0, "a_func": -1, "a_struct": -1, "a_var": -1}
    assert btf.find_one("user", Kind.TYPE_TAG)
    assert btf.find_one("tagged_func", Kind.FUNC).linkage == Linkage.GLOBAL
    assert btf.find_one("fwd_only", Kind.FWD).is_union_fwd is False


@pytest.mark.parametrize("path", OBJECTS, ids=lambda p: p.name)
def test_encode_roundtrip(path):
    btf = parse_btf(section_bytes(path, ".BTF"))
    types = [btf[0], *btf]
    again = parse_btf(encode_btf(types, btf.byteorder))
    assert [btf[0], *again] == types


def test_byte_orders_agree():
    for el in (p for p in OBJECTS if p.name.endswith("-el.o")):
        eb = el.with_name(el.name.replace("-el.o", "-eb.o"))
        little = parse_btf(section_bytes(el, ".BTF"))
        big = parse_btf(section_bytes(eb, ".BTF"))
        assert (little.byteorder, big.byteorder) == ("little", "big")
        assert list(little) == list(big)


def test_sizes_and_resolve():
    path = next(p for p in OBJECTS if p.name == "loader-el.o")
    btf = parse_btf(section_bytes(path, ".BTF"))
    pair = btf.find_one("pair", Kind.STRUCT)
    assert btf.size_of(pair.id) == 16
    u32 = btf.find_one("__u32", Kind.TYPEDEF)
    assert btf.resolve(u32.id).kind == Kind.INT
    data_pair = btf.find_one("data_pair", Kind.VAR)
    assert btf.size_of(data_pair.id) == 16


def test_split_btf_on_a_base():
    path = next(p for p in OBJECTS if p.name == "loader-el.o")
    base = parse_btf(section_bytes(path, ".BTF"))
    int_id = base.find_one("int", Kind.INT).id
    strings = b"my_ptr\0"
    # One TYPEDEF 'my_ptr' -> base 'int', its name in the split string section.
    name_off = len(base.strings)
    types = struct.pack("<III", name_off, int(Kind.TYPEDEF) << 24, int_id)
    raw = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
    split = parse_btf(raw + types + strings, base=base)
    assert len(split) == len(base) + 1
    t = split[len(base)]
    assert (t.kind, t.name, t.type) == (Kind.TYPEDEF, "my_ptr", int_id)
    assert split.resolve(t.id) == base[int_id]
    assert split.find_one("my_ptr").id == len(base)


def test_read_btf_file_errors(tmp_path):
    with pytest.raises(BTFError, match="cannot read"):
        read_btf_file(str(tmp_path / "missing"))
    bad = tmp_path / "bad.btf"
    bad.write_bytes(b"\x00\x01" + bytes(30))
    with pytest.raises(BTFError, match="bad magic"):
        read_btf_file(str(bad))


def test_lookup_errors():
    path = next(p for p in OBJECTS if p.name == "loader-el.o")
    btf = parse_btf(section_bytes(path, ".BTF"))
    with pytest.raises(BTFError, match="does not exist"):
        btf[len(btf)]
    with pytest.raises(BTFError, match="no STRUCT type named"):
        btf.find_one("no_such_thing", Kind.STRUCT)
    assert isinstance(btf, BTF)
