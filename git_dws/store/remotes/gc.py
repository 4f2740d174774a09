"""Garbage collection of a data remote (`git dws gc --remote`): given every digest some snapshot still
needs, remove the other loose objects and rewrite packs that hold dead objects.

Never removes a needed object: a pack is rewritten as a new pack of its live objects (each read back and
verified against its digest), which is uploaded and indexed before the old index and then the old pack are
deleted; a pack whose live objects do not verify is left alone. Files younger than the grace period are
not touched at all (they may belong to a push whose snapshot is not yet visible in refs), and neither are
files that are not exactly in the layout (docs/FORMAT.md, "Data remotes"). Packs without an index
(interrupted pushes) and old temporaries are removed once past the grace period."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable

from ..cas import hash_bytes
from . import Backend, object_key
from .catalog import Catalog, read_catalog
from .locks import remote_lock
from .packs import PackBuilder, index_key, pack_key, spans, split_pack_key


def remote_gc(backend: Backend, keep: set[str], *, dry_run: bool, grace_seconds: int) -> tuple[int, int]:
    """Remove what `keep` does not name; returns (objects, bytes) freed (or that would be, with dry_run).
    Refuses (DwsError) while a push to the same remote runs (store/remotes/locks.py)."""
    if dry_run:
        return _gc(backend, keep, dry_run=True, grace_seconds=grace_seconds)
    with remote_lock(backend, "gc", conflicts="push"):
        return _gc(backend, keep, dry_run=False, grace_seconds=grace_seconds)


def _gc(backend: Backend, keep: set[str], *, dry_run: bool, grace_seconds: int) -> tuple[int, int]:
    cat = read_catalog(backend)
    now = time.time()

    def old(mtime: float) -> bool:
        return now - mtime >= grace_seconds

    objects = freed = 0
    dead_loose = [d for d in sorted(cat.loose) if d not in keep and old(cat.loose_entries[d].mtime)]
    objects += len(dead_loose)
    freed += sum(cat.loose[d] for d in dead_loose)
    if dead_loose and not dry_run:
        backend.delete([object_key(d) for d in dead_loose])

    for name, idx in sorted(cat.packs.items()):
        pk, ik = pack_key(name), index_key(name)
        if not all(old(cat.pack_files[k].mtime) for k in (pk, ik)):
            continue
        dead = {d for d in idx.entries if d not in keep}
        if not dead:
            continue
        live = {d: (name, off, size) for d, (off, size) in idx.entries.items() if d in keep}
        if live and not dry_run and not _repack(backend, live):
            continue  # a live object did not verify: keep the old pack, nothing is lost
        objects += len(dead)
        freed += sum(idx.entries[d][1] for d in dead)
        if not dry_run:
            backend.delete([ik])  # the index first: a pack without one is invisible, never half-read
            backend.delete([pk])

    objects_orphans, bytes_orphans = _orphans(backend, cat, old, dry_run)
    objects += objects_orphans
    freed += bytes_orphans
    if not dry_run:
        backend.clean_temporaries(float(grace_seconds))
    return objects, freed


def _repack(backend: Backend, live: dict[str, tuple[str, int, int]]) -> bool:
    """Write the live objects into new packs (uploaded and indexed); False if any did not verify."""
    tmp = tempfile.mkdtemp(prefix="dws-gc-")
    try:
        builder = PackBuilder(tmp)
        done: list[tuple[str, str, bytes]] = []
        try:
            for span in spans(live):
                data = backend.read(pack_key(span.pack), span.offset, span.size)
                for d, off, size in span.objects:
                    part = data[off - span.offset:off - span.offset + size]
                    if len(part) != size or hash_bytes(part) != d:
                        return False
                    finished = builder.add(d, part)
                    if finished:
                        done.append(finished)
            last = builder.flush()
            if last:
                done.append(last)
            for path, name, idx in done:
                backend.put_file(path, pack_key(name))
                with open(path + ".idx", "wb") as f:
                    f.write(idx)
                backend.put_file(path + ".idx", index_key(name))
        finally:
            builder.close()
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _orphans(backend: Backend, cat: Catalog, old: Callable[[float], bool], dry_run: bool) -> tuple[int, int]:
    """Pack files without their partner (an interrupted push or gc) past the grace period."""
    names: dict[str, set[str]] = {}
    for key in cat.pack_files:
        parsed = split_pack_key(key)
        if parsed:
            names.setdefault(parsed[0], set()).add(parsed[1])
    gone: list[str] = []
    size = 0
    for name, kinds in sorted(names.items()):
        if kinds == {"pack", "idx"}:
            continue
        key = pack_key(name) if "pack" in kinds else index_key(name)
        e = cat.pack_files[key]
        if old(e.mtime):
            gone.append(key)
            size += e.size
    if gone and not dry_run:
        backend.delete(gone)
    return 0, size
