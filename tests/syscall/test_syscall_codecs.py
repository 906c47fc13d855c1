"""Codecs (offline) and map round trips (kernel), with hypothesis properties."""

from __future__ import annotations

import ctypes
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf import Map, MapSpec
from pyebpf.errors import CodecError
from pyebpf.syscall import CtypesCodec, IntCodec, RawCodec, StructCodec
from pyebpf.syscall.codecs import codec_for, packer, unpacker


@given(st.integers(0, 2**32 - 1))
def test_int_codec_roundtrip(value: int) -> None:
    codec = IntCodec(4)
    assert codec.decode(codec.encode(value)) == value
    buf = bytearray(4)
    packer(codec, memoryview(buf))(value)
    assert unpacker(codec, memoryview(buf))() == value


@given(st.integers().filter(lambda v: not 0 <= v < 2**16))
def test_int_codec_rejects_out_of_range(value: int) -> None:
    codec = IntCodec(2, "key")
    with pytest.raises(CodecError, match="key"):
        codec.encode(value)
    with pytest.raises(CodecError):
        packer(codec, memoryview(bytearray(2)))(value)


@given(st.lists(st.integers(0, 2**64 - 1), max_size=50))
def test_int_codec_many(values: list[int]) -> None:
    codec = IntCodec(8)
    data = codec.encode_many(values)
    assert codec.decode_many(data, len(values)) == values


@given(st.lists(st.tuples(st.integers(0, 255), st.integers(-(2**31), 2**31 - 1)), max_size=20))
def test_struct_codec_many(values: list[tuple[int, int]]) -> None:
    codec = StructCodec("<Bxxxi")
    data = codec.encode_many(values)
    assert codec.decode_many(data, len(values)) == values


@given(st.binary(min_size=0, max_size=12))
def test_raw_codec_only_exact_sizes(data: bytes) -> None:
    codec = RawCodec(6)
    if len(data) == 6:
        assert codec.encode(data) == data
    else:
        with pytest.raises(CodecError, match="6"):
            codec.encode(data)


def test_codec_for_choices_and_errors() -> None:
    class Pair(ctypes.Structure):
        _fields_ = [("a", ctypes.c_uint16), ("b", ctypes.c_uint16)]

    assert isinstance(codec_for(None, 4, "key"), RawCodec)
    assert isinstance(codec_for(int, 4, "key"), IntCodec)
    assert isinstance(codec_for("<I", 4, "key"), StructCodec)
    c = codec_for(Pair, 4, "value")
    assert isinstance(c, CtypesCodec)
    assert (c.decode(c.encode(Pair(1, 2))).a, c.decode(c.encode(Pair(1, 2))).b) == (1, 2)
    assert codec_for(ctypes.c_uint32, 4, "value").decode(struct.pack("=I", 9)) == 9
    with pytest.raises(CodecError, match="is 8 bytes"):
        codec_for("<Q", 4, "key")
    with pytest.raises(CodecError, match="not a struct format"):
        codec_for("<Z", 4, "key")
    with pytest.raises(CodecError, match="type must be"):
        codec_for(3.5, 4, "key")
    with pytest.raises(CodecError):
        IntCodec(4).encode(True)
    with pytest.raises(CodecError):
        RawCodec(4).encode(1.5)


@pytest.mark.kernel
@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.integers(0, 2**32 - 1), st.integers(0, 2**64 - 1), max_size=300))
def test_map_matches_dict(entries: dict[int, int]) -> None:
    spec = MapSpec(name="prop", type="hash", key_size=4, value_size=8, max_entries=512)
    with Map(spec, key_type=int, value_type=int) as m:
        m.update(entries)
        assert dict(m.items()) == entries
        assert len(m) == len(entries)
        for k in list(entries)[:10]:
            assert m[k] == entries[k]
            del m[k]
            del entries[k]
        assert sorted(m) == sorted(entries)
