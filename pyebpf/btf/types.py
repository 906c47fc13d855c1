"""BTF type records as plain values.

One :class:`BTFType` class covers every kind; the kind-specific parts live in small tuples
(``members``, ``enumerators``, ``params``, ``secinfos``) so that a type is cheap to build
and compare. Type ids refer to other types of the same :class:`~pyebpf.btf.BTF`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple


class Kind(IntEnum):
    """``BTF_KIND_*``."""

    VOID = 0  # only type id 0 has it; it is never encoded
    INT = 1
    PTR = 2
    ARRAY = 3
    STRUCT = 4
    UNION = 5
    ENUM = 6
    FWD = 7
    TYPEDEF = 8
    VOLATILE = 9
    CONST = 10
    RESTRICT = 11
    FUNC = 12
    FUNC_PROTO = 13
    VAR = 14
    DATASEC = 15
    FLOAT = 16
    DECL_TAG = 17
    TYPE_TAG = 18
    ENUM64 = 19


class IntEncoding(IntEnum):
    """``BTF_INT_*`` encoding bits of an INT type."""

    NONE = 0
    SIGNED = 1
    CHAR = 2
    BOOL = 4


class Linkage(IntEnum):
    """``BTF_FUNC_*`` / ``BTF_VAR_*`` linkage (FUNC uses vlen, VAR its extra word)."""

    STATIC = 0
    GLOBAL = 1
    EXTERN = 2


class Member(NamedTuple):
    """A struct/union member; ``bit_offset`` from the start of the aggregate."""

    name: str
    type: int
    bit_offset: int
    bitfield_size: int = 0


class Enumerator(NamedTuple):
    name: str
    value: int


class Param(NamedTuple):
    """A FUNC_PROTO parameter; an unnamed void last parameter means "..."."""

    name: str
    type: int


class VarSecinfo(NamedTuple):
    """One variable (or function) placed in a DATASEC."""

    type: int
    offset: int
    size: int


@dataclass(frozen=True, slots=True)
class BTFType:
    """One BTF type.

    ``size`` is set for INT, STRUCT, UNION, ENUM, ENUM64, DATASEC and FLOAT; ``type`` is the
    referenced type id for PTR, TYPEDEF, qualifiers, FUNC, FUNC_PROTO (return type), VAR,
    DECL_TAG and TYPE_TAG, and the element type of an ARRAY.
    """

    id: int
    kind: Kind
    name: str = ""
    size: int = 0
    type: int = 0
    kind_flag: bool = False
    # INT
    encoding: int = 0
    bit_offset: int = 0
    bits: int = 0
    # ARRAY
    index_type: int = 0
    nelems: int = 0
    # STRUCT / UNION
    members: tuple[Member, ...] = ()
    # ENUM / ENUM64
    enumerators: tuple[Enumerator, ...] = ()
    # FUNC_PROTO
    params: tuple[Param, ...] = ()
    # FUNC (from vlen) / VAR
    linkage: Linkage = Linkage.STATIC
    # DATASEC
    secinfos: tuple[VarSecinfo, ...] = ()
    # DECL_TAG: -1 for the whole declaration, else a member/parameter index
    component_idx: int = -1

    @property
    def is_signed(self) -> bool:
        """INT with the SIGNED bit, or ENUM/ENUM64 with kind_flag set."""
        if self.kind == Kind.INT:
            return bool(self.encoding & IntEncoding.SIGNED)
        if self.kind in (Kind.ENUM, Kind.ENUM64):
            return self.kind_flag
        return False

    @property
    def is_union_fwd(self) -> bool:
        return self.kind == Kind.FWD and self.kind_flag

    def __str__(self) -> str:
        name = f" '{self.name}'" if self.name else " '(anon)'"
        return f"[{self.id}] {self.kind.name}{name}"


VOID = BTFType(0, Kind.VOID)

# Kinds whose ``type`` field names another type and which only qualify it.
MODIFIER_KINDS = frozenset({Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG})
