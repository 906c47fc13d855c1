#!/usr/bin/env python3
"""Record the differential corpus of pyebpf's offline verifier from the running kernel.

Usage (as root, from the repository root)::

    python3 tools/record_verifier_corpus.py                 # (re)record the corpus JSON files
    python3 tools/record_verifier_corpus.py --group map     # record one group only
    python3 tools/record_verifier_corpus.py probe-helpers   # helper availability per program type
    python3 tools/record_verifier_corpus.py objects         # the clang objects' answers (below)

(``tests/verifier/test_corpus_live.py`` compares the stored answers with the running kernel.)

``objects`` records the programs of the clang-built objects in ``tests/verifier/objects/`` (BTF,
func_info, global functions, callbacks) into ``tests/verifier/objects/kernel_answers.json``.
Those need BTF and maps with BTF, so they are loaded through ``pyebpf.load_collection`` one
program at a time (the loader, not the verifier model under test), as root and as CAP_BPF only.

Every program of ``tests/verifier/corpus/corpus_programs.py`` is loaded with
``bpf(BPF_PROG_LOAD)`` twice: as full root, and as CAP_BPF without CAP_SYS_ADMIN/CAP_PERFMON
(in a child process started through ``capsh --drop=cap_sys_admin,cap_perfmon``). Each entry
stores the verdict, errno, the first error line of the level-1 log, ``insns_processed`` and the
log tail, with the kernel version. The loader is a private ctypes ``bpf()`` wrapper on
purpose: the corpus must not depend on the code it is meant to check.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import errno as errno_mod
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "tests" / "verifier" / "corpus"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(CORPUS_DIR))

_BPF_NR = {"x86_64": 321, "aarch64": 280}
BPF_MAP_CREATE = 0
BPF_PROG_LOAD = 5
LOG_SIZE = 16 << 20
_libc = ctypes.CDLL(None, use_errno=True)
_ATTR_SIZE = 160


def _bpf(cmd: int, attr: ctypes.Array[ctypes.c_char]) -> tuple[int, int]:
    nr = _BPF_NR[platform.machine()]
    ret = _libc.syscall(nr, cmd, ctypes.byref(attr), _ATTR_SIZE)
    return ret, (ctypes.get_errno() if ret < 0 else 0)


def create_map(fields: dict[str, int]) -> tuple[int, int]:
    """BPF_MAP_CREATE; returns (fd, 0) or (-1, errno)."""
    attr = ctypes.create_string_buffer(_ATTR_SIZE)
    values = (
        fields["type"],
        fields["key_size"],
        fields["value_size"],
        fields["max_entries"],
        fields.get("flags", 0),
    )
    for i, value in enumerate(values):
        ctypes.c_uint32.from_buffer(attr, 4 * i).value = value
    return _bpf(BPF_MAP_CREATE, attr)


@dataclass
class LoadResult:
    accepted: bool
    errno: int
    log: str


_log_buf = ctypes.create_string_buffer(LOG_SIZE)


def load_program(
    prog_type: int,
    insns: bytes,
    *,
    log_level: int,
    attach_type: int = 0,
    prog_flags: int = 0,
    license_: bytes = b"GPL",
) -> LoadResult:
    """BPF_PROG_LOAD; the program fd is closed again at once."""
    attr = ctypes.create_string_buffer(_ATTR_SIZE)
    code = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(license_)
    _log_buf[0] = b"\0"
    ctypes.c_uint32.from_buffer(attr, 0).value = prog_type
    ctypes.c_uint32.from_buffer(attr, 4).value = len(insns) // 8
    ctypes.c_uint64.from_buffer(attr, 8).value = ctypes.addressof(code)
    ctypes.c_uint64.from_buffer(attr, 16).value = ctypes.addressof(lic)
    ctypes.c_uint32.from_buffer(attr, 24).value = log_level
    ctypes.c_uint32.from_buffer(attr, 28).value = LOG_SIZE if log_level else 0
    ctypes.c_uint64.from_buffer(attr, 32).value = ctypes.addressof(_log_buf) if log_level else 0
    ctypes.c_uint32.from_buffer(attr, 44).value = prog_flags
    ctypes.c_uint32.from_buffer(attr, 68).value = attach_type
    fd, err = _bpf(BPF_PROG_LOAD, attr)
    log = _log_buf.value.decode("utf-8", "replace") if log_level else ""
    if fd >= 0:
        os.close(fd)
        return LoadResult(True, 0, log)
    return LoadResult(False, err, log)


# --- reading the log ---------------------------------------------------------------------------

_TRACE_LINE = re.compile(
    r"^(\d+: \(|\d+: R\d|\d+: frame|from \d+ to \d+:|; |\d+: \S+ \S|Live regs|"
    r"\s+\d+: |mark_precise:|\(\d+\) frame|func#|caller:|callee:|returning from callee:|"
    r"Func#|R\d+[_=])"
)
_PROCESSED = re.compile(
    r"^processed (\d+) insns \(limit \d+\) max_states_per_insn (\d+) total_states (\d+) "
    r"peak_states (\d+) mark_read (\d+)"
)


_GLUED = re.compile(r"^\d+: \([0-9a-f]{2}\) .*?\bgotol? pc[+-]\d+ ?(.*)$")
_STATE = re.compile(r"^(\d+: )?(R\d|frame|fp-)")


def parse_log(log: str) -> dict[str, Any]:
    """First error line, processed-insn statistics and the tail of a level-1 verifier log."""
    # A few messages lack a trailing newline, so "processed ..." can be glued to them.
    log = re.sub(r"(?<=\S)(processed \d+ insns \(limit)", r"\n\1", log)
    lines = [line for line in log.splitlines() if line.strip()]
    stats: dict[str, int] | None = None
    end = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        m = _PROCESSED.match(lines[i])
        if m:
            stats = {
                "insns_processed": int(m.group(1)),
                "max_states_per_insn": int(m.group(2)),
                "total_states": int(m.group(3)),
                "peak_states": int(m.group(4)),
            }
            end = i
            break
    body = lines[:end]
    # Drop the stats lines of log level 4 that precede "processed".
    while body and re.match(r"^(verification time|stack depth) ", body[-1]):
        body.pop()
    last_trace = -1
    for i, line in enumerate(body):
        if _TRACE_LINE.match(line):
            last_trace = i
    error_lines = body[last_trace + 1 :]
    if last_trace >= 0:
        # The kernel prints a jump's disassembly and then, without a newline, what follows it
        # (a state, or an error such as "infinite loop detected at insn 1").
        m = _GLUED.match(body[last_trace])
        rest = m.group(1).strip() if m else ""
        if rest and not rest.startswith(";") and not _STATE.match(rest):
            error_lines = [rest, *error_lines]
    return {
        "first_error_line": error_lines[0] if error_lines else None,
        "error_lines": error_lines[:4],
        "stats": stats,
        "log_tail": lines[-6:],
    }


def kernel_result(
    prog_type: int,
    insns: bytes,
    attach_type: int,
    prog_flags: int,
    license_: str = "GPL",
    log_level: int = 1,
) -> dict[str, Any]:
    """Load a program the way the corpus records it and summarise the kernel's answer.

    ``log_level=4`` (statistics only) is much faster on programs that run into the 1M limit
    but gives no error message (``first_error_line`` is then None).
    """
    lic = license_.encode()
    res = load_program(
        prog_type,
        insns,
        log_level=log_level,
        attach_type=attach_type,
        prog_flags=prog_flags,
        license_=lic,
    )
    parsed = parse_log(res.log)
    accepted, err = res.accepted, res.errno
    if err == errno_mod.ENOSPC:
        # The trace overflowed the log; the real verdict comes from a stats-only load.
        quiet = load_program(
            prog_type,
            insns,
            log_level=4,
            attach_type=attach_type,
            prog_flags=prog_flags,
            license_=lic,
        )
        accepted, err = quiet.accepted, quiet.errno
        qparsed = parse_log(quiet.log)
        if parsed["stats"] is None:
            parsed["stats"] = qparsed["stats"]
    stats = parsed["stats"] or {}
    return {
        "accepted": accepted,
        "errno": err,
        "errno_name": errno_mod.errorcode.get(err, "") if err else "",
        "first_error_line": None if accepted else parsed["first_error_line"],
        "error_lines": [] if accepted else parsed["error_lines"],
        "insns_processed": stats.get("insns_processed"),
        "max_states_per_insn": stats.get("max_states_per_insn"),
        "total_states": stats.get("total_states"),
        "peak_states": stats.get("peak_states"),
        "log_tail": parsed["log_tail"],
    }


# --- programs and maps -------------------------------------------------------------------------


def patch_map_fds(insns: bytes, fds: dict[int, int]) -> bytes:
    """Replace the imm of every ld_imm64 map reference (src 1 or 2) by the real map fd."""
    out = bytearray(insns)
    i = 0
    while i + 8 <= len(out):
        opcode, regs = out[i], out[i + 1]
        if opcode == 0x18 and (regs >> 4) in (1, 2):
            imm = int.from_bytes(out[i + 4 : i + 8], "little", signed=True)
            if imm in fds:
                out[i + 4 : i + 8] = fds[imm].to_bytes(4, "little", signed=True)
            i += 16
            continue
        i += 16 if opcode == 0x18 else 8
    return bytes(out)


def run_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Load each entry's program (with fresh maps) in this process; return the kernel results."""
    results = []
    for entry in entries:
        fds: dict[int, int] = {}
        map_error = None
        for key, fields in entry.get("maps", {}).items():
            fd, err = create_map(fields)
            if fd < 0:
                map_error = f"BPF_MAP_CREATE {fields} failed: {errno_mod.errorcode.get(err, err)}"
                break
            fds[int(key)] = fd
        if map_error is not None:
            results.append({"setup_error": map_error})
        else:
            insns = patch_map_fds(bytes.fromhex(entry["insns"]), fds)
            results.append(
                kernel_result(
                    entry["prog_type_id"],
                    insns,
                    entry.get("attach_type_id", 0),
                    entry.get("prog_flags", 0),
                    entry.get("license", "GPL"),
                    entry.get("log_level", 1),
                )
            )
        for fd in fds.values():
            os.close(fd)
    return results


