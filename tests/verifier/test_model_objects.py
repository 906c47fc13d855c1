"""Clang-built programs with BTF (global functions, callbacks, spin locks, timers): the model
against Linux 6.18.

The objects and their C sources are in ``tests/verifier/objects/`` (``make -C`` there rebuilds
them); ``kernel_answers.json`` holds what the kernel answered for each program, as root and as
CAP_BPF only (recorded with ``tools/record_verifier_corpus.py objects``). The offline test
compares the model's verdict, errno, first error line and ``insns_processed`` with those answers;
the live test loads every program again and compares with the running kernel.
"""

from __future__ import annotations

import errno
import json
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf.elf import load_object
from pyebpf.verifier import verify

OBJECTS = Path(__file__).resolve().parent / "objects"
ROOT = Path(__file__).resolve().parents[2]


@cache
def _answers() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((OBJECTS / "kernel_answers.json").read_text())
    return doc


def _programs() -> list[tuple[str, str]]:
    return [
        (obj, prog) for obj, programs in sorted(_answers()["objects"].items()) for prog in programs
    ]


@cache
def _spec(obj: str, prog: str) -> Any:
    return load_object(str(OBJECTS / obj)).programs[prog]


def _model(obj: str, prog: str, privilege: str) -> dict[str, Any]:
    spec = _spec(obj, prog)
    result = verify(spec, spec.type, privilege=privilege)
    return {
        "accepted": result.accepted,
        "errno": 0 if result.error is None else result.error.errno,
        "first_error_line": None if result.error is None else result.error.first_line,
        "insns_processed": result.insns_processed,
    }


def _agrees(kernel: dict[str, Any], model: dict[str, Any]) -> bool:
    if not kernel["accepted"] and kernel["first_error_line"] is None:
        # refused before verification (EPERM: the program type needs CAP_PERFMON)
        return (model["accepted"], model["errno"]) == (False, kernel["errno"])
    return model == kernel


def test_every_object_program_has_a_recorded_answer() -> None:
    for path in sorted(OBJECTS.glob("*.o")):
        recorded = _answers()["objects"].get(path.name, {})
        assert set(load_object(str(path)).programs) == set(recorded), path.name


@pytest.mark.parametrize("privilege", ["root", "cap_bpf"])
@pytest.mark.parametrize(("obj", "prog"), _programs())
def test_model_matches_the_recorded_kernel_answer(obj: str, prog: str, privilege: str) -> None:
    want = _answers()["objects"][obj][prog][privilege]
    got = _model(obj, prog, privilege)
    assert _agrees(want, got), f"kernel {want}\nmodel  {got}"


@pytest.mark.kernel
@pytest.mark.parametrize("privilege", ["root", "cap_bpf"])
def test_model_matches_the_running_kernel(privilege: str) -> None:
    if privilege == "cap_bpf" and shutil.which("capsh") is None:
        pytest.skip("capsh is needed to drop CAP_SYS_ADMIN/CAP_PERFMON")
    sys.path.insert(0, str(ROOT / "tools"))
    from record_verifier_corpus import object_answers_as

    cases = _programs()
    wrong = []
    for (obj, prog), kernel in zip(cases, object_answers_as(privilege, cases), strict=True):
        model = _model(obj, prog, privilege)
        if not _agrees(kernel, model):
            wrong.append(f"{obj}:{prog}: kernel {kernel} model {model}")
    assert not wrong, "\n".join(wrong)


# --- properties of the global-function model that the recorded answers rely on ---------------


def test_a_constant_argument_does_not_flow_into_a_global_function() -> None:
    result = verify(_spec("globals_calls.o", "bad_const_arg"), "xdp")
    assert not result.accepted
    assert result.error is not None and result.error.modelled
    assert "unbounded min value" in result.error.message
    log = result.log(1)
    assert "Validating get_val() func#1..." in log
    assert "4: R1=scalar() R10=fp0" in log


def test_a_mismatched_argument_names_the_callee() -> None:
    result = verify(_spec("globals_args.o", "scalar_for_ctx"), "xdp")
    assert result.error is not None
    assert result.error.message.splitlines() == [
        "arg#0 expects pointer to ctx",
        "Caller passes invalid args into func#1 ('takes_ctx')",
    ]
    assert result.error.errno == errno.EINVAL


def test_the_logs_show_each_pass() -> None:
    result = verify(_spec("globals_calls.o", "good_chain"), "xdp")
    assert result.accepted
    # level 1: every successful pass resets the log, as in the kernel
    assert result.log(1).splitlines()[0] == (
        "Func#2 ('chain2') is safe for any args that match its prototype"
    )
    level2 = result.log(2)
    for line in (
        "Func#1 ('chain1') is global and assumed valid.",
        "Validating chain1() func#1...",
        "Func#2 ('chain2') is global and assumed valid.",
        "Validating chain2() func#2...",
        "Func#1 ('chain1') is safe for any args that match its prototype",
    ):
        assert line in level2


