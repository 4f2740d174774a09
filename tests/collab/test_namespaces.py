"""Issue 9 item 2: a branch named `dws` on the origin. Remote-tracking copies of git-dws refs live in
refs/dws-remote/<remote>/dws/*, where no branch name can collide with them (refs/remotes/origin/dws, the
branch, and refs/remotes/origin/dws/manifests cannot both exist). Clones made before the move keep
working: their configuration and refs are migrated on first use."""

from __future__ import annotations

from pathlib import Path

from collab_fixtures import origin  # noqa: F401
from conftest import dws, git, git_out, take

OLD_FETCH = "+refs/dws/*:refs/remotes/origin/dws/*"


def fetch_specs(cwd: Path) -> list[str]:
    return git(cwd, "config", "--get-all", "remote.origin.fetch", check=False).stdout.split()


def add_dws_branch(ws: Path, origin: Path) -> None:  # noqa: F811
    git(ws, "push", "-q", str(origin), "HEAD:refs/heads/dws")


def test_branch_named_dws_on_origin(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    sid = take(ws, "S1")
    dws(ws, "publish", str(origin))
    add_dws_branch(ws, origin)

    b = tmp_path / "b"
    dws(tmp_path, "clone", str(origin), str(b))
    assert git_out(b, "rev-parse", "refs/remotes/origin/dws") == git_out(ws, "rev-parse", "HEAD")  # the branch
    assert git_out(b, "rev-parse", "refs/dws-remote/origin/dws/manifests") == git_out(ws, "rev-parse",
                                                                                       "refs/dws/manifests")
    assert sid[:7] in dws(b, "report", "history").stdout
    git(b, "fetch", "-q")  # plain git fetch with the configured refspecs
    git(b, "pull", "-q")

    take(ws, "S2")
    dws(ws, "push")
    dws(b, "pull")
    assert "S2" in dws(b, "report", "history").stdout
    git(ws, "fetch", "-q")
    take(b, "S3")
    dws(b, "push")
    dws(ws, "pull")
    assert "S3" in dws(ws, "report", "history").stdout


def test_old_namespace_clone_is_migrated(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    """A clone configured by an older git-dws: remote-tracking dws refs in refs/remotes/origin/dws/*."""
    take(ws, "S1")
    dws(ws, "publish", str(origin))
    b = tmp_path / "b"
    dws(tmp_path, "clone", str(origin), str(b))
    for spec in fetch_specs(b):  # back to the old configuration and refs
        if "refs/dws/" in spec:
            git(b, "config", "--unset", "remote.origin.fetch", spec.replace("*", "\\*").replace("+", "\\+"))
    git(b, "config", "--add", "remote.origin.fetch", OLD_FETCH)
    for ref in git_out(b, "for-each-ref", "--format=%(refname)", "refs/dws-remote/origin/dws/").split():
        git(b, "update-ref", "-d", ref)
    git(b, "fetch", "-q")
    assert git_out(b, "rev-parse", "refs/remotes/origin/dws/manifests")

    take(ws, "S2")
    dws(ws, "push")
    add_dws_branch(ws, origin)
    assert git(b, "fetch", "-q", check=False).returncode != 0  # the old layout breaks on the dws branch
    dws(b, "pull")  # first use: configuration migrated, old refs gone
    assert "S2" in dws(b, "report", "history").stdout
    assert OLD_FETCH not in fetch_specs(b)
    assert "+refs/dws/*:refs/dws-remote/origin/dws/*" in fetch_specs(b)
    assert git(b, "rev-parse", "-q", "--verify", "refs/remotes/origin/dws/manifests", check=False).returncode != 0
    git(b, "fetch", "-q")  # plain git works again
    assert git_out(b, "rev-parse", "refs/remotes/origin/dws") == git_out(ws, "rev-parse", "HEAD")


def test_manifest_tracking_refs_of_both_layouts() -> None:
    from git_dws.store.exchange import is_manifest_tracking

    assert is_manifest_tracking("refs/dws-remote/origin/dws/manifests")
    assert is_manifest_tracking("refs/remotes/origin/dws/manifests")  # an unmigrated clone
    assert not is_manifest_tracking("refs/dws/manifests") and not is_manifest_tracking("refs/heads/dws/manifests")
