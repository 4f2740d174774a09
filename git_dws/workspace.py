"""The open workspace: repository, configuration, content store and per-machine settings, in one value
that every use case receives."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property

from .config import FILENAME, WorkspaceConfig
from .errors import DwsError, NotAWorkspace
from .model.names import check_hostname
from .model.paths import resource_dir
from .model.snapshot import SnapshotContent, git_blob_id
from .store import git as gitcmd
from .store import refjournal
from .store.cas import ContentStore
from .store.lock import workspace_lock
from .store.repo import Repo
from .store.snapdb import SnapshotDB

NOTES_REF = "refs/notes/dws"
MANIFESTS_REF = "refs/dws/manifests"


@dataclass
class Workspace:
    repo: Repo
    config: WorkspaceConfig

    @classmethod
    def open(cls, start: str = ".") -> Workspace:
        repo = Repo(start)
        ws = cls(repo, _read_config(repo.workdir))
        if refjournal.pending(repo.common_dir) is not None:  # a command was killed mid-transaction
            with contextlib.suppress(DwsError), ws.lock():  # busy: its owner is still at work
                repo.recover_refs()
        return ws

    def check_no_unfinished_merge(self) -> None:
        """Pre-flight for commands that commit or rewrite resources: refuse before touching anything
        while git is in the middle of a merge (conflicted entries cannot be written as a tree)."""
        conflicted = gitcmd.git_run(self.root, "ls-files", "-u", "-z").stdout
        if conflicted or os.path.exists(os.path.join(self.repo.git_dir, "MERGE_HEAD")):
            raise DwsError("a merge is in progress in this workspace",
                           "finish it (resolve, then git commit) or abort it (git merge --abort) first")

    def reload_config(self) -> None:
        """Read .dws.toml again, after a command moved the branch (pull) and it may have changed."""
        self.config = _read_config(self.root)

    @property
    def root(self) -> str:
        return self.repo.workdir

    @property
    def dws_dir(self) -> str:
        """Shared by all worktrees: content store, lock."""
        return os.path.join(self.repo.common_dir, "dws")

    @property
    def state_dir(self) -> str:
        """Per worktree: stat caches, current snapshot, current lineage."""
        return os.path.join(self.repo.git_dir, "dws")

    @cached_property
    def store(self) -> ContentStore:
        return ContentStore(os.path.join(self.dws_dir, "objects"))

    @cached_property
    def db(self) -> SnapshotDB:
        return SnapshotDB(self.repo, MANIFESTS_REF)

    def lock(self, wait: bool = False) -> AbstractContextManager[None]:
        return workspace_lock(os.path.join(self.dws_dir, "lock"), wait)

    @property
    def hostname(self) -> str:
        return self.repo.config_get("dws.hostname") or default_hostname()

    def resource_path(self, name: str, path: str) -> str:
        """Absolute local path: a machine-local override (git config dws-resource.<name>.path) wins; a
        committed path must stay inside the workspace (model.paths says why)."""
        return resource_dir(self.root, name, path, self.repo.config_get(f"dws-resource.{name}.path"))

    def rel_to_root(self, path: str) -> str | None:
        """`path` relative to the workspace root, or None if it lies outside."""
        rel = os.path.relpath(os.path.realpath(path), self.root)
        return None if rel == ".." or rel.startswith("../") else rel

    # -- current snapshot of this worktree -----------------------------------------------------------
    # $GIT_DIR/dws/HEAD holds the snapshot last taken or restored here: a line of tags, then its CONTENT
    # bytes. Content is immutable and self-verifying (its git blob id is the snapshot id), so status can
    # compare against it without opening the object database.
    def current(self) -> tuple[SnapshotContent, tuple[str, ...]] | None:
        try:
            with open(os.path.join(self.state_dir, "HEAD"), "rb") as f:
                tags, _, content = f.read().partition(b"\n")
            parsed = SnapshotContent.from_bytes(content)
        except (OSError, ValueError, KeyError, DwsError):
            return None
        return (parsed, tuple(tags.decode().split())) if parsed.id == git_blob_id(content) else None

    def current_snapshot(self) -> str | None:
        cur = self.current()
        return cur[0].id if cur else None

    def set_current_snapshot(self, sid: str | None) -> None:
        path = os.path.join(self.state_dir, "HEAD")
        if sid is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return
        info = self.db.get(sid)
        os.makedirs(self.state_dir, exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(" ".join(info.meta.tags).encode() + b"\n" + info.content.to_bytes())
        os.replace(tmp, path)
        self._set_current_at(sid)

    # $GIT_DIR/dws/HEAD.at: "<snapshot id> <workspace commit>", the commit HEAD was at when that snapshot
    # became current here (ops.resolve.baseline: a restored snapshot stays the baseline until HEAD moves
    # to a commit with a snapshot of its own). Only meaningful while its id is the current snapshot's;
    # writers of HEAD that do not write it (the hooks) make it stale, which readers detect.
    def _set_current_at(self, sid: str) -> None:
        path = os.path.join(self.state_dir, "HEAD.at")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{sid} {self.repo.head() or ''}\n")
        os.replace(tmp, path)

    def current_at(self) -> tuple[str, str] | None:
        """(snapshot id, commit) of HEAD.at, or None."""
        try:
            with open(os.path.join(self.state_dir, "HEAD.at")) as f:
                sid, _, commit = f.read().strip().partition(" ")
        except (OSError, UnicodeDecodeError):
            return None
        return (sid, commit) if sid and commit else None

    # -- resources whose data a clone or pull could not bring (never pushed, data remote out of reach) --
    def incomplete(self) -> set[str]:
        try:
            with open(os.path.join(self.state_dir, "incomplete"), encoding="utf-8") as f:
                return {line.strip() for line in f if line.strip()}
        except OSError:
            return set()

    def set_incomplete(self, names: set[str]) -> None:
        path = os.path.join(self.state_dir, "incomplete")
        if not names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return
        os.makedirs(self.state_dir, exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write("".join(f"{n}\n" for n in sorted(names)))
        os.replace(path + ".tmp", path)

    def save_config(self, config: WorkspaceConfig, message: str, extra_paths: tuple[str, ...] = ()) -> None:
        """Write .dws.toml and commit it (with `extra_paths`) without touching other staged changes."""
        path = os.path.join(self.root, FILENAME)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(config.to_bytes())
        os.replace(tmp, path)
        self.config = config
        commit_paths(self.root, (FILENAME, *extra_paths), message)


def _read_config(root: str) -> WorkspaceConfig:
    path = os.path.join(root, FILENAME)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotAWorkspace(f"not a git-dws workspace: {root} has no {FILENAME}",
                            "run `git dws init` there first") from None
    return WorkspaceConfig.from_bytes(data, path)


def default_hostname() -> str:
    name = socket.gethostname().split(".")[0] or "localhost"
    try:
        return check_hostname(name)
    except DwsError:
        return "localhost"


def commit_paths(root: str, paths: tuple[str, ...], message: str) -> bool:
    """Commit the working-tree state of `paths` only (what the original did with `git commit --only`);
    other staged changes stay staged. Returns False when there was nothing to commit."""
    made = stage_commit(root, paths, message)
    if made is None:
        return False
    commit, head = made
    gitcmd.git_run(root, "update-ref", "-m", f"git dws: {message.splitlines()[0]}", "HEAD", commit, head or "")
    return True


def stage_commit(root: str, paths: tuple[str, ...], message: str) -> tuple[str, str | None] | None:
    """The commit `commit_paths` would make, (commit, old HEAD), without moving any ref: a snapshot
    moves the branch in the same transaction as its own refs. None when there is nothing to commit.

    Built with plumbing rather than `commit --only`, which git 2.39 cannot do when a file became a
    directory: stage the paths in the user's index, copy their entries onto HEAD's tree in a throw-away
    index, write that tree, and make the commit object."""
    gitcmd.git_run(root, "add", "-A", "--", *paths)
    head = gitcmd.git_run(root, "rev-parse", "--verify", "-q", "HEAD", check=False).stdout.decode().strip()
    if head and gitcmd.git_ok(root, "diff", "--cached", "--quiet", "HEAD", "--", *paths):
        return None
    staged = gitcmd.git_run(root, "ls-files", "--stage", "-z", "--", *paths).stdout
    with tempfile.TemporaryDirectory(prefix="dws-commit-") as tmp:
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        if head:
            gitcmd.git_run(root, "read-tree", head, env=env)
            gitcmd.git_run(root, "rm", "--cached", "-r", "-q", "--ignore-unmatch", "--", *paths, env=env)
        gitcmd.git_run(root, "update-index", "-z", "--index-info", input=staged, env=env)
        tree = gitcmd.git_oneline(root, "write-tree", env=env)
    commit = gitcmd.git_oneline(root, "commit-tree", tree, *(["-p", head] if head else []), "-m", message)
    return commit, head or None
