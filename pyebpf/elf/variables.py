"""Global variables of an object: named slices of its data-section maps.

A :class:`VariableSpec` reads and writes the initial contents of its section's
:class:`~pyebpf.spec.MapSpec` in the owning :class:`~pyebpf.elf.ObjectSpec` (specs are
frozen, so a write replaces the map spec there and in every program that uses it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..btf import BTF, Kind
from ..errors import SpecError

if TYPE_CHECKING:  # pragma: no cover
    from .objectspec import ObjectSpec


@dataclass(eq=False)
class VariableSpec:
    """A global variable: ``section`` (the data map's name), ``offset`` and ``size`` in it."""

    name: str
    section: str
    offset: int
    size: int
    type_id: int
    owner: ObjectSpec

    @property
    def btf(self) -> BTF | None:
        return self.owner.btf

    @property
    def read_only(self) -> bool:
        """Constant once loaded (``.rodata``); still settable in the spec before loading."""
        return self.owner.maps[self.section].freeze

    def get_bytes(self) -> bytes:
        value = self.owner.maps[self.section].contents[0][1]
        return bytes(value[self.offset : self.offset + self.size])

    def _is_integer(self) -> tuple[bool, bool]:
        """(is an integer-like scalar, is signed)."""
        btf = self.owner.btf
        if btf is None or not self.type_id:
            return self.size in (1, 2, 4, 8), False
        t = btf.resolve(
            btf[self.type_id].type if btf[self.type_id].kind == Kind.VAR else self.type_id
        )
        if t.kind in (Kind.INT, Kind.ENUM, Kind.ENUM64):
            return True, t.is_signed
        return t.kind == Kind.PTR, False

    def get(self) -> int | bytes:
        """The initial value: an int for integer, enum and pointer types, else bytes."""
        raw = self.get_bytes()
        integer, signed = self._is_integer()
        if integer:
            return int.from_bytes(raw, self.owner.byteorder, signed=signed)  # type: ignore[arg-type]
        return raw

    def set(self, value: int | bytes | bytearray) -> None:
        """Change the initial value (an int for scalars, or exactly ``size`` bytes)."""
        if isinstance(value, int) and not isinstance(value, bool):
            _integer, signed = self._is_integer()
            try:
                raw = value.to_bytes(self.size, self.owner.byteorder, signed=signed or value < 0)  # type: ignore[arg-type]
            except OverflowError:
                raise SpecError(
                    f"variable {self.name!r}: {value} does not fit in {self.size} bytes"
                ) from None
        elif isinstance(value, bytes | bytearray):
            if len(value) != self.size:
                raise SpecError(f"variable {self.name!r} is {self.size} bytes, not {len(value)}")
            raw = bytes(value)
        else:
            raise SpecError(
                f"variable {self.name!r}: expected int or bytes, not {type(value).__name__}"
            )
        self.owner._write_data(self.section, self.offset, raw)

    def __repr__(self) -> str:
        return f"VariableSpec({self.name!r}, section={self.section!r}, offset={self.offset}, size={self.size})"
