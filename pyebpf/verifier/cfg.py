"""Pass 1: decode leniently and reject what the kernel rejects before simulating.

The checks run in the kernel's order (``add_subprog_and_kfunc``, ``check_subprogs``,
``resolve_pseudo_ldimm64``, ``check_cfg``) so that the first error is the kernel's. The result,
:class:`Program`, is indexed by *slot* like the kernel (the second half of an ``ld_imm64`` is an
empty slot) and carries what the simulation needs: subprogram starts, prune points, jump points,
static register liveness and the loops (strongly connected components) of the flow graph.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Raw = tuple[int, int, int, int, int]  # opcode, dst, src, off, imm (imm is 64-bit for ld_imm64)


class VerifyFail(Exception):
    """Internal: the (simulated) kernel rejects the program."""

    def __init__(self, errno_: int, message: str, insn_idx: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno_
        self.message = message
        self.insn_idx = insn_idx


def _opcode_table() -> frozenset[int]:
    ops: set[int] = set()
    for cls in (0x04, 0x07):
        for op in (0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xA0, 0xB0, 0xC0):
            ops.add(cls | op)
            ops.add(cls | op | 0x08)
        ops.add(cls | 0x80)
    ops.update({0xD4, 0xDC, 0xD7})
    ops.update({0x05, 0x06, 0x85, 0x95, 0xE5})
    for cls in (0x05, 0x06):
        for op in (0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xA0, 0xB0, 0xC0, 0xD0):
            ops.add(cls | op)
            ops.add(cls | op | 0x08)
    ops.update({0x73, 0x6B, 0x63, 0x7B, 0x72, 0x6A, 0x62, 0x7A, 0xC3, 0xDB})
    ops.update({0x71, 0x69, 0x61, 0x79, 0x91, 0x89, 0x81})
    ops.update({0x18, 0x30, 0x28, 0x20, 0x50, 0x48, 0x40})
    return frozenset(ops)


VALID_OPCODES = _opcode_table()
# The kernel-internal errno that bpf() passes through (Python's errno has no ENOTSUPP).
ENOTSUPP = 524
LD_IMM64 = 0x18
CALL = 0x85
# Helpers that call a callback: for_each_map_elem, find_vma, loop, user_ringbuf_drain (in
# place), timer_set_callback (later, asynchronously).
SYNC_CALLBACK_HELPERS = frozenset({164, 180, 181, 209})
ASYNC_CALLBACK_HELPERS = frozenset({170})
EXIT = 0x95


@dataclass
class Program:
    insns: list[Raw | None]  # per slot; None = second half of ld_imm64
    subprogs: list[int]  # start slots, sorted, subprogs[0] == 0
    prune_points: set[int] = field(default_factory=set)
    jmp_points: set[int] = field(default_factory=set)
    force_checkpoints: set[int] = field(default_factory=set)
    live_before: list[int] = field(default_factory=list)  # register bitmask per slot
    scc: list[int] = field(default_factory=list)  # loop id per slot, 0 = not in a loop
    succs: list[list[int]] = field(default_factory=list)  # successors inside the program
    maps: dict[int, Any] = field(default_factory=dict)  # slot of ld_imm64 -> MapSpec
    line_info: dict[int, str] = field(default_factory=dict)
    has_func_info: bool = False  # BTF func_info comes with the program (an ELF object's)
    # Per subprogram, from BTF func_info (None without it): linkage and argument types.
    funcs: list[Any] | None = None
    pkt_changing: list[bool] = field(default_factory=list)  # calls a pkt-changing helper
    globals_called: set[int] = field(default_factory=set)  # global functions to verify
    global_call_sites: frozenset[int] = frozenset()  # call insns whose target is global
    calls_callback: set[int] = field(default_factory=set)  # bpf_loop & co. call insns
    async_callbacks: set[int] = field(default_factory=set)  # subprogs used as timer callbacks
    inner_maps: frozenset[int] = frozenset()  # id() of the inner-map specs of map-in-maps
    failed_global: str = ""  # the global function whose own verification failed, if any

    def subprog_of(self, idx: int) -> int:
        n = 0
        for i, start in enumerate(self.subprogs):
            if start <= idx:
                n = i
        return n


def decode(slots: list[Raw]) -> list[Raw | None]:
    """Join the two slots of each ld_imm64 (leniently: a truncated one keeps its low half)."""
    out: list[Raw | None] = []
    i = 0
    n = len(slots)
    while i < n:
        op, dst, src, off, imm = slots[i]
        if op == LD_IMM64 and i + 1 < n:
            hi = slots[i + 1][4]
            value = (imm & 0xFFFFFFFF) | ((hi & 0xFFFFFFFF) << 32)
            out.append((op, dst, src, off, value))
            out.append(None)
            i += 2
            continue
        out.append((op, dst, src, off, imm))
        i += 1
    return out


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def check_program(
    slots: list[Raw],
    maps: Mapping[int, Any],
    *,
    bpf_capable: bool = True,
    on_map: Callable[[Any, int], None] | None = None,
) -> Program:
    """Run the kernel's pass-1 checks; raise :class:`VerifyFail` like the kernel would.

    ``on_map(spec, insn_idx)`` is called for each map an ``ld_imm64`` resolves, where the kernel
    checks that the program type may use it (it raises :class:`VerifyFail`).
    """
    n = len(slots)
    if n == 0:
        raise VerifyFail(errno.EINVAL, "empty program (the kernel refuses insn_cnt 0)", None)
    if n > 1_000_000:
        raise VerifyFail(errno.E2BIG, "program too large (more than 1000000 insns)", None)
    insns = decode(slots)

    # add_subprog_and_kfunc
    starts = {0}
    for i, (op, _dst, src, _off, imm) in enumerate(slots):
        if op == CALL and src == 1 or op == LD_IMM64 and src == 4:
            if not bpf_capable:
                raise VerifyFail(
                    errno.EPERM,
                    "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN",
                    i,
                )
            target = i + _s32(imm) + 1
            if target < 0 or target >= n:
                raise VerifyFail(errno.EINVAL, "call to invalid destination", i)
            starts.add(target)
    subprogs = sorted(starts)

    # check_subprogs
    bounds = subprogs + [n]
    cur = 0
    start, end = bounds[0], bounds[1]
    for i in range(n):
        code = slots[i][0]
        cls = code & 7
        if cls in (5, 6) and (code & 0xF0) not in (0x80, 0x90):
            if code == 0x06:
                target = i + slots[i][4] + 1
            else:
                target = i + slots[i][3] + 1
            if target < start or target >= end:
                raise VerifyFail(errno.EINVAL, f"jump out of range from insn {i} to {target}", i)
        if i == end - 1:
            if code not in (0x95, 0x06, 0x05):
                raise VerifyFail(errno.EINVAL, "last insn is not an exit or jmp", i)
            start = end
            cur += 1
            if cur < len(subprogs):
                end = bounds[cur + 1]

    # resolve_pseudo_ldimm64
    prog_maps: dict[int, Any] = {}
    i = 0
    while i < n:
        op, dst, src, off, imm = slots[i]
        if op & 7 == 1 and ((op & 0xE0) not in (0x60, 0x80) or imm != 0):
            raise VerifyFail(errno.EINVAL, "BPF_LDX uses reserved fields", i)
        if op == LD_IMM64:
            if (
                i == n - 1
                or slots[i + 1][0] != 0
                or slots[i + 1][1] != 0
                or slots[i + 1][2] != 0
                or slots[i + 1][3] != 0
            ):
                raise VerifyFail(errno.EINVAL, "invalid bpf_ld_imm64 insn", i)
            if src in (1, 5) and slots[i + 1][4] != 0 or src not in (0, 1, 2, 3, 4, 5, 6):
                raise VerifyFail(errno.EINVAL, "unrecognized bpf_ld_imm64 insn", i)
            if src == 3:
                raise VerifyFail(
                    errno.EINVAL,
                    "ld_imm64 of a kernel symbol (BTF id) is not modelled by pyebpf",
                    i,
                )
            if src in (1, 2, 5, 6):
                key = imm
                spec = maps.get(key)
                if spec is None:
                    if src in (5, 6):
                        raise VerifyFail(errno.EPROTO, "fd_idx without fd_array is invalid", i)
                    raise VerifyFail(errno.EBADF, f"fd {imm} is not pointing to valid bpf_map", i)
                if on_map is not None:
                    on_map(spec, i)  # check_map_prog_compatibility
                if src in (2, 6):
                    moff = slots[i + 1][4] & 0xFFFFFFFF
                    if moff >= 1 << 29:
                        raise VerifyFail(
                            errno.EINVAL, f"direct value offset of {moff} is not allowed", i
                        )
                    mtype = int(getattr(spec, "type", 0))
                    if mtype not in (
                        2,
                        6,
                    ):  # array / percpu_array... only arrays have direct access
                        raise VerifyFail(
                            errno.EINVAL, "no direct value access support for this map type", i
                        )
                    if mtype == 6 or spec.max_entries != 1 or moff >= spec.value_size:
                        if mtype == 6:
                            raise VerifyFail(
                                errno.EINVAL, "no direct value access support for this map type", i
                            )
                        # array_map_direct_value_addr: -ENOTSUPP for more than one element
                        raise VerifyFail(
                            ENOTSUPP if spec.max_entries != 1 else errno.EINVAL,
                            f"invalid access to map value pointer, value_size={spec.value_size} off={moff}",
                            i,
                        )
                prog_maps[i] = spec
            i += 2
            continue
        if op not in VALID_OPCODES:
            raise VerifyFail(errno.EINVAL, f"unknown opcode {op:02x}", i)
        i += 1

    if len(subprogs) > 1 and any(
        o == CALL and sr == 0 and im == 12 and i >= subprogs[1]
        for i, (o, _d, sr, _o, im) in enumerate(slots)
    ):
        raise VerifyFail(errno.EINVAL, "tail_call is not allowed in subprogs without BTF", None)
    prog = Program(insns=insns, subprogs=subprogs, maps=prog_maps)
    _check_cfg(prog, slots, bpf_capable)
    n = len(prog.insns)
    # one successor table for both analyses (successors() per slot was a third of pass 1)
    succs = prog.succs = [[w for w in successors(prog, v) if 0 <= w < n] for v in range(n)]
    # without a backward edge there is no loop: skip Tarjan's walk
    has_loop = any(w <= v for v in range(n) for w in succs[v])
    prog.live_before = _liveness(prog, succs, has_loop)
    prog.scc = _sccs(prog, succs) if has_loop else [0] * n
    return prog


def successors(prog: Program, i: int) -> list[int]:
    insn = prog.insns[i]
    if insn is None:
        return []
    op, _dst, src, off, imm = insn
    cls = op & 7
    if cls not in (5, 6):
        return [i + (2 if op == LD_IMM64 else 1)]
    code = op & 0xF0
    if op == EXIT:
        return []
    if op == CALL:
        return [i + 1]
    if op == 0x05:
        return [i + off + 1]
    if op == 0x06:
        return [i + imm + 1]
    return [i + 1, i + off + 1] if code != 0 else [i + off + 1]


def _check_cfg(prog: Program, slots: list[Raw], bpf_capable: bool) -> None:
    n = len(slots)
    insns = prog.insns
    DISCOVERED, EXPLORED, FALL, BRANCH = 0x10, 0x20, 1, 2
    state = [0] * n
    stack = [0]
    state[0] = DISCOVERED

    def mark_target(w: int) -> None:
        prog.prune_points.add(w)
        prog.jmp_points.add(w)

    def push(t: int, w: int, e: int) -> int:
        # returns 1 keep exploring, 0 done
        if e == FALL and state[t] >= (DISCOVERED | FALL):
            return 0
        if e == BRANCH and state[t] >= (DISCOVERED | BRANCH):
            return 0
        if w < 0 or w >= n:
            raise VerifyFail(errno.EINVAL, f"jump out of range from insn {t} to {w}", t)
        if e == BRANCH:
            mark_target(w)
        if state[w] == 0:
            state[t] = DISCOVERED | e
            state[w] = DISCOVERED
            stack.append(w)
            return 1
        if (state[w] & 0xF0) == DISCOVERED:
            if bpf_capable:
                return 0
            raise VerifyFail(errno.EINVAL, f"back-edge from insn {t} to {w}", t)
        if state[w] == EXPLORED:
            state[t] = DISCOVERED | e
        return 0

    while stack:
        t = stack[-1]
        insn = insns[t]
        if insn is None:  # a jump into the second half of ld_imm64: the kernel walks on
            insn = slots[t]
        op, _dst, src, off, imm = insn
        cls = op & 7
        ret = 0
        if op == LD_IMM64 and src == 4:
            ret = push(t, t + 2, FALL)
            if ret == 0:
                prog.prune_points.add(t + 2)
                prog.jmp_points.add(t + 2)
                prog.prune_points.add(t)
                ret = push(t, t + _s32(imm) + 1, BRANCH)
        elif cls not in (5, 6):
            ret = push(t, t + (2 if op == LD_IMM64 else 1), FALL)
        elif op == EXIT:
            ret = 0
        elif op == CALL:
            if src == 0 and imm in ASYNC_CALLBACK_HELPERS:
                prog.prune_points.add(t)
            if src == 0 and imm in SYNC_CALLBACK_HELPERS:
                # revisited after each callback iteration: a checkpoint finds convergence
                prog.calls_callback.add(t)
                prog.force_checkpoints.add(t)
                prog.prune_points.add(t)
                prog.jmp_points.add(t)
            ret = push(t, t + 1, FALL)
            if ret == 0:
                prog.prune_points.add(t + 1)
                prog.jmp_points.add(t + 1)
                if src == 1:
                    prog.prune_points.add(t)
                    ret = push(t, t + _s32(imm) + 1, BRANCH)
        elif (op & 0xF0) == 0x00:  # ja / gotol
            if op & 0x08:
                raise VerifyFail(errno.EINVAL, "BPF_JA uses reserved fields", t)
            w = t + (imm if op == 0x06 else off) + 1
            ret = push(t, w, FALL)
            if ret == 0:
                prog.prune_points.add(w)
                prog.jmp_points.add(w)
        else:
            prog.prune_points.add(t)
            if op == 0xE5:
                prog.force_checkpoints.add(t)
            ret = push(t, t + 1, FALL)
            if ret == 0:
                ret = push(t, t + off + 1, BRANCH)
        if ret == 0:
            state[t] = EXPLORED
            stack.pop()

    i = 0
    while i < n:
        if state[i] != EXPLORED:
            raise VerifyFail(errno.EINVAL, f"unreachable insn {i}", i)
        insn = insns[i]
        if insn is not None and insn[0] == LD_IMM64:
            if i + 1 < n and state[i + 1] != 0:
                raise VerifyFail(errno.EINVAL, f"jump into the middle of ldimm64 insn {i}", i)
            i += 1
        i += 1


def use_def(insn: Raw, nargs: int = 5) -> tuple[int, int]:
    """Registers an instruction reads and writes, as bitmasks (kernel compute_insn_live_regs)."""
    op, dst, src, off, imm = insn
    cls = op & 7
    d, s = 1 << dst, 1 << src
    if cls in (4, 7):
        code = op & 0xF0
        if code == 0xB0:
            return (s if op & 8 else 0), d
        if code in (0x80, 0xD0):
            return d, d
        return d | (s if op & 8 else 0), d
    if cls == 1:
        return s, d
    if cls == 2:
        return d, 0
    if cls == 3:
        if (op & 0xE0) == 0xC0:
            if imm == 0xF1:
                return d | s | 1, 1
            if imm & 1 or imm == 0x100:
                return d | s, s
            return d | s, 0
        return d | s, 0
    if cls == 0:
        if op == LD_IMM64:
            return 0, d
        if (op & 0xE0) == 0x40:
            return (1 << 6) | s, 0x3F
        return 1 << 6, 0x3F
    if op == EXIT:
        return 1, 0
    if op == CALL:
        use = sum(1 << r for r in range(1, nargs + 1))
        return use, 0x3F
    if (op & 0xF0) in (0x00, 0xE0):
        return 0, 0
    return d | (s if op & 8 else 0), 0


def _liveness(prog: Program, succ: list[list[int]], has_loop: bool = True) -> list[int]:
    insns = prog.insns
    n = len(insns)
    live_in = [0] * n
    ud: list[tuple[int, int]] = []
    for insn in insns:
        if insn is None:
            ud.append((0, 0))
            continue
        nargs = 5
        if insn[0] == CALL and insn[2] == 0:
            nargs = _helper_nargs(insn[4])
        ud.append(use_def(insn, nargs))
    changed = True
    while changed:
        changed = False
        for i in range(n - 1, -1, -1):
            if insns[i] is None:
                continue
            out = 0
            for s_ in succ[i]:  # check_program keeps only targets inside the program
                out |= live_in[s_]
            use, defs = ud[i]
            new = use | (out & ~defs)
            if new != live_in[i]:
                live_in[i] = new
                changed = True
        # without a backward edge every successor comes later, so one backward pass is the
        # fixpoint: a second one would only confirm it
        if not has_loop:
            break
    return live_in


def _helper_nargs(helper_id: int) -> int:
    nargs = _NARGS.get(helper_id)
    if nargs is None:
        nargs = _NARGS[helper_id] = _lookup_nargs(helper_id)
    return nargs


_NARGS: dict[int, int] = {}  # helper id -> argument count (the prototypes never change)


def _lookup_nargs(helper_id: int) -> int:
    try:
        from .helper_protos import helper_proto

        proto = helper_proto(helper_id)
    except Exception:  # the table is optional for liveness
        proto = None
    if proto is None:
        return 5
    return len(proto.args)


def _sccs(prog: Program, succs: list[list[int]]) -> list[int]:
    """Loop id per slot (Tarjan's SCCs over the intra-function flow graph); 0 = no loop."""
    n = len(prog.insns)
    index = [-1] * n
    low = [0] * n
    on = [False] * n
    comp = [0] * n
    st: list[int] = []
    counter = 0
    ncomp = 0
    for root in range(n):
        if index[root] != -1 or prog.insns[root] is None:
            continue
        work = [(root, 0)]
        while work:
            v, k = work[-1]
            if k == 0:
                index[v] = low[v] = counter
                counter += 1
                st.append(v)
                on[v] = True
            succ = succs[v]
            if k < len(succ):
                work[-1] = (v, k + 1)
                w = succ[k]
                if index[w] == -1:
                    work.append((w, 0))
                elif on[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                members = []
                while True:
                    w = st.pop()
                    on[w] = False
                    members.append(w)
                    if w == v:
                        break
                loop = len(members) > 1 or v in succs[v]
                if loop:
                    ncomp += 1
                    for w in members:
                        comp[w] = ncomp
    return comp
