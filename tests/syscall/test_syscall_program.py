"""Program against the real kernel: load, test_run, verifier errors, info, pins, BTF, stats."""

from __future__ import annotations

import errno
import os
import struct

import pytest

from pyebpf import Map, MapSpec, Program, ProgramSpec
from pyebpf.asm import (
    R0,
    R1,
    R2,
    R10,
    U8,
    U32,
    U64,
    Instructions,
    Label,
    add,
    atomic_add,
    call,
    exit_,
    jeq,
    jgt,
    ldx,
    load_map_fd,
    mov,
    st,
)
from pyebpf.errors import BPFError, CodecError, SpecError, VerifierError
from pyebpf.kernel_tables import ProgType
from pyebpf.syscall import BTF, commands
from pyebpf.syscall.info import btf_info
from pyebpf.syscall.verifier_log import summarize

pytestmark = pytest.mark.kernel


def counter_program(name: str = "counter") -> Instructions:
    """counts[0] += 1; return 2 (XDP_PASS)."""
    return Instructions(
        [
            st(U32, R10, -4, 0),
            mov(R2, R10),
            add(R2, -4),
            load_map_fd(R1, "counts"),
            call("map_lookup_elem"),
            jeq(R0, 0, "out"),
            mov(R1, 1),
            atomic_add(R0, 0, R1),
            Label("out"),
            mov(R0, 2),
            exit_(),
        ]
    )


def counts_map() -> Map:
    spec = MapSpec(name="counts", type="array", key_size=4, value_size=8, max_entries=1)
    return Map(spec, key_type=int, value_type=int)


def test_load_and_test_run_counts_into_map() -> None:
    with counts_map() as counts:
        spec = ProgramSpec(name="xdp_count", type="xdp", instructions=counter_program())
        with Program(spec, maps={"counts": counts}) as prog:
            packet = bytes(range(64))
            result = prog.test_run(data=packet, repeat=100)
            assert result.retval == 2
            assert result.data == packet
            assert result.duration >= 0
            assert counts[0] == 100


def test_test_run_reads_packet() -> None:
    # Return the first byte of the packet: r2 = data; if data + 1 > data_end: return 0.
    insns = Instructions(
        [
            ldx(U32, R2, R1, 0),
            ldx(U32, R1, R1, 4),
            mov(R0, R2),
            add(R0, 1),
            jgt(R0, R1, "short"),
            ldx(U8, R0, R2, 0),
            exit_(),
            Label("short"),
            mov(R0, 0),
            exit_(),
        ]
    )
    with Program(ProgramSpec(name="first", type="xdp", instructions=insns)) as prog:
        assert prog.test_run(b"\x2a" + bytes(13)).retval == 0x2A
        with pytest.raises(BPFError, match="at least 14 bytes"):
            prog.test_run(b"\x2a")


def test_missing_map_is_named() -> None:
    spec = ProgramSpec(name="p", type="xdp", instructions=counter_program())
    with pytest.raises(SpecError, match="'counts'"):
        Program(spec)


def test_verifier_error_carries_log_summary_and_index() -> None:
    insns = Instructions([mov(R0, 0), ldx(U64, R0, R2, 0), exit_()])
    spec = ProgramSpec(name="bad", type="socket_filter", instructions=insns)
    with pytest.raises(VerifierError) as exc:
        Program(spec)
    err = exc.value
    assert err.errno == errno.EACCES
    assert err.summary == "R2 !read_ok"
    assert err.insn_index == 1
    assert "processed" in err.log and "R2 !read_ok" in err.log
    assert "R2 !read_ok" in str(err) and "insn 1" in str(err)
    assert isinstance(err, BPFError) and isinstance(err, OSError)


def test_log_level_keeps_log_on_success_and_grows_small_buffer() -> None:
    insns = Instructions([mov(R0, 0)] * 50 + [exit_()])
    spec = ProgramSpec(name="logged", type="socket_filter", instructions=insns)
    with Program(spec, log_level=2, log_size=128) as prog:
        assert "processed 51 insns" in prog.verifier_log


