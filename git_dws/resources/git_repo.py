"""git (external repository): a resource that is its own git repository with an origin. A snapshot
records its HEAD commit, as a gitlink in the manifest tree; restore checks that commit out (the branch
itself when the commit is its tip, else a detached HEAD, so no commit is ever lost); push and pull go
to its own origin, unless it is read-only."""

from __future__ import annotations

import os
import re
import tempfile
from typing import TYPE_CHECKING, ClassVar

from ..errors import ConfigError, DwsError
from ..model.diff import Changes, compare
from ..model.manifest import FileEntry
from ..model.validate import check_oid
from ..progress import Progress
from ..store.git import git_oneline, git_run, git_zsplit
from ..store.repo import MODE_COMMIT, Repo
from . import files as filemod
from .base import RestorePlan

if TYPE_CHECKING:
    from ..config import ResourceSpec
    from ..workspace import Workspace


_BRANCH = re.compile(r"[A-Za-z0-9._/-]+")  # what add git writes; git's own rules are wider but need no more


class GitRepo:
    kind: ClassVar[str] = "git"
    manifest_mode: ClassVar[int] = MODE_COMMIT

    @staticmethod
    def check_manifest(repo: Repo, tree: str) -> None:
        check_oid(tree)  # a gitlink: the commit lives in the resource's own repository

    def __init__(self, ws: Workspace, spec: ResourceSpec) -> None:
        self.ws = ws
        self.spec = spec

    @property
    def local_path(self) -> str:
        return self.ws.resource_path(self.spec.name, self.spec.path)

    @property
    def branch(self) -> str:
        branch = str(self.spec.params.get("branch", "") or "")
        if branch.startswith("-") or not _BRANCH.fullmatch(branch or "x"):  # from .dws.toml: never an option
            raise ConfigError(f"resource '{self.spec.name}' has an invalid branch {branch!r}",
                              "fix it: git dws config --resource NAME branch BRANCH")
        return branch

    @property
    def origin(self) -> str:
        url = str(self.spec.params.get("remote_origin_url", ""))
        if url.startswith("-") or "\n" in url:  # from .dws.toml: an argument, never an option
            raise ConfigError(f"resource '{self.spec.name}' has an invalid origin URL {url!r}",
                              "fix remote_origin_url in .dws.toml")
        return url

    def _exists(self) -> bool:
        return os.path.exists(os.path.join(self.local_path, ".git"))

    def _need(self) -> None:
        if not self._exists():
            raise DwsError(f"the repository of resource '{self.spec.name}' is missing at {self.local_path}",
                           f"clone it there (git clone {self.origin} {self.local_path}) or run git dws pull")

    def _git(self, *args: str, check: bool = True) -> str:
        proc = git_run(self.local_path, *args, check=check)
        return proc.stdout.decode("utf-8", "surrogateescape").strip()

    def head(self) -> str:
        return git_oneline(self.local_path, "rev-parse", "--verify", "HEAD")

    def dirty_paths(self) -> list[str]:
        out = []
        for rec in git_zsplit(self.local_path, "status", "--porcelain", "-z", "--untracked-files=all"):
            if len(rec) > 3 and rec[2] == " ":
                out.append(rec[3:])
        return sorted(out)

    def _has_commit(self, commit: str) -> bool:
        return git_run(self.local_path, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode == 0

    def _ensure_commit(self, commit: str) -> None:
        if not self._has_commit(commit):
            git_run(self.local_path, "fetch", "-q", "origin", check=False)
        if not self._has_commit(commit):
            raise DwsError(f"commit {commit[:12]} of resource '{self.spec.name}' is not in its repository "
                           "or its origin", "push it from the clone that made it (git dws push)")

    # -- the protocol -----------------------------------------------------------------------------------
    def snapshot(self, progress: Progress) -> str:
        self._need()
        if self.dirty_paths():
            if self.spec.read_only:
                raise DwsError(f"read-only resource '{self.spec.name}' has uncommitted changes",
                               f"discard them (git -C {self.local_path} stash) or make it writable")
            git_run(self.local_path, "add", "-A")
            git_run(self.local_path, "commit", "-q", "--no-verify", "-m", "git dws: autocommit ahead of snapshot")
        return self.head()

    def files(self, tree: str) -> dict[str, FileEntry]:
        self._ensure_commit(tree)
        return self._ls(tree)

    def _ls(self, treeish: str) -> dict[str, FileEntry]:
        out = {}
        for rec in git_zsplit(self.local_path, "ls-tree", "-r", "-z", "--full-tree", treeish):
            meta, _, path = rec.partition("\t")
            mode, _, oid = meta.split(" ")
            out[path] = FileEntry(path, int(mode, 8), oid, 0)
        return out

    def _current(self) -> dict[str, FileEntry]:
        """Files of the working tree as git would commit them, via a throw-away index."""
        with tempfile.TemporaryDirectory(prefix="dws-index-") as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            git_run(self.local_path, "read-tree", "HEAD", env=env)
            git_run(self.local_path, "add", "-A", env=env)
            tree = git_run(self.local_path, "write-tree", env=env).stdout.decode().strip()
        return self._ls(tree)

    def status(self, base_tree: str | None, progress: Progress) -> Changes:
        self._need()
        if base_tree and self.head() == base_tree and not self.dirty_paths():
            return Changes()
        return compare(self.files(base_tree) if base_tree else {}, self._current())

    def plan_restore(self, tree: str, progress: Progress) -> RestorePlan:
        self._need()
        dirty = self.dirty_paths()
        if self.head() == tree and not dirty:
            return RestorePlan(self.spec.name, tree, Changes())
        changes = compare(self._current(), self.files(tree))  # same files at another commit: left alone
        return RestorePlan(self.spec.name, tree, changes, dirty)

    def restore(self, plan: RestorePlan, progress: Progress) -> None:
        force = ["-f"] if plan.unsafe else []
        tip = git_run(self.local_path, "rev-parse", "--verify", "-q", f"refs/heads/{self.branch}",
                      check=False).stdout.decode().strip() if self.branch else ""
        if tip == plan.tree:
            git_run(self.local_path, "checkout", "-q", *force, self.branch)
        else:
            self._ensure_commit(plan.tree)
            git_run(self.local_path, "checkout", "-q", *force, "--detach", plan.tree)
        if plan.unsafe:
            git_run(self.local_path, "clean", "-fdq")

    def move_results(self, dest_rel: str, exclude: list[str]) -> int:
        return filemod.move_results(self.local_path, dest_rel, exclude)

    # -- travel -------------------------------------------------------------------------------------------
    def push_precheck(self) -> None:
        if self.spec.read_only or not self._exists():
            return
        if self.dirty_paths():
            raise DwsError(f"resource '{self.spec.name}' has uncommitted changes",
                           "take a snapshot (it commits them) or commit them, then push")
        git_run(self.local_path, "fetch", "-q", "origin", check=False)
        behind = self._git("rev-list", "--count", f"HEAD..refs/remotes/origin/{self.branch}", check=False)
        if behind and behind != "0":
            raise DwsError(f"resource '{self.spec.name}' is {behind} commit(s) behind its origin",
                           "run git dws pull first; nothing was pushed")

    def push_remote(self, progress: Progress) -> str | None:
        if self.spec.read_only or not self._exists() or not self.branch:
            return None
        proc = git_run(self.local_path, "push", "-q", "origin", f"refs/heads/{self.branch}", check=False)
        if proc.returncode != 0:
            last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
            raise DwsError(f"pushing resource '{self.spec.name}' to its origin failed: {last}",
                           "fix it (git -C PATH push), then run git dws push again")
        return f"pushed {self.branch}"

    def pull_remote(self, progress: Progress) -> str | None:
        if not self._exists():
            return self.clone_into(progress)
        git_run(self.local_path, "fetch", "-q", "origin", check=False)
        if not self.branch or self._git("symbolic-ref", "-q", "HEAD", check=False) != f"refs/heads/{self.branch}":
            return None
        before = self.head()
        proc = git_run(self.local_path, "merge", "--ff-only", "-q", f"refs/remotes/origin/{self.branch}",
                       check=False)
        if proc.returncode != 0:
            return "diverged from its origin; left as is"
        return "fast-forwarded" if self.head() != before else None

    def clone_into(self, progress: Progress) -> str | None:
        if self._exists():
            git_run(self.local_path, "fetch", "-q", "origin", check=False)
            return None
        os.makedirs(os.path.dirname(self.local_path) or ".", exist_ok=True)
        branch = ["--branch", self.branch] if self.branch else []
        proc = git_run(os.path.dirname(self.local_path), "clone", "-q", *branch, "--", self.origin, self.local_path,
                       check=False)
        if proc.returncode != 0:
            last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
            raise DwsError(f"cannot clone resource '{self.spec.name}' from {self.origin}: {last}",
                           f"check its origin, or set its path: git config dws-resource.{self.spec.name}.path DIR")
        return f"cloned from {self.origin}"
