"""The engine's expectations re-checked against the running kernel (marked ``kernel``).

Loads each program of ``test_engine.CASES`` with ``bpf(BPF_PROG_LOAD)`` as the current
(root) user and compares verdict, errno and ``insns_processed`` with ``verify``'s answer.
"""

from __future__ import annotations

import ctypes
import os
import platform
import re
import struct

import pytest
from test_engine import CASES

from pyebpf.verifier import verify

pytestmark = pytest.mark.kernel

_NR = {"x86_64": 321, "aarch64": 280}.get(platform.machine(), -1)


def _bpf(cmd: int, attr: bytes) -> tuple[int, int]:
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(attr, 256)
    ret = libc.syscall(_NR, cmd, buf, 256)
    return ret, ctypes.get_errno()


def _load(code: bytes, ptype: int) -> tuple[bool, int, str]:
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(1 << 20)
    attr = struct.pack(
        "<IIQQIIQII16sII", ptype, len(code) // 8, ctypes.addressof(insns), ctypes.addressof(lic),
        1, len(log), ctypes.addressof(log), 0, 0, b"", 0, 0,
    )  # fmt: skip
    fd, err = _bpf(5, attr)
    if fd >= 0:
        os.close(fd)
        return True, 0, log.value.decode(errors="replace")
    return False, err, log.value.decode(errors="replace")


ROOT_CASES = [c for c in CASES if c[4] == "root"]


@pytest.mark.parametrize(
    "name,code,ptype,maps,priv,expected", ROOT_CASES, ids=[c[0] for c in ROOT_CASES]
)
def test_engine_case_against_kernel(name, code, ptype, maps, priv, expected) -> None:  # noqa: ANN001
    fds = []
    try:
        kcode = code
        table = {}
        for i, spec in enumerate(maps or []):
            attr = struct.pack(
                "<IIIII", int(spec.type), spec.key_size, spec.value_size, spec.max_entries, 0
            )
            fd, err = _bpf(0, attr)
            assert fd >= 0, os.strerror(err)
            fds.append(fd)
            kcode = kcode.replace(struct.pack("<i", 100 + i), struct.pack("<i", fd))
            table[100 + i] = spec
        ok, err, log = _load(kcode, ptype)
        result = verify(code, ptype, maps=table, privilege=priv)
        assert result.accepted is ok, log
        if not ok:
            assert result.error is not None and result.error.errno == err
        m = re.search(r"processed (\d+) insns", log)
        if m:
            assert result.insns_processed == int(m.group(1)), log
    finally:
        for fd in fds:
            os.close(fd)
