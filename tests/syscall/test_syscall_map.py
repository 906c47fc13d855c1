"""Map against the real kernel: mapping protocol, flags, codecs, per-CPU, batches, pins, info."""

from __future__ import annotations

import ctypes
import errno
import os

import pytest

from pyebpf import Map, MapSpec
from pyebpf.errors import (
    BPFError,
    CodecError,
    MapKeyError,
    ObjectClosedError,
    PyebpfError,
    SpecError,
)
from pyebpf.kernel_tables import MapType
from pyebpf.syscall import EXIST, NOEXIST, commands, possible_cpus

pytestmark = pytest.mark.kernel


def hash_map(max_entries: int = 64, **kw: object) -> Map:
    spec = MapSpec(name="t_hash", type="hash", key_size=4, value_size=8, max_entries=max_entries)
    return Map(spec, key_type=int, value_type=int, **kw)  # type: ignore[arg-type]


def test_mapping_protocol() -> None:
    with hash_map() as m:
        assert len(m) == 0
        m[1] = 10
        m[2] = 20
        assert m[1] == 10 and m[2] == 20
        assert 1 in m and 3 not in m
        assert sorted(m) == [1, 2]
        assert sorted(m.keys()) == [1, 2]
        assert sorted(m.values()) == [10, 20]
        assert dict(m.items()) == {1: 10, 2: 20}
        assert m.get(3) is None and m.get(3, -1) == -1
        assert len(m) == 2
        del m[1]
        assert 1 not in m
        with pytest.raises(KeyError):
            m[1]
        with pytest.raises(MapKeyError):
            del m[1]
        assert m.delete(2) is True and m.delete(2) is False


def test_update_flags() -> None:
    with hash_map() as m:
        m.put(5, 1, NOEXIST)
        with pytest.raises(BPFError) as exc:
            m.put(5, 2, NOEXIST)
        assert exc.value.errno == errno.EEXIST and "already exists" in str(exc.value)
        m.put(5, 3, EXIST)
        assert m[5] == 3
        with pytest.raises(BPFError) as exc:
            m.put(6, 3, EXIST)
        assert exc.value.errno == errno.ENOENT
        with pytest.raises(CodecError):
            m.put(5, 3, NOEXIST | EXIST)


def test_full_map_reports_e2big() -> None:
    with hash_map(max_entries=2) as m:
        m[1] = 1
        m[2] = 2
        with pytest.raises(BPFError) as exc:
            m[3] = 3
        assert exc.value.errno == errno.E2BIG and "full" in str(exc.value)


def test_bad_arguments_raise_before_syscall() -> None:
    with hash_map() as m:
        with pytest.raises(CodecError, match="does not fit"):
            m[1 << 40] = 1
        with pytest.raises(CodecError, match="must be an int"):
            m["x"] = 1
        with pytest.raises(CodecError, match="must be an int"):
            m[1] = b"12345678"
    raw = Map(MapSpec(name="raw", type="hash", key_size=4, value_size=4, max_entries=4))
    with raw:
        with pytest.raises(CodecError, match="is 3 bytes, the map expects 4"):
            raw[b"abc"] = b"abcd"
        raw[b"abcd"] = 7  # ints are accepted by the raw codec
        assert raw[b"abcd"] == (7).to_bytes(4, "little")


def test_closed_object_raises() -> None:
    m = hash_map()
    m.close()
    m.close()  # idempotent
    with pytest.raises(ObjectClosedError):
        m[1] = 1
    assert "closed" in repr(m)


def test_codecs_struct_and_ctypes() -> None:
    class Point(ctypes.Structure):
        _fields_ = [("x", ctypes.c_uint32), ("y", ctypes.c_int32)]

    spec = MapSpec(name="pts", type="hash", key_size=8, value_size=8, max_entries=8)
    with Map(spec, key_type="<II", value_type=Point) as m:
        m[(1, 2)] = Point(3, -4)
        got = m[(1, 2)]
        assert isinstance(got, Point) and (got.x, got.y) == (3, -4)
        assert list(m) == [(1, 2)]
        with pytest.raises(CodecError):
            m[(1, 2)] = (3, 4)
    with pytest.raises(CodecError, match="is 4 bytes"):
        Map(spec, key_type="<I")


def test_array_map() -> None:
    spec = MapSpec(name="arr", type="array", key_size=4, value_size=4, max_entries=8)
    with Map(spec, key_type=int, value_type=int) as m:
        assert len(m) == 8
        assert m[3] == 0
        m[3] = 33
        assert dict(m.items())[3] == 33
        assert m.items()[3] == (3, 33)
        with pytest.raises(KeyError):
            m[8]
        with pytest.raises(BPFError):
            m[9] = 1
        m.update({i: i * i for i in range(8)})
        assert m.values() == [i * i for i in range(8)]


def test_per_cpu_values_are_lists() -> None:
    ncpu = possible_cpus()
    spec = MapSpec(name="pc", type="percpu_hash", key_size=4, value_size=4, max_entries=8)
    with Map(spec, key_type=int, value_type=int) as m:
        m[1] = list(range(ncpu))
        assert m[1] == list(range(ncpu))
        m[2] = 7  # one value for every CPU
        assert m[2] == [7] * ncpu
        assert dict(m.items()) == {1: list(range(ncpu)), 2: [7] * ncpu}
        m.update({3: [1] * ncpu, 4: [2] * ncpu})
        assert m[4] == [2] * ncpu
        with pytest.raises(CodecError, match="one per possible CPU"):
            m[1] = [1] * (ncpu + 1)
    aspec = MapSpec(name="pca", type="percpu_array", key_size=4, value_size=8, max_entries=2)
    with Map(aspec, key_type=int, value_type=int) as a:
        a[1] = [5] * ncpu
        assert a.items() == [(0, [0] * ncpu), (1, [5] * ncpu)]


