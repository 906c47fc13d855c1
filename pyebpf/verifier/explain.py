"""``explain()``: a readable account of why the verifier (model) rejects a program.

It lists the instructions of the failing path in the order they were simulated, with the branch
decisions taken (``-> 7 (fall-through ...)``), the source line where BTF line info gave one,
then the error in the kernel's words with a plain-language hint for the common messages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import VerifyResult

_HINTS: list[tuple[str, str]] = [
    (r"R(\d+) !read_ok", "register R{0} is read before anything was written to it on this path"),
    (
        r"invalid mem access 'map_value_or_null'",
        "the map lookup result may be NULL: compare it with 0 and only dereference on the non-NULL side",
    ),
    (
        r"invalid mem access 'scalar'",
        "the register holds a number, not a pointer, so it cannot be dereferenced",
    ),
    (
        r"invalid access to packet",
        "check `data + N <= data_end` before reading N bytes of the packet",
    ),
    (
        r"min value is negative",
        "the offset may be negative: bound it (e.g. `if (i >= 0)` or use an unsigned type)",
    ),
    (
        r"max value is outside of the allowed memory range",
        "the offset may reach past the end of the object: add an upper-bound check",
    ),
    (
        r"unbounded memory access",
        "the offset has no upper bound: mask it or compare it with a constant first",
    ),
    (
        r"invalid bpf_context access",
        "this program type does not allow that access to its context structure",
    ),
    (r"cannot use helper", "this helper is not available to this program type"),
    (
        r"infinite loop detected",
        "the loop can come back to exactly the same state: it might never end",
    ),
    (
        r"BPF program is too large",
        "too many instructions to simulate: the loops may be unbounded or too long",
    ),
    (
        r"would lead to reference leak",
        "an acquired object (socket, ringbuf record...) is not released on this path",
    ),
    (
        r"At callback return",
        "a callback must return 0 or 1 (for bpf_loop, 1 stops the loop); mask or compare R0",
    ),
    (r"should have been in", "the return value is outside what this program type may return"),
    (
        r"global function calls are not allowed while holding a lock",
        "a global function is verified on its own and cannot run under the caller's lock: "
        "make it static or unlock first",
    ),
    (
        r"function calls are not allowed while holding a lock",
        "between bpf_spin_lock and bpf_spin_unlock only bpf_spin_unlock (or a static function) "
        "may be called",
    ),
    (
        r"cannot be used inside bpf_spin_lock-ed region",
        "every path must call bpf_spin_unlock before the program returns",
    ),
    (
        r"(bpf_\w+|kptr) cannot be accessed directly by load/store",
        "a {0} field of a map value may only be used through its helpers, not read or written",
    ),
    (
        r"Caller passes invalid args into func#\d+ \('(\w+)'\)",
        "global function {0}() is verified on its own against its BTF prototype; what the "
        "caller passes must match that prototype",
    ),
    (
        r"doesn't return scalar",
        "a global function must return an integer: return int, or make the function static",
    ),
    (r"callback function not static", "callbacks must be static functions"),
    (r"frame pointer is read only", "r10 (the frame pointer) cannot be written"),
    (r"unreachable insn", "some instructions can never run; the kernel refuses dead code"),
    (
        r"invalid (read from|write to) stack",
        "the stack access is outside the 512-byte frame or reads uninitialised bytes",
    ),
    (
        r"pointer comparison prohibited",
        "without CAP_PERFMON pointers may not be compared (only NULL checks)",
    ),
    (r"leaks addr", "without CAP_PERFMON a pointer may not be stored where user space can see it"),
]


def explain(result: VerifyResult) -> str:
    out: list[str] = []
    pt = result.prog_type.name.lower() if result.prog_type is not None else "?"
    if result.accepted:
        out.append(
            f"accepted as {pt} ({result.privilege}): {result.insns_processed} instructions "
            f"processed, {result.total_states} states kept."
        )
        return "\n".join(out) + "\n"
    err = result.error
    assert err is not None
    out.append(f"rejected as {pt} ({result.privilege}), errno {err.errno_name}.")
    if result._in_global:
        out.append(
            f"The error is in global function {result._in_global}(), which the kernel verifies "
            "on its own: its arguments are only what its BTF prototype says, whatever the "
            "callers pass."
        )
    if result._path:
        out.append("")
        out.append("Path to the error (instructions as simulated, branch decisions after '->'):")
        for step in result._path:
            line = result._lines.get(step.idx)
            if line:
                out.append(f"    ; {line}")
            note = f"    {step.note}" if step.note else ""
            out.append(f"    {step.text}{note}")
    out.append("")
    where = f"at insn {err.insn_index}" if err.insn_index is not None else "before simulation"
    out.append(f"Error {where}:")
    for line in err.message.split("\n"):
        out.append(f"    {line}")
    if not err.message.strip():
        out.append("    (the kernel logs no message for this rejection, only the errno)")
        silent = _silent_hint(result._path[-1].text if result._path else "")
        if silent:
            out.append("")
            out.append("Hint: " + silent)
    for pattern, hint in _HINTS:
        m = re.search(pattern, err.message)
        if m:
            out.append("")
            out.append("Hint: " + hint.format(*m.groups()))
            break
    if not err.modelled:
        out.append("")
        out.append("Note: pyebpf does not model this construct; the verdict is not a prediction.")
    return "\n".join(out) + "\n"


def _silent_hint(insn_text: str) -> str:
    """What the rejections without a log message mean, told by the failing instruction."""
    if "bpf_snprintf" in insn_text:
        return "bpf_snprintf's data length (R5) must be a multiple of 8: one u64 per conversion"
    if "= *(" in insn_text:
        return (
            "a read from a frozen read-only map gives a constant only for an array map of one "
            "element; the kernel refuses (ENOTSUPP) this read from a larger array"
        )
    return ""
