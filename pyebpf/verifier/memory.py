"""Memory accesses: ``check_mem_access`` and friends, per pointer type.

Stack (bounds, alignment, spills/fills, initialisation), map values (fixed and variable
offsets against ``value_size``), context (per program type, via :mod:`.prog_types`), packet
(against the range proven by ``data_end`` checks), helper memory (``mem``/``ringbuf_mem``) and
socket pointers. Messages and errnos are the kernel's.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from ..kernel_tables import ProgType
from . import scalar as sc
from . import tnum as tn
from .btf_fields import check_value_fields
from .prog_types import CtxRegType, ctx_access
from .rodata import read_map_value
from .state import (
    CONST_PTR_TO_MAP,
    MEM_RDONLY,
    NOT_INIT,
    PTR_MAYBE_NULL,
    PTR_TO_ARENA,
    PTR_TO_BTF_ID,
    PTR_TO_BUF,
    PTR_TO_CTX,
    PTR_TO_FLOW_KEYS,
    PTR_TO_FUNC,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_PACKET,
    PTR_TO_PACKET_END,
    PTR_TO_PACKET_META,
    PTR_TO_SOCK_COMMON,
    PTR_TO_SOCKET,
    PTR_TO_STACK,
    PTR_TO_TCP_SOCK,
    PTR_TO_XDP_SOCK,
    SCALAR,
    STACK_INVALID,
    STACK_MISC,
    STACK_SPILL,
    STACK_ZERO,
    Frame,
    Reg,
    StackSlot,
    is_pkt_type,
    type_name,
)

if TYPE_CHECKING:
    from .simulate import Checker

MAX_BPF_STACK = 512
MAX_VAR_OFF = 1 << 29
_SIZES = {0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8}
_SPILLABLE_NOT = (NOT_INIT, SCALAR)
# the kernel's is_spillable_regtype (base types)
_SPILLABLE_TYPES = frozenset(
    (PTR_TO_MAP_VALUE, PTR_TO_STACK, PTR_TO_CTX, PTR_TO_PACKET, PTR_TO_PACKET_META,
     PTR_TO_PACKET_END, PTR_TO_FLOW_KEYS, CONST_PTR_TO_MAP, PTR_TO_SOCKET, PTR_TO_SOCK_COMMON,
     PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK, PTR_TO_BTF_ID, PTR_TO_BUF, PTR_TO_MEM, PTR_TO_FUNC,
     PTR_TO_MAP_KEY, PTR_TO_ARENA)
)  # fmt: skip


def _tstr(t: tn.Tnum) -> str:
    return f"({t.value:#x}; {t.mask:#x})"


def _off_str(t: tn.Tnum) -> str:
    """6.18 prints a constant variable offset as a plain number in alignment errors."""
    return str(sc.s64(t.value)) if t.mask == 0 else _tstr(t)


# --- entry points from the instruction decoder ------------------------------------------------


def check_load(ck: Checker, op: int, dst: int, src: int, off: int) -> None:
    ck.check_reg_arg(src, True)
    ck.check_reg_arg(dst, False)
    src_type = ck.cur.frames[-1].regs[src].type
    size = _SIZES[op & 0x18]
    is_ldsx = (op & 0xE0) == 0x80
    check_mem_access(ck, src, off, size, False, dst, is_ldsx=is_ldsx)
    _save_aux_ptr_type(ck, src_type)


def check_store(
    ck: Checker, op: int, dst: int, src: int, off: int, imm: int, from_reg: bool
) -> None:
    if from_reg:
        ck.check_reg_arg(src, True)
    ck.check_reg_arg(dst, True)
    dst_type = ck.cur.frames[-1].regs[dst].type
    size = _SIZES[op & 0x18]
    check_mem_access(
        ck, dst, off, size, True, src if from_reg else -1, st_imm=None if from_reg else imm
    )
    _save_aux_ptr_type(ck, dst_type)


_CTX_LIKE = frozenset(
    (PTR_TO_CTX, PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK)
)


def _save_aux_ptr_type(ck: Checker, t: int) -> None:
    prev = ck.aux_ptr_type.get(ck.insn_idx)
    if prev is None:
        ck.aux_ptr_type[ck.insn_idx] = t
        return
    if prev != t and (prev in _CTX_LIKE or t in _CTX_LIKE):
        raise ck.fail(errno.EINVAL, "same insn cannot be used with different pointers")


def check_atomic(ck: Checker, op: int, dst: int, src: int, off: int, imm: int) -> None:
    size = _SIZES[op & 0x18]
    if imm in (0x100, 0x110):
        if imm == 0x100:  # load-acquire: dst = *(src + off)
            ck.check_reg_arg(src, True)
            ck.check_reg_arg(dst, False)
            check_mem_access(ck, src, off, size, False, dst, strict_once=True)
        else:  # store-release: *(dst + off) = src
            ck.check_reg_arg(src, True)
            ck.check_reg_arg(dst, True)
            check_mem_access(ck, dst, off, size, True, src, strict_once=True)
        return
    if imm not in (0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xA0, 0xA1, 0xE1, 0xF1):
        raise ck.fail(errno.EINVAL, f"BPF_ATOMIC uses invalid atomic opcode {imm:02x}")
    if size not in (4, 8):
        raise ck.fail(errno.EINVAL, "invalid atomic operand size")
    ck.check_reg_arg(src, True)
    ck.check_reg_arg(dst, True)
    if imm == 0xF1:
        ck.check_reg_arg(0, True)
        if ck.is_pointer_value(0):
            raise ck.fail(errno.EACCES, "R0 leaks addr into mem")
    if ck.is_pointer_value(src):
        raise ck.fail(errno.EACCES, f"R{src} leaks addr into mem")
    d = ck.regs[dst]
    if d.type in (PTR_TO_CTX, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_FLOW_KEYS) or (
        d.type & 0xFF
    ) in (PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK):
        raise ck.fail(
            errno.EACCES, f"BPF_ATOMIC stores into R{dst} {type_name(d.type)} is not allowed"
        )
    fetch = bool(imm & 1)
    load_reg = (0 if imm == 0xF1 else src) if fetch else -1
    check_mem_access(ck, dst, off, size, False, load_reg, strict_once=True)
    if load_reg >= 0 and ck.regs[load_reg].type != SCALAR and ck.is_pointer_value(load_reg):
        raise ck.fail(errno.EACCES, f"R{load_reg} leaks addr into mem")
    check_mem_access(ck, dst, off, size, True, -1, strict_once=True)


def check_ld_abs(ck: Checker, op: int, dst: int, src: int, off: int, imm: int) -> None:
    size = _SIZES[op & 0x18]
    if size == 8 or dst != 0 or off != 0 or ((op & 0xE0) == 0x20 and src != 0):
        raise ck.fail(errno.EINVAL, "BPF_LD_[ABS|IND] uses reserved fields")
    if not _may_ld_abs(ck):
        raise ck.fail(
            errno.EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type"
        )
    ck.check_reg_arg(6, True)
    if ck.cur.refs:
        raise ck.fail(errno.EINVAL, "BPF_LD_[ABS|IND] would lead to reference leak")
    if (op & 0xE0) == 0x40:
        ck.check_reg_arg(src, True)
    if ck.regs[6].type != PTR_TO_CTX:
        raise ck.fail(errno.EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb")
    for r in range(1, 6):
        ck.regs[r].__init__()  # type: ignore[misc]
    ck.mark_unknown(0)


def _may_ld_abs(ck: Checker) -> bool:
    try:
        pt = ProgType(int(ck.prog_type))
    except ValueError:
        return False
    return pt in (
        ProgType.SOCKET_FILTER,
        ProgType.SCHED_CLS,
        ProgType.SCHED_ACT,
        ProgType.CGROUP_SKB,
    )


# --- the dispatcher ---------------------------------------------------------------------------


def check_mem_access(
    ck: Checker,
    regno: int,
    off: int,
    size: int,
    write: bool,
    value_regno: int,
    *,
    is_ldsx: bool = False,
    st_imm: int | None = None,
    strict_once: bool = False,
) -> None:
    regs = ck.cur.frames[-1].regs
    reg = regs[regno]
    _check_alignment(ck, reg, off, size, strict_once)
    off += reg.off
    t = reg.type
    base = t & 0xFF
    if t == PTR_TO_MAP_VALUE:
        if write and value_regno >= 0 and ck.is_pointer_value(value_regno):
            raise ck.fail(errno.EACCES, f"R{value_regno} leaks addr into map")
        flags = getattr(reg.map, "flags", 0) or 0
        if write and flags & (1 << 7):  # BPF_F_RDONLY_PROG
            vs = reg.map.value_size
            raise ck.fail(
                errno.EACCES, f"write into map forbidden, value_size={vs} off={off} size={size}"
            )
        if not write and flags & (1 << 8):  # BPF_F_WRONLY_PROG
            vs = reg.map.value_size
            raise ck.fail(
                errno.EACCES, f"read from map forbidden, value_size={vs} off={off} size={size}"
            )
        check_mem_region(ck, regno, reg, off, size, reg.map.value_size if reg.map else 0, False)
        check_value_fields(ck, reg, off, size)  # btf_fields.py: spin locks, timers...
        if not write and value_regno >= 0:
            read_map_value(ck, reg, off, size, value_regno, is_ldsx)  # rodata.py: frozen maps
    elif t == PTR_TO_MAP_KEY:
        if write:
            raise ck.fail(errno.EACCES, f"write to change key R{regno} not allowed")
        check_mem_region(ck, regno, reg, off, size, reg.map.key_size if reg.map else 0, False)
        if value_regno >= 0:
            ck.mark_unknown(value_regno)
    elif base == PTR_TO_MEM:
        if t & PTR_MAYBE_NULL:
            raise ck.fail(errno.EACCES, f"R{regno} invalid mem access '{type_name(t)}'")
        if write and t & MEM_RDONLY:
            raise ck.fail(errno.EACCES, f"R{regno} cannot write into {type_name(t)}")
        if write and value_regno >= 0 and ck.is_pointer_value(value_regno):
            raise ck.fail(errno.EACCES, f"R{value_regno} leaks addr into mem")
        check_mem_region(ck, regno, reg, off, size, reg.mem_size, False)
        if value_regno >= 0 and not write:
            ck.mark_unknown(value_regno)
    elif t == PTR_TO_CTX:
        if write and value_regno >= 0 and ck.is_pointer_value(value_regno):
            raise ck.fail(errno.EACCES, f"R{value_regno} leaks addr into ctx")
        if reg.off < 0:
            raise ck.fail(
                errno.EACCES, f"negative offset ctx ptr R{regno} off={reg.off} disallowed"
            )
        if reg.off or reg.var_off.mask or reg.var_off.value:
            if reg.var_off.mask:
                raise ck.fail(
                    errno.EACCES,
                    f"variable ctx access var_off={_tstr(reg.var_off)} disallowed",
                )
            raise ck.fail(
                errno.EACCES, f"dereference of modified ctx ptr R{regno} off={reg.off} disallowed"
            )
        _ctx_access(ck, off, size, write, value_regno, is_ldsx)
    elif t == PTR_TO_STACK:
        _check_stack_bounds(ck, regno, reg, off, size, write)
        if write:
            _stack_write(ck, regno, reg, off, size, value_regno, st_imm)
        else:
            _stack_read(ck, regno, reg, off, size, value_regno)
    elif is_pkt_type(t):
        if write and not ck.pkt_access_types:
            raise ck.fail(errno.EACCES, "cannot write into packet")
        if write and value_regno >= 0 and ck.is_pointer_value(value_regno):
            raise ck.fail(errno.EACCES, f"R{value_regno} leaks addr into packet")
        check_packet_access(ck, regno, reg, off, size, False)
        if not write and value_regno >= 0:
            ck.mark_unknown(value_regno)
    elif t in (PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK):
        if write:
            raise ck.fail(errno.EACCES, f"R{regno} cannot write into {type_name(t)}")
        _sock_access(ck, regno, reg, off, size)
        if value_regno >= 0:
            ck.mark_unknown(value_regno)
    elif t == CONST_PTR_TO_MAP:
        if not ck.priv.allow_ptr_leaks:
            mtype = int(getattr(reg.map, "type", 0))
            sname = {1: "bpf_htab", 2: "bpf_array", 5: "bpf_htab", 6: "bpf_array", 9: "bpf_htab",
                     10: "bpf_htab", 3: "bpf_array", 4: "bpf_array"}.get(mtype, "bpf_map")  # fmt: skip
            raise ck.fail(
                errno.EPERM,
                f"'struct {sname}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN",
            )
        if write:
            raise ck.fail(errno.EACCES, f"R{regno} cannot write into {type_name(t)}")
        if value_regno >= 0:
            ck.mark_unknown(value_regno)
    else:
        raise ck.fail(errno.EACCES, f"R{regno} invalid mem access '{type_name(t)}'")

    if not write and value_regno >= 0 and size < 8:
        r = regs[value_regno]
        if r.type == SCALAR:
            if is_ldsx:
                sc.coerce_to_sext(r, size)
            else:
                _coerce_reg_to_size(r, size)


def _coerce_reg_to_size(r: Reg, size: int) -> None:
    r.var_off = tn.cast(r.var_off, size)
    mask = (1 << (size * 8)) - 1
    if (r.umin & ~mask) == (r.umax & ~mask):
        r.umin &= mask
        r.umax &= mask
    else:
        r.umin, r.umax = 0, mask
    r.smin, r.smax = r.umin, r.umax
    if size < 4:
        sc.mark_reg32_unbounded(r)
    sc.reg_bounds_sync(r)


def _check_alignment(ck: Checker, reg: Reg, off: int, size: int, strict_once: bool = False) -> None:
    t = reg.type
    if t == PTR_TO_STACK and reg.var_off.mask == 0 and size > 0:
        # the common case, short: a stack access at a known offset (always strict)
        if not (reg.var_off.value + reg.off + off) & (size - 1):
            return
    strict = ck.strict_alignment or strict_once
    desc = ""
    if is_pkt_type(t):
        if not strict or size == 1:
            return
        ip_align = 2
        reg_off = tn.add(reg.var_off, tn.const(ip_align + reg.off + off))
        if not tn.is_aligned(reg_off, size):
            raise ck.fail(
                errno.EACCES,
                f"misaligned packet access off {ip_align}+{_off_str(reg.var_off)}+{reg.off}+{off} size {size}",
            )
        return
    if t == PTR_TO_STACK:
        desc = "stack "
        strict = True
    elif t == PTR_TO_CTX:
        desc = "context "
    elif t == PTR_TO_MAP_VALUE:
        desc = "value "
    elif t == PTR_TO_FLOW_KEYS:
        desc = "flow keys "
    elif t in (PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK):
        desc = "sock "
    if not strict or size == 1:
        return
    reg_off = tn.add(reg.var_off, tn.const(reg.off + off))
    if not tn.is_aligned(reg_off, size):
        raise ck.fail(
            errno.EACCES,
            f"misaligned {desc}access off {_off_str(reg.var_off)}+{reg.off}+{off} size {size}",
        )


# --- regions ----------------------------------------------------------------------------------


def map_access_message(ck: Checker, regno: int, reg: Reg, off: int, size: int) -> str:
    vs = reg.map.value_size if reg.map is not None else 0
    return f"invalid access to map value, value_size={vs} off={off + reg.smin} size={size}"


def _mem_msg(reg: Reg, regno: int, off: int, size: int, mem_size: int) -> str:
    base = reg.type & 0xFF
    if base == PTR_TO_MAP_KEY:
        return f"invalid access to map key, key_size={mem_size} off={off} size={size}"
    if base == PTR_TO_MAP_VALUE:
        return f"invalid access to map value, value_size={mem_size} off={off} size={size}"
    if base in (PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_PACKET_END):
        return f"invalid access to packet, off={off} size={size}, R{regno}(id={reg.id},off={off},r={mem_size})"
    return f"invalid access to memory, mem_size={mem_size} off={off} size={size}"


def _mem_ok(off: int, size: int, mem_size: int, zero_ok: bool) -> bool:
    size_ok = size > 0 or (size == 0 and zero_ok)
    return off >= 0 and size_ok and off + size <= mem_size


def check_mem_region(
    ck: Checker, regno: int, reg: Reg, off: int, size: int, mem_size: int, zero_ok: bool
) -> None:
    """``check_mem_region_access``: the whole variable range of ``reg`` must fit."""
    smin = reg.smin
    if smin < 0 and (
        smin == sc.S64_MIN or not (-(1 << 31) <= off + smin < (1 << 31)) or smin + off < 0
    ):
        raise ck.fail(
            errno.EACCES,
            f"R{regno} min value is negative, either use unsigned index or do a if (index >=0) check.",
        )
    lo = smin + off
    if not _mem_ok(lo, size, mem_size, zero_ok):
        raise ck.fail(
            errno.EACCES,
            _mem_msg(reg, regno, lo, size, mem_size)
            + f"\nR{regno} min value is outside of the allowed memory range",
        )
    if reg.umax >= MAX_VAR_OFF:
        raise ck.fail(
            errno.EACCES,
            f"R{regno} unbounded memory access, make sure to bounds check any such access",
        )
    hi = reg.umax + off
    if not _mem_ok(hi, size, mem_size, zero_ok):
        raise ck.fail(
            errno.EACCES,
            _mem_msg(reg, regno, hi, size, mem_size)
            + f"\nR{regno} max value is outside of the allowed memory range",
        )


def check_packet_access(
    ck: Checker, regno: int, reg: Reg, off: int, size: int, zero_ok: bool
) -> None:
    if reg.smin < 0:
        raise ck.fail(
            errno.EACCES,
            f"R{regno} min value is negative, either use unsigned index or do a if (index >=0) check.",
        )
    rng = reg.range
    if rng < 0 or not _mem_ok(off, size, rng, zero_ok):
        first = _mem_msg(reg, regno, off, size, max(rng, 0)) + "\n" if rng >= 0 else ""
        raise ck.fail(errno.EACCES, f"{first}R{regno} offset is outside of the packet")


def _sock_access(ck: Checker, regno: int, reg: Reg, off: int, size: int) -> None:
    if reg.smin < 0:
        raise ck.fail(
            errno.EACCES,
            f"R{regno} min value is negative, either use unsigned index or do a if (index >=0) check.",
        )
    if off < 0 or off + size > 80 or off % size:
        raise ck.fail(
            errno.EACCES, f"R{regno} invalid {type_name(reg.type)} access off={off} size={size}"
        )


# --- context ----------------------------------------------------------------------------------


# what a context load gives, by the field's CtxRegType
_CTX_REG_TYPES = {
    CtxRegType.PTR_TO_PACKET: PTR_TO_PACKET,
    CtxRegType.PTR_TO_PACKET_END: PTR_TO_PACKET_END,
    CtxRegType.PTR_TO_PACKET_META: PTR_TO_PACKET_META,
    CtxRegType.PTR_TO_SOCK_COMMON_OR_NULL: PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL,
    CtxRegType.PTR_TO_SOCKET: PTR_TO_SOCKET,
    CtxRegType.PTR_TO_SOCKET_OR_NULL: PTR_TO_SOCKET | PTR_MAYBE_NULL,
    CtxRegType.PTR_TO_FLOW_KEYS: PTR_TO_FLOW_KEYS,
    CtxRegType.PTR_TO_TP_BUFFER: 14,
}
_CTX_SCALAR = CtxRegType.SCALAR


def _ctx_access(
    ck: Checker, off: int, size: int, write: bool, value_regno: int, is_ldsx: bool
) -> None:
    res = ctx_access(ck.prog_type, off, size, write, ck.attach_type, sign_extend=is_ldsx)
    if not res.ok:
        raise ck.fail(
            res.errno or errno.EACCES,
            res.error or f"invalid bpf_context access off={off} size={size}",
        )
    if write or value_regno < 0:
        return
    rt = res.reg_type
    if rt == _CTX_SCALAR:
        ck.mark_unknown(value_regno)
        return
    r = ck.regs[value_regno]
    r.__init__()  # type: ignore[misc]
    sc.mark_known(r, 0)
    r.type = _CTX_REG_TYPES.get(rt, SCALAR)
    if r.type & PTR_MAYBE_NULL:
        r.id = ck.new_id()
    ck.scratched_regs.add(value_regno)


# --- stack ------------------------------------------------------------------------------------


def _stack_frame(ck: Checker, reg: Reg) -> Frame:
    return ck.cur.frames[reg.frameno]


def _check_stack_bounds(
    ck: Checker, regno: int, reg: Reg, off: int, size: int, write: bool
) -> None:
    extra = " write to" if write else " read from"
    frame = _stack_frame(ck, reg)
    if reg.var_off.mask == 0:
        min_off = sc.s64(reg.var_off.value) + off
        max_off = min_off + size
    else:
        if reg.smax >= MAX_VAR_OFF or reg.smin <= -MAX_VAR_OFF:
            raise ck.fail(errno.EACCES, f"invalid unbounded variable-offset{extra} stack R{regno}")
        min_off = reg.smin + off
        max_off = reg.smax + off + size
    if write or ck.priv.allow_uninit_stack:
        min_valid = -MAX_BPF_STACK
    else:
        min_valid = -frame.allocated
    bad = min_off < min_valid or min_off > -1 or max_off > 0 or size < 0
    if bad:
        # check_stack_access_within_bounds: below the frame EACCES, past its top EINVAL
        err = errno.EACCES if min_off < min_valid or min_off > -1 else errno.EINVAL
        if reg.var_off.mask == 0:
            raise ck.fail(err, f"invalid{extra} stack R{regno} off={off} size={size}")
        raise ck.fail(
            err,
            f"invalid variable-offset{extra} stack R{regno} var_off={_tstr(reg.var_off)} off={off} size={size}",
        )


def _grow(ck: Checker, frame: Frame, lowest_off: int) -> None:
    need = (-lowest_off + 7) // 8 * 8
    if need > frame.allocated:
        frame.allocated = need
    sp = frame.subprogno
    if sp < len(ck.subprog_stack_depth) and ck.subprog_stack_depth[sp] < need:
        ck.subprog_stack_depth[sp] = need


def _slot(frame: Frame, spi: int) -> StackSlot:
    s = frame.stack.get(spi)
    if s is None:
        s = StackSlot()
        frame.stack[spi] = s
    return s


def _record_stack_access(ck: Checker, spi: int, frameno: int) -> None:
    h = ck.cur.history
    if h:
        if h[-1][1] < 0 and h[-1][0] not in ck.prog.jmp_points:
            ck.cur.jmp_hist += 1
        h[-1] = (h[-1][0], spi, frameno)


def _stack_write(
    ck: Checker, regno: int, reg: Reg, off: int, size: int, value_regno: int, st_imm: int | None
) -> None:
    frame = _stack_frame(ck, reg)
    if reg.var_off.mask:
        lo = reg.smin + off
        hi = reg.smax + off + size
        _grow(ck, frame, lo)
        for byte_off in range(lo, hi):
            slot_i = -byte_off - 1
            s = _slot(frame, slot_i // 8)
            if s.is_spill:
                s.types = [STACK_MISC if t == STACK_SPILL else t for t in s.types]
                s.spilled.__init__()  # type: ignore[misc]
            s.types[slot_i % 8] = STACK_MISC
        return
    byte_off = sc.s64(reg.var_off.value) + off
    _grow(ck, frame, byte_off)
    slot_i = -byte_off - 1
    spi = slot_i // 8
    s = _slot(frame, spi)
    ck.scratched_slots.add(spi)
    if size == 8 and byte_off % 8 == 0:
        ck.note_stack_write(spi)
    val = ck.cur.frames[-1].regs[value_regno] if value_regno >= 0 else None
    if not ck.priv.allow_ptr_leaks and s.is_spill and s.spilled.type != SCALAR and size != 8:
        raise ck.fail(errno.EACCES, "attempt to corrupt spilled pointer on stack")
    if not ck.priv.bypass_spec_v4 and ck.insn_idx not in ck.nospec_result:
        # Spectre v4: a pointer spill, or a store over anything but data, gets a nospec after
        # it (insn_aux nospec_result), which also ends speculative paths there
        types = s.types
        if (val is not None and val.type & 0xFF in _SPILLABLE_TYPES) or any(
            types[(slot_i - i) % 8] not in (STACK_MISC, STACK_ZERO) for i in range(size)
        ):
            ck.nospec_result.add(ck.insn_idx)
    aligned = byte_off % 8 == 0
    if val is not None and aligned and val.type == SCALAR and ck.priv.bpf_capable:
        fits = _reg_width(val) <= size * 8
        if fits:
            ck.assign_scalar_id_before_mov(val)
        _save_register(s, val, size)
        if not fits:
            s.spilled.id = 0
            s.spilled.off = 0
        _record_stack_access(ck, spi, frame.frameno)
    elif val is None and aligned and st_imm is not None and ck.priv.bpf_capable:
        _save_register(s, sc.const_reg(st_imm), size)  # copied there
        _record_stack_access(ck, spi, frame.frameno)
    elif val is not None and val.type not in _SPILLABLE_NOT:
        if size != 8:
            raise ck.fail(errno.EACCES, "invalid size of register spill")
        if frame is not ck.frame and val.type == PTR_TO_STACK:
            raise ck.fail(
                errno.EINVAL, "cannot spill pointers to stack into stack frame of the caller"
            )
        _save_register(s, val, size)
        _record_stack_access(ck, spi, frame.frameno)
    else:
        typ = STACK_MISC
        s.spilled.__init__()  # type: ignore[misc]
        if STACK_SPILL in s.types:
            s.types = [STACK_MISC if t == STACK_SPILL else t for t in s.types]
        is_zero = (val is not None and val.type == SCALAR and val.var_off == tn.ZERO) or (
            val is None and st_imm == 0
        )
        if is_zero:
            if val is not None:
                ck.mark_chain_precision(value_regno)
            typ = STACK_ZERO
        for i in range(size):
            s.types[(slot_i - i) % 8] = typ


def _reg_width(r: Reg) -> int:
    return max(r.umax.bit_length(), 1) if r.umax else 1


def _save_register(s: StackSlot, val: Reg, size: int) -> None:
    s.spilled = val.copy()
    for i in range(8, 8 - size, -1):
        s.types[i - 1] = STACK_SPILL
    for i in range(8 - size, 0, -1):
        if s.types[i - 1] not in (STACK_ZERO,):
            if s.types[i - 1] == STACK_INVALID:
                continue
            s.types[i - 1] = STACK_MISC


def _stack_read(ck: Checker, regno: int, reg: Reg, off: int, size: int, dst: int) -> None:
    frame = _stack_frame(ck, reg)
    allow_uninit = ck.priv.allow_uninit_stack
    if reg.var_off.mask:
        lo = reg.smin + off
        hi = reg.smax + off + size
        ck.note_stack_read((-(hi - 1) - 1) // 8, (-lo - 1) // 8)
        for byte_off in range(lo, hi):
            slot_i = -byte_off - 1
            s = frame.stack.get(slot_i // 8)
            t = s.types[slot_i % 8] if s is not None else STACK_INVALID
            if t == STACK_INVALID and not allow_uninit:
                raise ck.fail(
                    errno.EACCES,
                    f"invalid variable-offset read from stack R{regno} var_off={_tstr(reg.var_off)} off={off} size={size}",
                )
        if dst >= 0:
            ck.mark_unknown(dst)
        return
    byte_off = sc.s64(reg.var_off.value) + off
    slot_i = -byte_off - 1
    spi = slot_i // 8
    ck.note_stack_read(spi)
    s = frame.stack.get(spi)
    types = s.types if s is not None else [STACK_INVALID] * 8
    if s is not None and s.is_spill:
        spill_size = 1
        i = 7
        while i > 0 and types[i - 1] == STACK_SPILL:
            spill_size += 1
            i -= 1
        sp = s.spilled
        if size != 8 or spill_size != 8:
            if sp.type != SCALAR:
                raise ck.fail(errno.EACCES, "invalid size of register fill")
            if dst < 0:
                return
            narrow_ok = _narrow_access_ok(byte_off, size, spill_size)
            if size <= spill_size and narrow_ok:
                ck.regs[dst].assign(sp)
                if _reg_width(sp) > size * 8:
                    ck.regs[dst].id = 0
                    ck.regs[dst].off = 0
                _record_stack_access(ck, spi, frame.frameno)
            else:
                spill_cnt = zero_cnt = 0
                for i in range(size):
                    t = types[(slot_i - i) % 8]
                    if t == STACK_SPILL:
                        spill_cnt += 1
                    elif t == STACK_MISC:
                        pass
                    elif t == STACK_ZERO:
                        zero_cnt += 1
                    elif t == STACK_INVALID and allow_uninit:
                        pass
                    else:
                        raise ck.fail(
                            errno.EACCES, f"invalid read from stack off {byte_off}+{i} size {size}"
                        )
                if spill_cnt == size and sp.var_off == tn.ZERO:
                    ck.mark_known(dst, 0)
                    _record_stack_access(ck, spi, frame.frameno)
                elif zero_cnt == size:
                    ck.mark_known(dst, 0)
                else:
                    ck.mark_unknown(dst)
            ck.scratched_regs.add(dst)
            return
        if dst >= 0:
            ck.regs[dst].assign(sp)
            ck.scratched_regs.add(dst)
            _record_stack_access(ck, spi, frame.frameno)
        elif sp.type not in (SCALAR, NOT_INIT) and not ck.priv.allow_ptr_leaks:
            raise ck.fail(errno.EACCES, f"leaking pointer from stack off {byte_off}")
        return
    zeros = 0
    for i in range(size):
        t = types[(slot_i - i) % 8]
        if t == STACK_MISC:
            continue
        if t == STACK_ZERO:
            zeros += 1
            continue
        if t == STACK_INVALID and allow_uninit:
            continue
        raise ck.fail(errno.EACCES, f"invalid read from stack off {byte_off}+{i} size {size}")
    if dst >= 0:
        if zeros == size:
            ck.mark_known(dst, 0)
        else:
            ck.mark_unknown(dst)


def _narrow_access_ok(off: int, size: int, spill_size: int) -> bool:
    # little-endian: the low bytes of a spilled value are at the slot's start
    return (off % 8) == 0


# --- helper arguments: memory regions -----------------------------------------------------------


def check_helper_mem_access(
    ck: Checker, regno: int, access_size: int, zero_ok: bool, write: bool, uninit_ok: bool
) -> None:
    """``check_helper_mem_access``: ``regno`` points at ``access_size`` bytes a helper uses."""
    reg = ck.regs[regno]
    t = reg.type
    base = t & 0xFF
    if is_pkt_type(t):
        check_packet_access(ck, regno, reg, reg.off, access_size, zero_ok)
        return
    if t == PTR_TO_MAP_KEY:
        check_mem_region(ck, regno, reg, reg.off, access_size, reg.map.key_size, zero_ok)
        return
    if t == PTR_TO_MAP_VALUE:
        flags = getattr(reg.map, "flags", 0) or 0
        if write and flags & (1 << 7):
            raise ck.fail(
                errno.EACCES,
                f"write into map forbidden, value_size={reg.map.value_size} off={reg.off} size={access_size}",
            )
        check_mem_region(ck, regno, reg, reg.off, access_size, reg.map.value_size, zero_ok)
        check_value_fields(ck, reg, reg.off, access_size)
        return
    if base == PTR_TO_MEM and not t & PTR_MAYBE_NULL:
        if write and t & MEM_RDONLY:
            raise ck.fail(errno.EACCES, f"R{regno} cannot write into {type_name(t)}")
        check_mem_region(ck, regno, reg, reg.off, access_size, reg.mem_size, zero_ok)
        return
    if t == PTR_TO_CTX:
        return
    if t == PTR_TO_STACK:
        _check_stack_range(ck, regno, reg, access_size, zero_ok, write, uninit_ok)
        return
    if t == SCALAR and zero_ok and reg.var_off == tn.ZERO:
        return
    raise ck.fail(
        errno.EACCES,
        f"R{regno} type={type_name(t)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
    )


def _check_stack_range(
    ck: Checker, regno: int, reg: Reg, size: int, zero_ok: bool, write: bool, uninit_ok: bool
) -> None:
    frame = _stack_frame(ck, reg)
    if size == 0 and zero_ok:
        return
    off = reg.off
    extra = " write to" if write and uninit_ok else " read from"
    if reg.var_off.mask == 0:
        min_off = sc.s64(reg.var_off.value) + off
        max_off = min_off + size
    else:
        if not ck.priv.allow_ptr_leaks:
            raise ck.fail(
                errno.EACCES,
                f"R{regno} variable offset stack access prohibited for !root, var_off={_tstr(reg.var_off)}",
            )
        if reg.smax >= MAX_VAR_OFF or reg.smin <= -MAX_VAR_OFF:
            raise ck.fail(
                errno.EACCES, f"invalid unbounded variable-offset indirect access to stack R{regno}"
            )
        min_off = reg.smin + off
        max_off = reg.smax + off + size
    if uninit_ok or ck.priv.allow_uninit_stack:
        min_valid = -MAX_BPF_STACK
    else:
        min_valid = -frame.allocated
    if min_off < min_valid or min_off > -1 or max_off > 0 or size <= 0:
        # check_stack_access_within_bounds: below the frame EACCES, past its top EINVAL
        err = errno.EACCES if min_off < min_valid or min_off > -1 or size <= 0 else errno.EINVAL
        if reg.var_off.mask == 0:
            raise ck.fail(err, f"invalid{extra} stack R{regno} off={off} size={size}")
        raise ck.fail(
            err,
            f"invalid variable-offset{extra} stack R{regno} var_off={_tstr(reg.var_off)} off={off} size={size}",
        )
    if not uninit_ok:
        ck.note_stack_read((-(max_off - 1) - 1) // 8, (-min_off - 1) // 8)
    if uninit_ok:
        # the helper writes the memory: it becomes initialised (STACK_MISC)
        _grow(ck, frame, min_off)
        for byte_off in range(min_off, max_off):
            slot_i = -byte_off - 1
            s = _slot(frame, slot_i // 8)
            if s.types[slot_i % 8] == STACK_SPILL:
                s.types = [STACK_MISC if t == STACK_SPILL else t for t in s.types]
                s.spilled.__init__()  # type: ignore[misc]
            s.types[slot_i % 8] = STACK_MISC
        return
    for byte_off in range(min_off, max_off):
        slot_i = -byte_off - 1
        got = frame.stack.get(slot_i // 8)
        t = got.types[slot_i % 8] if got is not None else STACK_INVALID
        if t in (STACK_MISC, STACK_ZERO):
            continue
        if got is not None and got.is_spill:
            # is_spilled_reg() looks at the whole slot: a narrow spill covers all 8 bytes
            if got.spilled.type == SCALAR or ck.priv.allow_ptr_leaks:
                continue
        if t == STACK_INVALID and ck.priv.allow_uninit_stack:
            continue
        if reg.var_off.mask == 0:
            raise ck.fail(
                errno.EACCES,
                f"invalid read from stack R{regno} off {min_off}+{byte_off - min_off} size {size}",
            )
        raise ck.fail(
            errno.EACCES,
            f"invalid read from stack R{regno} var_off {_tstr(reg.var_off)}+{off} size {size}",
        )
