"""How the command talks to people: one-line errors, colour only on a terminal, JSON for scripts."""

from __future__ import annotations

import json
import os
import sys
import time
from types import TracebackType
from typing import Any, TextIO


class UsageError(Exception):
    """A user error (bad arguments, unreadable input): one line on stderr, exit status 2."""


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "bold": "1", "dim": "2"}


def paint(text: str, colour: str, stream: TextIO | None = None) -> str:
    """``text`` in ``colour`` when ``stream`` (default: stdout) is a colour terminal."""
    if not use_colour(stream if stream is not None else sys.stdout):
        return text
    return f"\x1b[{_CODES[colour]}m{text}\x1b[0m"


def error(message: str) -> None:
    """Print one clear error line on stderr."""
    print(f"pyebpf: {paint('error', 'red', sys.stderr)}: {message}", file=sys.stderr)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its class name when it has none)."""
    text = str(exc)
    return text.splitlines()[0] if text.strip() else type(exc).__name__


def emit_json(value: Any) -> None:
    """Write ``value`` as indented JSON on stdout (what ``--json`` prints)."""
    sys.stdout.write(json.dumps(value, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if hasattr(value, "name") and hasattr(value, "value"):  # enums
        return value.name.lower()
    return str(value)


class Progress:
    """A one-line progress indicator on stderr, shown only when stderr is a terminal.

    Scripts and pipes get nothing, so the output they parse never changes; on a terminal the
    line appears only once an operation has run for ``delay`` seconds.
    """

    def __init__(
        self, label: str, *, stream: TextIO | None = None, delay: float | None = None
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        if delay is None:  # PYEBPF_PROGRESS_DELAY lets tests see the indicator at once
            try:
                delay = float(os.environ.get("PYEBPF_PROGRESS_DELAY", "0.3"))
            except ValueError:
                delay = 0.3
        self.delay = delay
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def update(self, detail: str = "") -> None:
        """Redraw the line (at most ten times a second), with an optional ``detail``."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._start < self.delay or (self._shown and now - self._last < 0.1):
            return
        self._last = now
        self._shown = True
        extra = f": {detail}" if detail else ""
        self.stream.write(f"\r\x1b[K{self.label}{extra} ({now - self._start:.1f}s)")
        self.stream.flush()

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
