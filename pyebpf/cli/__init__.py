"""The ``pyebpf`` command (also ``python -m pyebpf``). Nothing in pyebpf imports this package."""

from __future__ import annotations

from .main import main

__all__ = ["main"]
