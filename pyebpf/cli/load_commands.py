"""``pyebpf load`` (an object into the kernel, optionally pinned) and ``pyebpf run`` (test-run).

A rejection by the kernel's verifier exits with status 1: one line on stderr with the
verifier's reason, and the whole verifier log too with ``--log``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..errors import BPFError, PyebpfError, VerifierError
from ..kernel_tables import ProgType
from .elf_support import load
from .inputs import read_input
from .output import UsageError, emit_json, first_line

LOAD_EXAMPLES = """\
examples:
  pyebpf load prog.o                       load every map and program, report ids, unload
  pyebpf load prog.o --pin /sys/fs/bpf/app programs at DIR/NAME, maps at DIR/maps/NAME
  pyebpf load prog.o --json
  pyebpf load prog.o --log                 on rejection, print the kernel verifier's log
  pyebpf load prog.o --core-btf old.btf    CO-RE relocations against another kernel's BTF
"""

RUN_EXAMPLES = """\
examples:
  pyebpf run xdp.o --program xdp_prog --data packet.bin
  pyebpf run xdp.o --program xdp_prog --data-hex ffffffffffff0200000000010800 --repeat 1000
  pyebpf run xdp.o --program xdp_prog --data packet.bin --json --data-out out.bin
"""

# Return codes of the program types whose verdicts have names.
VERDICTS: dict[ProgType, dict[int, str]] = {
    ProgType.XDP: {0: "XDP_ABORTED", 1: "XDP_DROP", 2: "XDP_PASS", 3: "XDP_TX", 4: "XDP_REDIRECT"},
    ProgType.SCHED_CLS: {
        -1: "TC_ACT_UNSPEC",
        0: "TC_ACT_OK",
        1: "TC_ACT_RECLASSIFY",
        2: "TC_ACT_SHOT",
        3: "TC_ACT_PIPE",
        4: "TC_ACT_STOLEN",
        7: "TC_ACT_REDIRECT",
    },
}


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "load",
        parents=[parent],
        help="load an ELF object's maps and programs into the kernel",
        description=(
            "Load every map and program of an ELF object into the kernel, as libbpf would. "
            "Without --pin they are unloaded again when the command exits (a check that the "
            "kernel accepts the object)."
        ),
        epilog=LOAD_EXAMPLES,
        formatter_class=fmt,
    )
    p.add_argument("file", help="an ELF object")
    p.add_argument(
        "--pin", metavar="DIR", help="pin programs at DIR/NAME and maps at DIR/maps/NAME"
    )
    p.add_argument(
        "--pin-root",
        metavar="DIR",
        help="where maps marked LIBBPF_PIN_BY_NAME live (default: DIR/maps with --pin, "
        "else /sys/fs/bpf)",
    )
    p.add_argument(
        "--core-btf",
        metavar="FILE",
        help="resolve CO-RE relocations against this raw BTF file "
        "(default /sys/kernel/btf/vmlinux)",
    )
    p.add_argument("--log", action="store_true", help="on rejection, print the verifier log")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run_load)

    r = sub.add_parser(
        "run",
        parents=[parent],
        help="load an object and test-run one program on a packet (BPF_PROG_TEST_RUN)",
        description=(
            "Load an ELF object and run one of its programs in the kernel on the given data "
            "(BPF_PROG_TEST_RUN), without attaching it anywhere."
        ),
        epilog=RUN_EXAMPLES,
        formatter_class=fmt,
    )
    r.add_argument("file", help="an ELF object")
    r.add_argument("--program", help="the program to run (needed when the object has several)")
    data = r.add_mutually_exclusive_group()
    data.add_argument("--data", metavar="PACKET", help="file holding the input packet")
    data.add_argument("--data-hex", metavar="HEX", help="the input packet in hex")
    r.add_argument("--repeat", type=int, default=1, help="run N times (duration is the mean)")
    r.add_argument("--data-out", metavar="FILE", help="write the output packet to FILE")
    r.add_argument(
        "--pin-root",
        metavar="DIR",
        help="where maps marked LIBBPF_PIN_BY_NAME live (default /sys/fs/bpf)",
    )
    r.add_argument(
        "--core-btf",
        metavar="FILE",
        help="resolve CO-RE relocations against this raw BTF file "
        "(default /sys/kernel/btf/vmlinux)",
    )
    r.add_argument("--log", action="store_true", help="on rejection, print the verifier log")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.set_defaults(run=run_run)


def _load_collection(
    path: str, pin_root: str | None, show_log: bool, core_btf: str | None = None
) -> Any:
    from ..collection import DEFAULT_PIN_ROOT, load_collection

    inp = read_input(path)
    if inp.kind != "elf":
        raise UsageError(f"{path}: not an ELF object (load and run take clang-built objects)")
    obj = load(inp.data, path)
    try:
        if core_btf is not None and not os.path.isfile(core_btf):
            raise UsageError(f"--core-btf {core_btf}: no such file")
        coll = load_collection(
            obj, pin_root=pin_root or DEFAULT_PIN_ROOT, log_level=0, core_btf=core_btf
        )
        return obj, coll
    except VerifierError as exc:
        if show_log and exc.log:
            sys.stderr.write(exc.log if exc.log.endswith("\n") else exc.log + "\n")
        raise
    except BPFError:
        raise
    except PyebpfError as exc:
        raise UsageError(f"{path}: {first_line(exc)}") from None


def run_load(args: argparse.Namespace) -> int:
    pin_root = args.pin_root
    made: list[str] = []
    if args.pin:
        _check_pin_dir(args.pin)
        if pin_root is None:
            pin_root = os.path.join(args.pin, "maps")
        made = [d for d in (args.pin, pin_root) if not os.path.isdir(d)]
        _mkdir(args.pin)
        _mkdir(pin_root)
    try:
        obj, coll = _load_collection(args.file, pin_root, args.log, args.core_btf)
        with coll:
            programs = [
                {"name": name, "id": p.id, "type": p.type.name.lower()}
                for name, p in sorted(coll.programs.items())
            ]
            maps = [
                {"name": name, "id": m.id, "type": m.type.name.lower()}
                for name, m in sorted(coll.maps.items())
            ]
            if args.pin:
                _pin_all(coll, programs, maps, args.pin, pin_root)
    except BaseException:
        for directory in reversed(made):  # leave no empty pin directories behind
            try:
                os.rmdir(directory)
            except OSError:
                pass
        raise
    if args.json:
        emit_json({"file": args.file, "programs": programs, "maps": maps})
        return 0
    for record in programs:
        where = f"  pinned {record['pinned']}" if "pinned" in record else ""
        sys.stdout.write(f"program {record['name']}: id {record['id']} ({record['type']}){where}\n")
    for record in maps:
        where = f"  pinned {record['pinned']}" if "pinned" in record else ""
        sys.stdout.write(f"map {record['name']}: id {record['id']} ({record['type']}){where}\n")
    return 0


def _pin_name(name: str) -> str:
    # bpffs refuses names with dots; libbpf writes ".rodata" as "_rodata" too.
    return name.replace(".", "_")


def _pin_all(
    coll: Any, programs: list[dict[str, Any]], maps: list[dict[str, Any]], root: str, map_root: str
) -> None:
    """Pin everything, or nothing: a failure removes the pins made so far."""
    done: list[str] = []
    try:
        for record in programs:
            path = os.path.join(root, _pin_name(record["name"]))
            coll.programs[record["name"]].pin(path)
            done.append(path)
            record["pinned"] = path
        for record in maps:
            path = os.path.join(map_root, _pin_name(record["name"]))
            if not os.path.exists(path):  # maps pinned by name are there already
                coll.maps[record["name"]].pin(path)
                done.append(path)
            record["pinned"] = path
    except BaseException:
        for path in done:
            try:
                os.unlink(path)
            except OSError:
                pass
        raise


def _check_pin_dir(path: str) -> None:
    """--pin DIR: on a bpffs, and not holding pins already (checked before anything is made)."""
    from ..syscall.pin import is_bpffs

    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        if os.listdir(path):
            raise UsageError(
                f"--pin {path}: the directory is not empty (unpin what is there first)"
            )
        parent = path
    elif not os.path.isdir(parent):
        raise UsageError(f"--pin {path}: directory {parent} does not exist")
    if not is_bpffs(parent):
        raise UsageError(
            f"--pin {path}: not on a bpffs mount (mount one with `mount -t bpf bpf /sys/fs/bpf`)"
        )


def _mkdir(path: str) -> None:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {path}: {exc.strerror or exc}") from None


def _packet(args: argparse.Namespace) -> bytes:
    if args.data_hex is not None:
        try:
            return bytes.fromhex(args.data_hex)
        except ValueError:
            raise UsageError(f"--data-hex: not hexadecimal: {args.data_hex!r}") from None
    if args.data is not None:
        return read_input(args.data, "bytecode").data
    return b""


def run_run(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        raise UsageError(f"--repeat must be at least 1, not {args.repeat}")
    data = _packet(args)
    obj, coll = _load_collection(args.file, args.pin_root, args.log, args.core_btf)
    with coll:
        if args.program is None:
            if len(coll.programs) != 1:
                names = ", ".join(sorted(coll.programs)) or "none"
                raise UsageError(
                    f"{args.file} holds {len(coll.programs)} programs; pick one with --program ({names})"
                )
            args.program = next(iter(coll.programs))
        program = coll.programs.get(args.program)
        if program is None:
            names = ", ".join(sorted(coll.programs)) or "none"
            raise UsageError(f"{args.file}: no program {args.program!r} (programs: {names})")
        result = program.test_run(data, repeat=args.repeat)
        prog_type = program.type
    verdict = VERDICTS.get(prog_type, {}).get(_signed(result.retval))
    if args.data_out:
        try:
            with open(args.data_out, "wb") as f:
                f.write(result.data)
        except OSError as exc:
            raise UsageError(f"cannot write {args.data_out}: {exc.strerror or exc}") from None
    if args.json:
        emit_json(
            {
                "program": args.program,
                "retval": result.retval,
                "verdict": verdict,
                "duration_ns": result.duration,
                "repeat": args.repeat,
                "data_out": bytes(result.data).hex(),
            }
        )
        return 0
    shown = f" ({verdict})" if verdict else ""
    sys.stdout.write(f"retval: {result.retval}{shown}\n")
    sys.stdout.write(f"duration: {result.duration} ns (mean of {args.repeat} runs)\n")
    sys.stdout.write(f"data out: {len(result.data)} bytes\n")
    return 0


def _signed(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >> 31 else value
