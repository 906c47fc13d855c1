"""A concrete eBPF interpreter with checked memory: the oracle of "verifier-accepted => safe".

Independent of ``pyebpf.verifier`` on purpose: it runs one program on one concrete input and
records a *fault* where the real machine would do something unsafe, instead of predicting.

Memory model: a pointer is ``Ptr(region, offset)``; regions are each call frame's 512-byte stack
(with per-byte "initialised" flags and per-slot spilled pointers), the context buffer
(``__sk_buff`` or ``xdp_md``, whose data/data_end/data_meta fields read as packet pointers), the
packet, and each map value that ``bpf_map_lookup_elem`` returns. Everything else is a 64-bit int;
NULL is the int 0. Every region also has a fake kernel address so that a pointer can be turned
into a number where the ISA allows it (root may do that; for ``cap_bpf`` it is a leak).

Faults: an access outside its region, a load/store through a scalar or NULL, a read of an
uninitialised register, an uninitialised stack read or a pointer leak (into a map, the context,
the return value, a comparison, or by arithmetic) under ``cap_bpf``, a write to r10, an unknown
helper, jumping/running outside the program, and more than ``max_steps`` instructions.
Division by zero is not a fault: ``x / 0 == 0`` and ``x % 0 == x``, as the ISA defines.

For comparing with a kernel run, values the kernel may see differently (times, random numbers,
uninitialised stack, addresses, random map contents, unknown ctx fields) are ``Noisy`` and taint
what is computed from them; ``RunResult.nondeterministic`` is empty when the return value and
every branch were free of them.
"""

from __future__ import annotations

import functools
import os
import random
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyebpf.asm.helper_ids import HelperId

STACK_SIZE = 512
SK_BUFF_SIZE = 192
XDP_MD_SIZE = 24
MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1
SOCKET_FILTER, XDP = 1, 6
ARRAY_MAP, HASH_MAP = 2, 1
# ctx offsets that read as packet pointers (u32 loads only): which end of the packet they give
XDP_PKT_FIELDS = {0: "data", 4: "data_end", 8: "data_meta"}
SKB_PKT_FIELDS = {76: "data", 80: "data_end", 140: "data_meta"}
EINVAL, ENOENT, E2BIG, EEXIST = 22, 2, 7, 17
BPF_NOEXIST, BPF_EXIST = 1, 2
# The kernel lets may_goto loop BPF_MAX_LOOPS (8M) times; fewer here take the same exit paths.
MAY_GOTO_BUDGET = 1024
KNOWN_HELPERS = {int(h): h.name.lower() for h in HelperId}


@functools.cache
def nr_cpu_ids() -> int:
    """How many CPUs the kernel may number (bpf_get_smp_processor_id() < this)."""
    try:
        text = Path("/sys/devices/system/cpu/possible").read_text().strip()
        return int(text.rsplit(",", 1)[-1].rsplit("-", 1)[-1]) + 1
    except (OSError, ValueError):
        return os.cpu_count() or 1


class Noisy(int):
    """A scalar a kernel run may see differently: a time, a random number, uninitialised
    memory, an address ... Results computed from one are Noisy too (taint tracking), so that a
    return value can be compared with the kernel's exactly when it is not Noisy."""


def _noisy(value: int, *inputs: Any) -> int:
    return Noisy(value) if any(isinstance(i, Noisy) for i in inputs) else value


class Fault(Exception):
    """The program did something unsafe (message says what and where)."""


class Unsupported(Exception):
    """The program uses something this interpreter does not model (a test bug, not a fault)."""


class _Uninit:
    def __repr__(self) -> str:
        return "UNINIT"


UNINIT = _Uninit()


