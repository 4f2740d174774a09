"""Make plain `git push` / `git fetch` carry the dws refs, and nothing more than a careful user expects.

Plain `git push` pushes what it pushed before (the current branch: a configured push refspec replaces
git's default, so `HEAD` is listed first) plus the snapshot database and the notes. Snapshot tags are
annotated tags on the pushed commits, so `push.followTags` carries them; lightweight tags (a user's
work-in-progress markers) never travel, and tags on commits that are not pushed stay here. (Before
issue 9 the refspec `refs/tags/*:refs/tags/*` pushed every local tag; it is removed on first use.)

Plain `git fetch` brings the remote's snapshot database into refs/dws-remote/<r>/dws/* and its notes
beside ours; `git dws pull` merges them. The tags come with git's usual tag following.

Every remote gets this configuration on first use by git-dws (init, clone, publish, snapshot, push,
pull), including remotes added with `git remote add` later; clones configured by an older git-dws
(refs/remotes/<r>/dws/*, which a branch named `dws` on the remote breaks) are migrated then."""

from __future__ import annotations

from .git import git_run, git_zsplit

PUSH = ["HEAD", "refs/notes/dws:refs/notes/dws", "refs/dws/*:refs/dws/*"]
OLD_PUSH = ["refs/tags/*:refs/tags/*"]  # configured by git-dws before issue 9: pushed every local tag


def fetch_specs(remote: str) -> list[str]:
    return [f"+refs/notes/dws:refs/notes/remotes/{remote}/dws", f"+refs/dws/*:refs/dws-remote/{remote}/dws/*"]


def old_fetch_specs(remote: str) -> list[str]:
    return [f"+refs/dws/*:refs/remotes/{remote}/dws/*"]


def _values(root: str, key: str) -> list[str]:
    return [v for v in git_run(root, "config", "--get-all", key, check=False).stdout.decode().split("\n") if v]


def configure_remote(root: str, remote: str) -> None:
    """Idempotent: adds what is missing, removes what an older git-dws configured."""
    migrated = False
    for key, want, old in ((f"remote.{remote}.push", PUSH, OLD_PUSH),
                           (f"remote.{remote}.fetch", fetch_specs(remote), old_fetch_specs(remote))):
        have = _values(root, key)
        for v in old:
            if v in have:
                git_run(root, "config", "--unset-all", "--fixed-value", key, v)
                migrated = True
        for v in want:
            if v not in have:
                git_run(root, "config", "--add", key, v)
    if migrated:
        _drop_old_tracking(root, remote)
    if not git_run(root, "config", "--get", "push.followTags", check=False).stdout.strip():
        git_run(root, "config", "--local", "push.followTags", "true")  # an explicit choice of the user wins


def _drop_old_tracking(root: str, remote: str) -> None:
    """The old copies in refs/remotes/<r>/dws/*: a branch named `dws` on the remote cannot be fetched
    while they exist. A real branch under dws/ of that name comes back with the next fetch."""
    old = [r for r in git_run(root, "for-each-ref", "--format=%(refname)", f"refs/remotes/{remote}/dws/")
           .stdout.decode("utf-8", "surrogateescape").split("\n") if r]
    if old:
        git_run(root, "update-ref", "--stdin", input="".join(f"delete {r}\n" for r in old).encode())


def remotes(root: str) -> list[str]:
    return [r for r in git_zsplit(root, "remote") for r in r.split("\n") if r]


def configure_all(root: str) -> None:
    configure_rewrite(root)
    for r in remotes(root):
        configure_remote(root, r)


def configure_new(root: str) -> None:
    """Configure the remotes that lack our configuration (added with `git remote add` after init, or
    by an older git-dws). One git call when there is nothing to do."""
    out = git_run(root, "config", "-z", "--get-regexp", r"^remote\..*\.(url|fetch)$", check=False).stdout
    fetch: dict[str, set[str]] = {}
    for item in out.decode("utf-8", "surrogateescape").split("\0"):
        key, _, value = item.partition("\n")
        name, _, what = key[len("remote."):].rpartition(".")
        if name:
            fetch.setdefault(name, set()).update([value] if what == "fetch" else [])
    for r, have in sorted(fetch.items()):
        if not set(fetch_specs(r)) <= have or set(old_fetch_specs(r)) & have:
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
