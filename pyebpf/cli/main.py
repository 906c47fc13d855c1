"""Entry point: parse the command line, dispatch, and turn errors into one line + exit status.

Exit status: 0 success (for ``verify``: accepted), 1 the operation ran and said no (``verify``
rejected the program, the kernel refused a load), 2 a usage or input error, 3 an internal error
(a bug in pyebpf: ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from ..errors import BPFError, PyebpfError
from . import asm_commands, inspect_commands, kernel_commands, load_commands, verify_commands
from .output import UsageError, error, first_line

DESCRIPTION = """\
pyebpf: assemble, disassemble, verify and load eBPF programs (a pure-Python toolchain).

Run `pyebpf COMMAND --help` for a command's options and examples."""

EPILOG = """\
exit status: 0 success, 1 rejected/refused, 2 usage or input error, 3 internal error

examples:
  pyebpf asm prog.s -o prog.bin            assemble text to bytecode
  pyebpf disasm prog.o                     disassemble an object, with C source lines
  pyebpf verify prog.o                     offline verification, types from ELF sections
  pyebpf inspect prog.o                    programs, maps, globals and BTF of an object
  pyebpf btf dump prog.o                   the object's types, like bpftool btf dump
  pyebpf load prog.o --pin /sys/fs/bpf/app load and pin
  pyebpf run prog.o --program xdp_prog --data packet.bin
  pyebpf prog list                         the kernel's programs (also: map list, map dump)
"""

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# Each module adds its subcommands with register(subparsers, parent_parser).
COMMAND_MODULES = [asm_commands, verify_commands, inspect_commands, load_commands, kernel_commands]


class Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (``pyebpf asm: error: ... (see --help)``)."""

    def error(self, message: str) -> NoReturn:
        error(f"{self.prog}: {message} (see `{self.prog} --help`)")
        sys.exit(EXIT_USAGE)


def common_options() -> argparse.ArgumentParser:
    """Options every command accepts after its name, too (``pyebpf asm --debug ...``)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback on errors",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="pyebpf",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pyebpf {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parent = common_options()
    for module in COMMAND_MODULES:
        module.register(sub, parent)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if not hasattr(args, "run"):  # a command group (``pyebpf prog``) without its verb
        args.group_parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except UsageError as exc:
        return _fail(args, str(exc), EXIT_USAGE)
    except BPFError as exc:
        # The kernel said no: the operation ran and was refused.
        return _fail(args, first_line(exc), EXIT_REJECTED)
    except PyebpfError as exc:
        return _fail(args, first_line(exc), EXIT_USAGE)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except Exception as exc:  # a bug in pyebpf: say so in one line, traceback on --debug
        return _fail(
            args,
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            EXIT_INTERNAL,
        )


def _fail(args: argparse.Namespace, message: str, status: int) -> int:
    if getattr(args, "debug", False):
        traceback.print_exc()
    error(message)
    return status


def _silence_stdout() -> None:
    # The reader went away (``pyebpf disasm x | head``): stop Python complaining at exit.
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
