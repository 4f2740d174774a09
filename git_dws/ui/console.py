"""Output primitives: plain text for pipes, rich on a terminal, stable JSON for scripts."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..progress import Progress, Task


def is_tty(stream: Any = None) -> bool:
    s = stream or sys.stdout
    return bool(hasattr(s, "isatty") and s.isatty()) and os.environ.get("TERM") != "dumb"


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def error(message: str, hint: str | None) -> None:
    err(f"error: {message}")
    if hint:
        err(f"hint: {hint}")


def warn(message: str) -> None:
    err(f"warning: {message}")


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str]],
          right: Sequence[int] = ()) -> None:
    """A table: rich on a terminal, aligned plain text otherwise."""
    if is_tty():
        from rich.console import Console
        from rich.table import Table

        t = Table(title=title, title_justify="left")
        for i, h in enumerate(headers):
            t.add_column(h, justify="right" if i in right else "left", overflow="fold")
        for r in rows:
            t.add_row(*r)
        Console().print(t)
        return
    if title:
        out(title)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out(line(headers))
    for r in rows:
        out(line(r))


class _RichTask:
    def __init__(self, bar: Any, tid: Any) -> None:
        self._bar, self._tid = bar, tid

    def advance(self, n: int = 1) -> None:
        self._bar.advance(self._tid, n)


class RichProgress:
    """Progress bars on stderr; they appear only for work longer than a moment."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self._bar.start()

    def task(self, label: str, total: int | None) -> Task:
        return _RichTask(self._bar, self._bar.add_task(label, total=total))

    def done(self, task: Task) -> None:
        if isinstance(task, _RichTask):
            self._bar.remove_task(task._tid)

    def close(self) -> None:
        self._bar.stop()


def progress(enabled: bool) -> Progress | None:
    """A rich progress bar when stderr is a terminal, else None (callers use the silent default)."""
    return RichProgress() if enabled and is_tty(sys.stderr) else None
