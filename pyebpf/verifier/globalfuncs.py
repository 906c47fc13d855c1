"""Global (BTF_FUNC_GLOBAL) subprograms, after the kernel's ``btf_prepare_func_args``,
``btf_check_func_arg_match``, ``check_func_call`` and ``do_check_subprogs``.

The kernel verifies a global function once, on its own, with its arguments typed from the BTF
prototype (an unknown scalar, the context, or a maybe-NULL pointer to memory of the pointee's
size); a caller only checks that what it passes matches that prototype and gets an unknown
scalar back. So a constant the caller passes never flows into the callee. Only programs with
BTF func_info have global functions: raw instructions keep all subprograms static.
"""

from __future__ import annotations

import errno
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..btf import Kind, Linkage
from ..errors import BTFError
from ..kernel_tables import ProgType
from . import tnum as tn
from .cfg import VerifyFail
from .helper_protos import helper_proto
from .state import (
    MEM_RDONLY,
    MEM_RINGBUF,
    PTR_MAYBE_NULL,
    PTR_TO_ARENA,
    PTR_TO_BTF_ID,
    PTR_TO_BUF,
    PTR_TO_CTX,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_PACKET,
    PTR_TO_PACKET_META,
    PTR_TO_STACK,
    SCALAR,
    STACK_INVALID,
    STACK_MISC,
    STACK_SPILL,
    STACK_ZERO,
    Reg,
    type_name,
)

if TYPE_CHECKING:
    from .simulate import Checker

MAX_BPF_FUNC_REG_ARGS = 5

# include/linux/bpf_types.h: the context struct each program type's functions may take
# (btf_is_prog_ctx_type compares names only). Types whose context is a scalar or ``void *``
# have no named context: only ``__arg_ctx`` makes an argument a context pointer there.
_CTX_STRUCT = {
    ProgType.SOCKET_FILTER: "__sk_buff",
    ProgType.SCHED_CLS: "__sk_buff",
    ProgType.SCHED_ACT: "__sk_buff",
    ProgType.XDP: "xdp_md",
    ProgType.CGROUP_SKB: "__sk_buff",
    ProgType.CGROUP_SOCK: "bpf_sock",
    ProgType.CGROUP_SOCK_ADDR: "bpf_sock_addr",
    ProgType.LWT_IN: "__sk_buff",
    ProgType.LWT_OUT: "__sk_buff",
    ProgType.LWT_XMIT: "__sk_buff",
    ProgType.LWT_SEG6LOCAL: "__sk_buff",
    ProgType.SOCK_OPS: "bpf_sock_ops",
    ProgType.SK_SKB: "__sk_buff",
    ProgType.SK_MSG: "sk_msg_md",
    ProgType.FLOW_DISSECTOR: "__sk_buff",
    ProgType.KPROBE: "pt_regs",  # bpf_user_pt_regs_t, a typedef of struct pt_regs
    ProgType.PERF_EVENT: "bpf_perf_event_data",
    ProgType.RAW_TRACEPOINT: "bpf_raw_tracepoint_args",
    ProgType.RAW_TRACEPOINT_WRITABLE: "bpf_raw_tracepoint_args",
    ProgType.CGROUP_DEVICE: "bpf_cgroup_dev_ctx",
    ProgType.CGROUP_SYSCTL: "bpf_sysctl",
    ProgType.CGROUP_SOCKOPT: "bpf_sockopt",
    ProgType.SK_REUSEPORT: "sk_reuseport_md",
    ProgType.SK_LOOKUP: "bpf_sk_lookup",
    ProgType.NETFILTER: "bpf_nf_ctx",
}
# btf_is_projection_of: the kernel-side struct names a program may use instead.
_PROJECTIONS = {"__sk_buff": "sk_buff", "xdp_md": "xdp_buff"}

# btf_type_str(): the kind names the kernel prints.
_KIND_STR = {Kind.VOID: "UNKNOWN"}


@dataclass(frozen=True)
class FuncArg:
    """One argument as the kernel types it: ``scalar``, ``ctx`` or ``mem`` (of ``mem_size``)."""

    kind: str
    mem_size: int = 0
    nullable: bool = False


