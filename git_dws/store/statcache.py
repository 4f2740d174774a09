"""Per-worktree stat cache: path -> (size, mtime_ns, ctime_ns, ino, mode) -> digest, so files whose stat
did not change are not hashed again. A file modified in the same clock tick as the cache write could
keep its old stat ("racy git"); entries that new are not trusted and are hashed again next time.

The cache also remembers the manifest tree its entries add up to, when they cover every file: a status
that finds every file unchanged then knows the current tree without reading any manifest.

File format: magic, then a header line `<count> <tree or ->`, NUL-separated paths, fixed records."""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
import time

_MAGIC = b"DWS-STATCACHE-2\n"
_REC = struct.Struct("<QqqQI32s")
_RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int, int, int]


class StatCache:
    def __init__(self, path: str) -> None:
        self.path = path
        self._old: dict[str, tuple[int, int, int, int, int, bytes]] = {}  # stat fields + raw digest
        self._new: dict[str, tuple[StatKey, str]] = {}
        self._started = time.time_ns()
        self._hits = 0
        self.old_tree: str | None = None
        self.tree: str | None = None
        with contextlib.suppress(OSError, ValueError, struct.error, UnicodeDecodeError):
            self._load()

    def _load(self) -> None:
        with open(self.path, "rb") as f:
            data = f.read()
        if not data.startswith(_MAGIC):
            return
        header_end = data.index(b"\n", len(_MAGIC))
        count_s, tree = data[len(_MAGIC):header_end].decode().split(" ")
        count = int(count_s)
        names_end = len(data) - count * _REC.size
        names = data[header_end + 1:names_end].decode("utf-8", "surrogateescape").split("\0") if count else []
        if len(names) != count:
            return
        self._old = dict(zip(names, _REC.iter_unpack(data[names_end:]), strict=True))
        self.old_tree = None if tree == "-" else tree

    def get(self, rel: str, key: StatKey) -> str | None:
        hit = self._old.get(rel)
        if hit is not None and hit[:5] == key:
            digest = hit[5].hex()
            self._new[rel] = (key, digest)
            self._hits += 1
            return digest
        return None

    def previous(self, rel: str) -> str | None:
        """The digest recorded for `rel` last time, whatever its stat is now."""
        hit = self._old.get(rel)
        return hit[5].hex() if hit is not None else None

    def put(self, rel: str, key: StatKey, digest: str) -> None:
        if key[1] < self._started - _RACY_NS:
            self._new[rel] = (key, digest)

    def unchanged_tree(self, files: int) -> str | None:
        """The manifest tree of the current files if all `files` hit the cache and it knew its tree."""
        return self.old_tree if self._hits == files == len(self._old) else None

    def save(self, tree: str | None = None, files: int = -1) -> None:
        """Persist; `tree` is recorded only if the cache holds an entry for each of the `files`."""
        self.tree = tree if tree and len(self._new) == files else None
        if self.tree == self.old_tree and self._hits == len(self._new) == len(self._old):
            return  # every entry was read back unchanged
        names = "\0".join(self._new).encode("utf-8", "surrogateescape")
        recs = b"".join(_REC.pack(*k, bytes.fromhex(d)) for k, d in self._new.values())
        data = _MAGIC + f"{len(self._new)} {self.tree or '-'}\n".encode() + names + recs
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
