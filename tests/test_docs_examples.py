"""Every code example in docs/ and README.md runs.

* ```python blocks are executed in order, one shared namespace per file (a tutorial builds on
  its earlier steps), with line numbers that point into the Markdown file.
* Blocks run in a scratch directory (one per file) where the repository's ``tests/``,
  ``examples/`` and ``docs/`` are visible, so ``tests/fixtures/loader-el.o`` works as a path.
* ```console blocks are shell sessions: each ``$ command`` line runs in bash (``pyebpf`` is
  this checkout's command), in one scratch directory per file, and the lines after it are the
  expected output (stdout and stderr together; a line ``...`` matches any number of lines).
  ``$ command  # exit 1`` expects that exit status instead of 0.
* A fence info word ``kernel`` (```python kernel) marks a block that needs ``bpf()``: it and
  everything after it in the file skip, or fail under ``PYEBPF_REQUIRE_KERNEL=1``, through
  ``require_kernel()``; ``llvm`` does the same for clang-22 and LLVM 22 (``require_llvm()``).
* ``file=NAME`` in the info string (```c file=counter.c) writes the block to ``NAME`` in the
  scratch directory, for the blocks after it to use.

Other fences (```sh for install commands, ```text) are shown, not run.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _root_conftest() -> Any:
    """tests/conftest.py, loaded by path (other test directories have a conftest.py too)."""
    spec = importlib.util.spec_from_file_location(
        "_pyebpf_root_conftest", ROOT / "tests" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require_kernel() -> None:
    _root_conftest().require_kernel()


def require_llvm() -> None:
    _root_conftest().require_llvm()
    if shutil.which("clang-22") is None:
        if os.environ.get("PYEBPF_REQUIRE_LLVM", "") not in ("", "0"):
            pytest.fail("PYEBPF_REQUIRE_LLVM=1 but clang-22 is not installed")
        pytest.skip("clang-22 is not installed")


DOC_FILES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
SHARED_DIRS = ("tests", "examples", "docs")
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.S | re.M)


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the first code line
    language: str
    tags: frozenset[str]
    code: str


def blocks_of(path: Path) -> list[Block]:
    text = path.read_text()
    found = []
    for match in FENCE.finditer(text):
        words = match.group(1).split()
        runnable = words and words[0] in ("python", "console")
        if not runnable and not any(word.startswith("file=") for word in words):
            continue
        line = text.count("\n", 0, match.start(2)) + 1
        found.append(Block(path, line, words[0], frozenset(words[1:]), match.group(2)))
    return found


RUNNABLE = [path for path in DOC_FILES if path.exists() and blocks_of(path)]


def test_docs_have_examples() -> None:
    assert RUNNABLE, "the docs should show runnable examples"


@pytest.mark.parametrize("path", RUNNABLE, ids=[str(p.relative_to(ROOT)) for p in RUNNABLE])
def test_examples_run(path: Path, tmp_path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "docs_example"}
    shell = Shell(tmp_path)
    for shared in SHARED_DIRS:  # relative paths such as tests/fixtures/x.o work as in the repo
        (tmp_path / shared).symlink_to(ROOT / shared)
    cwd = os.getcwd()
    os.chdir(tmp_path)  # examples that write files write them here
    try:
        for block in blocks_of(path):
            if "kernel" in block.tags:
                require_kernel()
            if "llvm" in block.tags:
                require_llvm()
            where = f"{path.relative_to(ROOT)}:{block.line}"
            target = next((t[5:] for t in block.tags if t.startswith("file=")), None)
            if target is not None:
                (tmp_path / target).write_text(block.code)
            elif block.language == "python":
                code = compile("\n" * (block.line - 1) + block.code, str(path), "exec")
                exec(code, namespace)
            else:
                shell.run_session(block.code, where)
    finally:
        os.chdir(cwd)
        unmount_under(tmp_path)  # a failed example must not leave its bpffs/cgroup mounts


def unmount_under(root: Path) -> None:
    """Unmount whatever an example mounted below ``root`` (innermost first)."""
    try:
        with open("/proc/self/mounts") as f:
            points = [line.split()[1] for line in f]
    except OSError:
        return
    for point in sorted((p for p in points if p.startswith(f"{root}/")), reverse=True):
        subprocess.run(["umount", point], check=False, capture_output=True)


class Shell:
    """Runs ``$ command`` lines of console blocks and compares their output."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        bindir = workdir / ".bin"
        bindir.mkdir()
        shim = bindir / "pyebpf"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pyebpf "$@"\n')
        shim.chmod(0o755)
        self.env = dict(
            os.environ,
            PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
            PYTHONPATH=str(ROOT),
            NO_COLOR="1",
            FIXTURES=str(ROOT / "tests" / "fixtures"),
            COLUMNS="100",
        )

    def run_session(self, session: str, where: str) -> None:
        commands: list[tuple[str, int, list[str]]] = []
        for line in session.splitlines():
            if line.startswith("$ "):
                command, status = line[2:], 0
                match = re.search(r"\s+# exit (\d+)$", command)
                if match:
                    command, status = command[: match.start()], int(match.group(1))
                commands.append((command, status, []))
            elif commands:
                commands[-1][2].append(line)
            else:
                pytest.fail(f"{where}: console block must start with a `$ command` line")
        for command, status, expected in commands:
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=self.workdir,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=120,
            )
            output = done.stdout.decode(errors="replace")
            assert done.returncode == status, (
                f"{where}: `{command}` exited {done.returncode}, expected {status}:\n{output}"
            )
            assert output_matches(output.splitlines(), expected), (
                f"{where}: `{command}` printed:\n{output}\nexpected:\n" + "\n".join(expected)
            )


def output_matches(actual: list[str], expected: list[str]) -> bool:
    """Line-by-line equality (trailing spaces ignored); ``...`` matches any lines."""
    actual = [line.rstrip() for line in actual]
    expected = [line.rstrip() for line in expected]
    while expected and expected[-1] == "":
        expected.pop()
    while actual and actual[-1] == "":
        actual.pop()
    return _match(actual, expected)


def _match(actual: list[str], expected: list[str]) -> bool:
    # reachable[k]: expected[:j] can match actual[:k]
    reachable = [True] + [False] * len(actual)
    for pattern in expected:
        if pattern == "...":
            for k in range(1, len(actual) + 1):
                reachable[k] = reachable[k] or reachable[k - 1]
        else:
            reachable = [False] + [
                reachable[k] and actual[k] == pattern for k in range(len(actual))
            ]
    return reachable[len(actual)]


def test_output_matching() -> None:
    assert output_matches(["a", "b", "c"], ["a", "...", "c"])
    assert output_matches(["a", "c"], ["a", "...", "c"])
    assert output_matches(["a", "b"], ["..."])
    assert not output_matches(["a", "b"], ["a", "c"])
    assert not output_matches(["a", "b", "x"], ["a"])


def test_console_session_failures_are_reported(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with pytest.raises(AssertionError, match="exited 3, expected 0"):
        Shell(tmp_path / "one").run_session("$ exit 3\n", "here")
    with pytest.raises(AssertionError, match="printed"):
        Shell(tmp_path / "two").run_session("$ echo hi\nho\n", "here")


def test_every_page_is_in_the_site_navigation() -> None:
    """A page missing from mkdocs.yml's nav is built but unreachable; catch it here."""
    nav = set(re.findall(r":\s*([\w./-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M))
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert pages <= nav, f"pages not in mkdocs.yml nav: {sorted(pages - nav)}"
