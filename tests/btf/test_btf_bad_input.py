"""Malformed BTF and BTF.ext: a BTFError naming the offset, never another exception."""

from __future__ import annotations

import random

import pytest
from btf_fixtures import OBJECTS, section_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf.btf import (
    VOID,
    BTFType,
    Enumerator,
    Kind,
    Linkage,
    Member,
    Param,
    VarSecinfo,
    encode_btf,
    parse_btf,
    parse_btf_ext,
)
from pyebpf.errors import BTFError

LOADER = next(p for p in OBJECTS if p.name == "loader-el.o")


def _parse_everything(raw_btf: bytes, raw_ext: bytes | None = None) -> None:
    btf = parse_btf(raw_btf).check()
    for t in btf:
        if t.kind not in (Kind.FUNC, Kind.FUNC_PROTO, Kind.DATASEC, Kind.FWD, Kind.DECL_TAG):
            try:
                btf.size_of(t.id)
            except BTFError:
                pass
    btf.find("pair")
    if raw_ext is not None:
        parse_btf_ext(raw_ext, btf)


@pytest.mark.parametrize("name", [".BTF", ".BTF.ext"])
def test_every_truncation(name):
    raw_btf = section_bytes(LOADER, ".BTF")
    raw_ext = section_bytes(LOADER, ".BTF.ext")
    full = raw_btf if name == ".BTF" else raw_ext
    for cut in range(0, len(full), 3):
        with pytest.raises(BTFError) as info:
            if name == ".BTF":
                _parse_everything(full[:cut])
            else:
                _parse_everything(raw_btf, full[:cut])
        assert info.value.section is not None


@pytest.mark.parametrize("seed", range(4))
def test_random_mutations(seed):
    rng = random.Random(seed)
    raw_btf = section_bytes(LOADER, ".BTF")
    raw_ext = section_bytes(LOADER, ".BTF.ext")
    for _ in range(300):
        target = rng.choice(("btf", "ext"))
        data = bytearray(raw_btf if target == "btf" else raw_ext)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data))
            data[pos] = rng.randrange(256) if rng.random() < 0.7 else data[pos] ^ 0xFF
        try:
            if target == "btf":
                _parse_everything(bytes(data))
            else:
                _parse_everything(raw_btf, bytes(data))
        except BTFError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes(data):
    for prefix in (b"", b"\x9f\xeb\x01\x00\x18\x00\x00\x00"):
        try:
            _parse_everything(prefix + data)
        except BTFError:
            pass


# --- encode/parse round trips of generated types ------------------------------------------

names = st.text(alphabet="abcdefgh_", min_size=0, max_size=6)


@st.composite
def btf_types(draw):
    count = draw(st.integers(1, 12))
    types = [VOID]
    for type_id in range(1, count + 1):
        ref = st.integers(0, count)
        kind = draw(st.sampled_from([k for k in Kind if k != Kind.VOID]))
        name = draw(names)
        if kind == Kind.INT:
            t = BTFType(
                type_id,
                kind,
                name,
                size=draw(st.sampled_from([1, 2, 4, 8, 16])),
                encoding=draw(st.sampled_from([0, 1, 2, 4])),
                bits=draw(st.integers(0, 128)),
            )
        elif kind in (Kind.STRUCT, Kind.UNION):
            bitfields = draw(st.booleans())
            members = tuple(
                Member(
                    draw(names),
                    draw(ref),
                    draw(st.integers(0, 0xFFFFFF)),
                    draw(st.integers(1, 255)) if bitfields else 0,
                )
                for _ in range(draw(st.integers(0, 4)))
            )
            t = BTFType(
                type_id,
                kind,
                name,
                size=draw(st.integers(0, 1 << 20)),
                kind_flag=bitfields and bool(members),
                members=members,
            )
        elif kind in (Kind.ENUM, Kind.ENUM64):
            signed = draw(st.booleans())
            bits = 32 if kind == Kind.ENUM else 64
            lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
            values = tuple(
                Enumerator(draw(names), draw(st.integers(lo, hi)))
                for _ in range(draw(st.integers(0, 3)))
            )
            t = BTFType(type_id, kind, name, size=bits // 8, kind_flag=signed, enumerators=values)
        elif kind == Kind.ARRAY:
            t = BTFType(
                type_id,
                kind,
                "",
                type=draw(ref),
                index_type=draw(ref),
                nelems=draw(st.integers(0, 1 << 31)),
            )
        elif kind == Kind.FUNC_PROTO:
            params = tuple(Param(draw(names), draw(ref)) for _ in range(draw(st.integers(0, 3))))
            t = BTFType(type_id, kind, "", type=draw(ref), params=params)
        elif kind in (Kind.FUNC, Kind.VAR):
            t = BTFType(
                type_id, kind, name, type=draw(ref), linkage=draw(st.sampled_from(list(Linkage)))
            )
        elif kind == Kind.DATASEC:
            infos = tuple(
                VarSecinfo(draw(ref), draw(st.integers(0, 1000)), draw(st.integers(0, 64)))
                for _ in range(draw(st.integers(0, 3)))
            )
            t = BTFType(type_id, kind, name, size=draw(st.integers(0, 4096)), secinfos=infos)
        elif kind == Kind.DECL_TAG:
            t = BTFType(type_id, kind, name, type=draw(ref), component_idx=draw(st.integers(-1, 5)))
        elif kind == Kind.FLOAT:
            t = BTFType(type_id, kind, name, size=draw(st.sampled_from([2, 4, 8, 16])))
        elif kind == Kind.FWD:
            t = BTFType(type_id, kind, name, kind_flag=draw(st.booleans()))
        else:
            t = BTFType(type_id, kind, name, type=draw(ref))
        types.append(t)
    return types


@settings(max_examples=150, deadline=None)
@given(btf_types(), st.sampled_from(["little", "big"]))
def test_encode_parse_roundtrip(types, byteorder):
    btf = parse_btf(encode_btf(types, byteorder))
    assert btf.byteorder == byteorder
    assert [VOID, *btf] == types
