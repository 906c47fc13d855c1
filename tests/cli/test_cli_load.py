"""``pyebpf load`` and ``pyebpf run`` against the running kernel."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_runner import FIXTURES, pyebpf

from pyebpf.asm import Instructions, exit_

pytestmark = pytest.mark.kernel

LOADER = FIXTURES / "loader-el.o"
PACKET = bytes(64)


def test_load_pins_programs_and_maps(bpffs: str) -> None:
    root = os.path.join(bpffs, "app")
    result = pyebpf("load", LOADER, "--pin", root, "--json")
    assert result.status == 0, result.stderr
    info = result.json()
    programs = {p["name"]: p for p in info["programs"]}
    maps = {m["name"]: m for m in info["maps"]}
    assert programs["xdp_pass"]["pinned"] == f"{root}/xdp_pass"
    assert maps[".rodata"]["pinned"] == f"{root}/maps/_rodata"  # bpffs names have no dots
    assert sorted(os.listdir(root)) == sorted([*programs, "maps"])
    # The pinned objects outlived the command: the kernel verbs find them.
    shown = pyebpf("prog", "show", "pinned", f"{root}/xdp_pass", "--json")
    assert shown.json()["id"] == programs["xdp_pass"]["id"]
    dumped = pyebpf("map", "dump", "pinned", f"{root}/maps/_rodata", "--json")
    assert dumped.status == 0 and len(dumped.json()) == 1


def test_load_without_pin_unloads(bpffs: str) -> None:
    result = pyebpf("load", LOADER, "--pin-root", bpffs)
    assert result.status == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("program xdp_pass: id ") for line in lines)
    prog_id = next(line.split()[3] for line in lines if line.startswith("program xdp_pass:"))
    gone = pyebpf("prog", "show", "id", prog_id)
    assert gone.status == 1 and "ENOENT" in gone.error_line


def test_run_xdp_program(bpffs: str, tmp_path: Path) -> None:
    packet = tmp_path / "packet.bin"
    packet.write_bytes(PACKET)
    out = tmp_path / "out.bin"
    args = ("run", LOADER, "--program", "xdp_pass", "--pin-root", bpffs)
    result = pyebpf(*args, "--data", packet, "--repeat", "5", "--data-out", out, "--json")
    assert result.status == 0, result.stderr
    record = result.json()
    assert record["retval"] == 2 and record["verdict"] == "XDP_PASS" and record["repeat"] == 5
    assert out.read_bytes() == PACKET and record["data_out"] == PACKET.hex()
    text = pyebpf(*args, "--data-hex", PACKET.hex())
    assert text.stdout.splitlines()[0] == "retval: 2 (XDP_PASS)"
    assert "(mean of 1 runs)" in text.stdout


UNCHECKED_C = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unchecked(struct xdp_md *ctx)
{
	return *(int *)(long)ctx->data; /* no bounds check against data_end */
}

char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture
def unchecked_object(tmp_path: Path) -> Path:
    """An object the kernel's verifier rejects, built with clang-22."""
    import platform
    import shutil
    import subprocess

    if shutil.which("clang-22") is None:
        pytest.skip("clang-22 is not installed")
    source = tmp_path / "unchecked.c"
    source.write_text(UNCHECKED_C)
    obj = tmp_path / "unchecked.o"
    include = f"-I/usr/include/{platform.machine()}-linux-gnu"
    subprocess.run(
        ["clang-22", "-O2", "-g", "-target", "bpf", include, "-c", str(source), "-o", str(obj)],
        check=True,
    )
    return obj


@pytest.mark.llvm
def test_rejected_object_exits_1(unchecked_object: Path, bpffs: str) -> None:
    result = pyebpf("load", unchecked_object, "--pin", f"{bpffs}/app")
    assert result.status == 1
    assert "R1 offset is outside of the packet" in result.error_line
    assert not os.path.exists(f"{bpffs}/app")  # the pin directory it made is gone again
    with_log = pyebpf("run", unchecked_object, "--log", "--data-hex", "00" * 64)
    assert with_log.status == 1
    lines = with_log.stderr.splitlines()
    assert lines[-1].startswith("pyebpf: error: ") and "outside of the packet" in lines[-1]
    assert "invalid access to packet, off=0 size=4, R1(id=0,off=0,r=0)" in lines  # the log
    assert any(line.startswith("processed ") for line in lines[:-1])


def test_text_is_not_an_object(tmp_path: Path) -> None:
    text = tmp_path / "prog.s"
    text.write_text(str(Instructions([exit_()])))
    result = pyebpf("load", text)
    assert result.status == 2 and "not an ELF object" in result.error_line


def test_run_errors(bpffs: str, tmp_path: Path) -> None:
    several = pyebpf("run", LOADER, "--data-hex", "00", "--pin-root", bpffs)
    assert several.status == 2 and "pick one with --program" in several.error_line
    missing = pyebpf("run", LOADER, "--program", "nope", "--pin-root", bpffs)
    assert missing.status == 2 and "no program 'nope'" in missing.error_line
    not_hex = pyebpf("run", LOADER, "--program", "xdp_pass", "--data-hex", "zz")
    assert not_hex.status == 2 and "not hexadecimal" in not_hex.error_line
    repeat = pyebpf("run", LOADER, "--program", "xdp_pass", "--repeat", "0")
    assert repeat.status == 2 and "--repeat must be at least 1" in repeat.error_line
    no_file = pyebpf("run", LOADER, "--program", "xdp_pass", "--data", tmp_path / "none.bin")
    assert no_file.status == 2 and "cannot read" in no_file.error_line
    both = pyebpf("run", LOADER, "--data", "x", "--data-hex", "00")
    assert both.status == 2 and "not allowed with argument" in both.error_line


def test_pin_dir_errors(bpffs: str, tmp_path: Path) -> None:
    not_bpffs = pyebpf("load", LOADER, "--pin", tmp_path / "pins")
    assert not_bpffs.status == 2 and "not on a bpffs mount" in not_bpffs.error_line
    assert not (tmp_path / "pins").exists()  # nothing was created
    no_parent = pyebpf("load", LOADER, "--pin", f"{bpffs}/a/b/c")
    assert no_parent.status == 2 and "does not exist" in no_parent.error_line
    legacy = FIXTURES / "legacy-el.o"
    assert pyebpf("load", legacy, "--pin", f"{bpffs}/app").status == 0
    again = pyebpf("load", legacy, "--pin", f"{bpffs}/app")
    assert again.status == 2 and "not empty" in again.error_line
