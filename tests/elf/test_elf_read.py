"""What pyebpf.elf reads from the fixtures: maps, globals, programs, calls, externs."""

from __future__ import annotations

import struct

import pytest
from elf_fixtures import FIXTURES, fixture

from pyebpf.asm.opcodes import CallKind, PseudoSrc
from pyebpf.btf import Kind, SourceLine
from pyebpf.elf import load_object
from pyebpf.errors import ElfError, SpecError
from pyebpf.kernel_tables import AttachType, MapType, ProgType
from pyebpf.spec import Pinning


@pytest.fixture(params=["el", "eb"])
def loader(request):
    return load_object(fixture("loader", request.param))


def test_same_spec_in_both_byte_orders():
    little = load_object(fixture("loader", "el"))
    big = load_object(fixture("loader", "eb"))
    assert little.programs.keys() == big.programs.keys()
    for name, prog in little.programs.items():
        assert prog.instructions == big.programs[name].instructions, name
        assert prog.replace(
            byteorder="big", btf=None, maps={}, func_info=None, line_info=None
        ) == big.programs[name].replace(btf=None, maps={}, func_info=None, line_info=None)
    for name, spec in little.maps.items():
        # data contents differ by byte order; the variables below compare their values
        plain = {
            "btf": None,
            "inner_map": None,
            "contents": spec.contents if name[0] != "." else (),
        }
        assert spec.replace(**plain) == big.maps[name].replace(**plain)
    values = {n: v.get() for n, v in little.variables.items() if n != "data_pair"}  # u64[2]: bytes
    assert values == {n: v.get() for n, v in big.variables.items() if n != "data_pair"}


def test_reading_is_deterministic():
    data = fixture("loader").read_bytes()
    one, two = load_object(data), load_object(bytearray(data))
    assert {n: p.instructions for n, p in one.programs.items()} == {
        n: p.instructions for n, p in two.programs.items()
    }
    assert list(one.maps) == list(two.maps)


def test_btf_maps(loader):
    maps = loader.maps
    h = maps["hash_map"]
    assert (h.type, h.key_size, h.value_size, h.max_entries, h.flags) == (
        MapType.HASH,
        4,
        16,
        16,
        1,
    )
    assert loader.btf[h.value_type_id].name == "pair"
    assert loader.btf.resolve(h.key_type_id).kind == Kind.INT
    s = maps["sized_array"]
    assert (s.type, s.key_size, s.value_size, s.max_entries, s.key_type_id) == (
        MapType.ARRAY,
        4,
        8,
        4,
        0,
    )
    assert maps["percpu_counts"].type == MapType.PERCPU_ARRAY
    assert (maps["events"].type, maps["events"].max_entries) == (MapType.RINGBUF, 4096)
    assert maps["pinned_map"].pinning == Pinning.BY_NAME
    bloom = maps["bloom"]
    assert (bloom.type, bloom.key_size, bloom.value_size, bloom.map_extra) == (
        MapType.BLOOM_FILTER,
        0,
        4,
        3,
    )


def test_map_in_map_and_prog_array(loader):
    outer = loader.maps["outer"]
    assert outer.type == MapType.ARRAY_OF_MAPS and outer.value_size == 4
    assert outer.inner_map is not None
    assert (outer.inner_map.type, outer.inner_map.key_size, outer.inner_map.value_size) == (
        MapType.ARRAY,
        4,
        4,
    )
    assert outer.contents == ((0, "inner_a"), (1, "inner_b"))
    table = loader.maps["jump_table"]
    assert (table.type, table.value_size, table.contents) == (
        MapType.PROG_ARRAY,
        4,
        ((1, "tail_target"),),
    )


def test_data_sections(loader):
    order = loader.byteorder
    data = loader.maps[".data"]
    assert (data.type, data.max_entries, data.key_size, data.value_size) == (
        MapType.ARRAY,
        1,
        4,
        24,
    )
    assert data.contents[0][1][:4] == (7).to_bytes(4, order)
    assert loader.maps[".rodata"].freeze and not data.freeze
    assert loader.maps[".rodata"].flags & 0x80  # BPF_F_RDONLY_PROG
    assert loader.maps[".bss"].contents == ((0, bytes(16)),)
    assert loader.maps[".data.custom"].contents[0][1] == (99).to_bytes(4, order)
    assert loader.maps[".rodata.custom"].freeze
    strings = loader.maps[".rodata.str1.1"]
    assert strings.freeze and strings.contents == ((0, b"pyebpf\0"),)
    literal = [
        i for i in loader.programs["syscall_prog"].instructions if i.reference == ".rodata.str1.1"
    ]
    assert len(literal) == 1 and literal[0].imm_high == 0
    assert loader.btf[data.value_type_id].kind == Kind.DATASEC
    # libbpf-style fix-up: the DATASEC now has the section size and real offsets.
    datasec = loader.btf[data.value_type_id]
    assert datasec.size == 24
    assert [v.offset for v in datasec.secinfos] == [0, 8]