@dataclass(frozen=True)
class SubprogFunc:
    """What BTF says about one subprogram.

    ``error`` is the (errno, message) ``btf_prepare_func_args`` fails a global function with;
    ``unsupported`` names an argument kind pyebpf does not model (the verdict would be a guess).
    """

    name: str
    is_global: bool
    args: tuple[FuncArg, ...] = ()
    error: tuple[int, str] | None = None
    unsupported: str | None = None


def describe_subprogs(spec: Any, starts: list[int], prog_type: Any) -> list[SubprogFunc] | None:
    """Each subprogram's name, linkage and argument types from ``spec``'s BTF func_info.

    None when the program has no func_info (raw instructions: no global functions). Raises
    :class:`VerifyFail` when func_info does not match the subprograms, as ``check_btf_func``.
    """
    func_info = getattr(spec, "func_info", None)
    btf = getattr(spec, "btf", None)
    if not func_info or btf is None:
        return None
    records = _func_info_records(func_info, getattr(spec, "byteorder", "little"))
    if len(records) != len(starts):
        raise VerifyFail(
            errno.EINVAL, "number of funcs in func_info doesn't match number of subprogs", None
        )
    out = []
    for i, (slot, type_id) in enumerate(records):
        if slot != starts[i]:
            raise VerifyFail(
                errno.EINVAL,
                "func_info BTF section doesn't match subprog layout in BPF program",
                None,
            )
        try:
            fn = btf[type_id]
        except (BTFError, IndexError, KeyError):
            raise VerifyFail(errno.EINVAL, f"invalid type id {type_id}", None) from None
        if fn.kind != Kind.FUNC:
            raise VerifyFail(errno.EINVAL, f"invalid type id {type_id}", None)
        is_global = fn.linkage == Linkage.GLOBAL
        if i == 0:
            # the kernel verifies a declared exception callback even if nothing throws
            exc = [t for t in _decl_tags(btf, fn.id, -1) if t.startswith("exception_callback:")]
            unsupported = f"an exception callback ({exc[0]})" if exc else None
            out.append(SubprogFunc(fn.name, is_global, unsupported=unsupported))
            continue
        if not is_global:
            out.append(SubprogFunc(fn.name, is_global))
            continue
        try:
            out.append(_prepare_func_args(btf, fn, prog_type))
        except (BTFError, IndexError, KeyError) as e:
            out.append(SubprogFunc(fn.name, True, unsupported=f"malformed BTF ({e})"))
    return out


def _func_info_records(func_info: Any, byteorder: str) -> list[tuple[int, int]]:
    """(instruction index, FUNC type id) per record: FuncInfo objects or raw kernel records."""
    if isinstance(func_info, bytes | bytearray | memoryview):
        raw = bytes(func_info)
        if len(raw) % 8:
            raise VerifyFail(
                errno.EINVAL, "func_info is not a whole number of 8-byte records", None
            )
        fmt = "<II" if byteorder == "little" else ">II"
        return [struct.unpack_from(fmt, raw, i) for i in range(0, len(raw), 8)]
    try:
        return [(int(fi.slot), int(fi.type_id)) for fi in func_info]
    except (AttributeError, TypeError, ValueError):
        raise VerifyFail(errno.EINVAL, "func_info records are not FuncInfo values", None) from None


def _skip_modifiers(btf: Any, type_id: int) -> Any:
    return btf.resolve(type_id) if type_id else btf[0]


def _kind_str(t: Any) -> str:
    return _KIND_STR.get(t.kind, t.kind.name)


_tag_index: dict[int, tuple[Any, dict[tuple[int, int], list[str]]]] = {}


def _decl_tags(btf: Any, type_id: int, component: int) -> list[str]:
    """The decl tags on ``type_id`` (``component`` -1: the whole declaration), in BTF order."""
    hit = _tag_index.get(id(btf))
    if hit is None or hit[0] is not btf:
        index: dict[tuple[int, int], list[str]] = {}
        for t in btf:
            if t.kind == Kind.DECL_TAG:
                index.setdefault((t.type, t.component_idx), []).append(t.name)
        hit = _tag_index[id(btf)] = (btf, index)
    return hit[1].get((type_id, component), [])


