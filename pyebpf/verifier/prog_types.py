"""Per-program-type knowledge of the Linux 6.18 verifier.

For each program type: which helpers ``get_func_proto`` offers (measured on the running 6.18.44
kernel by ``tools/record_verifier_corpus.py probe-helpers``, as root and as CAP_BPF without
CAP_PERFMON/CAP_SYS_ADMIN), the context access rules of its ``is_valid_access`` (transcribed from
``net/core/filter.c`` and ``kernel/trace/bpf_trace.c``; offsets from the 6.18 BTF), the size of
the context, and the range ``check_return_code`` enforces on R0 at exit.

The public functions take a :class:`~pyebpf.kernel_tables.ProgType` (or its int) and, where the
kernel looks at it, the expected attach type.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from ..kernel_tables import AttachType, ProgType

EACCES = 13
EINVAL = 22

#: Privilege profiles: full root, and CAP_BPF (+CAP_NET_ADMIN) without CAP_PERFMON/CAP_SYS_ADMIN.
PRIVILEGES = ("root", "cap_bpf")


def _ids(text: str) -> frozenset[int]:
    """``"1-3 5"`` -> {1, 2, 3, 5}."""
    out: set[int] = set()
    for part in text.split():
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


# Helpers a program type may call as root (probed on 6.18.44: the call passes get_func_proto).
_HELPERS_ROOT: dict[ProgType, frozenset[int]] = {
    ProgType.SOCKET_FILTER: _ids(
        "1-3 5-8 12 14-17 22 25-26 35 37 42 46-47 55 68 80 87-89 93-94 105-106 109 112-115 117-118 "
        "120 122-123 125 130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 175-178 "
        "180-182 191 194-203 208-211"
    ),
    ProgType.KPROBE: _ids(
        "1-8 12 14-17 22 25 27 35 37 42 45 55 67 80 87-89 93-94 105-106 109 112-115 117-118 120 "
        "123 125 130-134 141 148-149 153-154 156-158 164-165 169-177 180-182 191 194-195 197-203 "
        "208-211"
    ),
    ProgType.SCHED_CLS: _ids(
        "1-3 5-26 28-35 37-43 46-48 50 55 66 68-69 79-80 83-89 93-100 105-110 112-115 117-118 120 "
        "122-125 130-141 148-149 151-158 160 163-165 169-172 175-178 180-182 191-192 194-211"
    ),
    ProgType.SCHED_ACT: _ids(
        "1-3 5-26 28-35 37-43 46-48 50 55 66 68-69 79-80 83-89 93-100 105-110 112-115 117-118 120 "
        "122-125 130-141 148-149 151-158 160 163-165 169-172 175-178 180-182 191-192 194-211"
    ),
    ProgType.TRACEPOINT: _ids(
        "1-8 12 14-17 22 25 27 35 37 42 45 55 67 80 87-89 93-94 105-106 109 112-115 117-118 120 "
        "123 125 130-134 141 148-149 153-154 156-158 164-165 169-177 180-182 191 194-195 197-203 "
        "208-211"
    ),
    ProgType.XDP: _ids(
        "1-3 5-8 12 14-17 22-23 25 28 35 37 42 44 51 54-55 65 69 80 84-89 93-94 99-100 105-106 "
        "109-110 112-115 117-118 120 123 125 130-134 136-141 148-149 153-154 156-158 160 163-165 "
        "169-172 175-178 180-182 188-191 194-211"
    ),
    ProgType.PERF_EVENT: _ids(
        "1-8 12 14-17 22 25 27 35 37 42 45 55-56 67 80 87-89 93-94 105-106 109 112-115 117-120 123 "
        "125 130-134 141 148-149 153-154 156-158 164-165 169-177 180-182 191 194-195 197-203 "
        "208-211"
    ),
    ProgType.CGROUP_SKB: _ids(
        "1-3 5-8 12 14-17 22 25-26 35 37 42 46-47 55 68 79-81 83-89 93-99 105-109 112-115 117-118 "
        "120 122-123 125 128-134 136-141 148-149 153-154 156-158 160 164-165 169-172 175-178 "
        "180-182 191 194-203 208-211"
    ),
    ProgType.CGROUP_SOCK: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 46 55 80-81 87-89 93-94 105-107 109 112-115 117-118 120 "
        "122-123 125 130-134 141 148-149 153-154 156-158 160 164-165 169-172 175-177 180-182 "
        "186-187 191 194-195 197-203 208-211"
    ),
    ProgType.LWT_IN: _ids(
        "1-3 5-8 12 14-17 22 24-26 28 33-35 37 39 42 55 73 80 87-89 93-94 105-106 109 112-115 "
        "117-118 120 123 125 130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 175-178 "
        "180-182 191 194-203 208-211"
    ),
    ProgType.LWT_OUT: _ids(
        "1-3 5-8 12 14-17 22 24-26 28 33-35 37 39 42 55 80 87-89 93-94 105-106 109 112-115 117-118 "
        "120 123 125 130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 175-178 180-182 "
        "191 194-203 208-211"
    ),
    ProgType.LWT_XMIT: _ids(
        "1-3 5-17 20-26 28-30 33-35 37-43 55 73 80 87-89 93-94 105-106 109 112-115 117-118 120 123 "
        "125 130-141 148-149 153-154 156-158 160 164-165 169-172 175-178 180-182 191 194-203 "
        "208-211"
    ),
    ProgType.SOCK_OPS: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 46 49 53 55 57 59 70 80-81 87-89 93-94 96 105-109 112-115 "
        "117-118 120 122-123 125 130-134 136-144 148-149 153-154 156-158 160 164-165 169-172 "
        "175-178 180-182 191 194-203 208-211"
    ),
    ProgType.SK_SKB: _ids(
        "1-3 5-9 12 14-17 22 25-26 35 37-39 42-43 46-47 50 52 55 72 80 84-89 93-94 99 105-106 109 "
        "112-115 117-118 120 123 125 130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 "
        "175-178 180-182 191 194-203 208-211"
    ),
    ProgType.SK_MSG: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 55 60-63 71 80 87-91 93-94 105-109 112-115 117-118 120 "
        "122-123 125 130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 175-178 180-182 "
        "191 194-203 208-211"
    ),
    ProgType.RAW_TRACEPOINT: _ids(
        "1-8 12 14-17 22 25 27 35 37 42 45 55 67 80 87-89 93-94 105-106 109 112-115 117-118 120 "
        "123 125 130-134 141 148-149 153-154 156-158 164-165 169-177 180-182 191 194-195 197-203 "
        "208-211"
    ),
    ProgType.CGROUP_SOCK_ADDR: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 46 49 55 57 64 80-81 84-89 93-94 99 105-109 112-115 "
        "117-118 120 122-123 125 130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 "
        "175-178 180-182 186-187 191 194-203 208-211"
    ),
    ProgType.CGROUP_DEVICE: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 55 80-81 87-89 93-94 105-106 109 112-115 117-118 120 123 "
        "125 130-134 141 148-149 153-154 156-158 164-165 169-172 175-177 180-182 191 194-195 "
        "197-203 208-211"
    ),
    ProgType.CGROUP_SYSCTL: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 55 80-81 87-89 93-94 101-106 109 112-115 117-118 120 123 "
        "125 130-134 141 148-149 153-154 156-158 160 164-165 169-172 175-177 180-182 191 194-195 "
        "197-203 208-211"
    ),
    ProgType.FLOW_DISSECTOR: _ids(
        "1-3 5-8 12 14-17 22 26 35 37 42 55 80 87-89 93-94 105-106 109 112-115 117-118 120 123 125 "
        "130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 175-178 180-182 191 194-203 "
        "208-211"
    ),
    ProgType.SK_REUSEPORT: _ids(
        "1-3 5-8 12 14-17 22 26 35 37 42 46 55 68 80 82 87-89 93-94 105-106 109 112-115 117-118 "
        "120 123 125 130-134 141 148-149 153-154 156-158 160 164-165 169-172 175-177 180-182 191 "
        "194-195 197-203 208-211"
    ),
    ProgType.SK_LOOKUP: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 55 80 86-89 93-94 105-106 109 112-115 117-118 120 123-125 "
        "130-134 136-141 148-149 153-154 156-158 160 164-165 169-172 175-178 180-182 191 194-203 "
        "208-211"
    ),
    ProgType.CGROUP_SOCKOPT: _ids(
        "1-3 5-8 12 14-17 22 25 35 37 42 55 80-81 87-89 93-94 96 105-109 112-115 117-118 120 "
        "122-123 125 130-134 141 148-149 153-154 156-158 164-165 169-172 175-177 180-182 186-187 "
        "191 194-195 197-203 208-211"
    ),
}

# Helpers that bpf_base_func_proto / bpf_sk_base_func_proto offer only with CAP_PERFMON
# (trace_printk, probe_read_kernel*, get_current_task*, snprintf_btf, skc_to_*, ...): measured.
_PERFMON_HELPERS = _ids("6 16 22 35 55 109 112-115 117 136-141 148-149 158 165 175-178 180 191 196")

# Program types whose load needs CAP_PERFMON (is_perfmon_prog_type): EPERM for cap_bpf.
_PERFMON_PROG_TYPES = frozenset(
    {
        ProgType.KPROBE,
        ProgType.TRACEPOINT,
        ProgType.PERF_EVENT,
        ProgType.RAW_TRACEPOINT,
        ProgType.RAW_TRACEPOINT_WRITABLE,
        ProgType.TRACING,
        ProgType.LSM,
        ProgType.STRUCT_OPS,
        ProgType.EXT,
    }
)


def _prog_type(value: ProgType | int | str) -> ProgType:
    if isinstance(value, ProgType):
        return value
    if isinstance(value, str):
        key = value.strip().upper().removeprefix("BPF_PROG_TYPE_")
        return ProgType[key]
    return ProgType(value)


def prog_type_loadable(prog_type: ProgType | int | str, privilege: str = "root") -> bool:
    """False when ``bpf(BPF_PROG_LOAD)`` refuses the type itself (EPERM) for ``privilege``."""
    return not (privilege != "root" and _prog_type(prog_type) in _PERFMON_PROG_TYPES)


def helper_allowed(
    prog_type: ProgType | int | str,
    helper_id: int,
    attach_type: AttachType | int | None = None,
    privilege: str = "root",
) -> bool:
    """Does the program type's ``get_func_proto`` return a prototype for ``helper_id``?

    False means ``program of this type cannot use helper bpf_<name>#<id>`` (EINVAL). Only the
    program types measured are known (all network, cgroup and tracing types of the issue);
    for others this returns True when the helper is in ``bpf_base_func_proto``.
    """
    pt = _prog_type(prog_type)
    allowed = _HELPERS_ROOT.get(pt)
    if allowed is None:
        allowed = _HELPERS_ROOT[ProgType.CGROUP_DEVICE]  # base set plus cgroup helpers
    if helper_id not in allowed:
        return False
    return not (privilege != "root" and helper_id in _PERFMON_HELPERS)


def helpers_available(prog_type: ProgType | int | str, privilege: str = "root") -> frozenset[int]:
    """Every helper id the program type may call."""
    pt = _prog_type(prog_type)
    ids = _HELPERS_ROOT.get(pt, frozenset())
    return ids - _PERFMON_HELPERS if privilege != "root" else ids


# Program types whose context gives direct packet access (verifier.c may_access_direct_pkt_data):
# read-only ones, and read-write ones.
_PKT_READ_ONLY = frozenset(
    {
        ProgType.LWT_IN,
        ProgType.LWT_OUT,
        ProgType.LWT_SEG6LOCAL,
        ProgType.SK_REUSEPORT,
        ProgType.FLOW_DISSECTOR,
        ProgType.CGROUP_SKB,
    }
)
_PKT_READ_WRITE = frozenset(
    {
        ProgType.SCHED_CLS,
        ProgType.SCHED_ACT,
        ProgType.XDP,
        ProgType.LWT_XMIT,
        ProgType.SK_SKB,
        ProgType.SK_MSG,
        ProgType.CGROUP_SOCKOPT,
    }
)


def direct_packet_access(prog_type: ProgType | int | str, write: bool) -> bool:
    """``may_access_direct_pkt_data``: may the program read (or write) packet memory directly?

    A write where this is False is ``cannot write into packet`` (EACCES); LWT in/out,
    cgroup_skb, flow dissector and sk_reuseport programs may only read.
    """
    pt = _prog_type(prog_type)
    if write:
        return pt in _PKT_READ_WRITE
    return pt in _PKT_READ_WRITE or pt in _PKT_READ_ONLY


# --- context access ----------------------------------------------------------------------------


class CtxRegType(enum.Enum):
    """What a successful context load puts in the destination register (``info->reg_type``)."""

    SCALAR = "scalar"
    PTR_TO_PACKET = "pkt"
    PTR_TO_PACKET_END = "pkt_end"
    PTR_TO_PACKET_META = "pkt_meta"
    PTR_TO_SOCK_COMMON_OR_NULL = "sock_common_or_null"
    PTR_TO_SOCKET = "sock"
    PTR_TO_SOCKET_OR_NULL = "sock_or_null"
    PTR_TO_FLOW_KEYS = "flow_keys"
    PTR_TO_TP_BUFFER = "tp_buffer"


@dataclass(frozen=True)
class CtxAccess:
    """The verdict of ``check_ctx_access`` for one load or store.

    ``ok``: the access is valid; ``reg_type``: the type a load yields (a scalar unless the field
    is a pointer such as ``skb->data``); ``field_size``: the size of the underlying field for a
    narrow load (``ctx_field_size``), else None; on failure ``error`` is the kernel's message
    (``invalid bpf_context access off=%d size=%d``) and ``errno`` its errno (EACCES).
    ``modelled`` is False for program types whose rules pyebpf does not carry (then ``ok`` is
    False and ``error`` says so).
    """

    ok: bool
    reg_type: CtxRegType = CtxRegType.SCALAR
    field_size: int | None = None
    error: str | None = None
    errno: int = 0
    modelled: bool = True


def _reject(off: int, size: int) -> CtxAccess:
    return CtxAccess(False, error=f"invalid bpf_context access off={off} size={size}", errno=EACCES)


def _narrow_ok(size: int, size_default: int) -> bool:
    """``bpf_ctx_narrow_access_ok``: a power-of-two size no larger than the field."""
    return size <= size_default and (size & (size - 1)) == 0


# struct __sk_buff of 6.18 (BTF): field -> (offset, size)
SK_BUFF_FIELDS: dict[str, tuple[int, int]] = {
    "len": (0, 4), "pkt_type": (4, 4), "mark": (8, 4), "queue_mapping": (12, 4),
    "protocol": (16, 4), "vlan_present": (20, 4), "vlan_tci": (24, 4), "vlan_proto": (28, 4),
    "priority": (32, 4), "ingress_ifindex": (36, 4), "ifindex": (40, 4), "tc_index": (44, 4),
    "cb": (48, 20), "hash": (68, 4), "tc_classid": (72, 4), "data": (76, 4),
    "data_end": (80, 4), "napi_id": (84, 4), "family": (88, 4), "remote_ip4": (92, 4),
    "local_ip4": (96, 4), "remote_ip6": (100, 16), "local_ip6": (116, 16),
    "remote_port": (132, 4), "local_port": (136, 4), "data_meta": (140, 4),
    "flow_keys": (144, 8), "tstamp": (152, 8), "wire_len": (160, 4), "gso_segs": (164, 4),
    "sk": (168, 8), "gso_size": (176, 4), "tstamp_type": (180, 1), "hwtstamp": (184, 8),
}  # fmt: skip
SK_BUFF_SIZE = 192
# struct xdp_md
XDP_MD_FIELDS: dict[str, tuple[int, int]] = {
    "data": (0, 4), "data_end": (4, 4), "data_meta": (8, 4), "ingress_ifindex": (12, 4),
    "rx_queue_index": (16, 4), "egress_ifindex": (20, 4),
}  # fmt: skip
XDP_MD_SIZE = 24
# struct bpf_sock
BPF_SOCK_FIELDS: dict[str, tuple[int, int]] = {
    "bound_dev_if": (0, 4), "family": (4, 4), "type": (8, 4), "protocol": (12, 4),
    "mark": (16, 4), "priority": (20, 4), "src_ip4": (24, 4), "src_ip6": (28, 16),
    "src_port": (44, 4), "dst_port": (48, 2), "dst_ip4": (52, 4), "dst_ip6": (56, 16),
    "state": (72, 4), "rx_queue_mapping": (76, 4),
}  # fmt: skip
BPF_SOCK_SIZE = 80
PT_REGS_SIZE = 168  # x86_64 struct pt_regs
PERF_EVENT_DATA_SIZE = 184  # struct bpf_perf_event_data: regs, sample_period@168, addr@176
PERF_MAX_TRACE_SIZE = 2048
RAW_TP_ARGS_SIZE = 8 * 12  # sizeof(u64) * MAX_BPF_FUNC_ARGS


def _in(fields: dict[str, tuple[int, int]], off: int, name: str) -> bool:
    """``case bpf_ctx_range(T, name)``: ``off`` starts inside the field."""
    start, size = fields[name]
    return start <= off < start + size


def _till(fields: dict[str, tuple[int, int]], off: int, first: str, last: str) -> bool:
    """``case bpf_ctx_range_till(T, first, last)``."""
    start = fields[first][0]
    end = fields[last][0] + fields[last][1]
    return start <= off < end


def _skb(off: int, name: str) -> bool:
    return _in(SK_BUFF_FIELDS, off, name)


def _skb_any(off: int, *names: str) -> bool:
    return any(_skb(off, name) for name in names)


_SKB_FIELD_REG = {
    "data": CtxRegType.PTR_TO_PACKET,
    "data_end": CtxRegType.PTR_TO_PACKET_END,
    "data_meta": CtxRegType.PTR_TO_PACKET_META,
}


def _bpf_skb_access(
    off: int, size: int, write: bool, ldsx: bool, reg: CtxRegType = CtxRegType.SCALAR
) -> CtxAccess:
    """``bpf_skb_is_valid_access``: the common __sk_buff rules."""
    bad = _reject(off, size)
    if off < 0 or off >= SK_BUFF_SIZE or off % size != 0:
        return bad
    field_size = None
    if _skb(off, "cb"):
        if off + size > 68:
            return bad
    elif _skb_any(off, "data", "data_meta", "data_end"):
        if ldsx or size != 4:
            return bad
    elif _till(SK_BUFF_FIELDS, off, "remote_ip4", "local_ip6"):
        if size != 4:
            return bad
    elif _skb(off, "flow_keys"):
        return bad
    elif _skb(off, "hwtstamp"):
        if write or size != 8:
            return bad
    elif _skb(off, "tstamp"):
        if size != 8:
            return bad
    elif _skb(off, "sk"):
        if write or size != 8:
            return bad
        reg = CtxRegType.PTR_TO_SOCK_COMMON_OR_NULL
    elif off == 180 or 181 <= off <= 183:  # tstamp_type (via this path) and the padding
        return bad
    elif write:
        if size != 4:
            return bad
    else:
        field_size = 4
        if not _narrow_ok(size, 4):
            return bad
    return CtxAccess(True, reg, field_size)


def _pkt_reg(off: int, with_meta: bool) -> CtxRegType:
    for name, reg in _SKB_FIELD_REG.items():
        if _skb(off, name) and (with_meta or name != "data_meta"):
            return reg
    return CtxRegType.SCALAR


def _sk_filter(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    if _skb_any(off, "tc_classid", "data", "data_meta", "data_end", "tstamp", "wire_len",
                "hwtstamp") or _till(SK_BUFF_FIELDS, off, "family", "local_port"):  # fmt: skip
        return _reject(off, size)
    if write and not _skb(off, "cb"):
        return _reject(off, size)
    return _bpf_skb_access(off, size, write, ldsx)


def _cg_skb(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    # data/data_end need CAP_BPF, which both modelled profiles have.
    if _skb_any(off, "tc_classid", "data_meta", "wire_len"):
        return _reject(off, size)
    if write and not _skb_any(off, "mark", "priority", "cb", "tstamp"):
        return _reject(off, size)
    return _bpf_skb_access(off, size, write, ldsx, _pkt_reg(off, with_meta=False))


def _lwt(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    if _skb_any(off, "tc_classid", "data_meta", "tstamp", "wire_len", "hwtstamp") or _till(
        SK_BUFF_FIELDS, off, "family", "local_port"
    ):
        return _reject(off, size)
    if write and not _skb_any(off, "mark", "priority", "cb"):
        return _reject(off, size)
    return _bpf_skb_access(off, size, write, ldsx, _pkt_reg(off, with_meta=False))


def _tc(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    writable = ("mark", "tc_index", "priority", "tc_classid", "cb", "tstamp", "queue_mapping")
    if write and not _skb_any(off, *writable):
        return _reject(off, size)
    if _till(SK_BUFF_FIELDS, off, "family", "local_port"):
        return _reject(off, size)
    if off == SK_BUFF_FIELDS["tstamp_type"][0]:
        return CtxAccess(True) if size == 1 else _reject(off, size)
    return _bpf_skb_access(off, size, write, ldsx, _pkt_reg(off, with_meta=True))


def _sk_skb(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    if _skb_any(off, "tc_classid", "data_meta", "tstamp", "wire_len", "hwtstamp"):
        return _reject(off, size)
    if write and not _skb_any(off, "tc_index", "priority"):
        return _reject(off, size)
    if _skb(off, "mark"):
        return _reject(off, size)
    return _bpf_skb_access(off, size, write, ldsx, _pkt_reg(off, with_meta=False))


def _xdp(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    if attach != AttachType.XDP_DEVMAP and off == XDP_MD_FIELDS["egress_ifindex"][0]:
        return _reject(off, size)
    if write:  # only offloaded programs may write rx_queue_index
        return _reject(off, size)
    reg = {0: CtxRegType.PTR_TO_PACKET, 4: CtxRegType.PTR_TO_PACKET_END,
           8: CtxRegType.PTR_TO_PACKET_META}.get(off, CtxRegType.SCALAR)  # fmt: skip
    if reg is not CtxRegType.SCALAR and ldsx:
        return _reject(off, size)
    if off < 0 or off >= XDP_MD_SIZE or off % size != 0 or size != 4:
        return _reject(off, size)
    return CtxAccess(True, reg)


def _bpf_sock_access(off: int, size: int) -> CtxAccess:
    """``bpf_sock_is_valid_access`` (type-independent part)."""
    bad = _reject(off, size)
    if off < 0 or off >= BPF_SOCK_SIZE or off % size != 0:
        return bad
    f = BPF_SOCK_FIELDS
    exact = {
        f[n][0] for n in ("state", "family", "type", "protocol", "src_port", "rx_queue_mapping")
    }
    if off in exact or any(_in(f, off, n) for n in ("src_ip4", "src_ip6", "dst_ip4", "dst_ip6")):
        return CtxAccess(True, field_size=4) if _narrow_ok(size, 4) else bad
    if _in(f, off, "dst_port"):
        field_size = 4 if size == 4 else 2
        return CtxAccess(True, field_size=field_size) if _narrow_ok(size, field_size) else bad
    if 50 <= off <= 51:
        return bad
    return CtxAccess(True) if size == 4 else bad


def _cgroup_sock(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    base = _bpf_sock_access(off, size)
    if not base.ok:
        return base
    # __sock_filter_check_attach_type; attach type 0 is fixed up to INET_SOCK_CREATE at load.
    at = AttachType.CGROUP_INET_SOCK_CREATE if not attach else attach
    f = BPF_SOCK_FIELDS
    if off in (f["bound_dev_if"][0], f["mark"][0], f["priority"][0]):
        if at in (AttachType.CGROUP_INET_SOCK_CREATE, AttachType.CGROUP_INET_SOCK_RELEASE):
            return base
        return _reject(off, size)
    if _in(f, off, "src_ip4") and at != AttachType.CGROUP_INET4_POST_BIND:
        return _reject(off, size)
    if _in(f, off, "src_ip6") and at != AttachType.CGROUP_INET6_POST_BIND:
        return _reject(off, size)
    post_bind = (AttachType.CGROUP_INET4_POST_BIND, AttachType.CGROUP_INET6_POST_BIND)
    if _in(f, off, "src_port") and at not in post_bind:
        return _reject(off, size)
    return _reject(off, size) if write else base


def _kprobe(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    if off < 0 or off >= PT_REGS_SIZE or write or off % size != 0 or off + size > PT_REGS_SIZE:
        return _reject(off, size)
    return CtxAccess(True)


def _tracepoint(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    # ``off < sizeof(void *)`` compares unsigned, so negative offsets pass it (measured).
    if 0 <= off < 8 or off >= PERF_MAX_TRACE_SIZE or write or off % size != 0:
        return _reject(off, size)
    return CtxAccess(True)


def _raw_tp(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    if off < 0 or off >= RAW_TP_ARGS_SIZE or write or off % size != 0:
        return _reject(off, size)
    return CtxAccess(True)


def _perf_event(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    if off < 0 or off >= PERF_EVENT_DATA_SIZE or write or off % size != 0:
        return _reject(off, size)
    if 168 <= off < 184:  # sample_period, addr: u64, narrow loads allowed
        return CtxAccess(True, field_size=8) if _narrow_ok(size, 8) else _reject(off, size)
    return CtxAccess(True) if size == 8 else _reject(off, size)


# struct bpf_sock_addr
SOCK_ADDR_FIELDS: dict[str, tuple[int, int]] = {
    "user_family": (0, 4), "user_ip4": (4, 4), "user_ip6": (8, 16), "user_port": (24, 4),
    "family": (28, 4), "type": (32, 4), "protocol": (36, 4), "msg_src_ip4": (40, 4),
    "msg_src_ip6": (44, 16), "sk": (64, 8),
}  # fmt: skip
SOCK_ADDR_SIZE = 72
# struct sk_msg_md
SK_MSG_FIELDS: dict[str, tuple[int, int]] = {
    "data": (0, 8), "data_end": (8, 8), "family": (16, 4), "remote_ip4": (20, 4),
    "local_ip4": (24, 4), "remote_ip6": (28, 16), "local_ip6": (44, 16), "remote_port": (60, 4),
    "local_port": (64, 4), "size": (68, 4), "sk": (72, 8),
}  # fmt: skip
SK_MSG_SIZE = 80

_A = AttachType
_SOCK_ADDR_FAMILY_FIELDS: dict[str, frozenset[int]] = {
    "user_ip4": frozenset({_A.CGROUP_INET4_BIND, _A.CGROUP_INET4_CONNECT,
                           _A.CGROUP_INET4_GETPEERNAME, _A.CGROUP_INET4_GETSOCKNAME,
                           _A.CGROUP_UDP4_SENDMSG, _A.CGROUP_UDP4_RECVMSG}),
    "user_ip6": frozenset({_A.CGROUP_INET6_BIND, _A.CGROUP_INET6_CONNECT,
                           _A.CGROUP_INET6_GETPEERNAME, _A.CGROUP_INET6_GETSOCKNAME,
                           _A.CGROUP_UDP6_SENDMSG, _A.CGROUP_UDP6_RECVMSG}),
    "msg_src_ip4": frozenset({_A.CGROUP_UDP4_SENDMSG}),
    "msg_src_ip6": frozenset({_A.CGROUP_UDP6_SENDMSG}),
}  # fmt: skip


def _wide_ok(fields: dict[str, tuple[int, int]], off: int, size: int, name: str) -> bool:
    """``bpf_ctx_wide_access_ok``: an aligned 8-byte access inside an array field."""
    start, length = fields[name]
    return size == 8 and off >= start and off + 8 <= start + length and off % 8 == 0


def _sock_addr(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    f = SOCK_ADDR_FIELDS
    bad = _reject(off, size)
    if off < 0 or off >= SOCK_ADDR_SIZE or off % size != 0:
        return bad
    for name, allowed in _SOCK_ADDR_FAMILY_FIELDS.items():
        if _in(f, off, name) and attach not in allowed:
            return bad
    if any(_in(f, off, n) for n in ("user_ip4", "user_ip6", "msg_src_ip4", "msg_src_ip6",
                                    "user_port")):  # fmt: skip
        if _wide_ok(f, off, size, "user_ip6") or _wide_ok(f, off, size, "msg_src_ip6"):
            return CtxAccess(True, field_size=None if write else 4)
        if write:
            return CtxAccess(True) if size == 4 else bad
        return CtxAccess(True, field_size=4) if _narrow_ok(size, 4) else bad
    if _in(f, off, "sk"):
        if write or size != 8:
            return bad
        return CtxAccess(True, CtxRegType.PTR_TO_SOCKET)
    if any(_in(f, off, n) for n in ("user_family", "family", "type", "protocol")):
        return CtxAccess(True) if not write and size == 4 else bad
    return bad


def _sk_msg(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    f = SK_MSG_FIELDS
    bad = _reject(off, size)
    if write or off % size != 0:
        return bad
    pointers = (
        ("data", CtxRegType.PTR_TO_PACKET),
        ("data_end", CtxRegType.PTR_TO_PACKET_END),
        ("sk", CtxRegType.PTR_TO_SOCKET),
    )
    for name, reg in pointers:
        if _in(f, off, name):
            return CtxAccess(True, reg) if size == 8 else bad
    if _in(f, off, "remote_ip4") or _till(f, off, "family", "size"):
        return CtxAccess(True) if size == 4 else bad
    return bad


SOCK_OPS_SIZE = 224  # struct bpf_sock_ops: reply@4, sk_txhash@164, bytes_*@168, sk@184, skb_*@192


def _sock_ops(off: int, size: int, write: bool, ldsx: bool, attach: int | None) -> CtxAccess:
    """``sock_ops_is_valid_access``."""
    bad = _reject(off, size)
    if off < 0 or off >= SOCK_OPS_SIZE or off % size != 0:
        return bad
    if write:
        return CtxAccess(True) if off in (4, 164) and size == 4 else bad
    wide = {
        range(168, 184): CtxRegType.SCALAR,  # bytes_received, bytes_acked
        range(184, 192): CtxRegType.PTR_TO_SOCKET_OR_NULL,  # sk
        range(192, 200): CtxRegType.PTR_TO_PACKET,  # skb_data
        range(200, 208): CtxRegType.PTR_TO_PACKET_END,  # skb_data_end
        range(216, 224): CtxRegType.SCALAR,  # skb_hwtstamp
    }
    for span, reg in wide.items():
        if off in span:
            return CtxAccess(True, reg) if size == 8 else bad
    if off == 212:  # skb_tcp_flags: narrow loads allowed
        return CtxAccess(True, field_size=4) if _narrow_ok(size, 4) else bad
    return CtxAccess(True) if size == 4 else bad


_CtxRule = Callable[[int, int, bool, bool, "int | None"], CtxAccess]
_CTX_RULES: dict[ProgType, _CtxRule] = {
    ProgType.SOCKET_FILTER: _sk_filter,
    ProgType.SCHED_CLS: _tc,
    ProgType.SCHED_ACT: _tc,
    ProgType.XDP: _xdp,
    ProgType.CGROUP_SKB: _cg_skb,
    ProgType.LWT_IN: _lwt,
    ProgType.LWT_OUT: _lwt,
    ProgType.LWT_XMIT: _lwt,
    ProgType.LWT_SEG6LOCAL: _lwt,
    ProgType.SK_SKB: _sk_skb,
    ProgType.CGROUP_SOCK: _cgroup_sock,
    ProgType.KPROBE: _kprobe,
    ProgType.TRACEPOINT: _tracepoint,
    ProgType.RAW_TRACEPOINT: _raw_tp,
    ProgType.PERF_EVENT: _perf_event,
    ProgType.CGROUP_SOCK_ADDR: _sock_addr,
    ProgType.SK_MSG: _sk_msg,
    ProgType.SOCK_OPS: _sock_ops,
}

_CTX_SIZES: dict[ProgType, int] = {
    ProgType.SOCKET_FILTER: SK_BUFF_SIZE,
    ProgType.SCHED_CLS: SK_BUFF_SIZE,
    ProgType.SCHED_ACT: SK_BUFF_SIZE,
    ProgType.CGROUP_SKB: SK_BUFF_SIZE,
    ProgType.LWT_IN: SK_BUFF_SIZE,
    ProgType.LWT_OUT: SK_BUFF_SIZE,
    ProgType.LWT_XMIT: SK_BUFF_SIZE,
    ProgType.LWT_SEG6LOCAL: SK_BUFF_SIZE,
    ProgType.SK_SKB: SK_BUFF_SIZE,
    ProgType.FLOW_DISSECTOR: SK_BUFF_SIZE,
    ProgType.XDP: XDP_MD_SIZE,
    ProgType.CGROUP_SOCK: BPF_SOCK_SIZE,
    ProgType.KPROBE: PT_REGS_SIZE,
    ProgType.TRACEPOINT: PERF_MAX_TRACE_SIZE,
    ProgType.RAW_TRACEPOINT: RAW_TP_ARGS_SIZE,
    ProgType.PERF_EVENT: PERF_EVENT_DATA_SIZE,
    ProgType.CGROUP_SOCK_ADDR: 72,
    ProgType.SOCK_OPS: 224,
    ProgType.SK_MSG: 80,
}


def ctx_access_modelled(prog_type: ProgType | int | str) -> bool:
    """Whether :func:`ctx_access` knows the rules of this program type."""
    return _prog_type(prog_type) in _CTX_RULES


def ctx_access(
    prog_type: ProgType | int | str,
    off: int,
    size: int,
    write: bool,
    attach_type: AttachType | int | None = None,
    *,
    sign_extend: bool = False,
) -> CtxAccess:
    """``env->ops->is_valid_access(off, size, type, prog, &info)`` for one context access.

    ``off`` is the total offset (register fixed offset + instruction offset), ``size`` the
    access size in bytes (1, 2, 4 or 8), ``write`` True for stores, ``sign_extend`` True for a
    ``BPF_MEMSX`` load (``info->is_ldsx``). The checks the verifier makes before calling
    ``is_valid_access`` (modified ctx pointer, variable offset, pointer leaks, BPF_ST into ctx)
    are the engine's.
    """
    pt = _prog_type(prog_type)
    rule = _CTX_RULES.get(pt)
    if rule is None:
        return CtxAccess(
            False,
            error=f"context access for program type {pt.name.lower()} is not modelled by pyebpf",
            errno=EINVAL,
            modelled=False,
        )
    if size not in (1, 2, 4, 8):
        return _reject(off, size)
    attach = int(attach_type) if attach_type is not None else None
    return rule(off, size, write, sign_extend, attach)


def ctx_size(prog_type: ProgType | int | str) -> int:
    """Size in bytes of the program type's context struct (0 when unknown)."""
    return _CTX_SIZES.get(_prog_type(prog_type), 0)


