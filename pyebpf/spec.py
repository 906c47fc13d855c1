"""``MapSpec`` and ``ProgramSpec``: plain, frozen descriptions of kernel objects.

A spec says what to create; it owns no file descriptor and depends on no kernel, so the ELF
reader and the offline verifier produce and consume specs without ever calling ``bpf()``.
The live objects (``pyebpf.Map``, ``pyebpf.Program``) are created *from* specs by the
syscall layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from .asm import Instructions
from .errors import SpecError
from .kernel_tables import AttachType, MapType, ProgType


class Pinning(IntEnum):
    """``LIBBPF_PIN_*``: how a map from an object file is pinned."""

    NONE = 0
    BY_NAME = 1


def _enum_member(enum: type[IntEnum], value: Any, what: str) -> Any:
    """Accept a member, its integer value or its (case-insensitive) name."""
    if isinstance(value, enum):
        return value
    try:
        if isinstance(value, str):
            key = value.strip().upper().replace("-", "_")
            for prefix in ("BPF_MAP_TYPE_", "BPF_PROG_TYPE_", "BPF_"):
                if key.startswith(prefix) and key[len(prefix) :] in enum.__members__:
                    key = key[len(prefix) :]
            return enum[key]
        if isinstance(value, int):
            return enum(value)
    except (KeyError, ValueError):
        pass
    raise SpecError(f"unknown {what} {value!r}")


def map_type(value: MapType | int | str) -> MapType:
    """Normalise a map type given as a member, an integer or a name ("hash", "BPF_MAP_TYPE_ARRAY")."""
    return _enum_member(MapType, value, "map type")


def prog_type(value: ProgType | int | str) -> ProgType:
    """Normalise a program type given as a member, an integer or a name ("xdp", "sched_cls")."""
    return _enum_member(ProgType, value, "program type")


def attach_type(value: AttachType | int | str) -> AttachType:
    """Normalise an attach type given as a member, an integer or a name."""
    return _enum_member(AttachType, value, "attach type")


# Map types whose value size the kernel fixes or whose key size must be 0/4.
_PERCPU_TYPES = frozenset(
    {
        MapType.PERCPU_HASH,
        MapType.PERCPU_ARRAY,
        MapType.LRU_PERCPU_HASH,
        MapType.PERCPU_CGROUP_STORAGE,
    }
)


@dataclass(frozen=True)
class MapSpec:
    """A description of a map (like ``struct bpf_map_def`` plus everything libbpf knows).

    ``contents`` holds initial ``(key, value)`` pairs as bytes (or ints for prog/map arrays);
    ``btf``, ``key_type_id`` and ``value_type_id`` describe the types when they come from BTF.
    """

    name: str = ""
    type: MapType = MapType.HASH
    key_size: int = 4
    value_size: int = 4
    max_entries: int = 1
    flags: int = 0
    inner_map: MapSpec | None = None
    pinning: Pinning = Pinning.NONE
    numa_node: int = 0
    map_extra: int = 0
    contents: tuple[tuple[Any, Any], ...] = ()
    freeze: bool = False
    btf: Any = None
    key_type_id: int = 0
    value_type_id: int = 0
    extra: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", map_type(self.type))
        object.__setattr__(self, "pinning", Pinning(self.pinning))
        for name in ("key_size", "value_size", "max_entries", "flags", "numa_node", "map_extra"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise SpecError(
                    f"MapSpec {self.name!r}: {name} must be a non-negative integer, not {value!r}"
                )
        if (
            self.key_size > 0xFFFFFFFF
            or self.value_size > 0xFFFFFFFF
            or self.max_entries > 0xFFFFFFFF
        ):
            raise SpecError(f"MapSpec {self.name!r}: sizes must fit in 32 bits")
        if not isinstance(self.contents, tuple):
            object.__setattr__(self, "contents", tuple(_pairs(self.contents)))

    @property
    def is_per_cpu(self) -> bool:
        return self.type in _PERCPU_TYPES

    def replace(self, **changes: Any) -> MapSpec:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    copy = replace


def _pairs(contents: Any) -> list[tuple[Any, Any]]:
    if isinstance(contents, Mapping):
        return list(contents.items())
    return [tuple(pair) for pair in contents]


@dataclass(frozen=True)
class ProgramSpec:
    """A description of a program: type, instructions, license and attach details.

    ``maps`` optionally names the :class:`MapSpec` each symbolic map reference in the
    instructions stands for (the ELF reader fills it), so that the program can be verified
    offline or loaded with its maps.
    """

    name: str = ""
    type: ProgType = ProgType.SOCKET_FILTER
    instructions: Instructions = field(default_factory=Instructions)
    license: str = "GPL"
    attach_type: AttachType | None = None
    attach_to: str = ""
    section_name: str = ""
    kernel_version: int = 0
    flags: int = 0
    byteorder: str = "little"
    maps: Mapping[str, MapSpec] = field(default_factory=dict)
    btf: Any = None
    func_info: Any = None
    line_info: Any = None
    attach_btf_id: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", prog_type(self.type))
        if self.attach_type is not None:
            object.__setattr__(self, "attach_type", attach_type(self.attach_type))
        if not isinstance(self.instructions, Instructions):
            object.__setattr__(self, "instructions", Instructions(self.instructions))
        if self.byteorder not in ("little", "big"):
            raise SpecError(f"ProgramSpec {self.name!r}: byteorder must be 'little' or 'big'")
        if not isinstance(self.license, str):
            raise SpecError(f"ProgramSpec {self.name!r}: license must be a string")

    def replace(self, **changes: Any) -> ProgramSpec:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    copy = replace
