"""Tracing attach points: tracepoints and kprobes via perf_event_open, raw tracepoints.

A perf event is opened for the probe, then the program is attached with a bpf_link
(LINK_CREATE with BPF_PERF_EVENT, Linux 5.15+) or, on older kernels, with the
``PERF_EVENT_IOC_SET_BPF`` ioctl, in which case the perf event fd is the link.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from typing import Any

from ..errors import BPFError, NotSupportedError, SpecError
from ..kernel_tables import AttachType
from . import commands
from ._sys import close_fd, ffi, perf_event_open
from .args import uint
from .link import Link, _NotALink, _prog_fd

PERF_TYPE_TRACEPOINT = 2
PERF_FLAG_FD_CLOEXEC = 1 << 3
PERF_EVENT_IOC_ENABLE = 0x2400
PERF_EVENT_IOC_DISABLE = 0x2401
PERF_EVENT_IOC_SET_BPF = 0x40042408
_PMU_DIR = "/sys/bus/event_source/devices"
_NAME = re.compile(r"^[A-Za-z0-9_.]+$")


class PerfEventLink(_NotALink):
    """A program attached to a perf event with the ioctl (pre-5.15 kernels): closing detaches."""


def _disable_and_close(fd: int) -> None:
    try:
        fcntl.ioctl(fd, PERF_EVENT_IOC_DISABLE, 0)
    except OSError:
        pass
    close_fd(fd)


def find_tracefs() -> str | None:
    """Where tracefs is mounted (None if nowhere)."""
    for candidate in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.isdir(os.path.join(candidate, "events")):
            return candidate
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 2 and fields[2] == "tracefs":
                    return fields[1]
    except OSError:  # pragma: no cover
        pass
    return None


def tracepoint_id(group: str, name: str, tracefs: str | None = None) -> int:
    """The perf id of tracepoint ``group:name`` (from tracefs ``events/<group>/<name>/id``)."""
    for part, what in ((group, "group"), (name, "name")):
        if not isinstance(part, str) or not _NAME.match(part):
            raise SpecError(f"tracepoint {what} must be letters, digits, '_' or '.', not {part!r}")
    root = tracefs or find_tracefs()
    if root is None:
        raise NotSupportedError(
            "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing), "
            "so tracepoint ids cannot be read"
        )
    path = os.path.join(root, "events", group, name, "id")
    try:
        with open(path) as f:
            return int(f.read().strip())
    except FileNotFoundError:
        raise BPFError(
            errno.ENOENT, "tracepoint", f"no tracepoint {group}:{name} ({path})"
        ) from None


def _attr(kind: int, config: int) -> Any:
    attr = ffi.new("struct perf_event_attr *")
    attr.type = kind
    attr.size = ffi.sizeof("struct perf_event_attr")
    attr.config = config
    attr.sample_period = 1
    attr.wakeup_events = 1
    return attr


def _attach_perf_event(program: Any, pfd: int, description: str, cookie: int) -> Link:
    try:
        prog_fd = _prog_fd(program)
        uint(cookie, "cookie", 64)
    except BaseException:
        close_fd(pfd)
        raise
    try:
        link_fd = commands.link_create(prog_fd, pfd, AttachType.PERF_EVENT, perf_cookie=cookie)
    except BPFError as exc:
        if exc.errno not in (errno.EINVAL, errno.EOPNOTSUPP):
            close_fd(pfd)
            raise
        try:  # kernels before 5.15: the ioctl way
            fcntl.ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd)
            fcntl.ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)
        except OSError as ioc:
            close_fd(pfd)
            raise BPFError(
                ioc.errno or errno.EINVAL, "PERF_EVENT_IOC_SET_BPF", str(ioc.strerror)
            ) from None
        return PerfEventLink(pfd, program, description, _disable_and_close)
    close_fd(pfd)  # the link holds its own reference to the perf event
    return Link(link_fd, program, description)


def attach_tracepoint(
    program: Any, group: str, name: str, *, tracefs: str | None = None, cookie: int = 0
) -> Link:
    """Attach a TRACEPOINT program to ``group:name`` (e.g. ``"syscalls", "sys_enter_getpid"``)."""
    tp = tracepoint_id(group, name, tracefs)
    pfd = perf_event_open(_attr(PERF_TYPE_TRACEPOINT, tp), -1, 0, -1, PERF_FLAG_FD_CLOEXEC)
    return _attach_perf_event(program, pfd, f"tracepoint {group}:{name}", cookie)


def _pmu(name: str) -> tuple[int, int]:
    """(perf type, retprobe bit) of the ``kprobe``/``uprobe`` PMU."""
    base = os.path.join(_PMU_DIR, name)
    try:
        with open(os.path.join(base, "type")) as f:
            kind = int(f.read())
        with open(os.path.join(base, "format", "retprobe")) as f:
            bit = int(f.read().strip().split(":")[1])
    except (OSError, ValueError, IndexError):
        raise NotSupportedError(
            f"this kernel has no {name} PMU ({base}); it was built without "
            f"CONFIG_{name.upper()}S / CONFIG_{name.upper()}_EVENTS"
        ) from None
    return kind, bit


def attach_kprobe(
    program: Any, function: str, *, offset: int = 0, ret: bool = False, cookie: int = 0
) -> Link:
    """Attach a KPROBE program to kernel ``function`` (a kretprobe with ``ret=True``)."""
    if not isinstance(function, str) or not _NAME.match(function):
        raise SpecError(f"kprobe function must be a kernel symbol name, not {function!r}")
    uint(offset, "kprobe offset", 64)
    kind, bit = _pmu("kprobe")
    attr = _attr(kind, (1 << bit) if ret else 0)
    name = ffi.new("char[]", function.encode())
    attr.kprobe_func = commands.addr(name)
    attr.probe_offset = offset
    pfd = perf_event_open(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)
    what = "kretprobe" if ret else "kprobe"
    return _attach_perf_event(program, pfd, f"{what} {function}", cookie)


def attach_kretprobe(program: Any, function: str, *, cookie: int = 0) -> Link:
    return attach_kprobe(program, function, ret=True, cookie=cookie)


def symbol_file_offset(path: str, symbol: str) -> int:
    """File offset of function ``symbol`` in the ELF file ``path`` (what uprobes need)."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            address = None
            for name in (".dynsym", ".symtab"):
                table = elf.get_section_by_name(name)
                if not isinstance(table, SymbolTableSection):
                    continue
                for sym in table.iter_symbols():
                    if (
                        sym.name == symbol
                        and sym["st_value"]
                        and sym["st_info"]["type"] == "STT_FUNC"
                    ):
                        address = sym["st_value"]
                        break
                if address is not None:
                    break
            if address is None:
                raise BPFError(errno.ENOENT, "uprobe", f"no function {symbol!r} in {path}")
            for seg in elf.iter_segments():
                start = seg["p_vaddr"]
                if seg["p_type"] == "PT_LOAD" and start <= address < start + seg["p_memsz"]:
                    return int(address - start + seg["p_offset"])
    except (OSError, ELFError) as exc:
        raise BPFError(
            getattr(exc, "errno", None) or errno.EINVAL, "uprobe", f"{path}: {exc}"
        ) from None
    raise BPFError(errno.EINVAL, "uprobe", f"{symbol!r} in {path} is not in a loadable segment")


