"""Delete a snapshot: its manifest entry, the tags that name it and the notes that point at it go in
one transaction; then, unless asked not to, the results directory it moved files into."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from ..errors import UserAbort
from ..interact import Confirm
from ..model.snapshot import note_bytes, note_lines
from ..resources import registry
from ..resources.git_subdir import GitSubdirectory
from ..workspace import MANIFESTS_REF, NOTES_REF, Workspace, commit_paths
from .resolve import resolve, snapshot_of_tag


@dataclass(frozen=True, slots=True)
class DeleteResult:
    id: str
    tags: tuple[str, ...]
    results_removed: list[str]


def delete_snapshot(ws: Workspace, target: str, *, include_resources: bool = True,
                    confirm: Confirm | None = None) -> DeleteResult:
    with ws.lock():
        sid = resolve(ws, target)
        info = ws.db.get(sid)
        label = f"{sid[:12]} ({', '.join(info.meta.tags)})" if info.meta.tags else sid[:12]
        if confirm is not None and not confirm(f"Delete snapshot {label}?"):
            raise UserAbort("nothing was deleted")
        repo = ws.repo
        who = repo.identity()
        manifest, old_manifest = ws.db.write([], [sid], {}, f"delete snapshot {sid[:12]}", who)
        refs: list[tuple[str, str | None, str | None]] = [(MANIFESTS_REF, manifest, old_manifest)]
        for tag in info.meta.tags:
            target_oid = repo.ref(f"refs/tags/{tag}")
            if target_oid and snapshot_of_tag(ws, tag) == sid:
                refs.append((f"refs/tags/{tag}", None, target_oid))
        changes: dict[str, bytes | None] = {}
        for commit, blob in repo.notes_list(NOTES_REF).items():
            ids = note_lines(repo.read_blob(blob))
            if sid in ids:
                rest = [i for i in ids if i != sid]
                changes[commit] = note_bytes(rest) if rest else None
        if changes:
            notes, old_notes = repo.notes_commit(NOTES_REF, changes, who, f"git dws delete-snapshot {sid[:12]}")
            refs.append((NOTES_REF, notes, old_notes))
        repo.update_refs(refs, f"git dws delete-snapshot {sid[:12]}")
        if ws.current_snapshot() == sid:
            ws.set_current_snapshot(None)

        removed = []
        if include_resources and info.meta.results_dir:
            for spec in ws.config.resources:
                if spec.role != "results":
                    continue
                res = registry.load(ws, spec)
                path = os.path.join(res.local_path, info.meta.results_dir)  # validated: snapshots/... only
                real_root = os.path.realpath(res.local_path)
                if not os.path.isdir(path) or os.path.islink(path) \
                        or not os.path.realpath(path).startswith(real_root + os.sep):
                    continue  # absent, or reached through a symlink: never delete outside the resource
                _make_writable(path)
                shutil.rmtree(path)
                removed.append(f"{spec.name}:{info.meta.results_dir}")
                if isinstance(res, GitSubdirectory):
                    commit_paths(ws.root, (spec.path,), f"Delete results of snapshot {sid[:12]}")
        return DeleteResult(sid, info.meta.tags, removed)


def _make_writable(path: str) -> None:
    for d, _, fs in os.walk(path):
        for f in fs:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
