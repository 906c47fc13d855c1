"""Fixture objects for the BTF tests (built by tests/fixtures/Makefile, committed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OBJECTS = sorted(FIXTURES.glob("*-e[lb].o"))


def section_bytes(path: Path, name: str) -> bytes:
    """One section's bytes, read with pyelftools (independent of pyebpf.elf)."""
    from elftools.elf.elffile import ELFFile

    with open(path, "rb") as f:
        section = ELFFile(f).get_section_by_name(name)
        assert section is not None, f"{path.name} has no {name}"
        return bytes(section.data())


def bpftool(*args: str) -> str:
    if shutil.which("bpftool") is None:
        pytest.skip("bpftool is not installed")
    return subprocess.run(["bpftool", *args], check=True, capture_output=True, text=True).stdout
