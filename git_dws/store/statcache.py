"""Per-worktree stat cache: path -> (size, mtime_ns, ctime_ns, ino, mode) -> digest, so files whose stat
did not change are not hashed again. A file modified in the same clock tick as the cache write could
keep its old stat ("racy git"); entries that new are not trusted and are hashed again next time."""

from __future__ import annotations

import contextlib
import marshal
import os
import tempfile
import time

_VERSION = 1
_RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int, int, int]


class StatCache:
    def __init__(self, path: str) -> None:
        self.path = path
        self._old: dict[str, tuple[StatKey, str]] = {}
        self._new: dict[str, tuple[StatKey, str]] = {}
        self._started = time.time_ns()
        with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
            with open(path, "rb") as f:
                obj = marshal.load(f)
            if isinstance(obj, dict) and obj.get("v") == _VERSION:
                self._old = obj["e"]

    def get(self, rel: str, key: StatKey) -> str | None:
        hit = self._old.get(rel)
        if hit is not None and hit[0] == key:
            self._new[rel] = hit
            return hit[1]
        return None

    def put(self, rel: str, key: StatKey, digest: str) -> None:
        if key[1] < self._started - _RACY_NS:
            self._new[rel] = (key, digest)

    @property
    def changed(self) -> bool:
        return self._new != self._old

    def save(self) -> None:
        if not self.changed:
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                marshal.dump({"v": _VERSION, "e": self._new}, f)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
