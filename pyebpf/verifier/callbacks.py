"""Callbacks: ``bpf_loop`` and ``bpf_for_each_map_elem``, after the kernel's
``push_callback_call``, ``set_loop_callback_state``, ``set_map_elem_callback_state`` and the
callback half of ``prepare_func_exit``.

The kernel does not know how often a helper calls its callback, so it iterates: at the helper
call it queues a visit of the callback body (a new frame whose registers the helper defines) and
goes on after the call; when the callback returns, the walk goes back to the call instruction,
which queues the next visit. A checkpoint forced at the call instruction stops the iteration once
a visit brings nothing new (``states_equal`` with ranges there); ``bpf_loop`` also stops after
as many visits as its count allows. Other callback helpers (``bpf_find_vma``,
``bpf_user_ringbuf_drain``, timers) are reported as not modelled.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from . import scalar as sc
from .cfg import ENOTSUPP
from .state import (
    CONST_PTR_TO_MAP,
    PTR_TO_FUNC,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_STACK,
    SCALAR,
    Frame,
    Reg,
    VState,
    type_name,
)

if TYPE_CHECKING:
    from .simulate import Checker

MAX_CALL_FRAMES = 8
LOOP = 181
FOR_EACH_MAP_ELEM = 164
TIMER_SET_CALLBACK = 170
# map types whose ops have map_set_for_each_callback_args: (percpu) arrays and hash maps
_FOR_EACH_MAPS = frozenset({1, 2, 5, 6, 9, 10})


def load_func_ptr(ck: Checker, r: Reg, imm: int) -> None:
    """``ld_imm64`` with ``BPF_PSEUDO_FUNC``: a pointer to a (static) callback function."""
    prog = ck.prog
    if not prog.has_func_info:
        raise ck.fail(errno.EINVAL, "missing btf func_info")
    subprog = prog.subprogs.index(ck.insn_idx + sc.s32(imm) + 1)
    if prog.funcs is not None and prog.funcs[subprog].is_global:
        raise ck.fail(errno.EINVAL, "callback function not static")
    r.type = PTR_TO_FUNC
    r.subprogno = subprog


def push_callback(ck: Checker, func_id: int, subprog: int) -> None:
    """The helper-specific part of ``check_helper_call`` for callback-calling helpers."""
    if func_id == LOOP:
        _loop_inline_state(ck, subprog)
        ck.mark_chain_precision(1)
        caller = ck.cur.frames[-1]
        if caller.callback_depth < ck.regs[1].umax:
            _push_visit(ck, func_id, subprog)
        else:
            caller.callback_depth = 0
            if ck.log_level >= 2:
                ck.verbose(f"frame{len(ck.cur.frames) - 1} bpf_loop iteration limit reached")
        return
    if func_id == FOR_EACH_MAP_ELEM:
        _push_visit(ck, func_id, subprog)
        return
    if func_id == TIMER_SET_CALLBACK:
        _push_async(ck, subprog)
        return
    raise ck.fail(errno.EINVAL, f"callbacks of helper #{func_id} are not modelled by pyebpf")


def _loop_inline_state(ck: Checker, subprog: int) -> None:
    """``update_loop_inline_state``: a zero flags argument is marked precise (for inlining)."""
    seen: dict[int, tuple[bool, int]] = ck.__dict__.setdefault("_loop_inline", {})
    prev = seen.get(ck.insn_idx)
    if prev is not None and not prev[0]:
        return
    r4 = ck.regs[4]
    zero = r4.type == SCALAR and r4.var_off.mask == 0 and r4.var_off.value == 0
    if zero:
        ck.mark_chain_precision(4)
    fit = zero if prev is None else zero and prev[1] == subprog
    seen[ck.insn_idx] = (fit, subprog)


def _push_visit(ck: Checker, func_id: int, subprog: int) -> None:
    """``push_callback_call``: queue a visit of the callback in a new frame."""
    cur = ck.cur
    if len(cur.frames) >= MAX_CALL_FRAMES:
        raise ck.fail(errno.E2BIG, f"the call stack of {len(cur.frames) + 1} frames is too deep")
    map_spec = ck.regs[1].map if func_id == FOR_EACH_MAP_ELEM else None
    if map_spec is not None and int(getattr(map_spec, "type", 0)) not in _FOR_EACH_MAPS:
        raise ck.fail(ENOTSUPP, "callback function not allowed for map")
    new = ck.push_stack(ck.prog.subprogs[subprog], ck.insn_idx, False)
    caller = new.frames[-1]
    callee = Frame(frameno=len(new.frames), callsite=ck.insn_idx, subprogno=subprog)
    r10 = callee.regs[10]
    r10.type = PTR_TO_STACK
    sc.mark_known(r10, 0)
    r10.frameno = callee.frameno
    regs = callee.regs
    if func_id == LOOP:
        # callback_fn(u32 index, void *callback_ctx)
        regs[1].type = SCALAR
        regs[2] = caller.regs[3].copy()
    else:
        # callback_fn(struct bpf_map *map, void *key, void *value, void *callback_ctx)
        regs[1] = caller.regs[1].copy()
        for regno, kind in ((2, PTR_TO_MAP_KEY), (3, PTR_TO_MAP_VALUE)):
            r = regs[regno]
            r.type = kind
            sc.mark_known(r, 0)
            r.map = map_spec
        regs[4] = caller.regs[3].copy()
    callee.in_callback = True
    caller.callback_depth += 1
    new.frames.append(callee)
    ck.cur.frames[-1].callback_depth = 0


def _push_async(ck: Checker, subprog: int) -> None:
    """``push_async_cb``: a timer callback is verified later, from a fresh state of its own.

    ``set_timer_callback_state``: callback_fn(struct bpf_map *map, void *key, void *value).
    """
    timer_map = ck.regs[1].map
    new = VState()
    frame = Frame(frameno=0, callsite=-1, subprogno=subprog)
    r10 = frame.regs[10]
    r10.type = PTR_TO_STACK
    sc.mark_known(r10, 0)
    for regno, kind in ((1, CONST_PTR_TO_MAP), (2, PTR_TO_MAP_KEY), (3, PTR_TO_MAP_VALUE)):
        r = frame.regs[regno]
        r.type = kind
        sc.mark_known(r, 0)
        r.map = timer_map
    frame.in_callback = True  # frame 0 in a callback: an async one
    new.frames = [frame]
    start = ck.prog.subprogs[subprog]
    new.insn_idx = new.first_insn_idx = start
    ck.prog.async_callbacks.add(subprog)
    ck.stack.append((new, start, ck.insn_idx, len(ck.log), len(ck.trace)))
    if len(ck.stack) > 8192:
        raise ck.fail(
            errno.E2BIG, f"The sequence of {len(ck.stack)} jumps is too complex for async cb."
        )


def async_callback_return(ck: Checker) -> None:
    """``check_return_code`` of an async callback: R0 must be 0."""
    ck.check_reg_arg(0, True)
    r0 = ck.regs[0]
    if ck.is_pointer_value(0):
        raise ck.fail(errno.EACCES, "R0 leaks addr as return value")
    if r0.type != SCALAR:
        raise ck.fail(
            errno.EINVAL,
            f"At async callback return the register R0 is not a known value ({type_name(r0.type)})",
        )
    ck.mark_chain_precision(0)
    if not (r0.smin == 0 and r0.smax == 0):
        shown = sc.signed_range_text(r0.smin, r0.smax)
        raise ck.fail(
            errno.EINVAL,
            f"At async callback return the register R0 has{shown} should have been in [0, 0]",
        )


def callback_return(ck: Checker) -> str:
    """``prepare_func_exit`` of a callback: R0 in [0, 1], then back to the helper call."""
    st = ck.cur
    callee = st.frames[-1]
    r0 = callee.regs[0]
    if r0.type != SCALAR:
        raise ck.fail(errno.EACCES, "R0 not a scalar value")
    ck.mark_chain_precision(0)
    if not (0 <= r0.smin and r0.smax <= 1):
        shown = sc.signed_range_text(r0.smin, r0.smax)
        raise ck.fail(
            errno.EINVAL,
            f"At callback return the register R0 has{shown} should have been in [0, 1]",
        )
    start = ck.prog.subprogs[callee.subprogno]
    end = _subprog_end(ck, callee.subprogno)
    if any(start <= ref.insn_idx < end for ref in st.refs):
        raise ck.fail(
            errno.EINVAL, "references acquired inside a callback are not modelled by pyebpf"
        )
    st.frames.pop()
    ck.insn_idx = callee.callsite
    prev = _find_prev_entry(ck, st, callee.callsite)
    if prev is not None:
        from .simulate import _widen_imprecise_scalars

        _widen_imprecise_scalars(prev, st)
    ck.scratched_regs.add(0)
    return "jump"


def _subprog_end(ck: Checker, subprog: int) -> int:
    starts = ck.prog.subprogs
    return starts[subprog + 1] if subprog + 1 < len(starts) else len(ck.prog.insns)


def _find_prev_entry(ck: Checker, cur: VState, idx: int) -> VState | None:
    """``find_prev_entry``: the newest checkpoint at ``idx`` on the current path."""
    for entry in ck.explored.get(idx, []):
        st: VState = entry.state
        if (
            st.insn_idx == idx
            and st.branches
            and len(st.frames) == len(cur.frames)
            and all(a.callsite == b.callsite for a, b in zip(st.frames, cur.frames, strict=True))
            and st.dfs_depth < cur.dfs_depth
        ):
            return st
    return None


def same_callback_depths(old: VState, cur: VState) -> bool:
    """Visits of the same callback differ in their callers' ``callback_depth`` (the kernel
    compares ``callback_unroll_depth``): no infinite loop between two iterations."""
    pairs = zip(old.frames, cur.frames, strict=False)
    return all(a.callback_depth == b.callback_depth for a, b in pairs)
