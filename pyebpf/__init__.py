"""pyebpf: a pure-Python eBPF toolchain.

* :mod:`pyebpf.asm` -- instructions, the DSL, the text assembler and disassembler;
* :mod:`pyebpf.verifier` -- an offline model of the Linux verifier;
* :mod:`pyebpf.elf` / :mod:`pyebpf.btf` -- reading clang-built objects and BTF;
* :mod:`pyebpf.syscall` -- ``bpf()`` and live maps, programs and links.

The live-object names (``Map``, ``Program``, ``Link``, ``load_collection``) are imported on
first use, so that offline users (assembler, verifier, ELF reader) never load the syscall
bindings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import PyebpfError
from .kernel_tables import AttachType, LinkType, MapType, ProgType
from .spec import MapSpec, Pinning, ProgramSpec

__version__ = "0.1.0"

_LAZY = {
    "Map": "pyebpf.syscall",
    "Program": "pyebpf.syscall",
    "Link": "pyebpf.syscall",
    "load_collection": "pyebpf.collection",
    "verify": "pyebpf.verifier",
}

if TYPE_CHECKING:  # pragma: no cover
    from .collection import load_collection
    from .syscall import Link, Map, Program
    from .verifier import verify


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pyebpf' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AttachType",
    "LinkType",
    "Link",
    "Map",
    "MapSpec",
    "MapType",
    "Pinning",
    "ProgType",
    "Program",
    "ProgramSpec",
    "PyebpfError",
    "load_collection",
    "verify",
    "__version__",
]
