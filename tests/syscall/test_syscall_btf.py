"""BTF through the syscall layer: BTF_LOAD, maps with BTF types (spin lock + F_LOCK), programs
with func_info/line_info, and the bindings' layout checked against the kernel's own BTF."""

from __future__ import annotations

import functools
import json
import os
import shutil
import struct
import subprocess
from typing import Any

import pytest

from pyebpf import Map, MapSpec, Program, ProgramSpec
from pyebpf.asm import R0, exit_, mov
from pyebpf.syscall import BTF, F_LOCK
from pyebpf.syscall._sys import ffi
from pyebpf.syscall.bindings import EXPECTED_SIZES
from pyebpf.syscall.info import btf_info

STRINGS = b"\0int\0bpf_spin_lock\0val\0lock\0x\0prog\0prog.c\0return 0;\0"


def _off(name: bytes) -> int:
    return STRINGS.index(b"\0" + name + b"\0") + 1


def build_btf() -> bytes:
    """[1] int, [2] struct bpf_spin_lock {int val}, [3] struct val {lock; int x},
    [4] func_proto int(void), [5] func prog."""
    t = b""
    t += struct.pack("<III", _off(b"int"), 1 << 24, 4) + struct.pack("<I", (1 << 24) | 32)
    t += struct.pack("<III", _off(b"bpf_spin_lock"), (4 << 24) | 1, 4)
    t += struct.pack("<III", _off(b"val"), 1, 0)
    t += struct.pack("<III", _off(b"val"), (4 << 24) | 2, 8)
    t += struct.pack("<III", _off(b"lock"), 2, 0)
    t += struct.pack("<III", _off(b"x"), 1, 32)
    t += struct.pack("<III", 0, 13 << 24, 1)
    t += struct.pack("<III", _off(b"prog"), (12 << 24) | 1, 4)
    header = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(t), len(t), len(STRINGS))
    return header + t + STRINGS


@pytest.mark.kernel
def test_map_with_btf_spin_lock_and_f_lock() -> None:
    with BTF(build_btf()) as btf:
        spec = MapSpec(
            name="locked",
            type="hash",
            key_size=4,
            value_size=8,
            max_entries=4,
            key_type_id=1,
            value_type_id=3,
        )
        with Map(spec, btf=btf, key_type=int, value_type="=II") as m:
            assert m.info().btf_id == btf_info(btf.fd).id != 0
            assert m.info().btf_value_type_id == 3
            m.put(1, (0, 42), F_LOCK)
            assert m.lookup(1, F_LOCK) == (0, 42)


@pytest.mark.kernel
def test_program_with_func_and_line_info() -> None:
    with BTF(build_btf()) as btf:
        func_info = struct.pack("<II", 0, 5)
        line_info = struct.pack("<IIII", 0, _off(b"prog.c"), _off(b"return 0;"), (3 << 10) | 5)
        spec = ProgramSpec(name="prog", type="socket_filter", instructions=[mov(R0, 0), exit_()])
        with Program(spec, btf=btf, func_info=func_info, line_info=line_info) as prog:
            info = prog.info()
            assert info.btf_id == btf_info(btf.fd).id


@pytest.mark.kernel
def test_bad_btf_error_names_the_problem() -> None:
    data = bytearray(build_btf())
    struct.pack_into("<I", data, 24 + 16, 99)  # int's bit size 99 > 4 bytes
    with pytest.raises(Exception) as exc:
        BTF(bytes(data))
    assert exc.value.errno != 0  # type: ignore[attr-defined]
    assert "BTF" in str(exc.value)


@functools.cache
def _kernel_types() -> dict[int, dict[str, Any]]:
    out = subprocess.run(
        ["bpftool", "-j", "btf", "dump", "file", "/sys/kernel/btf/vmlinux"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {t["id"]: t for t in json.loads(out)["types"]}


def _resolve(types: dict[int, dict[str, Any]], type_id: int) -> dict[str, Any]:
    t = types[type_id]
    while t["kind"] in ("TYPEDEF", "CONST", "VOLATILE", "TYPE_TAG"):
        t = types[t["type_id"]]
    return t


def _btf_fields(
    types: dict[int, dict[str, Any]], t: dict[str, Any], base: int, prefix: str
) -> set[tuple[str, int]]:
    """(dotted name, byte offset) of every named field, nested anonymous types flattened."""
    out: set[tuple[str, int]] = set()
    for m in t["members"]:
        if "bitfield_size" in m and m["bitfield_size"]:
            continue  # bitfields are declared as whole words in our bindings
        off = base + m["bits_offset"] // 8
        inner = _resolve(types, m["type_id"])
        anonymous_type = inner["kind"] in ("STRUCT", "UNION") and inner.get("name") in (
            None,
            "(anon)",
        )
        if m["name"] == "(anon)":
            out |= _btf_fields(types, inner, off, prefix)
            continue
        out.add((prefix + m["name"], off))
        if anonymous_type:
            out |= _btf_fields(types, inner, off, prefix + m["name"] + ".")
    return out


def _cffi_fields(ctype: Any, base: int, prefix: str) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for name, field in ctype.fields:
        out.add((prefix + name, base + field.offset))
        if field.type.kind in ("struct", "union") and "$" in field.type.cname:
            out |= _cffi_fields(field.type, base + field.offset, prefix + name + ".")
    return out


@pytest.mark.parametrize(
    "kind, name",
    [
        ("UNION", "bpf_attr"),
        ("STRUCT", "bpf_map_info"),
        ("STRUCT", "bpf_prog_info"),
        ("STRUCT", "bpf_btf_info"),
        ("STRUCT", "bpf_link_info"),
        ("STRUCT", "perf_event_attr"),
    ],
)
def test_bindings_layout_matches_kernel_btf(kind: str, name: str) -> None:
    """Every field of the running kernel's type is at the same offset in our declaration."""
    if shutil.which("bpftool") is None or not os.path.exists("/sys/kernel/btf/vmlinux"):
        pytest.skip("needs bpftool and /sys/kernel/btf/vmlinux")
    types = _kernel_types()
    found = [t for t in types.values() if t["kind"] == kind and t.get("name") == name]
    assert found, f"{kind} {name} not in kernel BTF"
    kernel = _btf_fields(types, found[0], 0, "")
    cname = f"{kind.lower()} {name}"
    ours = _cffi_fields(ffi.typeof(cname), 0, "")
    assert ffi.sizeof(cname) == found[0]["size"] == EXPECTED_SIZES[cname]
    missing = sorted(kernel - ours)
    assert not missing, f"fields at other offsets or missing in our {cname}: {missing[:10]}"
