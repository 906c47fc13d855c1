"""``load_collection``: load a whole object (an :class:`~pyebpf.elf.ObjectSpec`) into the kernel.

This is where the offline description meets the running kernel, in libbpf's order:

1. load the object's BTF, rewritten into what the kernel accepts;
2. create every map (with BTF ids where present), or reuse the map pinned under
   ``pin_root`` for maps marked ``LIBBPF_PIN_BY_NAME`` (pinning new ones there);
3. resolve externs: kfunc and ksym BTF ids from ``/sys/kernel/btf/vmlinux``, untyped ksym
   addresses from ``/proc/kallsyms``, ``.kconfig`` values from the kernel configuration;
4. apply CO-RE relocations against the kernel's BTF (or ``core_btf``), as libbpf does;
5. load every program with its maps, BTF func/line info and attach target, keeping the
   verifier log on failure;
6. fill prog arrays and maps of maps from their ``values`` initialisers.

The result is a :class:`Collection` of live objects by name; globals stay readable and
writable through :attr:`Collection.variables`.
"""

from __future__ import annotations

import gzip
import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .asm import Instructions
from .asm.opcodes import PseudoSrc
from .btf import BTF as ParsedBTF
from .btf import Kind, kernel_btf, read_btf_file, sanitize_for_kernel
from .elf import ObjectSpec, VariableSpec, load_object, section_info
from .elf.core import relocated_programs
from .elf.externs import ExternSpec
from .errors import BTFError, NotSupportedError, SpecError
from .kernel_tables import MapType, ProgType
from .spec import MapSpec, Pinning, ProgramSpec
from .syscall import BTF, Map, Program

DEFAULT_PIN_ROOT = "/sys/fs/bpf"
_FD_MAPS = (MapType.PROG_ARRAY, MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS)
# Map types the kernel refuses key/value BTF for (libbpf's bpf_object__create_map list).
_NO_BTF_MAPS = frozenset(
    {
        MapType.PERF_EVENT_ARRAY,
        MapType.CGROUP_ARRAY,
        MapType.STACK_TRACE,
        MapType.ARRAY_OF_MAPS,
        MapType.HASH_OF_MAPS,
        MapType.DEVMAP,
        MapType.DEVMAP_HASH,
        MapType.CPUMAP,
        MapType.XSKMAP,
        MapType.SOCKMAP,
        MapType.SOCKHASH,
        MapType.QUEUE,
        MapType.STACK,
        MapType.ARENA,
    }
)


class Variable:
    """A global variable of a loaded collection, read and written through its data map."""

    def __init__(self, spec: VariableSpec, data_map: Map, byteorder: str) -> None:
        self.spec = spec
        self.name = spec.name
        self.map = data_map
        self._byteorder = byteorder

    def get_bytes(self) -> bytes:
        value = self.map.lookup(0)
        return bytes(value[self.spec.offset : self.spec.offset + self.spec.size])

    def get(self) -> int | bytes:
        """The current value: an int for integer-like types (see :meth:`VariableSpec.get`)."""
        integer, signed = self.spec._is_integer()
        raw = self.get_bytes()
        if integer:
            return int.from_bytes(raw, self._byteorder, signed=signed)  # type: ignore[arg-type]
        return raw

    def set(self, value: int | bytes | bytearray) -> None:
        """Write the variable (a frozen ``.rodata`` map refuses with a BPFError)."""
        if isinstance(value, int) and not isinstance(value, bool):
            _integer, signed = self.spec._is_integer()
            try:
                raw = value.to_bytes(self.spec.size, self._byteorder, signed=signed or value < 0)  # type: ignore[arg-type]
            except OverflowError:
                raise SpecError(
                    f"variable {self.name!r}: {value} does not fit in {self.spec.size} bytes"
                ) from None
        elif isinstance(value, bytes | bytearray):
            if len(value) != self.spec.size:
                raise SpecError(
                    f"variable {self.name!r} is {self.spec.size} bytes, not {len(value)}"
                )
            raw = bytes(value)
        else:
            raise SpecError(
                f"variable {self.name!r}: expected int or bytes, not {type(value).__name__}"
            )
        data = bytearray(self.map.lookup(0))
        data[self.spec.offset : self.spec.offset + self.spec.size] = raw
        self.map.put(0, bytes(data))

    def __repr__(self) -> str:
        return f"<Variable {self.name} in {self.spec.section}>"


