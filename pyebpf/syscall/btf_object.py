"""``BTF``: type information loaded into the kernel (BPF_BTF_LOAD), owning its fd.

Maps and programs refer to it by fd (``btf_fd`` / ``prog_btf_fd``). The ELF reader produces
the raw ``.BTF`` bytes; this module only hands them to the kernel.
"""

from __future__ import annotations

import errno

from ..errors import BPFError, CodecError
from . import commands
from ._sys import errno_name, ffi
from .fd import FDObject

_LOG_START = 64 * 1024
_LOG_MAX = 1 << 30


class BTF(FDObject):
    """BTF blob in the kernel. ``BTF(raw_bytes)`` loads it; ``log`` keeps the kernel's log."""

    _kind = "BTF"

    def __init__(self, data: bytes, *, log_level: int = 0) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise CodecError(f"BTF data must be bytes, not {type(data).__name__}")
        raw = bytes(data)
        self.log = ""
        fd, err, _ = commands.btf_load(
            raw, log_level=log_level, log_size=_LOG_START if log_level else 0
        )
        if fd < 0 and err != errno.EPERM:
            # Reload with a log so the error says what is wrong with the types.
            size = _LOG_START
            while True:
                fd2, err2, log = commands.btf_load(raw, log_level=1, log_size=size)
                text = ffi.string(log).decode(errors="replace") if log is not None else ""
                if err2 == errno.ENOSPC and size < _LOG_MAX:
                    size *= 4
                    continue
                if fd2 >= 0:  # pragma: no cover - loads only with a log: keep it
                    fd, err = fd2, 0
                self.log = text
                break
        if fd < 0:
            reason = self.log.strip().splitlines()[-1] if self.log.strip() else ""
            msg = f"{errno_name(err)}: the kernel refused the BTF"
            raise BPFError(err, "BPF_BTF_LOAD", f"{msg}: {reason}" if reason else msg)
        super().__init__(fd)
        self.size = len(raw)

    @classmethod
    def from_id(cls, btf_id: int) -> BTF:
        """Open kernel BTF (vmlinux, a module, or a program's) by id."""
        obj = cls.__new__(cls)
        FDObject.__init__(obj, commands.get_fd_by_id("btf", btf_id))
        obj.log = ""
        obj.size = 0
        return obj
