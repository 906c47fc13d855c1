"""The kernel-format verifier log: register/stack state printing as ``kernel/bpf/log.c`` does.

``format_reg`` gives ``R1=ctx()``, ``R0=map_value_or_null(id=1,ks=4,vs=8)``, ``R2=pkt(r=14)``,
``R3=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))``; ``format_frame`` the
whole ``R1=... R10=fp0 fp-8=mmmmmmmm`` line.
"""

from __future__ import annotations

from typing import Any

from .state import (
    ADD_CONST,
    CONST_PTR_TO_MAP,
    MEM_ALLOC,
    NOT_INIT,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_STACK,
    S32_MAX,
    S32_MIN,
    S64_MAX,
    S64_MIN,
    SCALAR,
    SLOT_CHAR,
    STACK_INVALID,
    STACK_SPILL,
    U32_MAX,
    U64_MAX,
    Frame,
    Reg,
    is_pkt_type,
    type_name,
)

LOG_ALIGNMENT = 40
LOG_MIN_ALIGNMENT = 8


def snum(v: int) -> str:
    """``verbose_snum``: decimal for small values, else 64-bit hex."""
    if -0x8000 <= v <= 0x7FFF:
        return str(v)
    return f"{v & U64_MAX:#x}"


def unum(v: int) -> str:
    if 0 <= v <= 0xFFFF:
        return str(v)
    return f"{v & U64_MAX:#x}"


def tnum_str(value: int, mask: int) -> str:
    return f"({value:#x}; {mask:#x})"


def _s64(v: int) -> int:
    v &= U64_MAX
    return v - (1 << 64) if v >> 63 else v


def scalar_ranges(r: Reg) -> list[str]:
    items: list[list[Any]] = [
        ["smin", r.smin, r.smin == S64_MIN],
        ["smax", r.smax, r.smax == S64_MAX],
        ["umin", r.umin, r.umin == 0],
        ["umax", r.umax, r.umax == U64_MAX],
        ["smin32", r.s32min, r.s32min == S32_MIN],
        ["smax32", r.s32max, r.s32max == S32_MAX],
        ["umin32", r.u32min, r.u32min == 0],
        ["umax32", r.u32max, r.u32max == U32_MAX],
    ]
    out: list[str] = []
    for i, m1 in enumerate(items):
        if m1[2]:
            continue
        v1 = m1[1] & U64_MAX  # compare as the kernel's u64 val
        neg1 = str(m1[0]).startswith("s") and _s64(v1) < 0
        names = [str(m1[0])]
        for j in range(i + 2, len(items), 2):
            m2 = items[j]
            if m2[2] or (m2[1] & U64_MAX) != v1:
                continue
            neg2 = str(m2[0]).startswith("s") and _s64(m2[1] & U64_MAX) < 0
            if neg2 != neg1:
                continue
            m2[2] = True
            names.append(str(m2[0]))
        val = snum(_s64(v1)) if str(m1[0]).startswith("s") else unum(v1)
        out.append("=".join(names) + "=" + val)
    return out


def format_reg(r: Reg, frameno: int = 0) -> str:
    t = r.type
    prefix = "P" if t == SCALAR and r.precise else ""
    if t == SCALAR and r.var_off.mask == 0:
        return prefix + snum(_s64(r.var_off.value))
    s = prefix + type_name(t)
    if t == PTR_TO_STACK:
        if r.frameno != frameno:
            s += f"[{r.frameno}]"
        if r.var_off.mask == 0:
            return s + snum(_s64(r.var_off.value + r.off))
    parts: list[str] = []
    if r.id:
        if r.id & ADD_CONST:
            parts.append(f"id={r.id & ~ADD_CONST}{r.off:+d}")
        else:
            parts.append(f"id={r.id}")
    if r.ref_obj_id:
        parts.append(f"ref_obj_id={r.ref_obj_id}")
    base = t & 0xFF
    if base in (CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY) and r.map is not None:
        if getattr(r.map, "name", ""):
            parts.append(f"map={r.map.name[:15]}")
        parts.append(f"ks={r.map.key_size},vs={r.map.value_size}")
    if t != SCALAR and r.off:
        parts.append("off=" + snum(r.off))
    if is_pkt_type(t):
        parts.append("r=" + unum(r.range))
    if base == PTR_TO_MEM and not (t & MEM_ALLOC):
        parts.append("sz=" + unum(r.mem_size))
    if r.var_off.mask == 0:
        if r.var_off.value:
            parts.append("imm=" + snum(_s64(r.var_off.value)))
    else:
        parts.extend(scalar_ranges(r))
        if r.var_off.mask != U64_MAX:
            parts.append("var_off=" + tnum_str(r.var_off.value, r.var_off.mask))
    return s + "(" + ",".join(parts) + ")"


def format_slot(frame: Frame, spi: int) -> str | None:
    slot = frame.stack.get(spi)
    if slot is None:
        return None
    if all(t == STACK_INVALID for t in slot.types):
        return None
    chars = "".join(SLOT_CHAR.get(t, "?") for t in slot.types)
    if slot.types[7] == STACK_SPILL:
        j = next(i for i, t in enumerate(slot.types) if t == STACK_SPILL)
        return f"fp{(-spi - 1) * 8}={chars[:j]}{format_reg(slot.spilled, frame.frameno)}"
    return f"fp{(-spi - 1) * 8}={chars}"


def format_frame(frame: Frame, regs: set[int] | None = None, slots: set[int] | None = None) -> str:
    """`` R0=... R10=fp0 fp-8=...``; only the given registers/slots when those are given."""
    out = []
    if frame.frameno:
        out.append(f" frame{frame.frameno}:")
    for i, r in enumerate(frame.regs):
        if r.type == NOT_INIT:
            continue
        if regs is not None and i not in regs:
            continue
        out.append(f" R{i}={format_reg(r, frame.frameno)}")
    for spi in sorted(frame.stack):
        if slots is not None and spi not in slots:
            continue
        text = format_slot(frame, spi)
        if text is not None:
            out.append(" " + text)
    return "".join(out)


def alignment(pos: int) -> int:
    """``vlog_alignment``: padding so that state annotations line up in a column."""
    target = max(pos + LOG_MIN_ALIGNMENT // 2, LOG_ALIGNMENT)
    target = (target + LOG_MIN_ALIGNMENT - 1) // LOG_MIN_ALIGNMENT * LOG_MIN_ALIGNMENT
    return target - pos - 1


def stats_line(processed: int, max_states: int, total: int, peak: int) -> str:
    return (
        f"processed {processed} insns (limit 1000000) max_states_per_insn {max_states} "
        f"total_states {total} peak_states {peak} mark_read 0"
    )