class Region:
    """A block of memory a pointer may point into."""

    _next_base = 0xFFFF_8880_0000_0000

    def __init__(self, kind: str, size: int, *, writable: bool = True, track_init: bool = False):
        self.kind = kind
        self.data = bytearray(size)
        self.writable = writable
        # stack only: which bytes were written, and the pointers spilled at 8-aligned offsets
        self.init: bytearray | None = bytearray(size) if track_init else None
        self.spilled: dict[int, Ptr] = {}
        self.noisy = bytearray(size)  # bytes holding Noisy values (taint)
        # 8-aligned slots whose first byte holds a narrow scalar spill (see Machine._read_arg)
        self.narrow_spills: set[int] = set()
        self.base = Region._next_base
        Region._next_base += 0x10_0000

    def __repr__(self) -> str:
        return f"<{self.kind} region, {len(self.data)} bytes>"


@dataclass(frozen=True)
class Ptr:
    region: Region
    off: int

    @property
    def address(self) -> int:
        return (self.region.base + self.off) & MASK64


@dataclass(frozen=True)
class MapRef:
    """What ld_imm64 with src=1 (a map fd) puts in a register."""

    imm: int


@dataclass
class MapState:
    type: int
    key_size: int
    value_size: int
    max_entries: int
    values: dict[bytes, Region] = field(default_factory=dict)
    decided: set[bytes] = field(default_factory=set)  # hash keys whose presence is decided


@dataclass
class RunInput:
    """One concrete input: the packet, and a seed for everything else the program may observe.

    ``map_fill`` "random" fills array values and decides hash-key presence at random (presence
    probability ``hash_present``); "zero" is a freshly created kernel map (zeroed arrays, empty
    hashes). ``ctx`` overrides context fields (offset -> u32); ``known_ctx`` lists the offsets
    whose value matches the kernel's, so that reading others marks the run nondeterministic.
    """

    packet: bytes = b""
    seed: int = 0
    map_fill: str = "random"
    hash_present: float = 0.5
    ctx: Mapping[int, int] = field(default_factory=dict)
    known_ctx: frozenset[int] | None = None


@dataclass
class RunResult:
    fault: str | None
    retval: int | None
    steps: int
    # why the return value may differ from a kernel run on the same packet (empty: it may not):
    # the sources seen, if one of them reached the return value or decided a branch
    nondeterministic: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)  # every unpredictable input observed


@dataclass
class _Frame:
    stack: Region
    return_pc: int
    saved: list[Any]


def decode(code: bytes) -> list[tuple[int, int, int, int, int]]:
    """The program's 8-byte slots as (opcode, dst, src, off, imm)."""
    if len(code) % 8:
        raise Unsupported(f"program length {len(code)} is not a multiple of 8")
    out = []
    for i in range(0, len(code), 8):
        op, regs, off, imm = struct.unpack_from("<BBhi", code, i)
        out.append((op, regs & 0xF, regs >> 4, off, imm))
    return out


def _s64(v: int) -> int:
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


def _s32(v: int) -> int:
    v &= MASK32
    return v - (1 << 32) if v >> 31 else v


