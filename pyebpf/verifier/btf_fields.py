"""Special fields of BTF-described map values, after the kernel's ``btf_parse_fields``.

A map value whose BTF type contains a ``struct bpf_spin_lock``, ``struct bpf_timer``, a kptr
and the like gets a *record* of those fields: programs must not load or store them directly
(``check_map_access``), some program types may not use such maps at all
(``check_map_prog_compatibility``), and ``bpf_spin_lock`` needs the lock's offset.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..btf import Kind
from ..errors import BTFError
from ..kernel_tables import ProgType
from .cfg import VerifyFail

if TYPE_CHECKING:
    from .simulate import Checker
    from .state import Reg

# struct name -> the kernel's btf_field_type_name
_SPECIAL_STRUCTS = {
    "bpf_spin_lock": "bpf_spin_lock",
    "bpf_res_spin_lock": "bpf_res_spin_lock",
    "bpf_timer": "bpf_timer",
    "bpf_wq": "bpf_wq",
    "bpf_list_head": "bpf_list_head",
    "bpf_list_node": "bpf_list_node",
    "bpf_rb_root": "bpf_rb_root",
    "bpf_rb_node": "bpf_rb_node",
    "bpf_refcount": "bpf_refcount",
    "bpf_task_work": "bpf_task_work",
}
_KPTR_TAGS = frozenset({"kptr", "kptr_untrusted", "percpu_kptr", "kptr_ref"})
_MAX_DEPTH = 8
_TRACING = frozenset(
    {
        ProgType.KPROBE,
        ProgType.TRACEPOINT,
        ProgType.PERF_EVENT,
        ProgType.RAW_TRACEPOINT,
        ProgType.RAW_TRACEPOINT_WRITABLE,
    }
)


@dataclass(frozen=True)
class Field:
    """One special field: its kernel name (``bpf_spin_lock``, ``kptr``...), offset, size."""

    name: str
    offset: int
    size: int


_cache: dict[tuple[int, int], tuple[Any, tuple[Field, ...]]] = {}


def map_value_fields(spec: Any) -> tuple[Field, ...]:
    """The special fields of a map's value type (none without BTF)."""
    btf = getattr(spec, "btf", None)
    type_id = getattr(spec, "value_type_id", 0)
    if btf is None or not type_id:
        return ()
    key = (id(btf), type_id)
    hit = _cache.get(key)
    if hit is not None and hit[0] is btf:
        return hit[1]
    out: list[Field] = []
    try:
        _collect(btf, type_id, 0, out, 0)
    except (BTFError, IndexError, KeyError):
        out = []
    fields = tuple(sorted(out, key=lambda f: f.offset))
    _cache[key] = (btf, fields)
    return fields


