"""``pyebpf inspect`` (what an object holds) and ``pyebpf btf dump`` (its types)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..btf import BTF, parse_btf
from ..errors import PyebpfError
from .btf_text import summary, type_name, type_record
from .elf_support import load
from .inputs import read_input
from .output import UsageError, emit_json, first_line, paint

INSPECT_EXAMPLES = """\
examples:
  pyebpf inspect prog.o                    programs, maps, globals and BTF of an object
  pyebpf inspect prog.o --json | jq '.programs[].name'
"""

BTF_EXAMPLES = """\
examples:
  pyebpf btf dump prog.o                   the object's .BTF, as `bpftool btf dump file` prints it
  pyebpf btf dump /sys/kernel/btf/vmlinux  raw BTF (the running kernel's types)
  pyebpf btf dump prog.o --json            one JSON record per type
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "inspect",
        parents=[parent],
        help="list the programs, maps, globals and BTF of an ELF object",
        description="Show what an ELF object holds: programs, maps, global variables, BTF.",
        epilog=INSPECT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="an ELF object (clang -target bpf), or - for standard input")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(run=run_inspect)

    group = sub.add_parser(
        "btf",
        parents=[parent],
        help="BTF type information (dump)",
        description="Work with BTF type information.",
        epilog=BTF_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = group.add_subparsers(dest="verb", metavar="VERB")
    group.set_defaults(group_parser=group)
    d = verbs.add_parser(
        "dump",
        parents=[parent],
        help="print every type",
        description=(
            "Print the BTF of an ELF object or a raw BTF file, in the raw format of "
            "`bpftool btf dump file`."
        ),
        epilog=BTF_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d.add_argument("file", help="an ELF object or a raw BTF file, or - for standard input")
    d.add_argument("--json", action="store_true", help="print JSON records instead of text")
    d.set_defaults(run=run_btf_dump)


def read_btf(path: str) -> BTF:
    """The BTF of an ELF object (its .BTF section as stored) or of a raw BTF file."""
    from ..elf.container import read_elf

    inp = read_input(path, "auto")
    try:
        if inp.kind == "elf":
            # As stored in the file, like bpftool: load_object fixes DATASEC sizes up.
            section = read_elf(inp.data).section_named(".BTF")
            if section is None:
                raise UsageError(f"{path}: the object has no .BTF section (build with clang -g)")
            return parse_btf(section.data)
        return parse_btf(inp.data, section=path)
    except PyebpfError as exc:
        what = "" if inp.kind == "elf" else "not an ELF object or raw BTF: "
        raise UsageError(f"{path}: {what}{first_line(exc)}") from None


def run_btf_dump(args: argparse.Namespace) -> int:
    btf = read_btf(args.file)
    if args.json:
        emit_json([type_record(t) for t in btf])
        return 0
    from ..btf.dump import dump_raw

    write = sys.stdout.write
    for text in dump_raw(btf):
        write(text + "\n")
    return 0


def describe(path: str) -> dict[str, Any]:
    """Everything ``inspect`` shows, as plain data."""
    inp = read_input(path, "auto")
    if inp.kind != "elf":
        raise UsageError(f"{path}: not an ELF object (inspect reads clang-built objects)")
    obj = load(inp.data, path)
    programs = []
    for name, spec in sorted(obj.programs.items()):
        programs.append(
            {
                "name": name,
                "section": spec.section_name,
                "type": spec.type.name.lower(),
                "attach_type": spec.attach_type.name.lower() if spec.attach_type else None,
                "attach_to": spec.attach_to or None,
                "insns": spec.instructions.slot_count,
                "maps": sorted(spec.maps),
                "license": spec.license,
            }
        )
    maps = []
    for name, m in sorted(obj.maps.items()):
        maps.append(
            {
                "name": name,
                "type": m.type.name.lower(),
                "key_size": m.key_size,
                "value_size": m.value_size,
                "max_entries": m.max_entries,
                "flags": m.flags,
                "pinning": m.pinning.name.lower(),
                "key_type": type_name(m.btf, m.key_type_id) if m.key_type_id else None,
                "value_type": type_name(m.btf, m.value_type_id) if m.value_type_id else None,
            }
        )
    variables = []
    for name, v in sorted(obj.variables.items()):
        variables.append(
            {
                "name": name,
                "section": v.section,
                "offset": v.offset,
                "size": v.size,
                "type": type_name(obj.btf, v.type_id) if v.type_id else None,
                "read_only": v.read_only,
            }
        )
    externs = [
        {"name": name, "kind": e.kind, "weak": e.weak} for name, e in sorted(obj.externs.items())
    ]
    btf: dict[str, Any] | None = None
    if obj.btf is not None:
        btf = summary(obj.btf)
        ext = obj.btf_ext
        if ext is not None:
            btf["func_info"] = sum(len(p.func_info or ()) for p in obj.programs.values())
            btf["line_info"] = sum(len(p.line_info or ()) for p in obj.programs.values())
        btf["core_relocations"] = sum(len(r) for r in obj.core_relocations.values())
    return {
        "file": path,
        "byteorder": obj.byteorder,
        "license": obj.license,
        "kernel_version": obj.kernel_version,
        "programs": programs,
        "maps": maps,
        "variables": variables,
        "externs": externs,
        "btf": btf,
    }


def run_inspect(args: argparse.Namespace) -> int:
    info = describe(args.file)
    if args.json:
        emit_json(info)
        return 0
    out = sys.stdout.write
    out(
        f"{paint(info['file'], 'bold')}: {info['byteorder']}-endian, "
        f"license {info['license'] or '(none)'!r}\n"
    )
    _table(
        f"programs ({len(info['programs'])})",
        ["name", "type", "section", "insns", "maps"],
        [
            [p["name"], p["type"], p["section"], str(p["insns"]), ",".join(p["maps"]) or "-"]
            for p in info["programs"]
        ],
    )
    _table(
        f"maps ({len(info['maps'])})",
        ["name", "type", "key", "value", "max_entries", "flags"],
        [
            [
                m["name"],
                m["type"],
                m["key_type"] or f"{m['key_size']}B",
                m["value_type"] or f"{m['value_size']}B",
                str(m["max_entries"]),
                hex(m["flags"]),
            ]
            for m in info["maps"]
        ],
    )
    _table(
        f"globals ({len(info['variables'])})",
        ["name", "section", "offset", "size", "type"],
        [
            [v["name"], v["section"], str(v["offset"]), str(v["size"]), v["type"] or "?"]
            for v in info["variables"]
        ],
    )
    if info["externs"]:
        _table(
            f"externs ({len(info['externs'])})",
            ["name", "kind", "weak"],
            [[e["name"], e["kind"], "yes" if e["weak"] else "no"] for e in info["externs"]],
        )
    btf = info["btf"]
    if btf is None:
        out("\nbtf: none\n")
    else:
        kinds = ", ".join(f"{count} {kind.lower()}" for kind, count in btf["kinds"].items())
        out(f"\nbtf: {btf['types']} types ({kinds})\n")
        if "line_info" in btf:
            out(
                f"btf.ext: {btf['func_info']} func info, {btf['line_info']} line info, "
                f"{btf['core_relocations']} CO-RE relocations\n"
            )
    return 0


def _table(title: str, header: list[str], rows: list[list[str]]) -> None:
    out = sys.stdout.write
    out(f"\n{paint(title, 'bold')}\n")
    if not rows:
        out("  (none)\n")
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)]
        out("  " + "  ".join(cells).rstrip() + "\n")
