"""Naming snapshots: by tag, full id, unique id prefix, or a workspace commit that carries a note."""

from __future__ import annotations

import re

from ..errors import DwsError, SnapshotNotFound
from ..model.snapshot import SnapshotContent, note_lines
from ..store import exchange
from ..store.merge import is_ancestor
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


def snapshots_on(ws: Workspace, commit: str, *, db: SnapshotDB | None = None,
                 notes: str | None = None) -> list[str]:
    """The snapshots recorded on `commit` (its note), oldest first. `db` and `notes` (a notes commit)
    answer as of a merge not yet published."""
    db = db or ws.db
    note = ws.repo.note_at(notes, commit) if notes else ws.repo.note(NOTES_REF, commit)
    ids = [i for i in note_lines(note) if db.exists(i)] if note else []
    return sorted(ids, key=lambda i: db.get(i).meta.number)


def nearest_snapshotted(ws: Workspace, commit: str, *, db: SnapshotDB | None = None,
                        notes: str | None = None) -> tuple[str, list[str]] | None:
    """`commit` or its nearest first-parent ancestor that carries snapshots: (that commit, its
    snapshots oldest first)."""
    seen = 0
    while commit and seen < 10_000:
        ids = snapshots_on(ws, commit, db=db, notes=notes)
        if ids:
            return commit, ids
        parents = ws.repo.commit_parents(commit)
        commit = parents[0] if parents else ""
        seen += 1
    return None


def snapshot_of_commit(ws: Workspace, commit: str, ancestors: bool = False, *, db: SnapshotDB | None = None,
                       notes: str | None = None) -> str | None:
    """The newest snapshot recorded on `commit` (or, with `ancestors`, on its nearest first-parent
    ancestor that has one). `db` and `notes` (a notes commit) answer as of a merge not yet published."""
    if not ancestors:
        ids = snapshots_on(ws, commit, db=db, notes=notes)
        return ids[-1] if ids else None
    found = nearest_snapshotted(ws, commit, db=db, notes=notes)
    return found[1][-1] if found else None


def baseline(ws: Workspace) -> tuple[SnapshotContent, tuple[str, ...]] | None:
    """What `status` compares with: the snapshot of HEAD, else of its nearest snapshotted first-parent
    ancestor (never a snapshot of another branch). When that commit carries several, the one current
    here (last taken or restored in this worktree) if it is among them, else the newest. A snapshot
    restored here stays the baseline while HEAD has not moved past a commit with a snapshot of its own
    (restoring v1 on the commit of v3 compares with v1; a later checkout or merge compares with
    what HEAD carries)."""
    head = ws.repo.head()
    if head is None:
        return None
    cur = ws.current()
    at = ws.current_at()
    cur_id = cur[0].id if cur else None
    if cur and at and at[0] == cur_id and at[1] == head:  # the fast path: no object read
        return cur
    found = nearest_snapshotted(ws, head)
    if cur and cur_id and ws.db.exists(cur_id):
        if found and cur_id in found[1]:
            return cur
        if at and at[0] == cur_id and at[1] and (at[1] == head or is_ancestor(ws.repo, at[1], head)) \
                and (found is None or is_ancestor(ws.repo, found[0], at[1])):
            return cur  # HEAD moved on from where it was restored, past no other snapshot
    if found is None:
        return None
    info = ws.db.get(found[1][-1])
    return info.content, info.meta.tags


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
        ids = snapshots_on(ws, commit)
        if len(ids) > 1:
            listed = ", ".join(f"{i[:12]} ({', '.join(ws.db.get(i).meta.tags) or 'untagged'})" for i in ids)
            raise DwsError(f"commit {commit[:12]} ('{text}') has {len(ids)} snapshots: {listed}",
                           "name one by its tag or id (git dws report history lists them)")
        if ids:
            return ids[0]
    raise SnapshotNotFound(f"no snapshot named '{text}'", pending_hint(ws, text)
                           or "`git dws report history` lists snapshots with their ids and tags")


def unmerged(ws: Workspace, name: str | None = None) -> str | None:
    """Why this clone may lack snapshots that plain git already brought: a fetched snapshot database
    (git fetch with git-dws's refspecs) not merged into ours, or snapshot tags (git clone/fetch follow
    tags) naming snapshots we do not have. With `name`, only that tag is checked (a cheap question on
    an error path); else every tag. None when nothing is pending."""
    repo = ws.repo
    mine = ws.db.tip()
    for r in exchange.git_remotes(ws.root):
        for ref in (exchange.dws_prefix(r) + "manifests", exchange.old_dws_prefix(r) + "manifests"):
            theirs = repo.ref(ref)
            if theirs and theirs != mine and (mine is None or not is_ancestor(repo, theirs, mine)):
                return f"snapshots fetched from '{r}' are not merged into this clone yet"
    tags = {f"refs/tags/{name}": repo.ref(f"refs/tags/{name}")} if name else repo.refs("refs/tags/")
    for ref, oid in sorted(tags.items()):
        info = repo.tag_info(oid) if oid else None
        found = _TRAILER.findall(info[1]) if info else []
        if found and not ws.db.exists(found[-1]):
            tag = ref[len("refs/tags/"):]
            return f"tag '{tag}' names snapshot {found[-1][:12]}, which this clone does not have yet"
    return None


def pending_hint(ws: Workspace, name: str | None = None) -> str | None:
    """The hint for `unmerged`: plain git carries tags and refs, `git dws pull` merges them."""
    why = unmerged(ws, name)
    return f"{why} (plain git clone/fetch does not merge snapshots): run git dws pull" if why else None


def latest(ws: Workspace) -> str | None:
    history = ws.db.history()
    return history[-1].id if history else None
