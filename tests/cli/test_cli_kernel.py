"""``pyebpf prog list|show`` and ``pyebpf map list|dump`` against the running kernel."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cli_runner import pyebpf

from pyebpf import MapSpec, ProgramSpec
from pyebpf.asm import R0, Instructions, exit_, mov

pytestmark = pytest.mark.kernel


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"  # object names are at most 15 characters


@pytest.fixture
def counts() -> Iterator[Any]:
    from pyebpf.syscall import Map

    m = Map(MapSpec(name=_unique("cli_"), type="hash", key_size=4, value_size=8, max_entries=8))
    m[(7).to_bytes(4, "little")] = (42).to_bytes(8, "little")
    m[(9).to_bytes(4, "little")] = (1).to_bytes(8, "little")
    yield m
    m.close()


@pytest.fixture
def program() -> Iterator[Any]:
    from pyebpf.syscall import Program

    spec = ProgramSpec(
        name=_unique("cli_"), type="xdp", instructions=Instructions([mov(R0, 2), exit_()])
    )
    p = Program(spec)
    yield p
    p.close()


def test_map_list_and_dump(counts: Any) -> None:
    m = counts
    listed = pyebpf("map", "list", "--json")
    assert listed.status == 0, listed.stderr
    mine = [r for r in listed.json() if r["id"] == m.id]
    assert mine == [
        {
            "id": m.id,
            "type": "hash",
            "name": m.name,
            "key_size": 4,
            "value_size": 8,
            "max_entries": 8,
            "flags": 0,
            "btf_id": 0,
        }
    ]
    dumped = pyebpf("map", "dump", "id", str(m.id), "--json")
    assert dumped.status == 0, dumped.stderr
    entries = {e["key"]: e["value"] for e in dumped.json()}
    assert entries == {"07000000": "2a00000000000000", "09000000": "0100000000000000"}
    text = pyebpf("map", "dump", "name", m.name)
    assert "key: 07 00 00 00  value: 2a 00 00 00 00 00 00 00" in text.stdout
    assert text.stdout.endswith("Found 2 elements\n")
    text_list = pyebpf("map", "list")
    assert f"{m.id}: hash  name {m.name}" in text_list.stdout


def test_map_dump_pinned(counts: Any, bpffs: str) -> None:
    path = os.path.join(bpffs, "counts")
    counts.pin(path)
    dumped = pyebpf("map", "dump", "pinned", path, "--json")
    assert dumped.status == 0 and len(dumped.json()) == 2


def test_percpu_map_dump() -> None:
    from pyebpf.syscall import Map

    with Map(
        MapSpec(name=_unique("pc_"), type="percpu_array", key_size=4, value_size=4, max_entries=1)
    ) as m:
        dumped = pyebpf("map", "dump", str(m.id), "--json").json()
        assert dumped[0]["key"] == "00000000"
        assert dumped[0]["values"] and all(v == "00000000" for v in dumped[0]["values"])
        assert "value (CPU 00): 00 00 00 00" in pyebpf("map", "dump", str(m.id)).stdout


def test_prog_list_and_show(program: Any, bpffs: str) -> None:
    p = program
    listed = pyebpf("prog", "list", "--json")
    assert listed.status == 0
    mine = [r for r in listed.json() if r["id"] == p.id]
    assert len(mine) == 1 and mine[0]["type"] == "xdp" and mine[0]["name"] == p.name
    shown = pyebpf("prog", "show", "name", p.name, "--disasm", "--json")
    assert shown.status == 0, shown.stderr
    record = shown.json()
    assert record["id"] == p.id and record["instructions"] == ["\tr0 = 2", "\texit"]
    path = os.path.join(bpffs, "prog")
    p.pin(path)
    text = pyebpf("prog", "show", "pinned", path, "--disasm")
    assert text.status == 0
    assert text.stdout.startswith(f"{p.id}: xdp  name {p.name}")
    assert "r0 = 2" in text.stdout


def test_kernel_verb_errors() -> None:
    gone = pyebpf("map", "dump", "id", "4000000000")
    assert gone.status == 1 and "ENOENT" in gone.error_line
    nameless = pyebpf("prog", "show", "name", "no-such-prog-x")
    assert nameless.status == 2 and "no program named" in nameless.error_line
    not_pinned = pyebpf("map", "dump", "pinned", "/tmp/definitely-not-pinned")
    assert not_pinned.status in (1, 2) and "/tmp/definitely-not-pinned" in not_pinned.error_line
    bad = pyebpf("map", "dump", "id", "x")
    assert bad.status == 2 and "must be a number" in bad.error_line
    nonsense = pyebpf("prog", "show", "frob", "1", "2")
    assert nonsense.status == 2 and "`pinned PATH`" in nonsense.error_line
    assert pyebpf("map").status == 2 and pyebpf("prog").status == 2
