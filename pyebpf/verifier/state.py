"""The abstract machine state: registers, stack slots, frames and whole verifier states.

Mirrors the kernel's ``struct bpf_reg_state`` / ``bpf_stack_state`` / ``bpf_func_state`` /
``bpf_verifier_state`` closely enough that pruning (``states_equal``) and the log printer can
work the way the kernel's do. Scalars and the variable part of pointers share the same fields
(tnum ``var_off`` plus the eight bounds), exactly as in the kernel.
"""

from __future__ import annotations

from typing import Any

from . import tnum as tn
from .tnum import Tnum

S64_MIN, S64_MAX = -(1 << 63), (1 << 63) - 1
U64_MAX = (1 << 64) - 1
S32_MIN, S32_MAX = -(1 << 31), (1 << 31) - 1
U32_MAX = (1 << 32) - 1

# Base register types: the kernel's ``enum bpf_reg_type`` values.
NOT_INIT = 0
SCALAR = 1
PTR_TO_CTX = 2
CONST_PTR_TO_MAP = 3
PTR_TO_MAP_VALUE = 4
PTR_TO_MAP_KEY = 5
PTR_TO_STACK = 6
PTR_TO_PACKET_META = 7
PTR_TO_PACKET = 8
PTR_TO_PACKET_END = 9
PTR_TO_FLOW_KEYS = 10
PTR_TO_SOCKET = 11
PTR_TO_SOCK_COMMON = 12
PTR_TO_TCP_SOCK = 13
PTR_TO_TP_BUFFER = 14
PTR_TO_XDP_SOCK = 15
PTR_TO_BTF_ID = 16
PTR_TO_MEM = 17
PTR_TO_ARENA = 18
PTR_TO_BUF = 19
PTR_TO_FUNC = 20
CONST_PTR_TO_DYNPTR = 21

BASE_MASK = 0xFF
# Linked scalars (``r1 = r2; r1 += 10``): the upper id bits say that ``off`` holds the constant
# delta to the other registers of the same id, after a 64-bit or a 32-bit add/sub.
ADD_CONST64 = 1 << 31
ADD_CONST32 = 1 << 30
ADD_CONST = ADD_CONST64 | ADD_CONST32
# Type flags (``enum bpf_type_flag``).
PTR_MAYBE_NULL = 1 << 8
MEM_RDONLY = 1 << 9
MEM_RINGBUF = 1 << 10
MEM_ALLOC = 1 << 13

_BASE_NAMES = {
    NOT_INIT: "?",
    SCALAR: "scalar",
    PTR_TO_CTX: "ctx",
    CONST_PTR_TO_MAP: "map_ptr",
    PTR_TO_MAP_VALUE: "map_value",
    PTR_TO_MAP_KEY: "map_key",
    PTR_TO_STACK: "fp",
    PTR_TO_PACKET_META: "pkt_meta",
    PTR_TO_PACKET: "pkt",
    PTR_TO_PACKET_END: "pkt_end",
    PTR_TO_FLOW_KEYS: "flow_keys",
    PTR_TO_SOCKET: "sock",
    PTR_TO_SOCK_COMMON: "sock_common",
    PTR_TO_TCP_SOCK: "tcp_sock",
    PTR_TO_TP_BUFFER: "tp_buffer",
    PTR_TO_XDP_SOCK: "xdp_sock",
    PTR_TO_BTF_ID: "ptr_",
    PTR_TO_MEM: "mem",
    PTR_TO_ARENA: "arena",
    PTR_TO_BUF: "buf",
    PTR_TO_FUNC: "func",
    CONST_PTR_TO_DYNPTR: "dynptr_ptr",
}


def type_name(t: int) -> str:
    """The kernel's ``reg_type_str``: ``map_value_or_null``, ``rdonly_mem``, ``ringbuf_mem``..."""
    base = t & BASE_MASK
    prefix = ""
    if t & MEM_RDONLY:
        prefix += "rdonly_"
    if t & MEM_RINGBUF:
        prefix += "ringbuf_"
    if t & MEM_ALLOC:
        prefix += "alloc_"
    postfix = "_or_null" if t & PTR_MAYBE_NULL else ""
    return prefix + _BASE_NAMES.get(base, "?") + postfix


