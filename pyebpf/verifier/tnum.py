"""Tracked numbers ("tnums"), a port of the kernel's ``kernel/bpf/tnum.c``.

A tnum ``(value, mask)`` describes the 64-bit patterns that agree with ``value`` on every bit
where ``mask`` is 0; bits set in ``mask`` are unknown. Values are Python ints in ``[0, 2**64)``.
The functions are written as the kernel's, operation by operation, so that the results (and the
``var_off`` printed in logs) match bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

U64 = (1 << 64) - 1
U32 = (1 << 32) - 1


class Tnum(NamedTuple):
    value: int
    mask: int

    @property
    def is_const(self) -> bool:
        return self.mask == 0

    @property
    def is_unknown(self) -> bool:
        return self.mask == U64


UNKNOWN = Tnum(0, U64)
ZERO = Tnum(0, 0)
# tuple.__new__ directly: the namedtuple constructor adds a Python-level call per tnum
_new = tuple.__new__


def const(value: int) -> Tnum:
    return _new(Tnum, (value & U64, 0))


def trange(lo: int, hi: int) -> Tnum:
    """The smallest tnum containing the unsigned range ``[lo, hi]`` (kernel ``tnum_range``)."""
    chi = (lo ^ hi) & U64
    bits = chi.bit_length()
    if bits > 63:
        return UNKNOWN
    delta = (1 << bits) - 1
    return _new(Tnum, (lo & ~delta & U64, delta))


def lshift(a: Tnum, shift: int) -> Tnum:
    return _new(Tnum, ((a.value << shift) & U64, (a.mask << shift) & U64))


def rshift(a: Tnum, shift: int) -> Tnum:
    return _new(Tnum, (a.value >> shift, a.mask >> shift))


def _sext(v: int, bits: int) -> int:
    sign = 1 << (bits - 1)
    return (v & (sign - 1)) - (v & sign)


def arshift(a: Tnum, min_shift: int, bitness: int) -> Tnum:
    if bitness == 32:
        return _new(
            Tnum,
            (
                (_sext(a.value & U32, 32) >> min_shift) & U32,
                (_sext(a.mask & U32, 32) >> min_shift) & U32,
            ),
        )
    return _new(
        Tnum, ((_sext(a.value, 64) >> min_shift) & U64, (_sext(a.mask, 64) >> min_shift) & U64)
    )


def add(a: Tnum, b: Tnum) -> Tnum:
    sm = (a.mask + b.mask) & U64
    sv = (a.value + b.value) & U64
    sigma = (sm + sv) & U64
    chi = sigma ^ sv
    mu = chi | a.mask | b.mask
    return _new(Tnum, (sv & ~mu & U64, mu))


def sub(a: Tnum, b: Tnum) -> Tnum:
    dv = (a.value - b.value) & U64
    alpha = (dv + a.mask) & U64
    beta = (dv - b.mask) & U64
    chi = alpha ^ beta
    mu = chi | a.mask | b.mask
    return _new(Tnum, (dv & ~mu & U64, mu))


def and_(a: Tnum, b: Tnum) -> Tnum:
    alpha = a.value | a.mask
    beta = b.value | b.mask
    v = a.value & b.value
    return _new(Tnum, (v, alpha & beta & ~v & U64))


def or_(a: Tnum, b: Tnum) -> Tnum:
    v = a.value | b.value
    mu = a.mask | b.mask
    return _new(Tnum, (v, mu & ~v & U64))


def xor(a: Tnum, b: Tnum) -> Tnum:
    v = a.value ^ b.value
    mu = a.mask | b.mask
    return _new(Tnum, (v & ~mu & U64, mu))


def mul(a: Tnum, b: Tnum) -> Tnum:
    acc_v = (a.value * b.value) & U64
    acc_m = ZERO
    while a.value or a.mask:
        if a.value & 1:
            acc_m = add(acc_m, _new(Tnum, (0, b.mask)))
        elif a.mask & 1:
            acc_m = add(acc_m, _new(Tnum, (0, b.value | b.mask)))
        a = rshift(a, 1)
        b = lshift(b, 1)
    return add(_new(Tnum, (acc_v, 0)), acc_m)


def intersect(a: Tnum, b: Tnum) -> Tnum:
    v = a.value | b.value
    mu = a.mask & b.mask
    return _new(Tnum, (v & ~mu & U64, mu))


def cast(a: Tnum, size: int) -> Tnum:
    m = (1 << (size * 8)) - 1
    return _new(Tnum, (a.value & m, a.mask & m))


def is_aligned(a: Tnum, size: int) -> bool:
    if not size:
        return True
    return not ((a.value | a.mask) & (size - 1))


def contains(a: Tnum, b: Tnum) -> bool:
    """Kernel ``tnum_in(a, b)``: is every value of ``b`` a value of ``a``?"""
    if b.mask & ~a.mask:
        return False
    return a.value == (b.value & ~a.mask)


def subreg(a: Tnum) -> Tnum:
    return _new(Tnum, (a.value & U32, a.mask & U32))


def clear_subreg(a: Tnum) -> Tnum:
    return _new(Tnum, (a.value & ~U32 & U64, a.mask & ~U32 & U64))


def with_subreg(reg: Tnum, sub_: Tnum) -> Tnum:
    return or_(clear_subreg(reg), subreg(sub_))


def const_subreg(a: Tnum, value: int) -> Tnum:
    return with_subreg(a, const(value & U32))


def subreg_is_const(a: Tnum) -> bool:
    return not (a.mask & U32)


def member(a: Tnum, x: int) -> bool:
    """Does the concrete 64-bit value ``x`` belong to ``a``?"""
    return (x & ~a.mask & U64) == a.value
