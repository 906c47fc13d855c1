"""Argument checks shared by the live objects: bad input fails before any system call."""

from __future__ import annotations

from typing import Any

from ..errors import SpecError


def uint(value: Any, what: str, bits: int = 32) -> int:
    """``value`` if it is an int in ``[0, 2**bits)``, else :class:`SpecError` naming ``what``."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < (1 << bits):
        raise SpecError(f"{what} must be an integer from 0 to {(1 << bits) - 1}, not {value!r}")
    return value