def test_variables_read_and_write(loader):
    v = loader.variables
    assert v["data_counter"].get() == 7
    assert v["rodata_limit"].get() == 42 and v["rodata_limit"].read_only
    assert v["rodata_tag"].get() == b"pyebpf\0\0"
    assert v["data_pair"].get_bytes() == struct.pack(
        ("<" if loader.byteorder == "little" else ">") + "QQ", 0x1111, 0x2222
    )
    assert v["custom_value"].get() == 99 and v["custom_ro"].get() == 5
    assert v["bss_hits"].get() == 0
    v["rodata_limit"].set(1000)
    assert v["rodata_limit"].get() == 1000
    assert loader.maps[".rodata"].contents[0][1][:4] == (1000).to_bytes(4, loader.byteorder)
    # every program that uses .rodata sees the new contents
    assert loader.programs["socket_prog"].maps[".rodata"] is loader.maps[".rodata"]
    v["rodata_tag"].set(b"changed\0")
    assert v["rodata_tag"].get() == b"changed\0"
    with pytest.raises(SpecError):
        v["rodata_tag"].set(b"short")
    with pytest.raises(SpecError):
        v["data_counter"].set(1 << 40)


def test_program_types(loader):
    p = loader.programs
    assert p["socket_prog"].type == ProgType.SOCKET_FILTER
    assert p["xdp_pass"].attach_type == AttachType.XDP and p["xdp_drop"].section_name == "xdp"
    assert p["tc_prog"].type == p["tail_target"].type == ProgType.SCHED_CLS
    assert (p["kprobe_prog"].type, p["kprobe_prog"].attach_to) == (
        ProgType.KPROBE,
        "do_sys_openat2",
    )
    assert p["tracepoint_prog"].attach_to == "syscalls/sys_enter_getpid"
    assert p["raw_tp_prog"].type == ProgType.RAW_TRACEPOINT
    assert p["cgroup_skb_prog"].attach_type == AttachType.CGROUP_INET_INGRESS
    assert p["syscall_prog"].flags == 1 << 4  # sleepable
    assert all(prog.license == "Dual BSD/GPL" for prog in p.values())


