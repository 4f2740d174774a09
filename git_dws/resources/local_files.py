"""local-files: a directory git does not hold. Content is captured in the content store at snapshot
(unless `store = false`), so the resource can be restored to any snapshot."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, ClassVar

from ..errors import DwsError
from ..model.diff import Changes, compare
from ..model.manifest import MODE_EXEC, MODE_LINK, FileEntry
from ..progress import BYTES, NULL_TASK, Progress
from ..safefs import SafeDir
from ..store.cas import SMALL, ContentStore, hash_bytes
from ..store.repo import Repo
from ..store.statcache import StatCache
from . import files
from .base import RestorePlan

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace


class LocalFiles:
    kind: ClassVar[str] = "local-files"

    @staticmethod
    def check_manifest(repo: Repo, tree: str) -> None:
        files.read_manifest(repo, tree)

    def __init__(self, ws: Workspace, spec: ResourceSpec) -> None:
        self.ws = ws
        self.spec = spec
        self._manifests: dict[str, dict[str, FileEntry]] = {}
        self._leftovers: list[str] = []  # temporaries of a killed restore, found by the last scan

    @property
    def local_path(self) -> str:
        return self.ws.resource_path(self.spec.name, self.spec.path)

    @property
    def stores_content(self) -> bool:
        return bool(self.spec.params.get("store", True))

    def _cache(self) -> StatCache:
        return StatCache(os.path.join(self.ws.state_dir, "statcache", self.spec.name))

    def _current(self, progress: Progress, capture: bool) -> tuple[dict[str, FileEntry], StatCache]:
        self._leftovers = []
        found, _skipped = files.scan(self.local_path, allow_missing=not capture, leftovers=self._leftovers)
        if self.spec.params.get("export"):  # an exported resource's lineage.json is lineage, not content
            found = [f for f in found if f.rel != "lineage.json"]
        cache = self._cache()
        store = self.ws.store if capture and self.stores_content else None
        task = progress.task(f"{self.spec.name}: {'storing' if store else 'hashing'}", len(found))
        out = {}
        large = [f for f in found if f.size >= SMALL and f.mode != MODE_LINK]
        with store.pack_writer() if store else contextlib.nullcontext() as pack:
            for f in found:
                if f.mode == MODE_LINK:
                    if pack is not None:  # a link's content is its target: stored so restore can tell it is held
                        pack.add(_link_bytes(f.target))
                    out[f.rel] = files.entry(f, "")
                    task.advance()
                elif f.size < SMALL:
                    out[f.rel] = files.entry(f, files.digest(f, cache, store, pack))
                    task.advance()
        # Large files: hashing and copying release the GIL, so two threads keep both cores busy.
        big = progress.task(f"{self.spec.name}: {'storing' if store else 'hashing'} large files",
                            sum(f.size for f in large), BYTES) if large else NULL_TASK
        with ThreadPoolExecutor(max_workers=2) as pool:
            for f, d in zip(large, pool.map(lambda f: files.digest(f, cache, store, None, big.advance), large),
                            strict=True):
                out[f.rel] = files.entry(f, d)
                task.advance()
        if large:
            progress.done(big)
        progress.done(task)
        return out, cache

    def snapshot(self, progress: Progress) -> str:
        current, cache = self._current(progress, capture=True)
        tree = files.write_manifest(self.ws.repo, list(current.values()))
        cache.save(tree, len(current))
        return tree

    def files(self, tree: str) -> dict[str, FileEntry]:
        # A tree id names immutable content: plan, fetch and restore share one read.
        if tree not in self._manifests:
            self._manifests[tree] = files.read_manifest(self.ws.repo, tree)
        return self._manifests[tree]

    def status(self, base_tree: str | None, progress: Progress) -> Changes:
        current, cache = self._current(progress, capture=False)
        known = cache.unchanged_tree(len(current))
        if known is not None and known == base_tree:
            cache.save(known, len(current))
            return Changes()
        changes = compare(self.files(base_tree) if base_tree else {}, current)
        cache.save(base_tree if changes.clean else None, len(current))  # equal entries, equal tree
        return changes

    def plan_restore(self, tree: str, progress: Progress) -> RestorePlan:
        current, cache = self._current(progress, capture=False)
        known = cache.unchanged_tree(len(current))
        cache.save(known, len(current))
        if known == tree:
            return RestorePlan(self.spec.name, tree, Changes(), [], self.stores_content)
        target = self.files(tree)
        changes = compare(current, target)
        store = self.ws.store
        unsafe = [p for p in (*changes.modified, *changes.deleted) if not _held(store, current[p])]
        if not self.stores_content:  # drift is reported as status does: what changed since the snapshot
            return RestorePlan(self.spec.name, tree, compare(target, current), [], can_write=False)
        return RestorePlan(self.spec.name, tree, changes, unsafe)

    def restore(self, plan: RestorePlan, progress: Progress) -> None:
        """Write the plan's changes. Every path goes through SafeDir, so nothing lands outside the
        resource, whatever the manifest says or which symlinks the working copy holds."""
        if not plan.can_write:
            raise DwsError(f"resource '{self.spec.name}' records hashes only (store = false)",
                           "its content cannot be restored; see the drift report")
        target = self.files(plan.tree)
        ch = plan.changes
        task = progress.task(f"{self.spec.name}: restoring", len(ch.added) + len(ch.modified) + len(ch.deleted))
        umask = _umask()
        with SafeDir(self.local_path) as root:
            for rel in self._leftovers:  # a killed restore's temporaries (we hold the lock)
                root.remove(rel)
            for rel in ch.deleted:
                root.remove(rel)
                task.advance()
            root.prune_empty({os.path.dirname(r) for r in ch.deleted})
            writes = [target[rel] for rel in (*ch.added, *ch.modified)]
            large = [e for e in writes if e.size >= SMALL and not e.is_link]
            with self.ws.store.pack_writer() as pack:
                for e in writes:
                    if e.size < SMALL or e.is_link:
                        _write(self.ws, root, e, umask)
                        if e.is_link:  # a link's content is its target text: held, like a snapshot holds it
                            pack.add(_link_bytes(e.target))
                        task.advance()
            for e in large:  # directories first, so the threads below never race to create them
                parent = os.path.dirname(e.path)
                if parent:
                    root.makedirs(parent)
            big = progress.task(f"{self.spec.name}: restoring large files", sum(e.size for e in large),
                                BYTES) if large else NULL_TASK
            with ThreadPoolExecutor(max_workers=2) as pool:  # copying releases the GIL: both cores busy
                for e, _ in zip(large, pool.map(lambda e: _write(self.ws, root, e, umask), large), strict=True):
                    task.advance()
                    big.advance(e.size)
            if large:
                progress.done(big)
        progress.done(task)

    def move_results(self, dest_rel: str, exclude: list[str]) -> int:
        return files.move_results(self.local_path, dest_rel, exclude)


def _link_bytes(target: str) -> bytes:
    return target.encode("utf-8", "surrogateescape")


def _held(store: ContentStore, e: FileEntry) -> bool:
    """Does the store hold this content, so that overwriting the working copy loses nothing?"""
    return store.has(hash_bytes(_link_bytes(e.target)) if e.is_link else e.digest)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(ws: Workspace, root: SafeDir, e: FileEntry, umask: int) -> None:
    """Put one file in place atomically (SafeDir writes a temporary sibling and renames it)."""
    if e.mode == MODE_LINK:
        root.symlink(e.path, e.target)
    else:
        root.write_file(e.path, lambda fd: ws.store.export_into(e.digest, fd),
                        (0o777 if e.mode == MODE_EXEC else 0o666) & ~umask)
