"""Take a snapshot: results move, git-subdirectory changes are committed, every resource is recorded,
then the manifest commit, the note and the tag are written as objects and the three refs move together
in one compare-and-swap transaction. A crash before that transaction leaves only unreferenced objects."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass, replace
from typing import Any

from ..errors import BatchModeError, DwsError, UserAbort
from ..interact import Confirm
from ..lineage.export import copy_results
from ..lineage.freeze import Freeze
from ..model import template
from ..model.names import check_tag
from ..model.snapshot import ResourceState, SnapshotContent, SnapshotMeta, note_bytes, note_lines
from ..progress import NULL, Progress
from ..resources import registry
from ..resources.git_subdir import GitSubdirectory
from ..store import travel
from ..store.repo import TreeEntry
from ..store.snapdb import NewSnapshot
from ..workspace import MANIFESTS_REF, NOTES_REF, Workspace, stage_commit
from .resolve import snapshot_of_tag


@dataclass(frozen=True, slots=True)
class SnapshotResult:
    id: str
    tag: str | None
    number: int
    new: bool  # False: same content as an existing snapshot, its metadata was updated
    workspace_commit: str
    results_dir: str | None
    results_moved: int


def take_snapshot(ws: Workspace, tag: str | None = None, message: str = "", *,
                  progress: Progress = NULL, confirm: Confirm | None = None,
                  for_commit: bool = False) -> SnapshotResult:
    """`for_commit` is the commit hook's mode: record the state of the commit just made, as it is
    (no results move, no commit of resource changes) and quietly do nothing if it is recorded already."""
    with ws.lock():
        return _take(ws, tag, message, progress, confirm, for_commit)


def _take(ws: Workspace, tag: str | None, message: str, progress: Progress,
          confirm: Confirm | None, for_commit: bool) -> SnapshotResult:
    repo, db = ws.repo, ws.db
    moved_from: str | None = None
    old_tag = None
    if tag:
        check_tag(tag)
        old_tag = repo.ref(f"refs/tags/{tag}")
        if old_tag:
            moved_from = snapshot_of_tag(ws, tag)
            what = f"snapshot {moved_from[:12]}" if moved_from else "a commit"
            if confirm is None:
                raise BatchModeError(f"tag '{tag}' already exists for {what}",
                                     "pick another tag, or delete the old one (git dws delete-snapshot)")
            if not confirm(f"Tag '{tag}' already names {what}. Move it to the new snapshot?"):
                raise UserAbort("snapshot cancelled; nothing was changed")

    if repo.head() is None:
        raise DwsError("the workspace has no commit yet", "commit something first (git commit)")
    if not for_commit:
        ws.check_no_unfinished_merge()
    number = db.next_number()
    now = dt.datetime.now().astimezone()
    resources = [registry.load(ws, spec) for spec in ws.config.resources]
    lineage = Freeze(ws, [r.spec.name for r in resources])  # fails now on unresolvable placeholders
    metrics = _read_metrics(ws, resources)
    # Capture what can fail (unreadable files, missing directories) before anything is moved or
    # committed, so a failed snapshot leaves the working tree as it was.
    early = {r.spec.name: r.snapshot(progress) for r in resources
             if r.spec.role != "results" and not isinstance(r, GitSubdirectory)}

    results_dir, moved = None, 0
    results = [r for r in resources if r.spec.role == "results" and not for_commit]
    if results:
        results_dir = template.expand(str(ws.config.param("results.dir_template")),
                                      username=getpass.getuser(), hostname=ws.hostname, number=number,
                                      tag=tag, when=now)
        exclude = list(ws.config.param("results.move_exclude_files"))
        moved = sum(copy_results(r.local_path, results_dir, exclude) if r.spec.params.get("export")
                    else r.move_results(results_dir, exclude) for r in results)  # exported: copied

    # The resources' pending changes become a commit whose branch moves in the same transaction as
    # the snapshot's refs below: a kill in between leaves neither (only the paths staged in the index).
    branch_move: tuple[str, str, str | None] | None = None
    if not for_commit:  # only directories that changed: an untouched index stays byte-for-byte the same
        changed = [r.spec.path for r in resources
                   if isinstance(r, GitSubdirectory) and r.current_tree() != r.head_tree()]
        made = stage_commit(ws.root, tuple(changed), f"Snapshot {tag or number}: commit resource changes") \
            if changed else None
        if made is not None:
            branch_move = (repo.head_ref() or "HEAD", made[0], made[1])
    head = branch_move[1] if branch_move else repo.head()
    assert head is not None

    def state_of(r: Any) -> str:
        if r.spec.name in early:
            return str(early[r.spec.name])
        if isinstance(r, GitSubdirectory) and branch_move:  # its tree in the commit not yet on the branch
            e = repo.tree_path(head, r.spec.path)
            return e.id if e is not None and e.is_tree else repo.write_tree([])
        return str(r.snapshot(progress))

    states = tuple(ResourceState(r.spec.name, r.spec.type, r.spec.role, state_of(r)) for r in resources)
    content = SnapshotContent(states)
    sid = content.id
    tags = (tag,) if tag else ()
    meta = SnapshotMeta(now.isoformat(timespec="seconds"), ws.hostname, message, head, number, tags,
                        metrics, results_dir if moved else None)

    lineage_tree = lineage.tree(repo, {s.name: s.tree for s in states})  # snapshots/<id>/lineage/
    note_ids = note_lines(repo.note(NOTES_REF, head) or b"")
    update: dict[str, SnapshotMeta] = {}
    add = []
    if db.exists(sid):
        old = db.get(sid).meta
        if for_commit:  # a commit's subject never replaces the message of a snapshot it did not make
            message = old.message
        if set(tags) <= set(old.tags) and (not message or message == old.message) and sid in note_ids:
            if for_commit:
                return SnapshotResult(sid, None, old.number, False, head, None, 0)
            raise DwsError(f"no changes since snapshot {sid[:12]} ({', '.join(old.tags) or 'untagged'})",
                           "give a new TAG to tag that snapshot again")
        number = old.number
        if message and old.message and message != old.message and confirm is not None \
                and not confirm(f"Snapshot {sid[:12]} has the message {old.message!r}. Replace it?"):
            message = old.message
        meta = replace(old, tags=tuple(sorted({*old.tags, *tags})), message=message or old.message,
                       workspace_commit=head, updated_timestamp=meta.timestamp,
                       metrics=metrics if metrics is not None else old.metrics,
                       results_dir=meta.results_dir or old.results_dir)
        update[sid] = meta
    else:
        trees = {s.name: TreeEntry(s.name, s.tree, registry.manifest_mode(s.type)) for s in states}
        add.append(NewSnapshot(content, meta, trees, extra=lineage_tree))
    if moved_from and moved_from != sid and tag:
        prev = update.get(moved_from) or db.get(moved_from).meta
        update[moved_from] = prev.with_tags(tuple(t for t in prev.tags if t != tag))

    who = repo.identity()
    manifest, old_manifest = db.write(add, [], update, f"snapshot {sid[:12]}{f' ({tag})' if tag else ''}", who)
    notes, old_notes = repo.notes_commit(NOTES_REF, {head: note_bytes([*note_ids, sid])}, who,
                                         f"git dws snapshot {sid[:12]}")
    refs: list[tuple[str, str | None, str | None]] = [*([branch_move] if branch_move else []),
        (MANIFESTS_REF, manifest, old_manifest),
        (NOTES_REF, notes, old_notes),
    ]
    if tag:
        body = f"{message or 'git-dws snapshot'}\n\nDws-Snapshot: {sid}\n"
        refs.append((f"refs/tags/{tag}", repo.write_tag_object(tag, head, body, who), old_tag))
    repo.update_refs(refs, f"git dws snapshot {sid[:12]}")
    ws.set_current_snapshot(sid)
    if not for_commit:  # a remote added since init carries the snapshots with plain `git push` too
        travel.configure_new(ws.root)
    lineage.commit(sid, [r.spec.name for r in results if moved and not r.spec.params.get("export")],
                   [r.spec.name for r in results] if moved else [], meta.results_dir, files=not for_commit)
    return SnapshotResult(sid, tag, number, not update.get(sid), head, meta.results_dir, moved)


def _read_metrics(ws: Workspace, resources: list[Any]) -> dict[str, Any] | None:
    """Metrics of the first results resource whose root results.json has a `metrics` dict."""
    for r in resources:
        if r.spec.role != "results":
            continue
        try:
            with open(os.path.join(r.local_path, "results.json"), "rb") as f:
                obj = json.load(f)
        except (OSError, ValueError):
            continue
        if isinstance(obj, dict) and isinstance(obj.get("metrics"), dict):
            return dict(obj["metrics"])
    return None
