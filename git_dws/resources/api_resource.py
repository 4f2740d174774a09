"""api-resource: data fetched from an API (a database query, a web service) that git-dws cannot read.
Its version is a hash the step computes over the data it fetched and hands over through the lineage API
(`set_api_resource_hash`); it is kept per machine under `$GIT_DIR/dws/api/<name>.json`. A snapshot records
that hash as the resource's content (a one-entry manifest tree, or the empty tree when no step has given a
hash yet). Never restored: restore only reports when the hash differs."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, ClassVar

from ..errors import BadManifest, DwsError
from ..model.diff import Changes, compare
from ..model.manifest import MODE_FILE, FileEntry
from ..progress import Progress
from ..store.repo import EMPTY_TREE, Repo, TreeEntry
from .base import RestorePlan

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace

ENTRY = "api-hash"
ROLES = ("source-data", "intermediate-data")


class ApiResource:
    kind: ClassVar[str] = "api-resource"
    has_files: ClassVar[bool] = False

    @staticmethod
    def check_manifest(repo: Repo, tree: str) -> None:
        for e in repo.tree_entries(tree):
            if e.name != ENTRY or e.mode != MODE_FILE:
                raise BadManifest("an api-resource manifest holds only its hash", e.name)

    def __init__(self, ws: Workspace, spec: ResourceSpec) -> None:
        self.ws = ws
        self.spec = spec

    @property
    def local_path(self) -> str:
        """Its machine-local state directory (it has no files of its own)."""
        return os.path.join(self.ws.state_dir, "api", self.spec.name)

    @property
    def _hash_file(self) -> str:
        return os.path.join(self.ws.state_dir, "api", f"{self.spec.name}.json")

    def current_hash(self) -> tuple[str, str] | None:
        """(hash, comment) last given by a step, or None."""
        try:
            with open(self._hash_file, "rb") as f:
                obj = json.load(f)
            return str(obj["hashval"]), str(obj.get("comment", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save_current_hash(self, hashval: str, comment: str = "") -> None:
        if not hashval or any(c.isspace() for c in hashval):
            raise DwsError(f"bad hash {hashval!r} for api-resource '{self.spec.name}'",
                           "give a non-empty hash without spaces (e.g. a sha256 hex digest of the data)")
        os.makedirs(os.path.dirname(self._hash_file), exist_ok=True)
        tmp = self._hash_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"hashval": hashval, "comment": comment}, f)
        os.replace(tmp, self._hash_file)

    def _tree(self) -> str:
        cur = self.current_hash()
        if cur is None:
            return EMPTY_TREE
        repo = self.ws.repo
        return repo.write_tree([TreeEntry(ENTRY, repo.write_blob(cur[0].encode() + b"\n"), MODE_FILE)])

    def snapshot(self, progress: Progress) -> str:
        return self._tree()

    def files(self, tree: str) -> dict[str, FileEntry]:
        if tree == EMPTY_TREE:
            return {}
        e = self.ws.repo.tree_path(tree, ENTRY)
        if e is None:
            return {}
        value = self.ws.repo.read_blob(e.id).decode("utf-8", "replace").strip()
        return {ENTRY: FileEntry(ENTRY, MODE_FILE, value, 0)}

    def status(self, base_tree: str | None, progress: Progress) -> Changes:
        return compare(self.files(base_tree) if base_tree else {}, self.files(self._tree()))

    def plan_restore(self, tree: str, progress: Progress) -> RestorePlan:
        changes = compare(self.files(self._tree()), self.files(tree))
        return RestorePlan(self.spec.name, tree, changes, [], can_write=False)

    def restore(self, plan: RestorePlan, progress: Progress) -> None:
        raise DwsError(f"api-resource '{self.spec.name}' cannot be restored",
                       "re-fetch the data in your step; its hash is recorded again at the next snapshot")

    def move_results(self, dest_rel: str, exclude: list[str]) -> int:
        return 0
