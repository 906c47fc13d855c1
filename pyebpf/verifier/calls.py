"""Calls and exits: helper calls checked against :mod:`.helper_protos`, bpf-to-bpf calls with
frames, program exit (reference leaks, return-value range), after ``check_helper_call``,
``check_func_arg``, ``check_func_call``, ``prepare_func_exit`` and ``check_return_code``.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

from ..kernel_tables import ProgType
from . import scalar as sc
from . import tnum as tn
from .btf_fields import process_spin_lock, process_timer_func
from .callbacks import async_callback_return, callback_return, push_callback
from .globalfuncs import call_global, check_subprog_return
from .helper_protos import (
    ArgType,
    HelperProto,
    RetType,
    TypeFlag,
    acquires_reference,
    helper_name,
    helper_proto,
    map_func_compatible,
)
from .memory import check_helper_mem_access
from .prog_types import helper_allowed, return_range
from .rodata import BPF_FUNC_SNPRINTF, check_const_str, check_snprintf_call
from .state import (
    CONST_PTR_TO_MAP,
    MEM_RDONLY,
    MEM_RINGBUF,
    NOT_INIT,
    PTR_MAYBE_NULL,
    PTR_TO_BTF_ID,
    PTR_TO_CTX,
    PTR_TO_FUNC,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_PACKET,
    PTR_TO_PACKET_END,
    PTR_TO_PACKET_META,
    PTR_TO_SOCK_COMMON,
    PTR_TO_SOCKET,
    PTR_TO_STACK,
    PTR_TO_TCP_SOCK,
    PTR_TO_XDP_SOCK,
    SCALAR,
    STACK_SPILL,
    STACK_ZERO,
    Frame,
    RefState,
    Reg,
    type_name,
)

if TYPE_CHECKING:
    from .simulate import Checker

# Enum members as module globals: on Python 3.11 ``ArgType.X`` costs ten times a global's
# lookup, and the helper-call checks compare against them on every call.
_ARG_ANYTHING = ArgType.ANYTHING
_ARG_CONST_ALLOC_SIZE_OR_ZERO = ArgType.CONST_ALLOC_SIZE_OR_ZERO
_ARG_CONST_MAP_PTR = ArgType.CONST_MAP_PTR
_ARG_CONST_SIZE = ArgType.CONST_SIZE
_ARG_CONST_SIZE_OR_ZERO = ArgType.CONST_SIZE_OR_ZERO
_ARG_DONTCARE = ArgType.DONTCARE
_ARG_KPTR_XCHG_DEST = ArgType.KPTR_XCHG_DEST
_ARG_PTR_TO_ARENA = ArgType.PTR_TO_ARENA
_ARG_PTR_TO_BTF_ID = ArgType.PTR_TO_BTF_ID
_ARG_PTR_TO_BTF_ID_SOCK_COMMON = ArgType.PTR_TO_BTF_ID_SOCK_COMMON
_ARG_PTR_TO_CONST_STR = ArgType.PTR_TO_CONST_STR
_ARG_PTR_TO_CTX = ArgType.PTR_TO_CTX
_ARG_PTR_TO_DYNPTR = ArgType.PTR_TO_DYNPTR
_ARG_PTR_TO_FUNC = ArgType.PTR_TO_FUNC
_ARG_PTR_TO_MAP_KEY = ArgType.PTR_TO_MAP_KEY
_ARG_PTR_TO_MAP_VALUE = ArgType.PTR_TO_MAP_VALUE
_ARG_PTR_TO_MEM = ArgType.PTR_TO_MEM
_ARG_PTR_TO_PERCPU_BTF_ID = ArgType.PTR_TO_PERCPU_BTF_ID
_ARG_PTR_TO_RINGBUF_MEM = ArgType.PTR_TO_RINGBUF_MEM
_ARG_PTR_TO_SOCKET = ArgType.PTR_TO_SOCKET
_ARG_PTR_TO_SOCK_COMMON = ArgType.PTR_TO_SOCK_COMMON
_ARG_PTR_TO_SPIN_LOCK = ArgType.PTR_TO_SPIN_LOCK
_ARG_PTR_TO_STACK = ArgType.PTR_TO_STACK
_ARG_PTR_TO_TIMER = ArgType.PTR_TO_TIMER
_ARG_SCALAR = ArgType.SCALAR
_RET_INTEGER = RetType.INTEGER
_RET_PTR_TO_MAP_VALUE = RetType.PTR_TO_MAP_VALUE
_RET_PTR_TO_MEM = RetType.PTR_TO_MEM
_RET_PTR_TO_SOCKET = RetType.PTR_TO_SOCKET
_RET_PTR_TO_SOCK_COMMON = RetType.PTR_TO_SOCK_COMMON
_RET_PTR_TO_TCP_SOCK = RetType.PTR_TO_TCP_SOCK
_RET_VOID = RetType.VOID
_FLAG_MAYBE_NULL = TypeFlag.MAYBE_NULL
_FLAG_RDONLY = TypeFlag.RDONLY
_FLAG_RINGBUF = TypeFlag.RINGBUF
_FLAG_UNINIT = TypeFlag.UNINIT
_FLAG_WRITE = TypeFlag.WRITE

_MAYBE_NULL, _RDONLY, _RINGBUF, _UNINIT, _WRITE = 1, 2, 4, 8, 16
_FLAG_BIT = {
    _FLAG_MAYBE_NULL: _MAYBE_NULL,
    _FLAG_RDONLY: _RDONLY,
    _FLAG_RINGBUF: _RINGBUF,
    _FLAG_UNINIT: _UNINIT,
    _FLAG_WRITE: _WRITE,
}
# id(flag set) -> (the set, its bits): the prototype tables' sets are few and permanent, and
# testing enum members in a frozenset hashes them in Python code on every test
_FLAG_BITS: dict[int, tuple[frozenset[Any], int]] = {}


def _flag_bits(flags: frozenset[Any]) -> int:
    known = _FLAG_BITS.get(id(flags))
    if known is None or known[0] is not flags:
        bits = 0
        for flag, bit in _FLAG_BIT.items():
            if flag in flags:
                bits |= bit
        known = _FLAG_BITS[id(flags)] = (flags, bits)
    return known[1]


MAX_CALL_FRAMES = 8
MAX_VAR_SIZ = 1 << 29
MAX_ERRNO = 4095


class NotModelled(Exception):
    """A construct pyebpf does not simulate (the verdict would be a guess)."""


def _func_name(helper_id: int) -> str:
    return helper_name(helper_id)


def check_call(ck: Checker, op: int, dst: int, src: int, off: int, imm: int) -> str:
    # with a lock held only bpf_spin_unlock and bpf-to-bpf calls are allowed (6.18 do_check)
    if ck.cur.active_lock is not None and (src == 0 and imm != 94 or src == 2):
        raise ck.fail(errno.EINVAL, "function calls are not allowed while holding a lock")
    if src == 1:
        return _check_func_call(ck, imm)
    if src == 2:
        raise ck.fail(errno.EINVAL, "kfunc calls are not modelled by pyebpf")
    _check_helper_call(ck, imm)
    ck.scratched_regs.add(0)
    return "next"


# --- bpf-to-bpf -------------------------------------------------------------------------------


def _check_func_call(ck: Checker, imm: int) -> str:
    st = ck.cur
    target = ck.insn_idx + sc.s32(imm) + 1
    subprog = ck.prog.subprogs.index(target)
    funcs = ck.prog.funcs
    if funcs is not None and funcs[subprog].is_global:
        return call_global(ck, subprog, funcs[subprog])
    if len(st.frames) >= MAX_CALL_FRAMES:
        raise ck.fail(errno.E2BIG, f"the call stack of {len(st.frames) + 1} frames is too deep")
    caller = st.frames[-1]
    callee = Frame(frameno=len(st.frames), callsite=ck.insn_idx, subprogno=subprog)
    r10 = callee.regs[10]
    r10.type = PTR_TO_STACK
    sc.mark_known(r10, 0)
    r10.frameno = callee.frameno
    for i in range(1, 6):
        callee.regs[i] = caller.regs[i].copy()
    for i in range(0, 6):
        caller.regs[i].__init__()  # type: ignore[misc]
    st.frames.append(callee)
    ck.insn_idx = target
    return "jump"


# --- exit -------------------------------------------------------------------------------------


def check_exit(ck: Checker) -> str:
    st = ck.cur
    if len(st.frames) == 1:
        if st.active_lock is not None:
            raise ck.fail(
                errno.EINVAL,
                "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region",
            )
        if st.refs:
            lines = [f"Unreleased reference id={r.id} alloc_insn={r.insn_idx}" for r in st.refs]
            lines.append("BPF_EXIT instruction in main prog would lead to reference leak")
            raise ck.fail(errno.EINVAL, "\n".join(lines))
        if st.frames[0].in_callback:  # an async (timer) callback, verified from its own state
            async_callback_return(ck)
        elif st.frames[0].subprogno:  # a global function verified on its own
            check_subprog_return(ck)
        else:
            _check_return_code(ck)
        return "exit"
    callee = st.frames[-1]
    r0 = callee.regs[0]
    if r0.type == PTR_TO_STACK:
        raise ck.fail(errno.EINVAL, "cannot return stack pointer to the caller")
    if callee.in_callback:
        return callback_return(ck)
    st.frames.pop()
    caller = st.frames[-1]
    caller.regs[0] = r0.copy()
    ck.insn_idx = callee.callsite + 1
    ck.scratched_regs.add(0)
    return "jump"


def _check_return_code(ck: Checker) -> None:
    ck.check_reg_arg(0, True)
    if ck.is_pointer_value(0):
        raise ck.fail(errno.EACCES, "R0 leaks addr as return value")
    rng = return_range(ck.prog_type, ck.attach_type)
    if rng is None:
        return
    r0 = ck.regs[0]
    if r0.type != SCALAR:
        raise ck.fail(
            errno.EINVAL,
            f"At program exit the register R0 is not a known value ({type_name(r0.type)})",
        )
    ck.mark_chain_precision(0)
    lo, hi = rng
    if not (lo <= r0.smin and r0.smax <= hi):
        shown = sc.signed_range_text(r0.smin, r0.smax)
        raise ck.fail(
            errno.EINVAL,
            f"At program exit the register R0 has{shown} should have been in [{lo}, {hi}]",
        )


# --- helpers ----------------------------------------------------------------------------------

_MEM_TYPES = (PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE,
              PTR_TO_MEM, PTR_TO_MEM | MEM_RINGBUF, 19)  # fmt: skip
_MEM_NAMES = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"
_KEY_VALUE_TYPES = _MEM_TYPES
_KEY_VALUE_NAMES = _MEM_NAMES
_SOCK_TYPES = (PTR_TO_SOCK_COMMON, PTR_TO_SOCKET, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK)
_SOCK_NAMES = "sock_common, sock, tcp_sock, xdp_sock"


class _Meta:
    def __init__(self) -> None:
        self.map: Any = None
        self.ref_obj_id = 0
        self.release_regno = 0
        self.mem_size = 0
        self.msize_max_value = 0
        self.raw_regno = -1
        self.raw_size = 0
        self.raw_mode = False
        self.const_key_in_range = False
        self.subprogno = -1


def _helper_checked(ck: Checker, func_id: int) -> tuple[str, HelperProto]:
    """Name and prototype of a helper the program may call; the checks that depend on the
    helper id alone, done once per Checker (a loop calls the same helpers again and again)."""
    known = ck.helper_cache.get(func_id)
    if known is not None:
        return known
    name = _func_name(func_id)
    if name == "unknown" or func_id < 0:
        raise ck.fail(errno.EINVAL, f"invalid func {name}#{func_id}")
    if not helper_allowed(ck.prog_type, func_id, ck.attach_type, ck.priv.name):
        raise ck.fail(errno.EINVAL, f"program of this type cannot use helper {name}#{func_id}")
    proto = helper_proto(func_id, _pt(ck))
    if proto is None:
        raise ck.fail(errno.EINVAL, f"helper {name}#{func_id} is not modelled by pyebpf")
    if proto.gpl_only and not ck.gpl:
        raise ck.fail(
            errno.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program"
        )
    for spec in proto.args:
        if spec.type in (_ARG_PTR_TO_BTF_ID, _ARG_PTR_TO_DYNPTR,
                         _ARG_KPTR_XCHG_DEST, _ARG_PTR_TO_PERCPU_BTF_ID,
                         _ARG_PTR_TO_ARENA):  # fmt: skip
            raise ck.fail(
                errno.EINVAL,
                f"helper {name}#{func_id}: argument type {spec.type.value} is not modelled by pyebpf",
            )
    known = ck.helper_cache[func_id] = (name, proto)
    return known


def _check_helper_call(ck: Checker, func_id: int) -> None:
    name, proto = _helper_checked(ck, func_id)
    meta = _Meta()
    regs = ck.regs
    for i, spec in enumerate(proto.args):
        _check_func_arg(ck, i + 1, spec, proto, meta)
    if meta.release_regno:
        if meta.ref_obj_id:
            _release_reference(ck, meta.ref_obj_id)
        elif not _register_is_null(regs[meta.release_regno]):
            raise ck.fail(
                errno.EINVAL, f"func {name}#{func_id} reference has not been acquired before"
            )
    if func_id == 12:  # tail_call
        if ck.cur.refs:
            lines = [f"Unreleased reference id={r.id} alloc_insn={r.insn_idx}" for r in ck.cur.refs]
            lines.append("tail_call would lead to reference leak")
            raise ck.fail(errno.EINVAL, "\n".join(lines))
    if func_id == BPF_FUNC_SNPRINTF:
        check_snprintf_call(ck)  # rodata.py: the format string against the argument count
    if meta.subprogno >= 0:
        push_callback(ck, func_id, meta.subprogno)
    for r in range(6):
        regs[r].__init__()  # type: ignore[misc]
    r0 = regs[0]
    ret = proto.ret
    flags = proto.ret_flags
    ret_bits = _flag_bits(flags)
    maybe_null = bool(ret_bits & _MAYBE_NULL)
    if ret == _RET_INTEGER:
        r0.type = SCALAR
    elif ret == _RET_VOID:
        r0.type = NOT_INIT
    else:
        sc.mark_known(r0, 0)
        if ret == _RET_PTR_TO_MAP_VALUE:
            if meta.map is None:
                raise ck.fail(errno.EINVAL, "kernel subsystem misconfigured verifier")
            r0.map = meta.map
            r0.type = PTR_TO_MAP_VALUE
        elif ret == _RET_PTR_TO_SOCKET:
            r0.type = PTR_TO_SOCKET
        elif ret == _RET_PTR_TO_SOCK_COMMON:
            r0.type = PTR_TO_SOCK_COMMON
        elif ret == _RET_PTR_TO_TCP_SOCK:
            r0.type = PTR_TO_TCP_SOCK
        elif ret == _RET_PTR_TO_MEM:
            r0.type = PTR_TO_MEM | (MEM_RINGBUF if ret_bits & _RINGBUF else 0)
            if ret_bits & _RDONLY:
                r0.type |= MEM_RDONLY
            r0.mem_size = meta.mem_size
        else:
            raise ck.fail(
                errno.EINVAL,
                f"helper {name}#{func_id}: return type {ret.value} is not modelled by pyebpf",
            )
        if maybe_null and not (ret == _RET_PTR_TO_MAP_VALUE and meta.const_key_in_range):
            r0.type |= PTR_MAYBE_NULL
    if r0.type & PTR_MAYBE_NULL:
        r0.id = ck.new_id()
    map_type = getattr(meta.map, "type", None)
    if proto.ptr_cast:
        r0.ref_obj_id = meta.ref_obj_id
    elif acquires_reference(func_id, map_type):
        rid = ck.new_id()
        ck.cur.refs.append(RefState(rid, ck.insn_idx))
        r0.id = rid
        r0.ref_obj_id = rid
    _refine_retval(ck, func_id, r0, meta)
    if meta.map is not None:
        if not map_func_compatible(meta.map.type, func_id, _pt(ck)):
            raise ck.fail(
                errno.EINVAL,
                f"cannot pass map_type {int(meta.map.type)} into func {name}#{func_id}",
            )
    if proto.changes_pkt_data:
        _clear_all_pkt_pointers(ck)


def _pt(ck: Checker) -> Any:
    pt = ck.prog_type_enum  # looked up once by the Checker (None when not a known type)
    if pt is not None:
        return pt
    try:
        return ProgType(int(ck.prog_type))
    except ValueError:
        return None


def _refine_retval(ck: Checker, func_id: int, r0: Reg, meta: _Meta) -> None:
    # get_stack, get_task_stack, probe_read_str, probe_read_kernel_str, probe_read_user_str
    if func_id in (67, 141, 45, 115, 114):
        r0.smax = meta.msize_max_value if meta.msize_max_value <= sc.S64_MAX else sc.S64_MAX
        r0.s32max = min(meta.msize_max_value, sc.S32_MAX)
        r0.smin = -MAX_ERRNO
        r0.s32min = -MAX_ERRNO
        sc.reg_bounds_sync(r0)
    elif func_id == 8:  # get_smp_processor_id
        n = ck.nr_cpus - 1  # the kernel: nr_cpu_ids - 1
        r0.umax = r0.u32max = r0.smax = r0.s32max = n
        r0.umin = r0.u32min = r0.smin = r0.s32min = 0
        sc.reg_bounds_sync(r0)


def _clear_all_pkt_pointers(ck: Checker) -> None:
    for f in ck.cur.frames:
        regs = list(f.regs) + [s.spilled for s in f.stack.values() if s.is_spill]
        for r in regs:
            if r.type in (PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_PACKET_END):
                allow = ck.priv.allow_ptr_leaks
                r.__init__()  # type: ignore[misc]
                if allow:
                    r.type = SCALAR


def _register_is_null(r: Reg) -> bool:
    return r.type == SCALAR and r.var_off == tn.ZERO


def _release_reference(ck: Checker, ref_id: int) -> None:
    st = ck.cur
    st.refs = [r for r in st.refs if r.id != ref_id]
    for f in st.frames:
        regs = list(f.regs) + [s.spilled for s in f.stack.values() if s.is_spill]
        for r in regs:
            if r.ref_obj_id == ref_id:
                allow = ck.priv.allow_ptr_leaks
                r.__init__()  # type: ignore[misc]
                if allow:
                    r.type = SCALAR


def _type_error(ck: Checker, regno: int, r: Reg, expected: str) -> None:
    raise ck.fail(errno.EACCES, f"R{regno} type={type_name(r.type)} expected={expected}")


def _check_func_arg(ck: Checker, regno: int, spec: Any, proto: Any, meta: _Meta) -> None:
    at = spec.type
    if at == _ARG_DONTCARE:
        return
    ck.check_reg_arg(regno, True)
    r = ck.regs[regno]
    if at == _ARG_ANYTHING or at == _ARG_SCALAR:
        if ck.is_pointer_value(regno):
            raise ck.fail(errno.EACCES, f"R{regno} leaks addr into helper function")
        return
    if (
        r.type in (PTR_TO_PACKET, PTR_TO_PACKET_META)
        and not ck.pkt_access_types
        and not proto.pkt_access
    ):
        raise ck.fail(errno.EACCES, "helper access to the packet is not allowed")
    bits = _flag_bits(spec.flags)
    maybe_null = bool(bits & _MAYBE_NULL)
    rdonly_ok = bool(bits & _RDONLY)
    is_null = _register_is_null(r) and maybe_null
    if not is_null:
        _check_reg_type(ck, regno, r, at, rdonly_ok, spec)
    if spec.release:
        if not r.ref_obj_id and not _register_is_null(r):
            raise ck.fail(
                errno.EINVAL, f"R{regno} must be referenced when passed to release function"
            )
        meta.release_regno = regno
    if r.ref_obj_id:
        meta.ref_obj_id = r.ref_obj_id
    if at == _ARG_CONST_MAP_PTR:
        if meta.map is not None and meta.map is not r.map:
            # bpf_timer_init: the timer must live in the map passed (map_uid: 0 outside
            # map-in-map, which pyebpf does not track for timers)
            raise ck.fail(
                errno.EINVAL,
                "timer pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0",
            )
        meta.map = r.map
        if proto.id == 12 and int(getattr(r.map, "type", 0)) != 3:
            raise ck.fail(errno.EINVAL, "expected prog array map for tail call")
    elif at == _ARG_PTR_TO_MAP_KEY:
        if meta.map is None:
            raise ck.fail(errno.EACCES, "invalid map_ptr to access map->key")
        check_helper_mem_access(ck, regno, meta.map.key_size, False, False, False)
        meta.const_key_in_range = _const_array_key(ck, r, meta.map)
    elif at == _ARG_PTR_TO_MAP_VALUE:
        if is_null:
            return
        if meta.map is None:
            raise ck.fail(errno.EACCES, "invalid map_ptr to access map->value")
        uninit = bool(bits & _UNINIT)
        check_helper_mem_access(ck, regno, meta.map.value_size, False, bool(bits & _WRITE), uninit)
    elif at == _ARG_PTR_TO_MEM:
        meta.raw_mode = bool(bits & _UNINIT)
        if spec.size is not None:
            check_helper_mem_access(ck, regno, spec.size, False, bool(bits & _WRITE), meta.raw_mode)
    elif at in (_ARG_CONST_SIZE, _ARG_CONST_SIZE_OR_ZERO):
        zero_ok = at == _ARG_CONST_SIZE_OR_ZERO
        meta.msize_max_value = r.umax
        prev = proto.arg(regno - 1)
        const = r.var_off.mask == 0
        if r.smin < 0:
            raise ck.fail(
                errno.EACCES,
                f"R{regno} min value is negative, either use unsigned or 'var &= const'",
            )
        if r.umin == 0 and not zero_ok:
            raise ck.fail(
                errno.EACCES, f"R{regno} invalid zero-sized read: u64=[{r.umin},{r.umax}]"
            )
        if r.umax >= MAX_VAR_SIZ:
            raise ck.fail(
                errno.EACCES,
                f"R{regno} unbounded memory access, use 'var &= const' or 'if (var < const)'",
            )
        prev_bits = _flag_bits(prev.flags)
        uninit = bool(prev_bits & _UNINIT) and const
        check_helper_mem_access(
            ck, regno - 1, r.umax, zero_ok, bool(prev_bits & _WRITE) or uninit, uninit
        )
        ck.mark_chain_precision(regno)
    elif at == _ARG_CONST_ALLOC_SIZE_OR_ZERO:
        if r.var_off.mask:
            raise ck.fail(errno.EACCES, f"R{regno} is not a known constant'")
        meta.mem_size = r.var_off.value
        ck.mark_chain_precision(regno)
    elif at == _ARG_PTR_TO_FUNC:
        meta.subprogno = r.subprogno
    elif at == _ARG_PTR_TO_SPIN_LOCK:
        process_spin_lock(ck, regno, proto.id == 93)
    elif at == _ARG_PTR_TO_TIMER:
        meta.map = process_timer_func(ck, regno)
    elif at == _ARG_PTR_TO_CONST_STR:
        check_const_str(ck, regno)


def _const_array_key(ck: Checker, r: Reg, spec: Any) -> bool:
    """6.16+: an array lookup with a constant in-range key cannot return NULL."""
    if int(getattr(spec, "type", 0)) not in (2, 6) or not ck.priv.bpf_capable:
        return False
    if r.type != PTR_TO_STACK or r.var_off.mask:
        return False
    stack_off = sc.s64(r.var_off.value) + r.off
    slot_i = -stack_off - 1
    spi, off = slot_i // 8, slot_i % 8
    slot = ck.cur.frames[r.frameno].stack.get(spi)
    if slot is None or not 0 <= spi < 64:
        return False
    zero_size = 0
    i = off
    while i >= 0 and slot.types[i] == STACK_ZERO:
        zero_size += 1
        i -= 1
    if zero_size >= spec.key_size:
        key = 0
    else:
        if slot.types[7] != STACK_SPILL or slot.spilled.type != SCALAR:
            return False
        spill_size = 0
        i = off
        while i >= 0 and slot.types[i] == STACK_SPILL:
            spill_size += 1
            i -= 1
        if spill_size != spec.key_size or slot.spilled.var_off.mask:
            return False
        key = slot.spilled.var_off.value
    ck.mark_stack_slot_precise(r.frameno, spi)
    return key < spec.max_entries


def _check_reg_type(ck: Checker, regno: int, r: Reg, at: Any, rdonly_ok: bool, spec: Any) -> None:
    t = r.type
    if rdonly_ok:
        t &= ~MEM_RDONLY
    if at == _ARG_CONST_MAP_PTR:
        if t != CONST_PTR_TO_MAP:
            _type_error(ck, regno, r, "map_ptr")
        return
    if at in (_ARG_PTR_TO_MAP_KEY, _ARG_PTR_TO_MAP_VALUE):
        if t not in _KEY_VALUE_TYPES:
            _type_error(ck, regno, r, _KEY_VALUE_NAMES)
        return
    if at == _ARG_PTR_TO_MEM:
        if t not in _MEM_TYPES:
            _type_error(ck, regno, r, _MEM_NAMES)
        return
    if at in (_ARG_CONST_SIZE, _ARG_CONST_SIZE_OR_ZERO, _ARG_CONST_ALLOC_SIZE_OR_ZERO):
        if t != SCALAR:
            _type_error(ck, regno, r, "scalar")
        return
    if at == _ARG_PTR_TO_CTX:
        if t != PTR_TO_CTX:
            _type_error(ck, regno, r, "ctx")
        if r.off or r.var_off != tn.ZERO:
            raise ck.fail(
                errno.EACCES, f"dereference of modified ctx ptr R{regno} off={r.off} disallowed"
            )
        return
    if at == _ARG_PTR_TO_SOCK_COMMON:
        if t not in _SOCK_TYPES:
            _type_error(ck, regno, r, _SOCK_NAMES)
        return
    if at == _ARG_PTR_TO_SOCKET:
        if t != PTR_TO_SOCKET:
            _type_error(ck, regno, r, "sock")
        return
    if at == _ARG_PTR_TO_BTF_ID_SOCK_COMMON:
        if t not in _SOCK_TYPES + (PTR_TO_BTF_ID,):
            _type_error(ck, regno, r, _SOCK_NAMES + ", ptr_, trusted_ptr_")
        return
    if at == _ARG_PTR_TO_RINGBUF_MEM:
        if t != PTR_TO_MEM | MEM_RINGBUF:
            _type_error(ck, regno, r, "ringbuf_mem")
        if r.off:
            raise ck.fail(
                errno.EACCES, f"R{regno} must have zero offset when passed to release func"
            )
        return
    if at == _ARG_PTR_TO_STACK:
        if t != PTR_TO_STACK:
            _type_error(ck, regno, r, "fp")
        return
    if at == _ARG_PTR_TO_FUNC:
        if t != PTR_TO_FUNC:
            _type_error(ck, regno, r, "func")
        return
    if at == _ARG_PTR_TO_SPIN_LOCK:
        if t != PTR_TO_MAP_VALUE:
            _type_error(ck, regno, r, "map_value, ptr_")
        return
    if at in (_ARG_PTR_TO_TIMER, _ARG_PTR_TO_CONST_STR):
        if t != PTR_TO_MAP_VALUE:
            _type_error(ck, regno, r, "map_value")
        return
    if t & PTR_MAYBE_NULL:
        _type_error(ck, regno, r, "?")
