"""Walking the kernel's object ids (BPF_*_GET_NEXT_ID) -- what ``bpftool prog/map list`` does."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import SpecError
from . import commands

KINDS = ("prog", "map", "btf", "link")


def object_ids(kind: str) -> Iterator[int]:
    """Every id of ``kind`` ("prog", "map", "btf" or "link") loaded in the kernel, ascending.

    Open one with ``Map.from_id``, ``Program.from_id``, ``Link.from_id`` or ``BTF.from_id``;
    an object may disappear between listing and opening (ENOENT).
    """
    if kind not in KINDS:
        raise SpecError(f"object kind must be one of {', '.join(KINDS)}, not {kind!r}")
    current = 0
    while (nxt := commands.get_next_id(kind, current)) is not None:
        yield nxt
        current = nxt
