"""Scalar bounds: the kernel's tnum + s64/u64/s32/u32 range domain, operation by operation.

Every function here is a port of the verifier.c function of the same name (``reg_bounds_sync``,
``scalar_min_max_add``, ``is_scalar_branch_taken``, ``regs_refine_cond_op``...). Ranges are kept
as Python ints: unsigned bounds in ``[0, 2**64)`` / ``[0, 2**32)``, signed ones as signed ints.
"""

from __future__ import annotations

from . import tnum as tn
from .state import (
    S32_MAX,
    S32_MIN,
    S64_MAX,
    S64_MIN,
    SCALAR,
    U32_MAX,
    U64_MAX,
    Reg,
)

U64 = U64_MAX
U32 = U32_MAX
Tnum = tn.Tnum
_new_tnum = tuple.__new__  # a tnum without the namedtuple constructor's extra call


def s64(x: int) -> int:
    x &= U64
    return x - (1 << 64) if x >> 63 else x


def s32(x: int) -> int:
    x &= U32
    return x - (1 << 32) if x >> 31 else x


# --- constructors -----------------------------------------------------------------------------


def mark_known(r: Reg, value: int) -> None:
    """``__mark_reg_known``: the register holds exactly ``value`` (a 64-bit pattern)."""
    v = value & U64
    r.var_off = _new_tnum(Tnum, (v, 0))
    r.smin = r.smax = s64(v)
    r.umin = r.umax = v
    lo = v & U32
    r.s32min = r.s32max = s32(lo)
    r.u32min = r.u32max = lo


_CONST_REGS: dict[int, Reg] = {}


def const_reg(value: int) -> Reg:
    """A shared known-scalar register holding ``value`` (an immediate): callers only read it.

    Immediates are the source operand of most ALU and jump instructions; building a fresh
    register for each was a measurable part of the simulation.
    """
    r = _CONST_REGS.get(value)
    if r is None:
        r = Reg()
        r.type = SCALAR
        mark_known(r, value)
        if len(_CONST_REGS) >= 4096:
            _CONST_REGS.clear()
        _CONST_REGS[value] = r
    return r


def mark_reg32_known(r: Reg, value: int) -> None:
    v = value & U32
    r.var_off = tn.const_subreg(r.var_off, v)
    r.s32min = r.s32max = s32(v)
    r.u32min = r.u32max = v


def mark_unbounded(r: Reg) -> None:
    r.smin, r.smax, r.umin, r.umax = S64_MIN, S64_MAX, 0, U64
    r.s32min, r.s32max, r.u32min, r.u32max = S32_MIN, S32_MAX, 0, U32


def mark_reg64_unbounded(r: Reg) -> None:
    r.smin, r.smax, r.umin, r.umax = S64_MIN, S64_MAX, 0, U64


def mark_reg32_unbounded(r: Reg) -> None:
    r.s32min, r.s32max, r.u32min, r.u32max = S32_MIN, S32_MAX, 0, U32


# --- reg_bounds_sync --------------------------------------------------------------------------


def update_reg32_bounds(r: Reg) -> None:
    v = r.var_off
    val32, mask32 = v.value & U32, v.mask & U32
    r.s32min = max(r.s32min, s32(val32 | (mask32 & 0x80000000)))
    r.s32max = min(r.s32max, s32(val32 | (mask32 & 0x7FFFFFFF)))
    r.u32min = max(r.u32min, val32)
    r.u32max = min(r.u32max, val32 | mask32)


def update_reg64_bounds(r: Reg) -> None:
    v = r.var_off
    r.smin = max(r.smin, s64(v.value | (v.mask & (1 << 63))))
    r.smax = min(r.smax, s64(v.value | (v.mask & S64_MAX)))
    r.umin = max(r.umin, v.value)
    r.umax = min(r.umax, v.value | v.mask)


def update_reg_bounds(r: Reg) -> None:
    update_reg32_bounds(r)
    update_reg64_bounds(r)


def reg32_deduce_bounds(r: Reg) -> None:
    if (r.umin >> 32) == (r.umax >> 32):
        r.u32min = max(r.u32min, r.umin & U32)
        r.u32max = min(r.u32max, r.umax & U32)
        if s32(r.umin) <= s32(r.umax):
            r.s32min = max(r.s32min, s32(r.umin))
            r.s32max = min(r.s32max, s32(r.umax))
    if (r.smin >> 32) == (r.smax >> 32):
        if (r.smin & U32) <= (r.smax & U32):
            r.u32min = max(r.u32min, r.smin & U32)
            r.u32max = min(r.u32max, r.smax & U32)
        if s32(r.smin) <= s32(r.smax):
            r.s32min = max(r.s32min, s32(r.smin))
            r.s32max = min(r.s32max, s32(r.smax))
    if (
        (((r.umin >> 32) + 1) & U32) == ((r.umax >> 32) & U32)
        and s32(r.umin) < 0
        and s32(r.umax) >= 0
    ):
        r.s32min = max(r.s32min, s32(r.umin))
        r.s32max = min(r.s32max, s32(r.umax))
    if (
        ((((r.smin >> 32) & U32) + 1) & U32) == ((r.smax >> 32) & U32)
        and s32(r.smin) < 0
        and s32(r.smax) >= 0
    ):
        r.s32min = max(r.s32min, s32(r.smin))
        r.s32max = min(r.s32max, s32(r.smax))
    if s32(r.u32min) <= s32(r.u32max):
        r.s32min = max(r.s32min, s32(r.u32min))
        r.s32max = min(r.s32max, s32(r.u32max))
    if (r.s32min & U32) <= (r.s32max & U32):
        r.u32min = max(r.s32min & U32, r.u32min)
        r.u32max = min(r.s32max & U32, r.u32max)
    else:
        if r.u32max < (r.s32min & U32):
            r.s32min = s32(r.u32min)
            r.u32max = min(r.u32max, r.s32max & U32)
        elif (r.s32max & U32) < r.u32min:
            r.s32max = s32(r.u32max)
            r.u32min = max(r.u32min, r.s32min & U32)


