"""Benchmark the ELF and BTF readers against the C tools, both measured in this run.

* read a large clang-built object (a few hundred programs, tens of thousands of
  instructions, maps, globals, bpf-to-bpf calls) with ``pyebpf.elf.load_object`` vs
  ``llvm-objdump-22 -d -r`` on the same file (target: no slower). Source lines are attached
  to instructions lazily; a second row shows reading the object *and* attaching the C line
  of every instruction of every program (what a full listing pays);
* parse ``/sys/kernel/btf/vmlinux`` with ``pyebpf.btf`` vs ``bpftool btf dump file`` (target: no
  slower). pyebpf's parse checks what libbpf's ``btf__parse`` checks (every record's kind and
  size, every name offset inside the string section, every referenced type id in range);
  types are decoded on first use, so the table also shows decoding *all* of them and a full
  bpftool-format dump, which is what bpftool's figure includes.

Run: ``python benchmarks/bench_elf.py`` (``--programs N`` for a different object size).
Times are the best of a few runs, in seconds, wall clock.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyebpf.btf import dump_raw, parse_btf  # noqa: E402
from pyebpf.elf import load_object  # noqa: E402

VMLINUX = "/sys/kernel/btf/vmlinux"


def generate_c(programs: int) -> str:
    """C source with ``programs`` programs of ~100 instructions each, sharing subprograms."""
    out = [
        "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n",
        'char LICENSE[] SEC("license") = "GPL";\n',
        "struct { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); __type(value, __u64);"
        ' __uint(max_entries, 64); } counters SEC(".maps");\n',
        "__u64 totals[64];\nconst volatile __u64 factor = 3;\n",
        "static __attribute__((noinline)) __u64 mix(__u64 a, __u64 b) { return (a ^ b) * factor + (a >> 3); }\n",
    ]
    for i in range(programs):
        out.append(f'SEC("socket") int prog_{i}(struct __sk_buff *skb)\n{{\n')
        out.append(f"\t__u32 key = {i % 64};\n\t__u64 acc = skb->len + {i};\n")
        out.append("\t__u64 *v = bpf_map_lookup_elem(&counters, &key);\n\tif (!v) return 0;\n")
        for j in range(12):
            out.append(f"\tacc = acc * {j * 7 + i % 13 + 3} + (acc >> {j % 7 + 1});\n")
            out.append(
                f"\tif (acc & {1 << (j % 16)}) *v += acc; else totals[{(i + j) % 64}] ^= acc;\n"
            )
        out.append(f"\treturn mix(acc, *v) & {i % 2 + 1};\n}}\n")
    return "".join(out)


def best(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(what: str, ours: float, theirs: float | None, tool: str) -> None:
    if theirs is None:
        print(f"  {what:<46} pyebpf {ours:7.3f}s")
        return
    ratio = ours / theirs if theirs else float("inf")
    verdict = "ok" if ours <= theirs else "SLOWER"
    print(f"  {what:<46} pyebpf {ours:7.3f}s   {tool} {theirs:7.3f}s   x{ratio:5.2f}  {verdict}")


def bench_object(programs: int) -> None:
    clang = shutil.which("clang-22")
    objdump = shutil.which("llvm-objdump-22")
    if clang is None or objdump is None:
        print("  (skipped: clang-22 / llvm-objdump-22 not installed)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "large.c"
        obj = Path(tmp) / "large.o"
        src.write_text(generate_c(programs))
        arch = f"/usr/include/{os.uname().machine}-linux-gnu"
        subprocess.run(
            [clang, "-O2", "-g", "-target", "bpfel", f"-I{arch}", "-c", str(src), "-o", str(obj)],
            check=True,
        )
        spec = load_object(obj)
        insns = sum(len(p.instructions) for p in spec.programs.values())
        size = obj.stat().st_size
        print(
            f"  object: {len(spec.programs)} programs, {insns} instructions after linking, {size // 1024} KiB"
        )
        ours = best(lambda: load_object(obj))
        theirs = best(
            lambda: subprocess.run(
                [objdump, "-d", "-r", str(obj)], check=True, stdout=subprocess.DEVNULL
            )
        )
        row("read object (load_object vs objdump -d -r)", ours, theirs, "llvm-objdump")

        def read_with_sources() -> int:
            spec = load_object(obj)
            return sum(1 for p in spec.programs.values() for i in p.instructions if i.source)

        row("  ... and attach every source line", best(read_with_sources), theirs, "llvm-objdump")


def bench_vmlinux() -> None:
    if not os.path.exists(VMLINUX):
        print(f"  (skipped: no {VMLINUX})")
        return
    bpftool = shutil.which("bpftool")
    with open(VMLINUX, "rb") as f:
        data = f.read()
    btf = parse_btf(data)
    print(f"  vmlinux BTF: {len(btf) - 1} types, {len(data) // 1024} KiB")
    theirs = None
    if bpftool is not None:
        theirs = best(
            lambda: subprocess.run(
                [bpftool, "btf", "dump", "file", VMLINUX], check=True, stdout=subprocess.DEVNULL
            )
        )
    row("parse vmlinux (index + bounds checks)", best(lambda: parse_btf(data)), theirs, "bpftool")
    row(
        "parse + decode every type",
        best(lambda: parse_btf(data).check()),
        theirs,
        "bpftool",
    )
    row(
        "parse + full raw dump (bpftool's output)",
        best(lambda: sum(len(s) for s in dump_raw(parse_btf(data)))),
        theirs,
        "bpftool",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=300)
    args = parser.parse_args()
    print("ELF object")
    bench_object(args.programs)
    print("kernel BTF")
    bench_vmlinux()
    return 0


if __name__ == "__main__":
    sys.exit(main())
