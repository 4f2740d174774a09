"""Naming snapshots: by tag, full id, unique id prefix, or a workspace commit that carries a note."""

from __future__ import annotations

import re

from ..errors import SnapshotNotFound
from ..model.snapshot import note_lines
from ..store.snapdb import SnapshotDB
from ..workspace import NOTES_REF, Workspace

_TRAILER = re.compile(r"^Dws-Snapshot: ([0-9a-f]{40})$", re.M)


def snapshot_of_tag(ws: Workspace, tag: str) -> str | None:
    target = ws.repo.ref(f"refs/tags/{tag}")
    if target is None:
        return None
    info = ws.repo.tag_info(target)
    if info is not None:
        found = _TRAILER.findall(info[1])  # the trailer is the last one: a message may quote others
        if found and ws.db.exists(found[-1]):
            return str(found[-1])
        target = info[0]
    return snapshot_of_commit(ws, target)


def snapshot_of_commit(ws: Workspace, commit: str, ancestors: bool = False, *, db: SnapshotDB | None = None,
                       notes: str | None = None) -> str | None:
    """The newest snapshot recorded on `commit` (or, with `ancestors`, on its nearest first-parent
    ancestor that has one). `db` and `notes` (a notes commit) answer as of a merge not yet published."""
    db = db or ws.db
    seen = 0
    while commit and seen < 10_000:
        note = ws.repo.note_at(notes, commit) if notes else ws.repo.note(NOTES_REF, commit)
        ids = [i for i in note_lines(note) if db.exists(i)] if note else []
        if ids:
            return max(ids, key=lambda i: db.get(i).meta.number)
        if not ancestors:
            return None
        parents = ws.repo.commit_parents(commit)
        commit = parents[0] if parents else ""
        seen += 1
    return None


def resolve(ws: Workspace, text: str) -> str:
    sid = snapshot_of_tag(ws, text)
    if sid:
        return sid
    if re.fullmatch(r"[0-9a-f]{4,40}", text):
        sid = ws.db.by_prefix(text)
        if sid:
            return sid
    commit = ws.repo.resolve(f"{text}^{{commit}}")
    if commit:
        sid = snapshot_of_commit(ws, commit)
        if sid:
            return sid
    raise SnapshotNotFound(f"no snapshot named '{text}'",
                           "`git dws report history` lists snapshots with their ids and tags")


def latest(ws: Workspace) -> str | None:
    history = ws.db.history()
    return history[-1].id if history else None
