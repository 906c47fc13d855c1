"""``Program``: a loaded eBPF program, created from a :class:`~pyebpf.spec.ProgramSpec`.

Loading follows what users need when the verifier says no: the program is loaded first
without a log (fast, and the common case), and only on failure loaded again with one, the
buffer growing on ENOSPC (to ``log_true_size`` when the kernel reports it). The error then
carries the full log, the line that states the reason and the failing instruction.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..asm import Instructions
from ..errors import BPFError, CodecError, LinkError, SpecError, VerifierError
from ..kernel_tables import AttachType, ProgType
from ..spec import ProgramSpec, prog_type
from . import commands
from ._sys import ENOTSUPP, errno_name, ffi, permission_hint
from .args import uint
from .fd import FDObject
from .info import ProgramInfo, prog_info
from .pin import Pinnable, check_pin_path
from .verifier_log import summarize

LOG_SIZE_START = 64 * 1024
LOG_SIZE_MAX = (1 << 32) - 1 >> 2  # the kernel's limit (UINT_MAX >> 2)
_LOG_RETRIES = 30

# Prog types whose test_run needs data (packets) rather than a context only.
_PACKET_TYPES = frozenset(
    {
        ProgType.SOCKET_FILTER,
        ProgType.SCHED_CLS,
        ProgType.SCHED_ACT,
        ProgType.XDP,
        ProgType.CGROUP_SKB,
        ProgType.LWT_IN,
        ProgType.LWT_OUT,
        ProgType.LWT_XMIT,
        ProgType.SK_SKB,
        ProgType.FLOW_DISSECTOR,
    }
)


@dataclass(frozen=True)
class TestRunResult:
    """What BPF_PROG_TEST_RUN reported: return value, output packet/context, mean ns per run."""

    __test__ = False  # not a pytest test class

    retval: int
    data: bytes
    ctx: bytes
    duration: int


def _fd_of(obj: Any, what: str) -> int:
    if isinstance(obj, int) and not isinstance(obj, bool):
        if obj < 0:
            raise SpecError(f"{what}: file descriptor must be non-negative, not {obj}")
        return obj
    fd = getattr(obj, "fd", None)
    if isinstance(fd, int):
        return fd
    raise SpecError(
        f"{what}: expected a live object or a file descriptor, not {type(obj).__name__}"
    )


def _live_btf(btf: Any) -> Any:
    """``btf`` if it is a kernel BTF object or fd, else None (parsed BTF is not loadable here)."""
    if btf is None:
        return None
    if isinstance(btf, int) and not isinstance(btf, bool):
        return btf
    return btf if isinstance(getattr(btf, "fd", None), int) else None


def _raw(data: Any, what: str) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    to_bytes = getattr(data, "to_bytes", None)  # e.g. a parsed func/line info table
    if callable(to_bytes):
        out = to_bytes()
        if isinstance(out, bytes):
            return out
    raise SpecError(f"{what} must be bytes, not {type(data).__name__}")


class Program(Pinnable):
    """A program loaded into the kernel.

    ``Program(spec, maps={"counts": counts_map})`` resolves the map loads in the instructions
    by name; maps of ``spec.maps`` that are not given raise :class:`SpecError` naming them.
    ``log_level`` > 0 loads with a log from the start and keeps it in :attr:`verifier_log`.
    BTF: ``btf`` (a :class:`BTF` or fd) with ``func_info``/``line_info`` as raw kernel records.
    """

    _kind = "program"

    def __init__(
        self,
        spec: ProgramSpec,
        *,
        maps: Mapping[str, Any] | None = None,
        fd_array: Sequence[Any] = (),
        log_level: int = 0,
        log_size: int = LOG_SIZE_START,
        btf: Any = None,
        func_info: Any = None,
        func_info_rec_size: int = 8,
        line_info: Any = None,
        line_info_rec_size: int = 16,
        attach_btf_id: int | None = None,
        attach_btf_obj: Any = None,
        attach_prog: Any = None,
        ifindex: int = 0,
    ) -> None:
        if not isinstance(spec, ProgramSpec):
            raise SpecError(f"Program() needs a ProgramSpec, not {type(spec).__name__}")
        self.spec = spec
        self.name = spec.name
        self.type = spec.type
        self.verifier_log = ""
        insns = self._resolve_maps(spec, maps or {})
        try:
            code = insns.to_bytes(spec.byteorder)
        except LinkError as exc:
            raise SpecError(f"program {spec.name!r}: {exc}") from None
        if not code:
            raise SpecError(f"program {spec.name!r} has no instructions")
        if not isinstance(log_level, int) or log_level < 0:
            raise SpecError(f"log_level must be a non-negative int, not {log_level!r}")
        # A spec from the ELF reader carries *parsed* BTF, which only a collection load turns
        # into a kernel object (pyebpf.load_collection); a plain Program loads without it then.
        btf_obj = btf if btf is not None else _live_btf(spec.btf)
        if btf_obj is None:
            func_info = func_info if func_info is not None else b""
            line_info = line_info if line_info is not None else b""
        load = commands.ProgLoadAttr(
            prog_type=int(spec.type),
            insns=code,
            license=spec.license,
            name=spec.name,
            expected_attach_type=int(spec.attach_type) if spec.attach_type is not None else 0,
            flags=spec.flags,
            kern_version=spec.kernel_version,
            prog_ifindex=ifindex,
            prog_btf_fd=_fd_of(btf_obj, "btf") if btf_obj is not None else 0,
            func_info=_raw(func_info if func_info is not None else spec.func_info, "func_info"),
            func_info_rec_size=func_info_rec_size,
            line_info=_raw(line_info if line_info is not None else spec.line_info, "line_info"),
            line_info_rec_size=line_info_rec_size,
            attach_btf_id=attach_btf_id if attach_btf_id is not None else spec.attach_btf_id,
            attach_btf_obj_fd=_fd_of(attach_btf_obj, "attach_btf_obj")
            if attach_btf_obj is not None
            else 0,
            attach_prog_fd=_fd_of(attach_prog, "attach_prog") if attach_prog is not None else 0,
            fd_array=[_fd_of(m, "fd_array") for m in fd_array],
        )
        fd = self._load(load, log_level, log_size, insns)
        super().__init__(fd)
        self._pinned: str | None = None

    @staticmethod
    def _resolve_maps(spec: ProgramSpec, maps: Mapping[str, Any]) -> Instructions:
        insns = spec.instructions
        refs = insns.map_references()
        missing = sorted(name for name in refs if name not in maps)
        if missing:
            raise SpecError(
                f"program {spec.name!r} loads map(s) {', '.join(map(repr, missing))}: "
                "pass them as Program(spec, maps={name: Map})"
            )
        for name in refs:
            insns = insns.associate_map(name, _fd_of(maps[name], f"map {name!r}"))
        return insns

    def _load(
        self, load: commands.ProgLoadAttr, log_level: int, log_size: int, insns: Instructions
    ) -> int:
        size = max(int(log_size), 128)
        if log_level:
            fd, err, log, true_size = commands.prog_load(load, log_level, size)
        else:
            fd, err, log, true_size = commands.prog_load(load)
        # On failure reload with a log (a bigger one each time it is too small).
        tries = 0
        # EPERM is retried too: besides missing capabilities, the verifier uses it for some
        # refusals, and then the log says why.
        while fd < 0 and tries < _LOG_RETRIES:
            if log is not None and err != errno.ENOSPC:
                break
            if log is not None:
                size = min(max(true_size, size * 4), LOG_SIZE_MAX)
            fd, err, log, true_size = commands.prog_load(load, log_level or 1, size)
            tries += 1
            if fd >= 0 or size >= LOG_SIZE_MAX:
                break
        text = ffi.string(log).decode(errors="replace") if log is not None else ""
        if fd >= 0:
            self.verifier_log = text if log_level else ""
            return fd
        if err == errno.EPERM and not text.strip():
            raise BPFError(err, "BPF_PROG_LOAD", _perm_message(load))
        if err in (errno.EINVAL, ENOTSUPP) and not text.strip():
            raise BPFError(
                err,
                "BPF_PROG_LOAD",
                f"{errno_name(err)}: the kernel refused program {load.name!r} before verification "
                f"(type {_type_name(load.prog_type)}, expected attach type "
                f"{_attach_name(load.expected_attach_type)}, flags {load.flags:#x}): "
                "an unsupported type/attach combination, flag or BTF info",
            )
        summary, insn = summarize(text)
        where = f" at insn {insn}{_show_insn(insns, insn)}" if insn is not None else ""
        raise VerifierError(
            err,
            "BPF_PROG_LOAD",
            f"{errno_name(err)}: verifier rejected program {load.name!r}{where}: {summary}",
            log=text,
            summary=summary,
            insn_index=insn,
        )

    # --- constructors for existing programs -----------------------------------------------

    @classmethod
    def _from_fd(cls, fd: int) -> Program:
        prog = cls.__new__(cls)
        FDObject.__init__(prog, fd)
        try:
            info = prog_info(fd, with_instructions=False)
        except BaseException:
            prog.close()
            raise
        prog.spec = ProgramSpec(name=info.name, type=prog_type(info.type))
        prog.name = info.name
        prog.type = info.type  # type: ignore[assignment]
        prog.verifier_log = ""
        prog._pinned = None
        return prog

    @classmethod
    def from_pin(cls, path: str) -> Program:
        """Open a program pinned at ``path`` on bpffs."""
        check_pin_path(path, must_exist=True)
        return cls._from_fd(commands.obj_get(path))

    @classmethod
    def from_id(cls, prog_id: int) -> Program:
        return cls._from_fd(commands.get_fd_by_id("prog", prog_id))

    @classmethod
    def from_fd(cls, fd: int) -> Program:
        """Take ownership of ``fd`` (it is closed with the Program)."""
        return cls._from_fd(fd)

    # --- operations ------------------------------------------------------------------------

    def test_run(
        self,
        data: bytes = b"",
        ctx: Any = None,
        *,
        repeat: int = 1,
        data_out_size: int | None = None,
        ctx_out_size: int | None = None,
        flags: int = 0,
        cpu: int = 0,
    ) -> TestRunResult:
        """Run the program in the kernel on ``data`` (a packet) and/or ``ctx`` (BPF_PROG_TEST_RUN).

        The output buffers default to the input sizes plus headroom for programs that grow
        packets; ``duration`` is the mean run time in nanoseconds over ``repeat`` runs.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise CodecError(f"test_run data must be bytes, not {type(data).__name__}")
        ctx_bytes = None if ctx is None else _raw_ctx(ctx)
        if not isinstance(repeat, int) or repeat < 0:
            raise CodecError(f"repeat must be a non-negative int, not {repeat!r}")
        uint(flags, "test_run flags")
        uint(cpu, "test_run cpu")
        for size, what in ((data_out_size, "data_out_size"), (ctx_out_size, "ctx_out_size")):
            if size is not None:
                uint(size, what)
        data = bytes(data)
        if data_out_size is None:
            data_out_size = len(data) + 512 if data else 0
        if ctx_out_size is None:
            ctx_out_size = len(ctx_bytes) if ctx_bytes else 0
        out = commands.prog_test_run(
            self.fd,
            data,
            ctx_bytes,
            repeat=repeat,
            data_out_size=data_out_size,
            ctx_out_size=ctx_out_size,
            flags=flags,
            cpu=cpu,
        )
        return TestRunResult(out.retval, out.data, out.ctx, out.duration)

    def info(self) -> ProgramInfo:
        """The kernel's view, including the translated instructions (``info().instructions``)."""
        return prog_info(self.fd)

    @property
    def id(self) -> int:
        return prog_info(self.fd, with_instructions=False).id


def _show_insn(insns: Instructions, slot: int) -> str:
    """`` (`text`)`` of the instruction at kernel slot ``slot``, or "" if there is none."""
    try:
        return f" (`{insns[insns.index_of(slot)]}`)"
    except Exception:  # a slot in the middle of ld_imm64, or a log from another program
        return ""


def _raw_ctx(ctx: Any) -> bytes:
    if isinstance(ctx, bytes | bytearray | memoryview):
        return bytes(ctx)
    try:
        return bytes(memoryview(ctx))
    except TypeError:
        raise CodecError(
            f"test_run ctx must be bytes or a ctypes object, not {type(ctx).__name__}"
        ) from None


def _type_name(value: int) -> str:
    try:
        return ProgType(value).name
    except ValueError:
        return str(value)


def _attach_name(value: int) -> str:
    try:
        return AttachType(value).name
    except ValueError:
        return str(value)


def _perm_message(load: commands.ProgLoadAttr) -> str:
    return (
        f"EPERM: not permitted to load program {load.name!r} of type "
        f"{_type_name(load.prog_type)}: {permission_hint()}"
    )
