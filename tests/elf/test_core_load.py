"""CO-RE on the core.c fixture: offline against BTF, and in the kernel against libbpf."""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import shutil
import struct
import subprocess
import threading

import pytest
from elf_fixtures import fixture
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf.asm.opcodes import InsnClass
from pyebpf.btf import (
    VOID,
    BTFType,
    CORERelocation,
    CORERelocKind,
    Enumerator,
    Kind,
    Member,
    encode_btf,
    kernel_btf,
    parse_btf,
)
from pyebpf.btf.core import CandidateCache, compute_relocation
from pyebpf.collection import load_collection
from pyebpf.elf import load_object
from pyebpf.elf.core import POISON_CALL_CORE, apply_core_relocations
from pyebpf.errors import BTFError, CORERelocationError, VerifierError

VMLINUX = "/sys/kernel/btf/vmlinux"


@pytest.fixture(scope="module")
def core_obj():
    return load_object(fixture("core"))


# --- offline ------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["el", "eb"])
def test_relocating_against_the_objects_own_btf_changes_nothing(order):
    """Every value stays what clang computed, except that the ___core flavour of __sk_buff
    is ambiguous with the UAPI __sk_buff the object also describes (fields in other places)."""
    obj = load_object(fixture("core", order))
    assert obj.btf is not None
    cache = CandidateCache(obj.btf, obj.btf)
    checked = ambiguous = 0
    for name, relos in obj.core_relocations.items():
        prog = obj.programs[name]
        for relo in relos:
            root = obj.btf[relo.type_id].name
            try:
                result = compute_relocation(obj.btf, relo, cache)
            except CORERelocationError as exc:
                assert root == "__sk_buff___core" and "ambiguity" in str(exc)
                ambiguous += 1
                continue
            assert not result.poison, (name, relo)
            assert result.new_value == result.orig_value, (name, relo)
            checked += 1
            if not result.validate:
                continue  # bitfields: clang may pick another load size than libbpf's rule
            insn = prog.instructions[prog.instructions.index_of(relo.slot)]
            patched = apply_core_relocations(
                prog.instructions[:0] + [insn],
                [dataclasses.replace(relo, insn_off=0)],
                obj.btf,
                cache,
                name,
            )
            assert patched[0] == insn
    # len and mark read in core_ctx, mark written in core_kernel_skb; pkt_type is at 4 in both
    assert checked >= 40 and ambiguous == 3


def test_every_relocation_kind_is_in_the_fixture(core_obj):
    kinds = {r.kind for relos in core_obj.core_relocations.values() for r in relos}
    assert kinds == set(CORERelocKind)


@settings(max_examples=300, deadline=None)
@given(
    type_id=st.integers(0, 80),
    access=st.one_of(
        st.lists(st.integers(0, 20), min_size=0, max_size=5).map(lambda xs: ":".join(map(str, xs))),
        st.text(alphabet="0123456789:-x ", max_size=8),
    ),
    kind=st.sampled_from(list(CORERelocKind)),
    slot=st.integers(0, 40),
)
def test_corrupt_records_give_a_relocation_error(core_obj, type_id, access, kind, slot):
    """Any record on any instruction: a result or a CORERelocationError, nothing else."""
    prog = core_obj.programs["core_task_bits"]
    relo = CORERelocation(slot * 8, type_id, access, kind)
    try:
        out = apply_core_relocations(prog.instructions, [relo], core_obj.btf, core_obj.btf, "p")
    except CORERelocationError as exc:
        assert "program 'p'" in str(exc)
    else:
        assert out.slot_count == prog.instructions.slot_count


# --- in the kernel ------------------------------------------------------------------------


def _bpftool() -> str:
    path = shutil.which("bpftool")
    if path is None:
        pytest.skip("bpftool is not installed")
    return path


def _libbpf_load(bpffs: str) -> tuple[dict[str, bytes], str]:
    """Load core-el.o with libbpf (bpftool -d): each program's xlated code, and the debug log."""
    from pyebpf.syscall import Program

    pins = os.path.join(bpffs, "core")
    done = subprocess.run(
        [_bpftool(), "-d", "prog", "loadall", str(fixture("core")), pins],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"bpftool could not load core-el.o: {done.stderr[-1500:]}")
    xlated = {}
    for name in os.listdir(pins):
        prog = Program.from_pin(os.path.join(pins, name))
        xlated[name] = prog.info().xlated
        prog.close()
        os.unlink(os.path.join(pins, name))
    return xlated, done.stderr


