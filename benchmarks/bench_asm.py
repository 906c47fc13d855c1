"""Benchmark the asm layer against LLVM 22, both measured in this run.

* assemble a 1,000,000-line text: ``pyebpf.asm.assemble`` vs ``llvm-mc-22`` on the same file;
* disassemble 1,000,000 instructions: ``pyebpf.asm.disassemble`` vs ``llvm-objdump-22 -d``;
* build and encode 100,000 instructions through the DSL (target 0.1 s; ebpfcat, the closest
  Python peer, takes about 0.9 s for the same -- a quoted figure, not measured here).

The input is real compiler output: a few C programs compiled by clang-22, disassembled with
their jumps turned into labels, then repeated with perturbed registers, immediates and offsets
so the text is not one block copied over and over. Run: ``python benchmarks/bench_asm.py``
(``--lines N`` for a smaller run).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyebpf.asm import (  # noqa: E402
    R0,
    R1,
    R2,
    R3,
    R4,
    R6,
    R10,
    U32,
    U64,
    Instruction,
    Instructions,
    Label,
    add,
    assemble,
    call,
    disassemble,
    exit_,
    ja,
    jeq,
    jgt,
    ld_imm64,
    ldx,
    lsh,
    mov,
    stx,
)

LLVM_MC = "llvm-mc-22"
LLVM_OBJDUMP = "llvm-objdump-22"
CLANG = "clang-22"
# `   12:\t<bytes>\t<text>` with llvm-objdump's optional ` <func+0x18>` annotation.
_LISTING = re.compile(r"^\s*\d+:\t(?:[0-9a-f]{2} )*[0-9a-f]{2}\s*\t(.*?)(?: <[^ <>]+>)?$")
EBPFCAT_DSL_SECONDS = 0.9  # quoted figure for 100,000 instructions (see the issue)

C_PROGRAMS = {
    "parse": r"""
typedef unsigned char u8; typedef unsigned short u16; typedef unsigned int u32;
typedef unsigned long long u64;
struct md { u32 data, data_end; };
struct eth { u8 dst[6], src[6]; u16 proto; };
struct ip4 { u8 vihl, tos; u16 len, id, frag; u8 ttl, proto; u16 csum; u32 saddr, daddr; };
struct l4 { u16 sport, dport; u32 seq, ack; };
static inline __attribute__((always_inline)) u16 csum_fold(u64 s) {
    s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16); return ~s;
}
__attribute__((section("xdp"))) int parse(struct md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct eth *e = data;
    if ((void *)(e + 1) > end) return 1;
    if (e->proto != __builtin_bswap16(0x0800)) return 2;
    struct ip4 *ip = (void *)(e + 1);
    if ((void *)(ip + 1) > end) return 1;
    if ((ip->vihl & 0xf) != 5) return 2;
    u64 sum = 0;
    for (int i = 0; i < 10; i++) sum += ((u16 *)ip)[i];
    if (csum_fold(sum)) return 3;
    struct l4 *t = (void *)(ip + 1);
    if ((void *)(t + 1) > end) return 1;
    if (ip->proto == 6 && __builtin_bswap16(t->dport) == 80) return 4;
    if (ip->proto == 17 && (t->sport ^ t->dport) > 1024) return ip->ttl > 64 ? 5 : 6;
    return (int)(ip->saddr % 7) + (ip->daddr >> 24 == 10 ? 8 : 0);
}
""",
    "crc": r"""
typedef unsigned int u32; typedef unsigned char u8; typedef long long s64;
struct buf { u32 len; u8 bytes[64]; s64 acc; };
__attribute__((section("tc"))) int crc(struct buf *b) {
    u32 c = 0xffffffff;
    for (int i = 0; i < 64; i++) {
        if (i >= b->len) break;
        c ^= b->bytes[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320 & -(c & 1));
    }
    __sync_fetch_and_add(&b->acc, (s64)c);
    b->acc = b->acc / 3 + (s64)(signed char)b->bytes[1] * 5;
    return ~c;
}
""",
    "strings": r"""
