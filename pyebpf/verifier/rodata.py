"""Frozen read-only maps: constants the verifier reads from them, and constant strings.

A map is read-only for the verifier (the kernel's ``bpf_map_is_rdonly``) when it was created
with ``BPF_F_RDONLY_PROG`` and frozen: ``.rodata`` of a clang object, which loaders freeze. Its
bytes then cannot change, so the kernel reads them while verifying:

* ``bpf_map_direct_read`` in ``check_mem_access``: a load at a constant offset gives a known
  scalar, which is how ``const volatile`` knobs prune dead branches;
* ``check_reg_const_str`` for ``ARG_PTR_TO_CONST_STR`` (``bpf_strncmp``, ``bpf_snprintf``): a
  NUL-terminated string at a constant offset;
* ``check_bpf_snprintf_call``: the format of ``bpf_snprintf`` checked by
  ``bpf_bprintf_prepare`` (allowed conversions, one argument per conversion).

Offline, the map's :class:`~pyebpf.spec.MapSpec` stands for the map: ``freeze`` and ``flags``
say whether it is read-only, ``contents`` (key 0) holds its bytes.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

from ..kernel_tables import MapType
from . import scalar as sc
from .btf_fields import check_value_fields
from .cfg import ENOTSUPP
from .state import PTR_TO_MAP_VALUE, Reg

if TYPE_CHECKING:
    from .simulate import Checker

BPF_F_RDONLY_PROG = 1 << 7
BPF_FUNC_SNPRINTF = 165


def is_rdonly(spec: Any) -> bool:
    """``bpf_map_is_rdonly``: created with BPF_F_RDONLY_PROG and frozen by the loader."""
    flags = getattr(spec, "flags", 0) or 0
    return bool(flags & BPF_F_RDONLY_PROG) and bool(getattr(spec, "freeze", False))


def _has_direct_value_addr(spec: Any) -> bool:
    # only array maps implement map_direct_value_addr (per-CPU arrays do not)
    try:
        return MapType(int(getattr(spec, "type", 0))) == MapType.ARRAY
    except ValueError:
        return False


def _value_bytes(ck: Checker, spec: Any) -> bytes:
    """The bytes of element 0 as the loader writes them (zeros when ``contents`` omits it)."""
    size = int(spec.value_size)
    value: Any = None
    for key, val in getattr(spec, "contents", ()) or ():
        if _key_index(key) == 0:
            value = val  # a later update of the same key wins, as in the loader
    if value is None:
        return bytes(size)
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ck.fail(
            errno.EINVAL,
            f"frozen map {getattr(spec, 'name', '')!r}: contents of element 0 are "
            f"{type(value).__name__}, not bytes; reading them is not modelled by pyebpf",
        )
    data = bytes(value)
    return data[:size] + bytes(max(0, size - len(data)))


def _key_index(key: Any) -> int | None:
    if isinstance(key, int):
        return key
    if isinstance(key, bytes | bytearray | memoryview) and len(key) == 4:
        return int.from_bytes(bytes(key), "little")
    return None


def _direct_value_addr(ck: Checker, spec: Any, off: int) -> int:
    """``array_map_direct_value_addr``: 0, or the negative errno the kernel returns."""
    if int(spec.max_entries) != 1:
        return -ENOTSUPP
    if off < 0 or off >= int(spec.value_size):
        return -errno.EINVAL
    return 0


# --- loads: bpf_map_direct_read -----------------------------------------------------------------


def read_map_value(
    ck: Checker, reg: Reg, off: int, size: int, value_regno: int, is_ldsx: bool
) -> None:
    """The value register of a load from a map value (``off`` already includes ``reg.off``)."""
    spec = reg.map
    if reg.var_off.mask or not is_rdonly(spec) or not _has_direct_value_addr(spec):
        ck.mark_unknown(value_regno)
        return
    map_off = off + sc.s64(reg.var_off.value)
    err = _direct_value_addr(ck, spec, map_off)
    if err:
        # the kernel returns the error without a log line
        raise ck.fail(-err, "")
    if size not in (1, 2, 4, 8):
        raise ck.fail(errno.EINVAL, "")
    raw = _value_bytes(ck, spec)[map_off : map_off + size]
    val = int.from_bytes(raw, "little", signed=is_ldsx and size < 8)
    dst = ck.regs[value_regno]
    precise = dst.precise  # __mark_reg_known keeps the precision mark of the register
    ck.mark_known(value_regno, val)
    dst.precise = precise


# --- helper arguments: ARG_PTR_TO_CONST_STR -----------------------------------------------------


def check_const_str(ck: Checker, regno: int) -> None:
    """``check_reg_const_str``: ``regno`` points at a NUL-terminated string of a frozen map."""
    reg = ck.regs[regno]
    if reg.type != PTR_TO_MAP_VALUE:
        raise ck.fail(errno.EINVAL, "")
    spec = reg.map
    if not is_rdonly(spec):
        raise ck.fail(errno.EACCES, f"R{regno} does not point to a readonly map'")
    if reg.var_off.mask:
        raise ck.fail(errno.EACCES, f"R{regno} is not a constant address'")
    if not _has_direct_value_addr(spec):
        raise ck.fail(errno.EACCES, "no direct value access support for this map type")
    from .memory import check_mem_region  # memory.py imports this module

    value_size = int(spec.value_size)
    check_mem_region(ck, regno, reg, reg.off, value_size - reg.off, value_size, False)
    check_value_fields(ck, reg, reg.off, value_size - reg.off)
    map_off = reg.off + sc.s64(reg.var_off.value)
    err = _direct_value_addr(ck, spec, map_off)
    if err:
        raise ck.fail(-err, "direct value access on string failed")
    if 0 not in _value_bytes(ck, spec)[map_off:]:
        raise ck.fail(errno.EINVAL, "string is not zero-terminated")


def const_str(ck: Checker, reg: Reg) -> bytes:
    """The string (without its NUL) ``reg`` points at; only after :func:`check_const_str`."""
    data = _value_bytes(ck, reg.map)[reg.off + sc.s64(reg.var_off.value) :]
    return data[: data.index(0)]


def check_snprintf_call(ck: Checker) -> None:
    """``check_bpf_snprintf_call``: the format (R3) against the number of u64s in R5."""
    data_len = ck.regs[5].var_off.value
    if data_len % 8:
        raise ck.fail(errno.EINVAL, "")  # silently, as in the kernel
    err = bprintf_prepare(const_str(ck, ck.regs[3]), data_len // 8)
    if err:
        raise ck.fail(-err, "Invalid format string")


# --- bpf_bprintf_prepare (kernel/bpf/helpers.c), as the verifier runs it ------------------------

# lib/ctype.c classes for all 256 bytes (Latin-1 upper half), as the kernel's isspace/ispunct
_SPACE = frozenset((9, 10, 11, 12, 13, 32, 160))
_PUNCT = frozenset(
    [*range(33, 48), *range(58, 65), *range(91, 97), *range(123, 127), *range(161, 192), 215, 247]
)


def _isprint_ascii(c: int) -> bool:
    return 32 <= c <= 126


def bprintf_prepare(fmt: bytes, num_args: int) -> int:
    """0, or the negative errno ``bpf_bprintf_prepare`` returns for ``fmt`` with ``num_args``.

    ``fmt`` is the string up to its NUL. At verification time the kernel copies no arguments,
    so only the format's grammar and the argument count are checked.
    """
    n = len(fmt)

    def at(i: int) -> int:
        return fmt[i] if i < n else 0

    num_spec = 0
    i = 0
    while i < n:
        c = fmt[i]
        # bytes >= 0x80 pass in plain text (UTF-8); ASCII control bytes do not
        if c < 0x80 and not _isprint_ascii(c) and c not in _SPACE:
            return -errno.EINVAL
        if c != 0x25:  # '%'
            i += 1
            continue
        if at(i + 1) == 0x25:
            i += 2
            continue
        if num_spec >= num_args:
            return -errno.EINVAL
        i += 1
        if at(i) >= 0x80:
            return -errno.EINVAL
        while at(i) in b"0+- ":  # the flags of "[0 +-][num]"
            i += 1
        if 0x31 <= at(i) <= 0x39:
            i += 1
            while 0x30 <= at(i) <= 0x39:
                i += 1
        c = at(i)
        if c == 0x70:  # 'p'
            nxt = at(i + 1)
            if nxt == 0 or nxt in _SPACE or nxt in _PUNCT:
                pass  # plain %p
            elif nxt in b"ku" and at(i + 2) == 0x73:  # %pks, %pus: a string
                i += 2
                if not _string_end_ok(at(i + 1)):
                    return -errno.EINVAL
            elif nxt in b"KxsSB":
                i += 1
            elif nxt in b"iI" and at(i + 2) in b"46":
                i += 2
            else:
                return -errno.EINVAL
        elif c == 0x73:  # 's'
            if not _string_end_ok(at(i + 1)):
                return -errno.EINVAL
        elif c != 0x63:  # not 'c': an integer, optionally l or ll
            if c == 0x6C:
                i += 1
                if at(i) == 0x6C:
                    i += 1
            if at(i) not in b"iduxX":
                return -errno.EINVAL
        num_spec += 1
        i += 1
    return 0


def _string_end_ok(c: int) -> bool:
    # "%s" must be followed by the end, a space or punctuation (so "%sx" is refused)
    return c == 0 or c in _SPACE or c in _PUNCT
