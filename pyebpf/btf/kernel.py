"""The running kernel's BTF (``/sys/kernel/btf/vmlinux`` and module BTF).

Only :mod:`pyebpf.collection` uses this, at load time, to resolve kfunc and ksym ids; the
object reader never looks at the running kernel.
"""

from __future__ import annotations

import functools
import os

from ..errors import BTFError
from .parser import BTF, parse_btf

KERNEL_BTF_DIR = "/sys/kernel/btf"


def read_btf_file(path: str, *, base: BTF | None = None) -> BTF:
    """Parse a raw BTF file (``/sys/kernel/btf/*`` or a btfhub-style ``.btf``)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise BTFError(f"cannot read {path}: {exc.strerror}", path) from None
    return parse_btf(data, base=base, section=path)


@functools.cache
def kernel_btf() -> BTF:
    """The running kernel's vmlinux BTF (parsed once per process)."""
    return read_btf_file(os.path.join(KERNEL_BTF_DIR, "vmlinux"))


def module_btf(module: str) -> BTF:
    """Split BTF of a loaded kernel module, on top of vmlinux."""
    return read_btf_file(os.path.join(KERNEL_BTF_DIR, module), base=kernel_btf())
