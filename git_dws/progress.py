"""How the core reports long work without printing: ops take a `Progress` and call it; the CLI passes a
rich progress bar on a terminal and nothing otherwise. A task counts items, or bytes (`unit=BYTES`: large
file copies and transfers, shown as `1.2 GB/3.0 GB 480 MB/s`, advanced as the bytes move)."""

from __future__ import annotations

from typing import Protocol

BYTES = "bytes"


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Progress(Protocol):
    def task(self, label: str, total: int | None, unit: str = "") -> Task: ...

    def done(self, task: Task) -> None: ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        pass


class NullProgress:
    def task(self, label: str, total: int | None, unit: str = "") -> Task:
        return _NullTask()

    def done(self, task: Task) -> None:
        pass


NULL = NullProgress()
NULL_TASK: Task = _NullTask()
