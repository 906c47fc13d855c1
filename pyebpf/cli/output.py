"""How the command talks to people: one-line errors, colour only on a terminal."""

from __future__ import annotations

import os
import sys
from typing import TextIO


class UsageError(Exception):
    """A user error (bad arguments, unreadable input): one line on stderr, exit status 2."""


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def paint(text: str, colour: str, stream: TextIO = sys.stdout) -> str:
    codes = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "bold": "1", "dim": "2"}
    if not use_colour(stream):
        return text
    return f"\x1b[{codes[colour]}m{text}\x1b[0m"


def error(message: str) -> None:
    """Print one clear error line on stderr."""
    print(f"pyebpf: {paint('error', 'red', sys.stderr)}: {message}", file=sys.stderr)
