"""The ELF reader against libbpf (through ctypes) and llvm-objdump, on the committed fixtures."""

from __future__ import annotations

import re
import subprocess

import pytest
from elf_fixtures import FIXTURES, OBJECTS, fixture, libbpf_open, libbpf_section

from pyebpf.elf import SECTION_DEFS, load_object, section_info


def _section_names() -> list[str]:
    text = (FIXTURES / "sections.c").read_text()
    return re.findall(r'^PROG1?\("([^"]+)"', text, re.M)


def test_section_table_agrees_with_libbpf():
    names = _section_names()
    compared = 0
    for name in names:
        ours = section_info(name)
        assert ours is not None, name
        theirs = libbpf_section(name)
        if theirs is None:
            continue  # newer than the installed libbpf (tcx, netkit, uprobe.multi, ...)
        compared += 1
        attach = int(ours.attach_type) if ours.attach_type is not None else 0
        assert (int(ours.prog_type), attach) == theirs, name
    # The installed libbpf 1.1 knows most rows; every row it knows must agree.
    assert compared >= 60, compared
    assert section_info("not_a_section") is None and libbpf_section("not_a_section") is None


def test_every_table_row_has_a_fixture_program():
    names = _section_names()
    covered = {d.prefix for d in SECTION_DEFS if any(d.matches(n) for n in names)}
    assert covered == {d.prefix for d in SECTION_DEFS}


@pytest.mark.parametrize("name", ["loader", "externs", "ksym", "sections", "btfkinds"])
def test_programs_and_maps_agree_with_libbpf(name):
    obj = load_object(fixture(name))
    programs, maps = libbpf_open(fixture(name))
    assert sorted(p.name for p in programs) == sorted(obj.programs)
    for theirs in programs:
        ours = obj.programs[theirs.name]
        assert ours.section_name == theirs.section
        # libbpf counts the main function only until it links subprograms in at load time.
        main = ours.instructions[: _main_length(ours.instructions)]
        assert main.slot_count == theirs.insn_cnt, theirs.name
        if libbpf_section(theirs.section) is None:
            continue  # a section name newer than the installed libbpf: it leaves the type unset
        assert int(ours.type) == theirs.type
        attach = int(ours.attach_type) if ours.attach_type is not None else 0
        assert attach == theirs.attach_type, theirs.name
    ours_maps = {m for m in obj.maps if m != ".kconfig"}
    assert len(maps) == len(obj.maps)
    for theirs in maps:
        # libbpf prefixes data maps with (part of) the object name: "loader_e.data".
        match = (
            theirs.name
            if theirs.name in obj.maps
            else next((m for m in obj.maps if m.startswith(".") and theirs.name.endswith(m)), None)
        )
        assert match is not None, theirs.name
        ours_maps.discard(match)
        spec = obj.maps[match]
        assert (
            int(spec.type),
            spec.key_size,
            spec.value_size,
            spec.max_entries,
            spec.flags,
            spec.numa_node,
            spec.map_extra,
        ) == (
            theirs.type,
            theirs.key_size,
            theirs.value_size,
            theirs.max_entries,
            theirs.flags,
            theirs.numa_node,
            theirs.map_extra,
        ), theirs.name


def _main_length(insns) -> int:
    """Instructions before the first appended callee (the second label)."""
    for i, insn in enumerate(insns):
        if i and insn.label is not None:
            return i
    return len(insns)


@pytest.mark.llvm
@pytest.mark.parametrize("path", OBJECTS, ids=lambda p: p.name)
def test_instructions_agree_with_objdump(path):
    """Each program's own function, instruction by instruction, as llvm-objdump decodes it.

    Relocated fields (map and call immediates, src of ld_imm64 and calls) differ by design,
    so the comparison is of opcode, dst and off; unrelocated instructions must match fully.
    """
    order = "little" if path.name.endswith("-el.o") else "big"
    out = subprocess.run(
        ["llvm-objdump-22", "-d", "-r", str(path)], check=True, capture_output=True, text=True
    ).stdout
    functions: dict[str, list[tuple[bytes, bool]]] = {}
    current = None
    for line in out.splitlines():
        head = re.match(r"^[0-9a-f]+ <(\w+)>:$", line)
        insn = re.match(r"^\s+[0-9a-f]+:\s+((?:[0-9a-f]{2} ?)+)", line)
        if head:
            current = head.group(1)
            functions[current] = []
        elif insn and current:
            functions[current].append((bytes.fromhex(insn.group(1).replace(" ", "")), False))
        elif "R_BPF" in line and current:
            raw, _ = functions[current][-1]
            functions[current][-1] = (raw, True)
    obj = load_object(path)
    compared = 0
    for name, prog in obj.programs.items():
        main = prog.instructions[: _main_length(prog.instructions)]
        assert len(main) == len(functions[name]), name
        for ours, (raw, relocated) in zip(main, functions[name], strict=True):
            encoded = ours.encode(order)
            assert encoded[0] == raw[0], (name, ours)
            assert encoded[2:4] == raw[2:4], (name, ours)  # off
            if not relocated and not ours.is_local_call and not ours.is_func_ref:
                assert encoded == raw, (name, ours)
            compared += 1
    assert compared > 0
