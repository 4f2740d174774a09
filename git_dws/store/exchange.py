"""The git side of push and pull, through the `git` binary (it honours the user's ssh config and
credential helpers). A fetch lands every dws ref in a per-remote namespace, never over our own refs:
  refs/heads/*       -> refs/remotes/<r>/*
  refs/notes/*       -> refs/notes/remotes/<r>/*
  refs/dws/*         -> refs/dws-remote/<r>/dws/*     (outside refs/remotes: a branch named `dws` on the
                                                      remote would own refs/remotes/<r>/dws there)
  refs/tags/*        -> refs/dws-remote/<r>/tags/*    (we decide which tags to take; no clobbering;
                                                      outside refs/remotes so `git branch -r` stays clean)
so `git dws pull` can merge them and move our refs in one transaction. Clones made before the dws refs
moved out of refs/remotes/<r>/dws/ are migrated by travel.configure_remote; the --prune of our fetch
then removes their old copies (no branch of that name exists on the remote)."""

from __future__ import annotations

from ..errors import DwsError, GitCommandError
from .git import git_run


def fetch_specs(remote: str) -> list[str]:
    return [f"+refs/heads/*:refs/remotes/{remote}/*", f"+refs/notes/*:refs/notes/remotes/{remote}/*",
            f"+refs/dws/*:{dws_prefix(remote)}*", f"+refs/tags/*:{tag_prefix(remote)}*"]


def tag_prefix(remote: str) -> str:
    return f"refs/dws-remote/{remote}/tags/"


def dws_prefix(remote: str) -> str:
    """Where the remote's refs/dws/* land (refs/dws/manifests -> <prefix>manifests)."""
    return f"refs/dws-remote/{remote}/dws/"


def old_dws_prefix(remote: str) -> str:
    """Where git-dws before issue 9 put them, and plain `git fetch` of an unmigrated clone still does."""
    return f"refs/remotes/{remote}/dws/"


def is_manifest_tracking(ref: str) -> bool:
    """A remote-tracking copy of a snapshot database: refs/dws-remote/<r>/dws/manifests, or the
    refs/remotes/<r>/dws/manifests of a clone not migrated yet. (gc/fsck roots, pending-pull checks.)"""
    return ref.endswith("/dws/manifests") and ref.startswith(("refs/dws-remote/", "refs/remotes/"))


def git_remotes(root: str) -> list[str]:
    return [r for r in git_run(root, "remote").stdout.decode().split() if r]


def pick_remote(root: str, name: str | None, branch: str | None) -> str:
    names = git_remotes(root)
    if name:
        if name not in names:
            raise DwsError(f"no git remote named '{name}'", "`git remote -v` lists them")
        return name
    if branch:
        up = git_run(root, "config", f"branch.{branch}.remote", check=False).stdout.decode().strip()
        if up in names:
            return up
    if "origin" in names:
        return "origin"
    if len(names) == 1:
        return names[0]
    if not names:
        raise DwsError("this workspace has no git remote", "publish it first: git dws publish URL")
    raise DwsError(f"several git remotes ({', '.join(names)}) and no upstream", "name one with --remote")


def git_reason(stderr: str) -> str:
    """The line of git's stderr that says what went wrong: the first `fatal:`/`error:` line (git's last
    line is often advice, e.g. "and the repository exists.")."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line[len(prefix):]
    return lines[-1] if lines else "?"


def fetch(root: str, remote: str) -> None:
    proc = git_run(root, "fetch", "-q", "--no-tags", "--prune", remote, *fetch_specs(remote), check=False)
    if proc.returncode != 0:
        last = git_reason(proc.stderr.decode("utf-8", "replace"))
        raise DwsError(f"cannot fetch from git remote '{remote}': {last}",
                       "check the remote URL and your access (git remote -v); nothing was changed")


def tracking(root: str, remote: str) -> dict[str, str]:
    """Remote-tracking refs of `remote` after a fetch: ref -> object id."""
    out = {}
    proc = git_run(root, "for-each-ref", "--format=%(objectname) %(refname)",  # ref names hold no newline
                   f"refs/remotes/{remote}/", f"refs/notes/remotes/{remote}/", f"refs/dws-remote/{remote}/")
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        oid, _, ref = line.partition(" ")
        out[ref] = oid
    return out


def push(root: str, remote: str, refspecs: list[str], upstream: bool) -> None:
    """Push all refspecs atomically when the server can; a rejection changes nothing on the server."""
    base = ["push", "--porcelain", *(["--set-upstream"] if upstream else []), remote]
    proc = git_run(root, base[0], "--atomic", *base[1:], *refspecs, check=False)
    if proc.returncode != 0 and b"does not support --atomic" in proc.stderr:
        proc = git_run(root, *base, *refspecs, check=False)
    if proc.returncode != 0:
        text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        if "[rejected]" in text or "non-fast-forward" in text or "fetch first" in text:
            raise DwsError(f"git remote '{remote}' has changes you do not have",
                           "run `git dws pull` first, then push again")
        if any(t in text for t in ("remote rejected", "cannot lock ref", "failed to update ref", "atomic push failed")):
            # another clone pushed to the same refs at the same moment (found by tests/faults)
            raise DwsError(f"git remote '{remote}' changed while pushing (another push at the same time)",
                           "run `git dws pull` first, then push again")
        raise GitCommandError(["git", "push", remote], proc.returncode, text)
