"""The kernel-side verbs (bpftool's subset): ``prog list|show`` and ``map list|dump``.

Objects are named the way bpftool names them: ``ID`` or ``id ID``, ``pinned PATH``, ``name NAME``.
Failures of ``bpf()`` itself (no permission, an id that went away) exit with status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ..asm.text.printer import format_program
from ..errors import BPFError, PyebpfError
from .output import UsageError, emit_json

PROG_EXAMPLES = """\
examples:
  pyebpf prog list                         every program loaded in the kernel
  pyebpf prog list --json
  pyebpf prog show 42                      one program, by id
  pyebpf prog show name xdp_pass --disasm  by name, with its translated instructions
  pyebpf prog show pinned /sys/fs/bpf/prog by pin path
"""

MAP_EXAMPLES = """\
examples:
  pyebpf map list                          every map in the kernel
  pyebpf map dump 17                       a map's entries, keys and values in hex
  pyebpf map dump pinned /sys/fs/bpf/counts --json
  pyebpf map dump name counts
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    prog = sub.add_parser(
        "prog",
        parents=[parent],
        help="programs loaded in the kernel (list, show)",
        description="Programs loaded in the kernel.",
        epilog=PROG_EXAMPLES,
        formatter_class=fmt,
    )
    prog.set_defaults(group_parser=prog)
    verbs = prog.add_subparsers(dest="verb", metavar="VERB")
    p = verbs.add_parser(
        "list",
        parents=[parent],
        help="list every program",
        description="List the programs loaded in the kernel.",
        epilog=PROG_EXAMPLES,
        formatter_class=fmt,
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run_prog_list)
    p = verbs.add_parser(
        "show",
        parents=[parent],
        help="show one program",
        description="Show one program: ID, `id ID`, `name NAME` or `pinned PATH`.",
        epilog=PROG_EXAMPLES,
        formatter_class=fmt,
    )
    p.add_argument("what", nargs="+", metavar="PROG", help="ID | id ID | name NAME | pinned PATH")
    p.add_argument("--disasm", action="store_true", help="also print the translated instructions")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run_prog_show)

    maps = sub.add_parser(
        "map",
        parents=[parent],
        help="maps in the kernel (list, dump)",
        description="Maps in the kernel.",
        epilog=MAP_EXAMPLES,
        formatter_class=fmt,
    )
    maps.set_defaults(group_parser=maps)
    verbs = maps.add_subparsers(dest="verb", metavar="VERB")
    p = verbs.add_parser(
        "list",
        parents=[parent],
        help="list every map",
        description="List the maps in the kernel.",
        epilog=MAP_EXAMPLES,
        formatter_class=fmt,
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run_map_list)
    p = verbs.add_parser(
        "dump",
        parents=[parent],
        help="print a map's entries",
        description="Print every entry of one map: ID, `id ID`, `name NAME` or `pinned PATH`.",
        epilog=MAP_EXAMPLES,
        formatter_class=fmt,
    )
    p.add_argument("what", nargs="+", metavar="MAP", help="ID | id ID | name NAME | pinned PATH")
    p.add_argument("--json", action="store_true", help="print JSON (keys and values in hex)")
    p.set_defaults(run=run_map_dump)


# --- finding objects -------------------------------------------------------------------------


def _each(kind: str, opener: Callable[[int], Any]) -> Iterator[Any]:
    """Open every object of ``kind`` in turn (skipping those unloaded meanwhile)."""
    import errno

    from ..syscall.ids import object_ids

    for obj_id in object_ids(kind):
        try:
            obj = opener(obj_id)
        except BPFError as exc:
            if exc.errno == errno.ENOENT:
                continue
            raise
        try:
            yield obj
        finally:
            obj.close()


def _parse_selector(words: list[str], what: str) -> tuple[str, str]:
    """``["42"]``, ``["id", "42"]``, ``["name", "x"]``, ``["pinned", "/p"]`` -> (how, value)."""
    if len(words) == 1 and words[0].isdigit():
        return "id", words[0]
    if len(words) == 2 and words[0] in ("id", "name", "pinned"):
        if words[0] == "id" and not words[1].isdigit():
            raise UsageError(f"{what} id must be a number, not {words[1]!r}")
        return words[0], words[1]
    raise UsageError(
        f"name a {what} as ID, `id ID`, `name NAME` or `pinned PATH`, not {' '.join(words)!r}"
    )


def _open_one(kind: str, words: list[str]) -> Any:
    from ..syscall import Map, Program

    how, value = _parse_selector(words, "program" if kind == "prog" else kind)
    cls: Any = Program if kind == "prog" else Map
    noun = "program" if kind == "prog" else "map"
    try:
        if how == "id":
            return cls.from_id(int(value))
        if how == "pinned":
            return cls.from_pin(value)
    except BPFError:
        raise  # the kernel's answer, with errno: exit status 1
    except PyebpfError as exc:  # a pin path that is not on bpffs, and the like
        raise UsageError(f"{noun} {how} {value}: {exc}") from None
    found = [
        obj.id
        for obj in _each(kind, cls.from_id)
        if (obj.info().name if kind == "map" else _prog_name(obj)) == value
    ]
    if not found:
        raise UsageError(f"no {noun} named {value!r}")
    if len(found) > 1:
        raise UsageError(f"{len(found)} {noun}s are named {value!r} (ids {found}); pick one by id")
    return cls.from_id(found[0])


