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

from pyebpf.btf import Kind, dump_raw, parse_btf
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
    raw = fixture_btfs()[0]
    btf = parse_btf(raw)
    ptr = next(t.id for t in btf if t.kind == Kind.PTR and t.id > 1)
    broken = bytearray(raw)
    order = "<" if btf.byteorder == "little" else ">"
    struct.pack_into(order + "I", broken, btf.offset_of(ptr) + 8, 0xFFFFFF)  # its type id
    lines = []
    with pytest.raises(BTFError, match="does not exist"):
        for line in dump_raw(parse_btf(bytes(broken))):
            lines.append(line)
    assert lines == list(dump_raw(btf))[: ptr - 1]
