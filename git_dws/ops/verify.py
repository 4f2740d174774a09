"""Validate whole snapshots: what pull and clone run over every snapshot another clone brings, before
any ref moves or any file is written (git's `fetch.fsckObjects`, for our formats), and fsck over all.

A snapshot is: CONTENT (its blob id is the snapshot id), SNAPSHOT (metadata), and resources/<name> whose
entries match CONTENT's trees and whose manifests each resource type validates (model.validate rules).
"""

from __future__ import annotations

from ..errors import BadManifest
from ..resources import registry
from ..store.repo import MODE_TREE
from ..store.snapdb import SnapshotDB
from ..workspace import Workspace


def check_snapshot(ws: Workspace, db: SnapshotDB, sid: str, names: list[str] | None = None,
                   deep: bool = True) -> None:
    """Raise BadManifest (naming the snapshot, the resource and the entry) if anything is wrong.
    `deep=False` checks the structure only (restore validates each manifest as it reads it)."""
    info = db.get(sid)  # CONTENT and SNAPSHOT, validated
    entries = db.resource_entries(sid)
    for r in info.content.resources:
        if names is not None and r.name not in names:
            continue
        cls = registry.get(r.type)
        if cls is None:
            raise BadManifest(f"unknown resource type '{r.type}' (a newer git-dws?)", r.type,
                              snapshot=sid, resource=r.name)
        e = entries.get(r.name)
        if e is None or e.id != r.tree or e.mode != registry.manifest_mode(r.type):
            raise BadManifest("resources/ does not match CONTENT", r.name, snapshot=sid, resource=r.name)
        if e.mode == MODE_TREE and not ws.repo.is_tree(r.tree):
            raise BadManifest("the manifest is not a tree", r.tree, snapshot=sid, resource=r.name)
        if not deep:
            continue
        try:
            cls.check_manifest(ws.repo, r.tree)
        except BadManifest as err:
            raise err.at(snapshot=sid, resource=r.name) from None


def check_changed(ws: Workspace, before: SnapshotDB, after: SnapshotDB) -> list[str]:
    """Check every snapshot of `after` that is new or changed against `before`. Returns their ids."""
    old = before.entry_ids()
    changed = [sid for sid, oid in after.entry_ids().items() if old.get(sid) != oid]
    for sid in changed:
        check_snapshot(ws, after, sid)
    return changed
