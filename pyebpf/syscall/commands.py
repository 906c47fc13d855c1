"""One thin function per ``bpf()`` command.

These take and return plain Python values (ints and bytes), fill a ``union bpf_attr`` and
raise :class:`~pyebpf.errors.BPFError` on failure. They check nothing the kernel checks; the
live objects (``Map``, ``Program``, ``Link``) validate arguments before calling them.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._sys import Cmd, bpf, bpf_errno, bpf_error, ffi, new_attr

# Map element flags (BPF_ANY ...), for update_elem and the batch commands.
ANY = 0
NOEXIST = 1
EXIST = 2
F_LOCK = 4


def addr(cdata: Any) -> int:
    """The address of a cffi buffer, as the ``__u64`` the kernel wants."""
    return int(ffi.cast("uintptr_t", cdata))


def object_name(name: str) -> bytes:
    """``name`` as the kernel accepts it: at most 15 bytes of ``[A-Za-z0-9_.]``.

    Other characters become ``_`` (as libbpf and cilium/ebpf do), because the kernel refuses
    them with a bare EINVAL that would not say which argument was wrong.
    """
    cleaned = "".join(c if (c.isascii() and (c.isalnum() or c in "_.")) else "_" for c in name)
    return cleaned.encode()[:15]


# --- maps --------------------------------------------------------------------------------------


def map_create(
    map_type: int,
    key_size: int,
    value_size: int,
    max_entries: int,
    *,
    flags: int = 0,
    name: str = "",
    inner_map_fd: int = 0,
    numa_node: int = 0,
    map_ifindex: int = 0,
    btf_fd: int = 0,
    btf_key_type_id: int = 0,
    btf_value_type_id: int = 0,
    btf_vmlinux_value_type_id: int = 0,
    map_extra: int = 0,
) -> int:
    attr = new_attr()
    attr.map_type = map_type
    attr.key_size = key_size
    attr.value_size = value_size
    attr.max_entries = max_entries
    attr.map_flags = flags
    attr.inner_map_fd = inner_map_fd
    attr.numa_node = numa_node
    attr.map_name = object_name(name)
    attr.map_ifindex = map_ifindex
    attr.btf_fd = btf_fd
    attr.btf_key_type_id = btf_key_type_id
    attr.btf_value_type_id = btf_value_type_id
    attr.btf_vmlinux_value_type_id = btf_vmlinux_value_type_id
    attr.map_extra = map_extra
    return bpf(Cmd.MAP_CREATE, attr, f"map {name!r}" if name else "")


def map_lookup_elem(fd: int, key: bytes | None, value_size: int, flags: int = 0) -> bytes | None:
    """The value stored under ``key``; ``None`` if there is none (ENOENT)."""
    return _read_elem(Cmd.MAP_LOOKUP_ELEM, fd, key, value_size, flags)


def _read_elem(cmd: Cmd, fd: int, key: bytes | None, value_size: int, flags: int) -> bytes | None:
    """A command that reads one element's value; ``None`` on ENOENT."""
    attr = new_attr()
    value = ffi.new("char[]", value_size)
    attr.map_fd = fd
    attr.key = addr(ffi.from_buffer(key)) if key is not None else 0
    attr.value = addr(value)
    attr.flags = flags
    ret, err = bpf_errno(cmd, attr)
    if ret < 0:
        if err == errno.ENOENT:
            return None
        raise bpf_error(err, cmd)
    return ffi.unpack(value, value_size)


def map_update_elem(fd: int, key: bytes | None, value: bytes, flags: int = ANY) -> None:
    attr = new_attr()
    attr.map_fd = fd
    attr.key = addr(ffi.from_buffer(key)) if key is not None else 0
    attr.value = addr(ffi.from_buffer(value))
    attr.flags = flags
    bpf(Cmd.MAP_UPDATE_ELEM, attr)


