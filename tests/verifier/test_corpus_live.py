"""Live re-check of the recorded corpus: does the running kernel still give the stored answers?

Root entries are loaded in this process, ``cap_bpf`` entries in a child without
CAP_SYS_ADMIN/CAP_PERFMON (through ``capsh``), exactly as the recorder did. A difference means
the kernel changed (record again with ``tools/record_verifier_corpus.py``) or the corpus is
stale.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from corpus_replay import load_corpus

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = load_corpus()
# Programs that run into the 1M-instruction limit take ~2 s each with a level-1 log; they are
# re-checked with a statistics-only log (verdict, errno, insns_processed), in their own test.
LARGE = 200_000


def _recorder() -> ModuleType:
    path = ROOT / "tools" / "record_verifier_corpus.py"
    spec = importlib.util.spec_from_file_location("record_verifier_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("record_verifier_corpus", module)
    spec.loader.exec_module(module)
    return module


def _is_large(entry: dict[str, Any]) -> bool:
    return (entry["kernel"]["insns_processed"] or 0) > LARGE


def _recheck(entries: list[dict[str, Any]], *, stats_only: bool = False) -> None:
    if os.geteuid() != 0:
        pytest.skip("the corpus was recorded as root; re-checking needs root")
    if platform.release() != entries[0]["kernel_version"]:
        pytest.skip(
            f"corpus recorded on {entries[0]['kernel_version']}, running {platform.release()}"
        )
    recorder = _recorder()
    by_priv: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_priv.setdefault(entry["privilege"], []).append(entry)
    if "cap_bpf" in by_priv and shutil.which("capsh") is None:
        pytest.skip("capsh (libcap2-bin) is needed to drop CAP_SYS_ADMIN/CAP_PERFMON")
    differences = []
    keys: tuple[str, ...] = ("accepted", "errno", "first_error_line", "insns_processed")
    if stats_only:
        keys = ("accepted", "errno", "insns_processed")
        entries = [{**e, "log_level": 4} for e in entries]
        by_priv = {p: [{**e, "log_level": 4} for e in group] for p, group in by_priv.items()}
    for privilege, group in by_priv.items():
        results = recorder.run_as(privilege, group)
        for entry, got in zip(group, results, strict=True):
            want = entry["kernel"]
            if any(got.get(k) != want[k] for k in keys):
                differences.append(
                    (
                        entry["name"],
                        {k: (want[k], got.get(k)) for k in keys if got.get(k) != want[k]},
                    )
                )
    assert not differences, f"{len(differences)} differ, e.g. {differences[:5]}"


@pytest.mark.kernel
def test_kernel_still_agrees_with_the_corpus() -> None:
    _recheck([e for e in ENTRIES if not _is_large(e)])


@pytest.mark.kernel
def test_kernel_still_agrees_on_the_large_programs() -> None:
    _recheck([e for e in ENTRIES if _is_large(e)], stats_only=True)
