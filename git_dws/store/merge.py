"""Merging another clone's snapshot database and notes into ours, without losing either side's
snapshots.

The manifest tree is keyed by snapshot id, so a merge is a three-way union of `snapshots/<id>` entries:
an entry changed on one side only takes that side; added on both, or its metadata changed on both, the
metadata is merged (tags united, the newer message kept); deleted on one side and untouched on the other
it stays deleted; deleted on one side but changed on the other it is kept. Notes are line sets
(`snapshot <id>`), merged as unions. Both results are merge commits with both parents; objects only,
the caller moves the refs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import BadManifest
from ..model.snapshot import SnapshotMeta, note_bytes, note_lines
from .git import git_run
from .repo import MODE_TREE, Identity, Repo, TreeEntry
from .snapdb import read_number


@dataclass(frozen=True, slots=True)
class Merged:
    commit: str | None  # the new tip (None: nothing on either side)
    kind: str  # "same" | "ours" (theirs already in) | "fast-forward" | "merge"
    added: list[str] = field(default_factory=list)  # snapshot ids (or note targets) new to us


def is_ancestor(repo: Repo, a: str, b: str) -> bool:
    return git_run(repo.workdir, "merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def merge_base(repo: Repo, a: str, b: str) -> str | None:
    proc = git_run(repo.workdir, "merge-base", a, b, check=False)
    out = proc.stdout.decode().strip()
    return out or None


def _classify(repo: Repo, ours: str | None, theirs: str | None) -> Merged | None:
    if theirs is None or ours == theirs:
        return Merged(ours, "same")
    if ours is None or is_ancestor(repo, ours, theirs):
        return Merged(theirs, "fast-forward")
    if is_ancestor(repo, theirs, ours):
        return Merged(ours, "ours")
    return None


def _snapshots(repo: Repo, commit: str | None) -> dict[str, TreeEntry]:
    if commit is None:
        return {}
    e = repo.tree_path(commit, "snapshots")
    return {x.name: x for x in repo.tree_entries(e.id)} if e else {}


def _top(repo: Repo, commit: str | None) -> dict[str, TreeEntry]:
    return {e.name: e for e in repo.tree_entries(repo.commit_tree_id(commit))} if commit else {}


def _three_way(base: TreeEntry | None, ours: TreeEntry | None, theirs: TreeEntry | None) -> TreeEntry | str | None:
    """The merged entry, or "conflict" when both sides changed it differently."""
    if ours == theirs:
        return ours
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    return "conflict"


def _meta(repo: Repo, entry: TreeEntry) -> tuple[dict[str, TreeEntry], SnapshotMeta]:
    files = {e.name: e for e in repo.tree_entries(entry.id)} if entry.is_tree else {}
    if "SNAPSHOT" not in files:
        raise BadManifest("the snapshot has no SNAPSHOT blob", "SNAPSHOT", snapshot=entry.name)
    try:
        return files, SnapshotMeta.from_bytes(repo.read_blob(files["SNAPSHOT"].id))
    except BadManifest as e:
        raise e.at(snapshot=entry.name) from None


def _merge_snapshot(repo: Repo, ours: TreeEntry, theirs: TreeEntry) -> TreeEntry:
    of, om = _meta(repo, ours)
    tf, tm = _meta(repo, theirs)
    newer_files, newer = (tf, tm) if (tm.updated_timestamp or tm.timestamp) > (om.updated_timestamp or om.timestamp) \
        else (of, om)
    meta = replace(newer, tags=tuple(sorted({*om.tags, *tm.tags})))
    files = dict(newer_files)
    files["SNAPSHOT"] = TreeEntry("SNAPSHOT", repo.write_blob(meta.to_bytes()), 0o100644)
    return TreeEntry(ours.name, repo.write_tree(list(files.values())), MODE_TREE)


def merge_manifests(repo: Repo, ours: str | None, theirs: str | None, who: Identity) -> Merged:
    quick = _classify(repo, ours, theirs)
    if quick is not None:
        added = sorted(set(_snapshots(repo, theirs)) - set(_snapshots(repo, ours))) \
            if quick.kind == "fast-forward" else []
        return replace(quick, added=added)
    assert ours is not None and theirs is not None
    base = merge_base(repo, ours, theirs)
    b, o, t = _snapshots(repo, base), _snapshots(repo, ours), _snapshots(repo, theirs)
    merged: dict[str, TreeEntry] = {}
    for sid in sorted(set(b) | set(o) | set(t)):
        r = _three_way(b.get(sid), o.get(sid), t.get(sid))
        if r == "conflict":
            oe, te = o.get(sid), t.get(sid)
            r = _merge_snapshot(repo, oe, te) if oe and te else (oe or te)  # changed beats deleted
        if isinstance(r, TreeEntry):
            merged[sid] = r
    top_b, top_o, top_t = _top(repo, base), _top(repo, ours), _top(repo, theirs)
    top: dict[str, TreeEntry] = {}
    for name in sorted(set(top_b) | set(top_o) | set(top_t)):
        if name == "snapshots":
            continue
        r = _three_way(top_b.get(name), top_o.get(name), top_t.get(name))
        if r == "conflict" and name == "NUMBER":  # both sides gave numbers: continue after the larger
            high = max(read_number(repo, top_o[name].id), read_number(repo, top_t[name].id))
            r = TreeEntry(name, repo.write_blob(b"%d\n" % high), 0o100644)
        elif r == "conflict":
            r = top_o.get(name)
        if isinstance(r, TreeEntry):
            top[name] = r
    top["snapshots"] = TreeEntry("snapshots", repo.write_tree(list(merged.values())), MODE_TREE)
    tree = repo.write_tree(list(top.values()))
    added = sorted(set(merged) - set(o))
    commit = repo.write_commit(tree, [ours, theirs], f"Merge snapshots ({len(added)} new)", who)
    return Merged(commit, "merge", added)


def merge_notes(repo: Repo, ours_ref: str, theirs_ref: str, who: Identity) -> Merged:
    """Union the notes of `theirs_ref` into those of `ours_ref` (both refs)."""
    ours, theirs = repo.ref(ours_ref), repo.ref(theirs_ref)
    quick = _classify(repo, ours, theirs)
    if quick is not None:
        return quick
    assert ours is not None and theirs is not None
    mine = repo.notes_list(ours_ref)
    changes: dict[str, bytes | None] = {}
    for target, blob in repo.notes_list(theirs_ref).items():
        if mine.get(target) == blob:
            continue
        ids = note_lines(repo.read_blob(blob))
        have = note_lines(repo.read_blob(mine[target])) if target in mine else []
        if set(ids) - set(have):
            changes[target] = note_bytes([*have, *ids])
    single, _ = repo.notes_commit(ours_ref, changes, who, "Merge snapshot notes")
    commit = repo.write_commit(repo.commit_tree_id(single), [ours, theirs], "Merge snapshot notes", who)
    return Merged(commit, "merge", sorted(changes))
