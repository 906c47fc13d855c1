"""``pyebpf.verifier.graph``: basic blocks, edges and the highlighted failing path."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pyebpf.asm import (
    R0,
    R1,
    R2,
    U32,
    Instructions,
    Label,
    call,
    call_local,
    exit_,
    ja,
    jeq,
    jgt,
    ldx,
    mov,
)
from pyebpf.errors import NotSupportedError, PyebpfError
from pyebpf.verifier.graph import Edge, control_flow_graph, to_dot, write_graph

BRANCHY = Instructions(
    [
        mov(R0, 0),
        ldx(U32, R2, R1, 0),
        jeq(R2, 0, "out"),
        mov(R0, 1),
        call("ktime_get_ns"),
        Label("out"),
        exit_(),
    ]
)


def test_blocks_and_edges() -> None:
    cfg = control_flow_graph(BRANCHY)
    assert [b.slots for b in cfg.blocks] == [(0, 1, 2), (3, 4), (5,)]
    assert set(cfg.edges) == {Edge(0, 3, "fall"), Edge(0, 5, "taken"), Edge(3, 5, "fall")}


def test_loop_and_ld_imm64_slots() -> None:
    from pyebpf.asm import ld_imm64

    prog = Instructions(
        [
            ld_imm64(R1, 1 << 40),  # two slots: the next instruction is slot 2
            Label("top"),
            mov(R0, 0),
            jgt(R1, 0, "top"),
            ja("end"),
            Label("end"),
            exit_(),
        ]
    )
    cfg = control_flow_graph(prog)
    assert [b.slots for b in cfg.blocks] == [(0,), (2, 3), (4,), (5,)]
    assert Edge(2, 2, "taken") in cfg.edges and Edge(4, 5, "goto") in cfg.edges


def test_bpf_to_bpf_call_edge() -> None:
    prog = Instructions([call_local("helper_fn"), exit_(), Label("helper_fn"), mov(R0, 1), exit_()])
    cfg = control_flow_graph(prog)
    assert Edge(0, 2, "call") in cfg.edges and Edge(0, 1, "fall") in cfg.edges


def test_dot_highlights_the_failing_path() -> None:
    dot = to_dot(
        BRANCHY, path=[0, 1, 2, 5], error_slot=5, error='R0 "!read_ok"', source={0: "int x;"}
    )
    assert re.search(r"b0 -> b5 \[[^]]*color=red", dot)
    assert not re.search(r"b0 -> b3 \[[^]]*color=red", dot)
    assert re.search(r"b5 \[[^]]*penwidth=2", dot)
    assert ">>   5: exit" in dot
    assert 'label="R0 \\"!read_ok\\""' in dot
    assert "; int x;\\l" in dot
    assert "call 5  # bpf_ktime_get_ns" in dot


def test_dot_without_error_has_no_red() -> None:
    assert "red" not in to_dot(BRANCHY)


def test_write_dot_and_unknown_format(tmp_path: Path) -> None:
    write_graph(to_dot(BRANCHY), tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text().startswith("digraph cfg {")
    with pytest.raises(PyebpfError, match="unknown graph format"):
        write_graph("digraph {}", tmp_path / "g.jpeg")
    with pytest.raises(PyebpfError, match="cannot write"):
        write_graph("digraph {}", tmp_path / "missing" / "g.dot")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_graphviz_accepts_the_dot(tmp_path: Path) -> None:
    dot = to_dot(BRANCHY, path=[0, 1, 2, 5], error_slot=5, error="R0 !read_ok")
    subprocess.run(["dot", "-Tplain"], input=dot.encode(), check=True, capture_output=True)
    write_graph(dot, tmp_path / "g.svg")
    assert (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")


def test_svg_without_graphviz_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(NotSupportedError, match="Graphviz"):
        write_graph("digraph {}", tmp_path / "g.png")
