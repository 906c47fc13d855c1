"""Cgroup v2 attach points: a program on a cgroup directory, as a bpf_link or with PROG_ATTACH."""

from __future__ import annotations

import errno
import os
from typing import Any

from ..errors import BPFError
from ..kernel_tables import AttachType
from ..spec import attach_type as to_attach_type
from . import commands
from .args import uint
from .link import Link, ProgAttachLink, _prog_fd

# PROG_ATTACH flags for cgroups.
BPF_F_ALLOW_OVERRIDE = 1 << 0
BPF_F_ALLOW_MULTI = 1 << 1
BPF_F_QUERY_EFFECTIVE = 1 << 0
CGROUP2_SUPER_MAGIC = 0x63677270


def _open_cgroup(path: str) -> int:
    from .pin import fs_type

    if not isinstance(path, str) or not os.path.isdir(path):
        raise BPFError(errno.ENOENT, "open cgroup", f"{path!r} is not a directory")
    if fs_type(path) != CGROUP2_SUPER_MAGIC:
        raise BPFError(
            errno.EINVAL, "open cgroup", f"{path!r} is not on a cgroup v2 (cgroup2) filesystem"
        )
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def attach_cgroup(
    program: Any,
    cgroup: str,
    attach_type: AttachType | int | str,
    *,
    link: bool = True,
    flags: int = BPF_F_ALLOW_MULTI,
) -> Link:
    """Attach to the cgroup v2 directory ``cgroup`` at ``attach_type`` (e.g. CGROUP_INET_EGRESS).

    ``link=True`` (default) uses a bpf_link (LINK_CREATE); ``link=False`` uses PROG_ATTACH with
    ``flags`` (BPF_F_ALLOW_MULTI by default) and PROG_DETACH on close.
    """
    kind = to_attach_type(attach_type)
    fd = _open_cgroup(cgroup)
    try:
        if link:
            link_fd = commands.link_create(_prog_fd(program), fd, kind)
        else:
            commands.prog_attach(fd, _prog_fd(program), kind, uint(flags, "attach flags"))
    except BaseException:
        os.close(fd)
        raise
    description = f"cgroup {kind.name.lower()} on {cgroup}"
    if link:
        os.close(fd)
        return Link(link_fd, program, description)
    return ProgAttachLink(fd, program, kind, description)


def query_cgroup(
    cgroup: str, attach_type: AttachType | int | str, effective: bool = False
) -> list[int]:
    """Ids of the programs attached to ``cgroup`` at ``attach_type`` (PROG_QUERY)."""
    kind = to_attach_type(attach_type)
    fd = _open_cgroup(cgroup)
    try:
        return commands.prog_query(fd, kind, BPF_F_QUERY_EFFECTIVE if effective else 0)
    finally:
        os.close(fd)