def map_delete_elem(fd: int, key: bytes) -> bool:
    """Delete ``key``; False if it was not there."""
    attr = new_attr()
    attr.map_fd = fd
    attr.key = addr(ffi.from_buffer(key))
    ret, err = bpf_errno(Cmd.MAP_DELETE_ELEM, attr)
    if ret < 0:
        if err == errno.ENOENT:
            return False
        raise bpf_error(err, Cmd.MAP_DELETE_ELEM)
    return True


def map_get_next_key(fd: int, key: bytes | None, key_size: int) -> bytes | None:
    """The key after ``key`` (the first key for ``None``); ``None`` at the end."""
    attr = new_attr()
    next_key = ffi.new("char[]", max(key_size, 1))
    attr.map_fd = fd
    attr.key = addr(ffi.from_buffer(key)) if key is not None else 0
    attr.next_key = addr(next_key)
    ret, err = bpf_errno(Cmd.MAP_GET_NEXT_KEY, attr)
    if ret < 0:
        if err == errno.ENOENT:
            return None
        raise bpf_error(err, Cmd.MAP_GET_NEXT_KEY)
    return ffi.unpack(next_key, key_size)


def map_lookup_and_delete_elem(
    fd: int, key: bytes | None, value_size: int, flags: int = 0
) -> bytes | None:
    """Pop ``key`` (or the head of a queue/stack when ``key`` is None); ``None`` if empty."""
    return _read_elem(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value_size, flags)


def map_freeze(fd: int) -> None:
    attr = new_attr()
    attr.map_fd = fd
    bpf(Cmd.MAP_FREEZE, attr)


@dataclass
class BatchResult:
    """What one MAP_LOOKUP[_AND_DELETE]_BATCH call returned."""

    count: int
    next_token: Any  # opaque cursor buffer for the next call
    done: bool


def map_lookup_batch(
    fd: int,
    token: Any,
    keys: Any,
    values: Any,
    count: int,
    *,
    key_size: int,
    elem_flags: int = 0,
    delete: bool = False,
) -> BatchResult:
    """Read up to ``count`` entries into the ``keys``/``values`` buffers.

    ``token`` is None for the first call and the previous ``next_token`` after; ``done`` says
    the kernel has no more (ENOENT, which may come with a last, partial batch).
    """
    cmd = Cmd.MAP_LOOKUP_AND_DELETE_BATCH if delete else Cmd.MAP_LOOKUP_BATCH
    out_token = ffi.new("char[]", max(key_size, 8))
    attr = new_attr()
    attr.batch.in_batch = addr(token) if token is not None else 0
    attr.batch.out_batch = addr(out_token)
    attr.batch.keys = addr(keys)
    attr.batch.values = addr(values)
    attr.batch.count = count
    attr.batch.map_fd = fd
    attr.batch.elem_flags = elem_flags
    ret, err = bpf_errno(cmd, attr)
    if ret < 0:
        if err == errno.ENOENT:
            return BatchResult(int(attr.batch.count), out_token, True)
        raise bpf_error(err, cmd)
    return BatchResult(int(attr.batch.count), out_token, False)


def map_update_batch(fd: int, keys: Any, values: Any, count: int, elem_flags: int = 0) -> int:
    """Write ``count`` entries; returns how many the kernel wrote."""
    attr = new_attr()
    attr.batch.keys = addr(keys)
    attr.batch.values = addr(values)
    attr.batch.count = count
    attr.batch.map_fd = fd
    attr.batch.elem_flags = elem_flags
    ret, err = bpf_errno(Cmd.MAP_UPDATE_BATCH, attr)
    if ret < 0:
        raise bpf_error(
            err, Cmd.MAP_UPDATE_BATCH, f"after {int(attr.batch.count)} of {count} entries"
        )
    return int(attr.batch.count)


def map_delete_batch(fd: int, keys: Any, count: int, elem_flags: int = 0) -> int:
    """Delete ``count`` keys; returns how many the kernel deleted (stops at a missing key)."""
    attr = new_attr()
    attr.batch.keys = addr(keys)
    attr.batch.count = count
    attr.batch.map_fd = fd
    attr.batch.elem_flags = elem_flags
    ret, err = bpf_errno(Cmd.MAP_DELETE_BATCH, attr)
    if ret < 0 and err != errno.ENOENT:
        raise bpf_error(err, Cmd.MAP_DELETE_BATCH, f"after {int(attr.batch.count)} of {count} keys")
    return int(attr.batch.count)


