"""Issue 9 item 5: plain git and the snapshots. Plain `git clone`/`git fetch` bring the tags (and, with
git-dws's refspecs, the snapshot database) but merge nothing: git-dws says so and names `git dws pull`.
Plain `git push` pushes what it pushed before (the current branch) plus git-dws's refs and the
snapshot tags on the pushed commits, never lightweight tags; a remote added after init is configured
on first use."""

from __future__ import annotations

from pathlib import Path

from collab_fixtures import origin  # noqa: F401
from conftest import assert_error, dws, git, git_out, take, write


def remote_refs(bare: Path) -> dict[str, str]:
    out = git_out(bare, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in out.splitlines())


def test_plain_clone_says_to_pull(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    write(ws / "code" / "a.py", "a = 1\n")
    take(ws, "s1")
    write(ws / "code" / "a.py", "a = 2\n")
    take(ws, "s2")
    dws(ws, "publish", str(origin))
    b = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(origin), str(b))
    assert git_out(b, "tag", "-l") == "s1\ns2"  # the tags came

    err = assert_error(dws(b, "restore", "s1", check=False), "no snapshot named 's1'")
    assert "git dws pull" in err and "s1" in err
    hist = dws(b, "report", "history")
    assert "0 snapshots total" in hist.stdout and "git dws pull" in hist.stdout + hist.stderr

    dws(b, "pull")
    assert "2 snapshots total" in dws(b, "report", "history").stdout
    dws(b, "restore", "s1")
    assert (b / "code" / "a.py").read_text() == "a = 1\n"


def test_plain_fetch_says_to_pull(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    take(ws, "s1")
    dws(ws, "publish", str(origin))
    b = tmp_path / "b"
    dws(tmp_path, "clone", str(origin), str(b))
    write(ws / "code" / "a.py", "a = 3\n")
    take(ws, "s3")
    dws(ws, "push")

    git(b, "fetch", "-q")  # tags follow; the snapshot database lands in refs/dws-remote/origin/dws/
    assert git_out(b, "tag", "-l", "s3") == "s3"
    err = assert_error(dws(b, "restore", "s3", check=False), "no snapshot named 's3'")
    assert "git dws pull" in err
    hist = dws(b, "report", "history")
    assert "1 snapshots total" in hist.stdout and "git dws pull" in hist.stdout + hist.stderr
    dws(b, "pull")
    hist = dws(b, "report", "history")
    assert "2 snapshots total" in hist.stdout and "git dws pull" not in hist.stdout + hist.stderr


def test_plain_push_carries_the_branch_dws_refs_and_snapshot_tags_only(ws: Path, origin: Path,  # noqa: F811
                                                                       tmp_path: Path) -> None:
    take(ws, "s1")
    dws(ws, "publish", str(origin))
    git(ws, "tag", "wip-lightweight")  # a user's work-in-progress marker
    git(ws, "switch", "-q", "-c", "side")
    git(ws, "commit", "-q", "--allow-empty", "-m", "side work")
    side_snap = take(ws, "on-side")
    git(ws, "switch", "-q", "main")
    write(ws / "code" / "a.py", "a = 2\n")
    take(ws, "s2")

    git(ws, "push", "-q")  # plain git
    refs = remote_refs(origin)
    assert refs["refs/heads/main"] == git_out(ws, "rev-parse", "main")
    assert refs["refs/dws/manifests"] == git_out(ws, "rev-parse", "refs/dws/manifests")
    assert refs["refs/notes/dws"] == git_out(ws, "rev-parse", "refs/notes/dws")
    assert "refs/tags/s2" in refs and "refs/tags/s1" in refs
    assert "refs/tags/wip-lightweight" not in refs  # was pushed by refs/tags/*:refs/tags/*
    assert "refs/heads/side" not in refs and "refs/tags/on-side" not in refs  # not pushed: its branch was not
    assert side_snap  # the snapshot itself is in the pushed database, as with git dws push


def test_remote_added_after_init_is_configured_on_first_use(ws: Path, tmp_path: Path) -> None:
    bare = tmp_path / "later.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(ws, "remote", "add", "later", str(bare))
    take(ws, "s1")  # first use of git-dws after the remote was added
    git(ws, "push", "-q", "later")  # plain git, no refspec
    refs = remote_refs(bare)
    assert refs["refs/heads/main"] == git_out(ws, "rev-parse", "main")
    assert "refs/dws/manifests" in refs and "refs/notes/dws" in refs and "refs/tags/s1" in refs
    c = tmp_path / "c"
    git(tmp_path, "clone", "-q", str(bare), str(c))
    git(c, "fetch", "-q")
    dws(c, "pull")
    dws(c, "restore", "s1")
