"""Frozen read-only maps in the verifier model (``pyebpf/verifier/rodata.py``).

Constants read from a frozen ``BPF_F_RDONLY_PROG`` map (``bpf_map_direct_read``), constant
strings (``ARG_PTR_TO_CONST_STR``) and ``bpf_snprintf``'s format check (``bpf_bprintf_prepare``).
The clang programs of ``objects/rodata_*.c`` are compared with the kernel's recorded answers in
``test_model_objects.py``; here: the rules one by one, offline, and a differential check of
generated programs against the running kernel.
"""

from __future__ import annotations

import errno
import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from pyebpf import MapSpec, ProgramSpec, ProgType
from pyebpf.asm import (
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R10,
    U8,
    U16,
    U32,
    U64,
    Instructions,
    add,
    and_,
    call,
    exit_,
    jgt,
    jne,
    jsgt,
    ldx,
    ldx_sx,
    load_map_fd,
    load_map_value,
    mov,
    st,
)
from pyebpf.verifier import verify
from pyebpf.verifier.cfg import ENOTSUPP
from pyebpf.verifier.rodata import bprintf_prepare, is_rdonly

RDONLY_PROG = 1 << 7
VALUE = bytes([0x80, 0xFF, 0x7F, 0x01, 0xFE, 0x00, 0x80, 0x90, 0x05, 0, 0, 0, 0, 0, 0, 0])
SIZES = {1: U8, 2: U16, 4: U32, 8: U64}
NULL_DEREF = "R3 invalid mem access 'scalar'"


def _ro(value: bytes = VALUE, *, freeze: bool = True, max_entries: int = 1, **kw: Any) -> MapSpec:
    fields: dict[str, Any] = {
        "name": "ro",
        "type": "array",
        "key_size": 4,
        "value_size": len(value),
        "max_entries": max_entries,
        "flags": RDONLY_PROG,
        "contents": ((0, value),),
        "freeze": freeze,
    }
    fields.update(kw)
    return MapSpec(**fields)


def _map_value(spec: MapSpec) -> list[Any]:
    """R2 = the value of element 0: by ld_imm64 (one-element array) or by a lookup."""
    if spec.max_entries == 1 and spec.type == _ro().type:
        return [load_map_value(R2, "ro", 0)]
    return [
        st(U32, R10, -4, 0),
        load_map_fd(R1, "ro"),
        mov(R2, R10),
        add(R2, -4),
        call("map_lookup_elem"),
        jne(R0, 0, 2),
        mov(R0, 0),
        exit_(),
        mov(R2, R0),
    ]


def _read_then_branch(size: int, signed: bool, off: int, threshold: int, spec: MapSpec) -> Any:
    """Load from the map, branch on it; the taken side returns 2, the other side 1."""
    load = ldx_sx(SIZES[size], R1, R2, off) if signed else ldx(SIZES[size], R1, R2, off)
    jump = jsgt(R1, threshold, 2) if threshold < 0 else jgt(R1, threshold, 2)
    return Instructions([*_map_value(spec), load, jump, mov(R0, 1), exit_(), mov(R0, 2), exit_()])


def _read_decides(size: int, signed: bool, off: int, spec: MapSpec, positive: bool = False) -> Any:
    """Accepted only if the verifier knows the loaded value is != 0 (or s> 0 with ``positive``):
    the other side dereferences NULL."""
    load = ldx_sx(SIZES[size], R1, R2, off) if signed else ldx(SIZES[size], R1, R2, off)
    jump = jsgt(R1, 0, 2) if positive else jne(R1, 0, 2)
    null_deref = [mov(R3, 0), ldx(U8, R0, R3, 0)]
    return verify(
        Instructions([*_map_value(spec), load, jump, *null_deref, mov(R0, 2), exit_()]),
        "socket_filter",
        maps={"ro": spec},
    )


# --- bpf_map_direct_read ----------------------------------------------------------------------


@pytest.mark.parametrize(("size", "signed", "off"), [(1, False, 0), (2, False, 0), (4, True, 8),
                                                     (8, False, 0), (1, True, 3), (2, True, 2)])  # fmt: skip
def test_a_frozen_read_only_map_gives_known_scalars(size: int, signed: bool, off: int) -> None:
    result = _read_decides(size, signed, off, _ro())
    assert result.accepted, result.error
    # ld_imm64, load, branch, mov, exit: the dead side is never walked
    assert result.insns_processed == 5


