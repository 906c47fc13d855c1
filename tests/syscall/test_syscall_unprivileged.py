"""Without privileges: errors that say what is missing, and a demo that says it skipped.

Runs a child process with every capability dropped (setpriv --bounding-set=-all): uid 0 but
no CAP_BPF/CAP_SYS_ADMIN, which is how most users first meet bpf(): EPERM.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CHILD = r"""
import io, sys
from pyebpf import Map, MapSpec, Program, ProgramSpec
from pyebpf.asm import R0, exit_, mov
from pyebpf.errors import BPFError

try:
    Map(MapSpec(name="m", type="array", key_size=4, value_size=4, max_entries=1))
except BPFError as exc:
    print("MAP", exc.errno, exc)
try:
    Program(ProgramSpec(name="p", type="socket_filter", instructions=[mov(R0, 0), exit_()]))
except BPFError as exc:
    print("PROG", exc.errno, exc)
import runpy
out = io.StringIO()
real_stdout, sys.stdout = sys.stdout, out
try:
    runpy.run_path("examples/demo.py", run_name="__main__")
except SystemExit as exc:
    code = exc.code
finally:
    sys.stdout = real_stdout
print("DEMO", code, out.getvalue().replace("\n", " | "))
"""


def test_eperm_messages_without_privileges() -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a child without privileges")
    with open("/proc/sys/kernel/unprivileged_bpf_disabled") as f:
        if f.read().strip() == "0":
            pytest.skip("unprivileged bpf() is enabled here: no EPERM to check")
    result = subprocess.run(
        [
            "setpriv",
            "--inh-caps=-all",
            "--bounding-set=-all",
            sys.executable,
            "-c",
            CHILD,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split(" ", 1)[0]: line for line in result.stdout.splitlines()}
    assert lines["MAP"].startswith("MAP 1 ") and "CAP_BPF" in lines["MAP"]
    assert lines["PROG"].startswith("PROG 1 ") and "CAP_BPF" in lines["PROG"]
    assert (
        lines["DEMO"].startswith("DEMO 0 ")
        and "skipped: this process may not use bpf()" in lines["DEMO"]
    )