# --- return values -----------------------------------------------------------------------------

_RANGE_0_1 = (0, 1)
_SOCK_ADDR_1_1 = frozenset(
    {
        AttachType.CGROUP_UDP4_RECVMSG, AttachType.CGROUP_UDP6_RECVMSG,
        AttachType.CGROUP_UNIX_RECVMSG, AttachType.CGROUP_INET4_GETPEERNAME,
        AttachType.CGROUP_INET6_GETPEERNAME, AttachType.CGROUP_UNIX_GETPEERNAME,
        AttachType.CGROUP_INET4_GETSOCKNAME, AttachType.CGROUP_INET6_GETSOCKNAME,
        AttachType.CGROUP_UNIX_GETSOCKNAME,
    }
)  # fmt: skip


def return_range(
    prog_type: ProgType | int | str, attach_type: AttachType | int | None = None
) -> tuple[int, int] | None:
    """``check_return_code``: the range R0 must lie in at the main program's exit, or None.

    None means the kernel does not check the value (socket filter, tc, XDP, kprobe,
    tracepoint, perf_event, raw tracepoint, lwt, sk_skb ...). Where a range is returned, R0 must
    also be a scalar (``At program exit the register R0 is not a known value (...)``); a
    pointer in R0 is ``R0 leaks addr as return value`` without CAP_PERFMON for every type.
    """
    pt = _prog_type(prog_type)
    at = int(attach_type) if attach_type is not None else None
    if pt is ProgType.CGROUP_SOCK_ADDR:
        if at in _SOCK_ADDR_1_1:
            return (1, 1)
        if at in (AttachType.CGROUP_INET4_BIND, AttachType.CGROUP_INET6_BIND):
            return (0, 3)
        return _RANGE_0_1
    if pt is ProgType.CGROUP_SKB:
        return (0, 3) if at == AttachType.CGROUP_INET_EGRESS else _RANGE_0_1
    if pt in (ProgType.CGROUP_SOCK, ProgType.SOCK_OPS, ProgType.CGROUP_DEVICE,
              ProgType.CGROUP_SYSCTL, ProgType.CGROUP_SOCKOPT):  # fmt: skip
        return _RANGE_0_1
    if pt is ProgType.KPROBE:
        return _RANGE_0_1 if at == AttachType.TRACE_KPROBE_SESSION else None
    if pt in (ProgType.SK_LOOKUP, ProgType.NETFILTER):
        return _RANGE_0_1  # [SK_DROP, SK_PASS], [NF_DROP, NF_ACCEPT]
    if pt is ProgType.TRACING and at in (AttachType.TRACE_FENTRY, AttachType.TRACE_FEXIT):
        return (0, 0)
    return None
