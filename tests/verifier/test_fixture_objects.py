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
