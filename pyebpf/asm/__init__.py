"""pyebpf.asm: the eBPF instruction set in Python.

* :class:`Instruction` -- one instruction, an immutable value;
* :class:`Instructions` -- a program; ``from_bytes``/``to_bytes``, labels, slots;
* the DSL (``mov``, ``add``, ``jeq``, ``load``, ``store``, ``call``, ``exit_``, ...);
* :func:`assemble` / :func:`disassemble` -- the text syntax ``llvm-objdump`` prints.
"""

from __future__ import annotations

from .dsl import *  # noqa: F403,E402
from .dsl import __all__ as _dsl_all  # noqa: E402
from .helper_ids import HelperId
from .instruction import Instruction
from .opcodes import (
    U8,
    U16,
    U32,
    U64,
    ALUOp,
    AtomicOp,
    CallKind,
    InsnClass,
    JumpOp,
    Mode,
    PseudoSrc,
    Size,
    Source,
)
from .program import Instructions, Label, iter_raw_slots
from .registers import (
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
    R10,
    RFP,
    W0,
    W1,
    W2,
    W3,
    W4,
    W5,
    W6,
    W7,
    W8,
    W9,
    W10,
    Register,
)
from .text import assemble, disassemble  # noqa: E402

__all__ = [
    "ALUOp",
    "AtomicOp",
    "CallKind",
    "HelperId",
    "InsnClass",
    "Instruction",
    "Instructions",
    "JumpOp",
    "Label",
    "Mode",
    "PseudoSrc",
    "Register",
    "Size",
    "Source",
    "R0",
    "R1",
    "R2",
    "R3",
    "R4",
    "R5",
    "R6",
    "R7",
    "R8",
    "R9",
    "R10",
    "RFP",
    "W0",
    "W1",
    "W2",
    "W3",
    "W4",
    "W5",
    "W6",
    "W7",
    "W8",
    "W9",
    "W10",
    "U8",
    "U16",
    "U32",
    "U64",
    "assemble",
    "disassemble",
    "iter_raw_slots",
    *_dsl_all,
]