def is_pkt_type(t: int) -> bool:
    return t in (PTR_TO_PACKET, PTR_TO_PACKET_META)


class Reg:
    """One register (or spilled register): type, fixed offset, tnum and bounds, ids."""

    __slots__ = (
        "type", "off", "var_off", "smin", "smax", "umin", "umax",
        "s32min", "s32max", "u32min", "u32max",
        "id", "ref_obj_id", "map", "range", "mem_size", "frameno", "precise", "subprogno",
    )  # fmt: skip

    def __init__(self) -> None:
        self.type = NOT_INIT
        self.off = 0
        self.var_off: Tnum = tn.UNKNOWN
        self.smin = S64_MIN
        self.smax = S64_MAX
        self.umin = 0
        self.umax = U64_MAX
        self.s32min = S32_MIN
        self.s32max = S32_MAX
        self.u32min = 0
        self.u32max = U32_MAX
        self.id = 0
        self.ref_obj_id = 0
        self.map: Any = None
        self.range = 0
        self.mem_size = 0
        self.frameno = 0
        self.precise = False
        self.subprogno = 0

    def copy(self) -> Reg:
        r = Reg.__new__(Reg)
        r.type = self.type
        r.off = self.off
        r.var_off = self.var_off
        r.smin = self.smin
        r.smax = self.smax
        r.umin = self.umin
        r.umax = self.umax
        r.s32min = self.s32min
        r.s32max = self.s32max
        r.u32min = self.u32min
        r.u32max = self.u32max
        r.id = self.id
        r.ref_obj_id = self.ref_obj_id
        r.map = self.map
        r.range = self.range
        r.mem_size = self.mem_size
        r.frameno = self.frameno
        r.precise = self.precise
        r.subprogno = self.subprogno
        return r

    def assign(self, other: Reg) -> None:
        # spelled out: a loop over __slots__ with setattr is several times slower
        self.type = other.type
        self.off = other.off
        self.var_off = other.var_off
        self.smin = other.smin
        self.smax = other.smax
        self.umin = other.umin
        self.umax = other.umax
        self.s32min = other.s32min
        self.s32max = other.s32max
        self.u32min = other.u32min
        self.u32max = other.u32max
        self.id = other.id
        self.ref_obj_id = other.ref_obj_id
        self.map = other.map
        self.range = other.range
        self.mem_size = other.mem_size
        self.frameno = other.frameno
        self.precise = other.precise
        self.subprogno = other.subprogno

    # Convenience predicates.
    @property
    def base(self) -> int:
        return self.type & BASE_MASK

    @property
    def is_scalar(self) -> bool:
        return self.type == SCALAR

    @property
    def is_pointer(self) -> bool:
        return self.type not in (NOT_INIT, SCALAR)

    @property
    def is_const(self) -> bool:
        return self.var_off.mask == 0

    @property
    def const_value(self) -> int:
        return self.var_off.value

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        from .log import format_reg

        return f"Reg({format_reg(self)})"


# Stack slot byte types (``enum bpf_stack_slot_type``) and their log letters.
STACK_INVALID = 0
STACK_SPILL = 1
STACK_MISC = 2
STACK_ZERO = 3
SLOT_CHAR = {STACK_INVALID: "?", STACK_SPILL: "r", STACK_MISC: "m", STACK_ZERO: "0"}


