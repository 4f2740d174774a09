"""How the core asks questions without prompting: a `Confirm` callback supplied by the CLI. None means
no one can be asked (--batch or no terminal)."""

from __future__ import annotations

from collections.abc import Callable

Confirm = Callable[[str], bool]