# --- programs ----------------------------------------------------------------------------------


@dataclass
class ProgLoadAttr:
    """Everything PROG_LOAD takes, in Python form."""

    prog_type: int
    insns: bytes
    license: str = "GPL"
    name: str = ""
    expected_attach_type: int = 0
    flags: int = 0
    kern_version: int = 0
    prog_ifindex: int = 0
    prog_btf_fd: int = 0
    func_info: bytes = b""
    func_info_rec_size: int = 0
    line_info: bytes = b""
    line_info_rec_size: int = 0
    attach_btf_id: int = 0
    attach_btf_obj_fd: int = 0
    attach_prog_fd: int = 0
    fd_array: Sequence[int] = ()


def prog_load(
    spec: ProgLoadAttr, log_level: int = 0, log_size: int = 0
) -> tuple[int, int, Any, int]:
    """``(fd_or_-1, errno, log_buffer, log_true_size)``; the caller decides how to retry.

    Does not raise for a kernel refusal, because the verifier log is needed to build the error.
    """
    attr = new_attr()
    insns = ffi.from_buffer(spec.insns)
    license_ = ffi.new("char[]", spec.license.encode())
    attr.prog_type = spec.prog_type
    attr.insn_cnt = len(spec.insns) // 8
    attr.insns = addr(insns)
    attr.license = addr(license_)
    attr.kern_version = spec.kern_version
    attr.prog_flags = spec.flags
    attr.prog_name = object_name(spec.name)
    attr.prog_ifindex = spec.prog_ifindex
    attr.expected_attach_type = spec.expected_attach_type
    attr.prog_btf_fd = spec.prog_btf_fd
    keep: list[Any] = []
    if spec.func_info:
        buf = ffi.from_buffer(spec.func_info)
        keep.append(buf)
        attr.func_info_rec_size = spec.func_info_rec_size
        attr.func_info = addr(buf)
        attr.func_info_cnt = len(spec.func_info) // spec.func_info_rec_size
    if spec.line_info:
        buf = ffi.from_buffer(spec.line_info)
        keep.append(buf)
        attr.line_info_rec_size = spec.line_info_rec_size
        attr.line_info = addr(buf)
        attr.line_info_cnt = len(spec.line_info) // spec.line_info_rec_size
    attr.attach_btf_id = spec.attach_btf_id
    if spec.attach_prog_fd:
        attr.attach_prog_fd = spec.attach_prog_fd
    elif spec.attach_btf_obj_fd:
        attr.attach_btf_obj_fd = spec.attach_btf_obj_fd
    if spec.fd_array:
        fds = ffi.new("int[]", list(spec.fd_array))
        keep.append(fds)
        attr.fd_array = addr(fds)
    log = None
    if log_level:
        log = ffi.new("char[]", log_size)
        attr.log_level = log_level
        attr.log_size = log_size
        attr.log_buf = addr(log)
    ret, err = bpf_errno(Cmd.PROG_LOAD, attr)
    return ret, err, log, int(attr.log_true_size)


@dataclass
class TestRunOutput:
    retval: int
    data: bytes
    ctx: bytes
    duration: int


