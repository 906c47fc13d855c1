"""``Link``: a program attached to a hook, detached when the link is closed.

A :class:`Link` wraps a kernel ``bpf_link`` (LINK_CREATE, RAW_TRACEPOINT_OPEN): closing the
last fd detaches unless it is pinned; ``update`` swaps the program atomically. Attachments
the kernel does not represent as bpf_links (a socket filter, a legacy PROG_ATTACH, a perf
event with ``PERF_EVENT_IOC_SET_BPF``) are subclasses that own a descriptor of the target and
undo the attachment on close, so every attach function returns the same kind of object.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from ..errors import NotSupportedError, SpecError
from . import commands
from ._sys import close_fd
from .info import LinkInfo, link_info
from .pin import Pinnable, check_pin_path


def _prog_fd(prog: Any) -> int:
    fd = prog if isinstance(prog, int) and not isinstance(prog, bool) else getattr(prog, "fd", None)
    if not isinstance(fd, int) or fd < 0:
        raise SpecError(f"expected a loaded Program or a program fd, not {type(prog).__name__}")
    return fd


class Link(Pinnable):
    """A kernel bpf_link (or an attachment that behaves like one, see the subclasses)."""

    _kind = "link"

    def __init__(
        self,
        fd: int,
        program: Any = None,
        description: str = "",
        closer: Callable[[int], None] = close_fd,
    ) -> None:
        super().__init__(fd, closer)
        self.program = program  # kept so the program outlives its attachment in Python too
        self.description = description
        self._pinned: str | None = None

    def _label(self) -> str:
        return self.description

    def update(self, program: Any, old_program: Any = None) -> None:
        """Attach ``program`` in place of the current one (atomically, BPF_LINK_UPDATE).

        With ``old_program`` the swap only happens if that is still the attached program.
        """
        old_fd = _prog_fd(old_program) if old_program is not None else 0
        commands.link_update(self.fd, _prog_fd(program), old_fd, 4 if old_fd else 0)
        self.program = program

    def detach(self) -> None:
        """Detach from the hook now (even if pinned), then close."""
        commands.link_detach(self.fd)
        self.close()

    def info(self) -> LinkInfo:
        return link_info(self.fd)

    @property
    def id(self) -> int:
        return link_info(self.fd).id

    @classmethod
    def from_pin(cls, path: str) -> Link:
        """Open a link pinned at ``path``."""
        check_pin_path(path, must_exist=True)
        return cls(commands.obj_get(path), description=path)

    @classmethod
    def from_id(cls, link_id: int) -> Link:
        return cls(commands.get_fd_by_id("link", link_id), description=f"id {link_id}")


class _NotALink(Link):
    """Shared behaviour of attachments that are not kernel bpf_links."""

    def pin(self, path: str) -> None:
        raise NotSupportedError(f"{self.description} is not a bpf_link and cannot be pinned")

    def unpin(self, path: str | None = None) -> None:
        raise NotSupportedError(f"{self.description} is not a bpf_link and cannot be pinned")

    def info(self) -> LinkInfo:
        raise NotSupportedError(
            f"{self.description} is not a bpf_link: the kernel has no link info"
        )

    @property
    def id(self) -> int:
        raise NotSupportedError(f"{self.description} is not a bpf_link and has no id")

    def detach(self) -> None:
        self.close()  # the closer undoes the attachment


# SOL_SOCKET options (asm-generic; x86_64 and aarch64 agree).
SO_ATTACH_BPF = 50
SO_DETACH_BPF = 27


def _detach_socket_filter(fd: int) -> None:
    try:
        with socket.socket(fileno=fd) as sock:  # takes over the dup'd fd and closes it
            try:
                sock.setsockopt(socket.SOL_SOCKET, SO_DETACH_BPF, 0)
            except OSError:
                pass  # already detached, or replaced by someone else
    except OSError:  # pragma: no cover - the fd vanished under us
        close_fd(fd)


class SocketFilterLink(_NotALink):
    """A program attached to one socket with ``SO_ATTACH_BPF``; closing detaches it."""

    def __init__(self, sock_fd: int, program: Any) -> None:
        super().__init__(sock_fd, program, f"socket filter on fd {sock_fd}", _detach_socket_filter)

    def update(self, program: Any, old_program: Any = None) -> None:
        if old_program is not None:
            raise NotSupportedError("a socket filter cannot be replaced conditionally")
        with socket.socket(fileno=self.dup_fd()) as sock:
            sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_BPF, _prog_fd(program))
        self.program = program


class ProgAttachLink(_NotALink):
    """A BPF_PROG_ATTACH attachment (cgroup and other legacy hooks); closing runs PROG_DETACH.

    Holds a descriptor of the target (e.g. the cgroup directory) and a duplicate of the
    program fd, so the detach works however the Python objects are released.
    """

    def __init__(self, target_fd: int, program: Any, attach_type: int, description: str) -> None:
        import os

        prog_dup = os.dup(_prog_fd(program))
        self._attach_type = attach_type
        self._prog_dup = prog_dup

        def undo(fd: int, prog_fd: int = prog_dup, kind: int = attach_type) -> None:
            try:
                commands.prog_detach(fd, prog_fd, kind)
            except OSError:
                pass  # detached already (e.g. by PROG_DETACH from elsewhere)
            close_fd(prog_fd)
            close_fd(fd)

        super().__init__(target_fd, program, description, undo)

    def update(self, program: Any, old_program: Any = None) -> None:
        raise NotSupportedError(
            f"{self.description}: legacy attachments cannot be updated; attach with a bpf_link"
        )
