"""``Map``: a live BPF map with the mapping protocol.

``Map(spec)`` creates the map; ``m[k]``, ``m[k] = v``, ``del m[k]``, ``k in m``, iteration,
``keys/values/items``, ``get`` and ``update`` work as for a dict, with keys and values converted
by codecs (see :mod:`.codecs`). Bulk reads and writes use the batch commands where the map type
supports them. Per-CPU maps read and write a list with one value per possible CPU.
"""

from __future__ import annotations

import errno
import functools
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..errors import BPFError, CodecError, MapKeyError, SpecError
from ..kernel_tables import MapType
from ..spec import MapSpec, map_type
from . import commands
from ._sys import (
    _ATTR_SIZE,
    _CMDS,
    _NR_BPF,
    ENOTSUPP,
    Cmd,
    _syscall,
    bpf_error,
    ffi,
    new_attr,
)
from ._sys import bpf_errno as _bpf_errno
from .args import uint
from .codecs import Codec, FDCodec, codec_for, int_ctype, packer, unpacker
from .commands import ANY, EXIST, F_LOCK, NOEXIST
from .fd import FDObject
from .info import MapInfo, map_info
from .pin import Pinnable, check_pin_path

__all__ = ["Map", "ANY", "NOEXIST", "EXIST", "F_LOCK", "possible_cpus"]

_PERCPU = frozenset(
    {
        MapType.PERCPU_HASH,
        MapType.PERCPU_ARRAY,
        MapType.LRU_PERCPU_HASH,
        MapType.PERCPU_CGROUP_STORAGE,
    }
)
_FD_VALUES = frozenset(
    {
        MapType.PROG_ARRAY,
        MapType.ARRAY_OF_MAPS,
        MapType.HASH_OF_MAPS,
        MapType.PERF_EVENT_ARRAY,
        MapType.CGROUP_ARRAY,
    }
)
_KEYLESS = frozenset({MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER})
_ARRAYS = frozenset(
    {
        MapType.ARRAY,
        MapType.PERCPU_ARRAY,
        MapType.PROG_ARRAY,
        MapType.ARRAY_OF_MAPS,
        MapType.PERF_EVENT_ARRAY,
        MapType.CGROUP_ARRAY,
    }
)
# Types whose lookup/update/delete batch commands exist (hash since 5.6, arrays since 5.7).
_BATCH = frozenset(
    {
        MapType.HASH,
        MapType.PERCPU_HASH,
        MapType.LRU_HASH,
        MapType.LRU_PERCPU_HASH,
        MapType.ARRAY,
        MapType.PERCPU_ARRAY,
    }
)
_BATCH_CHUNK = 4096
_LOOKUP = _CMDS[Cmd.MAP_LOOKUP_ELEM]
_UPDATE = _CMDS[Cmd.MAP_UPDATE_ELEM]
get_ident = threading.get_ident
_MISSING = object()


@functools.cache
def possible_cpus() -> int:
    """Number of possible CPUs: the per-CPU value count the kernel uses."""
    with open("/sys/devices/system/cpu/possible") as f:
        text = f.read().strip()
    count = 0
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        count += (int(hi) if hi else int(lo)) - int(lo) + 1
    return count


def _round8(n: int) -> int:
    return (n + 7) & ~7


