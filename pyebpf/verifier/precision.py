"""Precision backtracking, after the kernel's ``__mark_chain_precision``.

When a scalar's exact value decides something (a branch, a pointer offset, a helper size, the
return value) the verifier walks the current path backwards and marks every register or spilled
stack slot that produced it *precise* in the cached states along the path; precise scalars must
then match by range when states are compared for pruning, imprecise ones need not. The walk here
uses the per-state instruction history the simulator records (``VState.history``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cfg import LD_IMM64
from .state import SCALAR, VState

if TYPE_CHECKING:
    from .simulate import Checker


class _Unsupported(Exception):
    pass


def _backtrack_insn(
    insn: tuple[int, int, int, int, int],
    spi: int,
    sfr: int,
    fr: int,
    regs: set[tuple[int, int]],
    slots: set[tuple[int, int]],
) -> None:
    op, dst, src, _off, imm = insn
    cls = op & 7
    d, s = (fr, dst), (fr, src)
    if cls in (4, 7):
        if d not in regs:
            return
        code = op & 0xF0
        if code == 0xB0:
            regs.discard(d)
            if op & 8 and src != 10:
                regs.add(s)
            return
        if op & 8 and code not in (0x80, 0xD0):
            regs.add(s)
        return
    if cls == 1:
        if d not in regs:
            return
        regs.discard(d)
        if spi >= 0:
            slots.add((sfr, spi))
        return
    if cls in (2, 3):
        if d in regs:
            raise _Unsupported
        if (op & 0xE0) == 0xC0:
            if s in regs or (spi >= 0 and (sfr, spi) in slots):
                raise _Unsupported
            return
        if spi < 0 or (sfr, spi) not in slots:
            return
        slots.discard((sfr, spi))
        if cls == 3:
            regs.add(s)
        return
    if cls in (5, 6):
        code = op & 0xF0
        if op == 0x85:
            if src != 0:
                raise _Unsupported
            for r in range(6):
                regs.discard((fr, r))
            return
        if op == 0x95:
            raise _Unsupported
        if code in (0x00, 0xE0):
            return
        if op & 8:
            if d in regs or s in regs:
                regs.add(d)
                regs.add(s)
        return
    if op == LD_IMM64:
        regs.discard(d)
        return
    if d in regs or (fr, 0) in regs:
        raise _Unsupported


def backtrack(
    ck: Checker,
    regs: set[tuple[int, int]],
    slots: set[tuple[int, int]],
    *,
    skip_first: bool = True,
) -> None:
    regs = set(regs)
    slots = set(slots)
    st: VState | None = ck.cur
    insns = ck.insns
    global_calls = ck.prog.global_call_sites
    callback_sites = ck.prog.calls_callback
    later = ck.insn_idx  # the instruction after the one being backtracked
    first = True
    try:
        while st is not None:
            hist = st.history
            if first and skip_first and hist:
                hist = hist[:-1]
            first = False
            fr = len(st.frames) - 1
            for idx, spi, sfr in reversed(hist):
                if not regs and not slots:
                    return
                insn = insns[idx]
                if insn is None:
                    continue
                if idx in global_calls:  # sets r0-r5 like a helper: nothing flows through it
                    regs.difference_update((fr, r) for r in range(6))
                    later = idx
                    continue
                if insn[0] == 0x95 and later in callback_sites:
                    # a callback returned to its helper call: the caller's r1-r5 there are not
                    # what the callback computed (kernel: clear them, give up on stack slots)
                    if slots or any(not 1 <= r <= 5 for _, r in regs):
                        raise _Unsupported
                    return
                later = idx
                op = insn[0]
                if not op & 8 and (
                    (op & 7 in (4, 7) and op & 0xF0 != 0xB0)
                    or (op & 7 in (5, 6) and op != 0x85 and op != 0x95)
                ):
                    # ALU (not mov) or jump with an immediate: _backtrack_insn changes nothing
                    # (the hot case of loop counters, so decided here without the call)
                    continue
                _backtrack_insn(insn, spi, sfr, fr, regs, slots)
            parent = st.parent
            if parent is None:
                # the main program's first state and still something to mark: the kernel
                # assumes it missed a producer and marks every scalar precise (a global
                # function's entry keeps its arguments, see __mark_chain_precision)
                if (regs or slots) and st.frames[0].subprogno == 0:
                    raise _Unsupported
                return
            if len(parent.frames) != len(st.frames):
                raise _Unsupported
            for key in list(regs):
                pf, r = key
                if pf >= len(parent.frames):
                    raise _Unsupported
                reg = parent.frames[pf].regs[r]
                if reg.type != SCALAR or reg.precise:
                    regs.discard(key)
                else:
                    reg.precise = True
            for key in list(slots):
                pf, spi = key
                if pf >= len(parent.frames):
                    raise _Unsupported
                slot = parent.frames[pf].stack.get(spi)
                if slot is None or not slot.is_spill or slot.spilled.type != SCALAR:
                    slots.discard(key)
                elif slot.spilled.precise:
                    slots.discard(key)
                else:
                    slot.spilled.precise = True
            if not regs and not slots:
                return
            st = parent
    except _Unsupported:
        ck.mark_all_scalars_precise(ck.cur)