def _arg_tags(btf: Any, fn: Any, idx: int) -> list[str]:
    """The ``arg:<tag>`` decl tags on parameter ``idx`` of FUNC ``fn``, in BTF order."""
    return [name[4:] for name in _decl_tags(btf, fn.id, idx) if name.startswith("arg:")]


def _is_prog_ctx_type(btf: Any, ptr: Any, prog_type: Any) -> bool:
    """``btf_is_prog_ctx_type``: does the pointee's struct name match the program's context?"""
    t = btf[ptr.type] if ptr.type else btf[0]
    if prog_type == ProgType.KPROBE:
        while t.kind in (Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG):
            t = btf[t.type]
        if t.kind == Kind.TYPEDEF and t.name == "bpf_user_pt_regs_t":
            return True
    t = _skip_modifiers(btf, ptr.type)
    if t.kind != Kind.STRUCT or not t.name:
        return False
    want = _CTX_STRUCT.get(prog_type)
    if want is None:
        return False
    return t.name == want or _PROJECTIONS.get(want) == t.name


def _ctx_tag_valid(pointee: Any, prog_type: Any) -> bool:
    """The cases of ``btf_validate_prog_ctx_type`` modelled here (others: not modelled)."""
    if pointee.kind == Kind.VOID or prog_type in (ProgType.TRACEPOINT, ProgType.SYSCALL):
        return True
    raw_tp = (ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.LSM)
    return prog_type in raw_tp and pointee.kind == Kind.INT and pointee.size == 8


def _prepare_func_args(btf: Any, fn: Any, prog_type: Any) -> SubprogFunc:
    name = fn.name
    proto = btf[fn.type]
    if proto.kind != Kind.FUNC_PROTO:
        return SubprogFunc(name, True, error=(errno.EFAULT, f"Invalid type of function {name}()"))
    params = proto.params
    if len(params) > MAX_BPF_FUNC_REG_ARGS:
        msg = (
            f"Global function {name}() with {len(params)} > {MAX_BPF_FUNC_REG_ARGS} args. "
            "Buggy compiler."
        )
        return SubprogFunc(name, True, error=(errno.EINVAL, msg))
    ret = _skip_modifiers(btf, proto.type)
    if ret.kind not in (Kind.INT, Kind.ENUM, Kind.ENUM64):
        msg = f"Global function {name}() doesn't return scalar. Only those are supported."
        return SubprogFunc(name, True, error=(errno.EINVAL, msg))
    args: list[FuncArg] = []
    for i, param in enumerate(params):
        tags = set()
        for tag in _arg_tags(btf, fn, i):
            if tag not in ("ctx", "trusted", "nonnull", "nullable", "arena"):
                return SubprogFunc(
                    name, True, error=(errno.EOPNOTSUPP, f"arg#{i} has unsupported set of tags")
                )
            tags.add(tag)
        bad_combo = (errno.EINVAL, f"arg#{i} has invalid combination of tags")
        t = _skip_modifiers(btf, param.type)
        if t.kind == Kind.PTR:
            if "ctx" in tags or _is_prog_ctx_type(btf, t, prog_type):
                if tags - {"ctx"}:
                    return SubprogFunc(name, True, error=bad_combo)
                if "ctx" in tags and not _is_prog_ctx_type(btf, t, prog_type):
                    pointee = _skip_modifiers(btf, t.type)
                    if not _ctx_tag_valid(pointee, prog_type):
                        # btf_validate_prog_ctx_type's per-type table is not carried here
                        return SubprogFunc(
                            name, True, unsupported=f"arg#{i}: __arg_ctx on a {pointee} pointer"
                        )
                args.append(FuncArg("ctx"))
                continue
            pointee = _skip_modifiers(btf, t.type)
            if pointee.kind == Kind.STRUCT and pointee.name == "bpf_dynptr":
                return SubprogFunc(name, True, unsupported=f"arg#{i}: a dynptr argument")
            if "trusted" in tags:
                return SubprogFunc(name, True, unsupported=f"arg#{i}: an __arg_trusted argument")
            if "arena" in tags:
                return SubprogFunc(name, True, unsupported=f"arg#{i}: an __arg_arena argument")
            if "nullable" in tags:
                return SubprogFunc(name, True, error=bad_combo)
            if pointee.kind in (Kind.VOID, Kind.FWD, Kind.FUNC_PROTO):
                # btf_resolve_size() fails with -EINVAL on these
                what = f"{_kind_str(pointee)} {pointee.name}"
                msg = f"arg#{i} reference type('{what}') size cannot be determined: -22"
                return SubprogFunc(name, True, error=(errno.EINVAL, msg))
            try:
                size: int | None = btf.size_of(pointee.id)
            except BTFError:
                size = None
            if size is None:
                return SubprogFunc(
                    name, True, unsupported=f"arg#{i}: a pointer to {pointee} (size unknown)"
                )
            args.append(FuncArg("mem", size, nullable="nonnull" not in tags))
            continue
        if tags:
            msg = f"arg#{i} has pointer tag, but is not a pointer type"
            return SubprogFunc(name, True, error=(errno.EINVAL, msg))
        if t.kind in (Kind.INT, Kind.ENUM, Kind.ENUM64):
            args.append(FuncArg("scalar"))
            continue
        msg = f"Arg#{i} type {_kind_str(t)} in {name}() is not supported yet."
        return SubprogFunc(name, True, error=(errno.EINVAL, msg))
    return SubprogFunc(name, True, tuple(args))


