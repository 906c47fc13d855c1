"""Placeholder: the assembler lands next."""

from __future__ import annotations

from typing import Any


def assemble(text: str, **kwargs: Any) -> Any:
    raise NotImplementedError
