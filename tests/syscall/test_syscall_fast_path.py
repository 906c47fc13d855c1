"""The single-element hot path of Map: typed int pointers and reused attrs."""

from __future__ import annotations

import errno

import pytest

from pyebpf import Map, MapSpec
from pyebpf.errors import BPFError, CodecError, MapKeyError
from pyebpf.kernel_tables import MapType
from pyebpf.syscall.codecs import IntCodec, codec_for, int_ctype

pytestmark = pytest.mark.kernel


def _int_map(key_type: object = int, value_type: object = int, max_entries: int = 4) -> Map:
    spec = MapSpec(
        name="t_fast", type=MapType.HASH, key_size=4, value_size=8, max_entries=max_entries
    )
    return Map(spec, key_type=key_type, value_type=value_type)


def _exercise(m: Map) -> None:
    m[1] = 10
    m[2] = (1 << 64) - 1
    assert m[1] == 10 and m[2] == (1 << 64) - 1
    with pytest.raises(MapKeyError, match="not in map"):
        m[3]
    m[3] = 30
    m[4] = 40
    with pytest.raises(BPFError) as exc:
        m[5] = 50  # max_entries is 4
    assert exc.value.errno == errno.E2BIG and "full" in str(exc.value)
    with pytest.raises(CodecError, match="does not fit"):
        m[1 << 32] = 1
    with pytest.raises(CodecError, match="does not fit"):
        m[1] = -1
    with pytest.raises(CodecError, match="not bool"):
        m[True] = 1
    with pytest.raises(CodecError, match="not float"):
        m[1] = 1.5
    with pytest.raises(CodecError, match="does not fit"):
        m[-1]
    assert m[1] == 10  # the failed writes changed nothing


def test_subscripts_on_the_fast_path() -> None:
    with _int_map() as m:
        _exercise(m)
        m.freeze()
        with pytest.raises(BPFError) as exc:
            m[1] = 1
        assert exc.value.errno == errno.EPERM and "frozen" in str(exc.value)


def test_signed_and_struct_codecs_on_the_fast_path() -> None:
    signed = IntCodec(4, "key", signed=True)
    with _int_map(key_type=signed, value_type=IntCodec(8, "value", signed=True)) as m:
        m[-5] = -7
        assert m[-5] == -7 and dict(m.items()) == {-5: -7}
    with _int_map(value_type="<II") as m:  # int key, struct value: no typed value pointer
        m[1] = (2, 3)
        assert m[1] == (2, 3)


def test_int_ctype() -> None:
    assert int_ctype(codec_for(int, 4, "key")) == "uint32_t"
    assert int_ctype(IntCodec(1, signed=True)) == "int8_t"
    assert int_ctype(IntCodec(16)) is None  # no C type: the struct-less codec path
    assert int_ctype(codec_for(None, 4, "key")) is None
    assert int_ctype(None) is None
