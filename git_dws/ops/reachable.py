"""Which snapshots are still wanted, and which content objects they need (shared by fsck and gc).

A snapshot is wanted when any of these names it: the tip of the local snapshot database or of a
remote-tracking copy of it (`refs/dws-remote/*/dws/manifests`, or `refs/remotes/*/dws/manifests` in a clone
not migrated yet), a tag (its `Dws-Snapshot:` trailer, or the
note of the commit it points to), or a note in `refs/notes/dws` or a remote-tracking notes ref. A
snapshot named only by a tag or a note is looked up in the history of those branches. This is the
conservative answer DVC's `gc` once lacked: data of a snapshot that lives only on another branch, only in
a tag or only in a clone we fetched from is never garbage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..errors import BadManifest
from ..model.manifest import LISTING, FileEntry, decode_listing, tree_name_to_dir
from ..model.snapshot import SnapshotContent, git_blob_id, note_lines
from ..model.validate import check_component
from ..store.exchange import is_manifest_tracking
from ..store.git import git_run
from ..workspace import MANIFESTS_REF, NOTES_REF, Workspace

# Resource types whose manifests are file listings with content in the content store.
CONTENT_TYPES = ("local-files", "rclone", "s3")
_TRAILER = re.compile(r"^Dws-Snapshot: ([0-9a-f]{40})$", re.M)


@dataclass
class Wanted:
    snapshots: dict[str, SnapshotContent] = field(default_factory=dict)  # found, with their content
    named_by: dict[str, set[str]] = field(default_factory=dict)  # sid -> refs (or "note on C") naming it
    lost: dict[str, set[str]] = field(default_factory=dict)  # named, but in no snapshot database
    damaged: dict[str, str] = field(default_factory=dict)  # sid -> why its CONTENT cannot be read


def manifest_refs(ws: Workspace) -> list[str]:
    refs = ws.repo.refs("refs/")
    return sorted(r for r in refs if r == MANIFESTS_REF or is_manifest_tracking(r))  # both layouts (issue 9)


def notes_refs(ws: Workspace) -> list[str]:
    refs = ws.repo.refs("refs/notes/")
    return sorted(r for r in refs if r == NOTES_REF or (r.startswith("refs/notes/remotes/") and r.endswith("/dws")))


def tag_snapshots(ws: Workspace, tag_oid: str, notes: list[str]) -> list[str]:
    """The snapshots a tag names: its trailer, else the note of the commit it points at."""
    repo = ws.repo
    info = repo.tag_info(tag_oid)
    if info is not None:
        found = _TRAILER.findall(info[1])
        if found:
            return [str(found[-1])]
        tag_oid = info[0]
    out: list[str] = []
    for ref in notes:
        out += note_lines(repo.note(ref, tag_oid) or b"")
    return out


def wanted(ws: Workspace) -> Wanted:
    repo = ws.repo
    w = Wanted()
    entries: dict[str, str] = {}  # sid -> its snapshots/<sid> tree
    mrefs = manifest_refs(ws)
    for ref in mrefs:
        tip = repo.ref(ref)
        snaps = repo.tree_path(tip, "snapshots") if tip else None
        for e in repo.tree_entries(snaps.id) if snaps and snaps.is_tree else []:
            entries.setdefault(e.name, e.id)
            w.named_by.setdefault(e.name, set()).add(ref)
    nrefs = notes_refs(ws)
    for tag, oid in repo.refs("refs/tags/").items():
        for sid in tag_snapshots(ws, oid, nrefs):
            w.named_by.setdefault(sid, set()).add(tag)
    for ref in nrefs:
        for commit, blob in repo.notes_list(ref).items():
            for sid in note_lines(repo.read_blob(blob)):
                w.named_by.setdefault(sid, set()).add(f"the note on {commit[:12]} ({ref})")
    missing = [sid for sid in w.named_by if sid not in entries]
    if missing and mrefs:
        entries.update(_from_history(ws, mrefs, set(missing)))
    for sid, names in w.named_by.items():
        tree = entries.get(sid)
        if tree is None:
            w.lost[sid] = names
            continue
        content = repo.tree_path(tree, "CONTENT")
        try:
            assert content is not None and not content.is_tree
            data = repo.read_blob(content.id)
            if git_blob_id(data) != sid:
                raise ValueError("its CONTENT does not match its id")
            w.snapshots[sid] = SnapshotContent.from_bytes(data)
        except (AssertionError, ValueError, KeyError, TypeError) as e:
            w.damaged[sid] = str(e) or "it has no CONTENT"
    return w


def _from_history(ws: Workspace, refs: list[str], sids: set[str]) -> dict[str, str]:
    """Snapshots deleted from every tip but still named somewhere: their entries in older commits."""
    out: dict[str, str] = {}
    commits = git_run(ws.root, "rev-list", *refs).stdout.decode().split()
    for commit in commits:
        for sid in list(sids):
            e = ws.repo.tree_path(commit, f"snapshots/{sid}")
            if e is not None and e.is_tree:
                out[sid] = e.id
                sids.discard(sid)
        if not sids:
            break
    return out


def walk_listing(ws: Workspace, tree: str, on_error: Callable[[str, Exception], None],
                 prefix: str = "", seen: set[str] | None = None) -> Iterator[FileEntry]:
    """Every file entry of a content-store manifest tree (each tree read once per `seen`); an entry
    that cannot be decoded goes to `on_error(path, exc)` and is skipped."""
    seen = set() if seen is None else seen
    if tree in seen:
        return
    seen.add(tree)
    repo = ws.repo
    for e in repo.tree_entries(tree):
        if e.is_tree:
            name = tree_name_to_dir(e.name)
            try:
                check_component(name)
            except BadManifest as exc:
                on_error(prefix + name, exc)
                continue
            yield from walk_listing(ws, e.id, on_error, prefix + name + "/", seen)
        elif e.name == LISTING:
            try:
                entries = decode_listing(repo.read_blob(e.id), prefix)
            except BadManifest as exc:  # the validator's verdict on a listing another clone may have crafted
                on_error(prefix + LISTING, exc)
                continue
            yield from entries
        else:
            on_error(prefix + e.name, BadManifest("unexpected entry in a manifest tree", prefix + e.name))


def needed(ws: Workspace, snapshots: dict[str, SnapshotContent],
           on_error: Callable[[str, str, Exception], None] | None = None) -> dict[str, int]:
    """digest -> size of every content object the snapshots reference."""
    out: dict[str, int] = {}
    seen: set[str] = set()
    for sid, content in sorted(snapshots.items()):
        for r in content.resources:
            if r.type not in CONTENT_TYPES:
                continue

            def err(path: str, exc: Exception, sid: str = sid, name: str = r.name) -> None:
                if on_error is not None:
                    on_error(sid, f"{name}/{path}", exc)

            if not ws.repo.has_object(r.tree):  # we cannot know what it needs: callers must not guess
                err("", BadManifest("its manifest tree is not in this repository", r.tree))
                continue
            for fe in walk_listing(ws, r.tree, err, "", seen):
                if fe.digest and not fe.is_link:
                    out[fe.digest] = fe.size
    return out