def test_summary_skips_trailer_and_state_dumps() -> None:
    log = (
        "0: R1=ctx() R10=fp0\n"
        "0: (b7) r1 = 0                        ; R1=0\n"
        "1: (15) if r1 == 0x0 goto pc-1\n"
        "infinite loop detected at insn 1\n"
        "cur state: R1=0 R10=fp0\n"
        "old state: R1=P0 R10=fp0\n"
        "processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 1\n"
    )
    assert summarize(log) == ("infinite loop detected at insn 1", 1)
    assert summarize("") == ("", None)
    assert summarize("jump out of range from insn 1 to 7\nprocessed 0 insns\n") == (
        "jump out of range from insn 1 to 7",
        1,
    )


def test_structural_rejection() -> None:
    spec = ProgramSpec(name="noexit", type="socket_filter", instructions=[mov(R0, 0)])
    with pytest.raises(VerifierError) as exc:
        Program(spec)
    assert exc.value.summary == "last insn is not an exit or jmp"


def test_info_returns_translated_instructions() -> None:
    with counts_map() as counts:
        spec = ProgramSpec(name="xdp_count", type="xdp", instructions=counter_program())
        with Program(spec, maps={"counts": counts}) as prog:
            info = prog.info()
            assert info.type == ProgType.XDP
            assert info.name == "xdp_count"
            assert info.map_ids == (counts.id,)
            assert len(info.tag) == 8
            assert len(info.xlated) % 8 == 0 and info.xlated
            assert len(info.instructions) >= len(counter_program()) - 1
            assert info.instructions[-1] == exit_()
            assert info.instructions.slot_count * 8 == len(info.xlated)
            with Program.from_id(info.id) as again:
                assert again.type == ProgType.XDP and again.name == "xdp_count"


def test_pin_program(bpffs: str) -> None:
    path = os.path.join(bpffs, "prog")
    spec = ProgramSpec(name="ret7", type="socket_filter", instructions=[mov(R0, 7), exit_()])
    with Program(spec) as prog:
        prog.pin(path)
        with Program.from_pin(path) as again:
            assert again.test_run(b"\0" * 20).retval == 7
        prog.unpin()
    assert not os.path.exists(path)


def test_test_run_argument_errors() -> None:
    spec = ProgramSpec(name="ret7", type="socket_filter", instructions=[mov(R0, 7), exit_()])
    with Program(spec) as prog:
        with pytest.raises(CodecError):
            prog.test_run(data="text")  # type: ignore[arg-type]
        with pytest.raises(CodecError):
            prog.test_run(b"x" * 20, repeat=-1)
    with pytest.raises(SpecError):
        Program(spec, log_level=-1)
    with pytest.raises(SpecError):
        Program("not a spec")  # type: ignore[arg-type]


def test_enable_stats_counts_runs() -> None:
    fd = commands.enable_stats(0)
    try:
        spec = ProgramSpec(name="ret1", type="socket_filter", instructions=[mov(R0, 1), exit_()])
        with Program(spec) as prog:
            prog.test_run(b"\0" * 20, repeat=10)
            info = prog.info()
            assert info.run_cnt >= 10 and info.run_time_ns > 0
    finally:
        os.close(fd)


def _minimal_btf() -> bytes:
    """BTF with one type: int (4 bytes, signed) -- enough for BTF_LOAD."""
    strings = b"\0int\0"
    types = struct.pack("<III", 1, (1 << 24) | 0, 4) + struct.pack("<I", (1 << 24) | 32)
    header = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
    return header + types + strings


def test_btf_load_and_bad_btf() -> None:
    with BTF(_minimal_btf()) as btf:
        assert btf.fd >= 0
        assert btf_info(btf.fd).size == len(_minimal_btf())
    with pytest.raises(BPFError) as exc:
        BTF(b"\x9f\xeb\x01\x00" + bytes(20))
    assert exc.value.command == "BPF_BTF_LOAD"


