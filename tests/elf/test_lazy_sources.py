"""Line info is resolved lazily: ``load_object`` builds no source-line objects, yet every
instruction shows the same C line as an eager reading of ``.BTF.ext`` gives, and a bad
string offset in a line record is still an error of the parse, naming the record."""

from __future__ import annotations

import struct

import pytest
from elf_fixtures import OBJECTS, fixture

import pyebpf.btf.ext as ext_module
from pyebpf.btf import parse_btf, parse_btf_ext
from pyebpf.elf import load_object
from pyebpf.errors import BTFError


def section(path, name: str) -> bytes:
    from elftools.elf.elffile import ELFFile

    with open(path, "rb") as f:
        found = ELFFile(f).get_section_by_name(name)
        assert found is not None
        return bytes(found.data())


def test_load_object_builds_no_source_lines_until_asked(monkeypatch) -> None:
    built = []
    real = ext_module._new_source_line

    def counting(*args):
        built.append(args)
        return real(*args)

    monkeypatch.setattr(ext_module, "_new_source_line", counting)
    spec = load_object(fixture("loader"))
    assert built == []
    prog = spec.programs["socket_prog"]
    shown = [insn.source for insn in prog.instructions if insn.source is not None]
    assert shown and len(built) == len({id(s) for s in shown})  # each built once, shared
    others = len(built)
    list(prog.instructions)  # already attached: nothing new
    assert len(built) == others


@pytest.mark.parametrize("path", OBJECTS, ids=lambda p: p.name)
def test_sources_equal_an_eager_reading(path) -> None:
    spec = load_object(path)
    if spec.btf is None:
        pytest.skip("no BTF")
    btf = spec.btf
    for prog in spec.programs.values():
        # The eager way: every line record's strings, looked up now, at its slot (the last
        # record at a slot wins).
        expected = {}
        for rec in prog.line_info:
            if rec.insn_off % 8 == 0:
                expected[rec.insn_off // 8] = (
                    btf.string(rec.file_name_off),
                    rec.line,
                    rec.column,
                    btf.string(rec.line_off),
                )
        shown = {}
        slot = 0
        for insn in prog.instructions:
            if insn.source is not None:
                s = insn.source
                shown[slot] = (s.file, s.line, s.column, s.text)
            slot += insn.width
        assert shown == expected, prog.name


def _line_record_offsets(ext: bytes) -> list[int]:
    """Byte offsets of every line_info record in ``.BTF.ext`` (little-endian)."""
    hdr_len = struct.unpack_from("<I", ext, 4)[0]
    li_off, li_len = struct.unpack_from("<II", ext, 16)
    pos = hdr_len + li_off
    end = pos + li_len
    rec_size = struct.unpack_from("<I", ext, pos)[0]
    pos += 4
    found = []
    while pos < end:
        _name, count = struct.unpack_from("<II", ext, pos)
        pos += 8
        found += [pos + i * rec_size for i in range(count)]
        pos += count * rec_size
    return found


@pytest.mark.parametrize(
    ("file_at", "line_at", "reported"),
    [(5, 9, 5), (9, 5, 5), (7, 7, 7), (None, 3, 3), (4, None, 4)],
)
def test_a_bad_line_string_names_the_first_bad_record(file_at, line_at, reported) -> None:
    path = fixture("loader")
    btf = parse_btf(section(path, ".BTF"))
    ext = bytearray(section(path, ".BTF.ext"))
    records = _line_record_offsets(bytes(ext))
    assert len(records) > 10
    bad = len(btf.strings) + 100
    if file_at is not None:
        struct.pack_into("<I", ext, records[file_at] + 4, bad)
    if line_at is not None:
        struct.pack_into("<I", ext, records[line_at] + 8, bad)
    with pytest.raises(BTFError) as err:
        parse_btf_ext(bytes(ext), btf)
    assert err.value.offset == records[reported]
    assert "outside the string section" in err.value.reason
