"""Shared code of the corpus tests: reading the recorded corpus and replaying it offline.

The corpus files (``tests/verifier/corpus/<group>.json``) are written by
``tools/record_verifier_corpus.py``; each entry holds a program (hex), its program type, attach
type, maps (placeholder imm -> map fields), privilege, and the kernel's recorded answer.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
EACCES = 13
#: A replay that takes longer than this is recorded as a failure ("timeout"), so that an engine
#: that loops forever cannot hang the suite.
REPLAY_TIMEOUT = 8.0

# Rejections that protect memory: accepting any of these would let a program touch memory it
# must not, leak kernel addresses, or hand a helper the wrong kind of object. EACCES is the
# kernel's errno for access violations; the memory-safety rejections that come with another errno
# (EINVAL, EPERM, E2BIG) are recognised by their message.
_SAFETY_EINVAL = re.compile(
    r"math between |Unreleased reference|would lead to reference leak|invalid access to|"
    r"cannot return stack pointer|variable .* access|makes .* pointer be out of bounds|"
    r"invalid read from stack|invalid write to stack|pointer arithmetic|cannot pass map_type|"
    r"expected prog array map|has to have BTF in order to use bpf_spin_lock|"
    r"call stack of \d+ frames is too deep|is not a known value|access is allowed only to CAP_"
)


def load_corpus() -> list[dict[str, Any]]:
    """Every recorded entry, with its group and the kernel version it was recorded on."""
    entries: list[dict[str, Any]] = []
    for path in sorted(CORPUS_DIR.glob("*.json")):
        doc = json.loads(path.read_text())
        for entry in doc["entries"]:
            entry["group"] = doc["group"]
            entry["kernel_version"] = doc["kernel_version"]
            entries.append(entry)
    return entries


def is_memory_safety_rejection(entry: dict[str, Any]) -> bool:
    """Did the kernel reject this program to protect memory (not for structure or limits)?"""
    kernel = entry["kernel"]
    if kernel["accepted"]:
        return False
    if kernel["errno"] == EACCES:
        return True
    return bool(_SAFETY_EINVAL.search(kernel.get("first_error_line") or ""))


def map_specs(entry: dict[str, Any]) -> dict[int, Any]:
    """The entry's maps as ``{placeholder imm: pyebpf.MapSpec}`` for ``verify(maps=...)``."""
    from pyebpf.spec import MapSpec

    return {
        int(key): MapSpec(
            name="",
            type=fields["type"],
            key_size=fields["key_size"],
            value_size=fields["value_size"],
            max_entries=fields["max_entries"],
            flags=fields.get("flags", 0),
        )
        for key, fields in entry.get("maps", {}).items()
    }


@dataclass(frozen=True)
class Replay:
    """pyebpf's answer for one entry, in the corpus's terms."""

    accepted: bool
    message: str | None
    errno: int | None
    insns_processed: int | None
    crashed: str | None = None


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    return text.strip().splitlines()[0].strip() if text.strip() else None


@functools.cache
def _verify() -> tuple[Callable[..., Any], frozenset[str]]:
    from pyebpf.verifier import verify

    try:
        params = frozenset(inspect.signature(verify).parameters)
    except (TypeError, ValueError):
        params = frozenset()
    return verify, params


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that ``except Exception`` in verify misses it."""


class _time_limit:  # noqa: N801 -- used as a context manager
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = threading.current_thread() is threading.main_thread()

    def __enter__(self) -> None:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    @staticmethod
    def _expire(signum: int, frame: object) -> None:
        raise _Timeout


def replay(entry: dict[str, Any], timeout: float = REPLAY_TIMEOUT) -> Replay:
    """Run ``pyebpf.verifier.verify`` on one corpus entry (a failure after ``timeout`` s)."""
    verify, params = _verify()
    kwargs: dict[str, Any] = {"maps": map_specs(entry), "privilege": entry["privilege"]}
    optional = {
        "attach_type": entry.get("attach_type_id") if entry.get("attach_type") else None,
        "prog_flags": entry.get("prog_flags", 0),
        "strict_alignment": bool(entry.get("prog_flags", 0) & 1),  # BPF_F_STRICT_ALIGNMENT
        "license": entry.get("license", "GPL"),
    }
    for name, value in optional.items():
        if name in params:
            kwargs[name] = value
    try:
        with _time_limit(timeout):
            result = verify(bytes.fromhex(entry["insns"]), entry["prog_type"], **kwargs)
    except _Timeout:
        return Replay(False, None, None, None, crashed=f"timeout after {timeout} s")
    except Exception as exc:  # noqa: BLE001 -- verify must never raise; record it as a failure
        return Replay(False, None, None, None, crashed=f"{type(exc).__name__}: {exc}")
    error = getattr(result, "error", None)
    message = None
    errno = None
    if error is not None:
        message = _first_line(
            getattr(error, "message", None) or getattr(error, "msg", None) or str(error)
        )
        errno = getattr(error, "errno", None)
    return Replay(bool(result.accepted), message, errno, getattr(result, "insns_processed", None))


@dataclass
class Agreement:
    """Agreement figures of a replay against the kernel's recorded answers."""

    total: int = 0
    verdict_equal: int = 0
    rejections_both: int = 0
    silent_rejections: int = 0
    message_equal: int = 0
    errno_equal: int = 0
    insns_compared: int = 0
    insns_equal: int = 0
    crashes: int = 0

    @property
    def verdict_rate(self) -> float:
        return self.verdict_equal / self.total if self.total else 1.0

    @property
    def message_rate(self) -> float:
        return self.message_equal / self.rejections_both if self.rejections_both else 1.0

    @property
    def insns_rate(self) -> float:
        return self.insns_equal / self.insns_compared if self.insns_compared else 1.0

    def add(self, entry: dict[str, Any], got: Replay) -> None:
        kernel = entry["kernel"]
        self.total += 1
        self.crashes += got.crashed is not None
        if got.accepted != kernel["accepted"]:
            return
        self.verdict_equal += 1
        if kernel["insns_processed"] is not None and got.insns_processed is not None:
            self.insns_compared += 1
            self.insns_equal += got.insns_processed == kernel["insns_processed"]
        if not kernel["accepted"]:
            self.errno_equal += got.errno == kernel["errno"]
            if kernel["first_error_line"] is None:
                # bpf() refused before the verifier ran (EPERM): there is no line to compare.
                self.silent_rejections += 1
                return
            self.rejections_both += 1
            self.message_equal += got.message == kernel["first_error_line"]

    def summary(self) -> str:
        return (
            f"verdict {self.verdict_equal}/{self.total} ({self.verdict_rate:.1%}), "
            f"first error line {self.message_equal}/{self.rejections_both} "
            f"({self.message_rate:.1%}), errno {self.errno_equal}/"
            f"{self.rejections_both + self.silent_rejections}, "
            f"insns_processed {self.insns_equal}/{self.insns_compared} ({self.insns_rate:.1%}), "
            f"crashes {self.crashes}"
        )