def test_batch_bulk_roundtrip_and_pop_all() -> None:
    n = 10_000
    with hash_map(max_entries=n) as m:
        assert m.update({i: i * 3 for i in range(n)}) == n
        assert len(m) == n
        assert dict(m.items()) == {i: i * 3 for i in range(n)}
        assert m.delete_many(range(0, n, 2)) == n // 2
        assert len(m) == n // 2
        popped = dict(m.pop_all())
        assert popped == {i: i * 3 for i in range(1, n, 2)}
        assert len(m) == 0
        m.update({1: 1, 2: 2})
        m.clear()
        assert m.items() == []


def test_lookup_and_delete_single() -> None:
    with hash_map() as m:
        m[4] = 44
        assert m.pop(4) == 44
        assert 4 not in m
        assert m.pop(4, None) is None
        with pytest.raises(KeyError):
            m.pop(4)


def test_queue_and_stack() -> None:
    q = Map(
        MapSpec(name="q", type="queue", key_size=0, value_size=4, max_entries=4), value_type=int
    )
    s = Map(
        MapSpec(name="s", type="stack", key_size=0, value_size=4, max_entries=4), value_type=int
    )
    with q, s:
        for i in (1, 2, 3):
            q.push(i)
            s.push(i)
        assert q.peek() == 1 and s.peek() == 3
        assert [q.pop() for _ in range(3)] == [1, 2, 3]
        assert [s.pop() for _ in range(3)] == [3, 2, 1]
        assert q.pop(default=None) is None
        with pytest.raises(KeyError):
            s.pop()
        with pytest.raises(CodecError, match="no keys"):
            q[1] = 1


def test_freeze() -> None:
    spec = MapSpec(
        name="ro",
        type="array",
        key_size=4,
        value_size=4,
        max_entries=2,
        contents=((0, 5),),
        freeze=True,
    )
    with Map(spec, key_type=int, value_type=int) as m:
        assert m[0] == 5
        with pytest.raises(BPFError) as exc:
            m[0] = 1
        assert exc.value.errno == errno.EPERM and "frozen" in str(exc.value)


def test_map_of_maps_and_info_ids() -> None:
    inner = MapSpec(name="inner", type="array", key_size=4, value_size=4, max_entries=1)
    outer_spec = MapSpec(
        name="outer", type="array_of_maps", key_size=4, value_size=4, max_entries=2, inner_map=inner
    )
    with Map(outer_spec, key_type=int) as outer, Map(inner) as a:
        outer[0] = a
        assert outer[0] == a.id
        info = a.info()
        assert info.type == MapType.ARRAY and info.name == "inner" and info.max_entries == 1
        with Map.from_id(a.id, key_type=int, value_type=int) as again:
            again[0] = 9
            assert again.name == "inner"
        assert a[0] == (9).to_bytes(4, "little")


def test_unknown_map_type_says_so() -> None:
    with pytest.raises(SpecError):
        MapSpec(name="x", type="no_such_type")
    with pytest.raises(BPFError) as exc:
        Map(MapSpec(name="bad", type="hash", key_size=0, value_size=4, max_entries=1))
    assert exc.value.errno == errno.EINVAL
    assert "map type this kernel does not support" in str(exc.value)
    assert isinstance(exc.value, OSError) and isinstance(exc.value, PyebpfError)


def test_pin_and_open(bpffs: str) -> None:
    path = os.path.join(bpffs, "counts")
    with hash_map() as m:
        m[1] = 11
        m.pin(path)
        with pytest.raises(BPFError, match="already exists"):
            m.pin(path)
    with Map.from_pin(path, key_type=int, value_type=int) as again:
        assert again[1] == 11 and again.name == "t_hash"
        again.unpin(path)
    assert not os.path.exists(path)
    with pytest.raises(BPFError, match="nothing is pinned"):
        Map.from_pin(path)


def test_pin_outside_bpffs_is_explained(tmp_path: object) -> None:
    with hash_map() as m, pytest.raises(BPFError) as exc:
        m.pin(os.path.join(str(tmp_path), "x"))
    assert exc.value.errno == errno.EPERM and "bpffs" in str(exc.value)


def test_id_iteration_finds_our_map() -> None:
    with hash_map() as m:
        ids = []
        cur = 0
        while (nxt := commands.get_next_id("map", cur)) is not None:
            ids.append(nxt)
            cur = nxt
        assert m.id in ids


def test_other_threads_use_their_own_buffers() -> None:
    import threading

    with hash_map(max_entries=4096) as m:
        errors: list[BaseException] = []

        def worker(base: int) -> None:
            try:
                for i in range(base, base + 500):
                    m[i] = i * 2
                    assert m[i] == i * 2
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n * 1000,)) for n in range(4)]
        for t in threads:
            t.start()
        worker(10_000)  # the creating thread, on the fast path, at the same time
        for t in threads:
            t.join()
        assert not errors
        assert len(m) == 2500
