"""Fixtures for the syscall tests: fd counting (the bpffs fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from syscall_helpers import open_fds


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
