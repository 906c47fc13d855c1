"""``python -m pyebpf``: the pyebpf command."""

from __future__ import annotations

import sys

from pyebpf.cli import main

sys.exit(main())
