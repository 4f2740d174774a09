"""git-subdirectory: a directory of the workspace's own repository. Git holds the content; the manifest
is the subdirectory's git tree. Snapshot commits pending changes of the directory; restore writes the
snapshot's tree back as a new commit on the current branch, so history is kept."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING, ClassVar

from ..model.diff import Changes, compare
from ..model.manifest import FileEntry
from ..model.paths import resource_dir
from ..progress import Progress
from ..store.git import git_oneline, git_run
from ..store.repo import EMPTY_TREE, Repo, replace_subtree
from . import files as filemod
from .base import RestorePlan

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace


class GitSubdirectory:
    kind: ClassVar[str] = "git-subdirectory"

    @staticmethod
    def check_manifest(repo: Repo, tree: str) -> None:
        filemod.check_git_tree(repo, tree)

    def __init__(self, ws: Workspace, spec: ResourceSpec) -> None:
        self.ws = ws
        self.spec = spec

    @property
    def local_path(self) -> str:
        return resource_dir(self.ws.root, self.spec.name, self.spec.path, None)  # inside the workspace, always

    def head_tree(self) -> str:
        head = self.ws.repo.head()
        e = self.ws.repo.tree_path(head, self.spec.path) if head else None
        return e.id if e is not None and e.is_tree else EMPTY_TREE

    def current_tree(self) -> str:
        """The tree the directory would have if committed now (tracked and untracked, minus ignored),
        computed in a throw-away copy of the index: the user's index is never touched."""
        repo = self.ws.repo
        if not os.path.isdir(self.local_path):
            return EMPTY_TREE  # gone from the working tree (git add would not even match the path)
        with tempfile.TemporaryDirectory(prefix="dws-index-") as tmp:
            index = os.path.join(tmp, "index")
            src = os.environ.get("GIT_INDEX_FILE") or os.path.join(repo.git_dir, "index")
            if os.path.exists(src):
                # copy2 keeps the index's mtime: git trusts an entry's stat only if the entry is older
                # than the index file (racy-git), and git compares whole seconds here, so a fresh mtime
                # would hide a same-size edit made in the same second.
                shutil.copy2(src, index)
            env = {"GIT_INDEX_FILE": index}
            git_run(self.ws.root, "add", "-A", "--ignore-errors", "--", self.spec.path, env=env)
            proc = git_run(self.ws.root, "write-tree", f"--prefix={self.spec.path}/", env=env, check=False)
            if proc.returncode != 0 and b"not found" in proc.stderr:
                return EMPTY_TREE  # nothing in it git would commit (an empty directory)
            if proc.returncode != 0:
                tree = git_oneline(self.ws.root, "write-tree", f"--prefix={self.spec.path}/", env=env)  # raises
            tree = proc.stdout.decode().strip()
        return tree or EMPTY_TREE

    def snapshot(self, progress: Progress) -> str:
        tree = self.head_tree()  # pending changes were committed by the snapshot use case
        return tree if tree != EMPTY_TREE else self.ws.repo.write_tree([])  # make sure the object exists

    def files(self, tree: str, prefix: str = "") -> dict[str, FileEntry]:
        out: dict[str, FileEntry] = {}
        for e in self.ws.repo.tree_entries(tree):
            if e.is_tree:
                out.update(self.files(e.id, prefix + e.name + "/"))
            else:
                out[prefix + e.name] = FileEntry(prefix + e.name, e.mode, e.id, 0)
        return out

    def status(self, base_tree: str | None, progress: Progress) -> Changes:
        current = self.current_tree()
        if current == base_tree:
            return Changes()
        return compare(self.files(base_tree) if base_tree else {}, self.files(current))

    def plan_restore(self, tree: str, progress: Progress) -> RestorePlan:
        filemod.check_git_tree(self.ws.repo, tree)  # refuse a crafted tree ourselves, with its snapshot named
        current = self.current_tree()
        changes = compare(self.files(current), self.files(tree))
        uncommitted = compare(self.files(self.head_tree()), self.files(current))
        unsafe = [*uncommitted.added, *uncommitted.modified, *uncommitted.deleted]
        return RestorePlan(self.spec.name, tree, changes, sorted(unsafe))

    def restore(self, plan: RestorePlan, progress: Progress) -> None:
        repo, root, path = self.ws.repo, self.ws.root, self.spec.path
        head = repo.head()
        if head is None or (plan.changes.clean and self.head_tree() == plan.tree):
            return
        if plan.unsafe:  # forced: drop the uncommitted changes of this directory only
            if self.head_tree() != EMPTY_TREE:
                git_run(root, "checkout", "-q", "-f", "HEAD", "--", path)
            git_run(root, "clean", "-fdq", "--", path)
        new_root = replace_subtree(repo, repo.commit_tree_id(head), path, plan.tree)
        message = f"Restore {self.spec.name} to snapshot {plan.snapshot[:12]}\n\nBy git dws restore."
        commit = repo.write_commit(new_root, [head], message, repo.identity())
        # A copied workspace (cp -a) has new inodes and times: without a refresh read-tree sees every
        # entry as "not uptodate" and refuses.
        git_run(root, "update-index", "-q", "--refresh", check=False)
        git_run(root, "read-tree", "-m", "-u", "HEAD", commit)  # index + work tree, refuses to clobber
        repo.update_refs([(repo.head_ref() or "HEAD", commit, head)], f"git dws restore {self.spec.name}")

    def move_results(self, dest_rel: str, exclude: list[str]) -> int:
        return filemod.move_results(self.local_path, dest_rel, exclude)