def prog_test_run(
    prog_fd: int,
    data: bytes = b"",
    ctx: bytes | None = None,
    *,
    repeat: int = 1,
    data_out_size: int = 0,
    ctx_out_size: int = 0,
    flags: int = 0,
    cpu: int = 0,
    batch_size: int = 0,
) -> TestRunOutput:
    attr = new_attr()
    keep: list[Any] = []
    t = attr.test
    t.prog_fd = prog_fd
    if data:
        buf = ffi.from_buffer(data)
        keep.append(buf)
        t.data_in = addr(buf)
        t.data_size_in = len(data)
    data_out = ffi.new("char[]", max(data_out_size, 1))
    if data_out_size:
        t.data_out = addr(data_out)
        t.data_size_out = data_out_size
    if ctx is not None:
        cbuf = ffi.from_buffer(ctx)
        keep.append(cbuf)
        t.ctx_in = addr(cbuf)
        t.ctx_size_in = len(ctx)
    ctx_out = ffi.new("char[]", max(ctx_out_size, 1))
    if ctx_out_size:
        t.ctx_out = addr(ctx_out)
        t.ctx_size_out = ctx_out_size
    t.repeat = repeat
    t.flags = flags
    t.cpu = cpu
    t.batch_size = batch_size
    bpf(Cmd.PROG_TEST_RUN, attr)
    out_len = min(int(t.data_size_out), data_out_size)
    ctx_len = min(int(t.ctx_size_out), ctx_out_size)
    return TestRunOutput(
        retval=int(t.retval),
        data=ffi.unpack(data_out, out_len) if out_len else b"",
        ctx=ffi.unpack(ctx_out, ctx_len) if ctx_len else b"",
        duration=int(t.duration),
    )


# --- pins, ids, info ---------------------------------------------------------------------------


def obj_pin(fd: int, path: str) -> None:
    attr = new_attr()
    cpath = ffi.new("char[]", path.encode())
    attr.pathname = addr(cpath)
    attr.bpf_fd = fd
    bpf(Cmd.OBJ_PIN, attr, f"pin path {path!r}")


def obj_get(path: str, file_flags: int = 0) -> int:
    attr = new_attr()
    cpath = ffi.new("char[]", path.encode())
    attr.pathname = addr(cpath)
    attr.file_flags = file_flags
    return bpf(Cmd.OBJ_GET, attr, f"pin path {path!r}")


_NEXT_ID = {
    "prog": Cmd.PROG_GET_NEXT_ID,
    "map": Cmd.MAP_GET_NEXT_ID,
    "btf": Cmd.BTF_GET_NEXT_ID,
    "link": Cmd.LINK_GET_NEXT_ID,
}
_FD_BY_ID = {
    "prog": Cmd.PROG_GET_FD_BY_ID,
    "map": Cmd.MAP_GET_FD_BY_ID,
    "btf": Cmd.BTF_GET_FD_BY_ID,
    "link": Cmd.LINK_GET_FD_BY_ID,
}


def get_next_id(kind: str, start_id: int) -> int | None:
    """The next id of a ``kind`` ("prog", "map", "btf", "link") object after ``start_id``."""
    attr = new_attr()
    attr.start_id = start_id
    ret, err = bpf_errno(_NEXT_ID[kind], attr)
    if ret < 0:
        if err == errno.ENOENT:
            return None
        raise bpf_error(err, _NEXT_ID[kind])
    return int(attr.next_id)


def get_fd_by_id(kind: str, obj_id: int, open_flags: int = 0) -> int:
    attr = new_attr()
    attr.start_id = obj_id
    attr.open_flags = open_flags
    return bpf(_FD_BY_ID[kind], attr, f"{kind} id {obj_id}")


def obj_get_info_by_fd(fd: int, info: Any) -> int:
    """Fill the info struct ``info`` (a cffi pointer); returns the length the kernel wrote."""
    attr = new_attr()
    attr.info.bpf_fd = fd
    attr.info.info_len = ffi.sizeof(info[0])
    attr.info.info = addr(info)
    bpf(Cmd.OBJ_GET_INFO_BY_FD, attr)
    return int(attr.info.info_len)


def btf_load(data: bytes, log_level: int = 0, log_size: int = 0) -> tuple[int, int, Any]:
    """``(fd_or_-1, errno, log_buffer)``: like prog_load, the caller builds the error."""
    attr = new_attr()
    buf = ffi.from_buffer(data)
    attr.btf = addr(buf)
    attr.btf_size = len(data)
    log = None
    if log_level:
        log = ffi.new("char[]", log_size)
        attr.btf_log_buf = addr(log)
        attr.btf_log_size = log_size
        attr.btf_log_level = log_level
    ret, err = bpf_errno(Cmd.BTF_LOAD, attr)
    return ret, err, log


