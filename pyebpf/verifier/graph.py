"""The control-flow graph of a program as Graphviz DOT, with a failing path highlighted.

``control_flow_graph`` splits a program into basic blocks (by slot, as the kernel numbers
instructions); ``to_dot`` draws them, marking the blocks and edges of ``path`` (the slots the
verifier walked to reach an error) in red and the failing instruction with ``>>``;
``write_graph`` saves DOT text, or SVG/PNG through Graphviz's ``dot`` when it is installed::

    from pyebpf.verifier.graph import to_dot, write_graph
    write_graph(to_dot(program, path=[0, 1, 4], error_slot=4, error="R0 !read_ok"), "cfg.svg")

Only ``pyebpf.asm`` is needed: the graph is drawn offline, from the instructions alone.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..asm import Instruction, Instructions
from ..asm.text.printer import format_instruction, helper_name
from ..errors import NotSupportedError, PyebpfError


@dataclass(frozen=True)
class BasicBlock:
    """Instructions that run straight through: ``indices`` into the program, ``slots`` alike."""

    start: int  # slot of the first instruction
    indices: tuple[int, ...]
    slots: tuple[int, ...]

    @property
    def end(self) -> int:
        """Slot of the last instruction."""
        return self.slots[-1]


@dataclass(frozen=True)
class Edge:
    """From block ``src`` to block ``dst`` (both block start slots).

    ``kind`` is ``"fall"`` (falls through or the branch is not taken), ``"taken"`` (a
    conditional jump taken), ``"goto"`` (an unconditional jump) or ``"call"`` (a bpf-to-bpf
    call into a subprogram; the call itself falls through to the next instruction).
    """

    src: int
    dst: int
    kind: str


@dataclass(frozen=True)
class ControlFlowGraph:
    program: Instructions
    blocks: tuple[BasicBlock, ...]
    edges: tuple[Edge, ...]

    def block_of(self, slot: int) -> BasicBlock:
        """The block holding ``slot`` (an error if no instruction starts there)."""
        for block in self.blocks:
            if slot in block.slots:
                return block
        raise PyebpfError(f"no instruction starts at slot {slot}")


def _targets(insn: Instruction, slot: int) -> list[tuple[int, str]]:
    """Where control goes after ``insn`` at ``slot``: (slot, edge kind) pairs."""
    rel = insn.relative_offset
    nxt = slot + insn.width
    if insn.is_exit:
        return []
    if insn.is_local_call and rel is not None:
        return [(nxt, "fall"), (slot + rel + 1, "call")]
    if insn.is_unconditional_jump and rel is not None:
        return [(slot + rel + 1, "goto")]
    if (insn.is_branch or insn.is_may_goto) and rel is not None:
        return [(nxt, "fall"), (slot + rel + 1, "taken")]
    return [(nxt, "fall")]


def control_flow_graph(program: Instructions | Iterable[Instruction]) -> ControlFlowGraph:
    """Basic blocks and edges of ``program`` (label references are linked first).

    Jumps that leave the program are dropped from the graph rather than raising: the graph is
    for looking at programs the verifier rejects, too.
    """
    prog = program if isinstance(program, Instructions) else Instructions(program)
    prog = prog.link()
    offsets = prog.slot_offsets
    slot_to_index = {slot: i for i, slot in enumerate(offsets)}
    total = prog.slot_count
    leaders = {0} if len(prog) else set()
    for i, insn in enumerate(prog):
        targets = _targets(insn, offsets[i])
        if len(targets) != 1 or targets[0][1] != "fall":
            leaders.update(t for t, _ in targets if t in slot_to_index)
            nxt = offsets[i] + insn.width
            if nxt in slot_to_index:
                leaders.add(nxt)
    blocks: list[BasicBlock] = []
    edges: list[Edge] = []
    current: list[int] = []
    for i in range(len(prog)):
        if offsets[i] in leaders and current:
            blocks.append(_block(current, offsets))
            current = []
        current.append(i)
    if current:
        blocks.append(_block(current, offsets))
    for block in blocks:
        last = block.indices[-1]
        for target, kind in _targets(prog[last], offsets[last]):
            if 0 <= target < total and target in slot_to_index:
                edges.append(Edge(block.start, target, kind))
    return ControlFlowGraph(prog, tuple(blocks), tuple(edges))


def _block(indices: list[int], offsets: Sequence[int]) -> BasicBlock:
    return BasicBlock(offsets[indices[0]], tuple(indices), tuple(offsets[i] for i in indices))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _insn_text(insn: Instruction) -> str:
    text = format_instruction(insn)
    if insn.is_helper_call:
        name = helper_name(insn.imm)
        if name:
            text += f"  # {name}"
    return text


def to_dot(
    program: Instructions | Iterable[Instruction],
    *,
    path: Sequence[int] = (),
    error_slot: int | None = None,
    error: str = "",
    source: Mapping[int, str] | None = None,
    title: str = "",
) -> str:
    """Graphviz DOT text of the program's control-flow graph.

    ``path`` is the sequence of slots walked to the error at ``error_slot``: the blocks and
    edges it passes through are drawn in red, the failing instruction is marked ``>>`` and
    ``error`` (the verifier's message) is attached to it. ``source`` maps slots to C source
    lines, shown as ``; comments`` above their instruction.
    """
    cfg = control_flow_graph(program)
    prog = cfg.program
    on_path_blocks: set[int] = set()
    on_path_edges: set[tuple[int, int]] = set()
    previous: int | None = None
    for slot in path:
        try:
            start = cfg.block_of(slot).start
        except PyebpfError:
            continue
        on_path_blocks.add(start)
        if previous is not None and (previous != start or slot == start):
            on_path_edges.add((previous, start))
        previous = start
    error_block = None
    if error_slot is not None:
        try:
            error_block = cfg.block_of(error_slot).start
        except PyebpfError:
            error_block = None
    lines = [
        "digraph cfg {",
        '  graph [fontname="monospace", labelloc=t'
        + (f', label="{_escape(title)}"' if title else "")
        + "];",
        '  node [shape=box, fontname="monospace", fontsize=10];',
        '  edge [fontname="monospace", fontsize=9];',
    ]
    for block in cfg.blocks:
        rows = []
        shown = None  # a source line is shown once, where it starts
        for i, slot in zip(block.indices, block.slots, strict=True):
            insn = prog[i]
            if insn.label is not None:
                rows.append(f"{insn.label}:")
            if source and slot in source and source[slot] != shown:
                shown = source[slot]
                rows.append(f"; {shown}")
            marker = ">>" if slot == error_slot else "  "
            rows.append(f"{marker}{slot:4d}: {_insn_text(insn)}")
        label = "".join(_escape(row) + "\\l" for row in rows)
        attrs = [f'label="{label}"']
        if block.start == error_block:
            attrs += ["color=red", "penwidth=2", "style=filled", 'fillcolor="#ffe0e0"']
        elif block.start in on_path_blocks:
            attrs += ["color=red", "style=filled", 'fillcolor="#fff4f4"']
        lines.append(f"  b{block.start} [{', '.join(attrs)}];")
    for edge in cfg.edges:
        attrs = []
        if edge.kind == "taken":
            attrs.append('label="taken"')
        elif edge.kind == "call":
            attrs += ['label="call"', "style=dashed"]
        if (edge.src, edge.dst) in on_path_edges:
            attrs += ["color=red", "penwidth=2"]
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  b{edge.src} -> b{edge.dst}{suffix};")
    if error_block is not None and error:
        lines.append(f'  error [shape=note, color=red, fontcolor=red, label="{_escape(error)}"];')
        lines.append(f"  b{error_block} -> error [color=red, style=dotted, arrowhead=none];")
    lines.append("}")
    return "\n".join(lines) + "\n"


GRAPH_FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf"}


def write_graph(dot: str, path: str | Path) -> None:
    """Save DOT text to ``path``; ``.svg``/``.png``/``.pdf`` are rendered by Graphviz's ``dot``.

    Raises :class:`NotSupportedError` when a picture is asked for and ``dot`` is not installed,
    :class:`PyebpfError` when the file cannot be written or ``dot`` fails.
    """
    target = Path(path)
    fmt = GRAPH_FORMATS.get(target.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(GRAPH_FORMATS))
        raise PyebpfError(f"{target}: unknown graph format {target.suffix!r} (use {known})")
    if fmt == "dot":
        try:
            target.write_text(dot)
        except OSError as exc:
            raise PyebpfError(f"cannot write {target}: {exc.strerror or exc}") from None
        return
    tool = shutil.which("dot")
    if tool is None:
        raise NotSupportedError(
            f"{target}: drawing {fmt.upper()} needs Graphviz's `dot` (apt-get install graphviz);"
            " write a .dot file instead"
        )
    try:
        done = subprocess.run(
            [tool, f"-T{fmt}", "-o", str(target)],
            input=dot.encode(),
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PyebpfError(f"{target}: running dot failed: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise PyebpfError(f"{target}: dot failed: {message[0] if message else done.returncode}")
