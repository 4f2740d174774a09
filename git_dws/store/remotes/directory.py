"""A data remote in a directory (local disk, NFS, a mounted share)."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Sequence

from ...errors import DwsError
from ...progress import Task
from ..cas import ContentStore
from . import object_key
from .parallel import run_parallel


class DirectoryBackend:
    def __init__(self, url: str, root: str) -> None:
        self.url = url
        self.root = root

    def present(self) -> dict[str, int]:
        out: dict[str, int] = {}
        objects = os.path.join(self.root, "objects")
        try:
            fans = os.listdir(objects)
        except FileNotFoundError:
            return out
        for fan in fans:
            if len(fan) == 2:
                with os.scandir(os.path.join(objects, fan)) as it:
                    for e in it:
                        if not e.name.startswith("."):
                            out[fan + e.name] = e.stat().st_size
        return out

    def upload(self, store: ContentStore, digests: Sequence[str], task: Task) -> None:
        try:
            os.makedirs(os.path.join(self.root, "objects"), exist_ok=True)
        except OSError as e:
            raise DwsError(f"cannot write to data remote {self.url}: {e.strerror}",
                           "check the path and its permissions") from None

        def put(digest: str) -> None:
            dest = os.path.join(self.root, object_key(digest))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            tmp = os.path.join(os.path.dirname(dest), f".tmp-{uuid.uuid4().hex}")
            try:
                src = store.loose_path(digest)
                if src is not None:
                    shutil.copyfile(src, tmp)
                else:
                    with open(tmp, "wb") as f:
                        f.write(store.read(digest))
                os.replace(tmp, dest)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise

        run_parallel(put, digests, task, self.url)

    def download(self, digests: Sequence[str], dest_dir: str, task: Task) -> dict[str, str]:
        got: dict[str, str] = {}

        def get(digest: str) -> None:
            dest = os.path.join(dest_dir, digest)
            try:
                shutil.copyfile(os.path.join(self.root, object_key(digest)), dest)
            except FileNotFoundError:
                return
            got[digest] = dest

        run_parallel(get, digests, task, self.url)
        return got
