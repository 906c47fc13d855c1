"""The raw ``bpf()`` system call through cffi in ABI mode, and the errors it raises.

``bpf(cmd, attr)`` is the single entry point: it passes a ``union bpf_attr`` to the kernel and
turns a failure into :class:`~pyebpf.errors.BPFError` carrying errno, the command name and a
hint that says what to do.
"""

from __future__ import annotations

import errno
import os
import platform
from enum import IntEnum
from typing import Any

import cffi

from ..errors import BPFError, NotSupportedError
from .bindings import CDEF, EXPECTED_SIZES

ffi = cffi.FFI()
ffi.cdef(CDEF)
libc: Any = ffi.dlopen(None)

for _name, _size in EXPECTED_SIZES.items():
    if ffi.sizeof(_name) != _size:  # pragma: no cover - only on an ABI we do not know
        raise NotSupportedError(
            f"{_name} is {ffi.sizeof(_name)} bytes on {platform.machine()}, the kernel expects {_size}"
        )


class Cmd(IntEnum):
    """``enum bpf_cmd`` (Linux 6.18)."""

    MAP_CREATE = 0
    MAP_LOOKUP_ELEM = 1
    MAP_UPDATE_ELEM = 2
    MAP_DELETE_ELEM = 3
    MAP_GET_NEXT_KEY = 4
    PROG_LOAD = 5
    OBJ_PIN = 6
    OBJ_GET = 7
    PROG_ATTACH = 8
    PROG_DETACH = 9
    PROG_TEST_RUN = 10
    PROG_GET_NEXT_ID = 11
    MAP_GET_NEXT_ID = 12
    PROG_GET_FD_BY_ID = 13
    MAP_GET_FD_BY_ID = 14
    OBJ_GET_INFO_BY_FD = 15
    PROG_QUERY = 16
    RAW_TRACEPOINT_OPEN = 17
    BTF_LOAD = 18
    BTF_GET_FD_BY_ID = 19
    TASK_FD_QUERY = 20
    MAP_LOOKUP_AND_DELETE_ELEM = 21
    MAP_FREEZE = 22
    BTF_GET_NEXT_ID = 23
    MAP_LOOKUP_BATCH = 24
    MAP_LOOKUP_AND_DELETE_BATCH = 25
    MAP_UPDATE_BATCH = 26
    MAP_DELETE_BATCH = 27
    LINK_CREATE = 28
    LINK_UPDATE = 29
    LINK_GET_FD_BY_ID = 30
    LINK_GET_NEXT_ID = 31
    ENABLE_STATS = 32
    ITER_CREATE = 33
    LINK_DETACH = 34
    PROG_BIND_MAP = 35
    TOKEN_CREATE = 36
    PROG_STREAM_READ_BY_FD = 37


# (bpf, perf_event_open) syscall numbers per architecture.
_SYSCALL_NUMBERS = {
    "x86_64": (321, 298),
    "amd64": (321, 298),
    "aarch64": (280, 241),
    "arm64": (280, 241),
}

ENOTSUPP = 524  # the kernel-internal "not supported" errno that bpf() leaks to user space


def _numbers() -> tuple[int, int] | None:
    return _SYSCALL_NUMBERS.get(platform.machine().lower())


_NRS = _numbers()
_NR_BPF = _NRS[0] if _NRS else None
_NR_PERF = ffi.cast("long", _NRS[1]) if _NRS else None
_ATTR_SIZE = ffi.sizeof("union bpf_attr")
_CMDS = [int(c) for c in Cmd]
# bpf() goes through libc's syscall() with a fixed (non-variadic) prototype: a variadic call
# makes cffi/libffi build the call description every time, a third of the cost of a map
# lookup. On x86_64 and aarch64 -- the only architectures with a syscall number above --
# glibc's syscall() is an assembly stub and integer arguments travel the same way either way.
_syscall = ffi.cast("long(*)(long, long, union bpf_attr *, long)", ffi.addressof(libc, "syscall"))


def _unsupported_arch() -> NotSupportedError:
    return NotSupportedError(
        f"pyebpf knows the bpf() syscall number only for x86_64 and aarch64, not {platform.machine()!r}"
    )


def new_attr() -> Any:
    """A zeroed ``union bpf_attr``."""
    return ffi.new("union bpf_attr *")


