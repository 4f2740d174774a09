"""Make plain `git push` / `git fetch` carry the dws refs. A configured push refspec replaces git's
default, so HEAD is listed first; fetched notes land beside ours and are merged by `git dws pull`."""

from __future__ import annotations

from .git import git_run, git_zsplit

PUSH = ["HEAD", "refs/notes/dws:refs/notes/dws", "refs/dws/*:refs/dws/*", "refs/tags/*:refs/tags/*"]


def fetch_specs(remote: str) -> list[str]:
    return [f"+refs/notes/dws:refs/notes/remotes/{remote}/dws", f"+refs/dws/*:refs/remotes/{remote}/dws/*"]


def configure_remote(root: str, remote: str) -> None:
    for key, values in ((f"remote.{remote}.push", PUSH), (f"remote.{remote}.fetch", fetch_specs(remote))):
        have = set(git_run(root, "config", "--get-all", key, check=False).stdout.decode().split("\n"))
        for v in values:
            if v not in have:
                git_run(root, "config", "--add", key, v)


def remotes(root: str) -> list[str]:
    return [r for r in git_zsplit(root, "remote") for r in r.split("\n") if r]


def configure_all(root: str) -> None:
    configure_rewrite(root)
    for r in remotes(root):
        configure_remote(root, r)


def configure_rewrite(root: str) -> None:
    """Let git copy our notes to amended and rebased commits (notes.rewriteRef is multi-valued: add ours
    beside the user's, never replace them). Our notes are sorted `snapshot <id>` lines, so git's default
    concatenation stays readable; the post-rewrite hook then owns the result (keeps the snapshot the
    post-commit hook recorded for an amended commit, moves each snapshot's workspace_commit) and writes
    it back canonical. Without hooks, this copy alone keeps snapshots attached."""
    have = git_run(root, "config", "--get-all", "notes.rewriteRef", check=False).stdout.decode().split("\n")
    if "refs/notes/dws" not in have:
        git_run(root, "config", "--add", "notes.rewriteRef", "refs/notes/dws")
