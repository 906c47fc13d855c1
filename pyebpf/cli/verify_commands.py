"""``pyebpf verify``: offline verification of ELF programs, raw bytecode or assembly text.

Exit status 0 when every program is accepted, 1 when one is rejected, 2 for a usage or input
error (unreadable file, unknown program type, bytes that are not a program).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import PyebpfError
from ..kernel_tables import ProgType
from ..spec import MapSpec, ProgramSpec, map_type, prog_type
from .elf_support import line_texts, load, select_programs
from .inputs import instructions_from, read_input
from .output import Progress, UsageError, emit_json, first_line, paint

_T = TypeVar("_T")

VERIFY_EXAMPLES = """\
examples:
  pyebpf verify prog.o                         every program, type from its ELF section
  pyebpf verify prog.o --program xdp_prog --json
  pyebpf verify prog.s --type xdp              assembly text (or raw bytecode) needs --type
  pyebpf verify prog.s --type xdp --map counts:array:4:8:256
  pyebpf verify prog.o --program xdp_prog --graph cfg.svg   the CFG, failing path in red
  pyebpf verify prog.o --privilege cap_bpf --log-level 2    as an unprivileged loader would

exit status: 0 accepted, 1 rejected, 2 usage or input error
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "verify",
        parents=[parent],
        help="verify programs offline, as the Linux verifier would",
        description=(
            "Predict, without a kernel, whether the Linux 6.18 verifier accepts each program, "
            "and explain a rejection: the error, the path that leads to it and its source line."
        ),
        epilog=VERIFY_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="an ELF object, raw bytecode or assembly text (- for stdin)")
    p.add_argument("--program", help="ELF: only this program")
    p.add_argument(
        "--type", help="program type (xdp, socket_filter, ...); ELF: overrides the section"
    )
    p.add_argument(
        "--privilege",
        choices=("root", "cap_bpf"),
        default="root",
        help="what the loader may do (default: root)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="NAME:TYPE:KEY:VALUE:MAX",
        help="describe a map the text or bytecode refers to as map[NAME] (repeatable)",
    )
    p.add_argument(
        "--log-level",
        type=int,
        choices=(0, 1, 2),
        default=0,
        help="also print the kernel-format log",
    )
    p.add_argument(
        "--graph",
        metavar="OUT",
        help="write the control-flow graph (.dot, or .svg/.png with Graphviz)",
    )
    p.add_argument(
        "--nr-cpus",
        type=int,
        metavar="N",
        help="the target's number of possible CPUs (bounds bpf_get_smp_processor_id; "
        "default: this machine's)",
    )
    p.add_argument(
        "--core-btf",
        metavar="FILE",
        help="ELF: apply CO-RE relocations against this raw BTF file "
        "(default: this machine's /sys/kernel/btf/vmlinux, where there is one)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run_verify)


@dataclass
class Target:
    """One program to verify, with what the report needs to show about it."""

    name: str
    spec: ProgramSpec
    source: dict[int, str]


def _parse_map(text: str) -> MapSpec:
    parts = text.split(":")
    if len(parts) != 5:
        raise UsageError(f"--map {text!r}: expected NAME:TYPE:KEY:VALUE:MAX_ENTRIES")
    name, kind, key, value, entries = parts
    try:
        return MapSpec(
            name=name,
            type=map_type(kind),
            key_size=int(key, 0),
            value_size=int(value, 0),
            max_entries=int(entries, 0),
        )
    except (ValueError, PyebpfError) as exc:
        raise UsageError(f"--map {text!r}: {exc}") from None


def _prog_type(text: str) -> ProgType:
    try:
        return prog_type(text)
    except PyebpfError:
        known = ", ".join(t.name.lower() for t in ProgType if t.name != "UNSPEC")
        raise UsageError(f"unknown program type {text!r} (known: {known})") from None


def targets(args: argparse.Namespace) -> list[Target]:
    """The programs named on the command line, as specs with their types and maps."""
    inp = read_input(args.file)
    extra_maps = {m.name: m for m in map(_parse_map, args.map)}
    forced = _prog_type(args.type) if args.type else None
    if inp.kind != "elf":
        if args.program:
            raise UsageError(f"{args.file}: --program needs an ELF object")
        if forced is None:
            raise UsageError(f"{args.file}: {inp.kind} input has no program type; give --type")
        insns = instructions_from(inp)
        name = insns.name or (Path(args.file).stem if args.file != "-" else "prog")
        spec = ProgramSpec(name=name, type=forced, instructions=insns, maps=extra_maps)
        return [Target(spec.name, spec, {})]
    from ..elf import section_info

    obj = load(inp.data, args.file)
    if obj.core_relocations:
        obj.programs = _relocated(obj, args.core_btf, args.file)
    found = []
    for name, spec in select_programs(inp.data, args.file, None, args.program, obj):
        if forced is not None:
            spec = spec.replace(type=forced)
        elif section_info(spec.section_name) is None:
            raise UsageError(
                f"{args.file}: program {name!r} is in section {spec.section_name!r}, "
                "which names no program type; give --type"
            )
        if extra_maps:
            spec = spec.replace(maps={**spec.maps, **extra_maps})
        found.append(Target(name, spec, line_texts(spec)))
    return found


def _relocated(obj: Any, core_btf: str | None, path: str) -> dict[str, ProgramSpec]:
    """The object's programs with CO-RE applied, as a loader would before the kernel sees them.

    Without ``--core-btf`` and without kernel BTF on this machine, the programs stay as clang
    compiled them (with a note: field offsets are then clang's, not a kernel's).
    """
    from ..btf import read_btf_file
    from ..btf.kernel import KERNEL_BTF_DIR
    from ..elf.core import relocated_programs

    if core_btf is None and not os.path.exists(os.path.join(KERNEL_BTF_DIR, "vmlinux")):
        sys.stderr.write(
            f"pyebpf: note: {path}: no kernel BTF here, so CO-RE relocations are not applied; "
            "give --core-btf FILE to verify against a kernel's BTF\n"
        )
        return dict(obj.programs)
    try:
        target = read_btf_file(core_btf) if core_btf is not None else None
    except (OSError, PyebpfError) as exc:
        raise UsageError(
            f"--core-btf: {first_line(exc) if isinstance(exc, PyebpfError) else exc}"
        ) from None
    try:
        return relocated_programs(obj, target)
    except PyebpfError as exc:
        raise UsageError(f"{path}: {first_line(exc)}") from None


def _with_progress(label: str, work: Callable[[], _T]) -> _T:
    """Run ``work`` with an elapsed-time indicator on stderr when stderr is a terminal."""
    progress = Progress(label)
    if not progress.enabled:
        return work()
    done = threading.Event()

    def tick() -> None:
        progress.update()
        while not done.wait(0.1):
            progress.update()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        return work()
    finally:
        done.set()
        ticker.join()
        progress.close()


def run_verify(args: argparse.Namespace) -> int:
    from ..verifier import verify

    if args.nr_cpus is not None and args.nr_cpus < 1:
        raise UsageError(f"--nr-cpus {args.nr_cpus}: a target has at least one CPU")
    found = targets(args)
    if args.graph and len(found) != 1:
        names = ", ".join(t.name for t in found)
        raise UsageError(f"--graph draws one program; pick one with --program ({names})")
    results = []
    for target in found:
        work = functools.partial(
            verify,
            target.spec,
            target.spec.type,
            privilege=args.privilege,
            log_level=max(args.log_level, 1),
            nr_cpus=args.nr_cpus,
        )
        result = _with_progress(f"verifying {target.name}", work)
        results.append((target, result))
    if args.graph:
        _write_graph(args.graph, *results[0])
    if args.json:
        emit_json([_record(t, r, args.log_level) for t, r in results])
    else:
        for target, result in results:
            _report(target, result, args.log_level)
    return 0 if all(r.accepted for _, r in results) else 1


def _path_slots(result: Any) -> list[int]:
    return [step.idx for step in getattr(result, "_path", [])]


def _write_graph(out: str, target: Target, result: Any) -> None:
    from ..verifier.graph import to_dot, write_graph

    error = result.error
    title = f"{target.name} ({target.spec.type.name.lower()}): " + (
        "accepted" if result.accepted else "rejected"
    )
    dot = to_dot(
        target.spec.instructions,
        path=_path_slots(result) if error is not None else (),
        error_slot=error.insn_index if error is not None else None,
        error=error.first_line if error is not None else "",
        source=target.source,
        title=title,
    )
    try:
        write_graph(dot, out)
    except PyebpfError as exc:
        raise UsageError(str(exc)) from None


def _record(target: Target, result: Any, log_level: int) -> dict[str, Any]:
    error = result.error
    record: dict[str, Any] = {
        "program": target.name,
        "section": target.spec.section_name or None,
        "type": target.spec.type.name.lower(),
        "privilege": result.privilege,
        "accepted": result.accepted,
        "insns_processed": result.insns_processed,
        "total_states": result.total_states,
        "peak_states": result.peak_states,
        "error": None,
    }
    if error is not None:
        record["error"] = {
            "insn": error.insn_index,
            "message": error.message,
            "errno": error.errno_name,
            "source": _source_at(target, error.insn_index),
            "modelled": error.modelled,
        }
        record["path"] = _path_slots(result)
    if log_level:
        record["log"] = result.log(log_level)
    return record


def _source_at(target: Target, slot: int | None) -> str | None:
    """The C source line in effect at ``slot`` (the last line info at or before it)."""
    if slot is None or not target.source:
        return None
    best = None
    for start in sorted(target.source):
        if start > slot:
            break
        best = target.source[start]
    return best


def _report(target: Target, result: Any, log_level: int) -> None:
    out = sys.stdout.write
    kind = target.spec.type.name.lower()
    if result.accepted:
        states = result.total_states
        out(
            f"{target.name}: {paint('accepted', 'green')} ({kind}, {result.privilege}): "
            f"{result.insns_processed} instructions processed, "
            f"{states} state{'s' if states != 1 else ''} kept\n"
        )
    else:
        _report_rejection(target, result)
    if log_level:
        out(f"-- verifier log (level {log_level}) --\n")
        out(result.log(log_level))


def _report_rejection(target: Target, result: Any) -> None:
    out = sys.stdout.write
    error = result.error
    kind = target.spec.type.name.lower()
    where = f" at insn {error.insn_index}" if error.insn_index is not None else ""
    out(
        f"{target.name}: {paint('rejected', 'red')}{where} ({kind}, {result.privilege}): "
        f"{error.first_line} ({error.errno_name})\n"
    )
    line = _source_at(target, error.insn_index)
    if line:
        out(f"  source: {line}\n")
    steps = getattr(result, "_path", [])
    if steps:
        out("\n  path to the error (as simulated; branch decisions after '->'):\n")
        shown = None
        for step in steps:
            text = target.source.get(step.idx)
            if text is not None and text != shown:
                out(f"    ; {text}\n")
                shown = text
            out(f"    {step.text}\n")
    out(f"\n  error{where}:\n")
    for message_line in error.message.splitlines():
        out(f"    {message_line}\n")
    for explained in result.explain().splitlines():
        if explained.startswith(("Hint: ", "Note: ")):
            out(f"\n  {explained[0].lower()}{explained[1:]}\n")
    out("\n")
