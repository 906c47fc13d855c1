"""Section names to program types: libbpf's ``SEC()`` table (``section_defs`` in libbpf.c).

A definition ending in ``+`` matches the name itself or the name followed by ``/`` and an
attach target (``kprobe/do_nanosleep``); the others match exactly. The first match in table
order wins, as in libbpf.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..kernel_tables import AttachType as A
from ..kernel_tables import ProgType as P

BPF_F_SLEEPABLE = 1 << 4
BPF_F_XDP_HAS_FRAGS = 1 << 5

_SLEEPABLE = "sleepable"
_FRAGS = "frags"
_BTF = "attach_btf"  # the attach target is a kernel BTF name (fentry, lsm, tp_btf, iter...)


@dataclass(frozen=True, slots=True)
class SectionDef:
    """One row of the table."""

    prefix: str
    prog_type: P
    attach_type: A | None
    options: frozenset[str] = frozenset()

    @property
    def takes_target(self) -> bool:
        return self.prefix.endswith("+")

    def matches(self, name: str) -> bool:
        if self.takes_target:
            base = self.prefix[:-1]
            return name == base or name.startswith(base + "/")
        return name == self.prefix


@dataclass(frozen=True, slots=True)
class SectionInfo:
    """What a section name says about the programs in it."""

    prog_type: P
    attach_type: A | None
    attach_to: str
    flags: int
    attach_btf: bool  # the target must be resolved against kernel BTF at load time


def _d(prefix: str, prog_type: P, attach_type: A | None = None, *options: str) -> SectionDef:
    return SectionDef(prefix, prog_type, attach_type, frozenset(options))


SECTION_DEFS: tuple[SectionDef, ...] = (
    _d("socket", P.SOCKET_FILTER),
    _d("sk_reuseport/migrate", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE),
    _d("sk_reuseport", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT),
    _d("kprobe+", P.KPROBE),
    _d("uprobe+", P.KPROBE),
    _d("uprobe.s+", P.KPROBE, None, _SLEEPABLE),
    _d("kretprobe+", P.KPROBE),
    _d("uretprobe+", P.KPROBE),
    _d("uretprobe.s+", P.KPROBE, None, _SLEEPABLE),
    _d("kprobe.multi+", P.KPROBE, A.TRACE_KPROBE_MULTI),
    _d("kretprobe.multi+", P.KPROBE, A.TRACE_KPROBE_MULTI),
    _d("kprobe.session+", P.KPROBE, A.TRACE_KPROBE_SESSION),
    _d("uprobe.multi+", P.KPROBE, A.TRACE_UPROBE_MULTI),
    _d("uretprobe.multi+", P.KPROBE, A.TRACE_UPROBE_MULTI),
    _d("uprobe.session+", P.KPROBE, A.TRACE_UPROBE_SESSION),
    _d("uprobe.multi.s+", P.KPROBE, A.TRACE_UPROBE_MULTI, _SLEEPABLE),
    _d("uretprobe.multi.s+", P.KPROBE, A.TRACE_UPROBE_MULTI, _SLEEPABLE),
    _d("uprobe.session.s+", P.KPROBE, A.TRACE_UPROBE_SESSION, _SLEEPABLE),
    _d("ksyscall+", P.KPROBE),
    _d("kretsyscall+", P.KPROBE),
    _d("usdt+", P.KPROBE),
    _d("usdt.s+", P.KPROBE, None, _SLEEPABLE),
    _d("tc/ingress", P.SCHED_CLS, A.TCX_INGRESS),
    _d("tc/egress", P.SCHED_CLS, A.TCX_EGRESS),
    _d("tcx/ingress", P.SCHED_CLS, A.TCX_INGRESS),
    _d("tcx/egress", P.SCHED_CLS, A.TCX_EGRESS),
    _d("tc", P.SCHED_CLS),
    _d("classifier", P.SCHED_CLS),
    _d("action", P.SCHED_ACT),
    _d("netkit/primary", P.SCHED_CLS, A.NETKIT_PRIMARY),
    _d("netkit/peer", P.SCHED_CLS, A.NETKIT_PEER),
    _d("tracepoint+", P.TRACEPOINT),
    _d("tp+", P.TRACEPOINT),
    _d("raw_tracepoint+", P.RAW_TRACEPOINT),
    _d("raw_tp+", P.RAW_TRACEPOINT),
    _d("raw_tracepoint.w+", P.RAW_TRACEPOINT_WRITABLE),
    _d("raw_tp.w+", P.RAW_TRACEPOINT_WRITABLE),
    _d("tp_btf+", P.TRACING, A.TRACE_RAW_TP, _BTF),
    _d("fentry+", P.TRACING, A.TRACE_FENTRY, _BTF),
    _d("fmod_ret+", P.TRACING, A.MODIFY_RETURN, _BTF),
    _d("fexit+", P.TRACING, A.TRACE_FEXIT, _BTF),
    _d("fentry.s+", P.TRACING, A.TRACE_FENTRY, _BTF, _SLEEPABLE),
    _d("fmod_ret.s+", P.TRACING, A.MODIFY_RETURN, _BTF, _SLEEPABLE),
    _d("fexit.s+", P.TRACING, A.TRACE_FEXIT, _BTF, _SLEEPABLE),
    _d("freplace+", P.EXT, None, _BTF),
    _d("lsm+", P.LSM, A.LSM_MAC, _BTF),
    _d("lsm.s+", P.LSM, A.LSM_MAC, _BTF, _SLEEPABLE),
    _d("lsm_cgroup+", P.LSM, A.LSM_CGROUP, _BTF),
    _d("iter+", P.TRACING, A.TRACE_ITER, _BTF),
    _d("iter.s+", P.TRACING, A.TRACE_ITER, _BTF, _SLEEPABLE),
    _d("syscall", P.SYSCALL, None, _SLEEPABLE),
    _d("xdp.frags/devmap", P.XDP, A.XDP_DEVMAP, _FRAGS),
    _d("xdp/devmap", P.XDP, A.XDP_DEVMAP),
    _d("xdp.frags/cpumap", P.XDP, A.XDP_CPUMAP, _FRAGS),
    _d("xdp/cpumap", P.XDP, A.XDP_CPUMAP),
    _d("xdp.frags", P.XDP, A.XDP, _FRAGS),
    _d("xdp", P.XDP, A.XDP),
    _d("perf_event", P.PERF_EVENT),
    _d("lwt_in", P.LWT_IN),
    _d("lwt_out", P.LWT_OUT),
    _d("lwt_xmit", P.LWT_XMIT),
    _d("lwt_seg6local", P.LWT_SEG6LOCAL),
    _d("sockops", P.SOCK_OPS, A.CGROUP_SOCK_OPS),
    _d("sk_skb/stream_parser", P.SK_SKB, A.SK_SKB_STREAM_PARSER),
    _d("sk_skb/stream_verdict", P.SK_SKB, A.SK_SKB_STREAM_VERDICT),
    _d("sk_skb/verdict", P.SK_SKB, A.SK_SKB_VERDICT),
    _d("sk_skb", P.SK_SKB),
    _d("sk_msg", P.SK_MSG, A.SK_MSG_VERDICT),
    _d("lirc_mode2", P.LIRC_MODE2, A.LIRC_MODE2),
    _d("flow_dissector", P.FLOW_DISSECTOR, A.FLOW_DISSECTOR),
    _d("cgroup_skb/ingress", P.CGROUP_SKB, A.CGROUP_INET_INGRESS),
    _d("cgroup_skb/egress", P.CGROUP_SKB, A.CGROUP_INET_EGRESS),
    _d("cgroup/skb", P.CGROUP_SKB),
    _d("cgroup/sock_create", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE),
    _d("cgroup/sock_release", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE),
    _d("cgroup/sock", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE),
    _d("cgroup/post_bind4", P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND),
    _d("cgroup/post_bind6", P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND),
    _d("cgroup/bind4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND),
    _d("cgroup/bind6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND),
    _d("cgroup/connect4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT),
    _d("cgroup/connect6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT),
    _d("cgroup/connect_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_CONNECT),
    _d("cgroup/sendmsg4", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG),
    _d("cgroup/sendmsg6", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG),
    _d("cgroup/sendmsg_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG),
    _d("cgroup/recvmsg4", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG),
    _d("cgroup/recvmsg6", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG),
    _d("cgroup/recvmsg_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_RECVMSG),
    _d("cgroup/getpeername4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME),
    _d("cgroup/getpeername6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME),
    _d("cgroup/getpeername_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETPEERNAME),
    _d("cgroup/getsockname4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME),
    _d("cgroup/getsockname6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME),
    _d("cgroup/getsockname_unix", P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETSOCKNAME),
    _d("cgroup/sysctl", P.CGROUP_SYSCTL, A.CGROUP_SYSCTL),
    _d("cgroup/getsockopt", P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT),
    _d("cgroup/setsockopt", P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT),
    _d("cgroup/dev", P.CGROUP_DEVICE, A.CGROUP_DEVICE),
    _d("struct_ops+", P.STRUCT_OPS),
    _d("struct_ops.s+", P.STRUCT_OPS, None, _SLEEPABLE),
    _d("sk_lookup", P.SK_LOOKUP, A.SK_LOOKUP),
    _d("netfilter", P.NETFILTER, A.NETFILTER),
)


def section_info(name: str) -> SectionInfo | None:
    """What libbpf makes of a program section called ``name``; None if it matches no row."""
    for sec_def in SECTION_DEFS:
        if sec_def.matches(name):
            attach_to = ""
            if sec_def.takes_target and len(name) > len(sec_def.prefix) - 1:
                attach_to = name[len(sec_def.prefix) :]  # after "<prefix>/"
            flags = 0
            if _SLEEPABLE in sec_def.options:
                flags |= BPF_F_SLEEPABLE
            if _FRAGS in sec_def.options:
                flags |= BPF_F_XDP_HAS_FRAGS
            return SectionInfo(
                sec_def.prog_type, sec_def.attach_type, attach_to, flags, _BTF in sec_def.options
            )
    return None
