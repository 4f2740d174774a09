"""The problems issue 11 found, each reproduced deterministically: a snapshot killed right after it
commits the resources' pending changes, a `git commit` killed before its post-commit hook finished, a
restore in a copied workspace, and the bad messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import MANIFESTS, NOTES, assert_error, dws, fsck, git, git_out, take, write

KILL_AT_REF_TRANSACTION = """#!/bin/sh
# kill -9 the whole snapshot when it starts its ref transaction (`git update-ref --stdin`): the moment
# right after it committed the resources' pending changes.
case " $* " in
  *" update-ref "*"--stdin"*) kill -9 0 ;;
esac
exec {real} "$@"
"""


def _shim(tmp_path: Path, text: str) -> dict[str, str]:
    shim = tmp_path / "shim"
    shim.mkdir()
    real = shutil.which("git")
    assert real
    (shim / "git").write_text(text.format(real=real))
    (shim / "git").chmod(0o755)
    return dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")


def test_a_snapshot_killed_after_committing_resource_changes_leaves_no_orphan_commit(ws: Path,
                                                                                     tmp_path: Path) -> None:
    write(ws / "code" / "a.py", "1\n")
    take(ws, "S0")
    write(ws / "code" / "a.py", "2\n")
    before = {r: git_out(ws, "rev-parse", r) for r in ("HEAD", MANIFESTS, NOTES)}
    exe = shutil.which("git-dws")
    assert exe
    proc = subprocess.run([exe, "--batch", "snapshot", "K0"], cwd=ws, env=_shim(tmp_path, KILL_AT_REF_TRANSACTION),
                          capture_output=True, start_new_session=True)
    assert proc.returncode in (-9, 137), proc
    after = {r: git_out(ws, "rev-parse", r) for r in before}
    assert after == before, "the branch moved without its snapshot"
    assert git_out(ws, "log", "-1", "--format=%s") != "Snapshot K0: commit resource changes"
    assert (ws / "code" / "a.py").read_text() == "2\n"
    fsck(ws)
    assert dws(ws, "fsck").returncode == 0
    sid = take(ws, "K0")  # the next snapshot does it all, and the branch carries its commit
    assert git_out(ws, "log", "-1", "--format=%s") == "Snapshot K0: commit resource changes"
    assert f"snapshot {sid}" in git_out(ws, "notes", "--ref=dws", "show", "HEAD")
    assert git_out(ws, "show", "HEAD:code/a.py") == "2"


def test_a_killed_git_commit_is_noticed_and_repaired(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    dws(ws, "init", "--hostname", "h", "--create-resources", "code")  # hooks installed
    hooks = Path(git_out(ws, "rev-parse", "--path-format=absolute", "--git-common-dir")) / "hooks"
    assert "git-dws" in (hooks / "post-commit").read_text()
    write(ws / "code" / "x.py", "x = 1\n")
    git(ws, "add", "code")
    git(ws, "commit", "-q", "-m", "recorded")
    assert git(ws, "notes", "--ref=dws", "show", "HEAD", check=False).returncode == 0
    assert "no snapshot" not in dws(ws, "status").stderr
    # the commit is made, then git is killed where its post-commit hook would run
    ours = (hooks / "post-commit").read_text()
    (hooks / "post-commit").write_text("#!/bin/sh\n# git-dws-hook-5f0c4a7e (test: dies like a kill)\n"
                                       "kill -9 $PPID\n")
    write(ws / "code" / "x.py", "x = 2\n")
    git(ws, "add", "code")
    proc = git(ws, "commit", "-q", "-m", "killed", check=False)
    assert proc.returncode != 0
    (hooks / "post-commit").write_text(ours)
    head = git_out(ws, "rev-parse", "HEAD")
    assert git_out(ws, "log", "-1", "--format=%s") == "killed"
    assert git(ws, "notes", "--ref=dws", "show", "HEAD", check=False).returncode != 0
    status = dws(ws, "status")
    assert f"commit {head[:12]} has no snapshot" in status.stderr and "git dws snapshot" in status.stderr
    report = json.loads(dws(ws, "fsck", "--json", check=False).stdout)
    assert [p["kind"] for p in report["problems"]] == ["commit-unrecorded"]
    assert report["problems"][0]["repair"] == "git dws snapshot"
    assert dws(ws, "fsck", check=False).returncode == 1
    dws(ws, "snapshot")
    assert git(ws, "notes", "--ref=dws", "show", head, check=False).returncode == 0
    assert dws(ws, "fsck").returncode == 0
    assert "no snapshot" not in dws(ws, "status").stderr


def test_restore_in_a_copied_workspace(ws: Path, tmp_path: Path) -> None:
    write(ws / "code" / "a.py", "1\n")
    take(ws, "S1")
    write(ws / "code" / "a.py", "2\n")
    take(ws, "S2")
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(ws), str(copy)], check=True)
    dws(copy, "restore", "S1")  # git read-tree -m failed: Entry 'code/a.py' not uptodate
    assert (copy / "code" / "a.py").read_text() == "1\n"
    fsck(copy)


def test_a_directory_data_remote_that_is_a_file(data_ws: Path, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory\n")
    assert_error(dws(data_ws, "remote", "add", "r", str(afile), check=False), "is not a directory")
    assert_error(dws(data_ws, "remote", "add", "r", str(afile / "sub"), check=False), "is not a directory")
    other = tmp_path / "later-a-file"
    dws(data_ws, "remote", "add", "r", str(other))
    other.write_text("became a file\n")
    take(data_ws, "S1")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    assert_error(dws(data_ws, "publish", str(origin), check=False), "data remote 'r' .* is not a directory")
    assert_error(dws(data_ws, "fsck", "--remote", "r", check=False), "is not a directory")


def test_an_empty_selection_is_refused(data_ws: Path) -> None:
    take(data_ws, "S1")
    for args in (["restore", "S1", "--only", ",,"], ["restore", "S1", "--leave", " , "], ["push", "--skip", ","]):
        assert_error(dws(data_ws, *args, check=False), "comma-separated list of names", code=2)


def test_a_directory_name_that_is_not_a_resource_name(ws: Path) -> None:
    write(ws / "my data" / "f", "1\n")
    assert "Added resource my-data " in dws(ws, "add", "local-files", "my data", "--role", "source-data").stdout
    write(ws / "données" / "f", "2\n")
    assert "Added resource donnees " in dws(ws, "add", "local-files", "données", "--role", "source-data").stdout
    (ws / "inputs + more").mkdir()  # empty: its tree is the empty tree
    assert "Added resource inputs-more " in dws(ws, "add", "git", "inputs + more", "--role", "source-data").stdout
    write(ws / "日本" / "f", "3\n")
    err = assert_error(dws(ws, "add", "local-files", "日本", "--role", "source-data", check=False),
                       "cannot make a resource name")
    assert "--name" in err
    err = assert_error(dws(ws, "add", "local-files", "日本", "--name", "bad name", "--role", "source-data",
                           check=False), "invalid resource name 'bad name'")
    assert "--name bad-name" in err
    dws(ws, "add", "local-files", "日本", "--name", "nihon", "--role", "source-data")
    take(ws, "S1")
    assert dws(ws, "fsck").returncode == 0


def test_push_to_a_wrong_git_url_says_why(ws: Path, tmp_path: Path) -> None:
    take(ws, "S1")
    git(ws, "remote", "add", "origin", str(tmp_path / "no-such-repo.git"))
    err = assert_error(dws(ws, "push", check=False), "cannot fetch from git remote 'origin'")
    assert "and the repository exists" not in err
    assert "does not appear to be a git repository" in err
