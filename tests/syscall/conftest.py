"""Fixtures for the syscall tests: a private bpffs mount and fd counting."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator

import pytest
from syscall_helpers import open_fds


@pytest.fixture
def bpffs() -> Iterator[str]:
    """A bpffs mounted on a fresh temporary directory (unmounted and removed afterwards)."""
    path = tempfile.mkdtemp(prefix="pyebpf-bpffs-")
    result = subprocess.run(["mount", "-t", "bpf", "bpf", path], capture_output=True, text=True)
    if result.returncode != 0:
        os.rmdir(path)
        pytest.skip(f"cannot mount bpffs: {result.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", path], check=False)
        os.rmdir(path)


@pytest.fixture
def no_fd_leak() -> Iterator[None]:
    """Fail the test if it leaves file descriptors open."""
    import gc

    gc.collect()
    before = open_fds()
    yield
    gc.collect()
    leaked = open_fds() - before
    assert not leaked, f"leaked fds: {sorted(leaked)}"