def changes_pkt_data(prog: Any) -> list[bool]:
    """Per subprogram: does it (or anything it calls) call a helper that changes packet data?

    6.13+ computes this in ``check_cfg``; a call to a global function that does clears the
    caller's packet pointers.
    """
    n = len(prog.subprogs)
    direct = [False] * n
    calls: list[set[int]] = [set() for _ in range(n)]
    for idx, insn in enumerate(prog.insns):
        if insn is None or insn[0] != 0x85:
            continue
        sp = prog.subprog_of(idx)
        if insn[2] == 0:
            proto = helper_proto(insn[4], None)
            if proto is not None and proto.changes_pkt_data:
                direct[sp] = True
        elif insn[2] == 1:
            target = idx + _s32(insn[4]) + 1
            if target in prog.subprogs:
                calls[sp].add(prog.subprogs.index(target))
    out = direct[:]
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if not out[i] and any(out[c] for c in calls[i]):
                out[i] = True
                changed = True
    return out


def global_call_sites(prog: Any) -> frozenset[int]:
    """The bpf-to-bpf call instructions whose target is a global function."""
    sites = set()
    for idx, insn in enumerate(prog.insns):
        if insn is not None and insn[0] == 0x85 and insn[2] == 1:
            target = idx + _s32(insn[4]) + 1
            if target in prog.subprogs and prog.funcs[prog.subprogs.index(target)].is_global:
                sites.add(idx)
    return frozenset(sites)


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


# --- the caller's side ------------------------------------------------------------------------

# check_func_arg_reg_off(ARG_DONTCARE): pointer types that may carry any offset.
_OFFSET_OK = {
    PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE,
    PTR_TO_MEM, PTR_TO_MEM | MEM_RDONLY, PTR_TO_MEM | MEM_RINGBUF, PTR_TO_BUF,
    PTR_TO_BUF | MEM_RDONLY, PTR_TO_ARENA, SCALAR,
}  # fmt: skip


def call_global(ck: Checker, subprog: int, func: SubprogFunc) -> str:
    """``check_func_call`` of a global function: match the arguments, R0 = unknown scalar."""
    name = func.name
    caller_passes = f"Caller passes invalid args into func#{subprog} ('{name}')"
    if func.unsupported is not None:
        raise ck.fail(
            errno.EINVAL,
            f"global function {name}(): {func.unsupported} is not modelled by pyebpf",
        )
    # btf_check_subprog_call logs its complaint before the lock is looked at
    failed: tuple[int, str] | None = func.error
    if failed is None:
        for i, arg in enumerate(func.args):
            try:
                _check_arg(ck, i, arg)
            except VerifyFail as e:
                failed = (e.errno, e.message)
                break
    if ck.cur.active_lock is not None:
        logged = f"{failed[1]}\n" if failed is not None else ""
        raise ck.fail(
            errno.EINVAL,
            f"{logged}global function calls are not allowed while holding a lock,\n"
            "use static function instead",
        )
    if failed is not None:
        raise ck.fail(failed[0], f"{failed[1]}\n{caller_passes}")
    ck.verbose(f"Func#{subprog} ('{name}') is global and assumed valid.")
    if ck.prog.pkt_changing[subprog]:
        from .calls import _clear_all_pkt_pointers

        _clear_all_pkt_pointers(ck)
    called: set[int] = ck.prog.globals_called
    called.add(subprog)
    regs = ck.regs
    for r in range(6):
        regs[r].__init__()  # type: ignore[misc]
    regs[0].type = SCALAR
    ck.scratched_regs.add(0)
    return "next"


