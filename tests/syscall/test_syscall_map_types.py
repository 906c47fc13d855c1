"""MAP_CREATE for every map type of Linux 6.18 (except struct_ops, whose value type must come
from vmlinux BTF), with the attributes each type requires; plus type-specific operations."""

from __future__ import annotations

import errno

import pytest
from test_syscall_btf import build_btf

from pyebpf import Map, MapSpec
from pyebpf.errors import BPFError, CodecError
from pyebpf.kernel_tables import MapType
from pyebpf.syscall import BTF

pytestmark = pytest.mark.kernel

NO_PREALLOC = 1
MMAPABLE = 1 << 10

# type -> MapSpec fields (beyond name and type)
PLAIN: dict[str, dict[str, int]] = {
    "hash": dict(key_size=4, value_size=8, max_entries=8),
    "array": dict(key_size=4, value_size=8, max_entries=8),
    "prog_array": dict(key_size=4, value_size=4, max_entries=8),
    "perf_event_array": dict(key_size=4, value_size=4, max_entries=0),
    "percpu_hash": dict(key_size=4, value_size=8, max_entries=8),
    "percpu_array": dict(key_size=4, value_size=8, max_entries=8),
    "stack_trace": dict(key_size=4, value_size=8 * 16, max_entries=8),
    "cgroup_array": dict(key_size=4, value_size=4, max_entries=8),
    "lru_hash": dict(key_size=4, value_size=8, max_entries=8),
    "lru_percpu_hash": dict(key_size=4, value_size=8, max_entries=8),
    "lpm_trie": dict(key_size=8, value_size=8, max_entries=8, flags=NO_PREALLOC),
    "devmap": dict(key_size=4, value_size=4, max_entries=8),
    "sockmap": dict(key_size=4, value_size=4, max_entries=8),
    "cpumap": dict(key_size=4, value_size=4, max_entries=2),
    "xskmap": dict(key_size=4, value_size=4, max_entries=8),
    "sockhash": dict(key_size=4, value_size=4, max_entries=8),
    "reuseport_sockarray": dict(key_size=4, value_size=4, max_entries=8),
    "queue": dict(key_size=0, value_size=4, max_entries=8),
    "stack": dict(key_size=0, value_size=4, max_entries=8),
    "devmap_hash": dict(key_size=4, value_size=4, max_entries=8),
    "ringbuf": dict(key_size=0, value_size=0, max_entries=4096),
    "bloom_filter": dict(key_size=0, value_size=4, max_entries=8, map_extra=3),
    "user_ringbuf": dict(key_size=0, value_size=0, max_entries=4096),
    "cgroup_storage": dict(key_size=8, value_size=8, max_entries=0),
    "percpu_cgroup_storage": dict(key_size=8, value_size=8, max_entries=0),
    "arena": dict(key_size=0, value_size=0, max_entries=1, flags=MMAPABLE),
}
# Local storage maps: key is an fd (int), value must be described by BTF.
STORAGE = ["sk_storage", "inode_storage", "task_storage", "cgrp_storage"]


@pytest.mark.parametrize("kind", sorted(PLAIN))
def test_create_map_type(kind: str) -> None:
    spec = MapSpec(name=f"t_{kind}"[:15], type=kind, **PLAIN[kind])  # type: ignore[arg-type]
    with Map(spec) as m:
        info = m.info()
        assert info.type == MapType[kind.upper()]
        assert (info.key_size, info.value_size) == (spec.key_size, spec.value_size)


@pytest.mark.parametrize("kind", STORAGE)
def test_create_storage_map_with_btf(kind: str) -> None:
    with BTF(build_btf()) as btf:
        spec = MapSpec(
            name=f"t_{kind}"[:15],
            type=kind,
            key_size=4,
            value_size=4,
            max_entries=0,
            flags=NO_PREALLOC,
            key_type_id=1,
            value_type_id=1,
        )
        with Map(spec, btf=btf) as m:
            assert m.info().type == MapType[kind.upper()]


def test_refused_attributes_say_so() -> None:
    spec = MapSpec(name="bad_lpm", type="lpm_trie", key_size=8, value_size=8, max_entries=8)
    with pytest.raises(BPFError) as exc:  # LPM tries require BPF_F_NO_PREALLOC
        Map(spec)
    assert exc.value.errno == errno.EINVAL and "flag" in str(exc.value)


def test_lpm_trie_longest_prefix() -> None:
    spec = MapSpec(
        name="routes", type="lpm_trie", key_size=8, value_size=4, max_entries=8, flags=NO_PREALLOC
    )
    with Map(spec, key_type="=I4s", value_type=int) as routes:
        routes[(8, bytes([10, 0, 0, 0]))] = 1
        routes[(24, bytes([10, 1, 2, 0]))] = 2
        assert routes[(32, bytes([10, 1, 2, 3]))] == 2
        assert routes[(32, bytes([10, 9, 9, 9]))] == 1
        assert routes.get((32, bytes([11, 0, 0, 0]))) is None
        assert sorted(routes) == [(8, bytes([10, 0, 0, 0])), (24, bytes([10, 1, 2, 0]))]


def test_bloom_filter_membership() -> None:
    spec = MapSpec(
        name="seen", type="bloom_filter", key_size=0, value_size=4, max_entries=64, map_extra=3
    )
    with Map(spec, value_type=int) as seen:
        for v in (1, 2, 3):
            seen.push(v)
        assert all(seen.may_contain(v) for v in (1, 2, 3))
        assert sum(seen.may_contain(v) for v in range(1000, 1100)) < 50  # a few false positives
        with pytest.raises(CodecError, match="may_contain"):
            seen.peek()