@pytest.mark.parametrize("signed", [False, True])
def test_a_sign_extending_load_of_a_negative_byte(signed: bool) -> None:
    # byte 0 is 0x80: 128 unsigned, -128 sign-extended (not > 0: the broken side is taken)
    result = _read_decides(1, signed, 0, _ro(), positive=True)
    assert result.accepted is not signed
    if signed:
        assert result.error is not None and result.error.first_line == NULL_DEREF


@pytest.mark.parametrize(
    "spec",
    [
        _ro(freeze=False),
        _ro(flags=0),
        _ro(type="percpu_array"),
    ],
    ids=["not-frozen", "not-rdonly-prog", "percpu-array"],
)
def test_other_maps_give_unknown_scalars(spec: MapSpec) -> None:
    assert not is_rdonly(spec) or spec.type != _ro().type
    result = _read_decides(1, False, 0, spec)
    assert not result.accepted
    assert result.error is not None and result.error.first_line == NULL_DEREF


def test_a_variable_offset_gives_an_unknown_scalar() -> None:
    def prog(mask: int) -> Instructions:
        return Instructions([
            mov(R6, R1), ldx(U32, R4, R6, 0), and_(R4, mask),  # R4: 0 or unknown in [0, 1]
            load_map_value(R2, "ro", 0), add(R2, R4), ldx(U8, R1, R2, 8),  # byte 8 is 5
            jgt(R1, 0, 1), exit_(), mov(R0, 0), exit_(),
        ])  # fmt: skip

    assert verify(prog(0), "socket_filter", maps={"ro": _ro()}).accepted
    unknown = verify(prog(1), "socket_filter", maps={"ro": _ro()})
    assert unknown.error is not None and unknown.error.first_line == "R0 !read_ok"


def test_an_array_with_more_elements_fails_like_the_kernel() -> None:
    # array_map_direct_value_addr refuses max_entries != 1 with ENOTSUPP and no log line
    result = _read_decides(1, False, 0, _ro(max_entries=2))
    assert result.error is not None and result.error.errno == ENOTSUPP
    assert "an array map of one element" in result.explain()
    assert result.error.message == ""


def test_missing_contents_read_as_zeros() -> None:
    result = _read_decides(4, False, 0, _ro(contents=()))
    assert result.error is not None and result.error.first_line == NULL_DEREF
    assert verify(
        Instructions(
            [load_map_value(R2, "ro", 0), ldx(U32, R1, R2, 0), jne(R1, 0, 1), mov(R0, 0), exit_()]
        ),
        "socket_filter",
        maps={"ro": _ro(contents=())},
    ).accepted


def test_contents_keyed_by_bytes_and_short_values() -> None:
    spec = _ro(contents=((b"\0\0\0\0", b"\x09"),))  # padded with zeros to value_size
    assert _read_decides(1, False, 0, spec).accepted
    assert not _read_decides(1, False, 1, spec).accepted


def test_unusable_contents_are_reported_as_not_modelled() -> None:
    result = _read_decides(1, False, 0, _ro(contents=((0, 7),)))
    assert result.error is not None and not result.error.modelled
    assert "not modelled by pyebpf" in result.error.message


@settings(max_examples=150, deadline=None)
@given(
    value=st_.binary(max_size=24),
    value_size=st_.integers(min_value=1, max_value=24),
    key=st_.sampled_from([0, 1, b"\0\0\0\0", b"\0", "zero"]),
    size=st_.sampled_from([1, 2, 4, 8]),
    off=st_.integers(min_value=-4, max_value=28),
    signed=st_.booleans(),
)
def test_any_frozen_map_and_load_gives_a_verdict(
    value: bytes, value_size: int, key: Any, size: int, off: int, signed: bool
) -> None:
    spec = _ro(value_size=value_size, contents=((key, value),))
    result = _read_decides(size, signed and size < 8, off, spec)
    assert result.error is None or "internal error" not in result.error.message
    if result.error is None:
        # accepted only when the bytes read are known and not all zero
        data = (value if key in (0, b"\0\0\0\0") else b"")[:value_size].ljust(value_size, b"\0")
        assert 0 <= off <= value_size - size and any(data[off : off + size])


# --- ARG_PTR_TO_CONST_STR and bpf_snprintf ------------------------------------------------------