def _collect(btf: Any, type_id: int, base: int, out: list[Field], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    t = btf.resolve(type_id)
    if t.kind == Kind.DATASEC:
        for sec in t.secinfos:
            var = btf[sec.type]
            if var.kind == Kind.VAR:
                _collect(btf, var.type, base + sec.offset, out, depth + 1)
        return
    if t.kind not in (Kind.STRUCT, Kind.UNION):
        return
    for m in t.members:
        off = base + m.bit_offset // 8
        _member(btf, m.type, off, out, depth + 1)


def _member(btf: Any, type_id: int, off: int, out: list[Field], depth: int) -> None:
    # a kptr is a pointer whose pointee carries a "kptr" type tag
    raw = btf[type_id]
    while raw.kind in (Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT):
        raw = btf[raw.type]
    if raw.kind == Kind.PTR:
        tag = btf[raw.type] if raw.type else None
        if tag is not None and tag.kind == Kind.TYPE_TAG and tag.name in _KPTR_TAGS:
            out.append(Field("kptr", off, 8))
        return
    t = btf.resolve(type_id)
    if t.kind == Kind.ARRAY:
        elem = btf.resolve(t.type)
        if elem.kind in (Kind.STRUCT, Kind.PTR) and t.nelems:
            size = btf.size_of(t.type)
            for i in range(min(t.nelems, 64)):
                _member(btf, t.type, off + i * size, out, depth + 1)
        return
    if t.kind == Kind.STRUCT and t.name in _SPECIAL_STRUCTS:
        out.append(Field(_SPECIAL_STRUCTS[t.name], off, t.size))
        return
    if t.kind in (Kind.STRUCT, Kind.UNION):
        _collect(btf, t.id, off, out, depth)


def spin_lock_offset(spec: Any) -> int | None:
    return _field_offset(spec, "bpf_spin_lock")


def _field_offset(spec: Any, name: str) -> int | None:
    for f in map_value_fields(spec):
        if f.name == name:
            return f.offset
    return None


def process_timer_func(ck: Checker, regno: int) -> Any:
    """``process_timer_func``: R``regno`` points at the map value's ``struct bpf_timer``.

    Returns the map (the helper's ``meta->map_ptr``).
    """
    reg = ck.regs[regno]
    if reg.var_off.mask:
        raise ck.fail(
            errno.EINVAL,
            f"R{regno} doesn't have constant offset. bpf_timer has to be at the constant offset",
        )
    spec = reg.map
    if id(spec) in ck.prog.inner_maps:
        # the kernel tells the inner maps apart by map_uid, which pyebpf does not track
        raise ck.fail(errno.EINVAL, "bpf_timer in an inner map is not modelled by pyebpf")
    name = (getattr(spec, "name", "") or "")[:15]
    if getattr(spec, "btf", None) is None:
        raise ck.fail(errno.EINVAL, f"map '{name}' has to have BTF in order to use bpf_timer")
    timer_off = _field_offset(spec, "bpf_timer")
    if timer_off is None:
        raise ck.fail(errno.EINVAL, f"map '{name}' has no valid bpf_timer")
    val = reg.var_off.value + reg.off
    if val != timer_off:
        raise ck.fail(
            errno.EINVAL, f"off {val} doesn't point to 'struct bpf_timer' that is at {timer_off}"
        )
    return spec


def check_map_prog_compatibility(spec: Any, prog_type: Any, insn_idx: int) -> None:
    """``check_map_prog_compatibility``: program types that may not use maps with such fields."""
    names = {f.name for f in map_value_fields(spec)}
    if not names:
        return
    tracing = prog_type in _TRACING
    if tracing and names & {"bpf_list_head", "bpf_rb_root"}:
        raise VerifyFail(
            errno.EINVAL, "tracing progs cannot use bpf_{list_head,rb_root} yet", insn_idx
        )
    if "bpf_spin_lock" in names:
        if prog_type == ProgType.SOCKET_FILTER:
            raise VerifyFail(
                errno.EINVAL, "socket filter progs cannot use bpf_spin_lock yet", insn_idx
            )
        if tracing:
            raise VerifyFail(errno.EINVAL, "tracing progs cannot use bpf_spin_lock yet", insn_idx)
    if tracing and "bpf_timer" in names:
        raise VerifyFail(errno.EINVAL, "tracing progs cannot use bpf_timer yet", insn_idx)
    if tracing and "bpf_wq" in names:
        raise VerifyFail(errno.EINVAL, "tracing progs cannot use bpf_wq yet", insn_idx)


def check_value_fields(ck: Checker, reg: Reg, off: int, size: int) -> None:
    """The special-field part of ``check_map_access`` (``off`` includes ``reg.off``)."""
    fields = map_value_fields(reg.map)
    if not fields:
        return
    lo = reg.smin + off
    hi = reg.umax + off + size
    for f in fields:
        if lo < f.offset + f.size and f.offset < hi:
            if f.name == "kptr":
                raise ck.fail(
                    errno.EINVAL, "access to a kptr in a map value is not modelled by pyebpf"
                )
            raise ck.fail(errno.EACCES, f"{f.name} cannot be accessed directly by load/store")


def may_point_to_spin_lock(reg: Reg) -> bool:
    """``reg_may_point_to_spin_lock``: such a map value keeps its id after the NULL check."""
    return reg.map is not None and spin_lock_offset(reg.map) is not None


def process_spin_lock(ck: Checker, regno: int, is_lock: bool) -> None:
    """``process_spin_lock`` for ``bpf_spin_lock`` / ``bpf_spin_unlock`` on a map value."""
    reg = ck.regs[regno]
    if reg.var_off.mask:
        raise ck.fail(
            errno.EINVAL,
            f"R{regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset",
        )
    spec = reg.map
    name = (getattr(spec, "name", "") or "")[:15]
    if getattr(spec, "btf", None) is None:
        raise ck.fail(errno.EINVAL, f"map '{name}' has to have BTF in order to use bpf_spin_lock")
    lock_off = spin_lock_offset(spec)
    if lock_off is None:
        raise ck.fail(errno.EINVAL, f"map '{name}' has no valid bpf_spin_lock")
    val = reg.var_off.value + reg.off
    if val != lock_off:
        raise ck.fail(
            errno.EINVAL, f"off {val} doesn't point to 'struct bpf_spin_lock' that is at {lock_off}"
        )
    st = ck.cur
    lock = (id(spec), reg.id)
    if is_lock:
        if st.active_lock is not None:
            raise ck.fail(errno.EINVAL, "Locking two bpf_spin_locks are not allowed")
        st.active_lock = lock
        return
    if st.active_lock is None:
        raise ck.fail(errno.EINVAL, "bpf_spin_unlock without taking a lock")
    if st.active_lock != lock:
        raise ck.fail(errno.EINVAL, "bpf_spin_unlock of different lock")
    st.active_lock = None