@dataclass(eq=False)
class Collection:
    """Live maps and programs of one object, by name; close it (or use ``with``) to release them."""

    spec: ObjectSpec
    maps: dict[str, Map] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    btf: BTF | None = None

    def close(self) -> None:
        for prog in self.programs.values():
            prog.close()
        for m in self.maps.values():
            m.close()
        if self.btf is not None:
            self.btf.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Collection {len(self.programs)} programs, {len(self.maps)} maps>"


def load_collection(
    spec: ObjectSpec | str | os.PathLike[str] | bytes,
    *,
    pin_root: str = DEFAULT_PIN_ROOT,
    log_level: int = 0,
    kconfig: Mapping[str, int | bool | str] | None = None,
    core_btf: ParsedBTF | str | os.PathLike[str] | None = None,
) -> Collection:
    """Load every map and program of ``spec`` (an ObjectSpec, or a path/bytes to read one).

    ``kconfig`` overrides values of ``.kconfig`` externs (by name); the rest come from the
    running kernel's configuration. ``core_btf`` is the BTF CO-RE relocations are resolved
    against (a parsed BTF or the path of a raw BTF file, like libbpf's ``btf_custom_path``);
    by default the running kernel's ``/sys/kernel/btf/vmlinux``.
    """
    if not isinstance(spec, ObjectSpec):
        spec = load_object(spec)
    if spec.byteorder != sys.byteorder:
        raise NotSupportedError(
            f"this object is {spec.byteorder}-endian and the kernel is {sys.byteorder}-endian"
        )
    if core_btf is not None and not isinstance(core_btf, ParsedBTF | str | os.PathLike):
        raise SpecError(
            f"core_btf must be a BTF or the path of a BTF file, not {type(core_btf).__name__}"
        )
    coll = Collection(spec)
    target = (
        read_btf_file(os.fspath(core_btf)) if isinstance(core_btf, str | os.PathLike) else core_btf
    )
    try:
        _load(coll, pin_root, log_level, kconfig or {}, target)
    except BaseException:
        coll.close()
        raise
    return coll


def _load(
    coll: Collection,
    pin_root: str,
    log_level: int,
    kconfig: Mapping[str, Any],
    core_btf: ParsedBTF | None,
) -> None:
    spec = coll.spec
    layout = {e.name: (e.offset, e.size) for e in spec.externs.values() if e.kind == "kconfig"}
    if spec.btf is not None:
        coll.btf = BTF(sanitize_for_kernel(spec.btf, layout))
    for name, map_spec in spec.maps.items():
        if name == ".kconfig":
            map_spec = map_spec.replace(
                contents=((0, _kconfig_value(spec.externs, map_spec.value_size, kconfig)),)
            )
        coll.maps[name] = _create_map(map_spec, coll.btf, pin_root)
    programs = relocated_programs(spec, core_btf)  # CO-RE, as libbpf does before loading
    for name, prog_spec in programs.items():
        coll.programs[name] = _load_program(prog_spec, spec, coll, log_level)
    for name, map_spec in spec.maps.items():
        if map_spec.type in _FD_MAPS and map_spec.contents:
            live = coll.maps[name]
            for index, target in map_spec.contents:
                obj = (
                    coll.programs.get(target)
                    if map_spec.type == MapType.PROG_ARRAY
                    else coll.maps.get(target)
                )
                if obj is None:
                    raise SpecError(
                        f"map {name!r}: initial value {target!r} is not in this collection"
                    )
                live.put(index, obj)
    for name, var in spec.variables.items():
        coll.variables[name] = Variable(var, coll.maps[var.section], spec.byteorder)


def _create_map(spec: MapSpec, btf: BTF | None, pin_root: str) -> Map:
    fd_values = spec.type in _FD_MAPS
    create = spec.replace(contents=()) if fd_values else spec
    if btf is None or not (spec.key_type_id or spec.value_type_id) or spec.type in _NO_BTF_MAPS:
        create = create.replace(btf=None, key_type_id=0, value_type_id=0)
    if create.inner_map is not None:
        # The inner map is only a template for the kernel's checks; it needs no BTF.
        create = create.replace(
            inner_map=create.inner_map.replace(btf=None, key_type_id=0, value_type_id=0)
        )
    if spec.pinning == Pinning.BY_NAME:
        path = os.path.join(pin_root, spec.name)
        if os.path.lexists(path):
            existing = Map.from_pin(path)
            _check_compatible(existing, spec, path)
            return existing
        live = Map(create, btf=btf if create.btf is not None else None)
        live.pin(path)
        return live
    return Map(create, btf=btf if create.btf is not None else None)


