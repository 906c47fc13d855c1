"""``pyebpf asm`` and ``pyebpf disasm``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from ..asm import Instructions, Label
from ..asm.text.printer import format_program
from ..errors import PyebpfError
from .inputs import instructions_from, read_input
from .output import UsageError

ASM_EXAMPLES = """\
examples:
  pyebpf asm prog.s -o prog.bin            raw bytecode, 8 bytes per slot
  pyebpf asm prog.s --format hex           one slot per line, in hex
  pyebpf asm prog.s --format c-array       a C array of struct bpf_insn bytes
  printf 'r0 = 0\\nexit\\n' | pyebpf asm - --format hex
"""

DISASM_EXAMPLES = """\
examples:
  pyebpf disasm prog.bin                   raw bytecode to text (llvm-objdump syntax)
  pyebpf disasm prog.bin --hex             immediates in hex, as llvm-objdump-22 prints them
  pyebpf disasm prog.bin --listing         slot numbers and raw bytes, like llvm-objdump -d
  pyebpf disasm xdp.o                      every program of an ELF object, with source lines
  pyebpf disasm xdp.o --program xdp_prog   one program of an ELF object
  pyebpf disasm xdp.o --section xdp        the programs of one ELF section
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "asm",
        parents=[parent],
        help="assemble text to raw bytecode",
        description="Assemble eBPF text (the syntax llvm-objdump prints) to raw bytecode.",
        epilog=ASM_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="assembly text, or - for standard input")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.add_argument(
        "--format",
        choices=("raw", "hex", "c-array"),
        default="raw",
        help="output format (default: raw)",
    )
    p.add_argument("--big-endian", action="store_true", help="encode for a big-endian target")
    p.set_defaults(run=run_asm)

    d = sub.add_parser(
        "disasm",
        parents=[parent],
        help="disassemble raw bytecode or an ELF object",
        description=(
            "Disassemble raw bytecode, assembly text or the programs of an ELF object to the "
            "text llvm-objdump prints. ELF programs show their C source lines where the object "
            "carries BTF line info."
        ),
        epilog=DISASM_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d.add_argument("file", help="raw bytecode, assembly text, an ELF object, or - for stdin")
    d.add_argument("--hex", action="store_true", help="print immediates in hexadecimal")
    d.add_argument("--listing", action="store_true", help="print slot numbers and raw bytes")
    d.add_argument(
        "--no-helper-names",
        action="store_true",
        help="do not annotate helper calls and jump targets",
    )
    d.add_argument("--no-source", action="store_true", help="ELF: do not print source lines")
    d.add_argument("--section", help="ELF: only programs of this section")
    d.add_argument("--program", help="ELF: only this program")
    d.add_argument("--big-endian", action="store_true", help="raw input is big-endian")
    d.set_defaults(run=run_disasm)


def run_asm(args: argparse.Namespace) -> int:
    inp = read_input(args.file, "asm")
    program = instructions_from(inp)
    try:
        data = program.to_bytes("big" if args.big_endian else "little", allow_unresolved=True)
    except PyebpfError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    if args.format == "raw":
        out: bytes = data
    elif args.format == "hex":
        out = "".join(data[i : i + 8].hex() + "\n" for i in range(0, len(data), 8)).encode()
    else:
        rows = [
            "\t" + ", ".join(f"0x{b:02x}" for b in data[i : i + 8]) + ","
            for i in range(0, len(data), 8)
        ]
        out = ("static const unsigned char prog[] = {\n" + "\n".join(rows) + "\n};\n").encode()
    if args.output:
        try:
            Path(args.output).write_bytes(out)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    elif args.format == "raw" and sys.stdout.isatty():
        raise UsageError(
            "refusing to write raw bytecode to a terminal (use -o FILE or --format hex)"
        )
    else:
        sys.stdout.buffer.write(out)
    return 0


def run_disasm(args: argparse.Namespace) -> int:
    inp = read_input(args.file)
    annotate = not args.no_helper_names
    if inp.kind == "elf":
        return _disasm_elf(inp.data, args, annotate)
    if args.section or args.program:
        raise UsageError(f"{args.file}: --section and --program need an ELF object")
    program = instructions_from(inp, "big" if args.big_endian else "little")
    sys.stdout.write(_text(program, args, annotate, {}))
    return 0


def _text(
    program: Instructions, args: argparse.Namespace, annotate: bool, source: Mapping[int, str]
) -> str:
    """The program's text, with ``; source line`` before the instruction at each slot of ``source``."""
    text = format_program(program, hex_imm=args.hex, annotate=annotate, listing=args.listing)
    if not source:
        return text
    offsets = program.slot_offsets
    out: list[str] = []
    index = 0
    for line in text.splitlines():
        # Label lines are ``name:`` (no tab); every instruction line holds a tab.
        if "\t" in line:
            shown = source.get(offsets[index])
            if shown is not None:
                out.append(f"; {shown}")
            index += 1
        out.append(line)
    return "\n".join(out) + "\n"


def _disasm_elf(data: bytes, args: argparse.Namespace, annotate: bool) -> int:
    from .elf_support import select_programs, source_lines

    section = None
    for name, spec in select_programs(data, args.file, args.section, args.program):
        if spec.section_name != section:
            section = spec.section_name
            sys.stdout.write(f"\nDisassembly of section {section or '?'}:\n")
        program = spec.instructions
        if len(program) and program[0].label is None:
            program = Instructions([Label(name), *program])  # the text names each program
        sys.stdout.write("\n")
        lines = {} if args.no_source else source_lines(spec)
        sys.stdout.write(_text(program, args, annotate, lines))
    return 0