@pytest.mark.kernel
def test_kernel_translates_the_same_code_as_with_libbpf(bpffs):
    theirs, _log = _libbpf_load(bpffs)
    with load_collection(fixture("core")) as coll:
        ours = {name: prog.info().xlated for name, prog in coll.programs.items()}
    assert set(ours) == set(theirs) and len(ours) == 13
    differ = sorted(name for name in ours if ours[name] != theirs[name])
    assert differ == []


MEMORY = (InsnClass.LDX, InsnClass.ST, InsnClass.STX)
_PATCHED = re.compile(
    r"prog '(\w+)': relo #\d+: (?:patched insn #(\d+) \(([\w/]+)\) (\w+) (\d+) -> (\d+)"
    r"|substituting insn #(\d+) w/ invalid insn)"
)


def _libbpf_decisions(log: str) -> dict[tuple[str, int], int | str]:
    """(function, slot in it) -> new value ("value/size" with a new memory size, or "poison")
    for every instruction libbpf's debug log says it patched."""
    theirs: dict[tuple[str, int], int | str] = {}
    for m in _PATCHED.finditer(log):
        prog, slot, _what, field, _old, new, poisoned = m.groups()
        if poisoned is not None:
            theirs[(prog, int(poisoned))] = "poison"
        elif field == "mem_sz":  # the load/store size, logged after the offset
            theirs[(prog, int(slot))] = f"{theirs[(prog, int(slot))]}/{new}"
        else:
            theirs[(prog, int(slot))] = int(new)
    return theirs


