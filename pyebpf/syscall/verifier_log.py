"""Reading a verifier log the way a user needs it: the reason line and the failing instruction.

The reason is rarely the last line: the kernel appends statistics (``processed N insns ...``,
``verification time``, ``stack depth``) and sometimes state dumps (``cur state:``/``old
state:``) after it. :func:`summarize` skips those and the instruction trace lines and returns
the line that states the reason, plus the instruction index the kernel was at (its own
numbering, in 8-byte slots).
"""

from __future__ import annotations

import re

_TRAILER = re.compile(
    r"^(processed \d+ insns|verification time|stack depth|"
    r"cur state:|old state:|Live regs before insn:|\s*$)"
)
# Lines that are trace, not a reason: "12: (bf) r1 = r6 ; R1=..." , "from 4 to 7: ...",
# "; source line" (BTF line info), "mark_precise: ...", state-only lines "12: R0=...".
_TRACE = re.compile(
    r"^(\d+: \([0-9a-f]{2}\)|\d+: R\d|\d+: frame|from \d+ to \d+:|\s*;|mark_precise:|"
    r"last_idx |regs=|parent |\s+\d+: |func#\d+ @|\(\d+\) frame|Func#|"
    r"\s*\d+:\s+\S+\s+\S+|caller:|callee:|R\d+=|\d+: safe|\d+:\s*$)"
)
_INSN_LINE = re.compile(r"^(\d+): \([0-9a-f]{2}\)")
_AT_INSN = re.compile(r"\binsn(?:\s+|#|=)(\d+)")
_LEAD_INDEX = re.compile(r"^(\d+): ")


def summarize(log: str) -> tuple[str, int | None]:
    """``(reason_line, insn_index)`` for a verifier log ("" and None for an empty log)."""
    lines = log.rstrip("\x00").splitlines()
    # Drop the trailer: statistics and state dumps that follow the reason.
    end = len(lines)
    while end > 0 and _TRAILER.match(lines[end - 1]):
        end -= 1
    reason_at = None
    for i in range(end - 1, -1, -1):
        line = lines[i]
        if _TRAILER.match(line) or _TRACE.match(line):
            continue
        reason_at = i
        break
    if reason_at is None:
        last = next((ln for ln in reversed(lines[:end]) if ln.strip()), "")
        return last.strip(), _last_insn(lines, end)
    reason = lines[reason_at].strip()
    found = _AT_INSN.search(reason)
    if found:
        return reason, int(found.group(1))
    lead = _LEAD_INDEX.match(reason)
    if lead:
        return reason, int(lead.group(1))
    return reason, _last_insn(lines, reason_at)


def _last_insn(lines: list[str], before: int) -> int | None:
    for i in range(before - 1, -1, -1):
        m = _INSN_LINE.match(lines[i])
        if m:
            return int(m.group(1))
    return None