typedef unsigned long long u64; typedef unsigned int u32;
struct req { char path[32]; u64 flags; u32 uid, gid; };
__attribute__((section("lsm"))) int check(struct req *r) {
    int slashes = 0, dots = 0;
    for (int i = 0; i < 32; i++) {
        char ch = r->path[i];
        if (ch == 0) break;
        if (ch == '/') slashes++;
        else if (ch == '.' && i + 1 < 32 && r->path[i + 1] == '.') dots++;
    }
    if (dots) return -1;
    if (r->uid == 0 && (r->flags & 0x40)) return slashes > 3 ? -13 : 0;
    u64 h = 1469598103934665603ULL;
    for (int i = 0; i < 16; i++) h = (h ^ (unsigned char)r->path[i]) * 1099511628211ULL;
    return (int)(h >> 59) - (int)(r->gid & 3);
}
""",
}


def compile_programs(workdir: Path) -> list[Instructions]:
    """Each C program, compiled by clang-22 at -O2 for cpu v4, decoded from its section."""
    out = []
    for name, source in C_PROGRAMS.items():
        src, obj = workdir / f"{name}.c", workdir / f"{name}.o"
        src.write_text(source)
        subprocess.run(
            [CLANG, "-target", "bpf", "-mcpu=v4", "-O2", "-c", str(src), "-o", str(obj)],
            check=True,
        )
        section = {"parse": "xdp", "crc": "tc", "strings": "lsm"}[name]
        raw = workdir / f"{name}.bin"
        subprocess.run(
            ["llvm-objcopy-22", "-O", "binary", f"--only-section={section}", str(obj), str(raw)],
            check=True,
        )
        out.append(Instructions.from_bytes(raw.read_bytes()))
    return out


def with_labels(prog: Instructions, prefix: str) -> list[Instruction]:
    """Jumps in ``prog`` retargeted at labels named ``{prefix}_{slot}``, like clang's LBB."""
    offsets = prog.slot_offsets
    index_of = {slot: i for i, slot in enumerate(offsets)}
    targets = {}
    for i, insn in enumerate(prog):
        if insn.is_branch or insn.is_gotol:
            targets[offsets[i] + insn.relative_offset + 1] = None  # type: ignore[operator]
    out = list(prog)
    for i, insn in enumerate(prog):
        if insn.is_branch or insn.is_gotol:
            slot = offsets[i] + insn.relative_offset + 1  # type: ignore[operator]
            out[i] = insn.with_reference(f"{prefix}_{slot}")
    for slot in targets:
        i = index_of[slot]
        out[i] = out[i].with_label(f"{prefix}_{slot}")
    return out


def perturb(insn: Instruction, rnd: random.Random) -> Instruction:
    """The same kind of instruction with other (valid) operands, as another function would have."""
    cls = insn.opcode & 0x07
    if insn.is_ld_imm64 and insn.src == 0:
        return insn.replace(imm=rnd.choice([insn.imm, rnd.getrandbits(63), rnd.randint(-9, 9)]))
    if cls in (0x04, 0x07) and not insn.opcode & 0x08 and insn.opcode & 0xF0 not in (0xD0, 0x80):
        code = insn.opcode & 0xF0
        if code in (0x60, 0x70, 0xC0):  # shifts stay in range
            return insn.replace(imm=rnd.randrange(64 if cls == 0x07 else 32))
        if code in (0x30, 0x90):
            return insn.replace(imm=rnd.randint(1, 1000))
        return insn.replace(imm=rnd.choice([insn.imm, rnd.randint(-4096, 4096)]))
    if cls in (0x01, 0x02, 0x03) and insn.opcode & 0xE0 != 0xC0:
        return insn.replace(off=rnd.choice([insn.off, rnd.randint(-512, 512)]))
    if insn.is_conditional_jump and not insn.opcode & 0x08:
        return insn.replace(imm=rnd.choice([insn.imm, rnd.randint(-100, 100000)]))
    return insn


