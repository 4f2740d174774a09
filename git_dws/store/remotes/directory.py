"""A data remote in a directory (local disk, NFS, a mounted share).

Every file is written under `tmp/` first and renamed into place, so a reader never sees half of one; a
killed push leaves its temporary in `tmp/` (never listed), and the next push removes temporaries older
than an hour (younger ones may belong to a push still running). `.tmp-*` files that versions before
`tmp/` left beside the objects are cleaned the same way."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Callable, Mapping, Sequence

from ...errors import DwsError
from ...progress import Task
from ..cas import ContentStore
from . import Entry, object_key
from .parallel import run_parallel

TMP = "tmp"


class DirectoryBackend:
    def __init__(self, url: str, root: str) -> None:
        self.url = url
        self.root = root

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *key.split("/"))

    def _fail(self, e: OSError, what: str) -> DwsError:
        return DwsError(f"cannot {what} data remote {self.url}: {e.strerror or e}",
                        "check the path and its permissions")

    def _check_root(self) -> None:
        if os.path.exists(self.root) and not os.path.isdir(self.root):
            raise DwsError(f"data remote {self.url} is not a directory ({self.root} is a file)",
                           "point the data remote at a directory: git dws remote remove NAME, then "
                           "git dws remote add NAME DIR (or git config dws-remote.NAME.url DIR on this machine)")

    def list(self, prefix: str) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        self._check_root()
        base = self._path(prefix.rstrip("/"))

        def walk(path: str, rel: str, depth: int) -> None:
            try:
                it = os.scandir(path)
            except FileNotFoundError:
                return
            except NotADirectoryError:
                return  # a file where a directory of the layout belongs: nothing of ours is there
            with it:
                for e in it:
                    if e.name.startswith("."):
                        continue  # temporaries of old versions
                    if e.is_dir(follow_symlinks=False):
                        if depth < 2:
                            walk(e.path, f"{rel}{e.name}/", depth + 1)
                    elif e.is_file(follow_symlinks=False):
                        st = e.stat(follow_symlinks=False)
                        out[rel + e.name] = Entry(st.st_size, st.st_mtime)

        try:
            walk(base, prefix if prefix.endswith("/") else prefix + "/", 0)
        except OSError as e:
            raise self._fail(e, "list") from None
        return out

    def read(self, key: str, offset: int = 0, size: int | None = None) -> bytes:
        with open(self._path(key), "rb") as f:
            if size is None:
                f.seek(offset)
                return f.read()
            return os.pread(f.fileno(), size, offset)

    def read_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        out = {}
        for k in keys:
            with contextlib.suppress(FileNotFoundError):
                out[k] = self.read(k)
        return out

    def _tmp(self) -> str:
        self._check_root()
        tmp = os.path.join(self.root, TMP)
        try:
            os.makedirs(tmp, exist_ok=True)
        except OSError as e:
            raise self._fail(e, "write to") from None
        return os.path.join(tmp, uuid.uuid4().hex)

    def _install(self, write: Callable[[str], object], key: str) -> None:
        """Write a temporary with `write(tmp_path)`, then rename it to `key`."""
        dest = self._path(key)
        tmp = self._tmp()
        try:
            write(tmp)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def put_file(self, path: str, key: str) -> None:
        self._install(lambda tmp: shutil.copyfile(path, tmp), key)

    def delete(self, keys: Sequence[str]) -> None:
        for k in keys:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path(k))

    def clean_temporaries(self, older_than: float) -> int:
        cutoff = time.time() - older_than
        gone = 0
        candidates: list[str] = []
        with contextlib.suppress(OSError):
            candidates += [e.path for e in os.scandir(os.path.join(self.root, TMP))]
        with contextlib.suppress(OSError):
            for fan in os.scandir(os.path.join(self.root, "objects")):
                if len(fan.name) == 2 and fan.is_dir(follow_symlinks=False):
                    candidates += [e.path for e in os.scandir(fan.path) if e.name.startswith(".tmp-")]
        for path in candidates:
            with contextlib.suppress(OSError):
                if os.lstat(path).st_mtime < cutoff:
                    os.unlink(path)
                    gone += 1
        return gone

    def upload(self, store: ContentStore, digests: Sequence[str], task: Task, sizes: Mapping[str, int]) -> None:
        def put(digest: str) -> None:
            src = store.loose_path(digest)
            if src is not None:
                self._install(lambda tmp: shutil.copyfile(src, tmp), object_key(digest))
            else:
                data = store.read(digest)
                self._install(lambda tmp: _write(tmp, data), object_key(digest))

        run_parallel(put, digests, task, self.url, sizes=sizes)

    def download(self, digests: Sequence[str], dest_dir: str, task: Task,
                 sizes: Mapping[str, int]) -> dict[str, str]:
        got: dict[str, str] = {}

        def get(digest: str) -> None:
            dest = os.path.join(dest_dir, digest)
            try:
                shutil.copyfile(self._path(object_key(digest)), dest)
            except FileNotFoundError:
                return
            got[digest] = dest

        run_parallel(get, digests, task, self.url, sizes=sizes)
        return got


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
