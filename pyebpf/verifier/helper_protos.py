"""Helper prototypes of Linux 6.18, in the kernel's own terms.

Each :class:`HelperProto` is the verifier-relevant part of a ``struct bpf_func_proto``: the return
type, up to five argument types with their type flags, and the behaviours the verifier attaches to
particular helpers (reference acquire/release, packet-data invalidation, pointer casts, the map
types a helper accepts). The engine (``pyebpf.verifier.calls``) checks a ``call`` against these.

The table below is the kernel's text: return and argument types are spelled exactly as in the
``bpf_*_proto`` definitions of ``net/core/filter.c``, ``kernel/bpf/helpers.c``,
``kernel/trace/bpf_trace.c`` and the rest of ``kernel/bpf`` (Linux 6.12.117 source, extracted
mechanically), so that a reader can diff it against the kernel; the module turns them into typed
values at import. Which helper a program type may call is in :mod:`pyebpf.verifier.prog_types`
(measured on the running 6.18 kernel).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..asm.helper_ids import HelperId
from ..kernel_tables import MapType, ProgType


class ArgType(enum.Enum):
    """``enum bpf_arg_type`` base types (the flags are in :class:`TypeFlag`)."""

    DONTCARE = "ARG_DONTCARE"
    CONST_MAP_PTR = "ARG_CONST_MAP_PTR"
    PTR_TO_MAP_KEY = "ARG_PTR_TO_MAP_KEY"
    PTR_TO_MAP_VALUE = "ARG_PTR_TO_MAP_VALUE"
    PTR_TO_MEM = "ARG_PTR_TO_MEM"
    PTR_TO_ARENA = "ARG_PTR_TO_ARENA"
    CONST_SIZE = "ARG_CONST_SIZE"
    CONST_SIZE_OR_ZERO = "ARG_CONST_SIZE_OR_ZERO"
    PTR_TO_CTX = "ARG_PTR_TO_CTX"
    ANYTHING = "ARG_ANYTHING"
    SCALAR = "ARG_SCALAR"
    PTR_TO_SPIN_LOCK = "ARG_PTR_TO_SPIN_LOCK"
    PTR_TO_SOCK_COMMON = "ARG_PTR_TO_SOCK_COMMON"
    PTR_TO_SOCKET = "ARG_PTR_TO_SOCKET"
    PTR_TO_BTF_ID = "ARG_PTR_TO_BTF_ID"
    PTR_TO_RINGBUF_MEM = "ARG_PTR_TO_RINGBUF_MEM"
    CONST_ALLOC_SIZE_OR_ZERO = "ARG_CONST_ALLOC_SIZE_OR_ZERO"
    PTR_TO_BTF_ID_SOCK_COMMON = "ARG_PTR_TO_BTF_ID_SOCK_COMMON"
    PTR_TO_PERCPU_BTF_ID = "ARG_PTR_TO_PERCPU_BTF_ID"
    PTR_TO_FUNC = "ARG_PTR_TO_FUNC"
    PTR_TO_STACK = "ARG_PTR_TO_STACK"
    PTR_TO_CONST_STR = "ARG_PTR_TO_CONST_STR"
    PTR_TO_TIMER = "ARG_PTR_TO_TIMER"
    KPTR_XCHG_DEST = "ARG_KPTR_XCHG_DEST"
    PTR_TO_DYNPTR = "ARG_PTR_TO_DYNPTR"


class RetType(enum.Enum):
    """``enum bpf_return_type`` base types (``*_OR_NULL`` is ``TypeFlag.MAYBE_NULL``)."""

    INTEGER = "RET_INTEGER"
    VOID = "RET_VOID"
    PTR_TO_MAP_VALUE = "RET_PTR_TO_MAP_VALUE"
    PTR_TO_SOCKET = "RET_PTR_TO_SOCKET"
    PTR_TO_TCP_SOCK = "RET_PTR_TO_TCP_SOCK"
    PTR_TO_SOCK_COMMON = "RET_PTR_TO_SOCK_COMMON"
    PTR_TO_MEM = "RET_PTR_TO_MEM"
    PTR_TO_MEM_OR_BTF_ID = "RET_PTR_TO_MEM_OR_BTF_ID"
    PTR_TO_BTF_ID = "RET_PTR_TO_BTF_ID"


class TypeFlag(enum.Enum):
    """``enum bpf_type_flag`` bits that appear in helper prototypes."""

    MAYBE_NULL = "PTR_MAYBE_NULL"
    RDONLY = "MEM_RDONLY"
    RINGBUF = "MEM_RINGBUF"
    USER = "MEM_USER"
    PERCPU = "MEM_PERCPU"
    RELEASE = "OBJ_RELEASE"
    UNTRUSTED = "PTR_UNTRUSTED"
    UNINIT = "MEM_UNINIT"
    DYNPTR_LOCAL = "DYNPTR_TYPE_LOCAL"
    DYNPTR_RINGBUF = "DYNPTR_TYPE_RINGBUF"
    FIXED_SIZE = "MEM_FIXED_SIZE"
    ALLOC = "MEM_ALLOC"
    TRUSTED = "PTR_TRUSTED"
    WRITE = "MEM_WRITE"
    ALIGNED = "MEM_ALIGNED"


@dataclass(frozen=True)
class ArgSpec:
    """One argument of a helper: base type, flags, and the extras some types carry.

    ``size`` is the byte size of a ``MEM_FIXED_SIZE`` memory argument (``.argN_size``);
    ``btf_type`` names the kernel struct an ``ARG_PTR_TO_BTF_ID*`` argument points to.
    """

    type: ArgType
    flags: frozenset[TypeFlag] = frozenset()
    size: int | None = None
    btf_type: str | None = None

    @property
    def maybe_null(self) -> bool:
        return TypeFlag.MAYBE_NULL in self.flags

    @property
    def rdonly(self) -> bool:
        return TypeFlag.RDONLY in self.flags

    @property
    def uninit(self) -> bool:
        """The helper writes the memory (``MEM_UNINIT``): it need not be initialised."""
        return TypeFlag.UNINIT in self.flags

    @property
    def release(self) -> bool:
        return TypeFlag.RELEASE in self.flags

    @property
    def kernel_name(self) -> str:
        """The type as the kernel source spells it, e.g. ``ARG_PTR_TO_MEM | MEM_RDONLY``."""
        return " | ".join([self.type.value, *sorted(f.value for f in self.flags)])


@dataclass(frozen=True)
class HelperProto:
    """The verifier's view of one helper (``struct bpf_func_proto`` + per-helper special cases).

    * ``name`` is the kernel's name with the ``bpf_`` prefix (``bpf_map_lookup_elem``), the
      spelling of verifier messages (``... helper bpf_xdp_adjust_head#44``);
    * ``args`` has one :class:`ArgSpec` per used argument register R1.. (trailing
      ``ARG_DONTCARE`` omitted); registers beyond ``len(args)`` are not checked;
    * ``ret``/``ret_flags``: ``RET_PTR_TO_MAP_VALUE_OR_NULL`` is
      ``(PTR_TO_MAP_VALUE, {MAYBE_NULL})``;
      ``RET_PTR_TO_RINGBUF_MEM_OR_NULL`` is ``(PTR_TO_MEM, {MAYBE_NULL, RINGBUF})`` whose size
      is the constant in the ``ARG_CONST_ALLOC_SIZE_OR_ZERO`` argument;
    * ``acquires``: the result carries a new reference (``is_acquire_function``) that must be
      released on every path; ``map_lookup_elem`` acquires only on sockmap/sockhash
      (:func:`acquires_reference` takes the map type into account);
    * ``releases_arg``: the 1-based argument number (= register number) whose ``OBJ_RELEASE``
      reference the helper releases, or ``None``;
    * ``changes_pkt_data``: ``bpf_helper_changes_pkt_data`` -- every packet pointer is
      invalidated after the call;
    * ``ptr_cast``: ``is_ptr_cast_function`` -- the result shares the argument's ``ref_obj_id``;
    * ``map_types``: map types the helper's ``ARG_CONST_MAP_PTR`` accepts
      (``check_map_func_compatibility``, function side); ``None`` = any map type that itself
      accepts the helper (see :func:`map_func_compatible`).
    """

    id: int
    name: str
    ret: RetType
    args: tuple[ArgSpec, ...]
    ret_flags: frozenset[TypeFlag] = frozenset()
    ret_btf_type: str | None = None
    gpl_only: bool = False
    pkt_access: bool = False
    might_sleep: bool = False
    acquires: bool = False
    releases_arg: int | None = None
    changes_pkt_data: bool = False
    ptr_cast: bool = False
    map_types: frozenset[MapType] | None = None
    proto_name: str = ""
    allowed_callback: str | None = field(default=None, compare=False)

    @property
    def ret_maybe_null(self) -> bool:
        return TypeFlag.MAYBE_NULL in self.ret_flags

    @property
    def ret_kernel_name(self) -> str:
        return " | ".join([self.ret.value, *sorted(f.value for f in self.ret_flags)])

    def arg(self, regno: int) -> ArgSpec:
        """The spec of argument register ``regno`` (1..5); ``ARG_DONTCARE`` past the last."""
        if 1 <= regno <= len(self.args):
            return self.args[regno - 1]
        return ArgSpec(ArgType.DONTCARE)

    @property
    def alloc_size_arg(self) -> int | None:
        """The 1-based ``ARG_CONST_ALLOC_SIZE_OR_ZERO`` argument: the returned memory's size."""
        for i, spec in enumerate(self.args, 1):
            if spec.type is ArgType.CONST_ALLOC_SIZE_OR_ZERO:
                return i
        return None


# --- the kernel's text -------------------------------------------------------------------------
# (id, name without bpf_, proto struct, ret type, arg types, proto flags). "@N" after an arg type
# is its .argN_size; "@name" its BTF struct. Generated from the 6.12.117 source; see docstring.
_KERNEL_TABLE: tuple[tuple[int, str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        1,
        "map_lookup_elem",
        "bpf_map_lookup_elem_proto",
        "RET_PTR_TO_MAP_VALUE_OR_NULL",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY"),
        ("pkt_access",),
    ),
    (
        2,
        "map_update_elem",
        "bpf_map_update_elem_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_PTR_TO_MAP_VALUE", "ARG_ANYTHING"),
        ("pkt_access",),
    ),
    (
        3,
        "map_delete_elem",
        "bpf_map_delete_elem_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY"),
        ("pkt_access",),
    ),
    (
        4,
        "probe_read",
        "bpf_probe_read_compat_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (5, "ktime_get_ns", "bpf_ktime_get_ns_proto", "RET_INTEGER", (), ()),
    (
        6,
        "trace_printk",
        "bpf_trace_printk_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"),
        ("gpl_only",),
    ),
    (7, "get_prandom_u32", "bpf_get_prandom_u32_proto", "RET_INTEGER", (), ()),
    (8, "get_smp_processor_id", "bpf_get_smp_processor_id_proto", "RET_INTEGER", (), ()),
    (
        9,
        "skb_store_bytes",
        "bpf_skb_store_bytes_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_ANYTHING",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        10,
        "l3_csum_replace",
        "bpf_l3_csum_replace_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        11,
        "l4_csum_replace",
        "bpf_l4_csum_replace_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        12,
        "tail_call",
        "bpf_tail_call_proto",
        "RET_VOID",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        (),
    ),
    (
        13,
        "clone_redirect",
        "bpf_clone_redirect_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (14, "get_current_pid_tgid", "bpf_get_current_pid_tgid_proto", "RET_INTEGER", (), ()),
    (15, "get_current_uid_gid", "bpf_get_current_uid_gid_proto", "RET_INTEGER", (), ()),
    (
        16,
        "get_current_comm",
        "bpf_get_current_comm_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        (),
    ),
    (
        17,
        "get_cgroup_classid",
        "bpf_get_cgroup_classid_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX",),
        (),
    ),
    (
        18,
        "skb_vlan_push",
        "bpf_skb_vlan_push_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (19, "skb_vlan_pop", "bpf_skb_vlan_pop_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (
        20,
        "skb_get_tunnel_key",
        "bpf_skb_get_tunnel_key_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE", "ARG_ANYTHING"),
        (),
    ),
    (
        21,
        "skb_set_tunnel_key",
        "bpf_skb_set_tunnel_key_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING"),
        (),
    ),
    (
        22,
        "perf_event_read",
        "bpf_perf_event_read_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (23, "redirect", "bpf_redirect_proto", "RET_INTEGER", ("ARG_ANYTHING", "ARG_ANYTHING"), ()),
    (24, "get_route_realm", "bpf_get_route_realm_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (
        25,
        "perf_event_output",
        "bpf_perf_event_output_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_CONST_MAP_PTR",
            "ARG_ANYTHING",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
        ),
        ("gpl_only",),
    ),
    (
        26,
        "skb_load_bytes",
        "bpf_skb_load_bytes_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        (),
    ),
    (
        27,
        "get_stackid",
        "bpf_get_stackid_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        28,
        "csum_diff",
        "bpf_csum_diff_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
        ),
        ("pkt_access",),
    ),
    (
        29,
        "skb_get_tunnel_opt",
        "bpf_skb_get_tunnel_opt_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        (),
    ),
    (
        30,
        "skb_set_tunnel_opt",
        "bpf_skb_set_tunnel_opt_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"),
        (),
    ),
    (
        31,
        "skb_change_proto",
        "bpf_skb_change_proto_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        32,
        "skb_change_type",
        "bpf_skb_change_type_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        33,
        "skb_under_cgroup",
        "bpf_skb_under_cgroup_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        (),
    ),
    (34, "get_hash_recalc", "bpf_get_hash_recalc_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (35, "get_current_task", "bpf_get_current_task_proto", "RET_INTEGER", (), ("gpl_only",)),
    (
        36,
        "probe_write_user",
        "bpf_probe_write_user_proto",
        "RET_INTEGER",
        ("ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"),
        ("gpl_only",),
    ),
    (
        37,
        "current_task_under_cgroup",
        "bpf_current_task_under_cgroup_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        (),
    ),
    (
        38,
        "skb_change_tail",
        "bpf_skb_change_tail_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        39,
        "skb_pull_data",
        "bpf_skb_pull_data_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        40,
        "csum_update",
        "bpf_csum_update_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (41, "set_hash_invalid", "bpf_set_hash_invalid_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (42, "get_numa_node_id", "bpf_get_numa_node_id_proto", "RET_INTEGER", (), ()),
    (
        43,
        "skb_change_head",
        "bpf_skb_change_head_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        44,
        "xdp_adjust_head",
        "bpf_xdp_adjust_head_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        45,
        "probe_read_str",
        "bpf_probe_read_compat_str_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        46,
        "get_socket_cookie",
        "bpf_get_socket_cookie_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX",),
        (),
    ),
    (47, "get_socket_uid", "bpf_get_socket_uid_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (48, "set_hash", "bpf_set_hash_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX", "ARG_ANYTHING"), ()),
    (
        49,
        "setsockopt",
        "bpf_sock_addr_setsockopt_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
        ),
        (),
    ),
    (
        50,
        "skb_adjust_room",
        "bpf_skb_adjust_room_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        51,
        "redirect_map",
        "bpf_xdp_redirect_map_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        52,
        "sk_redirect_map",
        "bpf_sk_redirect_map_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        53,
        "sock_map_update",
        "bpf_sock_map_update_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_ANYTHING"),
        ("pkt_access",),
    ),
    (
        54,
        "xdp_adjust_meta",
        "bpf_xdp_adjust_meta_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        55,
        "perf_event_read_value",
        "bpf_perf_event_read_value_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        ("gpl_only",),
    ),
    (
        56,
        "perf_prog_read_value",
        "bpf_perf_prog_read_value_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        ("gpl_only",),
    ),
    (
        57,
        "getsockopt",
        "bpf_sock_addr_getsockopt_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
            "ARG_PTR_TO_UNINIT_MEM",
            "ARG_CONST_SIZE",
        ),
        (),
    ),
    (
        58,
        "override_return",
        "bpf_override_return_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        59,
        "sock_ops_cb_flags_set",
        "bpf_sock_ops_cb_flags_set_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        60,
        "msg_redirect_map",
        "bpf_msg_redirect_map_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        61,
        "msg_apply_bytes",
        "bpf_msg_apply_bytes_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        62,
        "msg_cork_bytes",
        "bpf_msg_cork_bytes_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        63,
        "msg_pull_data",
        "bpf_msg_pull_data_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        64,
        "bind",
        "bpf_bind_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"),
        (),
    ),
    (
        65,
        "xdp_adjust_tail",
        "bpf_xdp_adjust_tail_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        66,
        "skb_get_xfrm_state",
        "bpf_skb_get_xfrm_state_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_ANYTHING",
            "ARG_PTR_TO_UNINIT_MEM",
            "ARG_CONST_SIZE",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        67,
        "get_stack",
        "bpf_get_stack_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        68,
        "skb_load_bytes_relative",
        "bpf_skb_load_bytes_relative_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_ANYTHING",
            "ARG_PTR_TO_UNINIT_MEM",
            "ARG_CONST_SIZE",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        69,
        "fib_lookup",
        "bpf_skb_fib_lookup_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM", "ARG_CONST_SIZE", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        70,
        "sock_hash_update",
        "bpf_sock_hash_update_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_ANYTHING"),
        ("pkt_access",),
    ),
    (
        71,
        "msg_redirect_hash",
        "bpf_msg_redirect_hash_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_ANYTHING"),
        (),
    ),
    (
        72,
        "sk_redirect_hash",
        "bpf_sk_redirect_hash_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_ANYTHING"),
        (),
    ),
    (
        73,
        "lwt_push_encap",
        "bpf_lwt_xmit_push_encap_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY"),
        (),
    ),
    (
        74,
        "lwt_seg6_store_bytes",
        "bpf_lwt_seg6_store_bytes_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY"),
        (),
    ),
    (
        75,
        "lwt_seg6_adjust_srh",
        "bpf_lwt_seg6_adjust_srh_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        76,
        "lwt_seg6_action",
        "bpf_lwt_seg6_action_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY"),
        (),
    ),
    (79, "skb_cgroup_id", "bpf_skb_cgroup_id_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (80, "get_current_cgroup_id", "bpf_get_current_cgroup_id_proto", "RET_INTEGER", (), ()),
    (
        81,
        "get_local_storage",
        "bpf_get_local_storage_proto",
        "RET_PTR_TO_MAP_VALUE",
        ("ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        (),
    ),
    (
        82,
        "sk_select_reuseport",
        "sk_select_reuseport_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_ANYTHING"),
        (),
    ),
    (
        83,
        "skb_ancestor_cgroup_id",
        "bpf_skb_ancestor_cgroup_id_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        84,
        "sk_lookup_tcp",
        "bpf_sk_lookup_tcp_proto",
        "RET_PTR_TO_SOCKET_OR_NULL",
        (
            "ARG_PTR_TO_CTX",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        ("pkt_access",),
    ),
    (
        85,
        "sk_lookup_udp",
        "bpf_sk_lookup_udp_proto",
        "RET_PTR_TO_SOCKET_OR_NULL",
        (
            "ARG_PTR_TO_CTX",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        ("pkt_access",),
    ),
    (
        86,
        "sk_release",
        "bpf_sk_release_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE",),
        (),
    ),
    (
        87,
        "map_push_elem",
        "bpf_map_push_elem_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_VALUE", "ARG_ANYTHING"),
        ("pkt_access",),
    ),
    (
        88,
        "map_pop_elem",
        "bpf_map_pop_elem_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE"),
        (),
    ),
    (
        89,
        "map_peek_elem",
        "bpf_map_peek_elem_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE"),
        (),
    ),
    (
        90,
        "msg_push_data",
        "bpf_msg_push_data_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        91,
        "msg_pop_data",
        "bpf_msg_pop_data_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (93, "spin_lock", "bpf_spin_lock_proto", "RET_VOID", ("ARG_PTR_TO_SPIN_LOCK@<poison>",), ()),
    (
        94,
        "spin_unlock",
        "bpf_spin_unlock_proto",
        "RET_VOID",
        ("ARG_PTR_TO_SPIN_LOCK@<poison>",),
        (),
    ),
    (
        95,
        "sk_fullsock",
        "bpf_sk_fullsock_proto",
        "RET_PTR_TO_SOCKET_OR_NULL",
        ("ARG_PTR_TO_SOCK_COMMON",),
        (),
    ),
    (
        96,
        "tcp_sock",
        "bpf_tcp_sock_proto",
        "RET_PTR_TO_TCP_SOCK_OR_NULL",
        ("ARG_PTR_TO_SOCK_COMMON",),
        (),
    ),
    (97, "skb_ecn_set_ce", "bpf_skb_ecn_set_ce_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (
        98,
        "get_listener_sock",
        "bpf_get_listener_sock_proto",
        "RET_PTR_TO_SOCKET_OR_NULL",
        ("ARG_PTR_TO_SOCK_COMMON",),
        (),
    ),
    (
        99,
        "skc_lookup_tcp",
        "bpf_skc_lookup_tcp_proto",
        "RET_PTR_TO_SOCK_COMMON_OR_NULL",
        (
            "ARG_PTR_TO_CTX",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        ("pkt_access",),
    ),
    (
        100,
        "tcp_check_syncookie",
        "bpf_tcp_check_syncookie_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID_SOCK_COMMON",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
        ),
        ("gpl_only", "pkt_access"),
    ),
    (
        101,
        "sysctl_get_name",
        "bpf_sysctl_get_name_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM", "ARG_CONST_SIZE", "ARG_ANYTHING"),
        (),
    ),
    (
        102,
        "sysctl_get_current_value",
        "bpf_sysctl_get_current_value_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        (),
    ),
    (
        103,
        "sysctl_get_new_value",
        "bpf_sysctl_get_new_value_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        (),
    ),
    (
        104,
        "sysctl_set_new_value",
        "bpf_sysctl_set_new_value_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"),
        (),
    ),
    (
        105,
        "strtol",
        "bpf_strtol_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_ANYTHING",
            "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED@8",
        ),
        (),
    ),
    (
        106,
        "strtoul",
        "bpf_strtoul_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_ANYTHING",
            "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED@8",
        ),
        (),
    ),
    (
        107,
        "sk_storage_get",
        "bpf_sk_storage_get_proto",
        "RET_PTR_TO_MAP_VALUE_OR_NULL",
        (
            "ARG_CONST_MAP_PTR",
            "ARG_PTR_TO_BTF_ID_SOCK_COMMON",
            "ARG_PTR_TO_MAP_VALUE_OR_NULL",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        108,
        "sk_storage_delete",
        "bpf_sk_storage_delete_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_SOCK_COMMON"),
        (),
    ),
    (109, "send_signal", "bpf_send_signal_proto", "RET_INTEGER", ("ARG_ANYTHING",), ()),
    (
        110,
        "tcp_gen_syncookie",
        "bpf_tcp_gen_syncookie_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID_SOCK_COMMON",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
        ),
        ("gpl_only", "pkt_access"),
    ),
    (
        111,
        "skb_output",
        "bpf_skb_output_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID@sk_buff",
            "ARG_CONST_MAP_PTR",
            "ARG_ANYTHING",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
        ),
        ("gpl_only",),
    ),
    (
        112,
        "probe_read_user",
        "bpf_probe_read_user_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        113,
        "probe_read_kernel",
        "bpf_probe_read_kernel_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        114,
        "probe_read_user_str",
        "bpf_probe_read_user_str_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        115,
        "probe_read_kernel_str",
        "bpf_probe_read_kernel_str_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        117,
        "send_signal_thread",
        "bpf_send_signal_thread_proto",
        "RET_INTEGER",
        ("ARG_ANYTHING",),
        (),
    ),
    (118, "jiffies64", "bpf_jiffies64_proto", "RET_INTEGER", (), ()),
    (
        119,
        "read_branch_records",
        "bpf_read_branch_records_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM_OR_NULL", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        120,
        "get_ns_current_pid_tgid",
        "bpf_get_ns_current_pid_tgid_proto",
        "RET_INTEGER",
        ("ARG_ANYTHING", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        (),
    ),
    (
        121,
        "xdp_output",
        "bpf_xdp_output_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID@xdp_buff",
            "ARG_CONST_MAP_PTR",
            "ARG_ANYTHING",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
        ),
        ("gpl_only",),
    ),
    (
        122,
        "get_netns_cookie",
        "bpf_get_netns_cookie_sock_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX_OR_NULL",),
        (),
    ),
    (
        123,
        "get_current_ancestor_cgroup_id",
        "bpf_get_current_ancestor_cgroup_id_proto",
        "RET_INTEGER",
        ("ARG_ANYTHING",),
        (),
    ),
    (
        124,
        "sk_assign",
        "bpf_sk_assign_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_BTF_ID_SOCK_COMMON", "ARG_ANYTHING"),
        (),
    ),
    (125, "ktime_get_boot_ns", "bpf_ktime_get_boot_ns_proto", "RET_INTEGER", (), ()),
    (
        126,
        "seq_printf",
        "bpf_seq_printf_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID@seq_file",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
        ),
        ("gpl_only",),
    ),
    (
        127,
        "seq_write",
        "bpf_seq_write_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID@seq_file", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"),
        ("gpl_only",),
    ),
    (
        128,
        "sk_cgroup_id",
        "bpf_sk_cgroup_id_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON",),
        (),
    ),
    (
        129,
        "sk_ancestor_cgroup_id",
        "bpf_sk_ancestor_cgroup_id_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON", "ARG_ANYTHING"),
        (),
    ),
    (
        130,
        "ringbuf_output",
        "bpf_ringbuf_output_proto",
        "RET_INTEGER",
        (
            "ARG_CONST_MAP_PTR",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        131,
        "ringbuf_reserve",
        "bpf_ringbuf_reserve_proto",
        "RET_PTR_TO_RINGBUF_MEM_OR_NULL",
        ("ARG_CONST_MAP_PTR", "ARG_CONST_ALLOC_SIZE_OR_ZERO", "ARG_ANYTHING"),
        (),
    ),
    (
        132,
        "ringbuf_submit",
        "bpf_ringbuf_submit_proto",
        "RET_VOID",
        ("ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE", "ARG_ANYTHING"),
        (),
    ),
    (
        133,
        "ringbuf_discard",
        "bpf_ringbuf_discard_proto",
        "RET_VOID",
        ("ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE", "ARG_ANYTHING"),
        (),
    ),
    (
        134,
        "ringbuf_query",
        "bpf_ringbuf_query_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        (),
    ),
    (
        135,
        "csum_level",
        "bpf_csum_level_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING"),
        (),
    ),
    (
        136,
        "skc_to_tcp6_sock",
        "bpf_skc_to_tcp6_sock_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@tcp6_sock",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON",),
        (),
    ),
    (
        137,
        "skc_to_tcp_sock",
        "bpf_skc_to_tcp_sock_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@tcp_sock",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON",),
        (),
    ),
    (
        138,
        "skc_to_tcp_timewait_sock",
        "bpf_skc_to_tcp_timewait_sock_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@tcp_timewait_sock",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON",),
        (),
    ),
    (
        139,
        "skc_to_tcp_request_sock",
        "bpf_skc_to_tcp_request_sock_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@tcp_request_sock",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON",),
        (),
    ),
    (
        140,
        "skc_to_udp6_sock",
        "bpf_skc_to_udp6_sock_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@udp6_sock",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON",),
        (),
    ),
    (
        141,
        "get_task_stack",
        "bpf_get_task_stack_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID@task_struct",
            "ARG_PTR_TO_UNINIT_MEM",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        142,
        "load_hdr_opt",
        "bpf_sock_ops_load_hdr_opt_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_WRITE", "ARG_CONST_SIZE", "ARG_ANYTHING"),
        (),
    ),
    (
        143,
        "store_hdr_opt",
        "bpf_sock_ops_store_hdr_opt_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING"),
        (),
    ),
    (
        144,
        "reserve_hdr_opt",
        "bpf_sock_ops_reserve_hdr_opt_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        145,
        "inode_storage_get",
        "bpf_inode_storage_get_proto",
        "RET_PTR_TO_MAP_VALUE_OR_NULL",
        (
            "ARG_CONST_MAP_PTR",
            "ARG_PTR_TO_BTF_ID_OR_NULL@inode",
            "ARG_PTR_TO_MAP_VALUE_OR_NULL",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        146,
        "inode_storage_delete",
        "bpf_inode_storage_delete_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_OR_NULL@inode"),
        (),
    ),
    (
        147,
        "d_path",
        "bpf_d_path_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID@path", "ARG_PTR_TO_MEM", "ARG_CONST_SIZE_OR_ZERO"),
        ("allowed=bpf_d_path_allowed",),
    ),
    (
        148,
        "copy_from_user",
        "bpf_copy_from_user_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("might_sleep",),
    ),
    (
        149,
        "snprintf_btf",
        "bpf_snprintf_btf_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_MEM",
            "ARG_CONST_SIZE",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        150,
        "seq_printf_btf",
        "bpf_seq_printf_btf_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID@seq_file",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
        ),
        ("gpl_only",),
    ),
    (
        151,
        "skb_cgroup_classid",
        "bpf_skb_cgroup_classid_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX",),
        (),
    ),
    (
        152,
        "redirect_neigh",
        "bpf_redirect_neigh_proto",
        "RET_INTEGER",
        (
            "ARG_ANYTHING",
            "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        153,
        "per_cpu_ptr",
        "bpf_per_cpu_ptr_proto",
        "RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY",
        ("ARG_PTR_TO_PERCPU_BTF_ID", "ARG_ANYTHING"),
        (),
    ),
    (
        154,
        "this_cpu_ptr",
        "bpf_this_cpu_ptr_proto",
        "RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY",
        ("ARG_PTR_TO_PERCPU_BTF_ID",),
        (),
    ),
    (
        155,
        "redirect_peer",
        "bpf_redirect_peer_proto",
        "RET_INTEGER",
        ("ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        156,
        "task_storage_get",
        "bpf_task_storage_get_proto",
        "RET_PTR_TO_MAP_VALUE_OR_NULL",
        (
            "ARG_CONST_MAP_PTR",
            "ARG_PTR_TO_BTF_ID_OR_NULL@task_struct",
            "ARG_PTR_TO_MAP_VALUE_OR_NULL",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        157,
        "task_storage_delete",
        "bpf_task_storage_delete_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_OR_NULL@task_struct"),
        (),
    ),
    (
        158,
        "get_current_task_btf",
        "bpf_get_current_task_btf_proto",
        "RET_PTR_TO_BTF_ID_TRUSTED@task_struct",
        (),
        ("gpl_only",),
    ),
    (
        159,
        "bprm_opts_set",
        "bpf_bprm_opts_set_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID@linux_binprm", "ARG_ANYTHING"),
        (),
    ),
    (160, "ktime_get_coarse_ns", "bpf_ktime_get_coarse_ns_proto", "RET_INTEGER", (), ()),
    (
        161,
        "ima_inode_hash",
        "bpf_ima_inode_hash_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID@inode", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        ("might_sleep", "allowed=bpf_ima_inode_hash_allowed"),
    ),
    (
        162,
        "sock_from_file",
        "bpf_sock_from_file_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@file",
        ("ARG_PTR_TO_BTF_ID@file",),
        (),
    ),
    (
        163,
        "check_mtu",
        "bpf_skb_check_mtu_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_ANYTHING",
            "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED@4",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        ("gpl_only",),
    ),
    (
        164,
        "for_each_map_elem",
        "bpf_for_each_map_elem_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_FUNC", "ARG_PTR_TO_STACK_OR_NULL", "ARG_ANYTHING"),
        (),
    ),
    (
        165,
        "snprintf",
        "bpf_snprintf_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_MEM_OR_NULL",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_PTR_TO_CONST_STR",
            "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
        ),
        ("gpl_only",),
    ),
    (
        166,
        "sys_bpf",
        "bpf_sys_bpf_proto",
        "RET_INTEGER",
        ("ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"),
        ("might_sleep",),
    ),
    (
        167,
        "btf_find_by_name_kind",
        "bpf_btf_find_by_name_kind_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING", "ARG_ANYTHING"),
        ("might_sleep",),
    ),
    (168, "sys_close", "bpf_sys_close_proto", "RET_INTEGER", ("ARG_ANYTHING",), ("might_sleep",)),
    (
        169,
        "timer_init",
        "bpf_timer_init_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_TIMER", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        170,
        "timer_set_callback",
        "bpf_timer_set_callback_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_TIMER", "ARG_PTR_TO_FUNC"),
        ("gpl_only",),
    ),
    (
        171,
        "timer_start",
        "bpf_timer_start_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_TIMER", "ARG_ANYTHING", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        172,
        "timer_cancel",
        "bpf_timer_cancel_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_TIMER",),
        ("gpl_only",),
    ),
    (
        173,
        "get_func_ip",
        "bpf_get_func_ip_proto_tracing",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX",),
        ("gpl_only",),
    ),
    (
        174,
        "get_attach_cookie",
        "bpf_get_attach_cookie_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX",),
        (),
    ),
    (
        175,
        "task_pt_regs",
        "bpf_task_pt_regs_proto",
        "RET_PTR_TO_BTF_ID@pt_regs",
        ("ARG_PTR_TO_BTF_ID@task_struct",),
        ("gpl_only",),
    ),
    (
        176,
        "get_branch_snapshot",
        "bpf_get_branch_snapshot_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO"),
        ("gpl_only",),
    ),
    (
        177,
        "trace_vprintk",
        "bpf_trace_vprintk_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE",
            "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
        ),
        ("gpl_only",),
    ),
    (
        178,
        "skc_to_unix_sock",
        "bpf_skc_to_unix_sock_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@unix_sock",
        ("ARG_PTR_TO_BTF_ID_SOCK_COMMON",),
        (),
    ),
    (
        179,
        "kallsyms_lookup_name",
        "bpf_kallsyms_lookup_name_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_MEM",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED@8",
        ),
        (),
    ),
    (
        180,
        "find_vma",
        "bpf_find_vma_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_BTF_ID@task_struct",
            "ARG_ANYTHING",
            "ARG_PTR_TO_FUNC",
            "ARG_PTR_TO_STACK_OR_NULL",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        181,
        "loop",
        "bpf_loop_proto",
        "RET_INTEGER",
        ("ARG_SCALAR", "ARG_PTR_TO_FUNC", "ARG_PTR_TO_STACK_OR_NULL", "ARG_ANYTHING"),
        (),
    ),
    (
        182,
        "strncmp",
        "bpf_strncmp_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_PTR_TO_CONST_STR"),
        (),
    ),
    (
        183,
        "get_func_arg",
        "bpf_get_func_arg_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_CTX",
            "ARG_ANYTHING",
            "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED@8",
        ),
        (),
    ),
    (
        184,
        "get_func_ret",
        "bpf_get_func_ret_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED@8"),
        (),
    ),
    (185, "get_func_arg_cnt", "bpf_get_func_arg_cnt_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (186, "get_retval", "bpf_get_retval_proto", "RET_INTEGER", (), ()),
    (187, "set_retval", "bpf_set_retval_proto", "RET_INTEGER", ("ARG_ANYTHING",), ()),
    (188, "xdp_get_buff_len", "bpf_xdp_get_buff_len_proto", "RET_INTEGER", ("ARG_PTR_TO_CTX",), ()),
    (
        189,
        "xdp_load_bytes",
        "bpf_xdp_load_bytes_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        (),
    ),
    (
        190,
        "xdp_store_bytes",
        "bpf_xdp_store_bytes_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"),
        (),
    ),
    (
        191,
        "copy_from_user_task",
        "bpf_copy_from_user_task_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_UNINIT_MEM",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_PTR_TO_BTF_ID@task_struct",
        ),
        ("gpl_only", "might_sleep"),
    ),
    (
        192,
        "skb_set_tstamp",
        "bpf_skb_set_tstamp_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"),
        (),
    ),
    (
        193,
        "ima_file_hash",
        "bpf_ima_file_hash_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_BTF_ID@file", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"),
        ("might_sleep", "allowed=bpf_ima_inode_hash_allowed"),
    ),
    (
        194,
        "kptr_xchg",
        "bpf_kptr_xchg_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@<poison>",
        ("ARG_KPTR_XCHG_DEST", "ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE@<poison>"),
        (),
    ),
    (
        195,
        "map_lookup_percpu_elem",
        "bpf_map_lookup_percpu_elem_proto",
        "RET_PTR_TO_MAP_VALUE_OR_NULL",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_ANYTHING"),
        ("pkt_access",),
    ),
    (
        196,
        "skc_to_mptcp_sock",
        "bpf_skc_to_mptcp_sock_proto",
        "RET_PTR_TO_BTF_ID_OR_NULL@mptcp_sock",
        ("ARG_PTR_TO_SOCK_COMMON",),
        (),
    ),
    (
        197,
        "dynptr_from_mem",
        "bpf_dynptr_from_mem_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_UNINIT_MEM",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL | MEM_UNINIT | MEM_WRITE",
        ),
        (),
    ),
    (
        198,
        "ringbuf_reserve_dynptr",
        "bpf_ringbuf_reserve_dynptr_proto",
        "RET_INTEGER",
        (
            "ARG_CONST_MAP_PTR",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
            "ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | MEM_UNINIT | MEM_WRITE",
        ),
        (),
    ),
    (
        199,
        "ringbuf_submit_dynptr",
        "bpf_ringbuf_submit_dynptr_proto",
        "RET_VOID",
        ("ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE", "ARG_ANYTHING"),
        (),
    ),
    (
        200,
        "ringbuf_discard_dynptr",
        "bpf_ringbuf_discard_dynptr_proto",
        "RET_VOID",
        ("ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE", "ARG_ANYTHING"),
        (),
    ),
    (
        201,
        "dynptr_read",
        "bpf_dynptr_read_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_UNINIT_MEM",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_PTR_TO_DYNPTR | MEM_RDONLY",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        202,
        "dynptr_write",
        "bpf_dynptr_write_proto",
        "RET_INTEGER",
        (
            "ARG_PTR_TO_DYNPTR | MEM_RDONLY",
            "ARG_ANYTHING",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        203,
        "dynptr_data",
        "bpf_dynptr_data_proto",
        "RET_PTR_TO_DYNPTR_MEM_OR_NULL",
        ("ARG_PTR_TO_DYNPTR | MEM_RDONLY", "ARG_ANYTHING", "ARG_CONST_ALLOC_SIZE_OR_ZERO"),
        (),
    ),
    (
        204,
        "tcp_raw_gen_syncookie_ipv4",
        "bpf_tcp_raw_gen_syncookie_ipv4_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_FIXED_SIZE_MEM@20", "ARG_PTR_TO_MEM", "ARG_CONST_SIZE_OR_ZERO"),
        ("gpl_only", "pkt_access"),
    ),
    (
        205,
        "tcp_raw_gen_syncookie_ipv6",
        "bpf_tcp_raw_gen_syncookie_ipv6_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_FIXED_SIZE_MEM@40", "ARG_PTR_TO_MEM", "ARG_CONST_SIZE_OR_ZERO"),
        ("gpl_only", "pkt_access"),
    ),
    (
        206,
        "tcp_raw_check_syncookie_ipv4",
        "bpf_tcp_raw_check_syncookie_ipv4_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_FIXED_SIZE_MEM@20", "ARG_PTR_TO_FIXED_SIZE_MEM@20"),
        ("gpl_only", "pkt_access"),
    ),
    (
        207,
        "tcp_raw_check_syncookie_ipv6",
        "bpf_tcp_raw_check_syncookie_ipv6_proto",
        "RET_INTEGER",
        ("ARG_PTR_TO_FIXED_SIZE_MEM@40", "ARG_PTR_TO_FIXED_SIZE_MEM@20"),
        ("gpl_only", "pkt_access"),
    ),
    (208, "ktime_get_tai_ns", "bpf_ktime_get_tai_ns_proto", "RET_INTEGER", (), ()),
    (
        209,
        "user_ringbuf_drain",
        "bpf_user_ringbuf_drain_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_FUNC", "ARG_PTR_TO_STACK_OR_NULL", "ARG_ANYTHING"),
        (),
    ),
    (
        210,
        "cgrp_storage_get",
        "bpf_cgrp_storage_get_proto",
        "RET_PTR_TO_MAP_VALUE_OR_NULL",
        (
            "ARG_CONST_MAP_PTR",
            "ARG_PTR_TO_BTF_ID_OR_NULL@cgroup",
            "ARG_PTR_TO_MAP_VALUE_OR_NULL",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        211,
        "cgrp_storage_delete",
        "bpf_cgrp_storage_delete_proto",
        "RET_INTEGER",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_OR_NULL@cgroup"),
        (),
    ),
)

