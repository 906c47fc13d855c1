"""Damaged input never crashes the command: exit 2 (or a verdict) with one error line."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from cli_runner import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyebpf.cli.main import main

OBJECT = (FIXTURES / "loader-el.o").read_bytes()
COMMANDS = (["inspect"], ["disasm"], ["verify"], ["btf", "dump"], ["disasm", "--listing"])


def _run(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(args)
    return status, err.getvalue()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.one_of(st.just(len(OBJECT)), st.integers(min_value=0, max_value=len(OBJECT))),
    flips=st.lists(st.tuples(st.integers(0, len(OBJECT) - 1), st.integers(0, 255)), max_size=12),
    command=st.sampled_from(COMMANDS),
)
def test_damaged_objects(
    tmp_path: Path, cut: int, flips: list[tuple[int, int]], command: list[str]
) -> None:
    data = bytearray(OBJECT)
    for offset, value in flips:
        data[offset] = value
    path = tmp_path / "damaged.o"
    path.write_bytes(bytes(data[:cut]))
    status, err = _run([*command, str(path)])
    assert status in (0, 1, 2), err
    if status == 2:
        assert len(err.splitlines()) == 1 and err.startswith("pyebpf: error: "), err


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=96), command=st.sampled_from([["disasm"], ["verify", "--type", "xdp"]])
)
def test_arbitrary_bytecode(tmp_path: Path, data: bytes, command: list[str]) -> None:
    path = tmp_path / "prog.bin"
    path.write_bytes(data)
    status, err = _run([*command, str(path)])
    assert status in (0, 1, 2), err
    if status == 2:
        assert len(err.splitlines()) == 1 and err.startswith("pyebpf: error: "), err
