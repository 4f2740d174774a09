"""One lock per workspace. flock is released by the kernel when the process dies, even by kill -9,
so a crashed snapshot never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import DwsError

_held: dict[str, int] = {}  # path -> depth: a use case may call another (pull -> restore) under one lock


@contextmanager
def workspace_lock(path: str, wait: bool = False) -> Iterator[None]:
    if _held.get(path):
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise DwsError("another git-dws command is running in this workspace",
                           "wait for it to finish, then run the command again") from None
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(fd)
