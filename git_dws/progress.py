"""How the core reports long work without printing: ops take a `Progress` and call it; the CLI passes a
rich progress bar on a terminal and nothing otherwise."""

from __future__ import annotations

from typing import Protocol


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Progress(Protocol):
    def task(self, label: str, total: int | None) -> Task: ...

    def done(self, task: Task) -> None: ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        pass


class NullProgress:
    def task(self, label: str, total: int | None) -> Task:
        return _NullTask()

    def done(self, task: Task) -> None:
        pass


NULL = NullProgress()
NULL_TASK: Task = _NullTask()
