"""``pyebpf inspect``, ``pyebpf btf dump`` and ``pyebpf disasm`` of ELF objects."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_runner import FIXTURES, pyebpf

LOADER = FIXTURES / "loader-el.o"
OBJECTS = sorted(FIXTURES.glob("*.o"))


def test_inspect_json_lists_programs_maps_globals() -> None:
    result = pyebpf("inspect", LOADER, "--json")
    assert result.status == 0, result.stderr
    info = result.json()
    programs = {p["name"]: p for p in info["programs"]}
    assert programs["xdp_pass"]["type"] == "xdp" and programs["xdp_pass"]["section"] == "xdp"
    assert programs["kprobe_prog"]["maps"] == ["events"]
    maps = {m["name"]: m for m in info["maps"]}
    assert maps["hash_map"]["type"] == "hash" and maps["hash_map"]["key_type"] == "__u32"
    assert maps["events"]["type"] == "ringbuf"
    variables = {v["name"]: v for v in info["variables"]}
    assert variables["rodata_limit"]["read_only"] is True
    assert variables["data_pair"] == {
        "name": "data_pair",
        "section": ".data",
        "offset": 8,
        "size": 16,
        "type": "__u64[2]",
        "read_only": False,
    }
    assert info["btf"]["types"] > 0 and info["btf"]["line_info"] > 0


def test_inspect_text_has_every_section() -> None:
    from pyebpf.elf import load_object

    obj = load_object(LOADER)
    result = pyebpf("inspect", LOADER)
    assert result.status == 0
    for heading in (
        f"programs ({len(obj.programs)})",
        f"maps ({len(obj.maps)})",
        f"globals ({len(obj.variables)})",
        "btf: ",
    ):
        assert heading in result.stdout
    assert "xdp_pass" in result.stdout and "percpu_array" in result.stdout


def test_inspect_needs_an_elf_object(tmp_path: Path) -> None:
    raw = tmp_path / "p.bin"
    raw.write_bytes(b"\x95" + bytes(7))
    result = pyebpf("inspect", raw)
    assert result.status == 2 and "not an ELF object" in result.error_line


def test_inspect_corrupt_elf(tmp_path: Path) -> None:
    bad = tmp_path / "bad.o"
    bad.write_bytes(LOADER.read_bytes()[:200])
    result = pyebpf("inspect", bad)
    assert result.status == 2 and str(bad) in result.error_line


@pytest.mark.skipif(shutil.which("bpftool") is None, reason="bpftool is not installed")
@pytest.mark.parametrize("obj", OBJECTS, ids=[p.name for p in OBJECTS])
def test_btf_dump_matches_bpftool(obj: Path) -> None:
    ours = pyebpf("btf", "dump", obj)
    assert ours.status == 0, ours.stderr
    theirs = subprocess.run(
        ["bpftool", "btf", "dump", "file", str(obj)], capture_output=True, text=True, check=True
    )
    assert ours.stdout == theirs.stdout


@pytest.mark.skipif(
    shutil.which("bpftool") is None or not os.path.exists("/sys/kernel/btf/vmlinux"),
    reason="needs bpftool and /sys/kernel/btf/vmlinux",
)
def test_btf_dump_of_vmlinux_matches_bpftool() -> None:
    ours = pyebpf("btf", "dump", "/sys/kernel/btf/vmlinux")
    theirs = subprocess.run(
        ["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ours.status == 0
    assert ours.stdout == theirs.stdout


def test_btf_dump_json() -> None:
    result = pyebpf("btf", "dump", LOADER, "--json")
    types = result.json()
    assert types[0]["id"] == 1
    by_name = {t["name"]: t for t in types if t["name"]}
    assert by_name["int"] == {
        "id": by_name["int"]["id"],
        "kind": "INT",
        "name": "int",
        "size": 4,
        "bits_offset": 0,
        "nr_bits": 32,
        "encoding": "SIGNED",
    }
    assert [m["name"] for m in by_name["inner"]["members"]] == [
        "type",
        "key",
        "value",
        "max_entries",
    ]


def test_btf_errors(tmp_path: Path) -> None:
    assert pyebpf("btf").status == 2  # the group without a verb prints its help
    garbage = tmp_path / "junk.btf"
    garbage.write_bytes(b"\x01\x02\x03" * 20)
    result = pyebpf("btf", "dump", garbage)
    assert result.status == 2 and "not an ELF object or raw BTF" in result.error_line


@pytest.mark.llvm
def test_btf_dump_of_object_without_btf(tmp_path: Path) -> None:
    stripped = tmp_path / "nobtf.o"
    subprocess.run(
        [
            "llvm-objcopy-22",
            "--remove-section=.BTF",
            "--remove-section=.BTF.ext",
            str(FIXTURES / "legacy-el.o"),
            str(stripped),
        ],
        check=True,
    )
    result = pyebpf("btf", "dump", stripped)
    assert result.status == 2 and "has no .BTF section" in result.error_line
    assert pyebpf("inspect", stripped, "--json").json()["btf"] is None


def test_disasm_elf_with_source_lines() -> None:
    result = pyebpf("disasm", LOADER, "--program", "xdp_pass")
    assert result.status == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Disassembly of section xdp:" in lines
    assert "; int xdp_pass(struct xdp_md *ctx)" in lines
    assert any(line.startswith("\t") and "exit" in line for line in lines)
    bare = pyebpf("disasm", LOADER, "--program", "xdp_pass", "--no-source")
    assert not any(line.startswith("; ") for line in bare.stdout.splitlines())


def test_disasm_elf_section_filter_and_errors() -> None:
    both = pyebpf("disasm", LOADER, "--section", "xdp")
    assert both.status == 0
    assert "xdp_pass:" in both.stdout and "xdp_drop:" in both.stdout
    assert "socket_prog" not in both.stdout
    missing = pyebpf("disasm", LOADER, "--program", "nope")
    assert missing.status == 2
    assert "no program 'nope'" in missing.error_line and "xdp_pass" in missing.error_line
    no_section = pyebpf("disasm", LOADER, "--section", "nope")
    assert no_section.status == 2 and "no programs in section 'nope'" in no_section.error_line


def test_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    # `pyebpf ... | head -1`: the reader goes away while output (far more than a pipe buffer
    # holds) is still being written; no traceback, status 0.
    import sys

    big = tmp_path / "big.bin"
    big.write_bytes(bytes.fromhex("b700000000000000") * 50_000 + bytes.fromhex("9500000000000000"))
    done = subprocess.run(
        f"'{sys.executable}' -m pyebpf disasm '{big}' | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(FIXTURES.parents[1])},
        executable="/bin/bash",
    )
    assert done.stdout == "\tr0 = 0\n"
    assert done.stderr == "" and done.returncode == 0
