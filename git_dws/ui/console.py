"""Output primitives: plain text for pipes, rich on a terminal, stable JSON for scripts."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..progress import BYTES, Progress, Task


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


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def amount_text(completed: float, total: float | None, unit: str, speed: float | None) -> str:
    """`1.2 GB/3.0 GB 480.0 MB/s` for bytes, `12/20` for items (what the bar shows beside itself)."""
    if unit != BYTES:
        return f"{completed:.0f}/{total:.0f}" if total is not None else f"{completed:.0f}"
    text = f"{_size(completed)}/{_size(total)}" if total is not None else _size(completed)
    return f"{text} {_size(speed)}/s" if speed else text


class RichProgress:
    """Progress bars on stderr; they appear only for work longer than a moment."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
        from rich.text import Text

        class Amount(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(amount_text(task.completed, task.total, task.fields.get("unit", ""), task.speed))

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), Amount(),
                             TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self._bar.start()

    def task(self, label: str, total: int | None, unit: str = "") -> Task:
        return _RichTask(self._bar, self._bar.add_task(label, total=total, unit=unit))

    def done(self, task: Task) -> None:
        if isinstance(task, _RichTask):
            self._bar.remove_task(task._tid)

    def close(self) -> None:
        self._bar.stop()


def progress(enabled: bool) -> Progress | None:
    """A rich progress bar when stderr is a terminal, else None (callers use the silent default)."""
    return RichProgress() if enabled and is_tty(sys.stderr) else None
