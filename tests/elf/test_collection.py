"""Loading whole fixtures into the kernel through pyebpf and running their programs."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import struct
import subprocess
import uuid

import pytest
from elf_fixtures import fixture

from pyebpf.asm import Instructions, exit_
from pyebpf.collection import kernel_version_code, load_collection
from pyebpf.elf import load_object
from pyebpf.errors import BPFError, NotSupportedError, SpecError, VerifierError
from pyebpf.kernel_tables import ProgType

pytestmark = pytest.mark.kernel

PACKET = bytes(64)


@pytest.fixture
def loader(bpffs):
    with load_collection(fixture("loader"), pin_root=bpffs) as coll:
        yield coll


def test_programs_run_and_update_maps(loader):
    socket = loader.programs["socket_prog"].test_run(PACKET)
    assert socket.retval == 7  # global_helper(3)
    assert loader.variables["bss_hits"].get() == 1
    assert loader.variables["bss_last"].get() == 50 + 42 + 3  # skb->len + rodata_limit + static
    assert loader.maps["hash_map"].lookup(0) == struct.pack("<I4xQ", 50, 7)
    assert loader.programs["xdp_pass"].test_run(PACKET).retval == 2  # XDP_PASS
    assert loader.variables["data_pair"].get_bytes() == struct.pack("<QQ", 0x1111, 45)  # bpf_loop
    assert loader.variables["custom_value"].get() == 100
    assert loader.programs["xdp_drop"].test_run(PACKET).retval == 1  # XDP_DROP ('p'yebpf)
    assert loader.maps["hash_map"].lookup(0) == struct.pack("<I4xQ", 50, 8)


def test_tail_call_through_prog_array(loader):
    assert loader.programs["tc_prog"].test_run(PACKET).retval == 77 + 5


def test_map_in_map(loader):
    loader.maps["inner_a"].put(0, (5).to_bytes(4, "little"))
    assert loader.programs["classifier_prog"].test_run(PACKET).retval == 5 + 1 + 2 + 3


def test_callbacks_and_context_free_programs(loader):
    # bpf_loop sums 0..3; bpf_strncmp(rodata_tag, "pyebpf") -- a .rodata.str1.1 literal -- adds 100
    run = loader.programs["syscall_prog"].test_run(ctx=bytes(8), repeat=0, ctx_out_size=0)
    assert run.retval == 106
    assert loader.variables["bss_last"].get() == 106 + 7
    assert (
        loader.programs["raw_tp_prog"].test_run(ctx=bytes(16), repeat=0, ctx_out_size=0).retval == 0
    )
    assert loader.maps["sized_array"].lookup(0) == (41).to_bytes(8, "little")


def test_globals_before_and_after_load(bpffs):
    spec = load_object(fixture("loader"))
    spec.variables["rodata_limit"].set(1000)
    spec.variables["rodata_tag"].set(b"x" * 8)
    with load_collection(spec, pin_root=bpffs) as coll:
        coll.programs["socket_prog"].test_run(PACKET)
        assert coll.variables["bss_last"].get() == 50 + 1000 + 3
        assert coll.programs["xdp_drop"].test_run(PACKET).retval == 0  # XDP_ABORTED
        coll.variables["data_counter"].set(123)
        coll.programs["syscall_prog"].test_run(ctx=bytes(8), repeat=0, ctx_out_size=0)
        assert coll.variables["bss_last"].get() == 6 + 123  # rodata_tag is no longer "pyebpf"
        with pytest.raises(BPFError):
            coll.variables["rodata_limit"].set(1)  # .rodata is frozen


def test_pinning_by_name_reuses_the_map(bpffs):
    with load_collection(fixture("loader"), pin_root=bpffs) as first:
        assert os.path.exists(os.path.join(bpffs, "pinned_map"))
        first_id = first.maps["pinned_map"].id
        with load_collection(fixture("loader"), pin_root=bpffs) as second:
            assert second.maps["pinned_map"].id == first_id
    spec = load_object(fixture("loader"))
    spec.replace_map(spec.maps["pinned_map"].replace(max_entries=2))
    with pytest.raises(SpecError, match="differs"):
        load_collection(spec, pin_root=bpffs)


def test_legacy_maps_load():
    with load_collection(fixture("legacy")) as coll:
        assert coll.programs["legacy_prog"].test_run(PACKET).retval == 0
        assert coll.maps["legacy_extra"].lookup(0) == (2).to_bytes(4, "little")
        assert coll.maps["legacy_hash"].get(0) is None


def test_missing_weak_kfunc_is_poisoned_like_libbpf():
    from pyebpf.collection import POISON_CALL_KFUNC_BASE, _resolve_externs

    obj = load_object(fixture("externs"))
    insns = _resolve_externs(obj.programs["xdp_kfunc"].instructions, obj.externs, "xdp_kfunc")
    calls = [i for i in insns if i.is_call]
    assert calls[0].is_kfunc_call and calls[0].imm > 0  # bpf_cast_to_kern_ctx: a kernel BTF id
    assert calls[1].is_helper_call and calls[1].imm >= POISON_CALL_KFUNC_BASE
    probe = next(i for i in insns if i.is_ld_imm64)
    assert (probe.src, probe.imm) == (0, 0)  # bpf_ksym_exists() reads false


def test_kfunc_and_kconfig():
    with load_collection(fixture("externs")) as coll:
        assert coll.programs["xdp_kfunc"].test_run(PACKET).retval == 2
        assert coll.programs["xdp_kconfig"].test_run(PACKET).retval == 2  # CONFIG_BPF_SYSCALL=y
        assert coll.variables["seen_version"].get() == kernel_version_code()
    with load_collection(fixture("externs"), kconfig={"CONFIG_BPF_SYSCALL": False}) as coll:
        assert coll.programs["xdp_kconfig"].test_run(PACKET).retval == 0


def test_typed_ksym():
    """The ksym is resolved by kernel BTF id; the kernel then needs its address in kallsyms."""
    try:
        coll = load_collection(fixture("ksym"))
    except VerifierError as exc:
        assert "bpf_prog_active" in exc.log  # no CONFIG_KALLSYMS_ALL on this kernel
        return
    with coll:
        assert coll.programs["xdp_ksym"].test_run(PACKET).retval == 2


def test_every_btf_kind_loads():
    with load_collection(fixture("btfkinds")) as coll:
        assert coll.btf is not None
        assert coll.programs["kinds"].test_run(PACKET).retval == 50 + 1
        assert coll.programs["kinds"].info().btf_id != 0  # loaded with the object BTF


def test_verifier_error_keeps_the_log(bpffs):
    spec = load_object(fixture("loader"))
    bad = spec.programs["socket_prog"].replace(
        instructions=Instructions([exit_()]), func_info=None, line_info=None
    )
    spec.programs["socket_prog"] = bad
    with pytest.raises(VerifierError) as info:
        load_collection(spec, pin_root=bpffs)
    assert "R0 !read_ok" in info.value.log


def test_foreign_byte_order_is_refused():
    with pytest.raises(NotSupportedError, match="big-endian"):
        load_collection(fixture("loader", "eb"))


def _bpftool_xlated_sizes(path, pin_dir) -> dict[str, int]:
    out = subprocess.run(
        ["bpftool", "prog", "loadall", str(path), pin_dir], capture_output=True, text=True
    )
    if out.returncode != 0:
        pytest.fail(f"bpftool could not load {path.name}: {out.stderr[-500:]}")
    sizes = {}
    for name in os.listdir(pin_dir):
        info = json.loads(
            subprocess.run(
                ["bpftool", "prog", "show", "pinned", os.path.join(pin_dir, name), "--json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        sizes[name] = info["bytes_xlated"]
        os.unlink(os.path.join(pin_dir, name))
    return sizes


@pytest.mark.parametrize("name", ["externs", "btfkinds"])
def test_kernel_sees_what_libbpf_loads(name, bpffs):
    """The same programs, translated by the kernel to the same number of bytes as via bpftool."""
    if shutil.which("bpftool") is None:
        pytest.skip("bpftool is not installed")
    pin_dir = os.path.join(bpffs, uuid.uuid4().hex[:8])
    theirs = _bpftool_xlated_sizes(fixture(name), pin_dir)
    with load_collection(fixture(name)) as coll:
        ours = {n: len(p.info().xlated) for n, p in coll.programs.items()}
        types = {n: int(p.info().type) for n, p in coll.programs.items()}
    assert ours == theirs
    assert all(types[n] == int(load_object(fixture(name)).programs[n].type) for n in types)


def test_every_section_type_loads_or_says_why():
    """One program per SEC() row, each loaded on its own (attach BTF ids resolved for tracing)."""
    obj = load_object(fixture("sections"))
    loaded, refused = [], {}
    for name, prog in obj.programs.items():
        single = dataclasses.replace(obj, programs={name: prog})
        try:
            load_collection(single).close()
            loaded.append(name)
        except NotSupportedError:
            refused[name] = "not supported"
        except BPFError as exc:
            refused[name] = errno.errorcode.get(exc.errno, str(exc.errno))
    unsupported = {n for n, why in refused.items() if why == "not supported"}
    assert unsupported == {"p_freplace", "p_struct_ops", "p_struct_ops_s"}
    for name, why in refused.items():
        prog = obj.programs[name]
        if why == "EPERM":  # tracing trampolines / BPF LSM switched off on this kernel
            assert prog.type in (ProgType.TRACING, ProgType.LSM), name
        elif why == "EINVAL":  # a program type this kernel is built without
            assert prog.type == ProgType.LIRC_MODE2, name
        else:
            assert why == "not supported", (name, why)
    assert len(loaded) >= 80, sorted(refused)
