"""The verifier's kernel tables (helper prototypes, per-program-type rules) against the kernel.

Offline tests pin what the tables must say (spot checks against the kernel source); the tests
marked ``kernel`` compare the tables exhaustively with the running kernel: every context access
of the covered program types (offsets -8..size+8, sizes 1/2/4/8, reads and writes, the message
and the register type a load yields) and the helper availability per program type.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from pyebpf.asm.helper_ids import HelperId
from pyebpf.kernel_tables import AttachType, MapType, ProgType
from pyebpf.verifier.helper_protos import (
    ArgType,
    RetType,
    TypeFlag,
    acquires_reference,
    all_helper_protos,
    helper_name,
    helper_proto,
    map_func_compatible,
)
from pyebpf.verifier.prog_types import (
    CtxRegType,
    ctx_access,
    ctx_access_modelled,
    ctx_size,
    direct_packet_access,
    helper_allowed,
    helpers_available,
    prog_type_loadable,
    return_range,
)

ROOT = Path(__file__).resolve().parents[2]
H = HelperId

# The helpers real programs use most (libbpf-tools, cilium, katran, bcc tools), by id.
MOST_USED = (
    "MAP_LOOKUP_ELEM MAP_UPDATE_ELEM MAP_DELETE_ELEM PROBE_READ KTIME_GET_NS TRACE_PRINTK "
    "GET_PRANDOM_U32 GET_SMP_PROCESSOR_ID SKB_STORE_BYTES L3_CSUM_REPLACE L4_CSUM_REPLACE "
    "TAIL_CALL CLONE_REDIRECT GET_CURRENT_PID_TGID GET_CURRENT_UID_GID GET_CURRENT_COMM "
    "GET_CGROUP_CLASSID SKB_VLAN_PUSH SKB_VLAN_POP REDIRECT PERF_EVENT_OUTPUT SKB_LOAD_BYTES "
    "GET_STACKID CSUM_DIFF SKB_CHANGE_PROTO GET_CURRENT_TASK SKB_CHANGE_TAIL SKB_PULL_DATA "
    "CSUM_UPDATE GET_NUMA_NODE_ID SKB_CHANGE_HEAD XDP_ADJUST_HEAD PROBE_READ_STR "
    "GET_SOCKET_COOKIE GET_SOCKET_UID SKB_ADJUST_ROOM REDIRECT_MAP SK_REDIRECT_MAP "
    "XDP_ADJUST_META PERF_EVENT_READ_VALUE GET_STACK SKB_LOAD_BYTES_RELATIVE FIB_LOOKUP "
    "SK_LOOKUP_TCP SK_LOOKUP_UDP SK_RELEASE MAP_PUSH_ELEM MAP_POP_ELEM MAP_PEEK_ELEM "
    "SPIN_LOCK SPIN_UNLOCK SK_FULLSOCK TCP_SOCK SKC_LOOKUP_TCP XDP_ADJUST_TAIL "
    "SK_STORAGE_GET SK_STORAGE_DELETE GET_CURRENT_CGROUP_ID PROBE_READ_USER PROBE_READ_KERNEL "
    "PROBE_READ_USER_STR PROBE_READ_KERNEL_STR RINGBUF_OUTPUT RINGBUF_RESERVE RINGBUF_SUBMIT "
    "RINGBUF_DISCARD RINGBUF_QUERY GET_CURRENT_TASK_BTF KTIME_GET_BOOT_NS LOOP SNPRINTF "
    "FOR_EACH_MAP_ELEM TIMER_INIT GET_FUNC_IP XDP_LOAD_BYTES XDP_STORE_BYTES KPTR_XCHG"
).split()


def test_at_least_60_most_used_helpers_have_prototypes() -> None:
    missing = [name for name in MOST_USED if helper_proto(HelperId[name]) is None]
    assert not missing
    assert len(MOST_USED) >= 60
    assert len(all_helper_protos()) >= 200


def test_prototype_names_are_the_kernels() -> None:
    for proto in all_helper_protos():
        assert proto.name == f"bpf_{H(proto.id).name.lower()}"
        assert proto.name == helper_name(proto.id)
        assert len(proto.args) <= 5
    assert helper_name(100000) == "unknown"


def test_map_helpers() -> None:
    lookup = helper_proto(H.MAP_LOOKUP_ELEM)
    assert lookup is not None
    assert [a.type for a in lookup.args] == [ArgType.CONST_MAP_PTR, ArgType.PTR_TO_MAP_KEY]
    assert lookup.ret is RetType.PTR_TO_MAP_VALUE and lookup.ret_maybe_null
    update = helper_proto(H.MAP_UPDATE_ELEM)
    assert update is not None and update.arg(3).type is ArgType.PTR_TO_MAP_VALUE
    assert update.arg(4).type is ArgType.ANYTHING and update.arg(5).type is ArgType.DONTCARE


def test_memory_arguments_carry_their_flags() -> None:
    comm = helper_proto(H.GET_CURRENT_COMM)
    assert comm is not None
    assert comm.arg(1).type is ArgType.PTR_TO_MEM and comm.arg(1).uninit
    assert comm.arg(2).type is ArgType.CONST_SIZE
    out = helper_proto(H.PERF_EVENT_OUTPUT)
    assert out is not None and out.arg(4).rdonly and out.arg(5).type is ArgType.CONST_SIZE_OR_ZERO
    assert out.gpl_only and out.map_types == frozenset({MapType.PERF_EVENT_ARRAY})
    csum = helper_proto(H.CSUM_DIFF)
    assert csum is not None and csum.arg(1).maybe_null and csum.arg(1).rdonly
    syncookie = helper_proto(H.TCP_RAW_GEN_SYNCOOKIE_IPV4)
    assert syncookie is not None and syncookie.arg(1).size == 20


def test_reference_helpers() -> None:
    reserve = helper_proto(H.RINGBUF_RESERVE)
    assert reserve is not None and reserve.acquires
    assert reserve.ret is RetType.PTR_TO_MEM
    assert reserve.ret_flags == frozenset({TypeFlag.MAYBE_NULL, TypeFlag.RINGBUF})
    assert reserve.alloc_size_arg == 2
    for helper in (H.RINGBUF_SUBMIT, H.RINGBUF_DISCARD):
        proto = helper_proto(helper)
        assert proto is not None and proto.releases_arg == 1
        assert proto.arg(1).type is ArgType.PTR_TO_RINGBUF_MEM and proto.ret is RetType.VOID
    lookup = helper_proto(H.SK_LOOKUP_TCP)
    assert lookup is not None and lookup.acquires and lookup.ret is RetType.PTR_TO_SOCKET
    release = helper_proto(H.SK_RELEASE)
    assert release is not None and release.releases_arg == 1
    assert acquires_reference(H.MAP_LOOKUP_ELEM, MapType.SOCKMAP)
    assert not acquires_reference(H.MAP_LOOKUP_ELEM, MapType.HASH)
    fullsock = helper_proto(H.SK_FULLSOCK)
    assert fullsock is not None and fullsock.ptr_cast
    lock = helper_proto(H.SPIN_LOCK)
    assert lock is not None and lock.arg(1).type is ArgType.PTR_TO_SPIN_LOCK


def test_packet_changing_helpers() -> None:
    for helper in (H.SKB_PULL_DATA, H.XDP_ADJUST_HEAD, H.SKB_STORE_BYTES, H.L3_CSUM_REPLACE):
        proto = helper_proto(helper)
        assert proto is not None and proto.changes_pkt_data, helper
    for helper in (H.SKB_LOAD_BYTES, H.MAP_LOOKUP_ELEM, H.REDIRECT):
        proto = helper_proto(helper)
        assert proto is not None and not proto.changes_pkt_data, helper


def test_prototype_variants_per_program_type() -> None:
    plain = helper_proto(H.GET_STACKID)
    perf = helper_proto(H.GET_STACKID, ProgType.PERF_EVENT)
    assert plain is not None and perf is not None
    assert plain.gpl_only and not perf.gpl_only
    assert perf.proto_name == "bpf_get_stackid_proto_pe"


def test_map_compatibility() -> None:
    assert map_func_compatible(MapType.PROG_ARRAY, H.TAIL_CALL)
    assert not map_func_compatible(MapType.ARRAY, H.TAIL_CALL)
    assert not map_func_compatible(MapType.PROG_ARRAY, H.MAP_LOOKUP_ELEM)
    assert map_func_compatible(MapType.HASH, H.MAP_LOOKUP_ELEM)
    assert not map_func_compatible(MapType.ARRAY, H.PERF_EVENT_OUTPUT)
    assert map_func_compatible(MapType.DEVMAP, H.REDIRECT_MAP)
    assert not map_func_compatible(MapType.RINGBUF, H.MAP_LOOKUP_ELEM)
    assert map_func_compatible(MapType.SOCKMAP, H.MAP_UPDATE_ELEM, ProgType.SK_SKB)


def test_helper_availability_examples() -> None:
    assert not helper_allowed(ProgType.SOCKET_FILTER, H.XDP_ADJUST_HEAD)
    assert helper_allowed(ProgType.XDP, H.XDP_ADJUST_HEAD)
    assert helper_allowed(ProgType.KPROBE, H.GET_CURRENT_PID_TGID)
    assert helper_allowed(ProgType.XDP, H.GET_CURRENT_PID_TGID)  # 6.18: in the base set
    assert not helper_allowed(ProgType.XDP, H.SKB_STORE_BYTES)
    assert helper_allowed(ProgType.SCHED_CLS, H.SKB_STORE_BYTES)
    assert helper_allowed(ProgType.SOCKET_FILTER, H.TRACE_PRINTK)
    assert not helper_allowed(ProgType.SOCKET_FILTER, H.TRACE_PRINTK, privilege="cap_bpf")
    assert not prog_type_loadable(ProgType.KPROBE, "cap_bpf")
    assert prog_type_loadable(ProgType.XDP, "cap_bpf")
    for pt in (ProgType.SOCKET_FILTER, ProgType.XDP, ProgType.SCHED_CLS, ProgType.KPROBE):
        for helper_id in helpers_available(pt):
            assert helper_proto(helper_id, pt) is not None, (pt, helper_id)


def test_context_access_examples() -> None:
    sf = ProgType.SOCKET_FILTER
    assert ctx_access(sf, 0, 4, False).ok
    assert ctx_access(sf, 0, 2, False).ok and ctx_access(sf, 0, 2, False).field_size == 4
    assert not ctx_access(sf, 0, 8, False).ok
    denied = ctx_access(sf, 76, 4, False)  # skb->data is hidden from socket filters
    assert not denied.ok and denied.error == "invalid bpf_context access off=76 size=4"
    assert denied.errno == 13
    assert ctx_access(sf, 48, 4, True).ok and not ctx_access(sf, 8, 4, True).ok
    tc = ProgType.SCHED_CLS
    assert ctx_access(tc, 76, 4, False).reg_type is CtxRegType.PTR_TO_PACKET
    assert ctx_access(tc, 80, 4, False).reg_type is CtxRegType.PTR_TO_PACKET_END
    assert ctx_access(tc, 140, 4, False).reg_type is CtxRegType.PTR_TO_PACKET_META
    assert ctx_access(tc, 168, 8, False).reg_type is CtxRegType.PTR_TO_SOCK_COMMON_OR_NULL
    assert not ctx_access(tc, 76, 4, False, sign_extend=True).ok
    xdp = ProgType.XDP
    assert ctx_access(xdp, 0, 4, False).reg_type is CtxRegType.PTR_TO_PACKET
    assert not ctx_access(xdp, 0, 4, True).ok
    assert not ctx_access(xdp, 20, 4, False).ok
    assert ctx_access(xdp, 20, 4, False, AttachType.XDP_DEVMAP).ok
    assert ctx_access(ProgType.KPROBE, 160, 8, False).ok
    assert not ctx_access(ProgType.KPROBE, 164, 8, False).ok
    assert ctx_access(ProgType.CGROUP_SKB, 76, 4, False).reg_type is CtxRegType.PTR_TO_PACKET
    assert not ctx_access(ProgType.CGROUP_SKB, 140, 4, False).ok  # no data_meta
    assert ctx_access(ProgType.SK_MSG, 72, 8, False).reg_type is CtxRegType.PTR_TO_SOCKET
    assert not ctx_access(ProgType.CGROUP_SOCK_ADDR, 4, 4, False, AttachType.CGROUP_INET6_BIND).ok
    assert ctx_access(ProgType.SOCK_OPS, 184, 8, False).reg_type is CtxRegType.PTR_TO_SOCKET_OR_NULL
    unknown = ctx_access(ProgType.CGROUP_SYSCTL, 0, 4, False)
    assert not unknown.ok and not unknown.modelled
    assert not ctx_access_modelled(ProgType.CGROUP_SYSCTL)


def test_direct_packet_access() -> None:
    for pt in (ProgType.SCHED_CLS, ProgType.XDP, ProgType.LWT_XMIT, ProgType.SK_SKB):
        assert direct_packet_access(pt, write=True) and direct_packet_access(pt, write=False)
    for pt in (ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT):
        assert direct_packet_access(pt, write=False) and not direct_packet_access(pt, write=True)
    assert not direct_packet_access(ProgType.SOCKET_FILTER, write=False)
    assert not direct_packet_access(ProgType.KPROBE, write=False)


def test_ctx_sizes_and_return_ranges() -> None:
    assert ctx_size(ProgType.SOCKET_FILTER) == 192
    assert ctx_size(ProgType.XDP) == 24
    assert ctx_size(ProgType.KPROBE) == 168
    assert ctx_size("perf_event") == 184
    assert return_range(ProgType.CGROUP_SKB) == (0, 1)
    assert return_range(ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS) == (0, 3)
    assert return_range(ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG) == (1, 1)
    assert return_range(ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND) == (0, 3)
    for pt in (ProgType.SOCKET_FILTER, ProgType.XDP, ProgType.SCHED_CLS, ProgType.KPROBE):
        assert return_range(pt) is None


# --- against the running kernel --------------------------------------------------------------


def _recorder() -> ModuleType:
    path = ROOT / "tools" / "record_verifier_corpus.py"
    spec = importlib.util.spec_from_file_location("record_verifier_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("record_verifier_corpus", module)
    spec.loader.exec_module(module)
    return module


_SIZE_BITS = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}
_KERNEL_REG = {
    "pkt": CtxRegType.PTR_TO_PACKET,
    "pkt_end": CtxRegType.PTR_TO_PACKET_END,
    "pkt_meta": CtxRegType.PTR_TO_PACKET_META,
    "sock_common_or_null": CtxRegType.PTR_TO_SOCK_COMMON_OR_NULL,
    "sock": CtxRegType.PTR_TO_SOCKET,
    "sock_or_null": CtxRegType.PTR_TO_SOCKET_OR_NULL,
}
_CTX_CASES = (
    (ProgType.SOCKET_FILTER, None), (ProgType.SCHED_CLS, None), (ProgType.SCHED_ACT, None),
    (ProgType.XDP, None), (ProgType.XDP, AttachType.XDP_DEVMAP), (ProgType.CGROUP_SKB, None),
    (ProgType.LWT_IN, None), (ProgType.LWT_OUT, None), (ProgType.LWT_XMIT, None),
    (ProgType.SK_SKB, None), (ProgType.CGROUP_SOCK, None),
    (ProgType.CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND),
    (ProgType.CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND),
    (ProgType.KPROBE, None), (ProgType.TRACEPOINT, None), (ProgType.RAW_TRACEPOINT, None),
    (ProgType.PERF_EVENT, None), (ProgType.SK_MSG, None), (ProgType.SOCK_OPS, None),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND),
)  # fmt: skip


def _slot(op: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", op, dst | (src << 4), off, imm)


@pytest.mark.kernel
def test_ctx_access_matches_the_kernel_exhaustively() -> None:
    recorder = _recorder()
    mismatches = []
    checked = 0
    for pt, attach in _CTX_CASES:
        top = min(ctx_size(pt), 192) + 8
        for write in (False, True):
            for size, bits in _SIZE_BITS.items():
                for off in range(-8, top + 1):
                    if write:
                        prog = (
                            _slot(0xB7, 2)
                            + _slot(0x63 | bits, 1, 2, off)
                            + _slot(0xB7)
                            + _slot(0x95)
                        )
                    else:
                        prog = _slot(0x61 | bits, 0, 1, off) + _slot(0xB7) + _slot(0x95)
                    res = recorder.load_program(
                        int(pt), prog, log_level=2, attach_type=int(attach or 0)
                    )
                    model = ctx_access(pt, off, size, write, attach)
                    checked += 1
                    want_reg = CtxRegType.SCALAR
                    if res.accepted and not write:
                        m = re.search(r"^0: \(\w+\) r0 = .*; R0=(\w+)", res.log, re.M)
                        want_reg = _KERNEL_REG.get(m.group(1) if m else "", CtxRegType.SCALAR)
                    error = (
                        None if res.accepted else recorder.parse_log(res.log)["first_error_line"]
                    )
                    if (res.accepted, want_reg, error) != (model.ok, model.reg_type, model.error):
                        mismatches.append((pt.name, attach, write, size, off, res.accepted, error))
    assert checked > 15000
    assert not mismatches, f"{len(mismatches)} of {checked} differ, e.g. {mismatches[:5]}"


@pytest.mark.kernel
def test_helper_availability_matches_the_kernel() -> None:
    recorder = _recorder()
    measured = {"root": recorder.probe_helpers()}
    if shutil.which("capsh") is not None:
        out = subprocess.run(
            ["capsh", "--drop=cap_sys_admin,cap_perfmon", "--", "-c",
             f"exec {sys.executable} {ROOT / 'tools' / 'record_verifier_corpus.py'} probe-helpers"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        measured["cap_bpf"] = json.loads(out.stdout)
    differences = []
    for privilege, table in measured.items():
        for name, ids in table.items():
            pt = ProgType[name]
            if not prog_type_loadable(pt, privilege):
                assert ids == [], (name, privilege)
                continue
            model = {h for h in range(1, max(H) + 1) if helper_allowed(pt, h, privilege=privilege)}
            if model != set(ids):
                differences.append((privilege, name, sorted(model ^ set(ids))))
    assert not differences, differences


_SCALAR_ARGS = {
    ArgType.ANYTHING,
    ArgType.SCALAR,
    ArgType.CONST_SIZE,
    ArgType.CONST_SIZE_OR_ZERO,
    ArgType.CONST_ALLOC_SIZE_OR_ZERO,
    ArgType.DONTCARE,
}
_PROBE_TYPES = (
    ProgType.SCHED_CLS, ProgType.XDP, ProgType.KPROBE, ProgType.SOCKET_FILTER,
    ProgType.CGROUP_SKB, ProgType.SK_SKB, ProgType.LWT_XMIT, ProgType.CGROUP_SOCK,
    ProgType.SOCK_OPS, ProgType.SK_MSG,
)  # fmt: skip


@pytest.mark.kernel
def test_helper_pointer_arguments_match_the_kernel() -> None:
    """Call every available helper with scalars in R1-R5: the kernel complains about the first
    argument that must be a pointer, which must be the first non-scalar argument of our
    prototype (the kernel's 6.18 prototypes, seen through the verifier)."""
    recorder = _recorder()
    seen: set[int] = set()
    mismatches = []
    for pt in _PROBE_TYPES:
        for helper_id in sorted(helpers_available(pt) - seen):
            seen.add(helper_id)
            proto = helper_proto(helper_id, pt)
            assert proto is not None
            if proto.might_sleep:
                continue  # rejected as sleepable before the arguments are looked at
            prog = b"".join(_slot(0xB7, k, 0, 0, 1) for k in range(1, 6))
            prog += _slot(0x85, imm=helper_id) + _slot(0xB7) + _slot(0x95)
            res = recorder.load_program(int(pt), prog, log_level=1)
            first = recorder.parse_log(res.log)["first_error_line"] or ""
            m = re.match(r"R(\d) type=scalar expected=", first)
            kernel_reg = int(m.group(1)) if m else None
            model_reg = next(
                (i for i, a in enumerate(proto.args, 1) if a.type not in _SCALAR_ARGS), None
            )
            if kernel_reg != model_reg and first:
                mismatches.append((pt.name, proto.name, first, model_reg))
    assert len(seen) > 150
    assert not mismatches, mismatches


_RETVAL_CASES = (
    (ProgType.SOCKET_FILTER, None), (ProgType.SCHED_CLS, None), (ProgType.XDP, None),
    (ProgType.KPROBE, None), (ProgType.TRACEPOINT, None), (ProgType.PERF_EVENT, None),
    (ProgType.RAW_TRACEPOINT, None), (ProgType.CGROUP_SKB, None),
    (ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS), (ProgType.CGROUP_SOCK, None),
    (ProgType.LWT_IN, None), (ProgType.LWT_XMIT, None), (ProgType.SK_SKB, None),
    (ProgType.SOCK_OPS, None), (ProgType.CGROUP_DEVICE, None), (ProgType.SK_MSG, None),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND),
    (ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG),
    (ProgType.CGROUP_SYSCTL, None), (ProgType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT),
    (ProgType.SK_LOOKUP, AttachType.SK_LOOKUP),
)  # fmt: skip


@pytest.mark.kernel
def test_return_ranges_match_the_kernel() -> None:
    """``r0 = v; exit`` for values around each range: accepted exactly when v is in range."""
    recorder = _recorder()
    mismatches = []
    for pt, attach in _RETVAL_CASES:
        expected = return_range(pt, attach)
        for value in (-1, 0, 1, 2, 3, 4, 1000):
            prog = _slot(0xB7, 0, 0, 0, value) + _slot(0x95)
            res = recorder.load_program(int(pt), prog, log_level=1, attach_type=int(attach or 0))
            model = expected is None or expected[0] <= value <= expected[1]
            if res.accepted != model:
                first = recorder.parse_log(res.log)["first_error_line"]
                mismatches.append((pt.name, attach, value, res.accepted, first))
    assert not mismatches, mismatches
