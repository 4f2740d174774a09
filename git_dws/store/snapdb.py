"""The snapshot database: the orphan branch refs/dws/manifests.

Its tip tree holds every live snapshot, keyed by id:
  FORMAT                              "git-dws manifests 1"
  snapshots/<id>/CONTENT              canonical content JSON; its git blob id is <id>
  snapshots/<id>/SNAPSHOT             metadata JSON (time, host, message, tags, metrics)
  snapshots/<id>/resources/<name>     manifest tree of each resource (a gitlink for external repos)
Each snapshot adds one commit. Keying by id makes lookup O(1), a prefix search one sorted listing, and
merging two clones' branches a union of entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AmbiguousSnapshot, BadManifest, DwsError, SnapshotNotFound
from ..model.snapshot import SnapshotContent, SnapshotInfo, SnapshotMeta
from .repo import MODE_TREE, Identity, Repo, TreeEntry

FORMAT_BLOB = b"git-dws manifests 1\n"


@dataclass(frozen=True, slots=True)
class NewSnapshot:
    content: SnapshotContent
    meta: SnapshotMeta
    resource_trees: dict[str, TreeEntry]  # name -> tree or gitlink entry
    extra: dict[str, TreeEntry] | None = None  # e.g. lineage/


class SnapshotDB:
    def __init__(self, repo: Repo, ref: str, at: str | None = None) -> None:
        self.repo = repo
        self.ref = ref
        self._at = at  # a fixed commit (a merge not yet published), else the ref's tip
        self._cache_tip: str | None = None
        self._cache: dict[str, TreeEntry] = {}

    def tip(self) -> str | None:
        return self._at or self.repo.ref(self.ref)

    def at(self, commit: str | None) -> SnapshotDB:
        """The database as of `commit` (e.g. a merged tip before the ref moves), read-only use."""
        return SnapshotDB(self.repo, self.ref, commit) if commit else self

    def _entries(self) -> dict[str, TreeEntry]:
        tip = self.tip()
        if tip != self._cache_tip:
            self._cache_tip = tip
            self._cache = {}
            if tip:
                fmt = self.repo.tree_path(tip, "FORMAT")
                if fmt is not None and self.repo.read_blob(fmt.id) != FORMAT_BLOB:
                    raise DwsError(f"{self.ref} was written by a newer git-dws",
                                   "upgrade git-dws: pip install -U git-dws")
                snaps = self.repo.tree_path(tip, "snapshots")
                if snaps:
                    self._cache = {e.name: e for e in self.repo.tree_entries(snaps.id)}
        return self._cache

    def next_number(self) -> int:
        """1 + the highest number ever given (NUMBER at the tip), so a deleted snapshot's number, and
        the results directory named after it, is never handed out again."""
        tip = self.tip()
        entry = self.repo.tree_path(tip, "NUMBER") if tip else None
        if entry is not None:
            return read_number(self.repo, entry.id) + 1
        return max((s.meta.number for s in self.history()), default=0) + 1

    def entry_ids(self) -> dict[str, str]:
        """snapshot id -> tree id of its entry: equal ids, equal snapshots (content and metadata)."""
        return {sid: e.id for sid, e in self._entries().items()}

    def ids(self) -> list[str]:
        return sorted(self._entries())

    def exists(self, sid: str) -> bool:
        return sid in self._entries()

    def get(self, sid: str) -> SnapshotInfo:
        entry = self._entries().get(sid)
        if entry is None:
            raise SnapshotNotFound(f"no snapshot {sid}", "list them with `git dws report history`")
        try:
            if not entry.is_tree:
                raise BadManifest("a snapshot entry is not a directory", sid)
            files = {e.name: e for e in self.repo.tree_entries(entry.id)}
            for name in ("CONTENT", "SNAPSHOT"):
                if name not in files or files[name].mode != 0o100644:
                    raise BadManifest(f"the snapshot has no {name} blob", name)
            if files["CONTENT"].id != sid:  # the id is the blob id of CONTENT: self-verifying
                raise BadManifest("CONTENT does not match the snapshot id", "CONTENT")
            content = SnapshotContent.from_bytes(self.repo.read_blob(files["CONTENT"].id))
            meta = SnapshotMeta.from_bytes(self.repo.read_blob(files["SNAPSHOT"].id))
        except BadManifest as e:
            raise e.at(snapshot=sid) from None
        return SnapshotInfo(sid, content, meta)

    def resource_entries(self, sid: str) -> dict[str, TreeEntry]:
        """resources/<name> entries of a snapshot (trees, or gitlinks for external repositories)."""
        entry = self._entries().get(sid)
        e = self.repo.tree_path(entry.id, "resources") if entry else None
        return {x.name: x for x in self.repo.tree_entries(e.id)} if e is not None and e.is_tree else {}

    def resource_tree(self, sid: str, name: str) -> TreeEntry | None:
        entry = self._entries().get(sid)
        return self.repo.tree_path(entry.id, f"resources/{name}") if entry else None

    def history(self) -> list[SnapshotInfo]:
        """Oldest first."""
        infos = [self.get(i) for i in self._entries()]
        return sorted(infos, key=lambda s: (s.meta.number, s.meta.timestamp, s.id))

    def by_prefix(self, prefix: str) -> str | None:
        hits = [i for i in self._entries() if i.startswith(prefix)]
        if len(hits) > 1:
            raise AmbiguousSnapshot(prefix, hits)
        return hits[0] if hits else None

    def write(self, add: list[NewSnapshot], remove: list[str], update_meta: dict[str, SnapshotMeta],
              message: str, who: Identity) -> tuple[str, str | None]:
        """Write a new manifest commit (objects only; the caller moves the ref). Returns (new, old)."""
        old = self.tip()
        snaps = dict(self._entries())
        for sid in remove:
            snaps.pop(sid, None)
        for sid, meta in update_meta.items():
            if sid not in snaps:
                raise SnapshotNotFound(f"no snapshot {sid}")
            files = {e.name: e for e in self.repo.tree_entries(snaps[sid].id)}
            files["SNAPSHOT"] = TreeEntry("SNAPSHOT", self.repo.write_blob(meta.to_bytes()), 0o100644)
            snaps[sid] = TreeEntry(sid, self.repo.write_tree(list(files.values())), MODE_TREE)
        for new in add:
            content_blob = self.repo.write_blob(new.content.to_bytes())
            if content_blob != new.content.id:
                raise DwsError("internal error: snapshot id does not match its content",
                               "please report this bug; nothing was changed")
            resources = self.repo.write_tree(
                [TreeEntry(n, e.id, e.mode) for n, e in sorted(new.resource_trees.items())]
            )
            parts = [
                TreeEntry("CONTENT", content_blob, 0o100644),
                TreeEntry("SNAPSHOT", self.repo.write_blob(new.meta.to_bytes()), 0o100644),
                TreeEntry("resources", resources, MODE_TREE),
                *(new.extra or {}).values(),
            ]
            snaps[new.content.id] = TreeEntry(new.content.id, self.repo.write_tree(parts), MODE_TREE)
        number = max([self.next_number() - 1, *(n.meta.number for n in add)])
        root = [
            TreeEntry("FORMAT", self.repo.write_blob(FORMAT_BLOB), 0o100644),
            TreeEntry("NUMBER", self.repo.write_blob(b"%d\n" % number), 0o100644),
            TreeEntry("snapshots", self.repo.write_tree(list(snaps.values())), MODE_TREE),
        ]
        tree = self.repo.write_tree(root)
        return self.repo.write_commit(tree, [old] if old else [], message, who), old


def read_number(repo: Repo, blob: str) -> int:
    """The NUMBER blob: the highest snapshot number ever given (it may come from another clone)."""
    text = repo.read_blob(blob)
    if not text.rstrip(b"\n").isdigit() or len(text) > 20:
        raise BadManifest("NUMBER is not a whole number", text[:40].decode("utf-8", "replace"))
    return int(text)