def test_without_func_info_every_subprogram_is_static() -> None:
    spec = _spec("globals_calls.o", "bad_const_arg")
    raw = spec.replace(func_info=None, line_info=None)
    result = verify(raw, "xdp")
    # simulated like a static function: the constant 2 flows in and the access is in bounds
    assert result.accepted
    assert "Validating" not in result.log(2)


# --- callbacks --------------------------------------------------------------------------------


def test_a_callback_is_iterated_until_its_state_converges() -> None:
    result = verify(_spec("callbacks_basic.o", "loop_sum"), "xdp")
    assert result.accepted and result.insns_processed == 28
    log = result.log(2)
    assert "from 8 to 12: frame1: R1=scalar() R2=fp[0]-8 R10=fp0" in log
    # the second visit starts from the widened state and is pruned at the helper call
    assert "8: safe" in log


def test_a_callback_counter_is_unknown_after_the_loop() -> None:
    result = verify(_spec("callbacks_state.o", "counter_after_loop"), "xdp")
    assert result.error is not None and result.error.modelled
    assert result.error.first_line == "invalid unbounded variable-offset read from stack R2"


def test_callback_return_range() -> None:
    result = verify(_spec("callbacks_basic.o", "loop_bad_ret"), "xdp")
    assert result.error is not None
    assert result.error.message == (
        "At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]"
    )


def test_callbacks_need_func_info() -> None:
    spec = _spec("callbacks_basic.o", "loop_sum").replace(func_info=None, line_info=None)
    result = verify(spec, "xdp")
    assert result.error is not None and result.error.first_line == "missing btf func_info"


# --- spin locks -------------------------------------------------------------------------------


def test_a_held_lock_forbids_helper_calls_and_exit() -> None:
    helper = verify(_spec("spin_locks.o", "lock_helper_inside"), "sched_cls")
    assert helper.error is not None
    assert helper.error.first_line == "function calls are not allowed while holding a lock"
    leak = verify(_spec("spin_locks.o", "lock_missing_unlock"), "sched_cls")
    assert leak.error is not None and leak.error.modelled
    assert "inside bpf_spin_lock-ed region" in leak.error.first_line


def test_the_lock_field_cannot_be_read_directly() -> None:
    result = verify(_spec("spin_locks.o", "lock_direct_read"), "sched_cls")
    assert result.error is not None and result.error.errno == errno.EACCES
    assert result.error.first_line == "bpf_spin_lock cannot be accessed directly by load/store"


def test_unlocking_another_lock_is_refused() -> None:
    result = verify(_spec("spin_locks.o", "unlock_different"), "sched_cls")
    assert result.error is not None
    assert result.error.first_line == "bpf_spin_unlock of different lock"


def test_program_types_that_may_not_use_lock_maps() -> None:
    result = verify(_spec("spin_locks.o", "lock_map_in_socket"), "socket_filter")
    assert result.error is not None and result.insns_processed == 0
    assert result.error.first_line == "socket filter progs cannot use bpf_spin_lock yet"


# --- malformed BTF input is a clear rejection, never an exception -----------------------------


def test_raw_func_info_records_are_accepted() -> None:
    spec = _spec("globals_calls.o", "bad_const_arg")
    raw = verify(spec.replace(func_info=spec.func_info.to_bytes()), "xdp")
    assert raw.error is not None and "unbounded min value" in raw.error.message


def test_truncated_func_info_is_rejected_clearly() -> None:
    spec = _spec("globals_calls.o", "bad_const_arg")
    result = verify(spec.replace(func_info=spec.func_info.to_bytes()[:-3]), "xdp")
    assert result.error is not None and result.error.modelled
    assert result.error.first_line == "func_info is not a whole number of 8-byte records"


@settings(max_examples=60, deadline=None)
@given(type_ids=st.lists(st.integers(min_value=0, max_value=1 << 32), min_size=2, max_size=2))
def test_any_func_info_type_ids_give_a_verdict(type_ids: list[int]) -> None:
    from pyebpf.btf import FuncInfo, FuncInfoTable

    spec = _spec("globals_calls.o", "bad_const_arg")
    table = FuncInfoTable(
        FuncInfo(fi.insn_off, tid) for fi, tid in zip(spec.func_info, type_ids, strict=True)
    )
    result = verify(spec.replace(func_info=table), "xdp")
    assert result.error is None or "internal error" not in result.error.message


def test_explain_names_the_global_function_verified_on_its_own() -> None:
    text = verify(_spec("globals_calls.o", "bad_const_arg"), "xdp").explain()
    assert "The error is in global function get_val()" in text
    caller_side = verify(_spec("globals_args.o", "scalar_for_ctx"), "xdp").explain()
    assert "The error is in global function" not in caller_side
    assert "Hint: global function takes_ctx() is verified on its own" in caller_side


@pytest.mark.parametrize(
    ("obj", "prog"),
    [("timer_inner_map.o", "timer_in_inner"), ("exception_cb.o", "with_exc_cb")],
)
def test_constructs_reported_as_not_modelled(obj: str, prog: str) -> None:
    spec = load_object(str(OBJECTS / "not_modelled" / obj)).programs[prog]
    result = verify(spec, spec.type)
    assert result.error is not None and not result.error.modelled
    assert "not modelled by pyebpf" in result.error.message
