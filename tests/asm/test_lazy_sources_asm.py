"""``Instructions.with_lazy_sources``: sources attached on first look, kept by every copy."""

from __future__ import annotations

import pickle

import pytest

from pyebpf.asm import R0, R1, Instructions
from pyebpf.asm.dsl import exit_, ja, load_map_fd, mov
from pyebpf.errors import InstructionError


def program() -> Instructions:
    return Instructions(
        [
            load_map_fd(R1, "counters"),
            ja("out"),
            mov(R0, 1),
            mov(R0, 2).with_label("out"),
            exit_(),
        ]
    )


class Counting:
    """A source table that counts how often it is asked."""

    def __init__(self, entries: list[object]) -> None:
        self.entries = entries
        self.calls = 0

    def __call__(self) -> list[object]:
        self.calls += 1
        return self.entries


ENTRIES = ["load", None, "dead", "out", None]


def test_sources_are_attached_on_first_look_only() -> None:
    table = Counting(ENTRIES)
    lazy = program().with_lazy_sources(table)
    # Work that needs no source does not ask for it.
    assert lazy.slot_count == 6 and lazy.labels == {"out": 3}
    assert lazy.to_bytes(allow_unresolved=True) == program().to_bytes(allow_unresolved=True)
    assert lazy == program() and hash(lazy) == hash(program())
    assert table.calls == 0
    assert [insn.source for insn in lazy] == ENTRIES
    assert lazy[0].source == "load" and lazy[-2].source == "out"
    assert table.calls == 1


@pytest.mark.parametrize(
    "derive",
    [
        lambda p: p.link(),
        lambda p: p.associate_map("counters", 7),
        lambda p: Instructions([p]),
        lambda p: p + [],
        lambda p: [] + p,
        lambda p: p[:],
        lambda p: pickle.loads(pickle.dumps(p)),
    ],
    ids=["link", "associate_map", "nested", "add", "radd", "slice", "pickle"],
)
def test_copies_keep_the_sources(derive) -> None:
    table = Counting(ENTRIES)
    derived = derive(program().with_lazy_sources(table))
    assert [insn.source for insn in derived] == ENTRIES
    assert table.calls == 1


def test_link_keeps_sources_and_resolves() -> None:
    linked = program().with_lazy_sources(Counting(ENTRIES)).link()
    assert linked[1].off == 1 and linked[1].source is None
    assert linked[3].label == "out" and linked[3].source == "out"


def test_a_table_of_the_wrong_length_is_an_error() -> None:
    lazy = program().with_lazy_sources(Counting(["only one"]))
    with pytest.raises(InstructionError, match="1 source entries for a program of 5"):
        list(lazy)


def test_attached_sources_equal_with_source() -> None:
    lazy = program().with_lazy_sources(Counting(ENTRIES))
    eager = [
        insn if source is None else insn.with_source(source)
        for insn, source in zip(program(), ENTRIES, strict=True)
    ]
    assert [tuple(i) for i in lazy] == [tuple(i) for i in eager]
    assert lazy[2].replace(imm=5).source == "dead"