def enable_stats(stats_type: int = 0) -> int:
    """BPF_ENABLE_STATS: an fd that keeps run-time statistics on until it is closed."""
    attr = new_attr()
    attr.enable_stats.type = stats_type
    return bpf(Cmd.ENABLE_STATS, attr)


# --- attach and links --------------------------------------------------------------------------


def prog_attach(
    target_fd: int, prog_fd: int, attach_type: int, flags: int = 0, replace_fd: int = 0
) -> None:
    attr = new_attr()
    attr.target_fd = target_fd
    attr.attach_bpf_fd = prog_fd
    attr.attach_type = attach_type
    attr.attach_flags = flags
    attr.replace_bpf_fd = replace_fd
    bpf(Cmd.PROG_ATTACH, attr)


def prog_detach(target_fd: int, prog_fd: int, attach_type: int) -> None:
    attr = new_attr()
    attr.target_fd = target_fd
    attr.attach_bpf_fd = prog_fd
    attr.attach_type = attach_type
    bpf(Cmd.PROG_DETACH, attr)


def prog_query(
    target_fd: int, attach_type: int, query_flags: int = 0, max_progs: int = 64
) -> list[int]:
    """Ids of the programs attached to ``target_fd`` (a cgroup fd or ifindex) at ``attach_type``."""
    attr = new_attr()
    ids = ffi.new("__u32[]", max_progs)
    attr.query.target_fd = target_fd
    attr.query.attach_type = attach_type
    attr.query.query_flags = query_flags
    attr.query.prog_ids = addr(ids)
    attr.query.prog_cnt = max_progs
    bpf(Cmd.PROG_QUERY, attr)
    return [int(ids[i]) for i in range(min(int(attr.query.prog_cnt), max_progs))]


def link_create(
    prog_fd: int,
    target: int,
    attach_type: int,
    flags: int = 0,
    *,
    perf_cookie: int = 0,
    target_btf_id: int = 0,
    relative_fd: int = 0,
    expected_revision: int = 0,
) -> int:
    """LINK_CREATE; ``target`` is an fd or an ifindex depending on the attach type."""
    attr = new_attr()
    lc = attr.link_create
    lc.prog_fd = prog_fd
    lc.target_fd = target
    lc.attach_type = attach_type
    lc.flags = flags
    if perf_cookie:
        lc.perf_event.bpf_cookie = perf_cookie
    elif target_btf_id:
        lc.target_btf_id = target_btf_id
    elif relative_fd or expected_revision:
        lc.tcx.relative_fd = relative_fd
        lc.tcx.expected_revision = expected_revision
    return bpf(Cmd.LINK_CREATE, attr)


def link_update(link_fd: int, new_prog_fd: int, old_prog_fd: int = 0, flags: int = 0) -> None:
    attr = new_attr()
    attr.link_update.link_fd = link_fd
    attr.link_update.new_prog_fd = new_prog_fd
    attr.link_update.old_prog_fd = old_prog_fd
    attr.link_update.flags = flags
    bpf(Cmd.LINK_UPDATE, attr)


def link_detach(link_fd: int) -> None:
    attr = new_attr()
    attr.link_detach.link_fd = link_fd
    bpf(Cmd.LINK_DETACH, attr)


def raw_tracepoint_open(name: str | None, prog_fd: int, cookie: int = 0) -> int:
    attr = new_attr()
    cname = ffi.new("char[]", name.encode()) if name else ffi.NULL
    attr.raw_tracepoint.name = addr(cname) if name else 0
    attr.raw_tracepoint.prog_fd = prog_fd
    attr.raw_tracepoint.cookie = cookie
    return bpf(Cmd.RAW_TRACEPOINT_OPEN, attr, f"raw tracepoint {name!r}")
