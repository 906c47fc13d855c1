"""``FDObject``: the base of every live object, owning exactly one file descriptor.

The descriptor is closed by :meth:`close`, on leaving a ``with`` block, and when the object is
garbage-collected (a ``weakref.finalize`` holds only the integer, so it runs even for objects
in reference cycles and at interpreter exit).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from typing import Any

from ..errors import ObjectClosedError
from ._sys import close_fd


class FDObject:
    """Something that owns a kernel file descriptor."""

    _kind = "object"

    def __init__(self, fd: int, closer: Callable[[int], None] = close_fd) -> None:
        # ``closer`` must not refer to ``self`` (it runs from the finalizer): it gets the fd.
        self._fd: int | None = fd
        self._finalizer = weakref.finalize(self, closer, fd)

    @property
    def fd(self) -> int:
        """The file descriptor; :class:`ObjectClosedError` once closed."""
        fd = self._fd
        if fd is None:
            raise ObjectClosedError(f"{self._kind} {self._label()} is closed")
        return fd

    @property
    def closed(self) -> bool:
        return self._fd is None

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        """Release the file descriptor (the kernel object lives on while pinned or attached)."""
        if self._fd is not None:
            self._fd = None
            self._finalizer()

    def dup_fd(self) -> int:
        """A new descriptor for the same kernel object, owned by the caller."""
        return os.dup(self.fd)

    def _label(self) -> str:
        name = getattr(self, "name", "")
        return repr(name) if name else ""

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._fd is None else f"fd={self._fd}"
        label = self._label()
        return f"<{type(self).__name__}{' ' + label if label else ''} {state}>"