def make_text(programs: list[Instructions], lines: int, seed: int = 1) -> tuple[str, int]:
    """About ``lines`` lines of labelled text; returns the text and its instruction count."""
    rnd = random.Random(seed)
    chunks: list[str] = []
    total_lines = total_insns = copy = 0
    while total_lines < lines:
        prog = programs[copy % len(programs)]
        insns = [perturb(i, rnd) for i in with_labels(prog, f"LBB{copy}")]
        body = Instructions([Label(f"func{copy}"), insns])
        text = str(body)
        chunks.append(text)
        total_lines += text.count("\n")
        total_insns += len(body)
        copy += 1
    return "".join(chunks), total_insns


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, float]:
    """Best (wall, cpu) seconds of ``repeat`` runs; cpu counts child processes too.

    CPU time is the fairer figure on a shared machine: other load stretches the wall clock
    of both sides, not the work done.
    """
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        before = os.times()
        start = time.perf_counter()
        fn()
        wall = time.perf_counter() - start
        after = os.times()
        cpu = sum(after[:4]) - sum(before[:4])
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def run_tool(args: list[str]) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def dsl_program(n: int) -> Instructions:
    """``n`` instructions of a typical shape: spills, loads, a helper call, jumps to labels."""
    items: list[Instruction | Label] = []
    for block in range(-(-n // 16)):  # 16 instructions a block
        out = f"out{block}"
        items += [
            mov(R6, R1),
            ldx(U32, R2, R6, 4),
            ldx(U32, R3, R6, 0),
            mov(R4, R3),
            add(R4, 14),
            jgt(R4, R2, out),
            stx(U64, R10, -8, R3),
            mov(R1, R10),
            add(R1, -8),
            call("get_prandom_u32"),
            jeq(R0, 0, out),
            lsh(R0, 3),
            ld_imm64(R1, 0x1_0000_0000 + block),
            ja(out),
            Label(out),
            mov(R0, 2),
            exit_(),
        ]
    return Instructions(items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="assembler input size")
    parser.add_argument("--insns", type=int, default=1_000_000, help="disassembler input size")
    parser.add_argument("--dsl", type=int, default=100_000, help="DSL program size")
    args = parser.parse_args()
    missing = [t for t in (LLVM_MC, LLVM_OBJDUMP, CLANG) if shutil.which(t) is None]
    if missing:
        print(f"needs LLVM 22 tools: {', '.join(missing)} missing")
        return 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        programs = compile_programs(workdir)
        text, n_insns = make_text(programs, args.lines)
        source = workdir / "big.s"
        source.write_text(text)
        n_lines = text.count("\n")

        # 1. assemble the same file
        ours = timed(
            lambda: Path(os.devnull).write_bytes(assemble(source.read_text()).to_bytes()), 2
        )
        obj = workdir / "big.o"
        theirs = timed(
            lambda: run_tool(
                [
                    LLVM_MC,
                    "-triple",
                    "bpfel",
                    "-mcpu=v4",
                    "-filetype=obj",
                    str(source),
                    "-o",
                    str(obj),
                ]
            ),
            2,
        )
        data = assemble(text).to_bytes()
        raw = workdir / "big.bin"
        subprocess.run(
            ["llvm-objcopy-22", "-O", "binary", "--only-section=.text", str(obj), str(raw)],
            check=True,
        )
        agree = raw.read_bytes() == data
        rows.append(
            (f"assemble {n_lines:,} lines ({n_insns:,} insns)", ours, theirs, LLVM_MC, agree)
        )

        # 2. disassemble about --insns instructions (the same object, repeated as needed)
        reps = max(1, round(args.insns / n_insns))
        blob = data * reps
        big_obj = workdir / "dis.o"
        (workdir / "dis.bin").write_bytes(blob)
        subprocess.run(
            [
                "llvm-objcopy-22",
                f"--update-section=.text={workdir / 'dis.bin'}",
                str(obj),
                str(big_obj),
            ],
            check=True,
        )
        count = len(Instructions.from_bytes(blob))
        dis_bin = workdir / "dis.bin"
        ours = timed(lambda: Path(os.devnull).write_text(disassemble(dis_bin.read_bytes())), 2)
        theirs = timed(lambda: run_tool([LLVM_OBJDUMP, "-d", str(big_obj)]), 2)
        dump = subprocess.run(
            [LLVM_OBJDUMP, "-d", str(big_obj)], check=True, capture_output=True, text=True
        ).stdout
        llvm_text = [m.group(1) for m in map(_LISTING.match, dump.splitlines()) if m]
        agree = disassemble(blob, hex_imm=True).replace("\t", "").splitlines() == [
            t.replace("\t", "") for t in llvm_text
        ]
        rows.append((f"disassemble {count:,} insns", ours, theirs, f"{LLVM_OBJDUMP} -d", agree))

    # 3. the DSL
    def build_and_encode() -> None:
        dsl_program(args.dsl).to_bytes()

    ours = timed(build_and_encode, repeat=5)
    size = len(dsl_program(args.dsl))
    rows.append((f"DSL build + encode {size:,} insns", ours, None, "ebpfcat (quoted)", None))

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; best of 2-5 runs")
    print(
        f"{'benchmark':<42} {'pyebpf cpu':>10} {'ref cpu':>8} {'ratio':>6}"
        f" {'pyebpf wall':>11} {'ref wall':>8}  reference"
    )
    for name, (wall, cpu), theirs, tool, agree in rows:
        ref_wall, ref_cpu = (EBPFCAT_DSL_SECONDS,) * 2 if theirs is None else theirs
        mark = "" if agree is None else ("; same output" if agree else "; OUTPUT DIFFERS")
        print(
            f"{name:<42} {cpu:>9.3f}s {ref_cpu:>7.3f}s {cpu / ref_cpu:>5.2f}x"
            f" {wall:>10.3f}s {ref_wall:>7.3f}s  {tool}{mark}"
        )
    print("targets: assemble, disassemble: ratio <= 1.00; DSL build + encode <= 0.100 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
