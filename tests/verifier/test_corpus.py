"""Offline replay of the differential corpus recorded from the Linux kernel.

Every entry of ``tests/verifier/corpus/*.json`` is verified with ``pyebpf.verifier.verify``
and compared with the kernel's recorded verdict, first error line and ``insns_processed``.
The targets are those of issue 5:

* verdict agreement >= 95 %;
* no program the kernel rejects for a memory-safety reason is accepted (never relaxed);
* the first error line equals the kernel's for >= 90 % of the rejections both agree on;
* ``insns_processed`` equal to the kernel's where the verdicts agree.
"""

from __future__ import annotations

import collections
import functools
from typing import Any

import pytest
from corpus_replay import (
    Agreement,
    Replay,
    is_memory_safety_rejection,
    load_corpus,
    replay,
)

ALL_ENTRIES = load_corpus()
# Programs the kernel walks for more than this many instructions (the 1M-limit ones) take the
# engine 5-9 s each (about a minute in all); ``test_large_programs`` replays them with a longer
# timeout than the others get.
LARGE = 100_000
ENTRIES = [e for e in ALL_ENTRIES if (e["kernel"]["insns_processed"] or 0) <= LARGE]
LARGE_ENTRIES = [e for e in ALL_ENTRIES if (e["kernel"]["insns_processed"] or 0) > LARGE]
VERDICT_TARGET = 0.95
MESSAGE_TARGET = 0.90
INSNS_TARGET = 1.0


@functools.cache
def _replayed() -> tuple[tuple[dict[str, Any], Replay], ...]:
    return tuple((entry, replay(entry)) for entry in ENTRIES)


def _agreement() -> Agreement:
    agreement = Agreement()
    for entry, got in _replayed():
        agreement.add(entry, got)
    return agreement


# --- the corpus itself (independent of the engine) --------------------------------------------


def test_corpus_is_recorded_from_one_kernel() -> None:
    versions = {entry["kernel_version"] for entry in ALL_ENTRIES}
    assert len(versions) == 1, versions
    assert len(ALL_ENTRIES) >= 300


def test_corpus_entries_are_complete() -> None:
    names = set()
    for entry in ALL_ENTRIES:
        assert entry["name"] not in names, entry["name"]
        names.add(entry["name"])
        assert entry["privilege"] in ("root", "cap_bpf")
        assert len(bytes.fromhex(entry["insns"])) % 8 == 0
        kernel = entry["kernel"]
        assert isinstance(kernel["accepted"], bool)
        if kernel["accepted"]:
            assert kernel["errno"] == 0 and kernel["first_error_line"] is None
            assert kernel["insns_processed"] is not None
        else:
            assert kernel["errno"] > 0


def test_corpus_matches_its_source() -> None:
    """The recorded programs are those ``corpus/corpus_programs.py`` builds (else re-record)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
    from corpus_programs import all_groups

    built = {e["name"]: e for group in all_groups().values() for e in group}
    recorded = {e["name"]: e for e in ALL_ENTRIES}
    assert set(built) == set(recorded), set(built) ^ set(recorded)
    keys = ("insns", "prog_type_id", "attach_type_id", "prog_flags", "privilege", "maps")
    stale = [n for n, e in built.items() if any(e[k] != recorded[n][k] for k in keys)]
    assert not stale, stale[:10]


def test_every_group_has_both_verdicts_and_both_privileges() -> None:
    verdicts: dict[str, set[bool]] = collections.defaultdict(set)
    privileges: dict[str, set[str]] = collections.defaultdict(set)
    for entry in ALL_ENTRIES:
        verdicts[entry["group"]].add(entry["kernel"]["accepted"])
        privileges[entry["group"]].add(entry["privilege"])
    for group in verdicts:
        assert verdicts[group] == {True, False}, group
        assert privileges[group] == {"root", "cap_bpf"}, group


def test_privilege_changes_some_verdicts() -> None:
    by_program: dict[str, dict[str, bool]] = collections.defaultdict(dict)
    for entry in ALL_ENTRIES:
        by_program[entry["program"]][entry["privilege"]] = entry["kernel"]["accepted"]
    flips = [p for p, v in by_program.items() if len(set(v.values())) == 2]
    assert len(flips) >= 20, flips


# --- replay against the engine ------------------------------------------------------------------


def test_verify_never_raises_on_the_corpus() -> None:
    crashed = [(e["name"], got.crashed) for e, got in _replayed() if got.crashed is not None]
    assert not crashed, crashed[:10]


def test_no_memory_safety_rejection_is_accepted() -> None:
    """The one target that is never relaxed."""
    wrong = [
        (entry["name"], entry["kernel"]["first_error_line"])
        for entry, got in _replayed()
        if is_memory_safety_rejection(entry) and got.accepted
    ]
    assert not wrong, f"{len(wrong)} unsafe programs accepted, e.g. {wrong[:10]}"


def test_verdict_agreement() -> None:
    agreement = _agreement()
    print(agreement.summary())
    assert agreement.verdict_rate >= VERDICT_TARGET, agreement.summary()


def test_first_error_line_agreement() -> None:
    agreement = _agreement()
    print(agreement.summary())
    assert agreement.message_rate >= MESSAGE_TARGET, agreement.summary()


def test_insns_processed_agreement() -> None:
    agreement = _agreement()
    print(agreement.summary())
    assert agreement.insns_rate >= INSNS_TARGET, agreement.summary()


# Groups whose verdict agreement was below the target when this file was last measured; the
# reason carries the measured figure (strict=False: a fixed engine shows as XPASS).
_GROUPS_BELOW_TARGET: dict[str, str] = {}


@pytest.mark.parametrize(
    "group",
    [
        pytest.param(g, marks=pytest.mark.xfail(strict=False, reason=_GROUPS_BELOW_TARGET[g]))
        if g in _GROUPS_BELOW_TARGET
        else g
        for g in sorted({e["group"] for e in ENTRIES})
    ],
)
def test_group_verdict_agreement(group: str) -> None:
    agreement = Agreement()
    for entry, got in _replayed():
        if entry["group"] == group:
            agreement.add(entry, got)
    print(f"{group}: {agreement.summary()}")
    assert agreement.verdict_rate >= VERDICT_TARGET, f"{group}: {agreement.summary()}"


def test_large_programs() -> None:
    agreement = Agreement()
    unsafe = []
    for entry in LARGE_ENTRIES:
        got = replay(entry, timeout=600.0)
        agreement.add(entry, got)
        if is_memory_safety_rejection(entry) and got.accepted:
            unsafe.append(entry["name"])
    print(f"large programs: {agreement.summary()}")
    assert not unsafe, unsafe
    assert agreement.verdict_rate >= VERDICT_TARGET, agreement.summary()