# Prototypes some program types use instead of the default one, where the shape differs.
_VARIANT_TABLE: tuple[tuple[int, str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (17, "get_cgroup_classid", "bpf_get_cgroup_classid_curr_proto", "RET_INTEGER", (), ()),
    (
        27,
        "get_stackid",
        "bpf_get_stackid_proto_pe",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"),
        (),
    ),
    (
        67,
        "get_stack",
        "bpf_get_stack_proto_raw_tp",
        "RET_INTEGER",
        ("ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"),
        ("gpl_only",),
    ),
    (
        84,
        "sk_lookup_tcp",
        "bpf_sock_addr_sk_lookup_tcp_proto",
        "RET_PTR_TO_SOCKET_OR_NULL",
        (
            "ARG_PTR_TO_CTX",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        85,
        "sk_lookup_udp",
        "bpf_sock_addr_sk_lookup_udp_proto",
        "RET_PTR_TO_SOCKET_OR_NULL",
        (
            "ARG_PTR_TO_CTX",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        99,
        "skc_lookup_tcp",
        "bpf_sock_addr_skc_lookup_tcp_proto",
        "RET_PTR_TO_SOCK_COMMON_OR_NULL",
        (
            "ARG_PTR_TO_CTX",
            "ARG_PTR_TO_MEM | MEM_RDONLY",
            "ARG_CONST_SIZE_OR_ZERO",
            "ARG_ANYTHING",
            "ARG_ANYTHING",
        ),
        (),
    ),
    (
        107,
        "sk_storage_get",
        "bpf_sk_storage_get_cg_sock_proto",
        "RET_PTR_TO_MAP_VALUE_OR_NULL",
        ("ARG_CONST_MAP_PTR", "ARG_PTR_TO_CTX", "ARG_PTR_TO_MAP_VALUE_OR_NULL", "ARG_ANYTHING"),
        (),
    ),
)

# Which variant (by proto struct name) a program type's ``get_func_proto`` returns.
_PROG_TYPE_VARIANTS: dict[ProgType, dict[int, str]] = {
    ProgType.PERF_EVENT: {27: "bpf_get_stackid_proto_pe"},
    ProgType.RAW_TRACEPOINT: {67: "bpf_get_stack_proto_raw_tp"},
    ProgType.CGROUP_SKB: {17: "bpf_get_cgroup_classid_curr_proto"},
    ProgType.CGROUP_SOCK: {
        17: "bpf_get_cgroup_classid_curr_proto",
        107: "bpf_sk_storage_get_cg_sock_proto",
    },
    ProgType.SK_MSG: {17: "bpf_get_cgroup_classid_curr_proto"},
    ProgType.CGROUP_SOCK_ADDR: {
        17: "bpf_get_cgroup_classid_curr_proto",
        84: "bpf_sock_addr_sk_lookup_tcp_proto",
        85: "bpf_sock_addr_sk_lookup_udp_proto",
        99: "bpf_sock_addr_skc_lookup_tcp_proto",
    },
}

_H = HelperId
# verifier.c is_acquire_function (map_lookup_elem on sockmap/sockhash: see acquires_reference).
_ACQUIRE = frozenset(
    {_H.SK_LOOKUP_TCP, _H.SK_LOOKUP_UDP, _H.SKC_LOOKUP_TCP, _H.RINGBUF_RESERVE, _H.KPTR_XCHG}
)
# verifier.c is_ptr_cast_function.
_PTR_CAST = frozenset(
    {
        _H.TCP_SOCK, _H.SK_FULLSOCK, _H.SKC_TO_TCP_SOCK, _H.SKC_TO_TCP6_SOCK,
        _H.SKC_TO_UDP6_SOCK, _H.SKC_TO_MPTCP_SOCK, _H.SKC_TO_TCP_TIMEWAIT_SOCK,
        _H.SKC_TO_TCP_REQUEST_SOCK,
    }
)  # fmt: skip
# filter.c bpf_helper_changes_pkt_data.
_CHANGES_PKT_DATA = frozenset(
    {
        _H.CLONE_REDIRECT, _H.L3_CSUM_REPLACE, _H.L4_CSUM_REPLACE, _H.LWT_PUSH_ENCAP,
        _H.LWT_SEG6_ACTION, _H.LWT_SEG6_ADJUST_SRH, _H.LWT_SEG6_STORE_BYTES, _H.MSG_POP_DATA,
        _H.MSG_PULL_DATA, _H.MSG_PUSH_DATA, _H.SKB_ADJUST_ROOM, _H.SKB_CHANGE_HEAD,
        _H.SKB_CHANGE_PROTO, _H.SKB_CHANGE_TAIL, _H.SKB_PULL_DATA, _H.SKB_STORE_BYTES,
        _H.SKB_VLAN_POP, _H.SKB_VLAN_PUSH, _H.STORE_HDR_OPT, _H.XDP_ADJUST_HEAD,
        _H.XDP_ADJUST_META, _H.XDP_ADJUST_TAIL, _H.TAIL_CALL,
    }
)  # fmt: skip

_M = MapType
_PERF = frozenset({_M.PERF_EVENT_ARRAY})
_RINGBUF = frozenset({_M.RINGBUF})
_QUEUE_STACK = frozenset({_M.QUEUE, _M.STACK})
# check_map_func_compatibility, second switch (function side): helper -> accepted map types.
_HELPER_MAP_TYPES: dict[int, frozenset[MapType]] = {
    _H.TAIL_CALL: frozenset({_M.PROG_ARRAY}),
    _H.PERF_EVENT_READ: _PERF,
    _H.PERF_EVENT_OUTPUT: _PERF,
    _H.PERF_EVENT_READ_VALUE: _PERF,
    _H.SKB_OUTPUT: _PERF,
    _H.XDP_OUTPUT: _PERF,
    _H.RINGBUF_OUTPUT: _RINGBUF,
    _H.RINGBUF_RESERVE: _RINGBUF,
    _H.RINGBUF_QUERY: _RINGBUF,
    _H.RINGBUF_RESERVE_DYNPTR: _RINGBUF,
    _H.RINGBUF_SUBMIT_DYNPTR: _RINGBUF,
    _H.RINGBUF_DISCARD_DYNPTR: _RINGBUF,
    _H.USER_RINGBUF_DRAIN: frozenset({_M.USER_RINGBUF}),
    _H.GET_STACKID: frozenset({_M.STACK_TRACE}),
    _H.CURRENT_TASK_UNDER_CGROUP: frozenset({_M.CGROUP_ARRAY}),
    _H.SKB_UNDER_CGROUP: frozenset({_M.CGROUP_ARRAY}),
    _H.REDIRECT_MAP: frozenset({_M.DEVMAP, _M.DEVMAP_HASH, _M.CPUMAP, _M.XSKMAP}),
    _H.SK_REDIRECT_MAP: frozenset({_M.SOCKMAP}),
    _H.MSG_REDIRECT_MAP: frozenset({_M.SOCKMAP}),
    _H.SOCK_MAP_UPDATE: frozenset({_M.SOCKMAP}),
    _H.SK_REDIRECT_HASH: frozenset({_M.SOCKHASH}),
    _H.MSG_REDIRECT_HASH: frozenset({_M.SOCKHASH}),
    _H.SOCK_HASH_UPDATE: frozenset({_M.SOCKHASH}),
    _H.GET_LOCAL_STORAGE: frozenset({_M.CGROUP_STORAGE, _M.PERCPU_CGROUP_STORAGE}),
    _H.SK_SELECT_REUSEPORT: frozenset({_M.REUSEPORT_SOCKARRAY, _M.SOCKMAP, _M.SOCKHASH}),
    _H.MAP_POP_ELEM: _QUEUE_STACK,
    _H.MAP_PEEK_ELEM: _QUEUE_STACK | {_M.BLOOM_FILTER},
    _H.MAP_PUSH_ELEM: _QUEUE_STACK | {_M.BLOOM_FILTER},
    _H.MAP_LOOKUP_PERCPU_ELEM: frozenset({_M.PERCPU_ARRAY, _M.PERCPU_HASH, _M.LRU_PERCPU_HASH}),
    _H.SK_STORAGE_GET: frozenset({_M.SK_STORAGE}),
    _H.SK_STORAGE_DELETE: frozenset({_M.SK_STORAGE}),
    _H.INODE_STORAGE_GET: frozenset({_M.INODE_STORAGE}),
    _H.INODE_STORAGE_DELETE: frozenset({_M.INODE_STORAGE}),
    _H.TASK_STORAGE_GET: frozenset({_M.TASK_STORAGE}),
    _H.TASK_STORAGE_DELETE: frozenset({_M.TASK_STORAGE}),
    _H.CGRP_STORAGE_GET: frozenset({_M.CGRP_STORAGE}),
    _H.CGRP_STORAGE_DELETE: frozenset({_M.CGRP_STORAGE}),
}

_SOCK_MAPS = frozenset({_M.SOCKMAP, _M.SOCKHASH})
_KPTR_STORAGE = frozenset({_H.KPTR_XCHG})
# check_map_func_compatibility, first switch (map side): map type -> helpers it accepts.
# Sockmap/sockhash additionally accept map_update/delete_elem in the program types of
# ``may_update_sockmap``; the engine asks :func:`map_func_compatible` with the program type.
_MAP_HELPERS: dict[MapType, frozenset[int]] = {
    _M.PROG_ARRAY: frozenset({_H.TAIL_CALL}),
    _M.PERF_EVENT_ARRAY: frozenset(
        {
            _H.PERF_EVENT_READ,
            _H.PERF_EVENT_OUTPUT,
            _H.SKB_OUTPUT,
            _H.PERF_EVENT_READ_VALUE,
            _H.XDP_OUTPUT,
        }
    ),  # fmt: skip
    _M.RINGBUF: frozenset(
        {
            _H.RINGBUF_OUTPUT,
            _H.RINGBUF_RESERVE,
            _H.RINGBUF_QUERY,
            _H.RINGBUF_RESERVE_DYNPTR,
            _H.RINGBUF_SUBMIT_DYNPTR,
            _H.RINGBUF_DISCARD_DYNPTR,
        }
    ),  # fmt: skip
    _M.USER_RINGBUF: frozenset({_H.USER_RINGBUF_DRAIN}),
    _M.STACK_TRACE: frozenset({_H.GET_STACKID}),
    _M.CGROUP_ARRAY: frozenset({_H.SKB_UNDER_CGROUP, _H.CURRENT_TASK_UNDER_CGROUP}),
    _M.CGROUP_STORAGE: frozenset({_H.GET_LOCAL_STORAGE}),
    _M.PERCPU_CGROUP_STORAGE: frozenset({_H.GET_LOCAL_STORAGE}),
    _M.DEVMAP: frozenset({_H.REDIRECT_MAP, _H.MAP_LOOKUP_ELEM}),
    _M.DEVMAP_HASH: frozenset({_H.REDIRECT_MAP, _H.MAP_LOOKUP_ELEM}),
    _M.CPUMAP: frozenset({_H.REDIRECT_MAP}),
    _M.XSKMAP: frozenset({_H.REDIRECT_MAP, _H.MAP_LOOKUP_ELEM}),
    _M.ARRAY_OF_MAPS: frozenset({_H.MAP_LOOKUP_ELEM}),
    _M.HASH_OF_MAPS: frozenset({_H.MAP_LOOKUP_ELEM}),
    _M.SOCKMAP: frozenset(
        {
            _H.SK_REDIRECT_MAP,
            _H.SOCK_MAP_UPDATE,
            _H.MSG_REDIRECT_MAP,
            _H.SK_SELECT_REUSEPORT,
            _H.MAP_LOOKUP_ELEM,
        }
    ),  # fmt: skip
    _M.SOCKHASH: frozenset(
        {
            _H.SK_REDIRECT_HASH,
            _H.SOCK_HASH_UPDATE,
            _H.MSG_REDIRECT_HASH,
            _H.SK_SELECT_REUSEPORT,
            _H.MAP_LOOKUP_ELEM,
        }
    ),  # fmt: skip
    _M.REUSEPORT_SOCKARRAY: frozenset({_H.SK_SELECT_REUSEPORT}),
    _M.QUEUE: frozenset({_H.MAP_PEEK_ELEM, _H.MAP_POP_ELEM, _H.MAP_PUSH_ELEM}),
    _M.STACK: frozenset({_H.MAP_PEEK_ELEM, _H.MAP_POP_ELEM, _H.MAP_PUSH_ELEM}),
    _M.SK_STORAGE: frozenset({_H.SK_STORAGE_GET, _H.SK_STORAGE_DELETE}) | _KPTR_STORAGE,
    _M.INODE_STORAGE: frozenset({_H.INODE_STORAGE_GET, _H.INODE_STORAGE_DELETE}) | _KPTR_STORAGE,
    _M.TASK_STORAGE: frozenset({_H.TASK_STORAGE_GET, _H.TASK_STORAGE_DELETE}) | _KPTR_STORAGE,
    _M.CGRP_STORAGE: frozenset({_H.CGRP_STORAGE_GET, _H.CGRP_STORAGE_DELETE}) | _KPTR_STORAGE,
    _M.BLOOM_FILTER: frozenset({_H.MAP_PEEK_ELEM, _H.MAP_PUSH_ELEM}),
}

# verifier.c may_update_sockmap: program types that may update/delete sockmap/sockhash entries
# (sk_skb, sk_msg, sock_ops, sk_reuseport, flow_dissector, tracing; socket_filter and tc etc. for
# delete only -- we keep the kernel's simple cases).
_SOCKMAP_UPDATE_PROG_TYPES = frozenset(
    {ProgType.SOCK_OPS, ProgType.SK_SKB, ProgType.SK_MSG, ProgType.SK_REUSEPORT,
     ProgType.FLOW_DISSECTOR, ProgType.SK_LOOKUP, ProgType.TRACING, ProgType.SOCKET_FILTER,
     ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP}
)  # fmt: skip

_ALIASES = {
    "ARG_PTR_TO_MAP_VALUE_OR_NULL": "ARG_PTR_TO_MAP_VALUE | PTR_MAYBE_NULL",
    "ARG_PTR_TO_MEM_OR_NULL": "ARG_PTR_TO_MEM | PTR_MAYBE_NULL",
    "ARG_PTR_TO_CTX_OR_NULL": "ARG_PTR_TO_CTX | PTR_MAYBE_NULL",
    "ARG_PTR_TO_SOCKET_OR_NULL": "ARG_PTR_TO_SOCKET | PTR_MAYBE_NULL",
    "ARG_PTR_TO_STACK_OR_NULL": "ARG_PTR_TO_STACK | PTR_MAYBE_NULL",
    "ARG_PTR_TO_BTF_ID_OR_NULL": "ARG_PTR_TO_BTF_ID | PTR_MAYBE_NULL",
    "ARG_PTR_TO_UNINIT_MEM": "ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE",
    "ARG_PTR_TO_FIXED_SIZE_MEM": "ARG_PTR_TO_MEM | MEM_FIXED_SIZE",
    "RET_PTR_TO_MAP_VALUE_OR_NULL": "RET_PTR_TO_MAP_VALUE | PTR_MAYBE_NULL",
    "RET_PTR_TO_SOCKET_OR_NULL": "RET_PTR_TO_SOCKET | PTR_MAYBE_NULL",
    "RET_PTR_TO_TCP_SOCK_OR_NULL": "RET_PTR_TO_TCP_SOCK | PTR_MAYBE_NULL",
    "RET_PTR_TO_SOCK_COMMON_OR_NULL": "RET_PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL",
    "RET_PTR_TO_RINGBUF_MEM_OR_NULL": "RET_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RINGBUF",
    "RET_PTR_TO_DYNPTR_MEM_OR_NULL": "RET_PTR_TO_MEM | PTR_MAYBE_NULL",
    "RET_PTR_TO_BTF_ID_OR_NULL": "RET_PTR_TO_BTF_ID | PTR_MAYBE_NULL",
    "RET_PTR_TO_BTF_ID_TRUSTED": "RET_PTR_TO_BTF_ID | PTR_TRUSTED",
}
_FLAGS = {flag.value: flag for flag in TypeFlag}


def _split(text: str) -> tuple[str, frozenset[TypeFlag], str | None]:
    """``"ARG_X_OR_NULL | MEM_RDONLY@40"`` -> (base, flags, extra)."""
    extra = None
    if "@" in text:
        text, extra = text.split("@", 1)
    parts = [p.strip() for p in text.split("|")]
    expanded = [q.strip() for p in parts for q in _ALIASES.get(p, p).split("|")]
    return expanded[0], frozenset(_FLAGS[p] for p in expanded[1:]), extra


def _arg(text: str) -> ArgSpec:
    base, flags, extra = _split(text)
    size = int(extra) if extra is not None and extra.isdigit() else None
    btf_type = extra if extra is not None and not extra.isdigit() else None
    return ArgSpec(ArgType(base), flags, size, btf_type)


def _build(row: tuple[int, str, str, str, tuple[str, ...], tuple[str, ...]]) -> HelperProto:
    helper_id, name, proto_name, ret_text, arg_texts, proto_flags = row
    ret_base, ret_flags, ret_btf = _split(ret_text)
    args = tuple(_arg(text) for text in arg_texts)
    releases = next((i for i, a in enumerate(args, 1) if a.release), None)
    allowed = next((f.split("=", 1)[1] for f in proto_flags if f.startswith("allowed=")), None)
    return HelperProto(
        id=helper_id,
        name=f"bpf_{name}",
        ret=RetType(ret_base),
        args=args,
        ret_flags=ret_flags,
        ret_btf_type=ret_btf,
        gpl_only="gpl_only" in proto_flags,
        pkt_access="pkt_access" in proto_flags,
        might_sleep="might_sleep" in proto_flags,
        acquires=helper_id in _ACQUIRE,
        releases_arg=releases,
        changes_pkt_data=helper_id in _CHANGES_PKT_DATA,
        ptr_cast=helper_id in _PTR_CAST,
        map_types=_HELPER_MAP_TYPES.get(helper_id),
        proto_name=proto_name,
        allowed_callback=allowed,
    )


_PROTOS: dict[int, HelperProto] = {row[0]: _build(row) for row in _KERNEL_TABLE}
_VARIANTS: dict[str, HelperProto] = {row[2]: _build(row) for row in _VARIANT_TABLE}


def helper_proto(helper_id: int, prog_type: ProgType | None = None) -> HelperProto | None:
    """The prototype of helper ``helper_id`` (as the given program type sees it), or None.

    ``None`` means the id is not a helper the kernel knows (``invalid func unknown#N``) or one
    whose prototype is not modelled. Whether the program type may call it at all is
    :func:`pyebpf.verifier.prog_types.helper_allowed`.
    """
    if prog_type is not None:
        variant = _PROG_TYPE_VARIANTS.get(prog_type, {}).get(helper_id)
        if variant is not None:
            return _VARIANTS[variant]
    return _PROTOS.get(helper_id)


def all_helper_protos() -> tuple[HelperProto, ...]:
    """Every modelled prototype, by helper id."""
    return tuple(_PROTOS[k] for k in sorted(_PROTOS))


def helper_name(helper_id: int) -> str:
    """``func_id_name`` as messages print it: ``bpf_map_lookup_elem``, or ``unknown``."""
    try:
        return f"bpf_{HelperId(helper_id).name.lower()}"
    except ValueError:
        return "unknown"


def map_func_compatible(
    map_type: MapType, helper_id: int, prog_type: ProgType | None = None
) -> bool:
    """``check_map_func_compatibility``: may a map of ``map_type`` be passed to the helper?

    On False the kernel says ``cannot pass map_type %d into func %s#%d`` (EINVAL).
    """
    accepted = _MAP_HELPERS.get(map_type)
    if accepted is not None and helper_id not in accepted:
        sockmap_update = (
            map_type in _SOCK_MAPS
            and helper_id in (_H.MAP_UPDATE_ELEM, _H.MAP_DELETE_ELEM)
            and (prog_type is None or prog_type in _SOCKMAP_UPDATE_PROG_TYPES)
        )
        if not sockmap_update:
            return False
    wanted = _HELPER_MAP_TYPES.get(helper_id)
    return wanted is None or map_type in wanted


def acquires_reference(helper_id: int, map_type: MapType | None = None) -> bool:
    """``is_acquire_function``: does the call's result carry a reference to release?"""
    if helper_id in _ACQUIRE:
        return True
    return helper_id == _H.MAP_LOOKUP_ELEM and map_type in _SOCK_MAPS