def reg64_deduce_bounds(r: Reg) -> None:
    if s64(r.umin) <= s64(r.umax):
        r.smin = max(r.smin, s64(r.umin))
        r.smax = min(r.smax, s64(r.umax))
    if (r.smin & U64) <= (r.smax & U64):
        r.umin = max(r.smin & U64, r.umin)
        r.umax = min(r.smax & U64, r.umax)
    else:
        if r.umax < (r.smin & U64):
            r.smin = s64(r.umin)
            r.umax = min(r.umax, r.smax & U64)
        elif (r.smax & U64) < r.umin:
            r.smax = s64(r.umax)
            r.umin = max(r.umin, r.smin & U64)


def reg_deduce_mixed_bounds(r: Reg) -> None:
    hi_mask = U64 & ~U32
    new_umin = (r.umin & hi_mask) | r.u32min
    new_umax = (r.umax & hi_mask) | r.u32max
    r.umin = max(r.umin, new_umin)
    r.umax = min(r.umax, new_umax)
    new_smin = s64((r.smin & hi_mask) | r.u32min)
    new_smax = s64((r.smax & hi_mask) | r.u32max)
    r.smin = max(r.smin, new_smin)
    r.smax = min(r.smax, new_smax)
    if (r.s32min & U32) <= (r.s32max & U32):
        new_umin = (r.umin & hi_mask) | (r.s32min & U32)
        new_umax = (r.umax & hi_mask) | (r.s32max & U32)
        r.umin = max(r.umin, new_umin)
        r.umax = min(r.umax, new_umax)
        new_smin = s64((r.smin & hi_mask) | (r.s32min & U32))
        new_smax = s64((r.smax & hi_mask) | (r.s32max & U32))
        r.smin = max(r.smin, new_smin)
        r.smax = min(r.smax, new_smax)
    if r.s32min >= 0 and r.smin >= S32_MIN and r.smax <= S32_MAX:
        r.smin = r.s32min
        r.smax = r.s32max
        r.umin = r.s32min
        r.umax = r.s32max
        r.var_off = tn.intersect(r.var_off, tn.trange(r.smin & U64, r.smax & U64))


def reg_deduce_bounds(r: Reg) -> None:
    reg32_deduce_bounds(r)
    reg64_deduce_bounds(r)
    reg_deduce_mixed_bounds(r)


def reg_bound_offset(r: Reg) -> None:
    var64 = tn.intersect(r.var_off, tn.trange(r.umin, r.umax))
    var32 = tn.intersect(tn.subreg(var64), tn.trange(r.u32min, r.u32max))
    r.var_off = tn.or_(tn.clear_subreg(var64), var32)


