"""Entry point: parse the command line, dispatch, and turn errors into one line + exit status."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from .. import __version__
from ..errors import PyebpfError
from . import asm_commands
from .output import UsageError, error

DESCRIPTION = """\
pyebpf: assemble, disassemble, verify and load eBPF programs (a pure-Python toolchain).

Run `pyebpf COMMAND --help` for a command's options and examples."""

EPILOG = """\
examples:
  pyebpf asm prog.s -o prog.bin
  pyebpf disasm prog.bin --listing
"""

# Each module adds its subcommands; the ones that need later layers import them lazily.
COMMAND_MODULES = [asm_commands]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyebpf",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pyebpf {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except UsageError as exc:
        if args.debug:
            traceback.print_exc()
        error(str(exc))
        return 2
    except PyebpfError as exc:
        if args.debug:
            traceback.print_exc()
        error(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        error("interrupted")
        return 130