def _check_arg(ck: Checker, i: int, arg: FuncArg) -> None:
    regno = i + 1
    r = ck.regs[regno]
    if arg.kind == "scalar":
        if r.type != SCALAR:
            raise ck.fail(errno.EINVAL, f"R{regno} is not a scalar")
        return
    _check_reg_off(ck, regno, r)
    if arg.kind == "ctx":
        if r.type != PTR_TO_CTX:
            raise ck.fail(errno.EINVAL, f"arg#{i} expects pointer to ctx")
        return
    # ARG_PTR_TO_MEM: check_mem_reg, read and write access to mem_size bytes
    if not (r.type == SCALAR and r.var_off == tn.ZERO):
        _check_mem_reg(ck, regno, r, arg.mem_size)
    if not arg.nullable and r.type & PTR_MAYBE_NULL:
        raise ck.fail(errno.EINVAL, f"arg#{i} is expected to be non-NULL")


def _check_reg_off(ck: Checker, regno: int, r: Reg) -> None:
    """``__check_ptr_off_reg`` for the types ``check_func_arg_reg_off`` does not let through."""
    if r.type in _OFFSET_OK:
        return
    what = type_name(r.type)
    if r.off < 0:
        raise ck.fail(errno.EACCES, f"negative offset {what} ptr R{regno} off={r.off} disallowed")
    if r.off:
        raise ck.fail(
            errno.EACCES, f"dereference of modified {what} ptr R{regno} off={r.off} disallowed"
        )
    if r.var_off != tn.ZERO:
        raise ck.fail(
            errno.EACCES,
            f"variable {what} access var_off=({r.var_off.value:#x}; {r.var_off.mask:#x}) "
            "disallowed",
        )


# check_helper_mem_access: the pointer types it knows; anything else is "expected=fp".
_MEM_BASES = frozenset(
    {PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM,
     PTR_TO_BUF, PTR_TO_STACK, PTR_TO_CTX, PTR_TO_ARENA}
)  # fmt: skip
# program types without convert_ctx_access: check_helper_mem_access checks their context
# through check_mem_access instead of refusing it
_CTX_NO_CONVERT = frozenset(
    {ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.RAW_TRACEPOINT,
     ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS,
     ProgType.EXT, ProgType.SYSCALL, ProgType.CGROUP_DEVICE, ProgType.LIRC_MODE2}
)  # fmt: skip


def _check_mem_reg(ck: Checker, regno: int, r: Reg, size: int) -> None:
    from .memory import check_helper_mem_access

    base = r.type & 0xFF
    if base == PTR_TO_BTF_ID:
        raise ck.fail(
            errno.EINVAL, f"R{regno}: a BTF-typed pointer argument is not modelled by pyebpf"
        )
    if base not in _MEM_BASES:
        shown = type_name(r.type & ~PTR_MAYBE_NULL)
        raise ck.fail(errno.EINVAL, f"R{regno} type={shown} expected=fp")
    if base == PTR_TO_CTX:
        if ck.prog_type not in _CTX_NO_CONVERT:
            raise ck.fail(errno.EINVAL, f"R{regno} type=ctx expected=fp")
        if ck.prog_type != ProgType.SYSCALL:
            raise ck.fail(
                errno.EINVAL,
                f"R{regno}: a context pointer as a memory argument of a "
                f"{ProgType(ck.prog_type).name.lower()} program is not modelled by pyebpf",
            )
        if size - 1 >= 0xFFFF:  # bpf_syscall: any context offset below U16_MAX
            raise ck.fail(errno.EINVAL, f"invalid bpf_context access off={size - 1} size=1")
        return
    saved = r.copy()
    if r.type & PTR_MAYBE_NULL:
        r.type &= ~PTR_MAYBE_NULL
    try:
        try:
            check_helper_mem_access(ck, regno, size, True, False, False)
            check_helper_mem_access(ck, regno, size, True, True, False)
        except VerifyFail as e:
            # check_mem_reg failing makes btf_check_func_arg_match return -EINVAL
            raise ck.fail(errno.EINVAL, e.message) from None
        if r.type == PTR_TO_STACK:
            _clobber_stack(ck, r, size)
    finally:
        r.assign(saved)