def _sync_bounds(
    value: int, mask: int, umin: int, umax: int, smin: int, smax: int,
    u32min: int, u32max: int, s32min: int, s32max: int,
) -> tuple[int, int, int, int, int, int, int, int, int, int]:  # fmt: skip
    """``reg_bounds_sync`` on plain ints: the functions above, inlined into locals.

    Same steps in the same order (update_reg_bounds, reg_deduce_bounds twice,
    reg_bound_offset, update_reg_bounds); attribute traffic and calls made it the hottest
    code of loop-heavy programs. ``tests/verifier/test_domains.py`` checks it against them.
    """
    # update_reg_bounds
    val32, mask32 = value & U32, mask & U32
    x = val32 | (mask32 & 0x80000000)
    x = x - 0x100000000 if x >> 31 else x
    if x > s32min:
        s32min = x
    x = val32 | (mask32 & 0x7FFFFFFF)
    x = x - 0x100000000 if x >> 31 else x
    if x < s32max:
        s32max = x
    if val32 > u32min:
        u32min = val32
    x = val32 | mask32
    if x < u32max:
        u32max = x
    x = value | (mask & 0x8000000000000000)
    x = x - 0x10000000000000000 if x >> 63 else x
    if x > smin:
        smin = x
    x = value | (mask & S64_MAX)
    x = x - 0x10000000000000000 if x >> 63 else x
    if x < smax:
        smax = x
    if value > umin:
        umin = value
    x = value | mask
    if x < umax:
        umax = x
    for second in (False, True):
        # the second pass repeats the first on its output: when the first changed nothing,
        # neither would the second
        before = (value, mask, umin, umax, smin, smax, u32min, u32max, s32min, s32max)
        # reg32_deduce_bounds
        if (umin >> 32) == (umax >> 32):
            x = umin & U32
            if x > u32min:
                u32min = x
            x = umax & U32
            if x < u32max:
                u32max = x
            lo = (umin) & U32
            if lo > S32_MAX:
                lo -= 0x100000000
            hi = (umax) & U32
            if hi > S32_MAX:
                hi -= 0x100000000
            if lo <= hi:
                if lo > s32min:
                    s32min = lo
                if hi < s32max:
                    s32max = hi
        if (smin >> 32) == (smax >> 32):
            lo = smin & U32
            hi = smax & U32
            if lo <= hi:
                if lo > u32min:
                    u32min = lo
                if hi < u32max:
                    u32max = hi
            lo = (smin) & U32
            if lo > S32_MAX:
                lo -= 0x100000000
            hi = (smax) & U32
            if hi > S32_MAX:
                hi -= 0x100000000
            if lo <= hi:
                if lo > s32min:
                    s32min = lo
                if hi < s32max:
                    s32max = hi
        if (((umin >> 32) + 1) & U32) == ((umax >> 32) & U32):
            lo = (umin) & U32
            if lo > S32_MAX:
                lo -= 0x100000000
            hi = (umax) & U32
            if hi > S32_MAX:
                hi -= 0x100000000
            if lo < 0 and hi >= 0:
                if lo > s32min:
                    s32min = lo
                if hi < s32max:
                    s32max = hi
        if ((((smin >> 32) & U32) + 1) & U32) == ((smax >> 32) & U32):
            lo = (smin) & U32
            if lo > S32_MAX:
                lo -= 0x100000000
            hi = (smax) & U32
            if hi > S32_MAX:
                hi -= 0x100000000
            if lo < 0 and hi >= 0:
                if lo > s32min:
                    s32min = lo
                if hi < s32max:
                    s32max = hi
        lo = (u32min) & U32
        if lo > S32_MAX:
            lo -= 0x100000000
        hi = (u32max) & U32
        if hi > S32_MAX:
            hi -= 0x100000000
        if lo <= hi:
            if lo > s32min:
                s32min = lo
            if hi < s32max:
                s32max = hi
        lo = s32min & U32
        hi = s32max & U32
        if lo <= hi:
            if lo > u32min:
                u32min = lo
            if hi < u32max:
                u32max = hi
        elif u32max < lo:
            s32min = (u32min) & U32
            if s32min > S32_MAX:
                s32min -= 0x100000000
            if hi < u32max:
                u32max = hi
        elif hi < u32min:
            s32max = (u32max) & U32
            if s32max > S32_MAX:
                s32max -= 0x100000000
            if lo > u32min:
                u32min = lo
        # reg64_deduce_bounds
        lo = (umin) & U64
        if lo > S64_MAX:
            lo -= 0x10000000000000000
        hi = (umax) & U64
        if hi > S64_MAX:
            hi -= 0x10000000000000000
        if lo <= hi:
            if lo > smin:
                smin = lo
            if hi < smax:
                smax = hi
        lo = smin & U64
        hi = smax & U64
        if lo <= hi:
            if lo > umin:
                umin = lo
            if hi < umax:
                umax = hi
        elif umax < lo:
            smin = (umin) & U64
            if smin > S64_MAX:
                smin -= 0x10000000000000000
            if hi < umax:
                umax = hi
        elif hi < umin:
            smax = (umax) & U64
            if smax > S64_MAX:
                smax -= 0x10000000000000000
            if lo > umin:
                umin = lo
        # reg_deduce_mixed_bounds
        x = (umin & _HI32) | u32min
        if x > umin:
            umin = x
        x = (umax & _HI32) | u32max
        if x < umax:
            umax = x
        x = ((smin & _HI32) | u32min) & U64
        if x > S64_MAX:
            x -= 0x10000000000000000
        if x > smin:
            smin = x
        x = ((smax & _HI32) | u32max) & U64
        if x > S64_MAX:
            x -= 0x10000000000000000
        if x < smax:
            smax = x
        lo = s32min & U32
        hi = s32max & U32
        if lo <= hi:
            x = (umin & _HI32) | lo
            if x > umin:
                umin = x
            x = (umax & _HI32) | hi
            if x < umax:
                umax = x
            x = ((smin & _HI32) | lo) & U64
            if x > S64_MAX:
                x -= 0x10000000000000000
            if x > smin:
                smin = x
            x = ((smax & _HI32) | hi) & U64
            if x > S64_MAX:
                x -= 0x10000000000000000
            if x < smax:
                smax = x
        if s32min >= 0 and smin >= S32_MIN and smax <= S32_MAX:
            smin = umin = s32min
            smax = umax = s32max
            t = tn.trange(smin & U64, smax & U64)
            x = value | t.value
            mask &= t.mask
            value = x & ~mask & U64
        if not second and before == (
            value, mask, umin, umax, smin, smax, u32min, u32max, s32min, s32max
        ):  # fmt: skip
            break
    # reg_bound_offset
    t = tn.trange(umin, umax)
    x = value | t.value
    mask &= t.mask
    value = x & ~mask & U64
    t = tn.trange(u32min, u32max)
    x = (value & U32) | t.value
    m32 = mask & U32 & t.mask
    v32 = x & ~m32 & U64
    hv = value & _HI32
    hm = mask & _HI32
    value = hv | v32
    mask = (hm | m32) & ~value & U64
    # update_reg_bounds
    val32, mask32 = value & U32, mask & U32
    x = val32 | (mask32 & 0x80000000)
    x = x - 0x100000000 if x >> 31 else x
    if x > s32min:
        s32min = x
    x = val32 | (mask32 & 0x7FFFFFFF)
    x = x - 0x100000000 if x >> 31 else x
    if x < s32max:
        s32max = x
    if val32 > u32min:
        u32min = val32
    x = val32 | mask32
    if x < u32max:
        u32max = x
    x = value | (mask & 0x8000000000000000)
    x = x - 0x10000000000000000 if x >> 63 else x
    if x > smin:
        smin = x
    x = value | (mask & S64_MAX)
    x = x - 0x10000000000000000 if x >> 63 else x
    if x < smax:
        smax = x
    if value > umin:
        umin = value
    x = value | mask
    if x < umax:
        umax = x
    return value, mask, umin, umax, smin, smax, u32min, u32max, s32min, s32max