def run_as(privilege: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the entries as root here, or in a capsh child without CAP_SYS_ADMIN/CAP_PERFMON."""
    if privilege == "root":
        return run_entries(entries)
    cmd = [
        "capsh",
        "--drop=cap_sys_admin,cap_perfmon",
        "--",
        "-c",
        f"exec {sys.executable} {Path(__file__).resolve()} worker",
    ]
    proc = subprocess.run(
        cmd, input=json.dumps(entries), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cap_bpf worker failed: {proc.stderr.strip()}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def kernel_version() -> str:
    return platform.release()


def record(groups: Iterable[str] | None = None) -> None:
    from corpus_programs import all_groups  # tests/verifier/corpus/corpus_programs.py

    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    wanted = set(groups) if groups else None
    for group, entries in all_groups().items():
        if wanted is not None and group not in wanted:
            continue
        by_priv: dict[str, list[int]] = {}
        for i, entry in enumerate(entries):
            by_priv.setdefault(entry["privilege"], []).append(i)
        for privilege, indexes in by_priv.items():
            results = run_as(privilege, [entries[i] for i in indexes])
            for i, result in zip(indexes, results, strict=True):
                entries[i]["kernel"] = result
        kept = [e for e in entries if "setup_error" not in e["kernel"]]
        for e in entries:
            if "setup_error" in e["kernel"]:
                print(f"  skipped {e['name']} ({e['privilege']}): {e['kernel']['setup_error']}")
        doc = {
            "group": group,
            "kernel_version": kernel_version(),
            "recorded_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "format": 1,
            "entries": kept,
        }
        path = CORPUS_DIR / f"{group}.json"
        path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
        acc = sum(1 for e in kept if e["kernel"]["accepted"])
        rejected = len(kept) - acc
        print(f"{group}: {len(kept)} entries ({acc} accepted, {rejected} rejected) -> {path.name}")


# --- helper availability -----------------------------------------------------------------------

_PROBE_TYPES = (
    "SOCKET_FILTER", "KPROBE", "SCHED_CLS", "SCHED_ACT", "TRACEPOINT", "XDP", "PERF_EVENT",
    "CGROUP_SKB", "CGROUP_SOCK", "LWT_IN", "LWT_OUT", "LWT_XMIT", "SOCK_OPS", "SK_SKB",
    "SK_MSG", "RAW_TRACEPOINT", "CGROUP_SOCK_ADDR", "CGROUP_DEVICE", "CGROUP_SYSCTL",
    "FLOW_DISSECTOR", "SK_REUSEPORT", "SK_LOOKUP", "CGROUP_SOCKOPT",
)  # fmt: skip


def probe_helpers() -> dict[str, list[int]]:
    """For each program type: the helper ids whose call passes the availability check."""
    from pyebpf.asm.helper_ids import HelperId
    from pyebpf.kernel_tables import AttachType, ProgType

    default_attach = {
        "CGROUP_SOCK_ADDR": AttachType.CGROUP_INET4_CONNECT,
        "CGROUP_SOCKOPT": AttachType.CGROUP_GETSOCKOPT,
        "SK_LOOKUP": AttachType.SK_LOOKUP,
    }
    out: dict[str, list[int]] = {}
    max_id = max(HelperId)
    for name in _PROBE_TYPES:
        pt = ProgType[name]
        attach = int(default_attach.get(name, 0))
        ok: list[int] = []
        for hid in range(1, max_id + 1):
            # call hid; r0 = 0; exit -- the availability check precedes every argument check.
            insns = (
                bytes([0x85, 0, 0, 0]) + hid.to_bytes(4, "little")
                + bytes([0xB7, 0, 0, 0, 0, 0, 0, 0])
                + bytes([0x95, 0, 0, 0, 0, 0, 0, 0])
            )  # fmt: skip
            res = load_program(int(pt), insns, log_level=1, attach_type=attach)
            if res.errno == errno_mod.EPERM and not res.log:
                ok = []
                break
            if "cannot use helper" in res.log or "invalid func" in res.log:
                continue
            if "unknown func" in res.log:
                continue
            ok.append(hid)
        out[name] = ok
    return out


OBJECTS_DIR = ROOT / "tests" / "verifier" / "objects"


def object_answer(path: Path, program: str) -> dict[str, Any]:
    """Load one program of a clang object (with its BTF and maps) and summarise the answer."""
    import dataclasses

    from pyebpf import load_collection
    from pyebpf.elf import load_object
    from pyebpf.errors import BPFError, VerifierError
    from pyebpf.kernel_tables import MapType
    from pyebpf.spec import Pinning

    obj = load_object(str(path))
    fd_maps = (MapType.PROG_ARRAY, MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS)
    maps = {
        name: m.replace(pinning=Pinning.NONE, contents=() if m.type in fd_maps else m.contents)
        for name, m in obj.maps.items()
    }
    one = dataclasses.replace(obj, programs={program: obj.programs[program]}, maps=maps)
    try:
        with load_collection(one, log_level=1) as coll:
            log, accepted, err = coll.programs[program].verifier_log, True, 0
    except VerifierError as e:
        log, accepted, err = e.log, False, e.errno
    except BPFError as e:  # refused before verification (no log), e.g. EPERM for kprobes
        return {
            "accepted": False,
            "errno": e.errno,
            "first_error_line": None,
            "insns_processed": None,
        }
    parsed = parse_log(log)
    stats = parsed["stats"] or {}
    return {
        "accepted": accepted,
        "errno": err,
        "first_error_line": None if accepted else parsed["first_error_line"],
        "insns_processed": stats.get("insns_processed"),
    }


def object_answers_as(privilege: str, cases: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """:func:`object_answer` for each (object file name, program), as root or CAP_BPF only."""
    if privilege == "root":
        return [object_answer(OBJECTS_DIR / obj, prog) for obj, prog in cases]
    cmd = [
        "capsh",
        "--drop=cap_sys_admin,cap_perfmon",
        "--",
        "-c",
        f"exec {sys.executable} {Path(__file__).resolve()} objects-worker",
    ]
    proc = subprocess.run(cmd, input=json.dumps(cases), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"cap_bpf worker failed: {proc.stderr.strip()}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def record_objects() -> None:
    from pyebpf.elf import load_object

    cases = [
        (path.name, name)
        for path in sorted(OBJECTS_DIR.glob("*.o"))
        for name in load_object(str(path)).programs
    ]
    answers: dict[str, dict[str, Any]] = {}
    for privilege in ("root", "cap_bpf"):
        for (obj, prog), answer in zip(cases, object_answers_as(privilege, cases), strict=True):
            answers.setdefault(obj, {}).setdefault(prog, {})[privilege] = answer
    for obj, programs in answers.items():
        print(f"{obj}: {len(programs)} programs")
    doc = {
        "kernel_version": kernel_version(),
        "recorded_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "objects": answers,
    }
    (OBJECTS_DIR / "kernel_answers.json").write_text(json.dumps(doc, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="record",
        choices=["record", "worker", "probe-helpers", "objects", "objects-worker"],
    )
    parser.add_argument("--group", action="append", help="record only this group (repeatable)")
    args = parser.parse_args(argv)
    if args.command == "worker":
        entries = json.loads(sys.stdin.read())
        json.dump(run_entries(entries), sys.stdout)
        return 0
    if args.command == "probe-helpers":
        json.dump(probe_helpers(), sys.stdout)
        return 0
    if args.command == "objects-worker":
        cases = [tuple(case) for case in json.loads(sys.stdin.read())]
        json.dump(object_answers_as("root", cases), sys.stdout)  # type: ignore[arg-type]
        return 0
    if args.command == "objects":
        record_objects()
        return 0
    record(args.group)
    return 0


if __name__ == "__main__":
    sys.exit(main())
