"""Moving content between the local store and a data remote.

Push: read the remote's catalog (a few requests), then upload what it lacks: small objects in new packs
(pack first, then its index: the pack becomes visible only whole), large objects as loose files.
Fetch: read the catalog, fetch loose objects whole and packed ones by range reads (neighbouring objects
of one pack in one request), verify every object against its BLAKE3 digest and size, and add them to the
store only when all of them verified: a damaged remote changes nothing here."""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from ...errors import DwsError
from ...progress import BYTES, Progress
from ..cas import SMALL, ContentStore, hash_bytes, hash_file
from . import Backend
from .catalog import read_catalog
from .locks import remote_lock
from .packs import PackBuilder, Span, index_key, pack_key, spans

STALE_TMP = 3600.0  # temporaries older than this were left by a killed push (no push runs for an hour)
WORKERS = 4  # packs and ranges in flight at once
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Pushed:
    uploaded: int
    already: int  # on the remote before
    unavailable: list[str] = field(default_factory=list)  # referenced, but neither here nor there


class CorruptObjects(DwsError):
    def __init__(self, where: str, bad: list[str]) -> None:
        shown = ", ".join(b[:12] for b in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        super().__init__(f"{len(bad)} object(s) on data remote {where} are corrupt (hash mismatch): {shown}",
                         "nothing was written. Delete the damaged file from the remote (objects/<2 hex>/<rest>, "
                         "or the packs/<H>.pack holding it and its .idx), push again from a clone that has the "
                         "content (git dws push), then pull")
        self.bad = bad


def ordered_parallel(fn: Callable[[T], R], items: Iterable[T], workers: int = WORKERS) -> Iterator[R]:
    """fn over items on a few threads, results in order, at most `workers` results held at once."""
    with cf.ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[cf.Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def push_objects(store: ContentStore, backend: Backend, wanted: dict[str, int], progress: Progress) -> Pushed:
    """Upload the objects of `wanted` (digest -> size) that the remote lacks, or holds at a wrong size
    (an interrupted upload on a backend without atomic rename)."""
    if not wanted:
        return Pushed(0, 0)
    with remote_lock(backend, "push", conflicts="gc"):  # a gc must not delete what this push reuses
        return _push(store, backend, wanted, progress)


def _push(store: ContentStore, backend: Backend, wanted: dict[str, int], progress: Progress) -> Pushed:
    backend.clean_temporaries(STALE_TMP)
    present = read_catalog(backend).sizes()
    todo = sorted(d for d, size in wanted.items() if present.get(d) != size)
    have = [d for d in todo if store.has(d)]
    unavailable = [d for d in todo if not store.has(d)]
    small = [d for d in have if wanted[d] < SMALL]
    large = [d for d in have if wanted[d] >= SMALL]
    task = progress.task(f"uploading to {backend.url}", sum(wanted[d] for d in have), BYTES)
    try:
        if small:
            _push_packs(store, backend, small, task.advance)
        if large:
            backend.upload(store, large, task, wanted)
    except OSError as e:
        raise DwsError(f"transfer with data remote {backend.url} failed: {e.strerror or e}",
                       "nothing is lost: fix the cause and run the command again; it resumes") from e
    finally:
        progress.done(task)
    return Pushed(len(have), len(wanted) - len(todo), unavailable)


def _push_packs(store: ContentStore, backend: Backend, digests: list[str], advance: Callable[[int], None]) -> None:
    os.makedirs(store.root, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=store.root, prefix=".tmp-push-")
    try:
        builder = PackBuilder(tmp)

        def finished() -> Iterator[tuple[str, str, bytes, int]]:
            size = 0  # bytes of the objects in the pack being built (what the progress bar counts)
            for d, data in store.read_many(digests):
                size += len(data)
                done = builder.add(d, data)
                if done:
                    yield (*done, size)
                    size = 0
            done = builder.flush()
            if done:
                yield (*done, size)

        def upload(item: tuple[str, str, bytes, int]) -> int:
            path, name, idx, count = item
            backend.put_file(path, pack_key(name))  # the pack first: without its index nobody uses it
            idx_path = path + ".idx"
            with open(idx_path, "wb") as f:
                f.write(idx)
            backend.put_file(idx_path, index_key(name))
            os.unlink(path)
            os.unlink(idx_path)
            return count

        try:
            for count in ordered_parallel(upload, finished(), workers=2):
                advance(count)
        finally:
            builder.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fetch_objects(store: ContentStore, backend: Backend, sizes: dict[str, int], progress: Progress) -> int:
    """Download the objects named in `sizes` (digest -> expected size), which the caller found missing
    from the store (a second check would stat 20,000 absent files again)."""
    need = sorted(sizes)
    if not need:
        return 0
    cat = read_catalog(backend)
    packed = {d: cat.packed[d] for d in need if d in cat.packed and cat.packed[d][2] == sizes[d]}
    loose = [d for d in need if d not in packed]
    missing = [d for d in loose if d not in cat.loose]
    if missing:
        raise DwsError(f"{len(missing)} object(s) are not on data remote {backend.url}: "
                       + ", ".join(m[:12] for m in missing[:5]),
                       "push them from the clone that took the snapshot (git dws push); nothing was written")
    os.makedirs(store.root, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=store.root, prefix=".tmp-fetch-")
    try:
        task = progress.task(f"downloading from {backend.url}", sum(sizes[d] for d in need), BYTES)
        try:
            got = backend.download(loose, tmp, task, sizes) if loose else {}
            not_there = [d for d in loose if d not in got]
            if not_there:
                raise DwsError(f"{len(not_there)} object(s) are not on data remote {backend.url}: "
                               + ", ".join(m[:12] for m in not_there[:5]),
                               "push them from the clone that took the snapshot (git dws push); nothing was written")
            bad = [d for d in loose if not _verified_file(got[d], d, sizes[d])]
            with store.pack_writer() as pack:
                for d in loose:  # small loose objects: remotes written before packs existed
                    if sizes[d] < SMALL and d not in bad:
                        with open(got[d], "rb") as f:
                            pack.add_known(d, f.read())

                def fetch(span: Span) -> tuple[Span, bytes]:
                    return span, backend.read(pack_key(span.pack), span.offset, span.size)

                for span, data in ordered_parallel(fetch, spans(packed)):
                    for d, off, size in span.objects:
                        part = data[off - span.offset:off - span.offset + size]
                        if len(part) != size or hash_bytes(part) != d:
                            bad.append(d)
                        elif not bad:
                            pack.add_known(d, part)
                    task.advance(sum(size for _, _, size in span.objects))
                if bad:
                    raise CorruptObjects(backend.url, sorted(bad))  # the pack writer is discarded
                for d in loose:
                    if sizes[d] >= SMALL:
                        store.adopt(got[d], d)
        except OSError as e:
            raise DwsError(f"transfer with data remote {backend.url} failed: {e.strerror or e}",
                           "nothing was written: fix the cause and run the command again") from e
        finally:
            progress.done(task)
        return len(need)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _verified_file(path: str, digest: str, size: int) -> bool:
    try:
        actual = os.path.getsize(path)
    except OSError:
        return False
    return actual == size and hash_file(path, size) == digest
