"""The opcode byte and its fields (RFC 9669 section 3 plus the Linux extensions).

An opcode byte is ``class`` in bits 0-2 and, depending on the class, either
``code | source`` (arithmetic and jumps) or ``mode | size`` (loads and stores)::

    arithmetic, jumps:  +-------+---+-------+      loads, stores:  +-----+----+-------+
                        | code  | s | class |                      | mode|size| class |
                        +-------+---+-------+                      +-----+----+-------+
                          4 bits 1b   3 bits                        3 bits 2b   3 bits
"""

from __future__ import annotations

from enum import IntEnum


class InsnClass(IntEnum):
    """Instruction class, the low 3 bits of the opcode."""

    LD = 0x00
    LDX = 0x01
    ST = 0x02
    STX = 0x03
    ALU = 0x04  # 32-bit arithmetic
    JMP = 0x05
    JMP32 = 0x06
    ALU64 = 0x07

    @property
    def is_alu(self) -> bool:
        return self in (InsnClass.ALU, InsnClass.ALU64)

    @property
    def is_jump(self) -> bool:
        return self in (InsnClass.JMP, InsnClass.JMP32)

    @property
    def is_load_store(self) -> bool:
        return self <= InsnClass.STX


class Source(IntEnum):
    """Operand source bit for arithmetic and jumps (for END: byte order)."""

    K = 0x00  # immediate
    X = 0x08  # register


class ALUOp(IntEnum):
    """Arithmetic operation code, bits 4-7 of the opcode."""

    ADD = 0x00
    SUB = 0x10
    MUL = 0x20
    DIV = 0x30  # off=1: SDIV
    OR = 0x40
    AND = 0x50
    LSH = 0x60
    RSH = 0x70
    NEG = 0x80
    MOD = 0x90  # off=1: SMOD
    XOR = 0xA0
    MOV = 0xB0  # off=8/16/32: MOVSX; off=1 (ALU64, X): addr_space_cast
    ARSH = 0xC0
    END = 0xD0  # byte swap


class JumpOp(IntEnum):
    """Jump operation code, bits 4-7 of the opcode."""

    JA = 0x00  # JMP32: gotol (32-bit offset in imm)
    JEQ = 0x10
    JGT = 0x20
    JGE = 0x30
    JSET = 0x40
    JNE = 0x50
    JSGT = 0x60
    JSGE = 0x70
    CALL = 0x80
    EXIT = 0x90
    JLT = 0xA0
    JLE = 0xB0
    JSLT = 0xC0
    JSLE = 0xD0
    JCOND = 0xE0  # Linux: may_goto


CONDITIONAL_JUMPS = frozenset(
    {
        JumpOp.JEQ,
        JumpOp.JGT,
        JumpOp.JGE,
        JumpOp.JSET,
        JumpOp.JNE,
        JumpOp.JSGT,
        JumpOp.JSGE,
        JumpOp.JLT,
        JumpOp.JLE,
        JumpOp.JSLT,
        JumpOp.JSLE,
    }
)


class Size(IntEnum):
    """Access size, bits 3-4 of a load/store opcode."""

    W = 0x00  # 4 bytes
    H = 0x08  # 2 bytes
    B = 0x10  # 1 byte
    DW = 0x18  # 8 bytes

    @property
    def nbytes(self) -> int:
        return _SIZE_BYTES[self]

    @classmethod
    def from_nbytes(cls, n: int) -> Size:
        for size, nbytes in _SIZE_BYTES.items():
            if nbytes == n:
                return size
        raise ValueError(f"no access size of {n} bytes (use 1, 2, 4 or 8)")


_SIZE_BYTES = {Size.B: 1, Size.H: 2, Size.W: 4, Size.DW: 8}

# Readable aliases used by the DSL: U8 ... U64.
U8, U16, U32, U64 = Size.B, Size.H, Size.W, Size.DW


class Mode(IntEnum):
    """Addressing mode, bits 5-7 of a load/store opcode."""

    IMM = 0x00  # only LD|IMM|DW: ld_imm64
    ABS = 0x20  # legacy packet access
    IND = 0x40  # legacy packet access
    MEM = 0x60
    MEMSX = 0x80  # sign-extending loads
    ATOMIC = 0xC0


class AtomicOp(IntEnum):
    """The ``imm`` of an ``STX|ATOMIC`` instruction."""

    ADD = 0x00
    OR = 0x40
    AND = 0x50
    XOR = 0xA0
    FETCH_ADD = 0x01
    FETCH_OR = 0x41
    FETCH_AND = 0x51
    FETCH_XOR = 0xA1
    XCHG = 0xE1
    CMPXCHG = 0xF1
    LOAD_ACQUIRE = 0x100  # Linux extension
    STORE_RELEASE = 0x110  # Linux extension

    @property
    def fetches(self) -> bool:
        return bool(self & 0x01) and self < 0x100


ATOMIC_FETCH = 0x01


class PseudoSrc(IntEnum):
    """``src`` of ``ld_imm64``: what the 64-bit immediate means."""

    IMM = 0  # a plain constant
    MAP_FD = 1  # map by file descriptor
    MAP_VALUE = 2  # address of a map value: fd in imm, offset in next_imm
    BTF_ID = 3  # address of a kernel variable by BTF id (ksym)
    FUNC = 4  # address of a BPF function (callback): pc-relative imm
    MAP_IDX = 5  # map by index into fd_array
    MAP_IDX_VALUE = 6  # map value by index into fd_array; offset in next_imm


class CallKind(IntEnum):
    """``src`` of ``call``."""

    HELPER = 0  # helper by static id
    LOCAL = 1  # bpf-to-bpf call, pc-relative imm (BPF_PSEUDO_CALL)
    KFUNC = 2  # kernel function by BTF id (BPF_PSEUDO_KFUNC_CALL); off = fd_array index


# Fixed opcode bytes that need naming on their own.
LD_IMM64 = InsnClass.LD | Mode.IMM | Size.DW  # 0x18
CALL = InsnClass.JMP | JumpOp.CALL  # 0x85
EXIT = InsnClass.JMP | JumpOp.EXIT  # 0x95
JA = InsnClass.JMP | JumpOp.JA  # 0x05
GOTOL = InsnClass.JMP32 | JumpOp.JA  # 0x06
MAY_GOTO = InsnClass.JMP | JumpOp.JCOND  # 0xe5

# ``off`` values that select a variant of an arithmetic instruction.
OFF_SIGNED = 1  # sdiv, smod
OFF_ADDR_SPACE_CAST = 1  # on ALU64 MOV X
MOVSX_WIDTHS = (8, 16, 32)
END_WIDTHS = (16, 32, 64)