def bpf(cmd: Cmd, attr: Any, context: str = "") -> int:
    """Call ``bpf(cmd, attr, sizeof(attr))``; the result, or :class:`BPFError`."""
    if _NR_BPF is None:
        raise _unsupported_arch()
    ret: int = _syscall(_NR_BPF, _CMDS[cmd], attr, _ATTR_SIZE)
    if ret < 0:
        raise bpf_error(ffi.errno, cmd, context)
    return ret


def bpf_errno(cmd: Cmd, attr: Any) -> tuple[int, int]:
    """``(result, errno)`` without raising: for callers that treat some errors as answers."""
    if _NR_BPF is None:
        raise _unsupported_arch()
    ret: int = _syscall(_NR_BPF, _CMDS[cmd], attr, _ATTR_SIZE)
    return ret, (ffi.errno if ret < 0 else 0)


def perf_event_open(attr: Any, pid: int, cpu: int, group_fd: int, flags: int) -> int:
    """``perf_event_open(2)``; the new fd, or :class:`BPFError`."""
    if _NR_PERF is None:
        raise _unsupported_arch()
    ret: int = libc.syscall(
        _NR_PERF,
        attr,
        ffi.cast("int", pid),
        ffi.cast("int", cpu),
        ffi.cast("int", group_fd),
        ffi.cast("unsigned long", flags),
    )
    if ret < 0:
        err = ffi.errno
        raise BPFError(err, "perf_event_open", _describe(err, "perf_event_open", ""))
    return ret


def errno_name(err: int) -> str:
    if err == ENOTSUPP:
        return "ENOTSUPP"
    return errno.errorcode.get(err, f"errno {err}")


def _describe(err: int, command: str, context: str) -> str:
    text = "operation not supported" if err == ENOTSUPP else os.strerror(err)
    parts = [f"{errno_name(err)} ({text})"]
    if context:
        parts.append(context)
    hint = _hint(err, command)
    if hint:
        parts.append(hint)
    return "; ".join(parts)


CAP_SYS_ADMIN = 21
CAP_BPF = 39


def has_bpf_capability() -> bool:
    """Whether this process has CAP_BPF or CAP_SYS_ADMIN in its effective set."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    caps = int(line.split()[1], 16)
                    return bool(caps & (1 << CAP_BPF | 1 << CAP_SYS_ADMIN))
    except (OSError, ValueError):
        pass
    return False


def permission_hint() -> str:
    """What an EPERM from bpf() most likely means for this process."""
    if has_bpf_capability():
        return (
            "this process has CAP_BPF/CAP_SYS_ADMIN, so something else refused it: an LSM "
            "(lockdown, the BPF LSM, SELinux ...) or a kernel restriction for this object type"
        )
    return (
        "needs CAP_BPF (with CAP_PERFMON/CAP_NET_ADMIN for tracing/network programs) or "
        "CAP_SYS_ADMIN; kernels before 5.11 also need a higher RLIMIT_MEMLOCK; "
        "check /proc/sys/kernel/unprivileged_bpf_disabled"
    )


def _hint(err: int, command: str) -> str:
    if err == errno.EPERM:
        if command in ("BPF_OBJ_PIN", "BPF_OBJ_GET"):
            return "the path must be on a bpffs mount (mount -t bpf bpf /sys/fs/bpf)"
        return permission_hint()
    if err == errno.EINVAL and command == "BPF_MAP_CREATE":
        return (
            "the kernel refused the map attributes: a map type this kernel does not support, "
            "or a key/value size, max_entries or flag that type does not accept"
        )
    if err == errno.EINVAL and command == "BPF_PROG_LOAD":
        return "the kernel refused the program attributes (type, attach type, flags or BTF info)"
    if err == errno.EINVAL and command == "BPF_PROG_TEST_RUN":
        return (
            "packet programs need at least 14 bytes of data (an Ethernet header), the context "
            "must match the program type, and not every program type supports test runs"
        )
    if err == errno.EBADF:
        return "a file descriptor passed to the kernel is not a valid BPF object of the right kind"
    if err in (ENOTSUPP, errno.EOPNOTSUPP):
        return "this kernel does not support the operation for this object type"
    if err == errno.E2BIG:
        return "an argument is larger than the kernel accepts (program too large, or attr too big)"
    if err == errno.ENOMEM:
        return "the kernel could not allocate memory (map too large, or memlock limit)"
    return ""


def bpf_error(err: int, cmd: Cmd | str, context: str = "") -> BPFError:
    command = cmd if isinstance(cmd, str) else f"BPF_{cmd.name}"
    return BPFError(err, command, _describe(err, command, context))


def close_fd(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:  # already closed behind our back; nothing to release
        pass