def test_bpf_to_bpf_calls(loader):
    prog = loader.programs["socket_prog"]
    labels = prog.instructions.labels
    assert list(labels) == ["socket_prog", "add_static", "global_helper"]
    calls = [i for i in prog.instructions if i.is_local_call]
    assert [c.reference for c in calls] == ["add_static", "global_helper"]
    linked = prog.instructions.link()
    for call in (i for i, insn in enumerate(linked) if insn.is_local_call):
        target = linked.slot_of(call) + 1 + linked[call].imm
        assert linked.index_of(target) in labels.values()
    # func info: one record per function, at its new start slot
    assert [(f.insn_off // 8, loader.btf[f.type_id].name) for f in prog.func_info] == [
        (prog.instructions.slot_of(i), name) for name, i in labels.items()
    ]


def test_callbacks(loader):
    prog = loader.programs["xdp_pass"]
    refs = [i for i in prog.instructions if i.is_func_ref]
    assert [r.reference for r in refs] == ["loop_body"]
    assert "loop_body" in prog.instructions.labels
    assert loader.programs["syscall_prog"].instructions.function_references() == {"loop_body"}


def test_map_and_data_references(loader):
    prog = loader.programs["socket_prog"]
    loads = {i.reference: i for i in prog.instructions if i.is_map_load}
    assert loads["hash_map"].src == PseudoSrc.MAP_FD
    assert loads[".bss"].src == PseudoSrc.MAP_VALUE
    offsets = sorted(i.imm_high for i in prog.instructions if i.reference == ".bss")
    assert offsets == [0, 8]  # bss_hits, bss_last
    assert set(prog.maps) == {"hash_map", ".data", ".bss", ".rodata"}
    assert prog.maps["hash_map"] is loader.maps["hash_map"]


def test_line_info_on_instructions(loader):
    prog = loader.programs["socket_prog"]
    sources = [i.source for i in prog.instructions if i.source is not None]
    assert sources and all(isinstance(s, SourceLine) for s in sources)
    text = (FIXTURES / "loader.c").read_text().splitlines()
    for s in sources:
        assert s.text == text[s.line - 1]
    assert any("bpf_map_update_elem(&hash_map" in s.text for s in sources)
    assert len(prog.line_info) == len(sources)


def test_legacy_maps():
    obj = load_object(fixture("legacy"))
    h, e = obj.maps["legacy_hash"], obj.maps["legacy_extra"]
    assert (h.type, h.key_size, h.value_size, h.max_entries, h.extra) == (
        MapType.HASH,
        4,
        8,
        8,
        b"",
    )
    assert (e.type, e.max_entries) == (MapType.ARRAY, 2)
    assert e.extra == struct.pack("<I", 0xDEADBEEF)
    assert obj.kernel_version == 0x060C00
    assert load_object(fixture("legacy", "eb")).maps["legacy_extra"].extra == struct.pack(
        ">I", 0xDEADBEEF
    )
    assert set(obj.programs["legacy_prog"].maps) == {"legacy_hash", "legacy_extra"}


def test_externs():
    obj = load_object(fixture("externs"))
    ext = obj.externs
    assert ext["bpf_cast_to_kern_ctx"].kind == "kfunc"
    assert ext["LINUX_KERNEL_VERSION"].kind == "kconfig" and ext["LINUX_KERNEL_VERSION"].size == 4
    assert ext["CONFIG_BPF_SYSCALL"].size == 1
    assert ext["CONFIG_PYEBPF_DOES_NOT_EXIST"].weak
    missing = ext["bpf_pyebpf_no_such_kfunc"]
    assert missing.kind == "kfunc" and missing.weak
    probe = [
        i
        for i in obj.programs["xdp_kfunc"].instructions
        if i.is_ld_imm64 and i.reference == "bpf_pyebpf_no_such_kfunc"
    ]
    assert len(probe) == 1 and probe[0].src == PseudoSrc.BTF_ID  # bpf_ksym_exists()
    offsets = sorted((e.offset, e.size) for e in ext.values() if e.kind == "kconfig")
    assert obj.maps[".kconfig"].value_size == offsets[-1][0] + offsets[-1][1]
    call = next(i for i in obj.programs["xdp_kfunc"].instructions if i.is_kfunc_call)
    assert (call.src, call.reference) == (CallKind.KFUNC, "bpf_cast_to_kern_ctx")
    kconfig_loads = [
        i for i in obj.programs["xdp_kconfig"].instructions if i.reference == ".kconfig"
    ]
    assert {i.imm_high for i in kconfig_loads} == {
        e.offset for e in ext.values() if e.kind == "kconfig"
    }
    ksym = load_object(fixture("ksym"))
    assert ksym.externs["bpf_prog_active"].kind == "ksym" and ksym.externs["bpf_prog_active"].typed
    load = next(
        i for i in ksym.programs["xdp_ksym"].instructions if i.reference == "bpf_prog_active"
    )
    assert load.src == PseudoSrc.BTF_ID


def test_not_an_object(tmp_path):
    with pytest.raises(ElfError, match="not an ELF"):
        load_object(b"\0" * 100)
    with pytest.raises(ElfError, match="cannot read"):
        load_object(tmp_path / "missing.o")


def _patch_relocation(data: bytes, section: str, index: int, new_type: int) -> bytes:
    import io

    from elftools.elf.elffile import ELFFile

    rel = ELFFile(io.BytesIO(data)).get_section_by_name(section)
    out = bytearray(data)
    pos = rel["sh_offset"] + 16 * index + 8  # r_info, little-endian: type in the low 32 bits
    struct.pack_into("<I", out, pos, new_type)
    return bytes(out)


@pytest.mark.parametrize(
    ("new_type", "message"),
    [
        (2, "R_BPF_64_ABS64 cannot apply to an instruction"),
        (3, "R_BPF_64_ABS32 cannot apply to an instruction"),
        (4, "R_BPF_64_NODYLD32 cannot apply to an instruction"),
        (10, "R_BPF_64_32 relocation on .* which is not a call"),
        (77, "relocation type 77 cannot apply"),
    ],
)
def test_relocation_types_refused_with_a_precise_error(new_type, message):
    data = _patch_relocation(fixture("loader").read_bytes(), ".relsocket", 0, new_type)
    with pytest.raises(ElfError, match=message) as info:
        load_object(data)
    assert info.value.section == "socket" and info.value.offset is not None


def test_map_load_with_a_call_relocation_is_refused():
    # .relsocket entry 4 is the R_BPF_64_32 of `call add_static`; make it R_BPF_64_64.
    data = _patch_relocation(fixture("loader").read_bytes(), ".relsocket", 4, 1)
    with pytest.raises(ElfError, match="not ld_imm64"):
        load_object(data)
