"""The BTF parser's bulk paths agree with its lazy ones.

``check()`` and ``dump_raw`` read the whole string section at once and decode types in a
batch; a type decoded lazily, one at a time, must come out the same, strings at odd
offsets (a suffix of another string) must still resolve, and a dump still yields every
line before the first bad type.
"""

from __future__ import annotations

import os
import random
import struct

import pytest
from btf_fixtures import OBJECTS, section_bytes

from pyebpf.btf import Kind, dump_raw, format_type, parse_btf
from pyebpf.errors import BTFError

VMLINUX = "/sys/kernel/btf/vmlinux"


def fixture_btfs() -> list[bytes]:
    return [section_bytes(path, ".BTF") for path in OBJECTS]


def test_checked_types_equal_lazily_decoded_ones() -> None:
    for raw in fixture_btfs():
        bulk = parse_btf(raw).check()
        lazy = parse_btf(raw)
        for type_id in range(len(lazy) - 1, 0, -1):  # backwards: no decode order helps
            assert lazy[type_id] == bulk[type_id]
            assert repr(lazy[type_id]) == repr(bulk[type_id])


@pytest.mark.skipif(not os.path.exists(VMLINUX), reason=f"no {VMLINUX}")
def test_vmlinux_sample_equals_bulk_decoding() -> None:
    with open(VMLINUX, "rb") as f:
        raw = f.read()
    bulk = parse_btf(raw).check()
    lazy = parse_btf(raw)
    rnd = random.Random(6)
    for type_id in rnd.sample(range(1, len(lazy)), 3000):
        assert lazy[type_id] == bulk[type_id]


def test_every_string_offset_resolves_the_same_after_the_bulk_read() -> None:
    for raw in fixture_btfs():
        fresh = parse_btf(raw)
        bulk = parse_btf(raw)
        bulk.check()
        size = len(bulk.strings)
        assert size > 10
        for offset in range(size):  # string starts and suffixes alike
            assert bulk.string(offset) == fresh.string(offset)


def test_dump_yields_the_lines_before_a_bad_type() -> None:
    # An unknown FUNC linkage passes the parse (libbpf does not check it either) and is
    # found when the type is decoded.
    raw = fixture_btfs()[0]
    btf = parse_btf(raw)
    func = next(t.id for t in btf if t.kind == Kind.FUNC and t.id > 1)
    broken = bytearray(raw)
    order = "<" if btf.byteorder == "little" else ">"
    info = struct.unpack_from(order + "I", raw, btf.offset_of(func) + 4)[0]
    struct.pack_into(order + "I", broken, btf.offset_of(func) + 4, info | 7)  # vlen: linkage
    lines = []
    with pytest.raises(BTFError, match="unknown linkage 7"):
        for line in dump_raw(parse_btf(bytes(broken))):
            lines.append(line)
    assert lines == list(dump_raw(btf))[: func - 1]


def lazy_dump(raw: bytes) -> list[str]:
    """The dump the slow way: each type decoded on its own, then formatted."""
    btf = parse_btf(raw)
    return [format_type(btf, btf[type_id]) for type_id in range(1, len(btf))]


def test_bulk_dump_equals_formatting_each_type() -> None:
    for raw in fixture_btfs():
        assert list(dump_raw(parse_btf(raw))) == lazy_dump(raw)


@pytest.mark.skipif(not os.path.exists(VMLINUX), reason=f"no {VMLINUX}")
def test_vmlinux_bulk_dump_equals_formatting_each_type() -> None:
    with open(VMLINUX, "rb") as f:
        raw = f.read()
    assert list(dump_raw(parse_btf(raw))) == lazy_dump(raw)


def test_bulk_decoding_keeps_types_decoded_before() -> None:
    raw = fixture_btfs()[0]
    btf = parse_btf(raw)
    early = [btf[type_id] for type_id in range(1, len(btf), 3)]
    btf.check()
    assert all(btf[t.id] is t for t in early)


def test_a_name_that_is_not_utf8_is_found_by_check_and_dump() -> None:
    raw = next(r for r in fixture_btfs() if parse_btf(r).find("pair"))
    btf = parse_btf(raw)
    pair = btf.find_one("pair", Kind.STRUCT)
    member = pair.members[0].name
    broken = bytearray(raw)
    at = bytes(broken).index(b"\0" + member.encode() + b"\0") + 1
    broken[at] = 0xFF  # the member's name is no longer UTF-8
    with pytest.raises(BTFError, match="not UTF-8"):
        parse_btf(bytes(broken)).check()
    with pytest.raises(BTFError, match="not UTF-8"):
        list(dump_raw(parse_btf(bytes(broken))))


def test_bulk_built_types_are_ordinary_frozen_btftypes() -> None:
    import copy
    import dataclasses
    import pickle

    from pyebpf.btf import BTFType

    for raw in fixture_btfs()[:3]:
        bulk = parse_btf(raw).check()
        lazy = parse_btf(raw)
        for t in bulk:
            assert type(t) is BTFType
            assert hash(t) == hash(lazy[t.id])
            assert pickle.loads(pickle.dumps(t)) == t == copy.copy(t)
            assert dataclasses.replace(t, name="renamed").name == "renamed"
            with pytest.raises(dataclasses.FrozenInstanceError):
                t.name = "changed"  # type: ignore[misc]