def _prog_name(prog: Any) -> str:
    from ..syscall.info import prog_info

    return prog_info(prog.fd, with_instructions=False).name


def _enum_name(value: Any) -> str:
    return value.name.lower() if hasattr(value, "name") else str(value)


# --- prog ------------------------------------------------------------------------------------


def _prog_record(info: Any) -> dict[str, Any]:
    return {
        "id": info.id,
        "type": _enum_name(info.type),
        "name": info.name,
        "tag": info.tag.hex(),
        "gpl_compatible": info.gpl_compatible,
        "map_ids": list(info.map_ids),
        "btf_id": info.btf_id,
        "verified_insns": info.verified_insns,
        "run_cnt": info.run_cnt,
        "run_time_ns": info.run_time_ns,
        "xlated_bytes": len(info.xlated),
        "jited_bytes": len(info.jited),
        "uid": info.created_by_uid,
    }


def run_prog_list(args: argparse.Namespace) -> int:
    from ..syscall import Program

    records = [_prog_record(p.info()) for p in _each("prog", Program.from_id)]
    if args.json:
        emit_json(records)
        return 0
    for r in records:
        _print_prog(r)
    return 0


def _print_prog(r: dict[str, Any]) -> None:
    name = f"  name {r['name']}" if r["name"] else ""
    gpl = "  gpl" if r["gpl_compatible"] else ""
    sys.stdout.write(f"{r['id']}: {r['type']}{name}  tag {r['tag']}{gpl}\n")
    maps = ",".join(map(str, r["map_ids"]))
    extra = f"  map_ids {maps}" if maps else ""
    btf = f"  btf_id {r['btf_id']}" if r["btf_id"] else ""
    sys.stdout.write(
        f"\tuid {r['uid']}  xlated {r['xlated_bytes']}B  jited {r['jited_bytes']}B"
        f"  verified_insns {r['verified_insns']}{extra}{btf}\n"
    )


def run_prog_show(args: argparse.Namespace) -> int:
    prog = _open_one("prog", args.what)
    try:
        info = prog.info()
    finally:
        prog.close()
    record = _prog_record(info)
    if args.disasm:
        record["instructions"] = format_program(info.instructions, annotate=True).splitlines()
    if args.json:
        emit_json(record)
        return 0
    _print_prog(record)
    if args.disasm:
        sys.stdout.write(format_program(info.instructions, annotate=True, listing=True))
    return 0


# --- map -------------------------------------------------------------------------------------


def _map_record(info: Any) -> dict[str, Any]:
    return {
        "id": info.id,
        "type": _enum_name(info.type),
        "name": info.name,
        "key_size": info.key_size,
        "value_size": info.value_size,
        "max_entries": info.max_entries,
        "flags": info.flags,
        "btf_id": info.btf_id,
    }


def run_map_list(args: argparse.Namespace) -> int:
    from ..syscall import Map

    records = [_map_record(m.info()) for m in _each("map", Map.from_id)]
    if args.json:
        emit_json(records)
        return 0
    for r in records:
        name = f"  name {r['name']}" if r["name"] else ""
        sys.stdout.write(
            f"{r['id']}: {r['type']}{name}  flags {r['flags']:#x}\n"
            f"\tkey {r['key_size']}B  value {r['value_size']}B  max_entries {r['max_entries']}\n"
        )
    return 0


def _hex(raw: bytes) -> str:
    return " ".join(f"{b:02x}" for b in raw)


def run_map_dump(args: argparse.Namespace) -> int:
    m = _open_one("map", args.what)
    try:
        if m.key_codec is None:
            raise UsageError(f"map {m.name!r} ({_enum_name(m.type)}) has no keys to dump")
        items = m.items()
    finally:
        m.close()
    if args.json:
        emit_json(
            [
                {"key": k.hex(), "values": [x.hex() for x in v]}
                if isinstance(v, list)
                else {"key": k.hex(), "value": v.hex()}
                for k, v in items
            ]
        )
        return 0
    for key, value in items:
        if isinstance(value, list):
            sys.stdout.write(f"key: {_hex(key)}\n")
            for cpu, v in enumerate(value):
                sys.stdout.write(f"\tvalue (CPU {cpu:02d}): {_hex(v)}\n")
        else:
            sys.stdout.write(f"key: {_hex(key)}  value: {_hex(value)}\n")
    sys.stdout.write(f"Found {len(items)} element{'s' if len(items) != 1 else ''}\n")
    return 0
