"""Pinning on bpffs: checks that say what is wrong before the kernel says EPERM.

``BPF_OBJ_PIN`` / ``BPF_OBJ_GET`` answer EPERM for a path outside a bpffs mount, which reads
like a privilege problem; :func:`check_pin_path` names the real cause first.
"""

from __future__ import annotations

import errno
import os

from ..errors import BPFError, SpecError
from . import commands
from ._sys import ffi, libc
from .fd import FDObject

BPF_FS_MAGIC = 0xCAFE4A11


def fs_type(path: str) -> int | None:
    """The ``f_type`` of the filesystem holding ``path`` (None if it cannot be read)."""
    buf = ffi.new("struct statfs_buf *")
    if libc.statfs(path.encode(), buf) != 0:
        return None
    return int(buf.f_type) & 0xFFFFFFFF


def is_bpffs(path: str) -> bool:
    return fs_type(path) == BPF_FS_MAGIC


def check_pin_path(path: str, *, must_exist: bool) -> None:
    """Raise a clear :class:`BPFError` unless ``path`` can be pinned to / opened from."""
    if not isinstance(path, str) or not path:
        raise BPFError(
            errno.EINVAL, "BPF_OBJ_PIN", f"pin path must be a non-empty string, not {path!r}"
        )
    command = "BPF_OBJ_GET" if must_exist else "BPF_OBJ_PIN"
    if must_exist and not os.path.exists(path):
        raise BPFError(errno.ENOENT, command, f"nothing is pinned at {path!r}")
    if not must_exist and os.path.lexists(path):
        raise BPFError(errno.EEXIST, command, f"{path!r} already exists (unpin it first)")
    parent = path if must_exist else (os.path.dirname(os.path.abspath(path)) or "/")
    if not os.path.isdir(parent if not must_exist else os.path.dirname(os.path.abspath(path))):
        raise BPFError(errno.ENOENT, command, f"directory of pin path {path!r} does not exist")
    if not is_bpffs(parent):
        raise BPFError(
            errno.EPERM,
            command,
            f"{path!r} is not on a bpffs mount (mount one with `mount -t bpf bpf /sys/fs/bpf`)",
        )


def unpin_path(path: str) -> None:
    """Remove a pin: the object lives on while other references exist."""
    if not is_bpffs(os.path.dirname(os.path.abspath(path)) or "/"):
        raise BPFError(errno.EPERM, "unpin", f"{path!r} is not on a bpffs mount")
    try:
        os.unlink(path)
    except FileNotFoundError:
        raise BPFError(errno.ENOENT, "unpin", f"nothing is pinned at {path!r}") from None


class Pinnable(FDObject):
    """A kernel object that can be pinned on bpffs (maps, programs, links)."""

    _pinned: str | None = None

    def pin(self, path: str) -> None:
        """Pin on bpffs: the object then outlives this process."""
        check_pin_path(path, must_exist=False)
        commands.obj_pin(self.fd, path)
        self._pinned = path

    def unpin(self, path: str | None = None) -> None:
        """Remove the pin (the one made by :meth:`pin` unless ``path`` is given)."""
        target = path or self._pinned
        if target is None:
            raise SpecError(f"{self._kind} {self._label()} is not pinned (give the path)")
        unpin_path(target)
        if target == self._pinned:
            self._pinned = None