def _check_compatible(live: Map, spec: MapSpec, path: str) -> None:
    info = live.info()
    theirs = (int(info.type), info.key_size, info.value_size, info.max_entries, info.flags)
    ours = (int(spec.type), spec.key_size, spec.value_size, spec.max_entries, spec.flags)
    if theirs != ours:
        live.close()
        raise SpecError(
            f"map {spec.name!r}: the map pinned at {path} differs "
            f"(type, key, value, max_entries, flags: {theirs} here, {ours} in the object)"
        )


def _load_program(prog: ProgramSpec, obj: ObjectSpec, coll: Collection, log_level: int) -> Program:
    if prog.type == ProgType.UNSPEC:
        raise SpecError(
            f"program {prog.name!r}: section {prog.section_name!r} names no program type"
        )
    if prog.type == ProgType.STRUCT_OPS:
        raise NotSupportedError(f"program {prog.name!r}: struct_ops programs are not supported yet")
    if prog.type == ProgType.EXT:
        raise NotSupportedError(f"program {prog.name!r}: freplace programs need a target program")
    insns = _resolve_externs(prog.instructions, obj.externs, prog.name)
    attach_btf_id = prog.attach_btf_id
    info = section_info(prog.section_name)
    if info is not None and info.attach_btf and not attach_btf_id:
        attach_btf_id = _attach_btf_id(prog)
    maps = {name: coll.maps[name] for name in insns.map_references()}
    return Program(
        prog.replace(instructions=insns, btf=None),
        maps=maps,
        log_level=log_level,
        btf=coll.btf,
        func_info=prog.func_info if coll.btf is not None else None,
        line_info=prog.line_info if coll.btf is not None else None,
        attach_btf_id=attach_btf_id,
    )


# libbpf's marker for a call to a weak kfunc the kernel lacks: the verifier must find the call
# dead (guarded by bpf_ksym_exists()), else it names this helper id in its error.
POISON_CALL_KFUNC_BASE = 2002000000


def _resolve_externs(
    insns: Instructions, externs: Mapping[str, ExternSpec], prog: str
) -> Instructions:
    out = []
    order = list(externs)
    for insn in insns:
        ext = externs.get(insn.reference) if insn.reference is not None else None
        if ext is not None and ext.kind in ("kfunc", "ksym"):
            if insn.is_kfunc_call:
                type_id = _kernel_id(ext.name, Kind.FUNC, prog, ext.weak)
                if type_id:
                    insn = insn.replace(imm=type_id)
                else:  # a missing weak kfunc
                    poison = POISON_CALL_KFUNC_BASE + order.index(ext.name)
                    insn = insn.replace(src=0, imm=poison, reference=None)
            elif insn.is_ld_imm64 and insn.src == PseudoSrc.BTF_ID:
                kind = Kind.FUNC if ext.kind == "kfunc" else Kind.VAR
                type_id = _kernel_id(ext.name, kind, prog, ext.weak)
                if type_id:
                    insn = insn.replace(imm=type_id)
                else:  # a missing weak extern reads as NULL
                    insn = insn.replace(src=PseudoSrc.IMM, imm=0, reference=None)
            elif insn.is_ld_imm64:
                insn = insn.replace(imm=_kallsyms_address(ext.name, prog, ext.weak))
        out.append(insn)
    return Instructions(out)


def _kernel_id(name: str, kind: Kind, prog: str, weak: bool) -> int:
    """The kernel BTF id of ``name``; 0 for a weak extern the kernel lacks."""
    found = kernel_btf().find(name, kind)
    if not found:
        if weak:
            return 0
        what = "kfunc" if kind == Kind.FUNC else "ksym"
        raise BTFError(
            f"program {prog!r}: {what} {name!r} is not in the kernel's BTF",
            "/sys/kernel/btf/vmlinux",
        )
    return found[0].id