def attach_uprobe(
    program: Any,
    path: str,
    symbol: str | None = None,
    *,
    offset: int = 0,
    ret: bool = False,
    pid: int = -1,
    cookie: int = 0,
) -> Link:
    """Attach a KPROBE-type program to a user-space function: ``symbol`` (plus ``offset``) or a
    raw file ``offset`` in the ELF file ``path``; ``pid`` limits it to one process."""
    if not isinstance(path, str) or not os.path.isfile(path):
        raise SpecError(f"uprobe path must be an existing file, not {path!r}")
    uint(offset, "uprobe offset", 64)
    if not isinstance(pid, int) or pid < -1:
        raise SpecError(f"uprobe pid must be a process id or -1 (every process), not {pid!r}")
    if symbol is not None:
        offset += symbol_file_offset(path, symbol)
    kind, bit = _pmu("uprobe")
    attr = _attr(kind, (1 << bit) if ret else 0)
    cpath = ffi.new("char[]", os.fsencode(path))
    attr.uprobe_path = commands.addr(cpath)
    attr.probe_offset = offset
    # A per-process probe follows the process on any CPU; a global one is opened on CPU 0.
    pfd = perf_event_open(attr, pid, -1 if pid >= 0 else 0, -1, PERF_FLAG_FD_CLOEXEC)
    what = "uretprobe" if ret else "uprobe"
    return _attach_perf_event(program, pfd, f"{what} {path}:{symbol or hex(offset)}", cookie)


def attach_raw_tracepoint(program: Any, name: str, *, cookie: int = 0) -> Link:
    """Attach a RAW_TRACEPOINT program to the kernel tracepoint ``name`` (e.g. ``sys_enter``)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise SpecError(f"raw tracepoint name must be a tracepoint name, not {name!r}")
    fd = commands.raw_tracepoint_open(name, _prog_fd(program), uint(cookie, "cookie", 64))
    return Link(fd, program, f"raw tracepoint {name}")
