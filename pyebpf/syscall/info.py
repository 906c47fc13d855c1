"""OBJ_GET_INFO_BY_FD: what the kernel knows about a map, program, link or BTF object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..asm import Instructions
from ..kernel_tables import AttachType, LinkType, MapType, ProgType
from . import commands
from ._sys import ffi
from .xlated import decode_xlated


def _enum(enum: Any, value: int) -> Any:
    try:
        return enum(value)
    except ValueError:  # newer kernel than our tables
        return value


def _name(raw: Any) -> str:
    return ffi.string(raw).decode(errors="replace")


@dataclass(frozen=True)
class MapInfo:
    type: MapType | int
    id: int
    key_size: int
    value_size: int
    max_entries: int
    flags: int
    name: str
    btf_id: int
    btf_key_type_id: int
    btf_value_type_id: int
    map_extra: int
    ifindex: int


def map_info(fd: int) -> MapInfo:
    info = ffi.new("struct bpf_map_info *")
    commands.obj_get_info_by_fd(fd, info)
    return MapInfo(
        type=_enum(MapType, info.type),
        id=info.id,
        key_size=info.key_size,
        value_size=info.value_size,
        max_entries=info.max_entries,
        flags=info.map_flags,
        name=_name(info.name),
        btf_id=info.btf_id,
        btf_key_type_id=info.btf_key_type_id,
        btf_value_type_id=info.btf_value_type_id,
        map_extra=info.map_extra,
        ifindex=info.ifindex,
    )


@dataclass(frozen=True)
class ProgramInfo:
    """Program info; ``instructions`` is the kernel's translated (xlated) program.

    ``xlated`` holds the raw translated bytes; ``instructions`` decodes them leniently, because
    the kernel rewrites some instructions into internal encodings (see :mod:`.xlated`).
    """

    type: ProgType | int
    id: int
    name: str
    tag: bytes
    map_ids: tuple[int, ...]
    load_time: int
    created_by_uid: int
    gpl_compatible: bool
    btf_id: int
    verified_insns: int
    run_time_ns: int
    run_cnt: int
    recursion_misses: int
    attach_btf_id: int
    attach_btf_obj_id: int
    xlated: bytes = b""
    jited: bytes = b""
    instructions: Instructions = field(default_factory=Instructions)


def prog_info(fd: int, *, with_instructions: bool = True) -> ProgramInfo:
    info = ffi.new("struct bpf_prog_info *")
    commands.obj_get_info_by_fd(fd, info)
    nr_maps = info.nr_map_ids
    xlated_len, jited_len = info.xlated_prog_len, info.jited_prog_len
    # Second call: the kernel copies variable-length arrays into buffers we provide.
    info2 = ffi.new("struct bpf_prog_info *")
    map_ids = ffi.new("__u32[]", max(nr_maps, 1))
    info2.nr_map_ids = nr_maps
    info2.map_ids = commands.addr(map_ids)
    xlated = ffi.new("char[]", max(xlated_len, 1)) if with_instructions else None
    jited = ffi.new("char[]", max(jited_len, 1)) if with_instructions else None
    if with_instructions:
        info2.xlated_prog_len = xlated_len
        info2.xlated_prog_insns = commands.addr(xlated)
        info2.jited_prog_len = jited_len
        info2.jited_prog_insns = commands.addr(jited)
    commands.obj_get_info_by_fd(fd, info2)
    # A program can change between the calls (it cannot; maps can be re-bound): take the minimum.
    nr = min(nr_maps, info2.nr_map_ids)
    raw_x = (
        ffi.unpack(xlated, min(xlated_len, info2.xlated_prog_len)) if xlated is not None else b""
    )
    raw_j = ffi.unpack(jited, min(jited_len, info2.jited_prog_len)) if jited is not None else b""
    return ProgramInfo(
        type=_enum(ProgType, info2.type),
        id=info2.id,
        name=_name(info2.name),
        tag=bytes(ffi.unpack(info2.tag, 8)),
        map_ids=tuple(int(map_ids[i]) for i in range(nr)),
        load_time=info2.load_time,
        created_by_uid=info2.created_by_uid,
        gpl_compatible=bool(info2.gpl_flags & 1),
        btf_id=info2.btf_id,
        verified_insns=info2.verified_insns,
        run_time_ns=info2.run_time_ns,
        run_cnt=info2.run_cnt,
        recursion_misses=info2.recursion_misses,
        attach_btf_id=info2.attach_btf_id,
        attach_btf_obj_id=info2.attach_btf_obj_id,
        xlated=raw_x,
        jited=raw_j,
        instructions=decode_xlated(raw_x) if raw_x else Instructions(),
    )


@dataclass(frozen=True)
class LinkInfo:
    """Link info; ``details`` holds the per-type fields (ifindex, attach_type, cgroup_id ...)."""

    type: LinkType | int
    id: int
    prog_id: int
    details: dict[str, Any]


def link_info(fd: int) -> LinkInfo:
    info = ffi.new("struct bpf_link_info *")
    commands.obj_get_info_by_fd(fd, info)
    kind = _enum(LinkType, info.type)
    details: dict[str, Any] = {}
    if kind == LinkType.XDP:
        details["ifindex"] = info.xdp.ifindex
    elif kind == LinkType.TCX:
        details["ifindex"] = info.tcx.ifindex
        details["attach_type"] = _enum(AttachType, info.tcx.attach_type)
    elif kind == LinkType.CGROUP:
        details["cgroup_id"] = info.cgroup.cgroup_id
        details["attach_type"] = _enum(AttachType, info.cgroup.attach_type)
    elif kind == LinkType.NETNS:
        details["netns_ino"] = info.netns.netns_ino
        details["attach_type"] = _enum(AttachType, info.netns.attach_type)
    elif kind == LinkType.TRACING:
        details["attach_type"] = _enum(AttachType, info.tracing.attach_type)
        details["target_btf_id"] = info.tracing.target_btf_id
    elif kind == LinkType.RAW_TRACEPOINT:
        details.update(_raw_tp_name(fd, info.raw_tracepoint.tp_name_len))
    elif kind == LinkType.PERF_EVENT:
        details["perf_event_type"] = info.perf_event.type
    return LinkInfo(type=kind, id=info.id, prog_id=info.prog_id, details=details)


def _raw_tp_name(fd: int, length: int) -> dict[str, Any]:
    info = ffi.new("struct bpf_link_info *")
    buf = ffi.new("char[]", max(length, 1) + 1)
    info.raw_tracepoint.tp_name = commands.addr(buf)
    info.raw_tracepoint.tp_name_len = length + 1
    commands.obj_get_info_by_fd(fd, info)
    return {"tp_name": ffi.string(buf).decode(errors="replace")}


@dataclass(frozen=True)
class BTFInfo:
    id: int
    size: int
    name: str
    kernel_btf: bool


def btf_info(fd: int) -> BTFInfo:
    info = ffi.new("struct bpf_btf_info *")
    name = ffi.new("char[]", 64)
    info.name = commands.addr(name)
    info.name_len = 64
    commands.obj_get_info_by_fd(fd, info)
    return BTFInfo(
        id=info.id,
        size=info.btf_size,
        name=ffi.string(name).decode(),
        kernel_btf=bool(info.kernel_btf),
    )
