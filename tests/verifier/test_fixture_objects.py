"""Programs from the clang-built fixtures: the offline verdict matches the kernel's.

The fixture objects are real compiler output (tests/fixtures/*.c built with clang-22), so
they exercise patterns hand-written corpus programs miss, such as map-in-map lookups.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyebpf import Map, Pinning, Program
from pyebpf.elf import load_object
from pyebpf.verifier import verify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_map_in_map_lookup_is_accepted_with_the_kernels_count() -> None:
    spec = load_object(str(FIXTURES / "loader-el.o")).programs["classifier_prog"]
    result = verify(spec, spec.type)
    assert result.accepted, result.error
    assert result.insns_processed == 26  # what Linux 6.18 reports for this program


@pytest.mark.kernel
def test_map_in_map_lookup_kernel_agrees() -> None:
    obj = load_object(str(FIXTURES / "loader-el.o"))
    spec = obj.programs["classifier_prog"]
    maps = {
        # Initial contents name other maps (a collection resolves those); not needed here.
        name: Map(obj.maps[name].replace(pinning=Pinning.NONE, contents=()))
        for name in spec.instructions.map_references()
    }
    try:
        with Program(spec, maps=maps, log_level=1) as prog:
            assert "processed 26 insns" in prog.verifier_log
    finally:
        for m in maps.values():
            m.close()


def test_bpf_loop_fixture_is_accepted_with_the_kernels_count() -> None:
    spec = load_object(str(FIXTURES / "loader-el.o")).programs["xdp_pass"]
    result = verify(spec, spec.type)
    assert result.accepted, result.error
    assert result.insns_processed == 40  # Linux 6.18: a bpf_loop callback and a global function


def test_no_fixture_program_is_falsely_rejected() -> None:
    """Linux accepts every fixture program (tests/elf loads them all); so must the model,
    unless it says plainly that it stopped at something it does not model."""
    wrong = []
    for path in sorted(FIXTURES.glob("*-el.o")):
        for name, spec in load_object(str(path)).programs.items():
            result = verify(spec, spec.type)
            if not result.accepted and result.error is not None and result.error.modelled:
                wrong.append(f"{path.name}:{name}: {result.error}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.kernel
def test_core_programs_relocated_like_the_loader_agree_with_the_kernel() -> None:
    """CO-RE programs: relocated offline against this kernel's BTF, the model sees the same
    instructions the kernel verifies (loaded by load_collection), so the counts agree."""
    import re

    from pyebpf.collection import load_collection
    from pyebpf.elf.core import relocated_programs

    obj = load_object(str(FIXTURES / "core-el.o"))
    relocated = relocated_programs(obj)
    differ = []
    with load_collection(obj, log_level=1) as coll:
        for name, spec in relocated.items():
            result = verify(spec, spec.type)
            if not result.accepted:
                assert not result.error.modelled, f"{name}: {result.error}"
                continue
            found = re.search(r"processed (\d+) insns", coll.programs[name].verifier_log)
            assert found is not None, name
            if int(found.group(1)) != result.insns_processed:
                differ.append(f"{name}: kernel {found.group(1)}, pyebpf {result.insns_processed}")
    assert not differ, differ
