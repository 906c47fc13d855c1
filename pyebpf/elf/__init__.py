"""pyebpf.elf: read clang-built BPF objects into specs, the way libbpf reads them.

:func:`load_object` returns an :class:`ObjectSpec` with ``programs`` and ``maps`` (dicts of
:class:`~pyebpf.spec.ProgramSpec` / :class:`~pyebpf.spec.MapSpec` by name), ``variables``
(globals, settable before loading), ``externs``, ``btf``, ``license`` and
``kernel_version``. Nothing here looks at the running kernel.
"""

from __future__ import annotations

from .externs import ExternSpec
from .objectspec import ObjectSpec, load_object
from .sections import SECTION_DEFS, SectionDef, SectionInfo, section_info
from .variables import VariableSpec

__all__ = [
    "ExternSpec",
    "ObjectSpec",
    "SECTION_DEFS",
    "SectionDef",
    "SectionInfo",
    "VariableSpec",
    "load_object",
    "section_info",
]
