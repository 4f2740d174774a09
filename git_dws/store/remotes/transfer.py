"""Moving content between the local store and a data remote: upload what the remote lacks; download,
verify every object against its BLAKE3 digest and size, and only then add the lot to the store."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field

from ...errors import DwsError
from ...progress import Progress
from ..cas import SMALL, ContentStore, hash_file
from . import Backend


@dataclass(frozen=True, slots=True)
class Pushed:
    uploaded: int
    already: int  # on the remote before
    unavailable: list[str] = field(default_factory=list)  # referenced, but neither here nor there


class CorruptObjects(DwsError):
    def __init__(self, where: str, bad: list[str]) -> None:
        shown = ", ".join(b[:12] for b in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        super().__init__(f"{len(bad)} object(s) on data remote {where} are corrupt (hash mismatch): {shown}",
                         "nothing was written. Delete the damaged objects/<2 hex>/<rest> from the remote, "
                         "push again from a clone that has the content (git dws push), then pull")
        self.bad = bad


def push_objects(store: ContentStore, backend: Backend, wanted: dict[str, int], progress: Progress) -> Pushed:
    """Upload the objects of `wanted` (digest -> size) that the remote lacks, or holds at a wrong size
    (an interrupted upload on a backend without atomic rename)."""
    if not wanted:
        return Pushed(0, 0)
    present = backend.present()
    todo = sorted(d for d, size in wanted.items() if present.get(d) != size)
    have = [d for d in todo if store.has(d)]
    unavailable = [d for d in todo if not store.has(d)]
    task = progress.task(f"uploading to {backend.url}", len(have))
    try:
        backend.upload(store, have, task)
    finally:
        progress.done(task)
    return Pushed(len(have), len(wanted) - len(todo), unavailable)


def fetch_objects(store: ContentStore, backend: Backend, sizes: dict[str, int], progress: Progress) -> int:
    """Download the objects named in `sizes` (digest -> expected size) that the store lacks."""
    need = sorted(d for d in sizes if not store.has(d))
    if not need:
        return 0
    os.makedirs(store.root, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=store.root, prefix=".tmp-fetch-")
    try:
        task = progress.task(f"downloading from {backend.url}", len(need))
        try:
            got = backend.download(need, tmp, task)
        finally:
            progress.done(task)
        missing = [d for d in need if d not in got]
        if missing:
            raise DwsError(f"{len(missing)} object(s) are not on data remote {backend.url}: "
                           + ", ".join(m[:12] for m in missing[:5]),
                           "push them from the clone that took the snapshot (git dws push); nothing was written")
        bad = []
        for d in need:
            path = got[d]
            size = os.path.getsize(path)
            if size != sizes[d] or hash_file(path, size) != d:
                bad.append(d)
        if bad:
            raise CorruptObjects(backend.url, bad)
        with store.pack_writer() as pack:
            for d in need:
                path = got[d]
                if sizes[d] < SMALL:
                    with open(path, "rb") as f:
                        pack.add(f.read())
                else:
                    store.adopt(path, d)
        return len(need)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
