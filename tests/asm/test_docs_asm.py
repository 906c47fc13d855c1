"""docs/asm.md: its Python examples run (in order, one namespace) and its asm examples assemble."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyebpf.asm import Instructions, assemble

DOC = Path(__file__).resolve().parents[2] / "docs" / "asm.md"
TEXT = DOC.read_text()
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, re.S)
ASM = re.findall(r"```asm\n(.*?)```", TEXT, re.S)


def test_doc_has_examples() -> None:
    assert len(PYTHON) >= 8 and len(ASM) >= 7


def test_python_examples_run_in_order() -> None:
    namespace: dict[str, object] = {"__name__": "docs_asm"}
    for number, code in enumerate(PYTHON):
        try:
            exec(compile(code, f"{DOC}:python block {number}", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"python block {number} failed: {exc!r}\n{code}") from exc


@pytest.mark.parametrize("text", ASM, ids=[f"asm{i}" for i in range(len(ASM))])
def test_asm_examples_assemble_and_print_back(text: str) -> None:
    prog = assemble(text)
    assert len(prog) > 0
    again = assemble(str(prog))
    assert again == prog
    # With symbols filled in, the bytes round-trip through the disassembler too.
    fds = {name: 3 for name in prog.map_references()}
    linked = prog.with_map_fds(fds) if fds else prog
    data = linked.to_bytes(allow_unresolved=True)
    assert Instructions.from_bytes(data).to_bytes() == data
    assert assemble(str(Instructions.from_bytes(data))).to_bytes() == data
