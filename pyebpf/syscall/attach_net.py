"""Network attach points: XDP and TCX on an interface, socket filters on a socket."""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from ..errors import BPFError, SpecError
from ..kernel_tables import AttachType
from . import commands
from .args import uint
from .link import SO_ATTACH_BPF, Link, SocketFilterLink, _prog_fd

# XDP_FLAGS_* for LINK_CREATE on XDP (mode selection).
XDP_FLAGS_SKB_MODE = 1 << 1
XDP_FLAGS_DRV_MODE = 1 << 2
XDP_FLAGS_HW_MODE = 1 << 3
# BPF_F_BEFORE / BPF_F_AFTER for TCX ordering.
BPF_F_BEFORE = 1 << 3
BPF_F_AFTER = 1 << 4


def ifindex(interface: str | int) -> int:
    """The index of ``interface`` (a name or an index) in this network namespace."""
    if isinstance(interface, int) and not isinstance(interface, bool):
        if interface <= 0:
            raise SpecError(f"interface index must be positive, not {interface}")
        return interface
    if not isinstance(interface, str) or not interface:
        raise SpecError(f"interface must be a name or an index, not {interface!r}")
    try:
        return socket.if_nametoindex(interface)
    except OSError:
        raise BPFError(
            errno.ENODEV, "if_nametoindex", f"no interface {interface!r} in this network namespace"
        ) from None


def attach_xdp(program: Any, interface: str | int, flags: int = 0) -> Link:
    """Attach an XDP program to ``interface`` with a bpf_link.

    ``flags`` may select ``XDP_FLAGS_SKB_MODE`` (generic) or ``XDP_FLAGS_DRV_MODE``; by default
    the kernel picks native mode where the driver has it.
    """
    index = ifindex(interface)
    fd = commands.link_create(_prog_fd(program), index, AttachType.XDP, uint(flags, "XDP flags"))
    return Link(fd, program, f"xdp on {interface}")


def attach_tcx(
    program: Any,
    interface: str | int,
    direction: str = "ingress",
    *,
    before: Any = None,
    after: Any = None,
) -> Link:
    """Attach a SCHED_CLS program to ``interface``'s TCX ``ingress`` or ``egress`` hook.

    ``before``/``after`` (a Program or fd) place it relative to a program already attached.
    """
    kinds = {"ingress": AttachType.TCX_INGRESS, "egress": AttachType.TCX_EGRESS}
    if direction not in kinds:
        raise SpecError(f"TCX direction must be 'ingress' or 'egress', not {direction!r}")
    flags = 0
    relative = 0
    if before is not None and after is not None:
        raise SpecError("give at most one of before= and after=")
    if before is not None:
        flags, relative = BPF_F_BEFORE, _prog_fd(before)
    elif after is not None:
        flags, relative = BPF_F_AFTER, _prog_fd(after)
    index = ifindex(interface)
    fd = commands.link_create(
        _prog_fd(program), index, kinds[direction], flags, relative_fd=relative
    )
    return Link(fd, program, f"tcx {direction} on {interface}")


def attach_socket_filter(program: Any, sock: Any) -> SocketFilterLink:
    """Attach a SOCKET_FILTER program to ``sock`` (a socket object or fd) with SO_ATTACH_BPF.

    The returned link holds its own descriptor of the socket; closing it detaches the filter.
    """
    fileno = sock if isinstance(sock, int) else getattr(sock, "fileno", lambda: None)()
    if not isinstance(fileno, int) or fileno < 0:
        raise SpecError(f"expected a socket or a socket fd, not {type(sock).__name__}")
    prog_fd = _prog_fd(program)
    dup = os.dup(fileno)
    try:
        with socket.socket(fileno=os.dup(dup)) as s:
            s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_BPF, prog_fd)
    except OSError as exc:
        os.close(dup)
        raise BPFError(
            exc.errno or errno.EINVAL,
            "SO_ATTACH_BPF",
            f"{exc.strerror} (the program must be a loaded SOCKET_FILTER program and the "
            "target a socket)",
        ) from None
    return SocketFilterLink(dup, program)
