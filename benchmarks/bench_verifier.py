"""Speed of the offline verifier beside the kernel's own ``verification time`` (log_level 4).

Three programs: a 100,000-instruction straight line, a 1,000-iteration counted loop and branchy
map/packet code (XDP). For each: pyebpf's processed instructions per second (from the
median of repeated runs; the first, cold run's time is printed too) and, where
``bpf()`` works, the kernel's verification time and the ratio. Run::

    python benchmarks/bench_verifier.py

Measured 2026-11-26 (CPython 3.11, 2 cores shared with other jobs; three runs, each
alternating with the previous engine from a ``git worktree`` of HEAD): straight line
257,000-262,000 insns/s, loop 167,000-215,000 (215,000 once precision backtracking skipped
immediate ALU/jump insns), branchy 142,000-145,000 (the kernel is 7-8x faster). The previous
engine in the same runs: 226,000-239,000, 164,000-167,000 and 115,000-117,000. Corpus
programs that hit the 1M-instruction limit: 113,000-207,000 insns/s (previously
95,000-149,000).
"""

from __future__ import annotations

import ctypes
import os
import platform
import re
import struct
import sys
import time
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from pyebpf.kernel_tables import MapType  # noqa: E402
from pyebpf.spec import MapSpec  # noqa: E402
from pyebpf.verifier import verify  # noqa: E402


def I(op: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:  # noqa: E743
    return struct.pack("<BBhi", op, (src << 4) | dst, off, imm)


EXIT = I(0x95)


def straight_line(n: int = 100_000) -> bytes:
    body = [I(0xB7, 0, 0, 0, 0)]
    for i in range(n - 2):
        body.append(I(0x07, 0, 0, 0, i & 7))
    return b"".join(body) + I(0xB7, 0, 0, 0, 0) + EXIT


def counted_loop(n: int = 1000) -> bytes:
    return I(0xB7, 1) + I(0x07, 1, 0, 0, 1) + I(0xA5, 1, 0, -2, n) + I(0xB7, 0) + EXIT


def branchy(fd: int, blocks: int = 40) -> bytes:
    out = [I(0x61, 2, 1, 0), I(0x61, 3, 1, 4), I(0xBF, 6, 2)]
    out += [I(0xBF, 4, 2), I(0x07, 4, 0, 0, 64), I(0x2D, 4, 3, blocks * 9)]
    for i in range(blocks):
        out += [
            I(0x71, 7, 6, i % 60),
            I(0x62, 10, 0, -4, 0),
            I(0x63, 10, 7, -4),
            I(0xBF, 2, 10),
            I(0x07, 2, 0, 0, -4),
            struct.pack("<BBhi", 0x18, 0x11, 0, fd) + bytes(8),
            I(0x85, 0, 0, 0, 1),
            I(0x15, 0, 0, 1, 0),
        ]
    out += [I(0xB7, 0, 0, 0, 2), EXIT]
    return b"".join(out)


MIN_RUNS = 5
MIN_SECONDS = 1.0
_NR = {"x86_64": 321, "aarch64": 280}.get(platform.machine())


def kernel_time(code: bytes, ptype: int) -> tuple[int, int] | None:
    """(verification time in usec, insns processed) from the kernel, or None without bpf()."""
    if _NR is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(1 << 20)
    attr = struct.pack(
        "<IIQQIIQII16sII", ptype, len(code) // 8, ctypes.addressof(insns), ctypes.addressof(lic),
        4, len(log), ctypes.addressof(log), 0, 0, b"", 0, 0,
    )  # fmt: skip
    buf = ctypes.create_string_buffer(attr, 256)
    fd = libc.syscall(_NR, 5, buf, 256)
    if fd >= 0:
        os.close(fd)
    text = log.value.decode(errors="replace")
    m = re.search(r"verification time (\d+) usec", text)
    p = re.search(r"processed (\d+) insns", text)
    if not m or not p:
        return None
    return int(m.group(1)), int(p.group(1))


def map_fd() -> int | None:
    if _NR is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(struct.pack("<IIIII", 1, 4, 8, 64, 0), 128)
    fd = libc.syscall(_NR, 0, attr, 128)
    return fd if fd >= 0 else None


def timed(code: bytes, ptype: int, maps: dict[int, MapSpec]) -> tuple[float, float, Any]:
    """(first run s, median s, result): a single short run is mostly noise, so repeat it.

    The first run in the process also pays one-time costs (imports, caches); it is printed
    apart. The median is over at least ``MIN_RUNS`` runs and ``MIN_SECONDS`` of runs.
    """
    times: list[float] = []
    total = 0.0
    result = None
    while len(times) < MIN_RUNS or total < MIN_SECONDS:
        t = time.perf_counter()
        result = verify(code, ptype, maps=maps)
        dt = time.perf_counter() - t
        times.append(dt)
        total += dt
    first = times[0]
    rest = sorted(times[1:]) or [first]
    return first, rest[len(rest) // 2], result


def main() -> None:
    fd = map_fd()
    placeholder = fd if fd is not None else 3
    hmap = MapSpec(type=MapType.HASH, key_size=4, value_size=8, max_entries=64)
    cases = [
        ("straight line 100k", straight_line(), 1, {}),
        ("loop 1000 iterations", counted_loop(), 1, {}),
        ("branchy map/packet (xdp)", branchy(placeholder), 6, {placeholder: hmap}),
    ]
    print(
        f"{'program':28} {'processed':>10} {'first s':>8} {'median s':>9} {'insns/s':>10}"
        f" {'kernel us':>10} {'ratio':>7}"
    )
    for name, code, ptype, maps in cases:
        first, dt, result = timed(code, ptype, maps)
        rate = result.insns_processed / dt if dt else float("inf")
        k = kernel_time(code, ptype)
        if k is not None:
            ratio = f"{dt * 1e6 / max(k[0], 1):.0f}x"
            kt = str(k[0])
            if k[1] != result.insns_processed:
                kt += f" ({k[1]} insns!)"
        else:
            ratio, kt = "-", "n/a"
        verdict = "A" if result.accepted else f"R:{result.error}"
        print(
            f"{name:28} {result.insns_processed:>10} {first:>8.3f} {dt:>9.3f} {rate:>10.0f}"
            f" {kt:>10} {ratio:>7}  {verdict}"
        )
    if fd is not None:
        os.close(fd)


if __name__ == "__main__":
    main()
