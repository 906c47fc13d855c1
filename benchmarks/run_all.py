"""Run every benchmark in this folder (``bench_*.py``), one after the other.

Each benchmark prints its own table with the reference tool's figure beside ours, measured in
the same run. ``python benchmarks/run_all.py [NAME ...]`` runs only the named ones
(``asm``, ``syscall``, ``elf``, ``verifier``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    wanted = set(sys.argv[1:])
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ({script.name})", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=here.parent).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed to run: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
