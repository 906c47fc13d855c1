"""Fixture objects and a ctypes view of the system libbpf, the reference for the ELF reader."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OBJECTS = sorted(FIXTURES.glob("*-e[lb].o"))
NATIVE = "el"  # the suite runs on little-endian hosts (x86_64, aarch64)


def fixture(name: str, order: str = NATIVE) -> Path:
    return FIXTURES / f"{name}-{order}.o"


@dataclass(frozen=True)
class LibbpfProgram:
    name: str
    section: str
    type: int
    attach_type: int
    insn_cnt: int


@dataclass(frozen=True)
class LibbpfMap:
    name: str
    type: int
    key_size: int
    value_size: int
    max_entries: int
    flags: int
    numa_node: int
    map_extra: int


@functools.cache
def _libbpf() -> ctypes.CDLL | None:
    path = ctypes.util.find_library("bpf")
    if path is None:
        return None
    lib = ctypes.CDLL(path)
    vp = ctypes.c_void_p
    lib.bpf_object__open_file.restype = vp
    lib.bpf_object__open_file.argtypes = [ctypes.c_char_p, vp]
    lib.bpf_object__close.argtypes = [vp]
    for fn in ("bpf_object__next_program", "bpf_object__next_map"):
        getattr(lib, fn).restype = vp
        getattr(lib, fn).argtypes = [vp, vp]
    for fn in ("bpf_program__name", "bpf_program__section_name", "bpf_map__name"):
        getattr(lib, fn).restype = ctypes.c_char_p
        getattr(lib, fn).argtypes = [vp]
    for fn in (
        "bpf_program__type",
        "bpf_program__expected_attach_type",
        "bpf_program__insn_cnt",
        "bpf_map__type",
        "bpf_map__key_size",
        "bpf_map__value_size",
        "bpf_map__max_entries",
        "bpf_map__map_flags",
        "bpf_map__numa_node",
    ):
        getattr(lib, fn).restype = ctypes.c_uint
        getattr(lib, fn).argtypes = [vp]
    lib.bpf_map__map_extra.restype = ctypes.c_uint64
    lib.bpf_map__map_extra.argtypes = [vp]
    lib.libbpf_prog_type_by_name.argtypes = [ctypes.c_char_p, vp, vp]
    lib.libbpf_set_print.argtypes = [vp]
    lib.libbpf_set_print(None)  # keep libbpf's warnings out of the test output
    return lib


def libbpf() -> ctypes.CDLL:
    lib = _libbpf()
    if lib is None:
        pytest.skip("libbpf (libbpf.so.1, from libbpf-dev/libbpf1) is not installed")
    return lib


def libbpf_section(name: str) -> tuple[int, int] | None:
    """libbpf_prog_type_by_name(): (prog type, expected attach type), None if unknown to it."""
    lib = libbpf()
    prog_type, attach_type = ctypes.c_uint(), ctypes.c_uint()
    if lib.libbpf_prog_type_by_name(
        name.encode(), ctypes.byref(prog_type), ctypes.byref(attach_type)
    ):
        return None
    return prog_type.value, attach_type.value


def libbpf_open(path: Path) -> tuple[list[LibbpfProgram], list[LibbpfMap]]:
    """What libbpf's bpf_object__open_file() finds in an object."""
    lib = libbpf()
    obj = lib.bpf_object__open_file(str(path).encode(), None)
    if not obj or obj > (1 << 64) - 4096:  # NULL or an ERR_PTR
        pytest.fail(f"libbpf cannot open {path.name}")
    try:
        programs, maps = [], []
        prog = None
        while prog := lib.bpf_object__next_program(obj, prog):
            programs.append(
                LibbpfProgram(
                    lib.bpf_program__name(prog).decode(),
                    lib.bpf_program__section_name(prog).decode(),
                    lib.bpf_program__type(prog),
                    lib.bpf_program__expected_attach_type(prog),
                    lib.bpf_program__insn_cnt(prog),
                )
            )
        m = None
        while m := lib.bpf_object__next_map(obj, m):
            maps.append(
                LibbpfMap(
                    lib.bpf_map__name(m).decode(),
                    lib.bpf_map__type(m),
                    lib.bpf_map__key_size(m),
                    lib.bpf_map__value_size(m),
                    lib.bpf_map__max_entries(m),
                    lib.bpf_map__map_flags(m),
                    lib.bpf_map__numa_node(m),
                    lib.bpf_map__map_extra(m),
                )
            )
        return programs, maps
    finally:
        lib.bpf_object__close(obj)
