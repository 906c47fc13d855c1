"""Paste a real verifier log (log_level 2) back into the assembler: the same bytes come out.

Uses a tiny ctypes ``BPF_PROG_LOAD`` so the test depends only on the kernel, not on the
syscall layer.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

import pytest

from pyebpf.asm import Instructions, assemble

pytestmark = pytest.mark.kernel

_BPF_SYSCALL = {"x86_64": 321, "aarch64": 280}
_BPF_PROG_LOAD = 5
_SOCKET_FILTER = 1


def load_with_log(data: bytes, prog_type: int = _SOCKET_FILTER) -> str:
    """Load ``data`` at log_level 2 and return the verifier log (the fd is closed again)."""
    libc = ctypes.CDLL(None, use_errno=True)
    insns = ctypes.create_string_buffer(data, len(data))
    license_ = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(1 << 22)
    attr = ctypes.create_string_buffer(144)
    struct.pack_into(
        "=IIQQIIQ",
        attr,
        0,
        prog_type,
        len(data) // 8,
        ctypes.addressof(insns),
        ctypes.addressof(license_),
        2,  # log_level: every instruction with its state
        len(log),
        ctypes.addressof(log),
    )
    fd = libc.syscall(_BPF_SYSCALL[platform.machine()], _BPF_PROG_LOAD, attr, len(attr))
    text = log.value.decode()
    if fd < 0:
        err = ctypes.get_errno()
        raise AssertionError(f"BPF_PROG_LOAD failed: {os.strerror(err)}\n{text[-3000:]}")
    os.close(fd)
    return text


# Everything the verifier accepts in one socket filter: legacy packet loads need r6 = ctx and
# rule out bpf-to-bpf calls, which the second program has.
SOCKET_FILTER = """
    r6 = r1
    r0 = *(u8 *)skb[12]
    r0 = *(u16 *)skb[12]
    r0 = *(u32 *)skb[0]
    r7 = 2
    r0 = *(u8 *)skb[r7 + 4]
    r0 = *(u16 *)skb[r7 - 2]
    r1 = 0x123456789 ll
    r2 = -1 ll
    w3 = 7
    w3 += w3
    w3 s/= 3
    r3 s%= -5
    w3 = (s8)w3
    r3 = (s16)r3
    r3 = (s32)r3
    r3 = bswap16 r3
    r3 = be32 r3
    r3 = le64 r3
    r3 = -r3
    w3 = -w3
    r3 <<= 3
    w3 >>= 1
    r3 s>>= r7
    r3 |= 0x7fffffff
    r3 &= -2147483648
    r3 ^= r2
    *(u64 *)(r10 - 8) = r1
    *(u32 *)(r10 - 16) = 5
    *(u16 *)(r10 - 12) = w3
    *(u8 *)(r10 - 10) = 255
    r4 = *(u64 *)(r10 - 8)
    w4 = *(u32 *)(r10 - 16)
    r4 = *(s32 *)(r10 - 16)
    r4 = *(s16 *)(r10 - 12)
    r4 = *(s8 *)(r10 - 10)
    r5 = 1
    lock *(u64 *)(r10 - 8) += r5
    lock *(u64 *)(r10 - 8) |= r5
    lock *(u32 *)(r10 - 16) &= w5
    lock *(u32 *)(r10 - 16) ^= w5
    r5 = atomic_fetch_add((u64 *)(r10 - 8), r5)
    w5 = atomic_fetch_xor((u32 *)(r10 - 16), w5)
    r5 = xchg_64(r10 - 8, r5)
    w5 = xchg32_32(r10 - 16, w5)
    r0 = 0
    r0 = cmpxchg_64(r10 - 8, r0, r5)
    w0 = cmpxchg32_32(r10 - 16, w0, w5)
    r5 = load_acquire((u64 *)(r10 - 8))
    w5 = load_acquire((u32 *)(r10 - 16))
    store_release((u64 *)(r10 - 8), r5)
    store_release((u8 *)(r10 - 10), w5)
    call bpf_ktime_get_ns
    call bpf_get_prandom_u32
    if r0 > 0x5 goto +1
    r0 = 5
    if w0 s< w7 goto +1
    w0 = 1
    if r0 & 8 goto +0
    if w0 != -1 goto +0
    goto +0
    gotol +0
    may_goto +0
    r0 = 0
    exit
"""

LOCAL_CALLS = """
    r1 = 3
    call pc+3
    r0 = 0
    if r0 == 1 goto -2
    exit
    r0 = r1
    r0 += 1
    exit
"""


@pytest.mark.parametrize("source", [SOCKET_FILTER, LOCAL_CALLS], ids=["socket_filter", "calls"])
def test_kernel_log_assembles_back_to_the_same_bytes(source: str) -> None:
    data = assemble(source).to_bytes()
    log = load_with_log(data)
    assert "processed" in log
    # The log shows states after ` ; ` and repeats instructions; the assembler reads past both.
    pasted = assemble(log)
    assert pasted.to_bytes() == data
    assert len(pasted) == len(Instructions.from_bytes(data))
