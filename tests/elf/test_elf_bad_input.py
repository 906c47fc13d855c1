"""Truncated, corrupted and mutated objects: ElfError or BTFError only, never a hang."""

from __future__ import annotations

import random
import struct

import pytest
from elf_fixtures import OBJECTS, fixture
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyebpf.elf import load_object
from pyebpf.errors import BTFError, ElfError

ALLOWED = (ElfError, BTFError)


def _read(data: bytes) -> None:
    try:
        obj = load_object(data)
    except ALLOWED as exc:
        assert str(exc)
        return
    # Whatever was read must be usable: encode every program.
    for prog in obj.programs.values():
        prog.instructions.to_bytes(prog.byteorder, allow_unresolved=True)


@pytest.mark.parametrize("name", ["loader", "legacy", "externs"])
def test_truncations(name):
    data = fixture(name).read_bytes()
    step = max(1, len(data) // 400)
    for cut in range(0, len(data), step):
        with pytest.raises(ALLOWED):
            load_object(data[:cut])


def test_truncation_names_section_and_offset():
    data = bytearray(fixture("loader").read_bytes())
    # Point the section header table's .maps entry past the end of the file.
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shnum = struct.unpack_from("<H", data, 0x3C)[0]
    obj = load_object(bytes(data))
    assert obj.maps
    for i in range(shnum):
        entry = shoff + 64 * i
        sh_type = struct.unpack_from("<I", data, entry + 4)[0]
        if sh_type == 1:  # PROGBITS: make its contents run past the end
            struct.pack_into("<Q", data, entry + 0x18, len(data) + 16)
            break
    with pytest.raises(ElfError) as info:
        load_object(bytes(data))
    assert info.value.section is not None and info.value.offset is not None
    assert "run past the end" in str(info.value)


@pytest.mark.parametrize("path", OBJECTS, ids=lambda p: p.name)
def test_mutation_loop(path):
    rng = random.Random(path.name)
    original = path.read_bytes()
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(data))
            data[pos] = rng.randrange(256)
        _read(bytes(data))


def test_mutations_in_interesting_places():
    """Corrupt the headers, symbols, relocations and BTF specifically (not just anywhere)."""
    from pyebpf.elf.container import read_elf

    original = fixture("loader").read_bytes()
    elf = read_elf(original)
    ranges = [(0, 64)]
    shoff = struct.unpack_from("<Q", original, 0x28)[0]
    ranges.append((shoff, shoff + 64 * len(elf.sections)))
    import io

    from elftools.elf.elffile import ELFFile

    f = ELFFile(io.BytesIO(original))
    for section in f.iter_sections():
        if section.name in (
            ".symtab",
            ".BTF",
            ".BTF.ext",
            ".maps",
            ".rel.maps",
            ".relsocket",
            "socket",
            ".strtab",
        ):
            ranges.append((section["sh_offset"], section["sh_offset"] + section["sh_size"]))
    rng = random.Random(4)
    for _ in range(600):
        data = bytearray(original)
        lo, hi = rng.choice(ranges)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(lo, hi)
            data[pos] = rng.choice(
                (0, 0xFF, rng.randrange(256), data[pos] ^ (1 << rng.randrange(8)))
            )
        _read(bytes(data))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_hypothesis_mutations(data):
    original = fixture("loader").read_bytes()
    edits = data.draw(
        st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=10)
    )
    cut = data.draw(st.integers(0, len(original)))
    mutated = bytearray(original)
    for pos, value in edits:
        mutated[pos] = value
    _read(bytes(mutated[:cut] if data.draw(st.booleans()) else mutated))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    header = fixture("loader").read_bytes()[:64]
    for candidate in (data, header + data):
        try:
            load_object(candidate)
        except ALLOWED:
            pass