class StackSlot:
    """Eight bytes of stack: the per-byte types and the spilled register, if any."""

    __slots__ = ("types", "spilled")

    def __init__(self) -> None:
        self.types = [STACK_INVALID] * 8  # index i = byte (slot_off + i); kernel keeps it reversed
        self.spilled = Reg()

    def copy(self) -> StackSlot:
        s = StackSlot.__new__(StackSlot)
        s.types = self.types[:]
        s.spilled = self.spilled.copy()
        return s

    @property
    def is_spill(self) -> bool:
        return self.types[7] == STACK_SPILL

    @property
    def is_full_spill(self) -> bool:
        return all(t == STACK_SPILL for t in self.types)


_copy_reg = Reg.copy


class Frame:
    """One call frame (``bpf_func_state``): 11 registers and the stack."""

    __slots__ = (
        "regs", "stack", "frameno", "callsite", "subprogno", "allocated", "in_callback",
        "callback_depth",
    )  # fmt: skip

    def __init__(self, frameno: int = 0, callsite: int = -1, subprogno: int = 0) -> None:
        self.regs = [Reg() for _ in range(11)]
        self.stack: dict[int, StackSlot] = {}  # spi (0 = fp-8 .. fp-1) -> slot
        self.frameno = frameno
        self.callsite = callsite
        self.subprogno = subprogno
        self.allocated = 0  # bytes of stack touched (kernel ``allocated_stack``)
        self.in_callback = False
        self.callback_depth = 0  # callback visits pushed from this frame's current call

    def copy(self) -> Frame:
        f = Frame.__new__(Frame)
        f.regs = list(map(_copy_reg, self.regs))
        f.stack = {k: v.copy() for k, v in self.stack.items()}
        f.frameno = self.frameno
        f.callsite = self.callsite
        f.subprogno = self.subprogno
        f.allocated = self.allocated
        f.in_callback = self.in_callback
        f.callback_depth = self.callback_depth
        return f


class RefState:
    __slots__ = ("id", "insn_idx", "kind")

    def __init__(self, id_: int, insn_idx: int, kind: str = "ptr") -> None:
        self.id = id_
        self.insn_idx = insn_idx
        self.kind = kind


class VState:
    """A whole verifier state (``bpf_verifier_state``): frames, references, pruning links."""

    __slots__ = (
        "frames", "refs", "parent", "branches", "insn_idx", "first_insn_idx", "last_insn_idx",
        "history", "speculative", "may_goto_depth", "active_lock", "path",
        "loop_entry", "dfs_depth", "jmp_hist",
    )  # fmt: skip

    def __init__(self) -> None:
        self.frames: list[Frame] = [Frame()]
        self.refs: list[RefState] = []
        self.parent: VState | None = None
        self.branches = 1
        self.insn_idx = 0
        self.first_insn_idx = 0
        self.last_insn_idx = -1
        # (insn_idx, stack spi touched or -1, frame of that access) since first_insn_idx
        self.history: list[tuple[int, int, int]] = []
        self.speculative = False
        self.may_goto_depth = 0
        self.active_lock: tuple[int, int] | None = None
        self.path: list[tuple[int, int, str]] | None = None  # branch decisions, for explain()
        self.loop_entry: VState | None = None
        self.dfs_depth = 0
        self.jmp_hist = 0  # kernel jmp_history_cnt: entries since the last checkpoint

    @property
    def cur(self) -> Frame:
        return self.frames[-1]

    @property
    def regs(self) -> list[Reg]:
        return self.frames[-1].regs

    def copy(self) -> VState:
        s = VState.__new__(VState)
        s.frames = [f.copy() for f in self.frames]
        s.refs = self.refs[:]  # RefState entries are never changed, only added or dropped
        s.parent = self.parent
        s.branches = self.branches
        s.insn_idx = self.insn_idx
        s.first_insn_idx = self.first_insn_idx
        s.last_insn_idx = self.last_insn_idx
        s.history = self.history[:]
        s.speculative = self.speculative
        s.may_goto_depth = self.may_goto_depth
        s.active_lock = self.active_lock
        s.path = self.path[:] if self.path is not None else None
        s.loop_entry = self.loop_entry
        s.dfs_depth = self.dfs_depth
        s.jmp_hist = self.jmp_hist
        return s
