"""Fixtures for the command-line tests."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture
def bpffs() -> Iterator[str]:
    """A bpffs mounted on a fresh temporary directory (unmounted and removed afterwards)."""
    path = tempfile.mkdtemp(prefix="pyebpf-cli-bpffs-")
    done = subprocess.run(["mount", "-t", "bpf", "bpf", path], capture_output=True, text=True)
    if done.returncode != 0:
        os.rmdir(path)
        pytest.skip(f"cannot mount bpffs: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", path], check=False)
        os.rmdir(path)
