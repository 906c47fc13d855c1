"""Shared test configuration: reference tools and the kernel.

Tests that need a real reference mark themselves ``@pytest.mark.kernel`` (the ``bpf()`` system
call) or ``@pytest.mark.llvm`` (LLVM 22's llvm-mc / llvm-objdump / clang). Where the reference is
missing they skip with the reason; with ``PYEBPF_REQUIRE_KERNEL=1`` / ``PYEBPF_REQUIRE_LLVM=1``
(set by CI) a missing reference fails the test instead.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import pytest

LLVM_TOOLS = ("llvm-mc-22", "llvm-objdump-22")

# bpf() syscall numbers; enough to probe permission without importing pyebpf.syscall.
_BPF_SYSCALL = {"x86_64": 321, "aarch64": 280}


@functools.cache
def kernel_unavailable_reason() -> str | None:
    """None if bpf() can create a map here, else why not."""
    nr = _BPF_SYSCALL.get(platform.machine())
    if nr is None:
        return f"no bpf() syscall number known for {platform.machine()}"
    libc = ctypes.CDLL(None, use_errno=True)
    # BPF_MAP_CREATE of a 1-entry array map: map_type=2, key_size=4, value_size=4, max_entries=1.
    attr = (ctypes.c_uint32 * 32)(2, 4, 4, 1)
    fd = libc.syscall(nr, 0, ctypes.byref(attr), ctypes.sizeof(attr))
    if fd < 0:
        err = ctypes.get_errno()
        return f"bpf(BPF_MAP_CREATE) is not permitted here: {errno.errorcode.get(err, err)} ({os.strerror(err)})"
    os.close(fd)
    return None


@functools.cache
def llvm_unavailable_reason() -> str | None:
    missing = [tool for tool in LLVM_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"LLVM 22 tools not installed: {', '.join(missing)}"
    return None


def _required(var: str) -> bool:
    return os.environ.get(var, "") not in ("", "0")


def require_kernel() -> None:
    """Skip (or fail under PYEBPF_REQUIRE_KERNEL=1) unless bpf() works here."""
    reason = kernel_unavailable_reason()
    if reason is not None:
        if _required("PYEBPF_REQUIRE_KERNEL"):
            pytest.fail(f"PYEBPF_REQUIRE_KERNEL=1 but {reason}")
        pytest.skip(reason)


def require_llvm() -> None:
    """Skip (or fail under PYEBPF_REQUIRE_LLVM=1) unless LLVM 22 is installed."""
    reason = llvm_unavailable_reason()
    if reason is not None:
        if _required("PYEBPF_REQUIRE_LLVM"):
            pytest.fail(f"PYEBPF_REQUIRE_LLVM=1 but {reason}")
        pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("kernel") is not None:
        require_kernel()
    if item.get_closest_marker("llvm") is not None:
        require_llvm()


@pytest.fixture
def bpffs() -> Iterator[str]:
    """A bpffs mounted on a fresh temporary directory (unmounted and removed afterwards)."""
    require_kernel()
    path = tempfile.mkdtemp(prefix="pyebpf-bpffs-")
    done = subprocess.run(["mount", "-t", "bpf", "bpf", path], capture_output=True, text=True)
    if done.returncode != 0:
        os.rmdir(path)
        reason = f"cannot mount a bpffs: {done.stderr.strip()}"
        if _required("PYEBPF_REQUIRE_KERNEL"):
            pytest.fail(f"PYEBPF_REQUIRE_KERNEL=1 but {reason}")
        pytest.skip(reason)
    try:
        yield path
    finally:
        subprocess.run(["umount", path], check=False)
        os.rmdir(path)