def _kallsyms_address(name: str, prog: str, weak: bool) -> int:
    try:
        with open("/proc/kallsyms") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[2] == name:
                    address = int(parts[0], 16)
                    if address:
                        return address
    except OSError:
        pass
    if weak:
        return 0
    raise NotSupportedError(
        f"program {prog!r}: no address for kernel symbol {name!r} in /proc/kallsyms"
    )


def _attach_btf_id(prog: ProgramSpec) -> int:
    """The kernel BTF id an fentry/fexit/lsm/tp_btf/iter program attaches to (libbpf's naming)."""
    target = prog.attach_to
    if not target:
        raise SpecError(
            f"program {prog.name!r}: section {prog.section_name!r} has no attach target"
        )
    if prog.type == ProgType.LSM:
        name, kind = "bpf_lsm_" + target, Kind.FUNC
    elif prog.section_name.startswith("tp_btf"):
        name, kind = "btf_trace_" + target, Kind.TYPEDEF
    elif prog.section_name.startswith("iter"):
        name, kind = "bpf_iter_" + target, Kind.FUNC
    else:
        name, kind = target, Kind.FUNC
    found = kernel_btf().find(name, kind)
    if not found:
        raise BTFError(
            f"program {prog.name!r}: attach target {name!r} is not in the kernel's BTF", "vmlinux"
        )
    return found[0].id


# --- .kconfig ------------------------------------------------------------------------------


def kernel_version_code() -> int:
    """``LINUX_KERNEL_VERSION``: KERNEL_VERSION(a, b, c) of the running kernel."""
    numbers = []
    for part in platform.release().split("-")[0].split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        numbers.append(int(digits or 0))
    a, b, c = (numbers + [0, 0, 0])[:3]
    return (a << 16) | (b << 8) | min(c, 255)


def read_kernel_config() -> dict[str, str]:
    """CONFIG_* values from /proc/config.gz or /boot/config-<release> (empty if neither)."""
    text = ""
    try:
        with gzip.open("/proc/config.gz", "rt") as f:
            text = f.read()
    except OSError:
        try:
            with open(f"/boot/config-{platform.release()}") as f:
                text = f.read()
        except OSError:
            return {}
    out = {}
    for line in text.splitlines():
        if line.startswith("CONFIG_") and "=" in line:
            key, value = line.split("=", 1)
            out[key] = value.strip()
    return out


def _kconfig_value(
    externs: Mapping[str, ExternSpec], size: int, overrides: Mapping[str, Any]
) -> bytes:
    data = bytearray(size)
    config: dict[str, str] | None = None
    for ext in externs.values():
        if ext.kind != "kconfig":
            continue
        if ext.name in overrides:
            value: Any = overrides[ext.name]
        elif ext.name == "LINUX_KERNEL_VERSION":
            value = kernel_version_code()
        elif ext.name.startswith("CONFIG_"):
            if config is None:
                config = read_kernel_config()
            raw = config.get(ext.name)
            if raw is None:
                if not ext.weak and not config:
                    raise NotSupportedError(
                        f"kconfig {ext.name!r}: no kernel configuration found (/proc/config.gz, /boot/config-*)"
                    )
                value = 0  # an unset option reads as 0/false/'n', as in libbpf
            else:
                value = {"y": 1, "m": 2, "n": 0}.get(raw, raw)
        else:
            if not ext.weak:
                raise NotSupportedError(
                    f"kconfig {ext.name!r} is neither LINUX_KERNEL_VERSION nor CONFIG_*"
                )
            value = 0
        data[ext.offset : ext.offset + ext.size] = _kconfig_bytes(ext, value)
    return bytes(data)


def _kconfig_bytes(ext: ExternSpec, value: Any) -> bytes:
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str):
        text = value.strip('"')
        if text.lstrip("-").isdigit() or text.lower().startswith("0x"):
            value = int(text, 0)
        else:
            raw = text.encode()[: ext.size - 1]
            return raw + bytes(ext.size - len(raw))
    try:
        return int(value).to_bytes(ext.size, sys.byteorder, signed=int(value) < 0)
    except OverflowError:
        raise SpecError(f"kconfig {ext.name!r}: {value} does not fit in {ext.size} bytes") from None


__all__ = [
    "Collection",
    "Variable",
    "kernel_version_code",
    "load_collection",
    "read_kernel_config",
]