_HI32 = U64 & ~U32
# Loops revisit the same bounds over and over: remember the synced result of recent inputs.
_SYNC_CACHE: dict[tuple[int, ...], tuple[int, int, int, int, int, int, int, int, int, int]] = {}
_SYNC_CACHE_MAX = 1 << 16


def reg_bounds_sync(r: Reg) -> None:
    v = r.var_off
    if v.mask == 0:
        # a constant: every bound is the value (when the bounds agree with it)
        c = v.value
        sc_ = s64(c)
        lo = c & U32
        s_lo = s32(lo)
        if (r.umin <= c <= r.umax and r.smin <= sc_ <= r.smax and r.u32min <= lo <= r.u32max
                and r.s32min <= s_lo <= r.s32max):  # fmt: skip
            r.umin = r.umax = c
            r.smin = r.smax = sc_
            r.u32min = r.u32max = lo
            r.s32min = r.s32max = s_lo
            return
    elif (
        v.mask == U64
        and r.umin == 0
        and r.umax == U64
        and r.smin == S64_MIN
        and r.smax == S64_MAX
        and r.u32min == 0
        and r.u32max == U32
        and r.s32min == S32_MIN
        and r.s32max == S32_MAX
    ):
        return
    key = (v.value, v.mask, r.umin, r.umax, r.smin, r.smax, r.u32min, r.u32max, r.s32min,
           r.s32max)  # fmt: skip
    out = _SYNC_CACHE.get(key)
    if out is None:
        out = _sync_bounds(*key)
        if len(_SYNC_CACHE) >= _SYNC_CACHE_MAX:
            _SYNC_CACHE.clear()
        _SYNC_CACHE[key] = out
    value, mask, r.umin, r.umax, r.smin, r.smax, r.u32min, r.u32max, r.s32min, r.s32max = out
    if value != v.value or mask != v.mask:
        r.var_off = _new_tnum(Tnum, (value, mask))


def bounds_valid(r: Reg) -> bool:
    """``reg_bounds_sanity_check``: min <= max everywhere and the tnum agrees with the ranges."""
    if r.umin > r.umax or r.smin > r.smax or r.u32min > r.u32max or r.s32min > r.s32max:
        return False
    v = r.var_off
    if v.mask == 0:
        c = v.value
        if not (r.umin == c == r.umax and r.smin == s64(c) == r.smax):
            return False
        lo = c & U32
        if not (r.u32min == lo == r.u32max and r.s32min == s32(lo) == r.s32max):
            return False
    return True


def zext_32_to_64(r: Reg) -> None:
    r.var_off = tn.subreg(r.var_off)
    # __reg_assign_32_into_64
    r.umin = r.u32min
    r.umax = r.u32max
    if r.s32min >= 0 and r.s32max >= 0:
        r.smin = r.s32min
        r.smax = r.s32max
    else:
        r.smin = 0
        r.smax = U32


def set_sext_range(r: Reg, size: int) -> None:
    """Bounds after a sign-extending load of ``size`` bytes from unknown memory."""
    bits = size * 8
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    r.var_off = tn.UNKNOWN
    r.smin, r.smax = lo, hi
    r.s32min, r.s32max = max(lo, S32_MIN), min(hi, S32_MAX)
    r.umin, r.umax = 0, U64
    r.u32min, r.u32max = 0, U32
    reg_bounds_sync(r)


def coerce_to_sext(r: Reg, size: int) -> None:
    """``coerce_reg_to_size_sx`` for constants and ranges (simplified where not constant)."""
    bits = size * 8
    if r.var_off.mask == 0:
        v = r.var_off.value & ((1 << bits) - 1)
        if v >> (bits - 1):
            v -= 1 << bits
        mark_known(r, v)
        return
    set_sext_range(r, size)


# --- ALU transfer functions (adjust_scalar_min_max_vals) --------------------------------------


def scalar32_add(d: Reg, s: Reg) -> None:
    a, b = d.s32min + s.s32min, d.s32max + s.s32max
    if not (S32_MIN <= a <= S32_MAX) or not (S32_MIN <= b <= S32_MAX):
        d.s32min, d.s32max = S32_MIN, S32_MAX
    else:
        d.s32min, d.s32max = a, b
    lo, hi = d.u32min + s.u32min, d.u32max + s.u32max
    lo_ov, hi_ov = lo > U32, hi > U32
    d.u32min, d.u32max = lo & U32, hi & U32
    if not lo_ov and hi_ov:
        d.u32min, d.u32max = 0, U32


def scalar_add(d: Reg, s: Reg) -> None:
    a, b = d.smin + s.smin, d.smax + s.smax
    if not (S64_MIN <= a <= S64_MAX) or not (S64_MIN <= b <= S64_MAX):
        d.smin, d.smax = S64_MIN, S64_MAX
    else:
        d.smin, d.smax = a, b
    lo, hi = d.umin + s.umin, d.umax + s.umax
    lo_ov, hi_ov = lo > U64, hi > U64
    d.umin, d.umax = lo & U64, hi & U64
    if not lo_ov and hi_ov:
        d.umin, d.umax = 0, U64


