"""CO-RE: compute what each relocation record of an object means on a target kernel's BTF.

This is libbpf's algorithm (``relo_core.c`` and the candidate search of ``libbpf.c``), as
pure data: local BTF + target BTF + :class:`~pyebpf.btf.CORERelocation` records in, one
:class:`CORERelocationResult` per record out. Patching the instructions is the loader's job
(:mod:`pyebpf.collection`); nothing here touches the running kernel.

In short, for each record:

1. the access string (``"0:1:2"``) is parsed against the *local* type into a spec: the
   low-level path (every index, including anonymous structs/unions) and the high-level
   accessors (named fields and array indices) with the field's bit offset;
2. the candidates are the target types of a compatible kind whose *essential* name (the
   name without a ``___flavour`` suffix) is the local type's;
3. each candidate is matched accessor by accessor (named fields are searched through
   anonymous members, array indices are bounds-checked, field types must be compatible);
4. every matching candidate must give the same answer, else the relocation is ambiguous;
   candidates that did not match are dropped for later relocations of the same local type;
5. no matching candidate means "does not exist": existence checks become 0, other field
   relocations are *poisoned* (the instruction is turned into an invalid call that the
   verifier only reports if it is reachable).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import BTFError, CORERelocationError
from .ext import CORERelocation, CORERelocKind
from .parser import BTF
from .types import BTFType, IntEncoding, Kind

# libbpf's limits: accessor depth of a spec, and recursion depth of type comparisons.
SPEC_MAX_LEN = 64
_COMPAT_DEPTH = 32

_FIELD_KINDS = frozenset(
    {
        CORERelocKind.FIELD_BYTE_OFFSET,
        CORERelocKind.FIELD_BYTE_SIZE,
        CORERelocKind.FIELD_EXISTS,
        CORERelocKind.FIELD_SIGNED,
        CORERelocKind.FIELD_LSHIFT_U64,
        CORERelocKind.FIELD_RSHIFT_U64,
    }
)
_TYPE_KINDS = frozenset(
    {
        CORERelocKind.TYPE_ID_LOCAL,
        CORERelocKind.TYPE_ID_TARGET,
        CORERelocKind.TYPE_EXISTS,
        CORERelocKind.TYPE_MATCHES,
        CORERelocKind.TYPE_SIZE,
    }
)
_ENUMVAL_KINDS = frozenset({CORERelocKind.ENUMVAL_EXISTS, CORERelocKind.ENUMVAL_VALUE})
_ANY_ENUM = (Kind.ENUM, Kind.ENUM64)
_COMPOSITE = (Kind.STRUCT, Kind.UNION)
_U64 = (1 << 64) - 1


class _Invalid(Exception):
    """A relocation that cannot be computed (libbpf's -EINVAL and friends): the reason."""


class _Poison(Exception):
    """libbpf's -EUCLEAN: the instruction is to be poisoned."""


# --- names ---------------------------------------------------------------------------------


def essential_name(name: str) -> str:
    """``name`` without its ``___flavour`` suffix (the last ``X___Y``, X and Y not ``_``)."""
    for i in range(len(name) - 5, -1, -1):
        if name[i] != "_" and name[i + 1 : i + 4] == "___" and name[i + 4] != "_":
            return name[: i + 1]
    return name


def _kinds_compatible(a: BTFType, b: BTFType) -> bool:
    """libbpf's btf_kind_core_compat: the same kind, or two enums of either width."""
    return a.kind == b.kind or (a.kind in _ANY_ENUM and b.kind in _ANY_ENUM)


def _names_match(local: str, target: str) -> bool:
    if not target:
        return not local
    return essential_name(local) == essential_name(target)


# --- candidates ----------------------------------------------------------------------------

# Per target BTF: type ids by name, and the names by essential name (built once per BTF).
_INDEX: weakref.WeakKeyDictionary[BTF, tuple[Mapping[str, list[int]], dict[str, list[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _ids_with_essential_name(btf: BTF, name: str) -> list[int]:
    cached = _INDEX.get(btf)
    if cached is None:
        names = btf.name_index()  # its own types: a split BTF's base is searched apart
        by_essential: dict[str, list[str]] = {}
        for full in names:
            key = essential_name(full) if "___" in full else full  # most names have no flavour
            by_essential.setdefault(key, []).append(full)
        cached = _INDEX[btf] = (names, by_essential)
    names, by_essential = cached
    return sorted(type_id for full in by_essential.get(name, ()) for type_id in names[full])


@dataclass(frozen=True)
class Candidate:
    """A target type that may correspond to a local type."""

    btf: BTF
    type_id: int


class CandidateCache:
    """Candidates per local type id, shared by an object's relocations as in libbpf.

    ``targets[0]`` is searched first (vmlinux); the others, and then those ``more_targets``
    returns (module BTFs, looked for only when needed), only when no earlier target has a
    candidate at all. A relocation that matches some candidates drops the others from the
    cached list, so later relocations of the same local type only see those.
    """

    def __init__(
        self,
        local: BTF,
        targets: BTF | Sequence[BTF],
        more_targets: Callable[[], Iterable[BTF]] | None = None,
    ) -> None:
        self.local = local
        self.targets: tuple[BTF, ...] = (targets,) if isinstance(targets, BTF) else tuple(targets)
        if not self.targets:
            raise CORERelocationError("no target BTF to relocate against")
        self._more_targets = more_targets
        self._cache: dict[int, list[Candidate]] = {}

    def get(self, local_id: int) -> list[Candidate]:
        found = self._cache.get(local_id)
        if found is None:
            found = self._cache[local_id] = self._find(local_id)
        return found

    def _find(self, local_id: int) -> list[Candidate]:
        local_t = self.local[local_id]
        if not local_t.name:
            raise _Invalid(f"{_describe(local_t)} has no name to look up in the target")
        wanted = essential_name(local_t.name)
        searched = 0
        while True:
            for target in self.targets[searched:]:
                found = [
                    Candidate(target, type_id)
                    for type_id in _ids_with_essential_name(target, wanted)
                    if _kinds_compatible(target[type_id], local_t)
                ]
                if found:
                    return found
            searched = len(self.targets)
            if self._more_targets is None:
                return []
            more, self._more_targets = self._more_targets, None
            self.targets += tuple(more())

    def prune(self, local_id: int, keep: list[Candidate]) -> None:
        self._cache[local_id] = keep


# --- specs ---------------------------------------------------------------------------------


@dataclass
class Accessor:
    """A high-level step of a spec: a named field (``name``) or an array index."""

    type_id: int  # the composite (named field) or the array element type
    idx: int
    name: str | None = None


@dataclass
class CORESpec:
    """A parsed access string on one BTF (libbpf's ``struct bpf_core_spec``)."""

    btf: BTF
    root_type_id: int
    kind: CORERelocKind
    accessors: list[Accessor] = field(default_factory=list)
    raw: list[int] = field(default_factory=list)
    bit_offset: int = 0

    def describe(self) -> str:
        """C-like text of the access, e.g. ``task_struct.comm[3]``."""
        root = self.btf[self.root_type_id]
        text = root.name or "<anon>"
        if self.kind in _FIELD_KINDS:
            for i, acc in enumerate(self.accessors):
                if acc.name is not None:
                    text += f".{acc.name}"
                elif i > 0 or acc.idx > 0:
                    text += f"[{acc.idx}]"
        elif self.kind in _ENUMVAL_KINDS and self.accessors:
            text += f"::{self.accessors[0].name}"
        return text


def _resolve(btf: BTF, type_id: int) -> BTFType:
    try:
        return btf.resolve(type_id)
    except BTFError as exc:
        raise _Invalid(exc.reason) from None


def _size(btf: BTF, type_id: int) -> int:
    try:
        return btf.size_of(type_id)
    except BTFError as exc:
        raise _Invalid(exc.reason) from None


def _describe(t: BTFType) -> str:
    return f"[{t.id}] {t.kind.name} {t.name or '<anon>'}"


def _is_flex_array(btf: BTF, parent: Accessor, array: BTFType) -> bool:
    """A zero-length array as the last member of a struct (it may be indexed past 0)."""
    if parent.name is None or array.nelems > 0:
        return False
    return parent.idx == len(btf[parent.type_id].members) - 1


def _parse_access(access: str) -> list[int]:
    parts = access.split(":")
    if not access or any(not p.isdigit() or not p.isascii() for p in parts):
        raise _Invalid(f"access string {access!r} is not a list of indices like '0:1:2'")
    if len(parts) > SPEC_MAX_LEN:
        raise _Invalid(f"access string {access!r} is deeper than {SPEC_MAX_LEN} levels")
    return [int(p) for p in parts]


def parse_spec(btf: BTF, relo: CORERelocation) -> CORESpec:
    """The local spec of ``relo`` (libbpf's bpf_core_parse_spec); CORERelocationError if bad."""
    try:
        return _parse_spec(btf, relo)
    except _Invalid as exc:
        raise CORERelocationError(str(exc)) from None


def _parse_spec(btf: BTF, relo: CORERelocation) -> CORESpec:
    if relo.type_id >= len(btf):
        raise _Invalid(f"type {relo.type_id} does not exist")
    spec = CORESpec(btf, relo.type_id, relo.kind)
    if relo.kind in _TYPE_KINDS:
        if relo.access != "0":
            raise _Invalid(f"type relocation with access string {relo.access!r} (must be '0')")
        return spec
    spec.raw = _parse_access(relo.access)
    t = _resolve(btf, relo.type_id)
    type_id = t.id
    idx = spec.raw[0]
    first = Accessor(type_id, idx)
    spec.accessors.append(first)
    if relo.kind in _ENUMVAL_KINDS:
        if t.kind not in _ANY_ENUM:
            raise _Invalid(f"enum value relocation on {_describe(t)}, which is not an enum")
        if len(spec.raw) > 1 or idx >= len(t.enumerators):
            raise _Invalid(f"access {relo.access!r} names no enumerator of {_describe(t)}")
        first.name = t.enumerators[idx].name
        return spec
    if relo.kind not in _FIELD_KINDS:
        raise _Invalid(f"unknown relocation kind {relo.kind}")
    spec.bit_offset = idx * _size(btf, type_id) * 8
    for step, idx in enumerate(spec.raw[1:], 1):
        t = _resolve(btf, type_id)
        type_id = t.id
        if t.kind in _COMPOSITE:
            if idx >= len(t.members):
                raise _Invalid(
                    f"access {relo.access!r}: {_describe(t)} has no member #{idx} (step {step})"
                )
            member = t.members[idx]
            spec.bit_offset += member.bit_offset
            if member.name:
                spec.accessors.append(Accessor(type_id, idx, member.name))
            type_id = member.type
        elif t.kind == Kind.ARRAY:
            elem = _resolve(btf, t.type)
            flex = _is_flex_array(btf, spec.accessors[-1], t)
            if not flex and idx >= t.nelems:
                raise _Invalid(
                    f"access {relo.access!r}: index {idx} is out of bounds of {_describe(t)} "
                    f"({t.nelems} elements)"
                )
            type_id = elem.id
            spec.accessors.append(Accessor(type_id, idx))
            spec.bit_offset += idx * _size(btf, type_id) * 8
        else:
            raise _Invalid(
                f"access {relo.access!r} goes into {_describe(t)}, which is neither a "
                f"struct, a union nor an array (step {step})"
            )
    return spec


# --- matching local and target types -------------------------------------------------------


def _types_are_compat(
    local: BTF, local_id: int, target: BTF, targ_id: int, level: int = _COMPAT_DEPTH
) -> bool:
    """libbpf's __bpf_core_types_are_compat (the type-based relocations' test)."""
    if not _kinds_compatible(local[local_id], target[targ_id]):
        return False
    for _ in range(_COMPAT_DEPTH + 1):
        lt = _resolve(local, local_id)
        tt = _resolve(target, targ_id)
        if not _kinds_compatible(lt, tt):
            return False
        kind = lt.kind
        if kind in (Kind.VOID, Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.FWD, Kind.ENUM64):
            return True
        if kind == Kind.INT:
            return lt.bit_offset == 0 and tt.bit_offset == 0
        if kind in (Kind.PTR, Kind.ARRAY):
            local_id, targ_id = lt.type, tt.type
            continue
        if kind == Kind.FUNC_PROTO:
            if len(lt.params) != len(tt.params):
                return False
            for lp, tp in zip(lt.params, tt.params, strict=True):
                if level <= 0:
                    raise _Invalid("function prototypes nest too deeply")
                if not _types_are_compat(
                    local,
                    _resolve(local, lp.type).id,
                    target,
                    _resolve(target, tp.type).id,
                    level - 1,
                ):
                    return False
            local_id, targ_id = _resolve(local, lt.type).id, _resolve(target, tt.type).id
            continue
        return False
    raise _Invalid("types nest too deeply to compare")


def _fields_are_compat(local: BTF, local_id: int, target: BTF, targ_id: int) -> bool:
    """libbpf's bpf_core_fields_are_compat: may a local field be read as the target's?"""
    for _ in range(_COMPAT_DEPTH):
        lt = _resolve(local, local_id)
        tt = _resolve(target, targ_id)
        if lt.kind in _COMPOSITE and tt.kind in _COMPOSITE:
            return True
        if not _kinds_compatible(lt, tt):
            return False
        if lt.kind in (Kind.PTR, Kind.FLOAT):
            return True
        if lt.kind in (Kind.FWD, Kind.ENUM, Kind.ENUM64):
            a, b = essential_name(lt.name), essential_name(tt.name)
            return not a or not b or a == b
        if lt.kind == Kind.INT:
            return lt.bit_offset == 0 and tt.bit_offset == 0
        if lt.kind == Kind.ARRAY:
            local_id, targ_id = lt.type, tt.type
            continue
        return False
    raise _Invalid("array types nest too deeply to compare")


def _types_match(
    local: BTF,
    local_id: int,
    target: BTF,
    targ_id: int,
    behind_ptr: bool = False,
    level: int = _COMPAT_DEPTH,
) -> bool:
    """libbpf's __bpf_core_types_match (TYPE_MATCHES): a stricter, name-based comparison."""
    if level <= 0:
        raise _Invalid("types nest too deeply to match")
    for _ in range(_COMPAT_DEPTH):
        lt = _resolve(local, local_id)
        tt = _resolve(target, targ_id)
        if not _names_match(lt.name, tt.name):
            return False
        lk, tk = lt.kind, tt.kind
        if lk == Kind.VOID:
            return tk == Kind.VOID
        if lk == Kind.FWD:
            if behind_ptr and lk != tk:
                return (tk == Kind.STRUCT and not lt.kind_flag) or (
                    tk == Kind.UNION and lt.kind_flag
                )
            return lk == tk and lt.kind_flag == tt.kind_flag
        if lk in _ANY_ENUM:
            if tk not in _ANY_ENUM or lt.size != tt.size:
                return False
            if len(lt.enumerators) > len(tt.enumerators):
                return False
            return all(
                any(_names_match(le.name, te.name) for te in tt.enumerators)
                for le in lt.enumerators
            )
        if lk in _COMPOSITE:
            if behind_ptr:
                if lk == tk:
                    return True
                return tk == Kind.FWD and (lk == Kind.UNION) == tt.kind_flag
            if lk != tk or len(lt.members) > len(tt.members):
                return False
            for lm in lt.members:
                if not any(
                    _names_match(lm.name, tm.name)
                    and _types_match(local, lm.type, target, tm.type, behind_ptr, level - 1)
                    for tm in tt.members
                ):
                    return False
            return True
        if lk == Kind.INT:
            signed = IntEncoding.SIGNED
            return (
                lk == tk and lt.size == tt.size and (lt.encoding & signed) == (tt.encoding & signed)
            )
        if lk == Kind.PTR:
            if lk != tk:
                return False
            behind_ptr = True
            local_id, targ_id = lt.type, tt.type
            continue
        if lk == Kind.ARRAY:
            if lk != tk or lt.nelems != tt.nelems:
                return False
            local_id, targ_id = lt.type, tt.type
            continue
        if lk == Kind.FUNC_PROTO:
            if lk != tk or len(lt.params) != len(tt.params):
                return False
            for lp, tp in zip(lt.params, tt.params, strict=True):
                if not _types_match(local, lp.type, target, tp.type, behind_ptr, level - 1):
                    return False
            local_id, targ_id = lt.type, tt.type
            continue
        return False
    raise _Invalid("types nest too deeply to match")


def _match_member(
    local: BTF, local_acc: Accessor, target: BTF, targ_id: int, spec: CORESpec
) -> int | None:
    """Find the local named field in target type ``targ_id``, through anonymous members.

    Returns the field's target type id (the spec is extended), or None if there is none.
    """
    tt = _resolve(target, targ_id)
    targ_id = tt.id
    if tt.kind not in _COMPOSITE:
        return None
    local_member = local[local_acc.type_id].members[local_acc.idx]
    for i, m in enumerate(tt.members):
        if len(spec.raw) == SPEC_MAX_LEN:
            raise _Invalid(f"target type nests deeper than {SPEC_MAX_LEN} levels")
        spec.bit_offset += m.bit_offset
        spec.raw.append(i)
        if not m.name:  # an anonymous struct/union: look inside
            found = _match_member(local, local_acc, target, m.type, spec)
            if found is not None:
                return found
        elif m.name == local_member.name:
            if not _fields_are_compat(local, local_member.type, target, m.type):
                return None
            spec.accessors.append(Accessor(targ_id, i, m.name))
            return m.type
        spec.bit_offset -= m.bit_offset
        spec.raw.pop()
    return None


def match_spec(local_spec: CORESpec, target: BTF, targ_id: int) -> CORESpec | None:
    """The target spec of ``local_spec`` on candidate ``targ_id``; None if it does not match."""
    local = local_spec.btf
    kind = local_spec.kind
    spec = CORESpec(target, targ_id, kind)
    if kind in _TYPE_KINDS:
        if kind == CORERelocKind.TYPE_MATCHES:
            ok = _types_match(local, local_spec.root_type_id, target, targ_id)
        else:
            ok = _types_are_compat(local, local_spec.root_type_id, target, targ_id)
        return spec if ok else None
    first = local_spec.accessors[0]
    if kind in _ENUMVAL_KINDS:
        tt = _resolve(target, targ_id)
        if tt.kind not in _ANY_ENUM:
            return None
        wanted = essential_name(first.name or "")
        for i, e in enumerate(tt.enumerators):
            if essential_name(e.name) == wanted:
                spec.accessors.append(Accessor(tt.id, i, e.name))
                spec.raw.append(i)
                return spec
        return None
    for i, local_acc in enumerate(local_spec.accessors):
        tt = _resolve(target, targ_id)
        targ_id = tt.id
        if local_acc.name is not None:
            found = _match_member(local, local_acc, target, targ_id, spec)
            if found is None:
                return None
            targ_id = found
            continue
        if i > 0:
            if tt.kind != Kind.ARRAY:
                return None
            flex = _is_flex_array(target, spec.accessors[-1], tt)
            if not flex and local_acc.idx >= tt.nelems:
                return None
            targ_id = _resolve(target, tt.type).id
        if len(spec.raw) == SPEC_MAX_LEN:
            raise _Invalid(f"target type nests deeper than {SPEC_MAX_LEN} levels")
        spec.accessors.append(Accessor(targ_id, local_acc.idx))
        spec.raw.append(local_acc.idx)
        spec.bit_offset += local_acc.idx * _size(target, targ_id) * 8
    return spec


# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FieldValue:
    value: int
    mem_size: int = 0  # size of a plain field read/written by LDX/ST/STX (0: no adjustment)
    type_id: int = 0  # the field's type, to check that a size adjustment is safe
    validate: bool = True


def _field_value(kind: CORERelocKind, spec: CORESpec | None, byteorder: str) -> _FieldValue:
    """libbpf's bpf_core_calc_field_relo on one side (local or target)."""
    if kind == CORERelocKind.FIELD_EXISTS:
        return _FieldValue(1 if spec is not None else 0)
    if spec is None:
        raise _Poison
    btf = spec.btf
    acc = spec.accessors[-1]
    if acc.name is None:  # an array element
        if kind == CORERelocKind.FIELD_BYTE_OFFSET:
            size = _size(btf, acc.type_id)
            return _FieldValue(spec.bit_offset // 8, size, acc.type_id)
        if kind == CORERelocKind.FIELD_BYTE_SIZE:
            return _FieldValue(_size(btf, acc.type_id))
        raise _Invalid(f"{kind.name} cannot be applied to an array element")
    t = btf[acc.type_id]
    member = t.members[acc.idx]
    mt = _resolve(btf, member.type)
    bit_off = spec.bit_offset
    bit_sz = member.bitfield_size
    bitfield = bit_sz > 0
    if bitfield:
        byte_sz = mt.size
        if byte_sz <= 0:
            raise _Invalid(f"bitfield {member.name!r} has a type of size {byte_sz}")
        byte_off = bit_off // 8 // byte_sz * byte_sz
        # The smallest load that holds the whole bitfield.
        while bit_off + bit_sz - byte_off * 8 > byte_sz * 8:
            if byte_sz >= 8:
                raise _Invalid(f"bitfield {member.name!r} cannot be read with a 64-bit load")
            byte_sz *= 2
            byte_off = bit_off // 8 // byte_sz * byte_sz
    else:
        byte_sz = _size(btf, mt.id)
        byte_off = bit_off // 8
        bit_sz = byte_sz * 8
    # Bitfield offsets and sizes may legitimately differ from the compiler's choice.
    validate = not bitfield
    if kind == CORERelocKind.FIELD_BYTE_OFFSET:
        if bitfield:
            return _FieldValue(byte_off, validate=validate)
        return _FieldValue(byte_off, byte_sz, mt.id, validate)
    if kind == CORERelocKind.FIELD_BYTE_SIZE:
        return _FieldValue(byte_sz, validate=validate)
    if kind == CORERelocKind.FIELD_SIGNED:
        signed = (mt.kind in _ANY_ENUM and mt.kind_flag) or (
            mt.kind == Kind.INT and bool(mt.encoding & IntEncoding.SIGNED)
        )
        return _FieldValue(int(signed))
    if kind == CORERelocKind.FIELD_LSHIFT_U64:
        if byteorder == "little":
            return _FieldValue(64 - (bit_off + bit_sz - byte_off * 8), validate=validate)
        return _FieldValue((8 - byte_sz) * 8 + (bit_off - byte_off * 8), validate=validate)
    if kind == CORERelocKind.FIELD_RSHIFT_U64:
        return _FieldValue(64 - bit_sz)
    raise _Invalid(f"unknown field relocation kind {kind}")  # pragma: no cover


def _type_value(kind: CORERelocKind, spec: CORESpec | None) -> tuple[int, bool]:
    """libbpf's bpf_core_calc_type_relo: (value, validate)."""
    if spec is None:
        return 0, True
    if kind == CORERelocKind.TYPE_ID_TARGET:
        return spec.root_type_id, False  # ids change when objects are linked
    if kind in (CORERelocKind.TYPE_EXISTS, CORERelocKind.TYPE_MATCHES):
        return 1, True
    if kind == CORERelocKind.TYPE_SIZE:
        return _size(spec.btf, spec.root_type_id), True
    raise _Invalid(f"unexpected type relocation kind {kind.name}")


def _enum_value(kind: CORERelocKind, spec: CORESpec | None) -> int:
    if kind == CORERelocKind.ENUMVAL_EXISTS:
        return 1 if spec is not None else 0
    if spec is None:
        raise _Poison
    acc = spec.accessors[0]
    t = spec.btf[acc.type_id]
    value = t.enumerators[acc.idx].value
    if t.kind == Kind.ENUM:
        # libbpf reads the 32-bit value as signed, whatever the enum's signedness.
        value = (value & 0xFFFFFFFF) - ((value & 0x80000000) << 1)
    return value & _U64


@dataclass(frozen=True)
class CORERelocationResult:
    """What one relocation does to its instruction (libbpf's ``bpf_core_relo_res``).

    ``orig_value`` is what the compiler put in the instruction (checked before patching when
    ``validate``), ``new_value`` what goes there; ``poison`` means "replace the instruction
    by an invalid call". For loads and stores of a field whose size differs on the target,
    ``orig_size``/``new_size`` give the memory access sizes; ``fail_size_adjust`` says the
    new size cannot be used safely (a signed or non-integer field): such an access is
    poisoned.
    """

    relocation: CORERelocation
    orig_value: int
    new_value: int
    poison: bool = False
    validate: bool = True
    orig_size: int = 0
    new_size: int = 0
    fail_size_adjust: bool = False
    local_spec: CORESpec | None = field(default=None, compare=False, repr=False)
    target_spec: CORESpec | None = field(default=None, compare=False, repr=False)


def _calc(
    relo: CORERelocation, local_spec: CORESpec, targ_spec: CORESpec | None, byteorder: str
) -> CORERelocationResult:
    """libbpf's bpf_core_calc_relo: the result for one candidate (or for none)."""
    kind = relo.kind
    try:
        if kind in _FIELD_KINDS:
            orig = _field_value(kind, local_spec, byteorder)
            new = _field_value(kind, targ_spec, byteorder)
            fail = False
            if orig.mem_size != new.mem_size:
                assert targ_spec is not None
                ot = local_spec.btf[orig.type_id]
                nt = targ_spec.btf[new.type_id]
                unsigned_ints = (
                    ot.kind == Kind.INT
                    and nt.kind == Kind.INT
                    and ot.encoding != IntEncoding.SIGNED
                    and nt.encoding != IntEncoding.SIGNED
                )
                # Zero extension keeps pointers and unsigned integers right at any size.
                fail = not (ot.kind == Kind.PTR and nt.kind == Kind.PTR) and not unsigned_ints
            return CORERelocationResult(
                relo,
                orig.value,
                new.value,
                validate=orig.validate,
                orig_size=orig.mem_size,
                new_size=new.mem_size,
                fail_size_adjust=fail,
                local_spec=local_spec,
                target_spec=targ_spec,
            )
        if kind in _TYPE_KINDS:
            orig_value, validate = _type_value(kind, local_spec)
            new_value, _ = _type_value(kind, targ_spec)
            return CORERelocationResult(
                relo,
                orig_value,
                new_value,
                validate=validate,
                local_spec=local_spec,
                target_spec=targ_spec,
            )
        orig_enum = _enum_value(kind, local_spec)
        new_enum = _enum_value(kind, targ_spec)
        return CORERelocationResult(
            relo, orig_enum, new_enum, local_spec=local_spec, target_spec=targ_spec
        )
    except _Poison:
        return CORERelocationResult(
            relo, 0, 0, poison=True, local_spec=local_spec, target_spec=targ_spec
        )


def compute_relocation(
    local: BTF,
    relo: CORERelocation,
    candidates: CandidateCache,
    *,
    byteorder: str | None = None,
) -> CORERelocationResult:
    """Resolve one relocation against the candidates' target BTF (bpf_core_calc_relo_insn).

    Raises :class:`~pyebpf.errors.CORERelocationError` (reason only; the loader adds the
    program and instruction) when the record is malformed, the local type is anonymous, or
    the candidates disagree.
    """
    order = byteorder or local.byteorder
    try:
        local_spec = _parse_spec(local, relo)
    except _Invalid as exc:
        raise CORERelocationError(f"cannot parse the access: {exc}") from None
    if relo.kind == CORERelocKind.TYPE_ID_LOCAL:
        return CORERelocationResult(
            relo, relo.type_id, relo.type_id, validate=False, local_spec=local_spec
        )
    try:
        return _compute(local, relo, local_spec, candidates, order)
    except _Invalid as exc:
        raise CORERelocationError(str(exc)) from None


def _compute(
    local: BTF,
    relo: CORERelocation,
    local_spec: CORESpec,
    candidates: CandidateCache,
    byteorder: str,
) -> CORERelocationResult:
    local_t = local[relo.type_id]
    if not local_t.name:
        raise _Invalid(f"{relo.kind.name} relocations of anonymous types are not supported")
    cands = candidates.get(relo.type_id)
    result: CORERelocationResult | None = None
    kept: list[Candidate] = []
    for cand in cands:
        targ_spec = match_spec(local_spec, cand.btf, cand.type_id)
        if targ_spec is None:
            continue
        this = _calc(relo, local_spec, targ_spec, byteorder)
        if result is None:
            result = this
        else:
            assert result.target_spec is not None
            if targ_spec.bit_offset != result.target_spec.bit_offset:
                raise _Invalid(
                    f"field offset ambiguity: {_describe(cand.btf[cand.type_id])} puts it at "
                    f"bit {targ_spec.bit_offset}, "
                    f"{_describe(result.target_spec.btf[result.target_spec.root_type_id])} "
                    f"at bit {result.target_spec.bit_offset}"
                )
            if this.poison != result.poison or this.new_value != result.new_value:
                raise _Invalid(
                    "relocation decision ambiguity: "
                    f"{_describe(cand.btf[cand.type_id])} gives "
                    f"{'failure' if this.poison else this.new_value}, "
                    f"{_describe(result.target_spec.btf[result.target_spec.root_type_id])} "
                    f"gives {'failure' if result.poison else result.new_value}"
                )
        kept.append(cand)
    if kept:
        candidates.prune(relo.type_id, kept)
    if result is None:  # nothing matches: does not exist (0) or poisoned
        result = _calc(relo, local_spec, None, byteorder)
    return result


def compute_relocations(
    local: BTF,
    relocations: Iterable[CORERelocation],
    targets: BTF | Sequence[BTF] | CandidateCache,
) -> list[CORERelocationResult]:
    """:func:`compute_relocation` for each record, sharing one candidate cache."""
    cache = targets if isinstance(targets, CandidateCache) else CandidateCache(local, targets)
    return [compute_relocation(local, relo, cache) for relo in relocations]


def describe_relocation(btf: BTF, relo: CORERelocation) -> str:
    """``<FIELD_BYTE_OFFSET> [28] STRUCT task_struct access '0:1'`` (for messages)."""
    try:
        t = _describe(btf[relo.type_id])
    except BTFError:
        t = f"[{relo.type_id}] <no such type>"
    return f"<{relo.kind.name}> {t} access {relo.access!r}"


__all__ = [
    "Accessor",
    "CORERelocationResult",
    "CORESpec",
    "Candidate",
    "CandidateCache",
    "compute_relocation",
    "compute_relocations",
    "describe_relocation",
    "essential_name",
    "match_spec",
    "parse_spec",
]
