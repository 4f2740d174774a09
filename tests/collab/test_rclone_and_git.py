"""rclone (data remote and resource type, through rclone's local backend and an rclone config in the
temporary HOME) and external git repositories (gitlinks, restore by checkout, push to their origin)."""

from __future__ import annotations

from pathlib import Path

from collab_fixtures import clone, origin, rclone_conf  # noqa: F401
from conftest import assert_error, dws, git, git_out, pseudo_random, state_diff, take, tree_state, write


def test_rclone_data_remote(ws: Path, origin: Path, rclone_conf: Path, tmp_path: Path) -> None:  # noqa: F811
    write(ws / "data" / "a.txt", "a\n")
    write(ws / "data" / "big.bin", pseudo_random(900 * 1024, 3))
    dws(ws, "add", "local-files", "data", "--role", "source-data")
    store = tmp_path / "rclone-store"
    dws(ws, "remote", "add", "rc", f"rclone:loc:{store}")
    take(ws, "S1")
    out = dws(ws, "publish", str(origin)).stdout
    assert "uploaded 2 object(s)" in out
    files = sorted(str(p.relative_to(store)) for p in store.rglob("*") if p.is_file())
    assert [f.split("/")[0] for f in files] == ["objects", "packs", "packs"]  # big.bin loose, a.txt packed
    assert "uploaded 0 object(s), 2 already there" in dws(ws, "push").stdout
    b = clone(tmp_path, origin, "b", "hostb")
    assert state_diff(tree_state(b / "data"), tree_state(ws / "data")) == ""


def test_rclone_resource_master_remote_and_local(ws: Path, origin: Path, rclone_conf: Path,  # noqa: F811
                                                 tmp_path: Path) -> None:
    src = tmp_path / "upstream"
    write(src / "x.csv", "1\n")
    out = dws(ws, "add", "rclone", f"loc:{src}", "mirror", "--role", "source-data", "--master", "remote").stdout
    assert "copied" in out.lower()
    assert (ws / "mirror" / "x.csv").read_text() == "1\n"
    assert "/mirror/" in (ws / ".gitignore").read_text()
    take(ws, "S1")
    git(ws, "remote", "add", "origin", str(origin))
    dws(ws, "remote", "add", "d", str(tmp_path / "dataremote"))
    dws(ws, "push")
    write(src / "x.csv", "2\n")
    write(src / "y.csv", "new\n")
    out = dws(ws, "pull").stdout
    assert "mirror: copied from" in out
    assert (ws / "mirror" / "y.csv").read_text() == "new\n"
    s2 = take(ws, "S2")
    dws(ws, "restore", "S1")
    assert (ws / "mirror" / "x.csv").read_text() == "1\n" and not (ws / "mirror" / "y.csv").exists()
    dws(ws, "restore", s2)

    dst = tmp_path / "downstream"
    write(ws / "out" / "r.txt", "result\n")
    dws(ws, "add", "rclone", f"loc:{dst}", "out", "--role", "intermediate-data", "--master", "local",
        "--sync-mode", "sync", "--size-only")
    take(ws, "S3")
    dws(ws, "push")
    assert (dst / "r.txt").read_text() == "result\n"
    assert_error(dws(ws, "add", "rclone", "nosuch:x", "other", "--role", "s", check=False), "no remote")


def _external(tmp_path: Path, name: str) -> tuple[Path, Path]:
    bare = tmp_path / f"{name}-origin.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    repo = tmp_path / name
    git(tmp_path, "clone", "-q", str(bare), str(repo))
    write(repo / "lib.py", "v = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v1")
    git(repo, "push", "-q", "origin", "HEAD:refs/heads/main")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main")
    return repo, bare


def test_external_git_repo(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    repo, bare = _external(tmp_path, "extlib")
    dws(ws, "add", "git", str(repo), "--role", "code", "--name", "lib")
    v1 = git_out(repo, "rev-parse", "HEAD")
    s1 = take(ws, "S1")
    ls = git_out(ws, "ls-tree", f"refs/dws/manifests:snapshots/{s1}/resources")
    assert f"160000 commit {v1}\tlib" in ls  # a gitlink
    write(repo / "lib.py", "v = 2\n")  # uncommitted: the snapshot commits it first
    take(ws, "S2")
    v2 = git_out(repo, "rev-parse", "HEAD")
    assert v2 != v1 and git_out(repo, "log", "-1", "--format=%s") == "git dws: autocommit ahead of snapshot"
    dws(ws, "restore", "S1")
    assert (repo / "lib.py").read_text() == "v = 1\n"
    assert git_out(repo, "rev-parse", "HEAD") == v1
    dws(ws, "restore", "S2")
    assert git_out(repo, "symbolic-ref", "--short", "HEAD") == "main"  # back on the branch at its tip

    dws(ws, "publish", str(origin))
    assert git_out(bare, "rev-parse", "main") == v2  # pushed to its own origin
    write(repo / "lib.py", "v = 3\n")
    git(repo, "commit", "-qam", "v3")
    dws(ws, "push")
    assert git_out(bare, "rev-parse", "main") == git_out(repo, "rev-parse", "HEAD")


def test_external_git_inside_workspace_and_read_only(ws: Path, origin: Path, tmp_path: Path) -> None:  # noqa: F811
    bare = tmp_path / "inner-origin.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(tmp_path, "clone", "-q", str(bare), str(ws / "vendor"))
    write(ws / "vendor" / "v.txt", "vendored\n")
    git(ws / "vendor", "add", "-A")
    git(ws / "vendor", "commit", "-qm", "v")
    git(ws / "vendor", "push", "-q", "origin", "HEAD:refs/heads/main")
    dws(ws, "add", "git", "vendor", "--role", "source-data", "--read-only")
    assert "/vendor/" in (ws / ".gitignore").read_text()
    take(ws, "S1")
    write(ws / "vendor" / "v.txt", "edited\n")
    assert_error(dws(ws, "snapshot", "S2", check=False), "read-only")
    git(ws / "vendor", "checkout", "-q", "--", "v.txt")
    dws(ws, "publish", str(origin))
    b = clone(tmp_path, origin, "b", "hostb")
    assert (b / "vendor" / "v.txt").read_text() == "vendored\n"  # cloned from its origin
    assert_error(dws(ws, "add", "git", str(tmp_path / "nowhere"), "--role", "code", check=False))