def scalar32_sub(d: Reg, s: Reg) -> None:
    a, b = d.s32min - s.s32max, d.s32max - s.s32min
    if not (S32_MIN <= a <= S32_MAX) or not (S32_MIN <= b <= S32_MAX):
        d.s32min, d.s32max = S32_MIN, S32_MAX
    else:
        d.s32min, d.s32max = a, b
    lo, hi = d.u32min - s.u32max, d.u32max - s.u32min
    lo_un, hi_un = lo < 0, hi < 0
    d.u32min, d.u32max = lo & U32, hi & U32
    if lo_un and not hi_un:
        d.u32min, d.u32max = 0, U32


def scalar_sub(d: Reg, s: Reg) -> None:
    a, b = d.smin - s.smax, d.smax - s.smin
    if not (S64_MIN <= a <= S64_MAX) or not (S64_MIN <= b <= S64_MAX):
        d.smin, d.smax = S64_MIN, S64_MAX
    else:
        d.smin, d.smax = a, b
    lo, hi = d.umin - s.umax, d.umax - s.umin
    lo_un, hi_un = lo < 0, hi < 0
    d.umin, d.umax = lo & U64, hi & U64
    if lo_un and not hi_un:
        d.umin, d.umax = 0, U64


def scalar32_mul(d: Reg, s: Reg) -> None:
    """6.14+ ``scalar32_min_max_mul``: products of the bounds unless one overflows."""
    umin, umax = d.u32min * s.u32min, d.u32max * s.u32max
    if umax > U32 or umin > U32:
        d.u32min, d.u32max = 0, U32
    else:
        d.u32min, d.u32max = umin, umax
    a, b = d.s32min, d.s32max
    prods = (a * s.s32min, a * s.s32max, b * s.s32min, b * s.s32max)
    lo, hi = min(prods), max(prods)
    if lo < S32_MIN or hi > S32_MAX:
        d.s32min, d.s32max = S32_MIN, S32_MAX
    else:
        d.s32min, d.s32max = lo, hi


def scalar_mul(d: Reg, s: Reg) -> None:
    """6.14+ ``scalar_min_max_mul``: products of the bounds unless one overflows."""
    umin, umax = d.umin * s.umin, d.umax * s.umax
    if umax > U64 or umin > U64:
        d.umin, d.umax = 0, U64
    else:
        d.umin, d.umax = umin, umax
    a, b = d.smin, d.smax
    prods = (a * s.smin, a * s.smax, b * s.smin, b * s.smax)
    lo, hi = min(prods), max(prods)
    if lo < S64_MIN or hi > S64_MAX:
        d.smin, d.smax = S64_MIN, S64_MAX
    else:
        d.smin, d.smax = lo, hi


def _signed_from_u32(d: Reg) -> None:
    if s32(d.u32min) <= s32(d.u32max):
        d.s32min, d.s32max = s32(d.u32min), s32(d.u32max)
    else:
        d.s32min, d.s32max = S32_MIN, S32_MAX


def _signed_from_u64(d: Reg) -> None:
    if s64(d.umin) <= s64(d.umax):
        d.smin, d.smax = s64(d.umin), s64(d.umax)
    else:
        d.smin, d.smax = S64_MIN, S64_MAX


def scalar32_and(d: Reg, s: Reg) -> None:
    v32 = tn.subreg(d.var_off)
    if tn.subreg_is_const(s.var_off) and tn.subreg_is_const(d.var_off):
        mark_reg32_known(d, v32.value)
        return
    d.u32min = v32.value
    d.u32max = min(d.u32max, s.u32max)
    _signed_from_u32(d)


def scalar_and(d: Reg, s: Reg) -> None:
    if s.var_off.mask == 0 and d.var_off.mask == 0:
        mark_known(d, d.var_off.value)
        return
    d.umin = d.var_off.value
    d.umax = min(d.umax, s.umax)
    _signed_from_u64(d)
    update_reg_bounds(d)


def scalar32_or(d: Reg, s: Reg) -> None:
    v32 = tn.subreg(d.var_off)
    if tn.subreg_is_const(s.var_off) and tn.subreg_is_const(d.var_off):
        mark_reg32_known(d, v32.value)
        return
    d.u32min = max(d.u32min, s.u32min)
    d.u32max = v32.value | v32.mask
    _signed_from_u32(d)


def scalar_or(d: Reg, s: Reg) -> None:
    if s.var_off.mask == 0 and d.var_off.mask == 0:
        mark_known(d, d.var_off.value)
        return
    d.umin = max(d.umin, s.umin)
    d.umax = d.var_off.value | d.var_off.mask
    _signed_from_u64(d)
    update_reg_bounds(d)


def scalar32_xor(d: Reg, s: Reg) -> None:
    v32 = tn.subreg(d.var_off)
    if tn.subreg_is_const(s.var_off) and tn.subreg_is_const(d.var_off):
        mark_reg32_known(d, v32.value)
        return
    d.u32min = v32.value
    d.u32max = v32.value | v32.mask
    _signed_from_u32(d)


def scalar_xor(d: Reg, s: Reg) -> None:
    if s.var_off.mask == 0 and d.var_off.mask == 0:
        mark_known(d, d.var_off.value)
        return
    d.umin = d.var_off.value
    d.umax = d.var_off.value | d.var_off.mask
    _signed_from_u64(d)
    update_reg_bounds(d)