def _clobber_stack(ck: Checker, r: Reg, size: int) -> None:
    """A helper-style access may write anything there: zeros and spilled scalars become misc."""
    if size <= 0:
        return
    frame = ck.cur.frames[r.frameno]
    if r.var_off.mask:
        lo, hi = r.smin + r.off, r.smax + r.off + size
    else:
        lo = r.var_off.value + r.off
        if lo >= 1 << 63:
            lo -= 1 << 64
        hi = lo + size
    for byte_off in range(max(lo, -512), min(hi, 0)):
        slot_i = -byte_off - 1
        slot = frame.stack.get(slot_i // 8)
        if slot is None:
            continue
        t = slot.types[slot_i % 8]
        if t == STACK_ZERO or (t == STACK_INVALID and ck.priv.allow_uninit_stack):
            slot.types[slot_i % 8] = STACK_MISC
        elif slot.is_spill and (slot.spilled.type == SCALAR or ck.priv.allow_ptr_leaks):
            slot.spilled.__init__()  # type: ignore[misc]
            slot.spilled.type = SCALAR
            slot.types = [STACK_MISC if x == STACK_SPILL else x for x in slot.types]


# --- the function's own verification ----------------------------------------------------------


def entry_regs(ck: Checker, func: SubprogFunc) -> None:
    """``do_check_common`` for a global function: R1..Rn typed from the prototype."""
    regs = ck.cur.frames[0].regs
    for i, arg in enumerate(func.args):
        r = regs[i + 1]
        r.__init__()  # type: ignore[misc]
        if arg.kind == "ctx":
            r.type = PTR_TO_CTX
            r.var_off = tn.ZERO
            r.smin = r.smax = r.umin = r.umax = 0
            r.s32min = r.s32max = r.u32min = r.u32max = 0
        elif arg.kind == "scalar":
            r.type = SCALAR
        else:
            r.type = PTR_TO_MEM | (PTR_MAYBE_NULL if arg.nullable else 0)
            r.var_off = tn.ZERO
            r.smin = r.smax = r.umin = r.umax = 0
            r.s32min = r.s32max = r.u32min = r.u32max = 0
            r.mem_size = arg.mem_size
            r.id = ck.new_id()


def check_subprog_return(ck: Checker) -> None:
    """``check_return_code`` at the exit of a global function verified on its own."""
    ck.check_reg_arg(0, True)
    if ck.is_pointer_value(0):
        raise ck.fail(errno.EACCES, "R0 leaks addr as return value")
    r0 = ck.regs[0]
    if r0.type != SCALAR:
        raise ck.fail(
            errno.EINVAL,
            f"At subprogram exit the register R0 is not a scalar value ({type_name(r0.type)})",
        )


__all__ = [
    "FuncArg",
    "SubprogFunc",
    "call_global",
    "changes_pkt_data",
    "check_subprog_return",
    "describe_subprogs",
    "entry_regs",
]


def global_pass_checker(checker_cls: Any) -> Any:
    """A :class:`Checker` subclass that starts at a global function with typed arguments."""

    class GlobalFuncChecker(checker_cls):
        def __init__(self, *args: Any, subprog: int, previous: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.entry_subprog = subprog
            # env's counters run on from one pass to the next (checkpoint heuristics too)
            for name in (
                "insn_processed",
                "jmps_processed",
                "prev_jmps_processed",
                "prev_insn_processed",
                "id_gen",
            ):
                setattr(self, name, getattr(previous, name))

        def _init_state(self) -> None:
            super()._init_state()
            sp = self.entry_subprog
            frame = self.cur.frames[0]
            frame.subprogno = sp
            frame.regs[1].__init__()
            entry_regs(self, self.prog.funcs[sp])
            self.insn_idx = self.prog.subprogs[sp]
            self.cur.first_insn_idx = self.insn_idx

    return GlobalFuncChecker