def _sext(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _tdiv(a: int, b: int) -> int:
    """C (truncating) signed division."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


class Machine:
    """Runs one program on one :class:`RunInput`; see the module docstring."""

    def __init__(
        self,
        code: bytes,
        prog_type: int,
        *,
        maps: Mapping[int, Any] | None = None,
        privilege: str = "root",
        max_steps: int = 100_000,
    ) -> None:
        if privilege not in ("root", "cap_bpf"):
            raise Unsupported(f"unknown privilege {privilege!r}")
        if prog_type not in (SOCKET_FILTER, XDP):
            raise Unsupported(f"program type {prog_type} is not modelled")
        self.insns = decode(code)
        self.second_halves: set[int] = set()
        i = 0
        while i < len(self.insns):
            if self.insns[i][0] == 0x18:
                self.second_halves.add(i + 1)
                i += 1
            i += 1
        self.prog_type = prog_type
        self.map_specs = dict(maps or {})
        self.strict = privilege == "cap_bpf"
        self.max_steps = max_steps

    # --- entry --------------------------------------------------------------------------------

    def run(self, inp: RunInput) -> RunResult:
        self.rng = random.Random(inp.seed)
        self.inp = inp
        self.nondet: set[str] = set()  # the sources of Noisy values seen so far
        self.diverged = False  # a Noisy value decided a branch, a pointer offset or a map key
        self.maps = {
            imm: MapState(s.type, s.key_size, s.value_size, s.max_entries)
            for imm, s in self.map_specs.items()
        }
        self.packet = Region("packet", len(inp.packet), writable=self.prog_type == XDP)
        self.packet.data[:] = inp.packet
        self.ctx = self._make_ctx(inp)
        self.ktime = self.rng.randrange(1 << 40, 1 << 50)
        self.may_goto = MAY_GOTO_BUDGET
        self.steps = 0
        self.pc = 0
        try:
            retval = self._execute()
        except Fault as e:
            return RunResult(f"insn {self.pc}: {e}", None, self.steps, self.nondet, self.nondet)
        noisy = self.diverged or isinstance(retval, Noisy)
        return RunResult(
            None, int(retval), self.steps, set(self.nondet) if noisy else set(), self.nondet
        )

    def _make_ctx(self, inp: RunInput) -> Region:
        if self.prog_type == XDP:
            ctx = Region("ctx", XDP_MD_SIZE)
            fields = {12: self.rng.randrange(1, 64), 16: self.rng.randrange(0, 8), 20: 0}
        else:
            ctx = Region("ctx", SK_BUFF_SIZE)
            ctx.data[:] = self.rng.randbytes(SK_BUFF_SIZE)
            fields = {0: len(inp.packet)}
        fields.update(inp.ctx)
        for off, value in fields.items():
            struct.pack_into("<I", ctx.data, off, value & MASK32)
        return ctx

    def _new_stack(self) -> Region:
        stack = Region("stack", STACK_SIZE, track_init=True)
        stack.data[:] = self.rng.randbytes(STACK_SIZE)  # what the kernel stack happens to hold
        return stack

    # --- the fetch/execute loop ---------------------------------------------------------------

    def _execute(self) -> int:
        regs: list[Any] = [UNINIT] * 11
        regs[1] = Ptr(self.ctx, 0)
        regs[10] = Ptr(self._new_stack(), STACK_SIZE)
        self.regs = regs
        frames: list[_Frame] = []
        n = len(self.insns)
        while True:
            if not 0 <= self.pc < n:
                raise Fault(f"execution left the program (pc {self.pc} of {n})")
            self.steps += 1
            if self.steps > self.max_steps:
                raise Fault(f"more than {self.max_steps} instructions executed (a hang)")
            op, dst, src, off, imm = self.insns[self.pc]
            cls = op & 7
            if dst > 10 or src > 10:
                raise Fault(f"bad register r{max(dst, src)}")
            if cls in (4, 7):
                self._alu(op, dst, src, off, imm)
            elif cls in (5, 6):
                code = op & 0xF0
                if code == 0x90:  # exit
                    if not frames:
                        return self._exit_value()
                    frame = frames.pop()
                    regs[1:6] = [UNINIT] * 5  # caller-saved: clobbered by the call
                    regs[6:10] = frame.saved
                    regs[10] = Ptr(frame.stack, STACK_SIZE)
                    self.pc = frame.return_pc
                    continue
                if code == 0x80 and cls == 5:
                    if src == 1:  # bpf-to-bpf call
                        if len(frames) >= 8:
                            raise Fault("call stack deeper than 8 frames")
                        frames.append(_Frame(regs[10].region, self.pc + 1, regs[6:10]))
                        regs[6:10] = [UNINIT] * 4
                        regs[10] = Ptr(self._new_stack(), STACK_SIZE)
                        self._jump(imm)
                        continue
                    if src != 0:
                        raise Unsupported(f"call with src={src} (kfunc) is not modelled")
                    self._helper(imm)
                else:
                    self._branch(op, dst, src, off, imm)
                    continue
            elif cls == 0:
                self._ld_imm64(op, dst, src, imm)
                continue
            elif cls in (1, 2, 3):
                self._memory(op, dst, src, off, imm)
            self.pc += 1

    def _jump(self, delta: int) -> None:
        target = self.pc + 1 + delta
        if not 0 <= target < len(self.insns):
            raise Fault(f"jump to {target}, outside the program")
        if target in self.second_halves:
            raise Fault(f"jump into the middle of ld_imm64 at {target - 1}")
        self.pc = target

    def _exit_value(self) -> int:
        r0 = self._read(0)
        if isinstance(r0, Ptr):
            self._leak("a pointer as the return value")
            return Noisy(r0.address)
        if isinstance(r0, MapRef):
            raise Fault("a map reference as the return value")
        return _noisy(int(r0) & MASK64, r0)

    # --- registers ----------------------------------------------------------------------------

    def _read(self, r: int) -> Any:
        value = self.regs[r]
        if value is UNINIT:
            raise Fault(f"read of uninitialised register r{r}")
        return value

    def _write(self, r: int, value: Any) -> None:
        if r == 10:
            raise Fault("write to the frame pointer r10")
        self.regs[r] = value

    def _leak(self, what: str) -> None:
        """A pointer becomes observable as a number: a fault under cap_bpf, noise for root."""
        if self.strict:
            raise Fault(f"pointer leak under cap_bpf: {what}")
        self.nondet.add("pointer value")

    def _scalar(self, value: Any, what: str) -> int:
        if isinstance(value, Ptr):
            self._leak(what)
            return Noisy(value.address)
        if isinstance(value, MapRef):
            raise Fault(f"a map reference used as a number ({what})")
        return _noisy(int(value) & MASK64, value)

    # --- ALU ----------------------------------------------------------------------------------

    def _alu(self, op: int, dst: int, src: int, off: int, imm: int) -> None:
        wide = op & 7 == 7
        code = op & 0xF0
        if code == 0xD0:  # byte swap / endianness conversion
            orig = value = self._scalar(self._read(dst), "byte swap of a pointer")
            bits = imm
            if bits not in (16, 32, 64):
                raise Fault(f"bad byte-swap width {bits}")
            value &= (1 << bits) - 1
            if wide or op & 8:  # bswap (ALU64) and to_be swap; to_le only truncates
                value = int.from_bytes(value.to_bytes(bits // 8, "little"), "big")
            self._write(dst, _noisy(value, orig))
            return
        b = self._read(src) if op & 8 else (_s64(imm) & MASK64)
        if code == 0xB0:  # mov / movsx
            if off:
                v = self._scalar(b, "sign-extending move of a pointer")
                self._write(dst, _noisy(_sext(v, off) & (MASK64 if wide else MASK32), v))
            elif wide:
                self._write(dst, b)
            else:
                v = self._scalar(b, "32-bit move of a pointer")
                self._write(dst, _noisy(v & MASK32, v))
            return
        a = self._read(dst)
        if code == 0x80:  # neg
            v = self._scalar(a, "negation")
            self._write(dst, _noisy(-v & (MASK64 if wide else MASK32), v))
            return
        if wide and code in (0x00, 0x10) and (isinstance(a, Ptr) or isinstance(b, Ptr)):
            self._write(dst, self._pointer_math(code, a, b))
            return
        xa = x = self._scalar(a, "arithmetic on a pointer")
        ya = y = self._scalar(b, "arithmetic with a pointer")
        bits, mask = (64, MASK64) if wide else (32, MASK32)
        x, y = x & mask, y & mask
        sx, sy = _sext(x, bits), _sext(y, bits)
        if code == 0x00:
            r = x + y
        elif code == 0x10:
            r = x - y
        elif code == 0x20:
            r = x * y
        elif code == 0x30:
            r = 0 if y == 0 else (_tdiv(sx, sy) if off == 1 else x // y)
        elif code == 0x40:
            r = x | y
        elif code == 0x50:
            r = x & y
        elif code == 0x60:
            r = x << (y & (bits - 1))
        elif code == 0x70:
            r = x >> (y & (bits - 1))
        elif code == 0x90:
            if y == 0:
                r = x
            elif off == 1:
                r = sx - _tdiv(sx, sy) * sy
            else:
                r = x % y
        elif code == 0xA0:
            r = x ^ y
        elif code == 0xC0:
            r = sx >> (y & (bits - 1))
        else:
            raise Fault(f"unknown ALU opcode {op:#04x}")
        self._write(dst, _noisy(r & mask, xa, ya))

    def _pointer_math(self, code: int, a: Any, b: Any) -> Any:
        if isinstance(a, Ptr) and isinstance(b, Ptr):
            if code == 0x10 and a.region is b.region:
                if self.strict:
                    raise Fault("pointer leak under cap_bpf: pointer - pointer")
                return (a.off - b.off) & MASK64
            self._leak("arithmetic on two pointers")
            return Noisy((a.address + (b.address if code == 0 else -b.address)) & MASK64)
        if isinstance(a, Ptr):
            delta = self._scalar(b, "pointer arithmetic")
            self.diverged |= isinstance(delta, Noisy)  # where it points is unpredictable
            return Ptr(a.region, a.off + (_s64(delta) if code == 0 else -_s64(delta)))
        if code == 0x00:  # scalar + pointer
            delta = self._scalar(a, "pointer arithmetic")
            self.diverged |= isinstance(delta, Noisy)
            return Ptr(b.region, b.off + _s64(delta))
        self._leak("scalar - pointer")
        return Noisy((self._scalar(a, "") - b.address) & MASK64)

    # --- jumps --------------------------------------------------------------------------------

    def _branch(self, op: int, dst: int, src: int, off: int, imm: int) -> None:
        code, wide = op & 0xF0, op & 7 == 5
        if code == 0x00:  # ja (JMP) / gotol (JMP32)
            self._jump(off if wide else imm)
            return
        if code == 0xE0:  # may_goto: taken once the loop budget is spent
            self.may_goto -= 1
            self._jump(off if self.may_goto <= 0 else 0)
            return
        a = self._read(dst)
        b = self._read(src) if op & 8 else _s64(imm) & MASK64
        x, y = self._comparable(a, b, code)
        self.diverged |= isinstance(x, Noisy) or isinstance(y, Noisy)
        bits, mask = (64, MASK64) if wide else (32, MASK32)
        x, y = x & mask, y & mask
        sx, sy = _sext(x, bits), _sext(y, bits)
        taken = {
            0x10: x == y,
            0x20: x > y,
            0x30: x >= y,
            0x40: bool(x & y),
            0x50: x != y,
            0x60: sx > sy,
            0x70: sx >= sy,
            0xA0: x < y,
            0xB0: x <= y,
            0xC0: sx < sy,
            0xD0: sx <= sy,
        }.get(code)
        if taken is None:
            raise Fault(f"unknown jump opcode {op:#04x}")
        self._jump(off if taken else 0)

    def _comparable(self, a: Any, b: Any, code: int) -> tuple[int, int]:
        """Both operands as numbers; comparing a pointer may leak it."""
        if isinstance(a, Ptr) and isinstance(b, Ptr) and a.region is b.region:
            return a.off, b.off  # e.g. data + 14 > data_end
        if isinstance(a, Ptr) and b == 0 and code in (0x10, 0x50):
            return 1, 0  # a NULL check of a non-NULL pointer
        if isinstance(a, Ptr) or isinstance(b, Ptr):
            self._leak("comparison of a pointer")
            self.nondet.add("pointer comparison")
        return self._scalar(a, "comparison"), self._scalar(b, "comparison")

    # --- ld_imm64 -----------------------------------------------------------------------------

    def _ld_imm64(self, op: int, dst: int, src: int, imm: int) -> None:
        if op != 0x18:
            raise Unsupported(f"legacy load opcode {op:#04x} (LD_ABS/LD_IND) is not modelled")
        if self.pc + 1 >= len(self.insns):
            raise Fault("ld_imm64 without its second half")
        high = self.insns[self.pc + 1][4]
        if src == 0:
            self._write(dst, ((high & MASK32) << 32) | (imm & MASK32))
        elif src == 1:
            if imm not in self.maps:
                raise Fault(f"ld_imm64 of unknown map {imm}")
            self._write(dst, MapRef(imm))
        elif src == 2:
            self._write(dst, Ptr(self._map_value(imm, 0), high))
        else:
            raise Unsupported(f"ld_imm64 with src={src} is not modelled")
        self.pc += 2

    # --- memory -------------------------------------------------------------------------------

    def _memory(self, op: int, dst: int, src: int, off: int, imm: int) -> None:
        cls, mode = op & 7, op & 0xE0
        size = {0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8}[op & 0x18]
        if cls == 1:  # LDX
            if mode not in (0x60, 0x80):
                raise Unsupported(f"load mode {mode:#x}")
            base = self._read(src)
            value = self._load(base, off, size)
            if mode == 0x80 and not isinstance(value, Ptr):
                value = _sext(value, size * 8) & MASK64
            self._write(dst, value)
        elif cls == 2:  # ST imm
            self._store(self._read(dst), off, size, _s64(imm) & MASK64)
        elif mode == 0xC0:
            self._atomic(dst, src, off, size, imm)
        elif mode == 0x60:
            self._store(self._read(dst), off, size, self._read(src))
        else:
            raise Unsupported(f"store mode {mode:#x}")

    def _where(self, base: Any, off: int, size: int, access: str) -> tuple[Region, int]:
        if isinstance(base, MapRef):
            if "read" not in access:
                raise Fault(f"{access} into a map's kernel struct")
            # root may read struct bpf_map fields (BTF-checked); an address-bearing kernel object
            if off < 0:
                raise Fault(f"read at negative offset {off} of a map's kernel struct")
            self._leak("read of a map's kernel struct")
            self.nondet.add("map struct")
            return Region("struct bpf_map", off + size), off
        if not isinstance(base, Ptr):
            what = "NULL" if base == 0 else "a scalar"
            raise Fault(f"{access} of {size} bytes through {what} ({base!r})")
        at = base.off + off
        region = base.region
        if at < 0 or at + size > len(region.data):
            raise Fault(
                f"{access} of {size} bytes at offset {at} of the {region.kind} "
                f"(size {len(region.data)})"
            )
        return region, at

    def _load(self, base: Any, off: int, size: int) -> Any:
        region, at = self._where(base, off, size, "read")
        if region is self.ctx:
            return self._ctx_load(at, size)
        noisy = any(region.noisy[at : at + size])
        if region.init is not None:
            if not all(region.init[at : at + size]):
                if self.strict:
                    raise Fault(f"read of uninitialised stack at {at - STACK_SIZE}")
                self.nondet.add("uninitialised stack")
                noisy = True
            for slot in range(at & ~7, at + size, 8):
                ptr = region.spilled.get(slot)
                if ptr is not None:
                    if slot == at and size == 8:
                        return ptr
                    self._leak("partial read of a spilled pointer")
        value = int.from_bytes(region.data[at : at + size], "little")
        return Noisy(value) if noisy else value

    def _ctx_load(self, at: int, size: int) -> Any:
        fields = XDP_PKT_FIELDS if self.prog_type == XDP else SKB_PKT_FIELDS
        for start, name in fields.items():
            if at < start + 4 and start < at + size:
                if (at, size) != (start, 4):
                    raise Fault(f"partial read of ctx field {name} at {at}")
                return Ptr(self.packet, len(self.packet.data) if name == "data_end" else 0)
        known = self.inp.known_ctx
        value = int.from_bytes(self.ctx.data[at : at + size], "little")
        if any(self.ctx.noisy[at : at + size]):
            return Noisy(value)
        if known is not None and not all(at + i in known for i in range(size)):
            self.nondet.add(f"ctx bytes {at}..{at + size}")
            return Noisy(value)
        return value

    def _store(self, base: Any, off: int, size: int, value: Any) -> None:
        region, at = self._where(base, off, size, "write")
        if not region.writable:
            raise Fault(f"write to the read-only {region.kind}")
        if isinstance(value, MapRef):
            raise Fault("a map reference stored to memory")
        if region is self.ctx:
            fields = XDP_PKT_FIELDS if self.prog_type == XDP else SKB_PKT_FIELDS
            if any(at < s + 4 and s < at + size for s in fields):
                raise Fault(f"write to a packet-pointer field of the ctx at {at}")
        for slot in range(at & ~7, at + size, 8):
            region.spilled.pop(slot, None)
            if at <= slot:
                region.narrow_spills.discard(slot)
        if at % 8 == 0 and size < 8 and not isinstance(value, Ptr):
            region.narrow_spills.add(at)
        noisy = isinstance(value, Noisy)
        if isinstance(value, Ptr):
            if region.init is not None and at % 8 == 0 and size == 8:
                region.spilled[at] = value  # a spill: reads back as the pointer
            else:
                self._leak(f"a pointer stored to the {region.kind}")
            value, noisy = value.address, True
        region.noisy[at : at + size] = (b"\x01" if noisy else b"\x00") * size
        region.data[at : at + size] = (int(value) & ((1 << (8 * size)) - 1)).to_bytes(
            size, "little"
        )
        if region.init is not None:
            region.init[at : at + size] = b"\x01" * size

    def _atomic(self, dst: int, src: int, off: int, size: int, imm: int) -> None:
        base = self._read(dst) if imm != 0x100 else None
        if imm in (0x100, 0x110):  # load_acquire / store_release: plain accesses here
            if imm == 0x100:  # dst = *(src + off)
                self._write(dst, self._load(self._read(src), off, size))
            else:  # *(dst + off) = src
                self._store(base, off, size, self._read(src))
            return
        if size not in (4, 8):
            raise Fault(f"atomic operation of {size} bytes")
        mask = (1 << (8 * size)) - 1
        old = self._load(base, off, size)
        if isinstance(old, Ptr):
            raise Fault("atomic operation on a spilled pointer")
        raw = self._scalar(self._read(src), "atomic operand")
        operand = _noisy(raw & mask, raw)
        if imm == 0xF1:  # cmpxchg: r0 = old; store if old == r0
            expected = self._scalar(self._read(0), "cmpxchg operand")
            self.diverged |= isinstance(old, Noisy) or isinstance(expected, Noisy)
            if old == expected & mask:
                self._store(base, off, size, operand)
            self._write(0, old)
            return
        new = {
            0x00: old + operand,
            0x40: old | operand,
            0x50: old & operand,
            0xA0: old ^ operand,
            0xE0: operand,
        }.get(imm & ~1)
        if new is None:
            raise Fault(f"unknown atomic operation {imm:#x}")
        self._store(base, off, size, _noisy(new & mask, old, operand))
        if imm & 1:
            self._write(src, old)

    # --- helpers ------------------------------------------------------------------------------

    def _helper(self, helper: int) -> None:
        args = self.regs[1:6]
        if helper in (1, 2, 3):
            result = self._map_helper(helper)
        elif helper == 5:  # ktime_get_ns
            self.ktime += self.rng.randrange(1, 10_000)
            self.nondet.add("ktime")
            result = Noisy(self.ktime)
        elif helper == 7:  # get_prandom_u32
            self.nondet.add("prandom")
            result = Noisy(self.rng.getrandbits(32))
        elif helper == 8:  # get_smp_processor_id
            self.nondet.add("cpu id")
            result = Noisy(self.rng.randrange(0, nr_cpu_ids()))  # the kernel's range for it
        elif helper == 12:  # tail_call: an empty slot falls through
            self._map_arg(args[1], "tail_call")
            self.nondet.add("tail_call")
            result = Noisy(-ENOENT & MASK64)
        elif helper in KNOWN_HELPERS:
            raise Unsupported(f"helper {KNOWN_HELPERS[helper]} ({helper}) is not modelled")
        else:
            raise Fault(f"call of unknown helper {helper}")
        self.regs[0] = result if isinstance(result, Ptr) else _noisy(result & MASK64, result)
        self.regs[1:6] = [UNINIT] * 5

    def _map_arg(self, value: Any, what: str) -> MapState:
        if not isinstance(value, MapRef):
            raise Fault(f"{what}: r1/r2 is not a map ({value!r})")
        return self.maps[value.imm]

    def _read_arg(self, ptr: Any, size: int, what: str) -> bytes:
        region, at = self._where(ptr, 0, size, f"{what} read")
        if region.init is not None:
            # The kernel (check_stack_range_initialized) takes a slot whose first byte holds a
            # scalar spill as a spilled register: a helper may read all 8 bytes of it, even
            # the never-written ones. Not a fault then, only unpredictable.
            uninit = [
                i
                for i in range(at, at + size)
                if not region.init[i] and (i & ~7) not in region.narrow_spills
            ]
            if uninit and self.strict:
                raise Fault(f"{what} reads uninitialised stack at {uninit[0] - STACK_SIZE}")
            if not all(region.init[at : at + size]):
                self.nondet.add("uninitialised stack")
                self.diverged = True
            if any(at < s + 8 and s < at + size for s in region.spilled):
                self._leak(f"{what} reads a spilled pointer")
        # a helper that sees unpredictable bytes (a key, a value) makes the rest unpredictable
        self.diverged |= any(region.noisy[at : at + size])
        return bytes(region.data[at : at + size])

    def _map_helper(self, helper: int) -> Any:
        m = self._map_arg(self.regs[1], "map helper")
        key = self._read_arg(self.regs[2], m.key_size, "map key")
        if m.type == ARRAY_MAP:
            index = int.from_bytes(key[:4], "little")
            if helper == 1:
                return Ptr(self._map_value(0, index, m), 0) if index < m.max_entries else 0
            if helper == 3:
                return -EINVAL
            flags = self._scalar(self._read(4), "map flags")
            value = self._read_arg(self.regs[3], m.value_size, "map value")
            if index >= m.max_entries:
                return -E2BIG
            if flags == BPF_NOEXIST:
                return -EEXIST
            self._map_value(0, index, m).data[:] = value
            return 0
        if m.type != HASH_MAP:
            raise Unsupported(f"map type {m.type}")
        present = self._hash_present(m, key)
        if helper == 1:
            return Ptr(m.values[key], 0) if present else 0
        if helper == 3:
            if not present:
                return -ENOENT
            del m.values[key]
            return 0
        flags = self._scalar(self._read(4), "map flags")
        value = self._read_arg(self.regs[3], m.value_size, "map value")
        if flags == BPF_NOEXIST and present:
            return -EEXIST
        if flags == BPF_EXIST and not present:
            return -ENOENT
        if not present and len(m.values) >= m.max_entries:
            return -E2BIG
        region = m.values.get(key) or Region("map value", m.value_size)
        region.data[:] = value
        m.values[key] = region
        return 0

    def _hash_present(self, m: MapState, key: bytes) -> bool:
        """Whether ``key`` is in the hash map; the run's input decides on first sight."""
        if key not in m.decided:
            m.decided.add(key)
            if self.inp.map_fill == "random" and self.rng.random() < self.inp.hash_present:
                if len(m.values) < m.max_entries:
                    region = Region("map value", m.value_size)
                    region.data[:] = self.rng.randbytes(m.value_size)
                    region.noisy[:] = b"\x01" * m.value_size
                    m.values[key] = region
            if self.inp.map_fill == "random":
                self.nondet.add("map contents")
                self.diverged = True  # presence was a coin toss
        return key in m.values

    def _map_value(self, imm: int, index: int, m: MapState | None = None) -> Region:
        """The value region of array element ``index`` (created on first use)."""
        if m is None:
            if imm not in self.maps:
                raise Fault(f"ld_imm64 map value of unknown map {imm}")
            m = self.maps[imm]
        key = index.to_bytes(4, "little")
        region = m.values.get(key)
        if region is None:
            region = Region("map value", m.value_size)
            if self.inp.map_fill == "random":
                region.data[:] = self.rng.randbytes(m.value_size)
                region.noisy[:] = b"\x01" * m.value_size
                self.nondet.add("map contents")
            m.values[key] = region
        return region


def run(
    code: bytes,
    prog_type: int,
    inp: RunInput,
    *,
    maps: Mapping[int, Any] | None = None,
    privilege: str = "root",
    max_steps: int = 100_000,
) -> RunResult:
    """Run ``code`` once on ``inp`` (see :class:`Machine`)."""
    return Machine(code, prog_type, maps=maps, privilege=privilege, max_steps=max_steps).run(inp)