def _our_decisions(obj, targets) -> dict[tuple[str, int], int | str]:
    """The same for pyebpf: libbpf relocates subprograms once, under their own name and
    relative to their start; pyebpf relocates each program's copy (found by func info)."""
    btf = obj.btf
    cache = CandidateCache(btf, targets)
    ours: dict[tuple[str, int], int | str] = {}
    for name, relos in obj.core_relocations.items():
        prog = obj.programs[name]
        starts = sorted((f.insn_off // 8, btf[f.type_id].name) for f in prog.func_info)
        for relo in relos:
            start, func = max(s for s in starts if s[0] <= relo.slot)
            insn = prog.instructions[prog.instructions.index_of(relo.slot)]
            result = compute_relocation(btf, relo, cache)
            value: int | str = result.new_value
            if result.poison or (result.fail_size_adjust and insn.cls in MEMORY):
                value = "poison"
            elif result.new_size != result.orig_size and insn.cls in MEMORY:
                value = f"{value}/{result.new_size}"
            ours[(func, relo.slot - start)] = value
            if value == "poison" and insn.is_ld_imm64:  # both halves, the second one first
                ours[(func, relo.slot - start + 1)] = value
    return ours


@pytest.mark.kernel
def test_every_patch_agrees_with_libbpfs_debug_log(core_obj, bpffs):
    """libbpf (bpftool -d) logs each patched or poisoned instruction: pyebpf decides the same
    for every relocation against the running kernel."""
    _xlated, log = _libbpf_load(bpffs)
    theirs = _libbpf_decisions(log)
    ours = _our_decisions(core_obj, kernel_btf())
    assert ours == theirs
    assert "poison" in ours.values() and any("/" in str(v) for v in ours.values())


@pytest.mark.kernel
def test_programs_read_the_running_kernel_through_relocations():
    vmlinux = kernel_btf()
    task = vmlinux.find_one("task_struct", Kind.STRUCT)
    members = {m.name: m for m in task.members}
    with load_collection(fixture("core")) as coll:

        def run(name: str, packet: bytes = bytes(64)) -> int:
            return coll.programs[name].test_run(packet).retval

        assert run("core_task_pid") == threading.get_native_id()
        assert run("core_task_tgid") == os.getpid()
        assert run("core_task_parent") == os.getppid()
        assert run("core_task_state") == 1000  # __state exists (5.14+) and we are running
        comm3 = members["comm"].bit_offset // 8 + 3
        assert run("core_task_bits") == (comm3 << 2) | 2  # not in execve, comm[0] set
        assert run("core_field_offset") == members["tgid"].bit_offset // 8
        assert run("core_type_size") == task.size
        assert run("core_type_id_kernel") == task.id
        local_task = coll.spec.btf.find_one("task_struct", Kind.STRUCT)  # type: ignore[union-attr]
        assert run("core_type_id_local") == local_task.id
        assert run("core_exists") == 0x1FF
        pid_type = {e.name: e.value for e in vmlinux.find_one("pid_type", Kind.ENUM).enumerators}
        assert run("core_enum_value") == pid_type["PIDTYPE_MAX"] << 8 | pid_type["PIDTYPE_SID"]
        # pkt_type from the loopback device's eth_type_trans: host, multicast, other host.
        packets = ((bytes(6), 0), (b"\x01\x00\x5e\0\0\1", 2), (b"\x02\0\0\0\0\1", 3))
        for dest, pkt_type in packets:
            # Socket filter: ctx fields in the kernel's order; len without the Ethernet header.
            assert run("core_ctx", dest + bytes(58)) == (64 - 14) | pkt_type << 16, dest
            # tc on the kernel's sk_buff: len, the pkt_type bitfield read directly and probed.
            value = run("core_kernel_skb", dest + bytes(58))
            assert value == 64 | pkt_type << 16 | pkt_type << 20 | 1 << 24, dest


@pytest.mark.kernel
def test_target_btf_from_a_file_or_object():
    with load_collection(fixture("core"), core_btf=VMLINUX) as coll:
        assert coll.programs["core_type_size"].test_run(bytes(64)).retval == (
            kernel_btf().find_one("task_struct", Kind.STRUCT).size
        )
    with load_collection(fixture("core"), core_btf=kernel_btf()) as coll:
        assert coll.programs["core_task_pid"].test_run(bytes(64)).retval == (
            threading.get_native_id()
        )


@pytest.mark.kernel
def test_a_reachable_poisoned_instruction_is_reported_by_the_verifier(core_obj):
    """Without its field_exists guard the poisoned read is live: the verifier names 0xbad2310."""
    relos = core_obj.core_relocations["core_task_state"]
    unguarded = tuple(r for r in relos if r.kind != CORERelocKind.FIELD_EXISTS)
    obj = dataclasses.replace(
        core_obj,
        programs={"core_task_state": core_obj.programs["core_task_state"]},
        core_relocations={"core_task_state": unguarded},
    )
    with pytest.raises(VerifierError) as info:
        load_collection(obj)
    assert f"unknown#{POISON_CALL_CORE}" in info.value.log


@pytest.mark.kernel
def test_unapplicable_relocation_names_program_and_instruction(core_obj):
    relos = core_obj.core_relocations["core_ctx"]
    bad = (dataclasses.replace(relos[0], access="0:7"),) + relos[1:]
    obj = dataclasses.replace(
        core_obj,
        programs={"core_ctx": core_obj.programs["core_ctx"]},
        core_relocations={"core_ctx": bad},
    )
    with pytest.raises(CORERelocationError) as info:
        load_collection(obj)
    text = str(info.value)
    assert "program 'core_ctx'" in text and "instruction 0" in text
    assert "'0:7'" in text and "__sk_buff___core" in text


# --- corrupt CO-RE records in the object file ------------------------------------------------


def _core_records(raw: bytes) -> tuple[int, int]:
    """File offset of the first CO-RE record in core-el.o's .BTF.ext, and the record size."""
    from elftools.elf.elffile import ELFFile

    with open(fixture("core"), "rb") as f:
        section = ELFFile(f).get_section_by_name(".BTF.ext")
        assert section is not None
        start = section["sh_offset"]
    hdr_len = struct.unpack_from("<I", raw, start + 4)[0]
    core_off = struct.unpack_from("<I", raw, start + 24)[0]
    block = start + hdr_len + core_off
    rec_size = struct.unpack_from("<I", raw, block)[0]
    return block + 4 + 8, rec_size  # after rec_size and the first section's name/count


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [(3, 99, "unknown CO-RE relocation kind 99"), (1, 0xFFFFFF, "does not exist")],
)
def test_corrupt_record_fields_are_located(field, value, message):
    raw = bytearray(fixture("core").read_bytes())
    first, _size = _core_records(bytes(raw))
    struct.pack_into("<I", raw, first + 4 * field, value)
    with pytest.raises(BTFError, match=message) as info:
        load_object(bytes(raw))
    assert info.value.section == ".BTF.ext" and info.value.offset is not None


def test_a_record_with_a_wrong_access_string_fails_to_relocate(core_obj):
    """An access string offset that points at a type name, and an odd instruction offset:
    the object reads, the relocation says what is wrong and where."""
    raw = bytearray(fixture("core").read_bytes())
    first, size = _core_records(bytes(raw))
    btf = core_obj.btf
    name_off = bytes(btf.strings).index(b"\0task_struct\0") + 1
    struct.pack_into("<I", raw, first + 8, name_off)  # record 0: access = "task_struct"
    struct.pack_into("<I", raw, first + size, 3 + struct.unpack_from("<I", raw, first + size)[0])
    obj = load_object(bytes(raw))
    errors = []
    for name, relos in obj.core_relocations.items():
        for relo in relos:
            try:
                apply_core_relocations(obj.programs[name].instructions, [relo], btf, btf, name)
            except CORERelocationError as exc:
                errors.append(str(exc))
    assert any("'task_struct'" in e and "not a list of indices" in e for e in errors), errors
    assert any("not a multiple of 8" in e for e in errors), errors


# --- against libbpf on another "kernel" ------------------------------------------------------


def _libbpf_core_log(obj_path: str, btf_path: str) -> str:
    """libbpf's debug log of loading ``obj_path`` with ``btf_custom_path=btf_path``.

    Relocation happens before any program is loaded, so the log has every CO-RE decision
    even when the kernel then refuses programs relocated for another kernel.
    """
    import ctypes
    import ctypes.util

    if platform.machine() not in ("x86_64", "aarch64"):
        pytest.skip(
            f"passing a va_list through ctypes is not known to work on {platform.machine()}"
        )
    path = ctypes.util.find_library("bpf")
    if path is None:
        pytest.skip("libbpf is not installed")
    lib, libc = ctypes.CDLL(path), ctypes.CDLL(None)
    lines: list[str] = []
    printer_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)

    @printer_type
    def printer(_level, fmt, args):  # va_list is passed as a pointer on x86-64 and arm64
        buf = ctypes.create_string_buffer(4096)
        libc.vsnprintf(buf, ctypes.c_size_t(len(buf)), fmt, ctypes.c_void_p(args))
        lines.append(buf.value.decode(errors="replace"))
        return 0

    class OpenOpts(ctypes.Structure):  # struct bpf_object_open_opts of libbpf 1.x
        _fields_ = [
            ("sz", ctypes.c_size_t),
            ("object_name", ctypes.c_char_p),
            ("relaxed_maps", ctypes.c_bool),
            ("pin_root_path", ctypes.c_char_p),
            ("_attach_prog_fd", ctypes.c_uint32),
            ("kconfig", ctypes.c_char_p),
            ("btf_custom_path", ctypes.c_char_p),
        ]

    lib.libbpf_set_print.restype = ctypes.c_void_p
    lib.libbpf_set_print.argtypes = [printer_type]
    lib.bpf_object__open_file.restype = ctypes.c_void_p
    lib.bpf_object__open_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(OpenOpts)]
    lib.bpf_object__load.argtypes = [ctypes.c_void_p]
    lib.bpf_object__close.argtypes = [ctypes.c_void_p]
    previous = lib.libbpf_set_print(printer)
    try:
        opts = OpenOpts(sz=ctypes.sizeof(OpenOpts), btf_custom_path=btf_path.encode())
        obj = lib.bpf_object__open_file(obj_path.encode(), ctypes.byref(opts))
        assert obj, "".join(lines)
        lib.bpf_object__load(obj)  # may fail: the relocations for another kernel are logged
        lib.bpf_object__close(obj)
    finally:
        lib.libbpf_set_print(ctypes.cast(previous, printer_type) if previous else printer_type())
    return "".join(lines)