def _scalar32_lsh(d: Reg, umin_val: int, umax_val: int) -> None:
    d.s32min, d.s32max = S32_MIN, S32_MAX
    if umax_val > 31 or d.u32max > (1 << (31 - umax_val)):
        d.u32min, d.u32max = 0, U32
    else:
        d.u32min = (d.u32min << umin_val) & U32
        d.u32max = (d.u32max << umax_val) & U32


def scalar32_lsh(d: Reg, s: Reg) -> None:
    sub = tn.subreg(d.var_off)
    _scalar32_lsh(d, s.u32min, s.u32max)
    d.var_off = tn.subreg(tn.lshift(sub, s.u32min))
    mark_reg64_unbounded(d)
    update_reg32_bounds(d)


def scalar_lsh(d: Reg, s: Reg) -> None:
    umin_val, umax_val = s.umin, s.umax
    if umin_val == 32 and umax_val == 32:
        d.smax = s64((d.s32max << 32) & U64)
        d.smin = s64((d.s32min << 32) & U64)
    else:
        d.smax, d.smin = S64_MAX, S64_MIN
    if umax_val > 63 or d.umax > (1 << (63 - umax_val)):
        d.umin, d.umax = 0, U64
    else:
        d.umin = (d.umin << umin_val) & U64
        d.umax = (d.umax << umax_val) & U64
    _scalar32_lsh(d, umin_val, umax_val)
    d.var_off = tn.lshift(d.var_off, umin_val)
    update_reg_bounds(d)


def scalar32_rsh(d: Reg, s: Reg) -> None:
    sub = tn.subreg(d.var_off)
    d.s32min, d.s32max = S32_MIN, S32_MAX
    d.var_off = tn.rshift(sub, s.u32min)
    d.u32min >>= s.u32max
    d.u32max >>= s.u32min
    mark_reg64_unbounded(d)
    update_reg32_bounds(d)


def scalar_rsh(d: Reg, s: Reg) -> None:
    d.smin, d.smax = S64_MIN, S64_MAX
    d.var_off = tn.rshift(d.var_off, s.umin)
    d.umin >>= s.umax
    d.umax >>= s.umin
    mark_reg32_unbounded(d)
    update_reg_bounds(d)


def scalar32_arsh(d: Reg, s: Reg) -> None:
    sh = s.u32min
    d.s32min = d.s32min >> sh
    d.s32max = d.s32max >> sh
    d.var_off = tn.arshift(tn.subreg(d.var_off), sh, 32)
    d.u32min, d.u32max = 0, U32
    mark_reg64_unbounded(d)
    update_reg32_bounds(d)


def scalar_arsh(d: Reg, s: Reg) -> None:
    sh = s.umin
    d.smin >>= sh
    d.smax >>= sh
    d.var_off = tn.arshift(d.var_off, sh, 64)
    d.umin, d.umax = 0, U64
    mark_reg32_unbounded(d)
    update_reg_bounds(d)


def src_is_const(s: Reg, alu32: bool) -> bool:
    if alu32:
        return tn.subreg_is_const(s.var_off) and s.s32min == s.s32max and s.u32min == s.u32max
    return s.var_off.mask == 0 and s.smin == s.smax and s.umin == s.umax


# opcode (high nibble) constants
ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END = (
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0,
)  # fmt: skip


def safe_to_compute(op: int, s: Reg, alu32: bool) -> bool:
    """``is_safe_to_compute_dst_reg_range``."""
    if op in (ADD, SUB, AND, XOR, OR, MUL):
        return True
    if op in (LSH, RSH, ARSH):
        return src_is_const(s, alu32) and s.umax < (32 if alu32 else 64)
    return False


def adjust_scalar(d: Reg, s: Reg, op: int, alu32: bool) -> None:
    """Apply ALU ``op`` to scalar ``d`` with scalar ``s`` (already checked safe_to_compute)."""
    if op == ADD:
        scalar32_add(d, s)
        scalar_add(d, s)
        d.var_off = tn.add(d.var_off, s.var_off)
    elif op == SUB:
        scalar32_sub(d, s)
        scalar_sub(d, s)
        d.var_off = tn.sub(d.var_off, s.var_off)
    elif op == MUL:
        d.var_off = tn.mul(d.var_off, s.var_off)
        scalar32_mul(d, s)
        scalar_mul(d, s)
    elif op == AND:
        d.var_off = tn.and_(d.var_off, s.var_off)
        scalar32_and(d, s)
        scalar_and(d, s)
    elif op == OR:
        d.var_off = tn.or_(d.var_off, s.var_off)
        scalar32_or(d, s)
        scalar_or(d, s)
    elif op == XOR:
        d.var_off = tn.xor(d.var_off, s.var_off)
        scalar32_xor(d, s)
        scalar_xor(d, s)
    elif op == LSH:
        (scalar32_lsh if alu32 else scalar_lsh)(d, s)
    elif op == RSH:
        (scalar32_rsh if alu32 else scalar_rsh)(d, s)
    elif op == ARSH:
        (scalar32_arsh if alu32 else scalar_arsh)(d, s)
    if alu32:
        zext_32_to_64(d)
    reg_bounds_sync(d)


# --- comparisons ------------------------------------------------------------------------------

JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE = (
    0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xA0, 0xB0, 0xC0, 0xD0,
)  # fmt: skip
JSET_REV = JSET | 0x08  # the kernel's "BPF_JSET | BPF_X": reverse of JSET

FLIP = {JEQ: JEQ, JNE: JNE, JSET: JSET, JGE: JLE, JGT: JLT, JLE: JGE, JLT: JGT,
        JSGE: JSLE, JSGT: JSLT, JSLE: JSGE, JSLT: JSGT}  # fmt: skip
