"""Pass 2: the path-sensitive walk, like the kernel's ``do_check``.

One :class:`Checker` simulates a program: it walks instructions depth first from insn 0,
pushes the other side of every undecided branch (``push_stack``), prunes at the kernel's prune
points against cached states (``is_state_visited`` / ``states_equal``), tracks precision by
backtracking the path like ``mark_chain_precision``, and stops at the first error with the
kernel's message and errno. Loops are walked iteration by iteration; an identical state on the
current path is ``infinite loop detected``; the 1,000,000-instruction and 8,192-branch limits
apply. Memory accesses are in :mod:`.memory`, helper and bpf-to-bpf calls in :mod:`.calls`.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import Any

from ..kernel_tables import MapType, ProgType
from . import scalar as sc
from . import tnum as tn
from .btf_fields import check_value_fields, may_point_to_spin_lock
from .callbacks import load_func_ptr, same_callback_depths
from .calls import check_call, check_exit
from .cfg import LD_IMM64, Program, VerifyFail, successors
from .kernel_text import format_insn
from .log import alignment, format_frame, format_reg
from .memory import check_atomic, check_ld_abs, check_load, check_mem_region, check_store
from .precision import backtrack
from .state import (
    ADD_CONST,
    ADD_CONST32,
    ADD_CONST64,
    CONST_PTR_TO_MAP,
    NOT_INIT,
    PTR_MAYBE_NULL,
    PTR_TO_BTF_ID,
    PTR_TO_CTX,
    PTR_TO_FLOW_KEYS,
    PTR_TO_FUNC,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_PACKET,
    PTR_TO_PACKET_END,
    PTR_TO_PACKET_META,
    PTR_TO_SOCKET,
    PTR_TO_STACK,
    PTR_TO_TP_BUFFER,
    PTR_TO_XDP_SOCK,
    SCALAR,
    STACK_INVALID,
    STACK_MISC,
    STACK_SPILL,
    STACK_ZERO,
    Frame,
    Reg,
    VState,
    is_pkt_type,
    type_name,
)

COMPLEXITY_LIMIT_INSNS = 1_000_000
COMPLEXITY_LIMIT_JMP_SEQ = 8192
MAX_PACKET_OFF = 0xFFFF
BEYOND_PKT_END = -2
AT_PKT_END = -1

NOT_EXACT, EXACT, RANGE_WITHIN = 0, 1, 2

_ALU_STR = {0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=", 0x60: "<<=",
            0x70: ">>=", 0x80: "neg", 0x90: "%=", 0xA0: "^=", 0xB0: "=", 0xC0: "s>>=",
            0xD0: "endian"}  # fmt: skip


@dataclass
class Privilege:
    """What the loading process may do (the kernel's ``env->allow_*`` / ``bypass_*`` flags)."""

    name: str = "root"
    allow_ptr_leaks: bool = True
    allow_uninit_stack: bool = True
    bypass_spec_v1: bool = True
    bypass_spec_v4: bool = True
    bpf_capable: bool = True

    @classmethod
    def of(cls, name: str) -> Privilege:
        key = name.strip().lower()
        if key == "root":
            return cls("root")
        if key in ("cap_bpf", "capbpf", "bpf"):
            return cls("cap_bpf", False, False, False, False, True)
        raise ValueError(f"unknown privilege {name!r} (use 'root' or 'cap_bpf')")


class _Entry:
    __slots__ = ("state", "hit", "miss", "differs")

    def __init__(self, state: VState) -> None:
        self.state = state
        self.hit = 0
        self.miss = 0
        # the register that last told this state apart from the current one (compared first)
        self.differs = 0


class Step:
    """One simulated instruction on the failing path (for ``explain()``).

    ``text`` is formatted on first use: most results never show their path, and formatting
    every step of a long path would cost more than simulating it.
    """

    __slots__ = ("idx", "note", "_text", "_insn")

    def __init__(
        self,
        idx: int,
        text: str | None = None,
        note: str = "",
        insn: tuple[int, int, int, int, int] | None = None,
    ) -> None:
        self.idx = idx
        self.note = note
        self._text = text
        self._insn = insn

    @property
    def text(self) -> str:
        if self._text is None:
            insn = self._insn
            body = format_insn(*insn) if insn is not None else "?"
            self._text = f"{self.idx}: {body}"
        return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Step):
            return NotImplemented
        return (self.idx, self.text, self.note) == (other.idx, other.text, other.note)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Step(idx={self.idx!r}, text={self.text!r}, note={self.note!r})"


@dataclass
class CheckOutcome:
    error: VerifyFail | None
    insns_processed: int
    max_states_per_insn: int
    total_states: int
    peak_states: int
    log_lines: list[str]
    trace: list[tuple[int, str]] = field(default_factory=list)
    insns: list[Any] = field(default_factory=list)
    stack_depths: list[int] = field(default_factory=list)

    @property
    def path(self) -> list[Step]:
        """The steps of the failing path; empty when there is no error (nothing shows it)."""
        if self.error is None:
            return []
        insns = self.insns
        return [Step(i, None, note, insns[i]) for i, note in self.trace]


