"""Which snapshots `report history` lists, and where each one is, the way `git log` scopes commits.

A snapshot belongs to the workspace commit it records (`workspace_commit`). By default the history lists
the snapshots whose commit is reachable from HEAD (the work of this branch, as `git log` shows), and says
how many others exist; `--all` lists every snapshot, a REV (branch, tag, commit) those reachable from it.
Each listed snapshot shows where it is: its commit named from the nearest local branch, as `git
name-rev` names it (`main`, `exp~2`), or its short id when no branch reaches it."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..model.snapshot import SnapshotInfo
from ..store.git import git_run
from ..workspace import Workspace


@dataclass(frozen=True, slots=True)
class Scoped:
    snaps: list[SnapshotInfo]  # newest first
    hidden: int  # snapshots outside the scope
    rev: str | None  # None: all snapshots
    places: dict[str, str]  # snapshot id -> where its commit is ("main~2", or a short commit id)


def scope(ws: Workspace, snaps: list[SnapshotInfo], rev: str | None = "HEAD") -> Scoped:
    """`snaps` (newest first) reduced to those reachable from `rev` (None: all of them)."""
    shown = snaps
    if rev is not None:
        reach = _reachable(ws, rev)
        shown = [s for s in snaps if s.meta.workspace_commit in reach]
    return Scoped(shown, len(snaps) - len(shown), rev, places(ws, shown))


def _reachable(ws: Workspace, rev: str) -> set[str]:
    if rev.startswith("-"):
        raise UsageError(f"'{rev}' is not a revision", "give a branch, tag or commit (or --all)")
    commit = ws.repo.resolve(f"{rev}^{{commit}}")
    if commit is None:
        if rev == "HEAD":
            return set()  # no commit yet
        raise UsageError(f"'{rev}' names no commit", "give a branch, tag or commit (or --all)")
    return set(git_run(ws.root, "rev-list", commit).stdout.decode().split())


def places(ws: Workspace, snaps: list[SnapshotInfo]) -> dict[str, str]:
    commits = sorted({s.meta.workspace_commit for s in snaps if s.meta.workspace_commit})
    names: dict[str, str] = {}
    if commits:  # one git call for all of them; commits unknown here come back as "undefined"
        proc = git_run(ws.root, "name-rev", "--refs=refs/heads/*", "--annotate-stdin", "--name-only",
                       input="".join(f"{c}\n" for c in commits).encode(), check=False)
        lines = proc.stdout.decode("utf-8", "replace").splitlines() if proc.returncode == 0 else []
        for c, name in zip(commits, lines, strict=False):
            if name and name != c and name != "undefined":
                names[c] = name
    return {s.id: names.get(s.meta.workspace_commit, s.meta.workspace_commit[:7]) for s in snaps}