REV = {JEQ: JNE, JNE: JEQ, JSET: JSET_REV, JSET_REV: JSET, JGE: JLT, JGT: JLE, JLE: JGT,
       JLT: JGE, JSGE: JSLT, JSGT: JSLE, JSLE: JSGT, JSLT: JSGE}  # fmt: skip


def is_reg_const(r: Reg, jmp32: bool) -> bool:
    return tn.subreg_is_const(r.var_off) if jmp32 else r.var_off.mask == 0


def reg_const_value(r: Reg, jmp32: bool) -> int:
    return r.var_off.value & U32 if jmp32 else r.var_off.value


def _overlap(a: tn.Tnum, b: tn.Tnum) -> bool:
    mu = ~a.mask & ~b.mask & U64
    return (a.value & mu) == (b.value & mu)


def scalar_branch_taken(r1: Reg, r2: Reg, op: int, jmp32: bool) -> int:
    """``is_scalar_branch_taken``: 1 always taken, 0 never, -1 unknown."""
    if jmp32:
        t1, t2 = tn.subreg(r1.var_off), tn.subreg(r2.var_off)
        umin1, umax1, smin1, smax1 = r1.u32min, r1.u32max, r1.s32min, r1.s32max
        umin2, umax2, smin2, smax2 = r2.u32min, r2.u32max, r2.s32min, r2.s32max
    else:
        t1, t2 = r1.var_off, r2.var_off
        umin1, umax1, smin1, smax1 = r1.umin, r1.umax, r1.smin, r1.smax
        umin2, umax2, smin2, smax2 = r2.umin, r2.umax, r2.smin, r2.smax
    if op == JEQ or op == JNE:
        hit = 1 if op == JNE else 0
        if t1.mask == 0 and t2.mask == 0:
            eq = t1.value == t2.value
            return int(eq) if op == JEQ else int(not eq)
        if not _overlap(t1, t2):
            return hit
        if umin1 > umax2 or umax1 < umin2:
            return hit
        if smin1 > smax2 or smax1 < smin2:
            return hit
        if not jmp32:
            if r1.u32min > r2.u32max or r1.u32max < r2.u32min:
                return hit
            if r1.s32min > r2.s32max or r1.s32max < r2.s32min:
                return hit
        return -1
    if op == JSET:
        if not is_reg_const(r2, jmp32):
            r1, r2 = r2, r1
            t1, t2 = t2, t1
        if not is_reg_const(r2, jmp32):
            return -1
        if (~t1.mask & t1.value) & t2.value:
            return 1
        if not ((t1.mask | t1.value) & t2.value):
            return 0
        return -1
    if op == JGT:
        return 1 if umin1 > umax2 else 0 if umax1 <= umin2 else -1
    if op == JSGT:
        return 1 if smin1 > smax2 else 0 if smax1 <= smin2 else -1
    if op == JLT:
        return 1 if umax1 < umin2 else 0 if umin1 >= umax2 else -1
    if op == JSLT:
        return 1 if smax1 < smin2 else 0 if smin1 >= smax2 else -1
    if op == JGE:
        return 1 if umin1 >= umax2 else 0 if umax1 < umin2 else -1
    if op == JSGE:
        return 1 if smin1 >= smax2 else 0 if smax1 < smin2 else -1
    if op == JLE:
        return 1 if umax1 <= umin2 else 0 if umin1 > umax2 else -1
    if op == JSLE:
        return 1 if smax1 <= smin2 else 0 if smin1 > smax2 else -1
    return -1


