"""A ProgramSpec/MapSpec straight from the ELF reader loads with plain Program/Map.

Such specs carry *parsed* BTF; Program and Map then load without BTF (a collection load is
what turns parsed BTF into a kernel object), instead of refusing the spec.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyebpf import Map, Pinning, Program
from pyebpf.elf import load_object
from pyebpf.verifier import verify

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "loader-el.o"


@pytest.mark.kernel
def test_program_from_elf_spec_loads_and_runs() -> None:
    obj = load_object(str(FIXTURE))
    spec = obj.programs["socket_prog"]
    assert spec.btf is not None
    maps = {
        name: Map(obj.maps[name].replace(pinning=Pinning.NONE))
        for name in spec.instructions.map_references()
    }
    try:
        with Program(spec, maps=maps) as prog:
            assert prog.test_run(bytes(64)).retval == 7
    finally:
        for m in maps.values():
            m.close()


def test_offline_verifier_accepts_the_same_spec() -> None:
    spec = load_object(str(FIXTURE)).programs["socket_prog"]
    result = verify(spec, spec.type)
    assert result.accepted, result.error
