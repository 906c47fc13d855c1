"""pyebpf.verifier: an offline model of the Linux 6.18 eBPF verifier.

``verify(program, prog_type)`` predicts what ``bpf(BPF_PROG_LOAD)`` would answer: accepted or
not, the first error message in the kernel's wording, its errno, and how many instructions the
kernel would process; ``result.log()`` is a kernel-format log, ``result.explain()`` a readable
account of the path to the error. It never raises on a program (malformed input is a
rejection), and needs no kernel, no root and no ``bpf()``.

See ``docs/verifier.md`` for what is modelled and what is not.
"""

from __future__ import annotations

import errno as _errno
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._gcpause import gc_paused
from ..asm import Instruction, Instructions, iter_raw_slots
from ..errors import PyebpfError
from ..kernel_tables import ProgType
from ..spec import MapSpec, ProgramSpec
from .btf_fields import check_map_prog_compatibility
from .cfg import Raw, VerifyFail, check_program
from .globalfuncs import (
    changes_pkt_data,
    describe_subprogs,
    global_call_sites,
    global_pass_checker,
)
from .log import stats_line
from .simulate import Checker, Privilege, Step

__all__ = ["Privilege", "VerifyError", "VerifyResult", "verify"]


@dataclass(frozen=True)
class VerifyError:
    """Why the (simulated) kernel rejects the program.

    ``insn_index`` is the slot index of the failing instruction as the kernel numbers it (None
    for whole-program errors), ``message`` the kernel's text (the first line is what the
    kernel prints first; some errors print two lines), ``errno`` what ``bpf()`` would return.
    ``modelled`` is False when pyebpf stopped at something it does not simulate.
    """

    insn_index: int | None
    message: str
    errno: int
    modelled: bool = True

    @property
    def first_line(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def errno_name(self) -> str:
        return _errno.errorcode.get(self.errno, str(self.errno))

    def __str__(self) -> str:
        where = f"insn {self.insn_index}: " if self.insn_index is not None else ""
        return f"{where}{self.first_line} ({self.errno_name})"


@dataclass
class VerifyResult:
    """The verdict with its evidence (see :func:`verify`)."""

    accepted: bool
    error: VerifyError | None
    insns_processed: int
    max_states_per_insn: int = 0
    total_states: int = 0
    peak_states: int = 0
    stack_depth: tuple[int, ...] = ()
    prog_type: ProgType | None = None
    privilege: str = "root"
    _log1: list[str] = field(default_factory=list, repr=False)
    _log2: list[str] | None = field(default=None, repr=False)
    # the failing path's steps, built on first use: a 1M-insn rejection has a million of them
    _steps: list[Step] | Callable[[], list[Step]] = field(default_factory=list, repr=False)
    _rerun: Any = field(default=None, repr=False)
    _lines: dict[int, str] = field(default_factory=dict, repr=False)
    # the global function being verified on its own when the error was found ("" for main)
    _in_global: str = field(default="", repr=False)

    @property
    def _path(self) -> list[Step]:
        if callable(self._steps):
            self._steps = self._steps()
        return self._steps

    @property
    def stats_line(self) -> str:
        return stats_line(
            self.insns_processed, self.max_states_per_insn, self.total_states, self.peak_states
        )

    def log(self, level: int = 1) -> str:
        """The kernel-format verifier log at ``level`` 1 (failing path) or 2 (every insn).

        The log is produced on demand (by simulating again with logging on), so that
        :func:`verify` itself stays fast.
        """
        if level >= 2:
            if self._log2 is None and self._rerun is not None:
                self._log2 = self._rerun(2)
            lines = self._log2 or []
        else:
            if not self._log1 and self._rerun is not None:
                self._log1 = self._rerun(1)
            lines = self._log1
        out = list(lines)
        out.append(self.stats_line)
        return "\n".join(out) + "\n"

    def explain(self) -> str:
        from .explain import explain

        return explain(self)

    def __bool__(self) -> bool:
        return self.accepted


def _prog_type(value: Any) -> ProgType:
    if isinstance(value, ProgType):
        return value
    if isinstance(value, str):
        key = value.strip().upper().removeprefix("BPF_PROG_TYPE_")
        return ProgType[key]
    return ProgType(int(value))


def _slots_of(
    program: Any, maps: Mapping[Any, MapSpec] | None
) -> tuple[list[Raw], dict[int, MapSpec], dict[int, str]]:
    """Raw slots of any accepted program form, plus the map table keyed by ld_imm64 imm."""
    table: dict[int, MapSpec] = {}
    lines: dict[int, str] = {}
    if isinstance(program, ProgramSpec):
        byname = dict(program.maps)
        if maps:
            byname.update({k: v for k, v in maps.items() if isinstance(k, str)})
        insns = list(program.instructions)
        return _from_insns(insns, byname, maps, table, lines)
    if isinstance(program, bytes | bytearray | memoryview):
        slots = [fields for _, fields in iter_raw_slots(bytes(program))]
        if maps:
            table.update({int(k): v for k, v in maps.items() if not isinstance(k, str)})
        return slots, table, lines
    if isinstance(program, Instructions) or isinstance(program, Iterable):
        insns = list(program)
        if not all(isinstance(i, Instruction) for i in insns):
            raise TypeError("program must hold Instruction objects")
        byname = {k: v for k, v in (maps or {}).items() if isinstance(k, str)}
        return _from_insns(insns, byname, maps, table, lines)
    raise TypeError(f"cannot verify a {type(program).__name__}")


def _from_insns(
    insns: list[Instruction],
    byname: Mapping[str, MapSpec],
    maps: Mapping[Any, MapSpec] | None,
    table: dict[int, MapSpec],
    lines: dict[int, str],
) -> tuple[list[Raw], dict[int, MapSpec], dict[int, str]]:
    if maps:
        table.update({int(k): v for k, v in maps.items() if not isinstance(k, str)})
    # Give every symbolic map reference a private fd-like number and link labels.
    fake: dict[str, int] = {}
    resolved: list[Instruction] = []
    for insn in insns:
        ref = insn.reference
        if insn.is_map_load and ref is not None and ref in byname:
            if ref not in fake:
                fake[ref] = 0x7F000000 + len(fake)
                table[fake[ref]] = byname[ref]
            insn = insn.replace(imm=(insn.imm & ~0xFFFFFFFF) | fake[ref], reference=None)
        elif insn.is_kfunc_call and ref is not None and insn.imm == 0:
            # A kfunc by name gets its BTF id from the running kernel at load time; offline,
            # any id will do: kfunc calls are reported as not modelled.
            insn = insn.replace(imm=-1)
        resolved.append(insn)
    prog = Instructions(resolved)
    data = prog.to_bytes()
    slot = 0
    for insn in prog:
        src = insn.source
        if src is not None:
            # A btf.SourceLine prints as its C text; show where it is too.
            location = getattr(src, "location", None)
            text = str(src)
            lines[slot] = f"{text}  ({location})" if location else text
        slot += insn.width
    slots = [fields for _, fields in iter_raw_slots(data)]
    return slots, table, lines


def verify(
    program: Any,
    prog_type: ProgType | int | str,
    *,
    maps: Mapping[Any, MapSpec] | None = None,
    privilege: str = "root",
    attach_type: Any = None,
    strict_alignment: bool = False,
    license: str | None = None,
    log_level: int = 1,
    nr_cpus: int | None = None,
) -> VerifyResult:
    """Predict the Linux 6.18 verifier's answer for ``program`` (see the module docstring).

    ``program``: :class:`~pyebpf.asm.Instructions`, a list of instructions, raw bytes or a
    :class:`~pyebpf.spec.ProgramSpec` (whose ``maps`` resolve symbolic map references);
    ``prog_type``: a :class:`~pyebpf.kernel_tables.ProgType`, its value or name ("xdp");
    ``maps``: the :class:`~pyebpf.spec.MapSpec` behind each ld_imm64 map ``imm`` (fd or
    fd_array index), or by reference name; ``privilege``: ``"root"`` or ``"cap_bpf"``;
    ``nr_cpus``: the target kernel's number of possible CPUs (its ``nr_cpu_ids``, which bounds
    ``bpf_get_smp_processor_id()``), by default this machine's.
    """
    try:
        pt = _prog_type(prog_type)
    except (KeyError, ValueError, TypeError):
        return _rejected(None, f"unknown program type {prog_type!r}", _errno.EINVAL, privilege)
    if isinstance(program, ProgramSpec):
        if attach_type is None:
            attach_type = program.attach_type
        if license is None:
            license = program.license
    gpl = _gpl_compatible(license if license is not None else "GPL")
    try:
        priv = Privilege.of(privilege)
    except ValueError as e:
        return _rejected(pt, str(e), _errno.EINVAL, privilege)
    if nr_cpus is not None and (not isinstance(nr_cpus, int) or nr_cpus < 1):
        return _rejected(
            pt, f"nr_cpus must be a whole number >= 1, not {nr_cpus!r}", _errno.EINVAL, priv.name
        )
    from .prog_types import prog_type_loadable

    if not prog_type_loadable(pt, priv.name):
        return _rejected(
            pt,
            f"program type {pt.name.lower()} needs CAP_PERFMON or CAP_SYS_ADMIN "
            "(bpf() refuses it before verification)",
            _errno.EPERM,
            priv.name,
        )
    has_func_info = isinstance(program, ProgramSpec) and bool(program.func_info)
    try:
        slots, table, lines = _slots_of(program, maps)
    except (PyebpfError, TypeError, ValueError) as e:
        return _rejected(pt, f"cannot decode the program: {e}", _errno.EINVAL, privilege)

    def run(level: int) -> tuple[Any, list[str]]:
        try:
            prog = check_program(
                slots,
                table,
                bpf_capable=priv.bpf_capable,
                on_map=lambda spec, idx: check_map_prog_compatibility(spec, pt, idx),
            )
            if isinstance(program, ProgramSpec):
                prog.funcs = describe_subprogs(program, prog.subprogs, pt)
                if prog.funcs and prog.funcs[0].unsupported:
                    what = prog.funcs[0].unsupported
                    raise VerifyFail(_errno.EINVAL, f"{what} is not modelled by pyebpf", None)
        except VerifyFail as e:
            return e, [e.message]
        prog.line_info = lines
        prog.has_func_info = has_func_info
        prog.inner_maps = frozenset(
            id(m.inner_map) for m in table.values() if getattr(m, "inner_map", None) is not None
        )
        if prog.funcs is not None:
            prog.pkt_changing = changes_pkt_data(prog)
            prog.global_call_sites = global_call_sites(prog)
        options: dict[str, Any] = {
            "attach_type": attach_type,
            "privilege": priv,
            "log_level": level,
            "strict_alignment": strict_alignment,
            "gpl": gpl,
            "nr_cpus": possible_cpus() if nr_cpus is None else nr_cpus,
        }
        main = Checker(prog, pt, **options)
        out = main.run()
        out = _check_global_functions(prog, pt, main, out, options)
        if out.error is None:
            err = _check_stack_depth(prog, out.stack_depths)
            if err is not None:
                out.error = err
                out.log_lines.append(err.message)
        out.failed_global = prog.failed_global
        return out, out.log_lines

    try:
        with gc_paused():  # states form no cycles (see pyebpf._gcpause): 12% of a long run
            outcome, log1 = run(0)
    except Exception as e:  # never raise on a program: report pyebpf's own failure
        return _rejected(
            pt,
            f"pyebpf internal error: {type(e).__name__}: {e}",
            _errno.EFAULT,
            privilege,
            modelled=False,
        )
    if isinstance(outcome, VerifyFail):
        return VerifyResult(
            accepted=False,
            error=VerifyError(
                outcome.insn_idx, outcome.message, outcome.errno, _modelled(outcome.message)
            ),
            insns_processed=0,
            prog_type=pt,
            privilege=priv.name,
            _log1=log1,
            _log2=log1,
            _lines=lines,
        )
    err = outcome.error
    error = None
    if err is not None:
        error = VerifyError(err.insn_idx, err.message, err.errno, _modelled(err.message))

    def rerun(level: int) -> list[str]:
        try:
            with gc_paused():  # states form no cycles (see pyebpf._gcpause): 12% of a long run
                return run(level)[1]
        except Exception:  # pragma: no cover - defensive, mirrors the first run
            return []

    return VerifyResult(
        accepted=err is None,
        error=error,
        insns_processed=outcome.insns_processed,
        max_states_per_insn=outcome.max_states_per_insn,
        total_states=outcome.total_states,
        peak_states=outcome.peak_states,
        stack_depth=tuple(outcome.stack_depths),
        prog_type=pt,
        privilege=priv.name,
        _log1=[],
        _log2=None,
        _steps=lambda: outcome.path,
        _rerun=rerun,
        _lines=lines,
        _in_global=getattr(outcome, "failed_global", ""),
    )


def _check_global_functions(
    prog: Any, pt: ProgType, main: Checker, out: Any, options: dict[str, Any]
) -> Any:
    """``do_check_subprogs``: verify each called global function on its own, after main.

    The kernel's counters (processed instructions, states) run on across the passes; a level-1
    log keeps only the pass that failed (a pass that succeeds resets it).
    """
    if prog.funcs is None or out.error is not None:
        return out
    level = options["log_level"]
    log = list(out.log_lines) if level >= 2 else []
    depths = list(out.stack_depths)
    totals = [out.total_states, out.peak_states, out.max_states_per_insn]
    verified: set[int] = set()
    checker_cls = global_pass_checker(Checker)
    previous = main
    again = True
    while again:
        again = False
        for sp in range(1, len(prog.subprogs)):
            if sp not in prog.globals_called or sp in verified:
                continue
            name = prog.funcs[sp].name
            ck = checker_cls(prog, pt, subprog=sp, previous=previous, **options)
            previous = ck
            if level:
                ck.verbose(f"Validating {name}() func#{sp}...")
            out = ck.run()
            log.extend(out.log_lines)
            depths = [max(a, b) for a, b in zip(depths, out.stack_depths, strict=False)]
            totals = [
                totals[0] + out.total_states,
                max(totals[1], out.peak_states),
                max(totals[2], out.max_states_per_insn),
            ]
            if out.error is not None:
                out.log_lines = log
                prog.failed_global = name
                _set_totals(out, totals, depths)
                return out
            if level == 1:
                log = []
            if level:
                log.append(f"Func#{sp} ('{name}') is safe for any args that match its prototype")
            verified.add(sp)
            again = True
    out.log_lines = log if level else out.log_lines
    _set_totals(out, totals, depths)
    return out


def _set_totals(out: Any, totals: list[int], depths: list[int]) -> None:
    out.total_states, out.peak_states, out.max_states_per_insn = totals
    out.stack_depths = depths


def _gpl_compatible(license: str) -> bool:
    """``license_is_gpl_compatible`` of the kernel."""
    return license in ("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                       "Dual MIT/GPL", "Dual MPL/GPL")  # fmt: skip


def _modelled(message: str) -> bool:
    return "not modelled by pyebpf" not in message and "pyebpf internal" not in message


def _rejected(
    pt: ProgType | None, msg: str, err: int, privilege: str, modelled: bool = True
) -> VerifyResult:
    return VerifyResult(
        accepted=False,
        error=VerifyError(None, msg, err, modelled),
        insns_processed=0,
        prog_type=pt,
        privilege=privilege,
        _log1=[msg],
        _log2=[msg],
    )


def _check_stack_depth(prog: Any, depths: list[int]) -> VerifyFail | None:
    """``check_max_stack_depth``: the deepest call chain must fit in 512 bytes.

    A callback (``ld_imm64`` of a function) runs on top of its caller's frame, so it counts as
    a call here, as in the kernel.
    """
    starts = prog.subprogs
    calls: dict[int, list[int]] = {i: [] for i in range(len(starts))}
    for idx, insn in enumerate(prog.insns):
        if insn is None:
            continue
        if insn[0] == 0x85 and insn[2] == 1 or insn[0] == 0x18 and insn[2] == 4:
            caller = prog.subprog_of(idx)
            target = idx + ((insn[4] & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000 + 1
            callee = starts.index(target)
            # an async (timer) callback runs on a stack of its own unless called directly
            if insn[0] == 0x18 and callee in prog.async_callbacks:
                continue
            calls[caller].append(callee)

    def rnd(d: int) -> int:
        return (max(d, 0) + 15) // 16 * 16

    best: tuple[int, int] = (0, 0)

    def walk(sp: int, total: int, frames: int, seen: tuple[int, ...]) -> VerifyFail | None:
        nonlocal best
        total += rnd(depths[sp] if sp < len(depths) else 0)
        if total > 512:
            return VerifyFail(
                _errno.EACCES, f"combined stack size of {frames} calls is {total}. Too large"
            )
        for c in calls[sp]:
            if c in seen:
                continue
            r = walk(c, total, frames + 1, seen + (c,))
            if r is not None:
                return r
        return None

    for root in [0, *sorted(prog.async_callbacks)]:
        err = walk(root, 0, 1, (root,))
        if err is not None:
            return err
    return None


def possible_cpus() -> int:
    """This machine's number of possible CPUs, as the kernel's ``nr_cpu_ids`` counts them
    (``/sys/devices/system/cpu/possible``, e.g. ``0-3``), else ``os.cpu_count()``."""
    try:
        with open("/sys/devices/system/cpu/possible") as f:
            text = f.read().strip()
        return max(int(part.split("-")[-1]) for part in text.split(",")) + 1
    except (OSError, ValueError):
        return os.cpu_count() or 1
