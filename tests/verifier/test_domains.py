"""Soundness of the abstract domains: every transfer function contains the concrete result.

For random concrete inputs x (in abstract value A) and y (in B), ``op(x, y)`` must be a member
of ``op#(A, B)``: for tnums, bit membership; for the full register domain, the tnum and all
eight bounds. Branch refinement must keep every concrete value that satisfies the condition.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf.verifier import scalar as sc
from pyebpf.verifier import tnum as tn
from pyebpf.verifier.state import SCALAR, Reg

U64 = (1 << 64) - 1
U32 = (1 << 32) - 1

u64s = st.one_of(
    st.integers(0, U64),
    st.integers(0, 64),
    st.integers(U64 - 64, U64),
    st.integers(0, U32),
    st.sampled_from([0, 1, 1 << 31, (1 << 31) - 1, 1 << 32, 1 << 63, (1 << 63) - 1, U32, U64]),
)


@st.composite
def tnum_with_member(draw: st.DrawFn) -> tuple[tn.Tnum, int]:
    x = draw(u64s)
    mask = draw(u64s) & draw(u64s)
    t = tn.Tnum(x & ~mask & U64, mask)
    return t, x


@st.composite
def reg_with_member(draw: st.DrawFn) -> tuple[Reg, int]:
    """A scalar register describing a set that contains the concrete value returned."""
    x = draw(u64s)
    kind = draw(st.integers(0, 3))
    r = Reg()
    r.type = SCALAR
    if kind == 0:
        sc.mark_known(r, x)
        return r, x
    a, b = draw(u64s), draw(u64s)
    if kind == 1:  # unsigned range around x
        r.umin, r.umax = min(a, x), max(b, x)
    elif kind == 2:  # signed range around x
        sx = sc.s64(x)
        r.smin, r.smax = min(sc.s64(a), sx), max(sc.s64(b), sx)
    else:  # known bits
        mask = a & b
        r.var_off = tn.Tnum(x & ~mask & U64, mask)
    sc.reg_bounds_sync(r)
    assert contains(r, x)
    return r, x


def contains(r: Reg, x: int) -> bool:
    x &= U64
    lo = x & U32
    return (
        tn.member(r.var_off, x)
        and r.umin <= x <= r.umax
        and r.smin <= sc.s64(x) <= r.smax
        and r.u32min <= lo <= r.u32max
        and r.s32min <= sc.s32(lo) <= r.s32max
    )


_TNUM_OPS = {
    "add": (tn.add, lambda a, b: a + b),
    "sub": (tn.sub, lambda a, b: a - b),
    "and": (tn.and_, lambda a, b: a & b),
    "or": (tn.or_, lambda a, b: a | b),
    "xor": (tn.xor, lambda a, b: a ^ b),
    "mul": (tn.mul, lambda a, b: a * b),
}


@settings(max_examples=300, deadline=None)
@given(tnum_with_member(), tnum_with_member(), st.sampled_from(sorted(_TNUM_OPS)))
def test_tnum_binary_ops_are_sound(
    a: tuple[tn.Tnum, int], b: tuple[tn.Tnum, int], name: str
) -> None:
    abstract, concrete = _TNUM_OPS[name]
    result = abstract(a[0], b[0])
    assert tn.member(result, concrete(a[1], b[1]) & U64)


@settings(max_examples=200, deadline=None)
@given(tnum_with_member(), st.integers(0, 63))
def test_tnum_shifts_are_sound(a: tuple[tn.Tnum, int], shift: int) -> None:
    t, x = a
    assert tn.member(tn.lshift(t, shift), (x << shift) & U64)
    assert tn.member(tn.rshift(t, shift), x >> shift)
    assert tn.member(tn.arshift(t, shift, 64), (sc.s64(x) >> shift) & U64)
    x32 = x & U32
    assert tn.member(tn.arshift(tn.subreg(t), shift & 31, 32), (sc.s32(x32) >> (shift & 31)) & U32)


@settings(max_examples=200, deadline=None)
@given(u64s, u64s)
def test_tnum_range_contains_its_range(a: int, b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    t = tn.trange(lo, hi)
    for x in (lo, hi, (lo + hi) // 2):
        assert tn.member(t, x)


@settings(max_examples=200, deadline=None)
@given(tnum_with_member(), tnum_with_member())
def test_tnum_intersect_keeps_common_members(
    a: tuple[tn.Tnum, int], b: tuple[tn.Tnum, int]
) -> None:
    if tn.member(b[0], a[1]):
        assert tn.member(tn.intersect(a[0], b[0]), a[1])


def _concrete(op: int, x: int, y: int, alu32: bool) -> int:
    bits = 32 if alu32 else 64
    m = (1 << bits) - 1
    x &= m
    y &= m
    if op == sc.ADD:
        return (x + y) & m
    if op == sc.SUB:
        return (x - y) & m
    if op == sc.MUL:
        return (x * y) & m
    if op == sc.AND:
        return x & y
    if op == sc.OR:
        return x | y
    if op == sc.XOR:
        return x ^ y
    if op == sc.LSH:
        return (x << y) & m
    if op == sc.RSH:
        return x >> y
    sx = x - (1 << bits) if x >> (bits - 1) else x
    return (sx >> y) & m


@settings(max_examples=600, deadline=None)
@given(
    reg_with_member(),
    reg_with_member(),
    st.sampled_from([sc.ADD, sc.SUB, sc.MUL, sc.AND, sc.OR, sc.XOR, sc.LSH, sc.RSH, sc.ARSH]),
    st.booleans(),
)
def test_alu_transfer_functions_are_sound(
    a: tuple[Reg, int], b: tuple[Reg, int], op: int, alu32: bool
) -> None:
    d, x = a
    s, y = b
    if op in (sc.LSH, sc.RSH, sc.ARSH):
        y %= 32 if alu32 else 64
        s = Reg()
        s.type = SCALAR
        sc.mark_known(s, y)
    if not sc.safe_to_compute(op, s, alu32):
        return
    sc.adjust_scalar(d, s, op, alu32)
    assert contains(d, _concrete(op, x, y, alu32)), (op, alu32, x, y)


def _holds(op: int, x: int, y: int, jmp32: bool) -> bool:
    if jmp32:
        x &= U32
        y &= U32
        sx, sy = sc.s32(x), sc.s32(y)
    else:
        sx, sy = sc.s64(x), sc.s64(y)
    return {
        sc.JEQ: x == y, sc.JNE: x != y, sc.JGT: x > y, sc.JGE: x >= y, sc.JLT: x < y,
        sc.JLE: x <= y, sc.JSGT: sx > sy, sc.JSGE: sx >= sy, sc.JSLT: sx < sy,
        sc.JSLE: sx <= sy, sc.JSET: bool(x & y),
    }[op]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    reg_with_member(),
    reg_with_member(),
    st.sampled_from(
        [
            sc.JEQ,
            sc.JNE,
            sc.JGT,
            sc.JGE,
            sc.JLT,
            sc.JLE,
            sc.JSGT,
            sc.JSGE,
            sc.JSLT,
            sc.JSLE,
            sc.JSET,
        ]
    ),  # fmt: skip
    st.booleans(),
)
def test_branch_decision_and_refinement_are_sound(
    a: tuple[Reg, int], b: tuple[Reg, int], op: int, jmp32: bool
) -> None:
    r1, x = a
    r2, y = b
    taken = _holds(op, x, y, jmp32)
    pred = sc.scalar_branch_taken(r1, r2, op, jmp32)
    if pred >= 0:
        assert bool(pred) == taken
        return
    t1, t2, f1, f2 = r1.copy(), r2.copy(), r1.copy(), r2.copy()
    sc.reg_set_min_max(t1, t2, f1, f2, op, jmp32)
    if taken:
        assert contains(t1, x) and contains(t2, y)
    else:
        assert contains(f1, x) and contains(f2, y)


@settings(max_examples=300, deadline=None)
@given(reg_with_member(), st.sampled_from([1, 2, 4]))
def test_sign_extension_is_sound(a: tuple[Reg, int], size: int) -> None:
    r, x = a
    bits = size * 8
    v = x & ((1 << bits) - 1)
    if v >> (bits - 1):
        v -= 1 << bits
    sc.coerce_to_sext(r, size)
    assert contains(r, v & U64)


@settings(max_examples=300, deadline=None)
@given(reg_with_member(), st.booleans())
def test_neg_is_sound(a: tuple[Reg, int], alu32: bool) -> None:
    r, x = a
    sc.scalar_neg(r, alu32)
    expected = (-(x & U32)) & U32 if alu32 else (-x) & U64
    assert contains(r, expected)


@settings(max_examples=300, deadline=None)
@given(reg_with_member(), st.sampled_from([16, 32, 64]), st.booleans())
def test_byte_swap_is_sound(a: tuple[Reg, int], bits: int, swap: bool) -> None:
    r, x = a
    n = bits // 8
    low = x & ((1 << bits) - 1)
    expected = int.from_bytes(low.to_bytes(n, "little"), "big") if swap else low
    sc.scalar_byte_swap(r, bits, swap)
    assert contains(r, expected)


def _sync_step_by_step(r: Reg) -> None:
    """``reg_bounds_sync`` as the kernel writes it, from the per-step ports in scalar.py."""
    sc.update_reg_bounds(r)
    sc.reg_deduce_bounds(r)
    sc.reg_deduce_bounds(r)
    sc.reg_bound_offset(r)
    sc.update_reg_bounds(r)


s64s = st.one_of(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(-70, 70))
s32s = st.one_of(st.integers(-(1 << 31), (1 << 31) - 1), st.integers(-70, 70))


@settings(max_examples=1500, deadline=None)
@given(u64s, u64s, u64s, u64s, s64s, s64s, u64s, u64s, s32s, s32s)
def test_inlined_bounds_sync_equals_the_step_by_step_port(
    value: int, mask: int, u1: int, u2: int, s1: int, s2: int, a: int, b: int, c: int, d: int
) -> None:
    """The inlined (and cached) ``reg_bounds_sync`` fast path gives the kernel's steps' result."""
    r = Reg()
    r.type = SCALAR
    r.var_off = tn.Tnum(value & ~mask & U64, mask)
    r.umin, r.umax = sorted((u1, u2))
    r.smin, r.smax = sorted((s1, s2))
    r.u32min, r.u32max = sorted((a & U32, b & U32))
    r.s32min, r.s32max = sorted((c, d))
    ref = r.copy()
    _sync_step_by_step(ref)
    for _ in range(2):  # the second time answers from the cache
        got = r.copy()
        sc.reg_bounds_sync(got)
        for name in ("var_off", "umin", "umax", "smin", "smax", "u32min", "u32max", "s32min",
                     "s32max"):  # fmt: skip
            assert getattr(got, name) == getattr(ref, name), name
