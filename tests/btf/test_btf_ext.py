"""BTF.ext: func info names each function at its start; line info quotes the C source."""

from __future__ import annotations

import pytest
from btf_fixtures import FIXTURES, OBJECTS, section_bytes
from elftools.elf.elffile import ELFFile

from pyebpf.btf import Kind, parse_btf, parse_btf_ext
from pyebpf.errors import BTFError


def _functions(path):
    """(section name, offset) -> function name, from the ELF symbol table."""
    with open(path, "rb") as f:
        elf = ELFFile(f)
        symtab = elf.get_section_by_name(".symtab")
        out = {}
        for sym in symtab.iter_symbols():
            if sym["st_info"]["type"] == "STT_FUNC":
                section = elf.get_section(sym["st_shndx"]).name
                out[(section, sym["st_value"])] = sym.name
        return out


@pytest.mark.parametrize("path", OBJECTS, ids=lambda p: p.name)
def test_func_info_names_every_function(path):
    btf = parse_btf(section_bytes(path, ".BTF"))
    ext = parse_btf_ext(section_bytes(path, ".BTF.ext"), btf)
    functions = _functions(path)
    seen = {}
    for section, records in ext.func_info.items():
        for rec in records:
            func = btf[rec.type_id]
            assert func.kind == Kind.FUNC
            seen[(section, rec.insn_off)] = func.name
    assert seen == functions


@pytest.mark.parametrize("path", OBJECTS, ids=lambda p: p.name)
def test_line_info_quotes_the_source(path):
    btf = parse_btf(section_bytes(path, ".BTF"))
    ext = parse_btf_ext(section_bytes(path, ".BTF.ext"), btf)
    source_name = path.name.rsplit("-", 1)[0] + ".c"
    lines = (FIXTURES / source_name).read_text().splitlines()
    total = 0
    for records in ext.line_info.values():
        offsets = [r.insn_off for r in records]
        assert offsets == sorted(offsets)
        for rec in records:
            total += 1
            assert rec.source.file.endswith(source_name)
            assert rec.source.text == lines[rec.line - 1], rec
            assert rec.source.line == rec.line and rec.source.column == rec.column
            assert str(rec.source) == lines[rec.line - 1].strip()
    assert total > 0
    # Only sources that use CO-RE (preserve_access_index / bpf_core_*) get relocations.
    source = (FIXTURES / source_name).read_text()
    uses_core = "preserve_access_index" in source or "bpf_core_" in source
    assert bool(ext.core_relos) == uses_core


def test_core_relocation_records(tmp_path):
    """A CO-RE access compiled on the fly (skips without clang)."""
    import shutil
    import subprocess

    if shutil.which("clang-22") is None:
        pytest.skip("clang-22 is not installed")
    src = tmp_path / "core.c"
    src.write_text(
        "struct s { int a; int b; } __attribute__((preserve_access_index));\n"
        "int f(struct s *p) { return __builtin_preserve_field_info(p->b, 0) + p->b; }\n"
    )
    obj = tmp_path / "core.o"
    subprocess.run(
        ["clang-22", "-O2", "-g", "-target", "bpfel", "-c", str(src), "-o", str(obj)], check=True
    )
    btf = parse_btf(section_bytes(obj, ".BTF"))
    ext = parse_btf_ext(section_bytes(obj, ".BTF.ext"), btf)
    relos = ext.core_relos[".text"]
    assert relos
    for relo in relos:
        assert btf[relo.type_id].name == "s"
        assert relo.access == "0:1"
        assert relo.kind.name == "FIELD_BYTE_OFFSET"


def test_ext_header_errors():
    path = next(p for p in OBJECTS if p.name == "loader-el.o")
    btf = parse_btf(section_bytes(path, ".BTF"))
    raw = section_bytes(path, ".BTF.ext")
    with pytest.raises(BTFError, match="too short"):
        parse_btf_ext(raw[:10], btf)
    with pytest.raises(BTFError, match="bad magic"):
        parse_btf_ext(b"\0\0" + raw[2:], btf)
    big = parse_btf(section_bytes(path.with_name("loader-eb.o"), ".BTF"))
    with pytest.raises(BTFError, match="byte order"):
        parse_btf_ext(raw, big)


def test_line_sources_are_a_lazy_exact_mapping() -> None:
    path = next(p for p in OBJECTS if p.name == "loader-el.o")
    btf = parse_btf(section_bytes(path, ".BTF"))
    ext = parse_btf_ext(section_bytes(path, ".BTF.ext"), btf)
    table = next(iter(ext.line_info.values()))
    sources = table.sources
    keys = {
        (r.file_name_off, r.line_off, (r.line << 10) | r.column)
        for t in ext.line_info.values()
        for r in t
    }
    assert set(sources) == keys and len(sources) == len(keys)
    some = next(iter(keys))
    assert some in sources and sources[some] is sources[some]  # built once
    bogus = (some[0], some[1], some[2] + 1)
    while bogus in keys:
        bogus = (bogus[0], bogus[1], bogus[2] + 1)
    assert bogus not in sources
    with pytest.raises(KeyError):
        sources[bogus]
    assert sources.get(bogus) is None