def test_object_ids_and_open_by_id() -> None:
    from pyebpf import Link
    from pyebpf.syscall import attach_raw_tracepoint, object_ids

    with counts_map() as counts, BTF(_minimal_btf()) as btf:
        spec = ProgramSpec(name="raw", type="raw_tracepoint", instructions=[mov(R0, 0), exit_()])
        with Program(spec) as prog, attach_raw_tracepoint(prog, "sys_enter") as link:
            assert counts.id in object_ids("map")
            assert prog.id in object_ids("prog")
            assert link.id in object_ids("link")
            btf_id = btf_info(btf.fd).id
            assert btf_id in object_ids("btf")
            with Link.from_id(link.id) as again:
                assert again.info().prog_id == prog.id
            with BTF.from_id(btf_id) as again_btf:
                assert btf_info(again_btf.fd).id == btf_id
    with pytest.raises(SpecError):
        list(object_ids("socket"))


def test_fentry_with_attach_btf_id_loads_or_explains_refusal() -> None:
    """attach_btf_id + expected attach type: an fentry program on a kernel function."""
    import shutil

    from test_syscall_btf import _kernel_types

    if shutil.which("bpftool") is None or not os.path.exists("/sys/kernel/btf/vmlinux"):
        pytest.skip("needs bpftool and kernel BTF to find the function's BTF id")
    ids = [
        t["id"]
        for t in _kernel_types().values()
        if t["kind"] == "FUNC" and t.get("name") == "__do_sys_getppid"
    ]
    if not ids:
        pytest.skip("__do_sys_getppid is not in this kernel's BTF")
    spec = ProgramSpec(
        name="fentry",
        type="tracing",
        attach_type="trace_fentry",
        attach_btf_id=ids[0],
        instructions=[mov(R0, 0), exit_()],
    )
    try:
        prog = Program(spec)
    except BPFError as exc:
        if exc.errno != errno.EPERM:
            raise
        assert "something else refused it" in str(exc) or "CAP_BPF" in str(exc)
        pytest.skip(f"this kernel refuses fentry programs here (checked the error): {exc}")
    with prog:
        info = prog.info()
        assert info.attach_btf_id == ids[0] and info.type == ProgType.TRACING


def test_fd_array_map_by_index() -> None:
    """A map referenced by its index in fd_array (BPF_PSEUDO_MAP_IDX), not by fd."""
    from pyebpf.asm import load_map_idx

    insns = [
        st(U32, R10, -4, 0),
        mov(R2, R10),
        add(R2, -4),
        load_map_idx(R1, 1),
        call("map_lookup_elem"),
        jeq(R0, 0, "out"),
        mov(R1, 1),
        atomic_add(R0, 0, R1),
        Label("out"),
        mov(R0, 0),
        exit_(),
    ]
    with counts_map() as unused, counts_map() as counts:
        spec = ProgramSpec(name="by_idx", type="socket_filter", instructions=insns)
        with Program(spec, fd_array=[unused, counts]) as prog:
            prog.test_run(bytes(20), repeat=3)
            assert counts[0] == 3 and unused[0] == 0
            assert prog.info().map_ids == (counts.id,)


def test_test_run_with_context() -> None:
    """A context in and out: __sk_buff.mark (offset 8) is read and returned by the program."""
    skb_size = 192  # sizeof(struct __sk_buff) on 6.18
    ctx = bytearray(skb_size)
    struct.pack_into("=I", ctx, 8, 0x1234)
    insns = [ldx(U32, R0, R1, 8), exit_()]
    with Program(ProgramSpec(name="mark", type="sched_cls", instructions=insns)) as prog:
        result = prog.test_run(bytes(64), ctx=bytes(ctx))
        assert result.retval == 0x1234
        assert len(result.ctx) == skb_size
        assert struct.unpack_from("=I", result.ctx, 8)[0] == 0x1234
