"""Run the ``pyebpf`` command as a user would: a subprocess of ``python -m pyebpf``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_line(self) -> str:
        """The one error line; fails the test if stderr holds more (a traceback, a usage dump)."""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, f"expected one error line, got:\n{self.stderr}"
        assert lines[0].startswith("pyebpf: error: "), lines[0]
        assert "Traceback" not in self.stderr
        return lines[0]


def pyebpf(*args: str | Path, stdin: bytes | None = None, cwd: Path | None = None) -> Result:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pyebpf", *map(str, args)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", errors="replace"),
        proc.stderr.decode("utf-8", errors="replace"),
        proc.stdout,
    )