class Map(Pinnable):
    """A BPF map in the kernel.

    ``key_type`` / ``value_type`` choose the codecs (``None``/``bytes``, ``int``, a struct
    format, a ctypes type or a :class:`Codec`). ``inner_map`` is the template for map-of-maps
    (a :class:`Map`; by default one is created from ``spec.inner_map`` for the call).
    ``btf`` (a :class:`BTF` or fd) with ``spec.key_type_id``/``value_type_id`` gives the map types.
    """

    _kind = "map"

    def __init__(
        self,
        spec: MapSpec,
        *,
        key_type: Any = None,
        value_type: Any = None,
        inner_map: Any = None,
        btf: Any = None,
    ) -> None:
        if not isinstance(spec, MapSpec):
            raise SpecError(f"Map() needs a MapSpec, not {type(spec).__name__}")
        self._setup(spec, key_type, value_type)
        fd = self._create(spec, inner_map, btf)
        super().__init__(fd)
        self._fast_init(fd)
        try:
            if spec.contents:
                self.update(spec.contents)
            if spec.freeze:
                self.freeze()
        except BaseException:
            self.close()
            raise

    def _setup(self, spec: MapSpec, key_type: Any, value_type: Any) -> None:
        self.spec = spec
        self.name = spec.name
        self.type = spec.type
        self.key_size = spec.key_size
        self.value_size = spec.value_size
        self.max_entries = spec.max_entries
        if spec.type == MapType.PERF_EVENT_ARRAY and not spec.max_entries:
            self.max_entries = possible_cpus()  # what _create asks the kernel for
        self.flags = spec.flags
        self._pinned: str | None = None
        self.per_cpu = spec.type in _PERCPU
        self._ncpu = possible_cpus() if self.per_cpu else 1
        self._slot = _round8(spec.value_size) if self.per_cpu else spec.value_size
        self._buf_size = self._slot * self._ncpu
        self.key_codec: Codec | None = (
            codec_for(key_type, spec.key_size, "key") if spec.key_size else None
        )
        if value_type is None and spec.type in _FD_VALUES:
            self.value_codec: Codec = FDCodec()
        else:
            self.value_codec = codec_for(value_type, spec.value_size, "value")
        self._batch = spec.type in _BATCH

    def _fast_init(self, fd: int) -> None:
        """Buffers and prepared attrs for single-element lookups and updates.

        Single operations are dominated by Python overhead, so the creating thread reuses
        one key buffer, one value buffer and three attrs that already point at them; other
        threads take the general path (the buffers are not shared between threads).
        """
        # One block holds the attrs, the key and the value: the kernel then touches fewer
        # cache lines of ours per call. One attr per use, so that the hot paths never write
        # to an attr: lookups, updates with BPF_ANY (subscript assignment), updates with flags
        # (put). Offsets are multiples of 8, so int keys and values are aligned.
        koff = 3 * _ATTR_SIZE
        voff = koff + _round8(max(self.key_size, 1))
        self._block = ffi.new("char[]", voff + max(self._buf_size, 1))
        self._kbuf = self._block + koff
        self._vbuf = self._block + voff
        self._kview = ffi.buffer(self._kbuf, self.key_size)
        self._vview = ffi.buffer(self._vbuf, self._buf_size)
        lookup, update, put = (
            ffi.cast("union bpf_attr *", self._block + i * _ATTR_SIZE) for i in range(3)
        )
        for attr in (lookup, update, put):
            attr.map_fd = fd
            attr.key = commands.addr(self._kbuf) if self.key_size else 0
            attr.value = commands.addr(self._vbuf)
        self._lookup_attr = lookup
        self._update_attr = update
        self._put_attr = put
        # The fast path runs when _fast_owner is the calling thread; close() clears it.
        self._fast_owner: int | None = None
        if self.key_codec is not None and not self.per_cpu:
            self._kpack = packer(self.key_codec, self._kview)
            self._vpack = packer(self.value_codec, self._vview)
            self._vunpack = unpacker(self.value_codec, self._vview)
            self._fast_owner = threading.get_ident()
        # Typed pointers to the buffers for 1/2/4/8-byte int keys and values: the inlined
        # subscripts store and load through them, cheaper than struct through a buffer.
        kctype = int_ctype(self.key_codec)
        vctype = None if self.per_cpu else int_ctype(self.value_codec)
        self._kptr: Any = ffi.cast(kctype + " *", self._kbuf) if kctype else None
        self._vptr: Any = ffi.cast(vctype + " *", self._vbuf) if vctype else None
        self._int_kv = self._kptr is not None and self._vptr is not None

    def close(self) -> None:
        self._fast_owner = None
        super().close()

    @staticmethod
    def _create(spec: MapSpec, inner_map: Any, btf: Any) -> int:
        btf_obj = btf
        if btf_obj is None and spec.btf is not None:
            # A spec from the ELF reader carries *parsed* BTF; only a collection load turns it
            # into a kernel object (pyebpf.load_collection), so a plain Map is created without.
            live = isinstance(spec.btf, int) or isinstance(getattr(spec.btf, "fd", None), int)
            btf_obj = spec.btf if live else None
        btf_fd = 0
        if btf_obj is not None:
            fd_attr = btf_obj if isinstance(btf_obj, int) else getattr(btf_obj, "fd", None)
            if not isinstance(fd_attr, int):
                raise SpecError(f"map {spec.name!r}: btf must be a loaded BTF object or an fd")
            btf_fd = fd_attr
        temp_inner = None
        inner_fd = 0
        if spec.type in (MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS):
            if inner_map is None:
                if spec.inner_map is None:
                    raise SpecError(
                        f"map {spec.name!r} of type {spec.type.name} needs an inner map "
                        "(spec.inner_map or inner_map=)"
                    )
                temp_inner = Map(spec.inner_map)
                inner_map = temp_inner
            inner_fd = inner_map if isinstance(inner_map, int) else inner_map.fd
        max_entries = spec.max_entries
        if spec.type == MapType.PERF_EVENT_ARRAY and max_entries == 0:
            max_entries = possible_cpus()
        try:
            return commands.map_create(
                int(spec.type),
                spec.key_size,
                spec.value_size,
                max_entries,
                flags=spec.flags,
                name=spec.name,
                inner_map_fd=inner_fd,
                numa_node=spec.numa_node,
                btf_fd=btf_fd,
                btf_key_type_id=spec.key_type_id if btf_fd else 0,
                btf_value_type_id=spec.value_type_id if btf_fd else 0,
                map_extra=spec.map_extra,
            )
        finally:
            if temp_inner is not None:
                temp_inner.close()

    # --- other ways to get a Map ---------------------------------------------------------

    @classmethod
    def _from_fd(cls, fd: int, key_type: Any, value_type: Any) -> Map:
        m = cls.__new__(cls)
        FDObject.__init__(m, fd)
        try:
            info = map_info(fd)
            spec = MapSpec(
                name=info.name,
                type=map_type(info.type),
                key_size=info.key_size,
                value_size=info.value_size,
                max_entries=info.max_entries,
                flags=info.flags,
                map_extra=info.map_extra,
            )
            m._setup(spec, key_type, value_type)
            m._fast_init(fd)
        except BaseException:
            m.close()
            raise
        return m

    @classmethod
    def from_pin(cls, path: str, *, key_type: Any = None, value_type: Any = None) -> Map:
        """Open the map pinned at ``path`` on bpffs."""
        check_pin_path(path, must_exist=True)
        return cls._from_fd(commands.obj_get(path), key_type, value_type)

    @classmethod
    def from_id(cls, map_id: int, *, key_type: Any = None, value_type: Any = None) -> Map:
        return cls._from_fd(commands.get_fd_by_id("map", map_id), key_type, value_type)

    @classmethod
    def from_fd(cls, fd: int, *, key_type: Any = None, value_type: Any = None) -> Map:
        """Take ownership of ``fd`` (closed with the Map)."""
        return cls._from_fd(fd, key_type, value_type)

    # --- encoding --------------------------------------------------------------------------

    def _key(self, key: Any) -> bytes | None:
        codec = self.key_codec
        if codec is None:
            if key is not None:
                raise CodecError(f"map {self.name!r} ({self.type.name}) has no keys; pass None")
            return None
        return codec.encode(key)

    def _value(self, value: Any) -> bytes:
        if not self.per_cpu:
            return self.value_codec.encode(value)
        if not isinstance(value, list):
            value = [value] * self._ncpu
        if len(value) != self._ncpu:
            raise CodecError(
                f"per-CPU map {self.name!r} needs {self._ncpu} values (one per possible CPU), "
                f"got {len(value)}"
            )
        pad = bytes(self._slot - self.value_size)
        return b"".join(self.value_codec.encode(v) + pad for v in value)

    def _decode_value(self, raw: bytes) -> Any:
        if not self.per_cpu:
            return self.value_codec.decode(raw)
        slot, size = self._slot, self.value_size
        return [self.value_codec.decode(raw[i * slot : i * slot + size]) for i in range(self._ncpu)]

    # --- single elements -------------------------------------------------------------------

    def lookup(self, key: Any, flags: int = 0) -> Any:
        """The value under ``key``, or :class:`MapKeyError`."""
        if self._fast_owner == get_ident() and not flags:
            self._kpack(key)
            attr = self._lookup_attr
            ret = _syscall(_NR_BPF, _LOOKUP, attr, _ATTR_SIZE)
            if ret < 0:
                err = ffi.errno
                if err == errno.ENOENT:
                    raise MapKeyError(f"key {key!r} is not in map {self.name!r}")
                raise bpf_error(err, Cmd.MAP_LOOKUP_ELEM)
            return self._vunpack()
        raw = commands.map_lookup_elem(self.fd, self._key(key), self._buf_size, flags)
        if raw is None:
            raise MapKeyError(f"key {key!r} is not in map {self.name!r}")
        return self._decode_value(raw)

    def __getitem__(self, key: Any) -> Any:
        # lookup() inlined: a subscript is the most frequent operation on a map.
        if self._fast_owner == get_ident():
            kptr = self._kptr
            if kptr is not None and type(key) is int:
                try:
                    kptr[0] = key
                except OverflowError:
                    self._kpack(key)  # raises the CodecError that names the problem
            else:
                self._kpack(key)
            attr = self._lookup_attr
            ret = _syscall(_NR_BPF, _LOOKUP, attr, _ATTR_SIZE)
            if ret < 0:
                err = ffi.errno
                if err == errno.ENOENT:
                    raise MapKeyError(f"key {key!r} is not in map {self.name!r}")
                raise bpf_error(err, Cmd.MAP_LOOKUP_ELEM)
            vptr = self._vptr
            if vptr is not None:
                return vptr[0]
            return self._vunpack()
        return self.lookup(key)

    def get(self, key: Any, default: Any = None) -> Any:
        raw = commands.map_lookup_elem(self.fd, self._key(key), self._buf_size)
        return default if raw is None else self._decode_value(raw)

    def put(self, key: Any, value: Any, flags: int = ANY) -> None:
        """Store ``value`` under ``key``; ``flags``: ANY, NOEXIST, EXIST, possibly | F_LOCK."""
        if uint(flags, "update flags", 64) & ~(NOEXIST | EXIST | F_LOCK) or (flags & 3) == 3:
            raise CodecError(f"update flags {flags:#x} are not ANY/NOEXIST/EXIST (| F_LOCK)")
        if self._fast_owner == get_ident():
            self._kpack(key)
            self._vpack(value)
            attr = self._put_attr
            attr.flags = flags
            if _syscall(_NR_BPF, _UPDATE, attr, _ATTR_SIZE) < 0:
                exc = bpf_error(ffi.errno, Cmd.MAP_UPDATE_ELEM)
                raise self._update_error(exc, key, flags)
            return
        k = self._key(key)
        v = self._value(value)
        try:
            commands.map_update_elem(self.fd, k, v, flags)
        except BPFError as exc:
            raise self._update_error(exc, key, flags) from None

    def __setitem__(self, key: Any, value: Any) -> None:
        # put(key, value, ANY) inlined, as for __getitem__.
        if self._fast_owner == get_ident():
            if self._int_kv and type(key) is int and type(value) is int:
                try:
                    self._kptr[0] = key
                    self._vptr[0] = value
                except OverflowError:
                    self._kpack(key)  # these raise the CodecError that names the problem
                    self._vpack(value)
            else:
                self._kpack(key)
                self._vpack(value)
            attr = self._update_attr
            ret = _syscall(_NR_BPF, _UPDATE, attr, _ATTR_SIZE)
            if ret < 0:
                err = ffi.errno
                raise self._update_error(bpf_error(err, Cmd.MAP_UPDATE_ELEM), key, ANY)
            return
        self.put(key, value)

    def _update_error(self, exc: BPFError, key: Any, flags: int) -> BPFError:
        if exc.errno == errno.EEXIST and flags & NOEXIST:
            return BPFError(exc.errno, exc.command, f"key {key!r} already exists (NOEXIST)")
        if exc.errno == errno.ENOENT and flags & EXIST:
            return BPFError(exc.errno, exc.command, f"key {key!r} does not exist (EXIST)")
        if exc.errno == errno.E2BIG:
            return BPFError(
                exc.errno, exc.command, f"map {self.name!r} is full ({self.max_entries} entries)"
            )
        if exc.errno == errno.EPERM:
            return BPFError(
                exc.errno,
                exc.command,
                f"map {self.name!r} is frozen or read-only for user space (freeze(), BPF_F_RDONLY)",
            )
        return exc

    def delete(self, key: Any) -> bool:
        """Delete ``key``; False if it was not there."""
        return commands.map_delete_elem(self.fd, self._key(key) or b"")

    def __delitem__(self, key: Any) -> None:
        if not self.delete(key):
            raise MapKeyError(f"key {key!r} is not in map {self.name!r}")

    def __contains__(self, key: Any) -> bool:
        return commands.map_lookup_elem(self.fd, self._key(key), self._buf_size) is not None

    def pop(self, key: Any = None, default: Any = _MISSING) -> Any:
        """Remove and return ``key``'s value (LOOKUP_AND_DELETE); for queues/stacks the head."""
        raw = commands.map_lookup_and_delete_elem(self.fd, self._key(key), self._buf_size)
        if raw is None:
            if default is _MISSING:
                what = "map is empty" if key is None else f"key {key!r} is not in the map"
                raise MapKeyError(f"{self.name!r}: {what}")
            return default
        return self._decode_value(raw)

    def push(self, value: Any, flags: int = ANY) -> None:
        """Queue/stack/bloom filter: add ``value`` (no key)."""
        commands.map_update_elem(self.fd, None, self._value(value), flags)

    def peek(self, default: Any = _MISSING) -> Any:
        """Queue/stack: the head without removing it."""
        if self.type == MapType.BLOOM_FILTER:
            raise CodecError(f"map {self.name!r} is a bloom filter: use may_contain(value)")
        raw = commands.map_lookup_elem(self.fd, None, self._buf_size)
        if raw is None:
            if default is _MISSING:
                raise MapKeyError(f"map {self.name!r} is empty")
            return default
        return self._decode_value(raw)

    def may_contain(self, value: Any) -> bool:
        """Bloom filter: False if ``value`` was certainly never pushed, True if it may have been."""
        if self.type != MapType.BLOOM_FILTER:
            raise CodecError(
                f"may_contain() is for bloom filters, {self.name!r} is {self.type.name}"
            )
        # The kernel reads the value to test from the value pointer (there is no key).
        attr = new_attr()
        value_buf = ffi.from_buffer(self._value(value))
        attr.map_fd = self.fd
        attr.value = commands.addr(value_buf)
        ret, err = _bpf_errno(Cmd.MAP_LOOKUP_ELEM, attr)
        if ret < 0:
            if err == errno.ENOENT:
                return False
            raise bpf_error(err, Cmd.MAP_LOOKUP_ELEM)
        return True

    # --- iteration and bulk ----------------------------------------------------------------

    def _raw_keys(self) -> Iterator[bytes]:
        if self.key_codec is None:
            return
        key: bytes | None = None
        fd = self.fd
        while True:
            key = commands.map_get_next_key(fd, key, self.key_size)
            if key is None:
                return
            yield key

    def __iter__(self) -> Iterator[Any]:
        decode = self.key_codec.decode if self.key_codec is not None else None
        for raw in self._raw_keys():
            yield decode(raw) if decode else raw

    def __len__(self) -> int:
        """Number of entries (arrays: always ``max_entries``; others: counted)."""
        if self.type in _ARRAYS:
            return self.max_entries
        if self._batch:
            return sum(n for n, _k, _v in self._batch_chunks())
        return sum(1 for _ in self._raw_keys())

    def keys(self) -> list[Any]:
        return [k for k, _ in self._items(values=False)]

    def values(self) -> list[Any]:
        return [v for _, v in self._items()]

    def items(self) -> list[tuple[Any, Any]]:
        return list(self._items())

    def _items(self, values: bool = True) -> Iterator[tuple[Any, Any]]:
        if self.key_codec is None:
            raise CodecError(f"map {self.name!r} ({self.type.name}) has no keys to iterate")
        if self._batch:
            try:
                yield from self._batch_items()
                return
            except BPFError as exc:
                if exc.errno not in (errno.EINVAL, ENOTSUPP, errno.EOPNOTSUPP):
                    raise
                self._batch = False  # an older kernel: fall back to one key at a time
        for raw in list(self._raw_keys()):
            v = commands.map_lookup_elem(self.fd, raw, self._buf_size) if values else b""
            if v is None:
                continue  # deleted meanwhile
            yield self.key_codec.decode(raw), (self._decode_value(v) if values else None)

    def _batch_chunks(self, delete: bool = False) -> Iterator[tuple[int, bytes, bytes]]:
        """``(count, keys_bytes, values_bytes)`` per kernel batch."""
        n = min(_BATCH_CHUNK, max(self.max_entries, 1))
        keys = ffi.new("char[]", self.key_size * n)
        vals = ffi.new("char[]", self._buf_size * n)
        token = None
        fd = self.fd
        while True:
            try:
                res = commands.map_lookup_batch(
                    fd, token, keys, vals, n, key_size=self.key_size, delete=delete
                )
            except BPFError as exc:
                if exc.errno == errno.ENOSPC and n < self.max_entries:
                    # A hash bucket larger than the batch: retry bigger.
                    n *= 2
                    keys = ffi.new("char[]", self.key_size * n)
                    vals = ffi.new("char[]", self._buf_size * n)
                    continue
                raise
            if res.count:
                yield (
                    res.count,
                    ffi.unpack(keys, res.count * self.key_size),
                    ffi.unpack(vals, res.count * self._buf_size),
                )
            if res.done:
                return
            token = res.next_token

    def _batch_items(self) -> Iterator[tuple[Any, Any]]:
        assert self.key_codec is not None
        for count, kb, vb in self._batch_chunks():
            ks = self.key_codec.decode_many(kb, count)
            if self.per_cpu:
                size = self._buf_size
                vs = [self._decode_value(vb[i * size : (i + 1) * size]) for i in range(count)]
            else:
                vs = self.value_codec.decode_many(vb, count)
            yield from zip(ks, vs, strict=True)

    def update(
        self, items: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = (), flags: int = ANY
    ) -> int:
        """Store many entries (batched where the kernel can); returns how many were written.

        Every key and value is encoded before the first system call, so a bad one raises
        :class:`CodecError` with nothing written.
        """
        if isinstance(items, Mapping):
            keys, values = list(items.keys()), list(items.values())
        else:
            pairs = list(items)
            for i, pair in enumerate(pairs):
                if not isinstance(pair, tuple | list) or len(pair) != 2:
                    raise CodecError(f"update item {i} is not a (key, value) pair: {pair!r}")
            keys, values = [p[0] for p in pairs], [p[1] for p in pairs]
        if not keys:
            return 0
        if self._batch and len(keys) > 1 and not flags & F_LOCK:
            kb, vb = self._encode_batch(keys, values)
            try:
                return self._update_batch(kb, vb, len(keys), flags)
            except BPFError as exc:
                if exc.errno not in (errno.EINVAL, ENOTSUPP, errno.EOPNOTSUPP):
                    raise
                self._batch = False
        encoded = [(self._key(k), self._value(v)) for k, v in zip(keys, values, strict=True)]
        for (k, v), key in zip(encoded, keys, strict=True):
            try:
                commands.map_update_elem(self.fd, k, v, flags)
            except BPFError as exc:
                raise self._update_error(exc, key, flags) from None
        return len(encoded)

    def _encode_batch(self, keys: list[Any], values: list[Any]) -> tuple[bytes, bytes]:
        assert self.key_codec is not None
        kb = self.key_codec.encode_many(keys)
        if self.per_cpu:
            vb = b"".join([self._value(v) for v in values])
        else:
            vb = self.value_codec.encode_many(values)
        if len(kb) != len(keys) * self.key_size or len(vb) != len(keys) * self._buf_size:
            raise CodecError(f"map {self.name!r}: batch keys/values have the wrong size")
        return kb, vb

    def _update_batch(self, kb: bytes, vb: bytes, count: int, flags: int) -> int:
        written = 0
        chunk = _BATCH_CHUNK * 16
        kbuf, vbuf = ffi.from_buffer(kb), ffi.from_buffer(vb)
        ks, vs = self.key_size, self._buf_size
        fd = self.fd
        for start in range(0, count, chunk):
            n = min(chunk, count - start)
            written += commands.map_update_batch(fd, kbuf + start * ks, vbuf + start * vs, n, flags)
        return written

    def delete_many(self, keys: Iterable[Any]) -> int:
        """Delete many keys (batched where possible); returns how many were deleted."""
        ks = list(keys)
        if not ks:
            return 0
        if self._batch and self.type not in _ARRAYS:
            assert self.key_codec is not None
            kb = self.key_codec.encode_many(ks)
            try:
                done = commands.map_delete_batch(self.fd, ffi.from_buffer(kb), len(ks))
                if done == len(ks):
                    return done
                # A missing key stops the kernel; finish one by one so the rest still goes.
                return done + sum(self.delete(k) for k in ks[done + 1 :])
            except BPFError as exc:
                if exc.errno not in (errno.EINVAL, ENOTSUPP, errno.EOPNOTSUPP):
                    raise
        return sum(self.delete(k) for k in ks)

    def clear(self) -> None:
        """Delete every entry (not for arrays, whose entries always exist)."""
        if self.type in _ARRAYS:
            raise CodecError(f"map {self.name!r} is an array: its entries cannot be deleted")
        if self._batch:
            try:
                for _ in self._batch_chunks(delete=True):
                    pass
                return
            except BPFError as exc:
                if exc.errno not in (errno.EINVAL, ENOTSUPP, errno.EOPNOTSUPP):
                    raise
        for raw in list(self._raw_keys()):
            commands.map_delete_elem(self.fd, raw)

    def pop_all(self) -> list[tuple[Any, Any]]:
        """Read and delete every entry at once (LOOKUP_AND_DELETE_BATCH)."""
        if not self._batch or self.type in _ARRAYS:
            raise CodecError(f"map {self.name!r} ({self.type.name}) cannot be popped in batches")
        assert self.key_codec is not None
        out: list[tuple[Any, Any]] = []
        for count, kb, vb in self._batch_chunks(delete=True):
            size = self._buf_size
            ks = self.key_codec.decode_many(kb, count)
            vs = [self._decode_value(vb[i * size : (i + 1) * size]) for i in range(count)]
            out.extend(zip(ks, vs, strict=True))
        return out

    # --- whole-map operations --------------------------------------------------------------

    def freeze(self) -> None:
        """Make the map read-only for user space (BPF_MAP_FREEZE); programs may still write."""
        commands.map_freeze(self.fd)

    def info(self) -> MapInfo:
        return map_info(self.fd)

    @property
    def id(self) -> int:
        return map_info(self.fd).id