class Checker:
    """The simulation of one program (see the module docstring)."""

    def __init__(
        self,
        prog: Program,
        prog_type: Any,
        *,
        attach_type: Any = None,
        privilege: Privilege | None = None,
        log_level: int = 1,
        strict_alignment: bool = False,
        gpl: bool = True,
        nr_cpus: int = 1,
    ) -> None:
        self.gpl = gpl
        self.nr_cpus = nr_cpus  # the kernel's nr_cpu_ids (bounds get_smp_processor_id)
        self.prog = prog
        self.insns = prog.insns
        self.prog_type = prog_type
        self.attach_type = attach_type
        try:
            self.prog_type_enum: ProgType | None = ProgType(int(prog_type))
        except (ValueError, TypeError):
            self.prog_type_enum = None
        # helper id -> (name, prototype) once the id-only checks passed (calls.py)
        self.helper_cache: dict[int, Any] = {}
        self.priv = privilege or Privilege()
        self.log_level = log_level
        self.strict_alignment = strict_alignment
        self.explored: dict[int, list[_Entry]] = {}
        self.stack: list[tuple[VState, int, int, int, int]] = []
        self.insn_processed = 0
        self.jmps_processed = 0
        self.prev_jmps_processed = 0
        self.prev_insn_processed = 0
        self.total_states = 0
        self.peak_states = 0
        self.max_states_per_insn = 0
        self.id_gen = 0
        self.log: list[str] = []
        self.cur: VState = VState()
        self.insn_idx = 0
        self.prev_insn_idx = -1
        self.scratched_regs: set[int] = set()
        self.scratched_slots: set[int] = set()
        self.subprog_stack_depth = [0] * len(prog.subprogs)
        self.scc_entry: dict[int, VState] = {}
        # loops (SCCs) whose current visit has recorded a backedge (6.17+ scc_visit backedges):
        # only then are cached states in the loop compared by range (incomplete_read_marks)
        self.scc_backedges: set[int] = set()
        self.trace: list[tuple[int, str]] = []  # (insn, branch note) of the current path
        self.aux_ptr_type: dict[int, int] = {}
        self.pkt_access_types = _pkt_write_ok(prog_type)
        self._src_is_reg = False
        self._src_regno = 0
        self._alu_code = 0
        self.alu_state: dict[int, tuple[tuple[bool, bool, bool], int]] = {}
        # env->explore_alu_limits: once pointer arithmetic with an unknown scalar offset is
        # seen (without CAP_PERFMON), scalars must match exactly for pruning, so that every
        # path reaching that instruction is checked for the same masking state.
        self.explore_alu_limits = False
        self._alu_commit: tuple[tuple[bool, bool, bool], int, bool] | None = None
        # stack liveness (6.18 computes it from the accesses seen while verifying)
        self.stack_use: dict[int, int] = {}
        self.stack_def: dict[int, int] = {}
        self._stack_live: list[int] | None = None
        self._live_graph: list[tuple[int, list[int]]] | None = None
        self._reads_all_slots: list[int] = []
        self._live_one_pass = False
        # insn_aux nospec / nospec_result (6.17+): insns with a speculation barrier before /
        # after them, where speculative paths end
        self.nospec: set[int] = set()
        self.nospec_result: set[int] = set()

    def note_stack_read(self, spi_lo: int, spi_hi: int | None = None) -> None:
        """The current instruction may read stack slots ``spi_lo..spi_hi`` (inclusive)."""
        hi = spi_lo if spi_hi is None else spi_hi
        bits = 0
        for spi in range(max(spi_lo, 0), min(hi, 63) + 1):
            bits |= 1 << spi
        old = self.stack_use.get(self.insn_idx, 0)
        if bits & ~old:
            self.stack_use[self.insn_idx] = old | bits
            self._stack_live = None

    def note_stack_write(self, spi: int) -> None:
        """The current instruction writes all eight bytes of slot ``spi``."""
        if not 0 <= spi < 64:
            return
        old = self.stack_def.get(self.insn_idx)
        bit = 1 << spi
        if old is None:
            self.stack_def[self.insn_idx] = bit
            self._stack_live = None
        elif old & bit:
            return
        # a different slot on another path: the write is no longer certain
        elif old != bit:
            self.stack_def[self.insn_idx] = old & bit
            self._stack_live = None

    def stack_live_before(self, idx: int) -> int:
        if self._stack_live is None:
            self._stack_live = self._compute_stack_live()
        return self._stack_live[idx]

    def _compute_stack_live(self) -> list[int]:
        prog = self.prog
        n = len(prog.insns)
        all_slots = (1 << 64) - 1
        graph = self._live_graph
        if graph is None:
            # the flow graph does not change while simulating: build it once, with the calls
            # that may read any slot through a stack pointer (bpf-to-bpf, callback helpers)
            insns = prog.insns
            # pass 1's table: the successors inside the program
            succs = prog.succs or [[w for w in successors(prog, v) if 0 <= w < n] for v in range(n)]
            graph = self._live_graph = [
                (i, succs[i]) for i in range(n - 1, -1, -1) if insns[i] is not None
            ]
            self._reads_all_slots = [
                i
                for i, insn in enumerate(prog.insns)
                if insn is not None
                and insn[0] == 0x85
                and (insn[2] == 1 or i in prog.calls_callback)
            ]
            # without a backward edge one pass in reverse order is already the fixpoint
            self._live_one_pass = all(j > i for i, succ in graph for j in succ)
        live = [0] * n
        use = [0] * n
        defs = [0] * n
        for i, bits in self.stack_use.items():
            use[i] = bits
        for i, bits in self.stack_def.items():
            defs[i] = bits
        for i in self._reads_all_slots:
            use[i] = all_slots
            defs[i] = 0
        changed = True
        while changed:
            changed = False
            for i, succ in graph:
                out = 0
                for j in succ:
                    out |= live[j]
                new = use[i] | (out & ~defs[i])
                if new != live[i]:
                    live[i] = new
                    changed = True
            if self._live_one_pass:
                break
        return live

    # --- small helpers -------------------------------------------------------------------

    def fail(self, err: int, msg: str) -> VerifyFail:
        return VerifyFail(err, msg, self.insn_idx)

    def verbose(self, text: str) -> None:
        self.log.append(text)

    @property
    def regs(self) -> list[Reg]:
        return self.cur.frames[-1].regs

    @property
    def frame(self) -> Frame:
        return self.cur.frames[-1]

    def new_id(self) -> int:
        self.id_gen += 1
        return self.id_gen

    def is_pointer_value(self, regno: int) -> bool:
        if self.priv.allow_ptr_leaks:
            return False
        return self.cur.frames[-1].regs[regno].type not in (NOT_INIT, SCALAR)

    def check_reg_arg(self, regno: int, src: bool) -> None:
        if regno >= 11:
            raise self.fail(errno.EINVAL, f"R{regno} is invalid")
        self.scratched_regs.add(regno)
        if src:
            if self.cur.frames[-1].regs[regno].type == NOT_INIT:
                raise self.fail(errno.EACCES, f"R{regno} !read_ok")
        elif regno == 10:
            raise self.fail(errno.EACCES, "frame pointer is read only")

    def mark_unknown(self, regno: int) -> None:
        r = self.cur.frames[-1].regs[regno]
        r.__init__()  # type: ignore[misc]
        r.type = SCALAR
        self.scratched_regs.add(regno)

    def mark_known(self, regno: int, value: int) -> None:
        r = self.regs[regno]
        r.__init__()  # type: ignore[misc]
        r.type = SCALAR
        sc.mark_known(r, value)
        self.scratched_regs.add(regno)

    # --- the main loop --------------------------------------------------------------------

    def run(self) -> CheckOutcome:
        err: VerifyFail | None = None
        try:
            self._init_state()
            self._do_check()
        except VerifyFail as e:
            # without its traceback: the frames would keep this Checker and every state it
            # explored alive (in a cycle only the garbage collector breaks) with the outcome
            err = e.with_traceback(None)
        except RecursionError:  # pragma: no cover - defensive
            err = VerifyFail(errno.EFAULT, "pyebpf internal limit reached", self.insn_idx)
        if err is not None:
            for line in err.message.split("\n"):
                self.verbose(line)
        return CheckOutcome(
            error=err,
            insns_processed=self.insn_processed,
            max_states_per_insn=self.max_states_per_insn,
            total_states=self.total_states,
            peak_states=self.peak_states,
            log_lines=self.log,
            trace=self.trace,
            insns=self.insns,
            stack_depths=self.subprog_stack_depth,
        )

    def _init_state(self) -> None:
        st = VState()
        regs = st.frames[0].regs
        r1 = regs[1]
        r1.type = PTR_TO_CTX
        sc.mark_known(r1, 0)
        r10 = regs[10]
        r10.type = PTR_TO_STACK
        sc.mark_known(r10, 0)
        r10.frameno = 0
        self.cur = st

    def _do_check(self) -> None:
        insns = self.insns
        n = len(insns)
        do_print_state = False
        prev_insn_idx = -1
        prune_points = self.prog.prune_points
        jmp_points = self.prog.jmp_points
        level = self.log_level
        if level:
            self.verbose(
                f"{self.insn_idx}:" + format_frame(self.frame)
            )  # the entry state, as the kernel prints it
        # one shared tuple per instruction for the per-step records (no allocation per step)
        hist_entry = [(i, -1, -1) for i in range(n)]
        trace_entry = [(i, "") for i in range(n)]
        trace = self.trace
        do_insn = self._do_insn
        while True:
            self.prev_insn_idx = prev_insn_idx
            idx = self.insn_idx
            if idx >= n or insns[idx] is None:
                raise self.fail(errno.EFAULT, f"invalid insn idx {idx} insn_cnt {n}")
            insn = insns[idx]
            assert insn is not None
            self.insn_processed += 1
            if self.insn_processed > COMPLEXITY_LIMIT_INSNS:
                raise self.fail(
                    errno.E2BIG, f"BPF program is too large. Processed {self.insn_processed} insn"
                )
            cur = self.cur
            cur.last_insn_idx = prev_insn_idx
            if idx in prune_points:
                if self._is_state_visited(idx):
                    if level:
                        if do_print_state:
                            spec = " (speculative execution)" if cur.speculative else ""
                            self.verbose(f"\nfrom {prev_insn_idx} to {idx}{spec}: safe")
                        else:
                            self.verbose(f"{idx}: safe")
                    if self._exit_path():
                        return
                    do_print_state = True
                    prev_insn_idx = self.prev_insn_idx
                    continue
            if level:
                if level >= 2 and do_print_state:
                    spec = " (speculative execution)" if cur.speculative else ""
                    self.verbose(
                        f"\nfrom {prev_insn_idx} to {idx}{spec}:" + format_frame(self.frame)
                    )
                do_print_state = False
                self.verbose(f"{idx}: " + format_insn(*insn))
                # only the log reads them; without one they just stay small
                self.scratched_regs = set()
                self.scratched_slots = set()
            trace.append(trace_entry[idx])
            prev_insn_idx = idx
            cur.history.append(hist_entry[idx])
            if idx in jmp_points:
                cur.jmp_hist += 1
            if cur.speculative and idx in self.nospec:
                # 6.17+: a nospec barrier sits before this insn: speculation stops here
                if self._exit_path():
                    return
                do_print_state = True
                prev_insn_idx = self.prev_insn_idx
                continue
            try:
                outcome = do_insn(insn)
            except VerifyFail as e:
                if self.cur.speculative and e.errno in (errno.EPERM, errno.EACCES, errno.EINVAL):
                    # 6.17+: an unsafe speculative path is fenced with nospec, not rejected;
                    # the barrier stops every later speculative path at this insn too
                    self.nospec.add(idx)
                    self.alu_state.pop(idx, None)
                    if self._exit_path():
                        return
                    do_print_state = True
                    prev_insn_idx = self.prev_insn_idx
                    continue
                raise
            if outcome == "next":
                if level and (self.scratched_regs or self.scratched_slots):
                    self._print_insn_state()
                if cur.speculative and idx in self.nospec_result:
                    # 6.17+: a store followed by a nospec barrier ends a speculative path
                    if self._exit_path():
                        return
                    do_print_state = True
                    prev_insn_idx = self.prev_insn_idx
                    continue
                self.insn_idx = idx + (2 if insn[0] == LD_IMM64 else 1)
            elif outcome == "exit":
                if self._exit_path():
                    return
                do_print_state = True
                prev_insn_idx = self.prev_insn_idx
            elif level and (self.scratched_regs or self.scratched_slots):
                self._print_insn_state()

    def _print_insn_state(self) -> None:
        if not self.log:
            return
        last = self.log[-1]
        pad = alignment(len(last))
        self.log[-1] = (
            last
            + " " * pad
            + ";"
            + format_frame(self.frame, self.scratched_regs, self.scratched_slots)
        )

    def _exit_path(self) -> bool:
        """The current path is done (exit or pruned): pop the next one. True when none is left."""
        self._update_branch_counts(self.cur)
        if not self.stack:
            return True
        st, idx, prev, log_pos, trace_len = self.stack.pop()
        if self.log_level == 1:
            del self.log[log_pos:]
        del self.trace[trace_len:]
        self.cur = st
        self.insn_idx = idx
        self.prev_insn_idx = prev
        return False

    def _update_branch_counts(self, st: VState | None) -> None:
        while st is not None:
            st.branches -= 1
            if st.branches:
                break
            st = st.parent

    def push_stack(self, insn_idx: int, prev_idx: int, speculative: bool) -> VState:
        new = self.cur.copy()
        new.speculative = self.cur.speculative or speculative
        self.stack.append((new, insn_idx, prev_idx, len(self.log), len(self.trace)))
        if len(self.stack) > COMPLEXITY_LIMIT_JMP_SEQ:
            raise self.fail(
                errno.EFAULT, f"The sequence of {len(self.stack)} jumps is too complex."
            )
        if new.parent is not None:
            new.parent.branches += 1
        return new

    # --- instructions --------------------------------------------------------------------

    def _do_insn(self, insn: tuple[int, int, int, int, int]) -> str:
        op, dst, src, off, imm = insn
        cls = op & 7
        if cls in (4, 7):
            self._check_alu(op, dst, src, off, imm)
            return "next"
        if cls == 1:
            check_load(self, op, dst, src, off)
            return "next"
        if cls == 3:
            if (op & 0xE0) == 0xC0:
                check_atomic(self, op, dst, src, off, imm)
                return "next"
            if (op & 0xE0) != 0x60 or imm != 0:
                raise self.fail(errno.EINVAL, "BPF_STX uses reserved fields")
            check_store(self, op, dst, src, off, imm, from_reg=True)
            return "next"
        if cls == 2:
            if (op & 0xE0) != 0x60 or src != 0:
                raise self.fail(errno.EINVAL, "BPF_ST uses reserved fields")
            check_store(self, op, dst, src, off, imm, from_reg=False)
            return "next"
        if cls in (5, 6):
            self.jmps_processed += 1
            code = op & 0xF0
            if code == 0x80:
                if (
                    (op & 8)
                    or (src != 2 and off != 0)
                    or src not in (0, 1, 2)
                    or dst != 0
                    or cls == 6
                ):
                    raise self.fail(errno.EINVAL, "BPF_CALL uses reserved fields")
                return check_call(self, op, dst, src, off, imm)
            if code == 0x00:
                if (
                    (op & 8)
                    or src != 0
                    or dst != 0
                    or (cls == 5 and imm != 0)
                    or (cls == 6 and off != 0)
                ):
                    raise self.fail(errno.EINVAL, "BPF_JA uses reserved fields")
                self.insn_idx += (off if cls == 5 else imm) + 1
                return "jump"
            if code == 0x90:
                if (op & 8) or imm != 0 or src != 0 or dst != 0 or cls == 6:
                    raise self.fail(errno.EINVAL, "BPF_EXIT uses reserved fields")
                return check_exit(self)
            self._check_cond_jmp(op, dst, src, off, imm)
            return "jump"
        # class LD
        mode = op & 0xE0
        if mode in (0x20, 0x40):
            check_ld_abs(self, op, dst, src, off, imm)
            return "next"
        self._check_ld_imm(op, dst, src, off, imm)
        return "next"

    def _check_ld_imm(self, op: int, dst: int, src: int, off: int, imm: int) -> None:
        if op != LD_IMM64:
            raise self.fail(errno.EINVAL, "invalid BPF_LD_IMM insn")
        if off != 0:
            raise self.fail(errno.EINVAL, "BPF_LD_IMM64 uses reserved fields")
        self.check_reg_arg(dst, False)
        r = self.regs[dst]
        if src == 0:
            self.mark_known(dst, imm)
            return
        r.__init__()  # type: ignore[misc]
        sc.mark_known(r, 0)
        if src == 4:
            load_func_ptr(self, r, imm)  # callbacks.py
            return
        spec = self.prog.maps.get(self.insn_idx)
        r.map = spec
        if src in (2, 6):
            r.type = PTR_TO_MAP_VALUE
            r.off = (imm >> 32) & 0xFFFFFFFF
        else:
            r.type = CONST_PTR_TO_MAP

    # --- ALU ------------------------------------------------------------------------------

    def _check_alu(self, op: int, dst: int, src: int, off: int, imm: int) -> None:
        code = op & 0xF0
        alu64 = (op & 7) == 7
        is_x = bool(op & 8)
        if code in (0x80, 0xD0):  # NEG, END
            if code == 0x80:
                if is_x or src != 0 or off != 0 or imm != 0:
                    raise self.fail(errno.EINVAL, "BPF_NEG uses reserved fields")
            else:
                if src != 0 or off != 0 or imm not in (16, 32, 64) or (alu64 and is_x):
                    raise self.fail(errno.EINVAL, "BPF_END uses reserved fields")
            self.check_reg_arg(dst, True)
            if self.is_pointer_value(dst):
                raise self.fail(errno.EACCES, f"R{dst} pointer arithmetic prohibited")
            self.check_reg_arg(dst, False)
            d = self.regs[dst]
            if d.type != SCALAR:
                self.mark_unknown(dst)
            elif code == 0x80:
                sc.scalar_neg(d, not alu64)
            else:
                sc.scalar_byte_swap(d, imm, alu64 or bool(op & 8))
            return
        if code == 0xB0:  # MOV
            if is_x:
                if alu64:
                    if imm != 0 and off != 1 or off not in (0, 1, 8, 16, 32):
                        raise self.fail(errno.EINVAL, "BPF_MOV uses reserved fields")
                    if off == 1:
                        raise self.fail(
                            errno.EINVAL,
                            "addr_space_cast insn can only convert between address space 1 and 0",
                        )
                else:
                    if imm != 0 or off not in (0, 8, 16):
                        raise self.fail(errno.EINVAL, "BPF_MOV uses reserved fields")
                self.check_reg_arg(src, True)
            else:
                if src != 0 or off != 0:
                    raise self.fail(errno.EINVAL, "BPF_MOV uses reserved fields")
            self.check_reg_arg(dst, False)
            self._do_mov(dst, src, off, imm, alu64, is_x)
            return
        if code > 0xD0:
            raise self.fail(errno.EINVAL, f"invalid BPF_ALU opcode {code:x}")
        if is_x:
            if imm != 0 or off not in (0, 1) or (off == 1 and code not in (0x30, 0x90)):
                raise self.fail(errno.EINVAL, "BPF_ALU uses reserved fields")
            self.check_reg_arg(src, True)
        else:
            if src != 0 or off not in (0, 1) or (off == 1 and code not in (0x30, 0x90)):
                raise self.fail(errno.EINVAL, "BPF_ALU uses reserved fields")
        # check_reg_arg(dst, SRC_OP) then (DST_OP), inline: this is the hottest path
        if dst >= 11:
            raise self.fail(errno.EINVAL, f"R{dst} is invalid")
        self.scratched_regs.add(dst)
        if self.cur.frames[-1].regs[dst].type == NOT_INIT:
            raise self.fail(errno.EACCES, f"R{dst} !read_ok")
        if not is_x:
            if imm == 0 and code in (0x30, 0x90):
                raise self.fail(errno.EINVAL, "div by zero")
            if code in (0x60, 0x70, 0xC0):
                size = 64 if alu64 else 32
                if imm < 0 or imm >= size:
                    raise self.fail(errno.EINVAL, f"invalid shift {imm}")
        if dst == 10:
            raise self.fail(errno.EACCES, "frame pointer is read only")
        self._adjust_reg_min_max_vals(op, dst, src, imm, alu64, is_x)

    def _do_mov(self, dst: int, src: int, off: int, imm: int, alu64: bool, is_x: bool) -> None:
        regs = self.cur.frames[-1].regs
        d = regs[dst]
        if not is_x:
            d.assign(_const_reg(imm if alu64 else imm & 0xFFFFFFFF))
            return
        s = regs[src]
        if alu64:
            if off == 0:
                self.assign_scalar_id_before_mov(s)
                d.assign(s)
                return
            if self.is_pointer_value(src):
                raise self.fail(errno.EACCES, f"R{src} sign-extension part of pointer")
            if s.type == SCALAR:
                d.assign(s)
                d.id = 0
                d.off = 0
                sc.coerce_to_sext(d, off // 8)
            else:
                self.mark_unknown(dst)
            return
        # 32-bit mov
        if self.is_pointer_value(src):
            raise self.fail(errno.EACCES, f"R{src} partial copy of pointer")
        if s.type == SCALAR:
            if off == 0:
                fits = s.umax <= 0xFFFFFFFF
                if fits:
                    self.assign_scalar_id_before_mov(s)
                d.assign(s)
                if not fits:
                    d.id = 0
                    d.off = 0
            else:
                d.assign(s)
                d.id = 0
                d.off = 0
                sc.coerce_to_sext(d, off // 8)
        else:
            self.mark_unknown(dst)
        sc.zext_32_to_64(d)
        sc.reg_bounds_sync(d)

    def _adjust_reg_min_max_vals(
        self, op: int, dst: int, src: int, imm: int, alu64: bool, is_x: bool
    ) -> None:
        regs = self.cur.frames[-1].regs
        d = regs[dst]
        code = op & 0xF0
        ptr_reg = d if d.type != SCALAR else None
        self._src_is_reg = is_x
        self._src_regno = src
        self._alu_code = code
        if is_x:
            s = regs[src]
            if s.type != SCALAR:
                if d.type != SCALAR:
                    if code == 0x10 and self.priv.allow_ptr_leaks:
                        self.mark_unknown(dst)
                        return
                    raise self.fail(
                        errno.EACCES, f"R{dst} pointer {_ALU_STR[code]} pointer prohibited"
                    )
                self.mark_chain_precision(dst)
                self._adjust_ptr(op, dst, s, d)
                return
            if ptr_reg is not None:
                self.mark_chain_precision(src)
                self._adjust_ptr(op, dst, d, s)
                return
            if d.precise:
                self.mark_chain_precision(src)
            src_reg = s.copy()
        else:
            src_reg = _const_reg(imm)  # shared and never written: only read as the source
            if ptr_reg is not None:
                self._adjust_ptr(op, dst, d, src_reg)
                return
        self._adjust_scalar(op, d, src_reg, alu64)

    def _adjust_scalar(self, op: int, d: Reg, s: Reg, alu64: bool) -> None:
        code = op & 0xF0
        alu32 = not alu64
        if not sc.safe_to_compute(code, s, alu32):
            d.__init__()  # type: ignore[misc]
            d.type = SCALAR
            return
        if code in (0x50, 0x40) and s.var_off.mask == 0:
            self._maybe_fork_scalars(d)
        dst_umax = d.umax
        sc.adjust_scalar(d, s, code, alu32)
        self._link_after_add(d, s, code, alu32, dst_umax)

    def _link_after_add(self, d: Reg, s: Reg, code: int, alu32: bool, dst_umax: int) -> None:
        """6.18's linked-register deltas: ``r1 = r2; r1 += 10`` keeps r1 tied to r2 (+10).

        Any other operation on a linked register breaks the link (id and delta cleared).
        """
        d_id = d.id
        if (
            d_id
            and code in (0x00, 0x10)
            and self.priv.bpf_capable
            and (tn.subreg_is_const(s.var_off) if alu32 else s.var_off.mask == 0)
        ):
            val = s.var_off.value & 0xFFFFFFFF if alu32 else s.var_off.value
            link = True
            if alu32:
                link = dst_umax <= 0xFFFFFFFF  # the upper half must be zero already
                delta = sc.s32(val)
            else:
                delta = sc.s64(val)
                link = -(1 << 31) <= delta < (1 << 31)
            if code == 0x10:
                if delta == -(1 << 31):
                    link = False  # its negation does not fit
                delta = -delta
            if link and not d_id & ADD_CONST:
                d.id = d_id | (ADD_CONST32 if alu32 else ADD_CONST64)
                d.off = delta
                return
        d.id = 0
        d.off = 0

    def assign_scalar_id_before_mov(self, s: Reg) -> None:
        """A scalar copied by ``mov`` (or a spill) gets an id, so that the copies stay linked."""
        if s.type != SCALAR:
            return
        if s.id & ADD_CONST:
            # only one level of delta: a copy of a linked register starts a new family
            s.id = 0
            s.off = 0
        if not s.id and s.var_off.mask:
            s.id = self.new_id()

    def _maybe_fork_scalars(self, d: Reg) -> None:
        if d.smin == -1 and d.smax == 0:
            alu32 = False
        elif d.s32min == -1 and d.s32max == 0:
            alu32 = True
        else:
            return
        dst = self.regs.index(d)
        branch = self.push_stack(self.insn_idx, self.insn_idx, False)
        b = branch.frames[-1].regs[dst]
        if alu32:
            sc.mark_reg32_known(b, 0)
            sc.mark_reg32_known(d, 0xFFFFFFFF)
        else:
            sc.mark_known(b, 0)
            sc.mark_known(d, (1 << 64) - 1)

    def _check_reg_sane_offset(self, r: Reg, ptype: int) -> None:
        limit = 1 << 29
        known = r.var_off.mask == 0
        val = sc.s64(r.var_off.value)
        if known and (val >= limit or val <= -limit):
            name = type_name(ptype)
            raise self.fail(errno.EINVAL, f"math between {name} pointer and {val} is not allowed")
        if r.off >= limit or r.off <= -limit:
            name = type_name(ptype)
            raise self.fail(errno.EINVAL, f"{name} pointer offset {r.off} is not allowed")
        if r.smin == sc.S64_MIN:
            name = type_name(ptype)
            raise self.fail(
                errno.EINVAL,
                f"math between {name} pointer and register with unbounded min value is not allowed",
            )
        if r.smin >= limit or r.smin <= -limit:
            name = type_name(ptype)
            raise self.fail(errno.EINVAL, f"value {r.smin} makes {name} pointer be out of bounds")

    def _adjust_ptr(self, op: int, dst: int, ptr: Reg, off_reg: Reg) -> None:
        self._alu_commit = None
        regs = self.regs
        d = regs[dst]
        code = op & 0xF0
        known = off_reg.var_off.mask == 0
        smin_val, smax_val = off_reg.smin, off_reg.smax
        umin_val, umax_val = off_reg.umin, off_reg.umax
        if (
            (known and (smin_val != smax_val or umin_val != umax_val))
            or smin_val > smax_val
            or umin_val > umax_val
        ):
            self.mark_unknown(dst)
            return
        if (op & 7) != 7:
            if code == 0x10 and self.priv.allow_ptr_leaks:
                self.mark_unknown(dst)
                return
            raise self.fail(errno.EACCES, f"R{dst} 32-bit pointer arithmetic prohibited")
        if ptr.type & PTR_MAYBE_NULL:
            raise self.fail(
                errno.EACCES,
                f"R{dst} pointer arithmetic on {type_name(ptr.type)} prohibited, null-check it first",
            )
        base = ptr.type & 0xFF
        ok_types = (PTR_TO_CTX, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_STACK, PTR_TO_PACKET_META,
                    PTR_TO_PACKET, PTR_TO_TP_BUFFER, PTR_TO_BTF_ID, PTR_TO_MEM, 19, PTR_TO_FUNC, 21)  # fmt: skip
        allowed = base in ok_types and ptr.type == (ptr.type & ~PTR_MAYBE_NULL)
        if not allowed:
            if base == PTR_TO_FLOW_KEYS and known:
                allowed = True
            elif (
                base in (CONST_PTR_TO_MAP, PTR_TO_FLOW_KEYS)
                and known
                and smin_val == 0
                and code == 0x00
            ):
                allowed = True
        if not allowed:
            raise self.fail(
                errno.EACCES, f"R{dst} pointer arithmetic on {type_name(ptr.type)} prohibited"
            )
        self._check_reg_sane_offset(off_reg, ptr.type)
        self._check_reg_sane_offset(ptr, ptr.type)
        if not self.priv.bypass_spec_v1 and code in (0x00, 0x10) and self._src_is_reg:
            self._sanitize_ptr_alu(dst, ptr, off_reg, known, d is off_reg)
        ptr_c = ptr  # only read until d (maybe ptr itself) is assigned at the end
        res = Reg()
        res.type = ptr_c.type
        res.id = ptr_c.id
        res.map = ptr_c.map
        res.range = ptr_c.range
        res.mem_size = ptr_c.mem_size
        res.frameno = ptr_c.frameno
        res.ref_obj_id = ptr_c.ref_obj_id
        S64_MIN, S64_MAX, U64 = sc.S64_MIN, sc.S64_MAX, sc.U64
        if code == 0x00:
            if known and -(1 << 31) <= ptr_c.off + smin_val < (1 << 31):
                res.smin, res.smax, res.umin, res.umax = (
                    ptr_c.smin,
                    ptr_c.smax,
                    ptr_c.umin,
                    ptr_c.umax,
                )
                res.var_off = ptr_c.var_off
                res.off = ptr_c.off + smin_val
            else:
                a, b = ptr_c.smin + smin_val, ptr_c.smax + smax_val
                if not (S64_MIN <= a <= S64_MAX and S64_MIN <= b <= S64_MAX):
                    a, b = S64_MIN, S64_MAX
                res.smin, res.smax = a, b
                a, b = ptr_c.umin + umin_val, ptr_c.umax + umax_val
                if a > U64 or b > U64:
                    a, b = 0, U64
                res.umin, res.umax = a, b
                res.var_off = tn.add(ptr_c.var_off, off_reg.var_off)
                res.off = ptr_c.off
                if is_pkt_type(ptr_c.type):
                    res.id = self.new_id()
                    res.range = 0
        elif code == 0x10:
            if d is not ptr:
                raise self.fail(errno.EACCES, f"R{dst} tried to subtract pointer from scalar")
            if ptr_c.type == PTR_TO_STACK:
                raise self.fail(errno.EACCES, f"R{dst} subtraction from stack pointer prohibited")
            if known and -(1 << 31) <= ptr_c.off - smin_val < (1 << 31):
                res.smin, res.smax, res.umin, res.umax = (
                    ptr_c.smin,
                    ptr_c.smax,
                    ptr_c.umin,
                    ptr_c.umax,
                )
                res.var_off = ptr_c.var_off
                res.off = ptr_c.off - smin_val
            else:
                a, b = ptr_c.smin - smax_val, ptr_c.smax - smin_val
                if not (S64_MIN <= a <= S64_MAX and S64_MIN <= b <= S64_MAX):
                    a, b = S64_MIN, S64_MAX
                res.smin, res.smax = a, b
                if ptr_c.umin < umax_val:
                    res.umin, res.umax = 0, U64
                else:
                    res.umin, res.umax = ptr_c.umin - umax_val, ptr_c.umax - umin_val
                res.var_off = tn.sub(ptr_c.var_off, off_reg.var_off)
                res.off = ptr_c.off
                if is_pkt_type(ptr_c.type):
                    res.id = self.new_id()
                    if smin_val < 0:
                        res.range = 0
        elif code in (0x50, 0x40, 0xA0):
            raise self.fail(
                errno.EACCES, f"R{dst} bitwise operator {_ALU_STR[code]} on pointer prohibited"
            )
        else:
            raise self.fail(
                errno.EACCES, f"R{dst} pointer arithmetic with {_ALU_STR[code]} operator prohibited"
            )
        self._check_reg_sane_offset(res, ptr_c.type)
        sc.reg_bounds_sync(res)
        d.assign(res)
        self.scratched_regs.add(dst)
        if not self.priv.bypass_spec_v1:
            self._sanitize_check_bounds(dst, d)
            commit = self._alu_commit
            self._alu_commit = None
            if commit is not None:
                state, before, mask_to_left = commit
                after = _ptr_limit(d, mask_to_left)
                if after is None:
                    raise self.fail(
                        errno.EACCES,
                        f"R{dst} tried to {'add' if code == 0x00 else 'sub'} beyond pointer "
                        "bounds, pointer arithmetic with it prohibited for !root",
                    )
                entry = (state, abs(before - after))
                seen = self.alu_state.setdefault(self.insn_idx, entry)
                if seen != entry:
                    raise self.fail(
                        errno.EACCES,
                        f"R{dst} tried to {'add' if code == 0x00 else 'sub'} from different "
                        "maps, paths or scalars, pointer arithmetic with it prohibited for !root",
                    )

    def _sanitize_ptr_alu(
        self, dst: int, ptr: Reg, off_reg: Reg, known: bool, off_is_dst: bool
    ) -> None:
        """``sanitize_ptr_alu`` (first call): Spectre v1 rules for ``ptr += reg`` without CAP_PERFMON."""
        if self.cur.speculative:
            # the checks were made on the architectural path; still simulate the truncated
            # offset (the kernel's ``goto do_sim``)
            if not known:
                branch = self.push_stack(self.insn_idx + 1, self.insn_idx, True)
                branch.frames[-1].regs[dst] = ptr.copy()
            return
        src = self._src_regno
        if not known and (off_reg.smin < 0) != (off_reg.smax < 0):
            raise self.fail(
                errno.EACCES,
                f"R{dst if off_is_dst else src} has unknown scalar with mixed signed bounds, "
                "pointer arithmetic with it prohibited for !root",
            )
        if ptr.type not in (PTR_TO_STACK, PTR_TO_MAP_VALUE):
            raise self.fail(
                errno.EACCES,
                f"R{src if off_is_dst else dst} has pointer with unsupported alu operation, pointer arithmetic "
                "with it prohibited for !root",
            )
        # retrieve_ptr_limit + update_alu_sanitation_state: one instruction must see the same
        # kind of offset and the same masking limit on every path
        op = "add" if self._alu_code == 0x00 else "sub"
        off_is_neg = off_reg.smin < 0
        mask_to_left = (self._alu_code == 0x00) == off_is_neg
        limit = _ptr_limit(ptr, mask_to_left)
        if limit is None:
            raise self.fail(
                errno.EACCES,
                f"R{dst} tried to {op} beyond pointer bounds, pointer arithmetic with it "
                "prohibited for !root",
            )
        self._alu_commit = ((off_is_neg, known, not off_is_dst), limit, mask_to_left)
        if known:
            return
        self.explore_alu_limits = True
        # simulate the truncated (masked) offset on a speculative path: dst keeps the pointer
        branch = self.push_stack(self.insn_idx + 1, self.insn_idx, True)
        branch.frames[-1].regs[dst] = ptr.copy()

    def _sanitize_check_bounds(self, dst: int, d: Reg) -> None:
        if d.type == PTR_TO_STACK:
            off = d.off + sc.s64(d.var_off.value)
            if d.var_off.mask:
                raise self.fail(
                    errno.EACCES,
                    f"R{dst} variable stack access prohibited for !root, var_off="
                    f"({d.var_off.value:#x}; {d.var_off.mask:#x}) off={d.off}",
                )
            if off >= 0 or off < -512:
                raise self.fail(
                    errno.EACCES,
                    f"R{dst} stack pointer arithmetic goes out of range, prohibited for !root; off={off}",
                )
        elif d.type == PTR_TO_MAP_VALUE:
            vs = d.map.value_size if d.map is not None else 0
            try:
                check_mem_region(self, dst, d, d.off, 1, vs, False)
                check_value_fields(self, d, d.off, 1)  # btf_fields.py
            except VerifyFail as e:
                raise self.fail(
                    errno.EACCES,
                    f"{e.message}\nR{dst} pointer arithmetic of map value goes out of range, "
                    "prohibited for !root",
                ) from None

    # --- conditional jumps -----------------------------------------------------------------

    def _check_cond_jmp(self, op: int, dst: int, src: int, off: int, imm: int) -> None:
        code = op & 0xF0
        idx = self.insn_idx
        if code == 0xE0:
            if op != 0xE5 or src != 0 or dst != 0 or imm != 0 or off == 0:
                raise self.fail(errno.EINVAL, f"invalid may_goto off {off} imm {imm}")
            prev = self._find_prev_entry(idx)
            queued = self.push_stack(idx + 1, idx, False)
            queued.may_goto_depth += 1
            if prev is not None:
                _widen_imprecise_scalars(prev, queued)
            self.insn_idx = idx + off + 1
            return
        if code in (0x00, 0x80, 0x90) or code > 0xD0:
            raise self.fail(errno.EINVAL, f"invalid BPF_JMP/JMP32 opcode {code:x}")
        self.check_reg_arg(dst, True)
        regs = self.regs
        d = regs[dst]
        is_x = bool(op & 8)
        jmp32 = (op & 7) == 6
        if is_x:
            if imm != 0:
                raise self.fail(errno.EINVAL, "BPF_JMP/JMP32 uses reserved fields")
            self.check_reg_arg(src, True)
            s = regs[src]
            if not (is_pkt_type_any(d) and is_pkt_type_any(s)) and self.is_pointer_value(src):
                raise self.fail(errno.EACCES, f"R{src} pointer comparison prohibited")
        else:
            if src != 0:
                raise self.fail(errno.EINVAL, "BPF_JMP/JMP32 uses reserved fields")
            s = _const_reg(imm)  # shared: only read below (the refinements work on copies)
        pred = _is_branch_taken(d, s, code, jmp32)
        if pred >= 0:
            if d.type == SCALAR:
                self.mark_chain_precision(dst)
            if is_x and s.type == SCALAR:
                self.mark_chain_precision(src)
        if pred == 1:
            if not self.priv.bypass_spec_v1:
                self._speculative_path(idx + 1, idx, dst, src, is_x)
            self._note_branch(idx, idx + off + 1, "always taken")
            self.insn_idx = idx + off + 1
            return
        if pred == 0:
            if not self.priv.bypass_spec_v1:
                self._speculative_path(idx + off + 1, idx, dst, src, is_x)
            self._note_branch(idx, idx + 1, "never taken")
            self.insn_idx = idx + 1
            return
        other = self.push_stack(idx + off + 1, idx, False)
        oregs = other.frames[-1].regs
        this = self.cur
        if is_x:
            sc.reg_set_min_max(oregs[dst], oregs[src], d, s, code, jmp32)
        else:
            f0 = s.copy()
            f1 = s.copy()
            sc.reg_set_min_max(oregs[dst], f0, d, f1, code, jmp32, src_is_scratch=True)
        if is_x and s.type == SCALAR and s.id:
            _sync_linked_regs(this, s)
            _sync_linked_regs(other, oregs[src])
        if d.type == SCALAR and d.id:
            _sync_linked_regs(this, d)
            _sync_linked_regs(other, oregs[dst])
        if (not jmp32 and not is_x and imm == 0 and code in (sc.JEQ, sc.JNE)
                and d.type & PTR_MAYBE_NULL):  # fmt: skip
            _mark_ptr_or_null_regs(this, dst, code == sc.JNE)
            _mark_ptr_or_null_regs(other, dst, code == sc.JEQ)
        else:
            matched = is_x and not jmp32 and _try_match_pkt_pointers(code, dst, src, this, other)
            if not matched and self.is_pointer_value(dst):
                raise self.fail(errno.EACCES, f"R{dst} pointer comparison prohibited")
        self.scratched_regs.add(dst)
        if is_x:
            self.scratched_regs.add(src)
        self._note_branch(idx, idx + 1, "fall-through (other side queued)")
        self.insn_idx = idx + 1

    def _note_branch(self, idx: int, to: int, how: str) -> None:
        if self.trace and self.trace[-1][0] == idx:
            self.trace[-1] = (idx, f"-> {to} ({how})")

    def _speculative_path(
        self, next_idx: int, cur_idx: int, dst: int, src: int, is_x: bool
    ) -> None:
        branch = self.push_stack(next_idx, cur_idx, True)
        regs = branch.frames[-1].regs
        for r in (dst, src) if is_x else (dst,):
            regs[r].__init__()  # type: ignore[misc]
            regs[r].type = SCALAR

    def _find_prev_entry(self, idx: int) -> VState | None:
        """``find_prev_entry``: the newest state at ``idx`` older than ours on this path."""
        parent = self.cur.parent
        if parent is None:
            return None
        for e in self.explored.get(idx, []):
            st = e.state
            if (st.insn_idx == idx and st.branches and len(st.frames) == len(parent.frames)
                    and st.dfs_depth < parent.dfs_depth):  # fmt: skip
                return st
        return None

    # --- precision ------------------------------------------------------------------------

    def mark_chain_precision(self, regno: int) -> None:
        """``mark_chain_precision``: the value of ``regno`` matters; mark its producers precise."""
        if not self.priv.bpf_capable:
            return
        r = self.regs[regno]
        if r.type != SCALAR:
            return
        backtrack(self, {(len(self.cur.frames) - 1, regno)}, set())

    def mark_stack_slot_precise(self, frameno: int, spi: int) -> None:
        if not self.priv.bpf_capable:
            return
        backtrack(self, set(), {(frameno, spi)})

    def mark_all_scalars_precise(self, st: VState) -> None:
        s: VState | None = st
        while s is not None:
            for f in s.frames:
                for r in f.regs:
                    if r.type == SCALAR:
                        r.precise = True
                for slot in f.stack.values():
                    if slot.is_spill and slot.spilled.type == SCALAR:
                        slot.spilled.precise = True
            s = s.parent

    # --- pruning --------------------------------------------------------------------------

    def _is_state_visited(self, idx: int) -> bool:
        cur = self.cur
        prog = self.prog
        forced = idx in prog.force_checkpoints
        force_new = forced or cur.jmp_hist > 40
        add_new = force_new
        if self.jmps_processed - self.prev_jmps_processed >= 2 and (
            self.insn_processed - self.prev_insn_processed >= 8
        ):
            add_new = True
        entries = self.explored.get(idx)
        states_cnt = 0
        if entries:
            live = prog.live_before[idx]
            at_may_goto = idx == self._may_goto_idx(idx)
            # a callback-calling insn: iterate the callback until the states converge
            callback_site = idx in prog.calls_callback
            i = 0
            while i < len(entries):
                e = entries[i]
                states_cnt += 1
                old = e.state
                hit = loop = False
                if old.branches:
                    if at_may_goto and old.may_goto_depth != cur.may_goto_depth:
                        if self._states_equal(old, cur, RANGE_WITHIN, None):
                            hit = loop = True
                    if not hit and callback_site:
                        hit = loop = self._states_equal(old, cur, RANGE_WITHIN, None)
                    if not hit:
                        if (
                            not callback_site
                            and _states_maybe_looping(old, cur, e)
                            and self._states_equal(old, cur, EXACT, None)
                            and old.may_goto_depth == cur.may_goto_depth
                            and same_callback_depths(old, cur)
                        ):
                            msg = (
                                f"infinite loop detected at insn {idx}\ncur state:"
                                + format_frame(cur.frames[-1])
                                + "\nold state:"
                                + format_frame(old.frames[len(cur.frames) - 1])
                            )
                            raise self.fail(errno.EINVAL, msg)
                        if (
                            not force_new
                            and self.jmps_processed - self.prev_jmps_processed < 20
                            and self.insn_processed - self.prev_insn_processed < 100
                        ):
                            add_new = False
                else:
                    loop = self._in_active_loop(idx)
                    if self._states_equal(old, cur, RANGE_WITHIN if loop else NOT_EXACT, live):
                        hit = True
                if hit:
                    e.hit += 1
                    self._propagate_precision(old)
                    if loop:
                        self._add_scc_backedge(idx)
                    return True
                if add_new:
                    e.miss += 1
                n = 64 if forced and old.branches > 0 else 3
                if e.miss > e.hit * n + n:
                    del entries[i]
                    continue
                i += 1
        if self.max_states_per_insn < states_cnt:
            self.max_states_per_insn = states_cnt
        if not add_new:
            return False
        self.total_states += 1
        self.peak_states += 1
        self.prev_jmps_processed = self.jmps_processed
        self.prev_insn_processed = self.insn_processed
        if self.priv.bpf_capable:
            _mark_all_scalars_imprecise(cur)
        # the new cached state keeps the history list itself: cur starts a fresh one anyway
        history = cur.history
        cur.history = []
        new = cur.copy()
        new.history = history
        new.insn_idx = idx
        new.path = None
        cur.parent = new
        cur.dfs_depth = new.dfs_depth + 1
        cur.first_insn_idx = idx
        cur.jmp_hist = 0
        cur.branches = 1
        new.branches = 1
        scc = self.prog.scc[idx]
        if scc:
            entry = self.scc_entry.get(scc)
            if entry is None or entry.branches <= 0:
                self.scc_entry[scc] = new  # a new visit of the loop, without backedges yet
                self.scc_backedges.discard(scc)
        self.explored.setdefault(idx, []).insert(0, _Entry(new))
        return False

    def _may_goto_idx(self, idx: int) -> int:
        insn = self.insns[idx]
        return idx if insn is not None and insn[0] == 0xE5 else -1

    def _in_active_loop(self, idx: int) -> bool:
        """``incomplete_read_marks``: the loop's current visit has a recorded backedge."""
        scc = self.prog.scc[idx]
        if not scc or scc not in self.scc_backedges:
            return False
        entry = self.scc_entry.get(scc)
        return entry is not None and entry.branches > 0

    def _add_scc_backedge(self, idx: int) -> None:
        scc = self.prog.scc[idx]
        if not scc:
            return
        entry = self.scc_entry.get(scc)
        if entry is not None and entry.branches > 0:
            self.scc_backedges.add(scc)

    def _propagate_precision(self, old: VState) -> None:
        """Registers precise in the cached state must be precise on the pruned path too."""
        if not self.priv.bpf_capable:
            return
        regs: set[tuple[int, int]] = set()
        slots: set[tuple[int, int]] = set()
        for fi, f in enumerate(old.frames):
            for i, r in enumerate(f.regs):
                if r.type == SCALAR and r.precise:
                    regs.add((fi, i))
            for spi, slot in f.stack.items():
                if slot.is_spill and slot.spilled.type == SCALAR and slot.spilled.precise:
                    slots.add((fi, spi))
        if not regs and not slots:
            return
        cur = self.cur
        for fi, i in regs:
            if fi < len(cur.frames):
                r = cur.frames[fi].regs[i]
                if r.type == SCALAR:
                    r.precise = True
        backtrack(self, regs, slots, skip_first=False)

    def _states_equal(self, old: VState, cur: VState, exact: int, live: int | None) -> bool:
        if len(old.frames) != len(cur.frames):
            return False
        if old.speculative and not cur.speculative:
            return False
        if old.active_lock != cur.active_lock:
            return False
        idmap: dict[int, int] = {}
        if not _refsafe(old, cur, idmap):
            return False
        last = len(old.frames) - 1
        for fi in range(len(old.frames)):
            fo, fc = old.frames[fi], cur.frames[fi]
            if fo.callsite != fc.callsite or fo.callback_depth > fc.callback_depth:
                return False
            mask = live if (fi == last and live is not None and old.branches == 0) else None
            regsafe = self._regsafe
            ros, rcs = fo.regs, fc.regs
            for i in range(11):
                if mask is not None and not (mask >> i) & 1 and i != 10:
                    continue
                ro = ros[i]
                # regsafe's first test, inline: most registers of most states stop here
                if ro.type == NOT_INIT and (exact == NOT_EXACT or rcs[i].type == NOT_INIT):
                    continue
                if not regsafe(ro, rcs[i], idmap, exact):
                    return False
            smask = self.stack_live_before(old.insn_idx) if mask is not None else None
            if not self._stacksafe(fo, fc, idmap, exact, smask):
                return False
        return True

    def _regsafe(self, ro: Reg, rc: Reg, idmap: dict[int, int], exact: int) -> bool:
        if ro.type == NOT_INIT:
            if exact == NOT_EXACT or rc.type == NOT_INIT:
                return True
        if exact == EXACT:
            return _regs_exact(ro, rc, idmap)
        if ro.type != rc.type:
            return False
        base = ro.type & 0xFF
        if ro.type == SCALAR:
            if self.explore_alu_limits:
                return (
                    _same_value(ro, rc)
                    and ro.off == rc.off
                    and _check_scalar_ids(ro.id, rc.id, idmap)
                )
            if not ro.precise and exact == NOT_EXACT:
                return True
            flags = ro.id & ADD_CONST
            if flags != rc.id & ADD_CONST or (flags and ro.off != rc.off):
                return False
            return (
                _range_within(ro, rc)
                and tn.contains(ro.var_off, rc.var_off)
                and _check_scalar_ids(ro.id, rc.id, idmap)
            )
        if base in (PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, 19, PTR_TO_TP_BUFFER):
            return (
                ro.off == rc.off
                and ro.map is rc.map
                and ro.mem_size == rc.mem_size
                and _range_within(ro, rc)
                and tn.contains(ro.var_off, rc.var_off)
                and _check_ids(ro.id, rc.id, idmap)
                and _check_ids(ro.ref_obj_id, rc.ref_obj_id, idmap)
            )
        if base in (PTR_TO_PACKET, PTR_TO_PACKET_META):
            if ro.range > rc.range:
                return False
            if ro.range < 0 and ro.range != rc.range:
                # an "at/beyond pkt_end" mark decided branches on the old path
                return False
            if ro.off != rc.off:
                return False
            if not _check_ids(ro.id, rc.id, idmap):
                return False
            return _range_within(ro, rc) and tn.contains(ro.var_off, rc.var_off)
        if base == PTR_TO_STACK:
            return _regs_exact(ro, rc, idmap) and ro.frameno == rc.frameno
        return _regs_exact(ro, rc, idmap)

    def _stacksafe(
        self, fo: Frame, fc: Frame, idmap: dict[int, int], exact: int, live: int | None = None
    ) -> bool:
        for spi, so in fo.stack.items():
            if live is not None and exact == NOT_EXACT and not (live >> spi) & 1:
                continue
            sc_ = fc.stack.get(spi)
            # equal byte types pass every per-byte rule below (only the spill is left to check)
            same_types = sc_ is not None and so.types == sc_.types
            for j in range(0 if same_types else 8):
                to = so.types[j]
                tc = sc_.types[j] if sc_ is not None else STACK_INVALID
                if exact != NOT_EXACT and to != tc:
                    return False
                if to == STACK_INVALID:
                    continue
                if self.priv.allow_uninit_stack and to == STACK_MISC:
                    continue
                if sc_ is None:
                    return False
                if to == STACK_MISC and tc == STACK_ZERO:
                    continue
                if to == STACK_MISC and tc == STACK_SPILL and sc_.spilled.type == SCALAR:
                    continue
                if to != tc:
                    return False
            if so.types[7] == STACK_SPILL:
                assert sc_ is not None
                if not self._regsafe(so.spilled, sc_.spilled, idmap, exact):
                    return False
        if exact != NOT_EXACT:
            for spi, sc_ in fc.stack.items():
                if spi not in fo.stack and any(t != STACK_INVALID for t in sc_.types):
                    return False
        return True


# --- module-level helpers ---------------------------------------------------------------------

_const_reg = sc.const_reg


def _ptr_limit(ptr: Reg, mask_to_left: bool) -> int | None:
    """``retrieve_ptr_limit``: how far the pointer may move (None: beyond its bounds)."""
    if ptr.type == PTR_TO_STACK:
        top = 512 + int(mask_to_left)
        limit = -(sc.s64(ptr.var_off.value) + ptr.off)
    else:
        top = ptr.map.value_size if ptr.map is not None else 0
        limit = (ptr.smin if mask_to_left else ptr.umax) + ptr.off
    limit &= 0xFFFFFFFF
    return None if limit >= top else limit


def is_pkt_type_any(r: Reg) -> bool:
    return r.type in (PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_PACKET_END)


def _pkt_write_ok(prog_type: Any) -> bool:
    try:
        pt = ProgType(int(prog_type))
    except ValueError:
        return False
    return pt in (
        ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.LWT_XMIT,
        ProgType.SK_SKB, ProgType.SK_MSG, ProgType.LWT_SEG6LOCAL,
    )  # fmt: skip


def _range_within(ro: Reg, rc: Reg) -> bool:
    return (
        ro.umin <= rc.umin
        and ro.umax >= rc.umax
        and ro.smin <= rc.smin
        and ro.smax >= rc.smax
        and ro.u32min <= rc.u32min
        and ro.u32max >= rc.u32max
        and ro.s32min <= rc.s32min
        and ro.s32max >= rc.s32max
    )


def _check_ids(old_id: int, cur_id: int, idmap: dict[int, int]) -> bool:
    if not old_id and not cur_id:
        return True
    if not old_id or not cur_id:
        return False
    seen = idmap.get(old_id)
    if seen is None:
        if cur_id in idmap.values():
            return False
        idmap[old_id] = cur_id
        return True
    return seen == cur_id


def _check_scalar_ids(old_id: int, cur_id: int, idmap: dict[int, int]) -> bool:
    """``check_scalar_ids``: a missing scalar id is a fresh id that matches nothing else."""
    if not old_id:
        old_id = -1 - len(idmap) * 2
    if not cur_id:
        cur_id = -2 - len(idmap) * 2
    return _check_ids(old_id, cur_id, idmap)


def _same_value(ro: Reg, rc: Reg) -> bool:
    """The tnum and all eight bounds are equal."""
    return (
        ro.var_off == rc.var_off
        and ro.smin == rc.smin
        and ro.smax == rc.smax
        and ro.umin == rc.umin
        and ro.umax == rc.umax
        and ro.s32min == rc.s32min
        and ro.s32max == rc.s32max
        and ro.u32min == rc.u32min
        and ro.u32max == rc.u32max
    )


def _regs_exact(ro: Reg, rc: Reg, idmap: dict[int, int]) -> bool:
    return (
        ro.type == rc.type
        and ro.off == rc.off
        and _same_value(ro, rc)
        and ro.map is rc.map
        and ro.range == rc.range
        and ro.mem_size == rc.mem_size
        and ro.frameno == rc.frameno
        and _check_ids(ro.id, rc.id, idmap)
        and _check_ids(ro.ref_obj_id, rc.ref_obj_id, idmap)
    )


def _refsafe(old: VState, cur: VState, idmap: dict[int, int]) -> bool:
    if len(old.refs) != len(cur.refs):
        return False
    for a, b in zip(old.refs, cur.refs, strict=True):
        if not _check_ids(a.id, b.id, idmap):
            return False
    return True


def _same_reg_for_looping(a: Reg, b: Reg) -> bool:
    """The fields ``states_maybe_looping`` compares (the kernel's memcmp up to ``frameno``)."""
    return (
        a.var_off == b.var_off
        and a.type == b.type
        and a.off == b.off
        and a.smin == b.smin
        and a.smax == b.smax
        and a.umin == b.umin
        and a.umax == b.umax
        and a.s32min == b.s32min
        and a.s32max == b.s32max
        and a.u32min == b.u32min
        and a.u32max == b.u32max
        and a.id == b.id
        and a.ref_obj_id == b.ref_obj_id
        and a.map is b.map
        and a.range == b.range
    )


def _states_maybe_looping(old: VState, cur: VState, entry: _Entry | None = None) -> bool:
    if len(old.frames) != len(cur.frames):
        return False
    ro, rc = old.frames[-1].regs, cur.frames[-1].regs
    # a loop counter usually tells the states apart: try the register that did last time
    hint = entry.differs if entry is not None else 0
    if not _same_reg_for_looping(ro[hint], rc[hint]):
        return False
    for i in range(11):
        if not _same_reg_for_looping(ro[i], rc[i]):
            if entry is not None:
                entry.differs = i
            return False
    return True


def _mark_all_scalars_imprecise(st: VState) -> None:
    for f in st.frames:
        for r in f.regs:
            if r.type == SCALAR:
                r.precise = False
        for slot in f.stack.values():
            if slot.is_spill and slot.spilled.type == SCALAR:
                slot.spilled.precise = False


def _widen_imprecise_scalars(old: VState, cur: VState) -> None:
    for fi in range(min(len(old.frames), len(cur.frames))):
        fo, fc = old.frames[fi], cur.frames[fi]
        for a, b in zip(fo.regs, fc.regs, strict=True):
            _maybe_widen(a, b)
        for spi, so in fo.stack.items():
            sl = fc.stack.get(spi)
            if sl is not None and so.is_spill and sl.is_spill:
                _maybe_widen(so.spilled, sl.spilled)


def _maybe_widen(old: Reg, cur: Reg) -> None:
    if old.type != SCALAR or cur.type != SCALAR or cur.precise:
        return
    if old.precise:
        return
    same = (old.var_off == cur.var_off and old.smin == cur.smin and old.smax == cur.smax
            and old.umin == cur.umin and old.umax == cur.umax)  # fmt: skip
    if not same:
        cur.__init__()  # type: ignore[misc]
        cur.type = SCALAR


def _all_regs(st: VState) -> list[Reg]:
    out: list[Reg] = []
    for f in st.frames:
        out.extend(f.regs)
        for slot in f.stack.values():
            if slot.is_spill:
                out.append(slot.spilled)
    return out


def _sync_linked_regs(st: VState, known: Reg) -> None:
    """``sync_linked_regs``: what a branch learnt about ``known`` holds for its linked copies."""
    base = known.id & ~ADD_CONST
    kflags = known.id & ADD_CONST
    for r in _all_regs(st):
        if r is known or r.type != SCALAR or (r.id & ~ADD_CONST) != base:
            continue
        rflags = r.id & ADD_CONST
        if rflags and kflags and rflags != kflags:
            continue  # a 32-bit and a 64-bit delta do not relate the full values
        precise = r.precise
        if (not rflags and not kflags) or r.off == known.off:
            r.assign(known)
        else:
            # r = known + (r.off - known.off)
            saved_off, saved_id = r.off, r.id
            delta = sc.const_reg(saved_off - known.off)
            r.assign(known)
            r.off, r.id = saved_off, saved_id
            sc.scalar32_add(r, delta)
            sc.scalar_add(r, delta)
            r.var_off = tn.add(r.var_off, delta.var_off)
            if saved_id & ADD_CONST32:
                sc.zext_32_to_64(r)
            sc.reg_bounds_sync(r)
        r.precise = precise or known.precise


def _mark_ptr_or_null_regs(st: VState, regno: int, is_null: bool) -> None:
    regs = st.frames[-1].regs
    target = regs[regno]
    id_ = target.id
    ref = target.ref_obj_id
    if ref and is_null:
        st.refs = [r for r in st.refs if r.id != ref]
    if not id_:
        return
    for r in _all_regs(st):
        if r.type & PTR_MAYBE_NULL and r.id == id_:
            if is_null:
                r.type = SCALAR
                r.id = 0
                r.ref_obj_id = 0
                r.map = None
                r.off = 0
                r.range = 0
                r.mem_size = 0
                sc.mark_known(r, 0)
            else:
                _mark_ptr_not_null(r)
                if not may_point_to_spin_lock(r):  # the lock's identity (btf_fields.py)
                    r.id = 0


def _mark_ptr_not_null(r: Reg) -> None:
    """The kernel's mark_ptr_not_null_reg: what a checked lookup result points to."""
    r.type &= ~PTR_MAYBE_NULL
    if r.type != PTR_TO_MAP_VALUE or r.map is None:
        return
    map_type = getattr(r.map, "type", None)
    if map_type in _MAPS_OF_MAPS:
        # The value of a map-in-map is the inner map: later lookups use the inner map's spec.
        r.type = CONST_PTR_TO_MAP
        r.map = getattr(r.map, "inner_map", None)
    elif map_type == _XSKMAP:
        r.type = PTR_TO_XDP_SOCK
    elif map_type in _SOCK_MAPS:
        r.type = PTR_TO_SOCKET


# as globals: a member lookup on an enum class is slow on Python 3.11
_MAPS_OF_MAPS = (MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS)
_XSKMAP = MapType.XSKMAP
_SOCK_MAPS = (MapType.SOCKMAP, MapType.SOCKHASH)


def _find_good_pkt_pointers(st: VState, dst: Reg, type_: int, right_open: bool) -> None:
    if dst.off < 0 or (dst.off == 0 and right_open):
        return
    if dst.umax > MAX_PACKET_OFF or dst.umax + dst.off > MAX_PACKET_OFF:
        return
    new_range = dst.off + (1 if right_open else 0)
    for r in _all_regs(st):
        if r.type == type_ and r.id == dst.id:
            r.range = max(r.range, new_range)


def _mark_pkt_end(st: VState, regno: int, range_open: bool) -> None:
    r = st.frames[-1].regs[regno]
    if r.type != PTR_TO_PACKET:
        return
    r.range = BEYOND_PKT_END if range_open else AT_PKT_END


def _is_init_pkt(r: Reg, t: int) -> bool:
    return r.type == t and r.off == 0 and r.var_off.mask == 0 and r.var_off.value == 0


def _try_match_pkt_pointers(code: int, dst: int, src: int, this: VState, other: VState) -> bool:
    d = this.frames[-1].regs[dst]
    s = this.frames[-1].regs[src]
    od = other.frames[-1].regs[dst]
    os_ = other.frames[-1].regs[src]
    first = (d.type == PTR_TO_PACKET and s.type == PTR_TO_PACKET_END) or (
        d.type == PTR_TO_PACKET_META and _is_init_pkt(s, PTR_TO_PACKET)
    )
    second = (d.type == PTR_TO_PACKET_END and s.type == PTR_TO_PACKET) or (
        _is_init_pkt(d, PTR_TO_PACKET) and s.type == PTR_TO_PACKET_META
    )
    if code not in (sc.JGT, sc.JLT, sc.JGE, sc.JLE) or not (first or second):
        return False
    # The kernel's try_match_pkt_pointers, as a table: ``pkt > pkt_end`` (JGT) proves the
    # packet range on the fall-through side, ``pkt < pkt_end`` (JLT) on the taken side; the
    # "or equal" forms flip whether the bound is open; the mirrored comparison
    # (``pkt_end > pkt``) flips both.
    good_on_this = code in (sc.JGT, sc.JGE)
    right_open = code in (sc.JGE, sc.JLT)
    if first:
        this_reg, other_reg, pkt_type, end_regno = d, od, d.type, dst
    else:
        good_on_this, right_open = not good_on_this, not right_open
        this_reg, other_reg, pkt_type, end_regno = s, os_, s.type, src
    if good_on_this:
        _find_good_pkt_pointers(this, this_reg, pkt_type, right_open)
        _mark_pkt_end(other, end_regno, not right_open)
    else:
        _find_good_pkt_pointers(other, other_reg, pkt_type, right_open)
        _mark_pkt_end(this, end_regno, not right_open)
    return True


_NOT_NULL_TYPES = (11, 13, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, 12, PTR_TO_MEM)


def _is_branch_taken(d: Reg, s: Reg, code: int, jmp32: bool) -> int:
    if is_pkt_type_any(d) and is_pkt_type_any(s) and not jmp32:
        if s.type == PTR_TO_PACKET_END:
            pkt = d
        elif d.type == PTR_TO_PACKET_END:
            pkt = s
            code = sc.FLIP.get(code, code)
        else:
            return -1
        if pkt.range >= 0:
            return -1
        if code in (sc.JLE, sc.JGT):
            if pkt.range == BEYOND_PKT_END:
                return int(code == sc.JGT)
        elif code in (sc.JLT, sc.JGE):
            if pkt.range in (BEYOND_PKT_END, AT_PKT_END):
                return int(code == sc.JGE)
        return -1
    d_ptr = d.type not in (SCALAR, NOT_INIT)
    s_ptr = s.type not in (SCALAR, NOT_INIT)
    if d_ptr or s_ptr:
        if jmp32:
            return -1
        r1, r2 = d, s
        if not sc.is_reg_const(r2, False) or r2.type != SCALAR:
            code = sc.FLIP.get(code, code)
            r1, r2 = r2, r1
        if r2.type != SCALAR or not sc.is_reg_const(r2, False):
            return -1
        if r1.type not in _NOT_NULL_TYPES:
            return -1
        if r2.var_off.value != 0:
            return -1
        if code == sc.JEQ:
            return 0
        if code == sc.JNE:
            return 1
        return -1
    return sc.scalar_branch_taken(d, s, code, jmp32)


__all__ = ["Checker", "CheckOutcome", "Privilege", "Step", "format_reg"]
