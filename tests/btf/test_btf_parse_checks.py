"""The parse checks what libbpf's ``btf__parse`` checks, up front: every name offset lies in
the string section and every referenced type id exists (kinds and record sizes are checked
by the scan). The column-wise checks are compared with a plain record-by-record reference
on mutated fixtures: the same first bad type is reported."""

from __future__ import annotations

import random
import re
import struct

import pytest
from btf_fixtures import OBJECTS, section_bytes

from pyebpf.btf import Kind, parse_btf
from pyebpf.errors import BTFError

BTFS = [section_bytes(path, ".BTF") for path in OBJECTS if path.name.endswith("-el.o")]
# kind -> (fixed words after the 3-word head, words per vlen entry)
SIZES = {1: (1, 0), 3: (3, 0), 4: (0, 3), 5: (0, 3), 6: (0, 2), 13: (0, 2), 14: (1, 0)}
SIZES |= {15: (0, 3), 17: (1, 0), 19: (0, 3)}


def first_bad_type(raw: bytes) -> int | None:
    """The id of the first type with a name outside the strings or a missing type id."""
    _magic, _v, _f, hdr_len, type_off, type_len, _str_off, str_len = struct.unpack_from(
        "<HBBIIIII", raw, 0
    )
    pos, end = hdr_len + type_off, hdr_len + type_off + type_len
    records = []
    while pos < end:
        name_off, info, size_type = struct.unpack_from("<III", raw, pos)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        fixed, per = SIZES.get(kind, (0, 0))
        extra = struct.unpack_from(f"<{fixed + per * vlen}I", raw, pos + 12)
        records.append((name_off, kind, size_type, extra, fixed, per, vlen))
        pos += 12 + 4 * (fixed + per * vlen)
    count = len(records) + 1
    for type_id, (name_off, kind, size_type, extra, fixed, per, vlen) in enumerate(records, 1):
        names = [name_off]
        ids = []
        if kind in (2, 8, 9, 10, 11, 12, 13, 14, 17, 18):
            ids.append(size_type)
        if kind == 3:
            ids += extra[0:2]
        entries = [extra[fixed + i * per : fixed + (i + 1) * per] for i in range(vlen)]
        if kind in (4, 5):
            names += [e[0] for e in entries]
            ids += [e[1] for e in entries]
        elif kind in (6, 19):
            names += [e[0] for e in entries]
        elif kind == 13:
            names += [e[0] for e in entries]
            ids += [e[1] for e in entries]
        elif kind == 15:
            ids += [e[0] for e in entries]
        if any(n >= str_len for n in names) or any(i >= count for i in ids):
            return type_id
    return None


class LayoutChanged(Exception):
    """The scan refused the data (kind or record size): not what this test is about."""


def reported(raw: bytes) -> int | None:
    try:
        parse_btf(raw)
    except BTFError as exc:
        found = re.match(r"type (\d+) (has a name at string offset|refers to type)", exc.reason)
        if not found:
            raise LayoutChanged(exc.reason) from None
        return int(found.group(1))
    return None


def test_fixtures_are_valid() -> None:
    for raw in BTFS:
        assert first_bad_type(raw) is None
        assert reported(raw) is None


@pytest.mark.parametrize("seed", range(3))
def test_mutated_words_report_the_first_bad_type(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    for _ in range(150):
        raw = bytearray(rng.choice(BTFS))
        hdr_len, type_off, type_len = (
            struct.unpack_from("<III", raw, 4)[0],
            *struct.unpack_from("<II", raw, 8),
        )
        start = hdr_len + type_off
        # Large values in name and type words (leaving the kind/vlen words alone keeps the
        # record layout, so the checks rather than the scan are exercised).
        for _ in range(rng.randint(1, 3)):
            word = rng.randrange(type_len // 4)
            value = rng.choice((0xFFFF, 0x7FFFFFFF, rng.randrange(1 << 20)))
            struct.pack_into("<I", raw, start + 4 * word, value)
        try:
            got = reported(bytes(raw))
        except LayoutChanged:
            continue  # a kind/vlen word was hit and the scan refused the records
        try:
            expected = first_bad_type(bytes(raw))
        except struct.error:
            continue  # the same, seen by the reference
        assert got == expected
        checked += 1
    assert checked > 50


def test_bad_member_type_names_the_struct() -> None:
    raw = next(r for r in BTFS if parse_btf(r).find("pair"))
    btf = parse_btf(raw)
    pair = btf.find_one("pair", Kind.STRUCT)
    broken = bytearray(raw)
    struct.pack_into("<I", broken, btf.offset_of(pair.id) + 12 + 12 + 4, len(btf) + 5)
    with pytest.raises(BTFError, match=f"type {pair.id} refers to type {len(btf) + 5}") as err:
        parse_btf(bytes(broken))
    assert err.value.offset == btf.offset_of(pair.id)


def test_bad_name_offset_names_the_type() -> None:
    raw = BTFS[0]
    btf = parse_btf(raw)
    last = len(btf) - 1
    broken = bytearray(raw)
    struct.pack_into("<I", broken, btf.offset_of(last), len(btf.strings) + 1)
    with pytest.raises(BTFError, match=f"type {last} has a name at string offset") as err:
        parse_btf(bytes(broken))
    assert err.value.offset == btf.offset_of(last)