_TASK_FIELDS = ("state", "__state", "flags", "in_execve", "pid", "tgid", "real_parent", "comm")


def _other_kernel(
    task_fields: tuple[str, ...] = ("state", "flags", "in_execve", "pid", "tgid", "real_parent"),
    execve_bit: int = 5,
    pkt_type_bit: int = 9,
    ctx_order: tuple[str, ...] = ("len", "queue", "mark", "pkt_type"),
    pid_types: tuple[tuple[str, int], ...] = (("PIDTYPE_PID", 0), ("PIDTYPE_SID", 5)),
) -> bytes:
    """A made-up kernel's BTF. By default: an old task_struct (state, not __state; fields
    elsewhere, comm last), an sk_buff with pkt_type in an anonymous struct in an anonymous
    union, a reordered __sk_buff, other enum values (and no PIDTYPE_MAX)."""
    types = [VOID]

    def add(kind: Kind, name: str = "", **fields: object) -> int:
        types.append(BTFType(len(types), kind, name, **fields))  # type: ignore[arg-type]
        return len(types) - 1

    def int_(name: str, size: int, signed: bool = False) -> int:
        return add(Kind.INT, name, size=size, encoding=int(signed), bits=8 * size)

    s32, u32 = int_("int", 4, True), int_("unsigned int", 4)
    s64, char, u8 = int_("long int", 8, True), int_("char", 1, True), int_("unsigned char", 1)
    task = len(types) + 2
    task_ptr = add(Kind.PTR, type=task)
    comm = add(Kind.ARRAY, type=char, index_type=u32, nelems=16)
    m = Member
    shapes = {  # type, size; in_execve is a 1-bit field in a u32 of its own
        "state": (s64, 8),
        "__state": (u32, 4),
        "flags": (u32, 4),
        "in_execve": (u32, 4),
        "pid": (s32, 4),
        "tgid": (s32, 4),
        "real_parent": (task_ptr, 8),
        "comm": (comm, 16),
    }
    members, offset = [], 0
    for name in (*task_fields, "comm"):
        type_id, size = shapes[name]
        offset = -(-offset // min(size, 8)) * min(size, 8)
        if name == "in_execve":
            members.append(m(name, type_id, offset * 8 + execve_bit, 1))
        else:
            members.append(m(name, type_id, offset * 8))
        offset += size
    add(Kind.STRUCT, "task_struct", size=-(-offset // 8) * 8, members=tuple(members))
    bits = add(
        Kind.STRUCT, size=4, members=(m("cloned", u8, 0, 1), m("pkt_type", u8, pkt_type_bit, 3))
    )
    anon = add(Kind.UNION, size=4, members=(m("", bits, 0), m("flags", u32, 0)))
    add(
        Kind.STRUCT,
        "sk_buff",
        size=64,
        members=(m("next", task_ptr, 0), m("", anon, 64), m("len", u32, 96), m("mark", u32, 128)),
    )
    ctx = tuple(m(name, u32, 32 * i) for i, name in enumerate(ctx_order))
    add(Kind.STRUCT, "__sk_buff", size=4 * len(ctx_order), members=ctx)
    add(Kind.ENUM, "pid_type", size=4, enumerators=tuple(Enumerator(*v) for v in pid_types))
    head = len(types) + 1
    add(Kind.STRUCT, "list_head", size=16, members=(m("next", head, 0), m("prev", head, 64)))
    add(Kind.PTR, type=head - 1)
    return encode_btf(types)


@pytest.mark.kernel
def test_decisions_agree_with_libbpf_on_another_kernel(core_obj, tmp_path):
    """The fixture relocated for a made-up kernel by libbpf (btf_custom_path) and by pyebpf:
    the same patch or poison for every instruction."""
    target = tmp_path / "other.btf"
    target.write_bytes(_other_kernel())
    log = _libbpf_core_log(str(fixture("core")), str(target))
    assert "failed to relocate" not in log, log[-2000:]
    theirs = _libbpf_decisions(log)
    ours = _our_decisions(core_obj, parse_btf(target.read_bytes()))
    assert ours == theirs
    values = list(ours.values())
    assert values.count("poison") >= 6  # __state, the extra field, enum values, ...


@st.composite
def _kernels(draw):
    fields = draw(st.lists(st.sampled_from(_TASK_FIELDS[:-1]), unique=True, min_size=1))
    ctx = draw(st.permutations(("len", "queue", "mark", "pkt_type")))
    names = draw(st.sets(st.sampled_from(("PIDTYPE_PID", "PIDTYPE_SID", "PIDTYPE_MAX"))))
    pid_types = tuple((n, draw(st.integers(0, 1000))) for n in sorted(names))
    return _other_kernel(
        tuple(fields), draw(st.integers(0, 31)), draw(st.integers(0, 13)), tuple(ctx), pid_types
    )


@pytest.mark.kernel
@settings(max_examples=60, deadline=None)
@given(btf=_kernels())
def test_decisions_agree_with_libbpf_on_random_kernels(core_obj, btf):
    """Made-up kernels with task_struct fields missing, reordered and renamed, bitfields
    elsewhere, other __sk_buff orders and enum values: libbpf and pyebpf agree on all."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".btf") as f:
        f.write(btf)
        f.flush()
        log = _libbpf_core_log(str(fixture("core")), f.name)
    assert "failed to relocate" not in log, log[-2000:]
    assert _our_decisions(core_obj, parse_btf(btf)) == _libbpf_decisions(log)
