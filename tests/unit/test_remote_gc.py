"""`remote_gc` on a real directory remote: it removes exactly the objects nobody keeps, rewrites packs
before deleting the old ones, never removes a needed object (not even when the pack holding it is
damaged), honours the grace period and dry runs, and clears packs left without an index."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from git_dws.progress import NULL
from git_dws.store.cas import ContentStore
from git_dws.store.remotes.catalog import read_catalog
from git_dws.store.remotes.directory import DirectoryBackend
from git_dws.store.remotes.gc import remote_gc
from git_dws.store.remotes.transfer import fetch_objects, push_objects


def _remote(tmp_path: Path) -> tuple[DirectoryBackend, dict[str, bytes]]:
    store = ContentStore(str(tmp_path / "src"))
    blobs = {}
    with store.pack_writer() as pack:
        for i in range(30):
            data = f"small {i}\n".encode() * (i + 1)
            blobs[pack.add(data)] = data
    for i in range(2):
        big = tmp_path / f"big{i}"
        big.write_bytes(bytes([i]) * (600 * 1024))
        blobs[store.add_large(str(big))] = big.read_bytes()
    backend = DirectoryBackend(str(tmp_path / "remote"), str(tmp_path / "remote"))
    push_objects(store, backend, {d: len(b) for d, b in blobs.items()}, NULL)
    return backend, blobs


def _files(root: str) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs}


def _fetch_all(tmp_path: Path, backend: DirectoryBackend, want: dict[str, bytes], name: str) -> None:
    dst = ContentStore(str(tmp_path / name))
    assert fetch_objects(dst, backend, {d: len(b) for d, b in want.items()}, NULL) == len(want)
    assert all(dst.read(d) == b for d, b in want.items())


def test_removes_dead_and_repacks_keeping_every_needed_object(tmp_path: Path) -> None:
    backend, blobs = _remote(tmp_path)
    digests = sorted(blobs)
    keep = {d for i, d in enumerate(digests) if i % 3 == 0}
    dead = set(blobs) - keep
    before = _files(backend.root)
    assert remote_gc(backend, keep, dry_run=True, grace_seconds=0) == (len(dead), sum(len(blobs[d]) for d in dead))
    assert _files(backend.root) == before  # a dry run changes nothing
    assert remote_gc(backend, keep, dry_run=False, grace_seconds=0) == (len(dead),
                                                                         sum(len(blobs[d]) for d in dead))
    cat = read_catalog(backend)
    assert set(cat.sizes()) == keep  # exactly the kept objects are left
    assert len(cat.packs) == 1 and not (_files(backend.root) & before - {f for f in before if "objects" in f})
    _fetch_all(tmp_path, backend, {d: blobs[d] for d in keep}, "dst")
    assert remote_gc(backend, keep, dry_run=False, grace_seconds=0) == (0, 0)  # nothing more to do


def test_keep_everything_and_grace_period_remove_nothing(tmp_path: Path) -> None:
    backend, blobs = _remote(tmp_path)
    before = _files(backend.root)
    assert remote_gc(backend, set(blobs), dry_run=False, grace_seconds=0) == (0, 0)
    assert remote_gc(backend, set(), dry_run=False, grace_seconds=3600) == (0, 0)  # all files are young
    assert _files(backend.root) == before
    _fetch_all(tmp_path, backend, blobs, "dst")


def test_damaged_pack_is_never_repacked_away(tmp_path: Path) -> None:
    backend, blobs = _remote(tmp_path)
    (pack,) = Path(backend.root, "packs").glob("*.pack")
    data = bytearray(pack.read_bytes())
    data[3] ^= 1
    pack.write_bytes(bytes(data))
    small = [d for d, b in blobs.items() if len(b) < 1000]
    freed = remote_gc(backend, set(small), dry_run=False, grace_seconds=0)
    assert freed == (2, 2 * 600 * 1024)  # the two large objects; the pack is left alone
    assert pack.exists() and pack.with_suffix(".idx").exists()


def test_orphans_and_old_temporaries_go_after_the_grace_period(tmp_path: Path) -> None:
    backend, blobs = _remote(tmp_path)
    packs = Path(backend.root, "packs")
    old_orphan, young_orphan = packs / ("a" * 64 + ".pack"), packs / ("b" * 64 + ".idx")
    tmp = Path(backend.root, "tmp", "killed")
    for p in (old_orphan, young_orphan, tmp):
        p.write_bytes(b"left by a killed push")
    for p in (old_orphan, tmp):
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    assert remote_gc(backend, set(blobs), dry_run=False, grace_seconds=3600) == (0, len(b"left by a killed push"))
    assert not old_orphan.exists() and not tmp.exists() and young_orphan.exists()
    _fetch_all(tmp_path, backend, blobs, "dst")


@pytest.mark.parametrize("grace", [0, 3600])
def test_new_objects_of_a_running_push_survive(tmp_path: Path, grace: int) -> None:
    backend, blobs = _remote(tmp_path)
    # Everything is as old as `grace` allows: with a grace period, a push's fresh objects are safe even
    # though no snapshot in `keep` names them yet.
    objects, _ = remote_gc(backend, set(), dry_run=False, grace_seconds=grace)
    assert objects == (len(blobs) if grace == 0 else 0)


def test_gc_and_push_exclude_each_other(tmp_path: Path) -> None:
    from git_dws.errors import DwsError
    from git_dws.store.remotes.locks import remote_lock

    backend, blobs = _remote(tmp_path)
    locks = Path(backend.root, "locks")
    with remote_lock(backend, "push", conflicts="gc"):  # a push is running (another machine)
        with pytest.raises(DwsError) as e:
            remote_gc(backend, set(), dry_run=False, grace_seconds=0)
        assert "being pushed to" in e.value.message and "locks/push-" in e.value.message and e.value.hint
        assert remote_gc(backend, set(), dry_run=True, grace_seconds=0)[0] == len(blobs)  # looking is fine
    _fetch_all(tmp_path, backend, blobs, "dst")  # nothing was removed
    with remote_lock(backend, "gc", conflicts="push"):
        store = ContentStore(str(tmp_path / "src"))
        with pytest.raises(DwsError) as e:
            push_objects(store, backend, {d: len(b) for d, b in blobs.items()}, NULL)
        assert "garbage-collected" in e.value.message
    assert list(locks.iterdir()) == []  # every lock withdrawn
    # a lock left by a killed process is ignored after an hour, and removed
    (locks / ("push-" + "0" * 32)).write_text("dead\n")
    os.utime(locks / ("push-" + "0" * 32), (time.time() - 7200, time.time() - 7200))
    remote_gc(backend, set(blobs), dry_run=False, grace_seconds=0)
    assert list(locks.iterdir()) == []