def _snprintf(data_len: int, fmt_off: int = 0) -> Instructions:
    insns = [st(U64, R10, -8 * (i + 1), 0) for i in range(12)]
    insns += [mov(R1, R10), add(R1, -160), mov(R2, 64), load_map_value(R3, "fmt", fmt_off),
              mov(R4, R10), add(R4, -96), mov(R5, data_len), call("snprintf"), mov(R0, 0),
              exit_()]  # fmt: skip
    return Instructions(insns)


def _fmt_map(text: bytes, **kw: Any) -> MapSpec:
    return _ro(text, name="fmt", **kw)


def _verify_fmt(text: bytes, data_len: int, fmt_off: int = 0, **kw: Any) -> Any:
    return verify(_snprintf(data_len, fmt_off), "xdp", maps={"fmt": _fmt_map(text, **kw)})


def test_snprintf_with_a_good_format() -> None:
    result = _verify_fmt(b"%d and %s\0", 16)
    assert result.accepted, result.error


@pytest.mark.parametrize(
    ("text", "data_len", "errno_", "first_line"),
    [
        (b"%d %d\0", 8, errno.EINVAL, "Invalid format string"),
        (b"%n\0", 8, errno.EINVAL, "Invalid format string"),
        (b"%d\0", 12, errno.EINVAL, ""),  # data_len not a multiple of 8: no log line
        (b"%d", 8, errno.EINVAL, "string is not zero-terminated"),
    ],
)
def test_snprintf_rejections(text: bytes, data_len: int, errno_: int, first_line: str) -> None:
    result = _verify_fmt(text, data_len)
    assert result.error is not None
    assert (result.error.errno, result.error.first_line) == (errno_, first_line)
    if not first_line:  # the kernel is silent: explain() says what it means
        assert "data length (R5) must be a multiple of 8" in result.explain()


def test_const_str_needs_a_frozen_map() -> None:
    result = _verify_fmt(b"%d\0", 8, freeze=False)
    assert result.error is not None
    assert result.error.first_line == "R3 does not point to a readonly map'"
    assert result.error.errno == errno.EACCES


def test_const_str_at_an_offset_into_the_value() -> None:
    assert _verify_fmt(b"%d %d\0%d\0", 8, fmt_off=6).accepted
    assert not _verify_fmt(b"%d\0%d %d\0", 8, fmt_off=3).accepted


# the kernel's answers (Linux 6.18), as the differential test below measured them
@pytest.mark.parametrize(
    ("fmt", "num_args", "ok"),
    [
        (b"", 0, True),
        (b"100%%", 0, True),
        (b"%d", 0, False),
        (b"%-08llx %5u %c", 3, True),
        (b"%lld%llu%lli%llX", 4, True),
        (b"%lllu", 1, False),
        (b"%p %pK %px %ps %pS %pB", 6, True),
        (b"%pI4 %pi6", 2, True),
        (b"%pI5", 1, False),
        (b"%pks %pus.", 2, True),
        (b"%pksx", 1, False),
        (b"%sx", 1, False),
        (b"%s\xa0", 1, True),  # Latin-1 no-break space counts as a space in the kernel's ctype
        (b"\xc3\xa9 %d", 1, True),  # UTF-8 text passes
        (b"%\xc3", 1, False),  # but not after '%'
        (b"a\x01", 0, False),  # ASCII control bytes do not
        (b"tab\there\n", 0, True),
        (b"%5", 1, False),
        (b"%f", 1, False),
    ],
)
def test_bprintf_prepare(fmt: bytes, num_args: int, ok: bool) -> None:
    assert (bprintf_prepare(fmt, num_args) == 0) is ok


_CONVERSIONS = st_.sampled_from(
    [b"%d", b"%u", b"%llx", b"%-5i", b"%c", b"%s ", b"%p ", b"%pK", b"%pI4", b"%pks "]
)


@settings(max_examples=200, deadline=None)
@given(
    parts=st_.lists(st_.tuples(st_.text("abc xyz.,", max_size=3), _CONVERSIONS), max_size=6),
    extra=st_.integers(min_value=0, max_value=3),
)
def test_one_argument_per_conversion(parts: list[tuple[str, bytes]], extra: int) -> None:
    fmt = b"".join(text.encode() + conv for text, conv in parts)
    n = len(parts)
    assert bprintf_prepare(fmt, n + extra) == 0
    if n:
        assert bprintf_prepare(fmt, n - 1) == -errno.EINVAL