def refine_cond_op(r1: Reg, r2: Reg, op: int, jmp32: bool) -> None:
    """``regs_refine_cond_op``: narrow both scalars assuming ``r1 op r2`` holds."""
    if op in (JGE, JGT, JSGE, JSGT):
        op = FLIP[op]
        r1, r2 = r2, r1
    if op == JEQ:
        if jmp32:
            r1.u32min = max(r1.u32min, r2.u32min)
            r1.u32max = min(r1.u32max, r2.u32max)
            r1.s32min = max(r1.s32min, r2.s32min)
            r1.s32max = min(r1.s32max, r2.s32max)
            r2.u32min, r2.u32max, r2.s32min, r2.s32max = r1.u32min, r1.u32max, r1.s32min, r1.s32max
            t = tn.intersect(tn.subreg(r1.var_off), tn.subreg(r2.var_off))
            r1.var_off = tn.with_subreg(r1.var_off, t)
            r2.var_off = tn.with_subreg(r2.var_off, t)
        else:
            r1.umin = max(r1.umin, r2.umin)
            r1.umax = min(r1.umax, r2.umax)
            r1.smin = max(r1.smin, r2.smin)
            r1.smax = min(r1.smax, r2.smax)
            r2.umin, r2.umax, r2.smin, r2.smax = r1.umin, r1.umax, r1.smin, r1.smax
            r1.var_off = tn.intersect(r1.var_off, r2.var_off)
            r2.var_off = r1.var_off
    elif op == JNE:
        if not is_reg_const(r2, jmp32):
            r1, r2 = r2, r1
        if not is_reg_const(r2, jmp32):
            return
        val = reg_const_value(r2, jmp32)
        if jmp32:
            v = val & U32
            if r1.u32min == v:
                r1.u32min = (r1.u32min + 1) & U32
            if r1.u32max == v:
                r1.u32max = (r1.u32max - 1) & U32
            if r1.s32min == s32(v):
                r1.s32min = s32(r1.s32min + 1)
            if r1.s32max == s32(v):
                r1.s32max = s32(r1.s32max - 1)
        else:
            if r1.umin == val:
                r1.umin = (r1.umin + 1) & U64
            if r1.umax == val:
                r1.umax = (r1.umax - 1) & U64
            if r1.smin == s64(val):
                r1.smin = s64(r1.smin + 1)
            if r1.smax == s64(val):
                r1.smax = s64(r1.smax - 1)
    elif op == JSET:
        if not is_reg_const(r2, jmp32):
            r1, r2 = r2, r1
        if not is_reg_const(r2, jmp32):
            return
        val = reg_const_value(r2, jmp32)
        if val == 0 or val & (val - 1):
            return
        if jmp32:
            t = tn.or_(tn.subreg(r1.var_off), tn.const(val))
            r1.var_off = tn.with_subreg(r1.var_off, t)
        else:
            r1.var_off = tn.or_(r1.var_off, tn.const(val))
    elif op == JSET_REV:
        if not is_reg_const(r2, jmp32):
            r1, r2 = r2, r1
        if not is_reg_const(r2, jmp32):
            return
        val = reg_const_value(r2, jmp32)
        mark_unbounded(r1)
        if jmp32:
            t = tn.and_(tn.subreg(r1.var_off), tn.const(~val & U64))
            r1.var_off = tn.with_subreg(r1.var_off, t)
        else:
            r1.var_off = tn.and_(r1.var_off, tn.const(~val & U64))
    elif op == JLE:
        if jmp32:
            r1.u32max = min(r1.u32max, r2.u32max)
            r2.u32min = max(r1.u32min, r2.u32min)
        else:
            r1.umax = min(r1.umax, r2.umax)
            r2.umin = max(r1.umin, r2.umin)
    elif op == JLT:
        if jmp32:
            r1.u32max = min(r1.u32max, (r2.u32max - 1) & U32)
            r2.u32min = max((r1.u32min + 1) & U32, r2.u32min)
        else:
            r1.umax = min(r1.umax, (r2.umax - 1) & U64)
            r2.umin = max((r1.umin + 1) & U64, r2.umin)
    elif op == JSLE:
        if jmp32:
            r1.s32max = min(r1.s32max, r2.s32max)
            r2.s32min = max(r1.s32min, r2.s32min)
        else:
            r1.smax = min(r1.smax, r2.smax)
            r2.smin = max(r1.smin, r2.smin)
    elif op == JSLT:
        if jmp32:
            r1.s32max = min(r1.s32max, s32(r2.s32max - 1))
            r2.s32min = max(s32(r1.s32min + 1), r2.s32min)
        else:
            r1.smax = min(r1.smax, s64(r2.smax - 1))
            r2.smin = max(s64(r1.smin + 1), r2.smin)


def reg_set_min_max(
    true1: Reg,
    true2: Reg,
    false1: Reg,
    false2: Reg,
    op: int,
    jmp32: bool,
    src_is_scratch: bool = False,
) -> None:
    """Refine the four register copies for the taken (true) and fall-through (false) sides.

    ``src_is_scratch``: the second operands are throw-away copies of an immediate, so their
    own refined bounds are not worth syncing (each register is synced independently).
    """
    if false1.type != SCALAR or false2.type != SCALAR:
        return
    refine_cond_op(false1, false2, REV[op], jmp32)
    reg_bounds_sync(false1)
    if not src_is_scratch:
        reg_bounds_sync(false2)
    refine_cond_op(true1, true2, op, jmp32)
    reg_bounds_sync(true1)
    if not src_is_scratch:
        reg_bounds_sync(true2)
    for r in (false1, true1) if src_is_scratch else (false1, false2, true1, true2):
        if not bounds_valid(r):
            # the kernel logs "REG INVARIANTS VIOLATION" and forgets the bounds
            mark_unbounded(r)
            r.var_off = tn.UNKNOWN


def scalar_neg(d: Reg, alu32: bool) -> None:
    """6.18 tracks NEG as ``0 - x``."""
    src = d.copy()
    d.id = 0
    mark_known(d, 0)
    scalar32_sub(d, src)
    scalar_sub(d, src)
    d.var_off = tn.sub(tn.ZERO, src.var_off)
    if alu32:
        zext_32_to_64(d)
    reg_bounds_sync(d)


def _swap_bytes(v: int, nbytes: int) -> int:
    return int.from_bytes((v & ((1 << (nbytes * 8)) - 1)).to_bytes(nbytes, "little"), "big")


def scalar_byte_swap(d: Reg, bits: int, swap: bool) -> None:
    """BPF_END on a scalar: a byte swap (``be``/``bswap`` on little endian) or a truncation."""
    nbytes = bits // 8
    v = d.var_off
    if swap:
        d.var_off = tn.Tnum(_swap_bytes(v.value, nbytes), _swap_bytes(v.mask, nbytes))
    else:
        d.var_off = tn.cast(v, nbytes)
    d.id = 0
    mark_unbounded(d)
    reg_bounds_sync(d)


def signed_range_text(smin: int, smax: int) -> str:
    """How the kernel's return-value checks print a range: `` smin=A smax=B``, leaving out
    an unbounded side, or `` unknown scalar value`` when both are."""
    parts = []
    if smin > S64_MIN:
        parts.append(f" smin={smin}")
    if smax < S64_MAX:
        parts.append(f" smax={smax}")
    return "".join(parts) or " unknown scalar value"
