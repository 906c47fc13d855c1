"""CO-RE relocations applied to an object's programs, as libbpf does when it loads them.

:mod:`pyebpf.btf.core` computes what each relocation record means on a target BTF; this module
patches the instructions (libbpf's ``bpf_core_patch_insn``). It runs offline: the target is
any BTF -- by default the running kernel's ``/sys/kernel/btf/vmlinux`` and its modules' BTF,
which are plain files -- so :func:`pyebpf.load_collection` and the offline verifier relocate
the same way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..asm import Instruction, Instructions
from ..asm.instruction import to_s32, to_s64
from ..asm.opcodes import CALL, InsnClass, Size, Source
from ..btf import BTF, CORERelocation, kernel_btf, module_btf
from ..btf.core import CandidateCache, CORERelocationResult, compute_relocation, describe_relocation
from ..btf.kernel import KERNEL_BTF_DIR
from ..errors import AsmError, CORERelocationError, SpecError
from ..spec import ProgramSpec
from .objectspec import ObjectSpec

# libbpf's poison for an instruction whose CO-RE relocation failed: a call of helper 0xbad2310
# ("bad relo"), which the verifier only reports if the instruction is reachable.
POISON_CALL_CORE = 0xBAD2310
_SIZE_CODES = {1: Size.B, 2: Size.H, 4: Size.W, 8: Size.DW}
_SIZE_BYTES = {int(code): size for size, code in _SIZE_CODES.items()}
_U64 = (1 << 64) - 1


def module_btfs() -> list[BTF]:
    """The BTF of every loaded kernel module (searched when vmlinux has no candidate)."""
    try:
        names = sorted(os.listdir(KERNEL_BTF_DIR))
    except OSError:
        return []
    return [module_btf(name) for name in names if name != "vmlinux"]


def apply_core_relocations(
    insns: Instructions,
    relocations: Sequence[CORERelocation],
    local_btf: BTF,
    targets: CandidateCache | BTF,
    prog: str = "",
) -> Instructions:
    """``insns`` with each CO-RE relocation resolved against ``targets`` and patched in.

    ``targets`` is a target BTF (e.g. the kernel's) or a :class:`CandidateCache` shared by
    the programs of one object. Raises CORERelocationError naming the program, relocation,
    instruction, type and access string when a relocation can neither be applied nor poisoned.
    """
    cache = targets if isinstance(targets, CandidateCache) else CandidateCache(local_btf, targets)
    out: list[Instruction | tuple[Instruction, Instruction]] = list(insns)
    for number, relo in enumerate(relocations):
        where = (
            f"program {prog!r}: CO-RE relocation #{number} {describe_relocation(local_btf, relo)}"
        )
        if relo.insn_off % 8:
            raise CORERelocationError(
                f"{where}: instruction offset {relo.insn_off} is not a multiple of 8"
            )
        try:
            index = insns.index_of(relo.insn_off // 8)
        except AsmError as exc:
            raise CORERelocationError(f"{where}: {exc}") from None
        try:
            result = compute_relocation(local_btf, relo, cache)
        except CORERelocationError as exc:
            raise CORERelocationError(f"{where} at instruction {index}: {exc}") from None
        current = out[index]
        if not isinstance(current, Instruction):  # a poisoned ld_imm64 (two calls)
            continue
        try:
            out[index] = patch_instruction(current, result)
        except CORERelocationError as exc:
            raise CORERelocationError(f"{where} at instruction {index}: {exc}") from None
    flat: list[Instruction] = []
    for item in out:
        if isinstance(item, Instruction):
            flat.append(item)
        else:
            flat.extend(item)
    return Instructions(flat)


def _poisoned(insn: Instruction) -> Instruction | tuple[Instruction, Instruction]:
    call = Instruction(CALL, imm=POISON_CALL_CORE, label=insn.label, source=insn.source)
    if insn.is_ld_imm64:  # both halves, so the verifier does not see a stray second slot
        return (call, Instruction(CALL, imm=POISON_CALL_CORE))
    return call


def patch_instruction(
    insn: Instruction, result: CORERelocationResult
) -> Instruction | tuple[Instruction, Instruction]:
    """libbpf's bpf_core_patch_insn: the relocated instruction (two calls for a poisoned
    ld_imm64). CORERelocationError when the instruction is not what the relocation expects."""
    if result.poison:
        return _poisoned(insn)
    orig, new = result.orig_value, result.new_value
    cls = insn.cls
    if cls in (InsnClass.ALU, InsnClass.ALU64):
        if insn.opcode & 0x08 != Source.K:
            raise CORERelocationError(f"`{insn}` has no immediate operand to relocate")
        if result.validate and insn.imm & _U64 != orig:
            raise CORERelocationError(
                f"unexpected value in `{insn}` (ALU/ALU64): got {insn.imm}, expected {orig} -> {new}"
            )
        return insn.replace(imm=to_s32(new))
    if cls in (InsnClass.LDX, InsnClass.ST, InsnClass.STX):
        if result.validate and insn.off & _U64 != orig:
            raise CORERelocationError(
                f"unexpected offset in `{insn}` (LDX/ST/STX): got {insn.off}, expected {orig} -> {new}"
            )
        if new > 0x7FFF:
            raise CORERelocationError(f"offset {new} is too big for `{insn}` (LDX/ST/STX)")
        if result.fail_size_adjust:
            # The field has another size on the target and is neither a pointer nor unsigned.
            return _poisoned(insn)
        opcode = insn.opcode
        if result.new_size != result.orig_size:
            size = _SIZE_BYTES[opcode & 0x18]
            if size != result.orig_size:
                raise CORERelocationError(
                    f"unexpected memory size in `{insn}`: got {size}, expected {result.orig_size}"
                )
            code = _SIZE_CODES.get(result.new_size)
            if code is None:
                raise CORERelocationError(f"invalid new memory size {result.new_size} for `{insn}`")
            opcode = (opcode & ~0x18) | code
        return insn.replace(opcode=opcode, off=new)
    if cls == InsnClass.LD:
        if not insn.is_ld_imm64 or insn.src != 0 or insn.off != 0:
            raise CORERelocationError(f"`{insn}` (LDIMM64) has an unexpected form")
        if result.validate and insn.imm & _U64 != orig:
            raise CORERelocationError(
                f"unexpected value in `{insn}` (LDIMM64): got {insn.imm & _U64}, "
                f"expected {orig} -> {new}"
            )
        return insn.replace(imm=to_s64(new))
    raise CORERelocationError(f"cannot relocate `{insn}` (opcode {insn.opcode:#04x})")


def kernel_candidates(local_btf: BTF, target: BTF | None = None) -> CandidateCache:
    """Where an object's relocations look for their types: ``target`` alone when given (like
    libbpf's ``btf_custom_path``), else the running kernel's vmlinux BTF, then its modules'."""
    if target is not None:
        return CandidateCache(local_btf, target)
    return CandidateCache(local_btf, kernel_btf(), module_btfs)


def relocated_programs(obj: ObjectSpec, target: BTF | None = None) -> dict[str, ProgramSpec]:
    """``obj``'s programs by name, each with its CO-RE relocations applied against ``target``
    (see :func:`kernel_candidates`); programs without relocations are returned as they are."""
    out: dict[str, ProgramSpec] = {}
    candidates: CandidateCache | None = None  # shared by all programs, as in libbpf
    for name, prog in obj.programs.items():
        relocations = obj.core_relocations.get(name, ())
        if relocations:
            if obj.btf is None:
                raise SpecError(f"program {name!r} has CO-RE relocations but the object has no BTF")
            if candidates is None:
                candidates = kernel_candidates(obj.btf, target)
            prog = prog.replace(
                instructions=apply_core_relocations(
                    prog.instructions, relocations, obj.btf, candidates, name
                )
            )
        out[name] = prog
    return out