@settings(max_examples=300, deadline=None)
@given(fmt=st_.binary(max_size=12), num_args=st_.integers(min_value=0, max_value=12))
def test_any_format_gives_an_answer(fmt: bytes, num_args: int) -> None:
    assert bprintf_prepare(fmt.replace(b"\0", b""), num_args) in (0, -errno.EINVAL)


# --- against the running kernel ---------------------------------------------------------------

_ALPHABET = b"%%%%dsxXuilpcKkIB46 .,-+0123456789a\x01\x7f\xc3\xa9\x80\xa0\xbf\x09\n"


def _kernel_answer(insns: Instructions, maps: dict[str, MapSpec], prog_type: str) -> tuple:
    from pyebpf.errors import BPFError
    from pyebpf.syscall.map import Map
    from pyebpf.syscall.program import Program

    live = {name: Map(spec) for name, spec in maps.items()}
    try:
        ptype = ProgType[prog_type.upper()]
        spec = ProgramSpec(name="t", type=ptype, instructions=insns, license="GPL")
        with Program(spec, maps=live, log_level=1) as prog:
            found = re.search(r"processed (\d+) insns", prog.verifier_log)
            return (True, 0, int(found.group(1)) if found else None)
    except BPFError as exc:
        return (False, exc.errno, None)
    finally:
        for m in live.values():
            m.close()


def _model_answer(insns: Instructions, maps: dict[str, MapSpec], prog_type: str) -> tuple:
    result = verify(insns, prog_type, maps=maps)
    if result.error is not None:
        return (False, result.error.errno, None)
    return (True, 0, result.insns_processed)


@pytest.mark.kernel
def test_random_formats_agree_with_the_kernel() -> None:
    rng = random.Random(5)
    wrong = []
    for _ in range(120):
        fmt = bytes(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 10)))
        data_len = 8 * rng.randint(0, 4)
        maps = {"fmt": _fmt_map(fmt + b"\0")}
        kernel = _kernel_answer(_snprintf(data_len), maps, "xdp")
        model = _model_answer(_snprintf(data_len), maps, "xdp")
        if kernel != model:
            wrong.append(f"{fmt!r} data_len={data_len}: kernel {kernel} model {model}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.kernel
def test_direct_reads_agree_with_the_kernel() -> None:
    wrong = []
    for freeze in (True, False):
        for entries in (1, 2):
            for size in (1, 2, 4, 8):
                for signed in (False, True) if size < 8 else (False,):
                    for off in range(0, 16 - size + 1, 3):
                        for threshold in (0, 5, -1):
                            spec = _ro(freeze=freeze, max_entries=entries)
                            maps = {"ro": spec}
                            prog = _read_then_branch(size, signed, off, threshold, spec)
                            kernel = _kernel_answer(prog, maps, "socket_filter")
                            model = _model_answer(prog, maps, "socket_filter")
                            if kernel != model:
                                wrong.append(
                                    f"freeze={freeze} entries={entries} size={size} "
                                    f"signed={signed} off={off} >{threshold}: "
                                    f"kernel {kernel} model {model}"
                                )
    assert not wrong, "\n".join(wrong)


def _strncmp(str_off: int) -> Instructions:
    return Instructions(
        [
            st(U64, R10, -8, 0),
            mov(R1, R10),
            add(R1, -8),
            mov(R2, 8),
            load_map_value(R3, "fmt", str_off),
            call("strncmp"),
            mov(R0, 0),
            exit_(),
        ]
    )


@pytest.mark.kernel
def test_random_const_strings_agree_with_the_kernel() -> None:
    rng = random.Random(7)
    wrong = []
    for _ in range(120):
        text = bytes(rng.choice(b"ab\0") for _ in range(rng.randint(1, 8)))
        str_off = rng.randint(0, len(text))
        maps = {"fmt": _fmt_map(text, freeze=rng.random() < 0.8)}
        kernel = _kernel_answer(_strncmp(str_off), maps, "xdp")
        model = _model_answer(_strncmp(str_off), maps, "xdp")
        if kernel != model:
            wrong.append(f"{text!r} off={str_off}: kernel {kernel} model {model}")
    assert not wrong, "\n".join(wrong)
