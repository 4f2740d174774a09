"""Issue 9 item 1: a resource that is a git repository of its own, nested in the workspace directory.
Its `.git` survives a results move, the move is committed in that repository and pushed to its origin,
and no git-dws code path ever falls through to the enclosing workspace repository when the nested
`.git` is missing or damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from collab_fixtures import origin  # noqa: F401
from conftest import assert_error, dws, git, git_out


def write(p: Path, text: str) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def results_repo(ws: Path, tmp_path: Path) -> tuple[Path, Path]:
    """`results_git`, a clone of its own bare origin, inside the workspace, added with the results role."""
    bare = tmp_path / "results_git.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    repo = ws / "results_git"
    git(tmp_path, "clone", "-q", str(bare), str(repo))
    write(repo / "README.md", "results of the experiments\n")
    write(repo / ".gitignore", "*.tmp\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    git(repo, "push", "-q", "origin", "HEAD:refs/heads/main")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main")
    dws(ws, "add", "git", "--role", "results", "--name", "r", "./results_git")
    return repo, bare


def test_results_move_keeps_git_and_commits_there(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    repo, bare = results_repo(ws, tmp_path)
    write(repo / "out.csv", "a,b\n1,2\n")
    write(repo / "plots" / "f.txt", "figure\n")
    git(repo, "add", "out.csv")  # one tracked, one untracked: both move
    outer_before = git_out(ws, "log", "--format=%s")
    dws(ws, "snapshot", "V1")

    dest = repo / "snapshots" / "testhost-V1"
    assert (dest / "out.csv").read_text() == "a,b\n1,2\n" and (dest / "plots" / "f.txt").exists()
    assert not (dest / ".git").exists() and not (repo / "out.csv").exists()
    assert (repo / ".git" / "HEAD").is_file() and (repo / ".gitignore").exists()  # the repository is whole
    assert (repo / "README.md").exists()  # results.move_exclude_files
    assert git_out(repo, "rev-parse", "--show-toplevel") == str(repo)
    assert git_out(repo, "log", "-1", "--format=%s") == "Move current results to snapshots/testhost-V1"
    assert git_out(repo, "status", "--porcelain") == ""
    assert set(git_out(repo, "ls-files").split()) == {
        ".gitignore", "README.md", "snapshots/testhost-V1/out.csv", "snapshots/testhost-V1/plots/f.txt"}
    assert git_out(ws, "log", "--format=%s").endswith(outer_before)  # the workspace gained no autocommit
    assert "autocommit" not in git_out(ws, "log", "--format=%s")
    sid = git_out(ws, "ls-tree", "refs/dws/manifests:snapshots", "--name-only").split()[0]
    gitlink = git_out(ws, "ls-tree", f"refs/dws/manifests:snapshots/{sid}/resources", "r")
    assert git_out(repo, "rev-parse", "HEAD") in gitlink  # the snapshot records the move commit

    dws(ws, "publish", str(origin))
    dws(ws, "push")
    assert git_out(bare, "rev-parse", "main") == git_out(repo, "rev-parse", "HEAD")  # pushed to its origin


def test_nested_repository_inside_results_is_left_whole(ws: Path) -> None:
    """A repository inside a (git-subdirectory) results resource is never taken apart."""
    inner = ws / "results" / "tool"
    inner.mkdir(parents=True)
    git(inner, "init", "-q")
    write(inner / "x.txt", "x\n")
    git(inner, "add", "-A")
    git(inner, "commit", "-qm", "x")
    write(ws / "results" / "r.txt", "r\n")
    dws(ws, "snapshot", "V1")
    assert (ws / "results" / "snapshots" / "testhost-V1" / "r.txt").exists()
    assert (inner / "x.txt").exists() and git_out(inner, "rev-parse", "--show-toplevel") == str(inner)


@pytest.mark.parametrize("damage", ["deleted", "emptied"])
def test_missing_nested_git_never_falls_through(ws: Path, origin: Path, tmp_path: Path,  # noqa: F811
                                                damage: str) -> None:
    repo, _ = results_repo(ws, tmp_path)
    dws(ws, "publish", str(origin))
    if damage == "deleted":
        shutil.rmtree(repo / ".git")
    else:  # a .git directory git does not recognise: git's own discovery would go on upwards
        shutil.rmtree(repo / ".git")
        (repo / ".git" / "refs").mkdir(parents=True)
    write(repo / "out.csv", "1\n")
    write(ws / "code" / "staged.py", "x = 1\n")
    git(ws, "add", "code/staged.py")
    head = git_out(ws, "rev-parse", "HEAD")
    index = (ws / ".git" / "index").read_bytes()

    for args in (["snapshot", "V1"], ["status"], ["push"]):
        assert_error(dws(ws, *args, check=False), r"results_git")
        assert git_out(ws, "rev-parse", "HEAD") == head, args
        assert (ws / ".git" / "index").read_bytes() == index, args
    assert (repo / "out.csv").exists()  # nothing was moved
    assert not (repo / "snapshots").exists()

    # A plain `git commit` (hooks installed) is either refused with the resource named, or takes the
    # user's staged change as the user's commit; never an autocommit, never the change swallowed.
    proc = git(ws, "commit", "-m", "mine", check=False)
    if proc.returncode != 0:
        assert "results_git" in proc.stderr and git_out(ws, "rev-parse", "HEAD") == head
        git(ws, "commit", "-q", "--no-verify", "-m", "mine")
    assert git_out(ws, "log", "-1", "--format=%s") == "mine"
    assert "code/staged.py" in git_out(ws, "show", "--name-only", "--format=", "HEAD")
    assert "autocommit" not in git_out(ws, "log", "--format=%s")


def test_add_git_refuses_a_damaged_repository(ws: Path, origin: Path) -> None:  # noqa: F811
    """Without the pin, `git remote get-url origin` in ./plain (whose .git git does not recognise)
    answered with the workspace's origin, and plain was added as a repository of its own."""
    dws(ws, "publish", str(origin))
    (ws / "plain" / ".git").mkdir(parents=True)
    write(ws / "plain" / "f.txt", "f\n")
    assert_error(dws(ws, "add", "git", "--role", "results", "./plain", check=False), r"not a valid git repository")
    assert "plain" not in (ws / ".dws.toml").read_text()
