"""Restore of git-subdirectory resources: the snapshot's tree comes back as a new commit on the current
branch (history kept), byte for byte, and `git status` is clean afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import (
    MANIFESTS,
    dws,
    git,
    git_out,
    populate,
    state_diff,
    take,
    tree_state,
    write,
)


def code_state(ws: Path) -> dict[bytes, object]:
    return tree_state(ws / "code")


def check_restored(ws: Path, sid: str, want: dict[bytes, object], old_head: str) -> None:
    have = code_state(ws)
    assert have == want, "restored tree differs:\n" + state_diff(have, want)
    assert git_out(ws, "status", "--porcelain", "--untracked-files=all") == ""
    head = git_out(ws, "rev-parse", "HEAD")
    assert head != old_head, "restore made no commit"
    assert git_out(ws, "rev-parse", "HEAD^") == old_head, "restore commit is not on top of the old HEAD"
    assert git_out(ws, "symbolic-ref", "HEAD") == "refs/heads/main", "restore detached HEAD"
    recorded = git_out(ws, "rev-parse", f"{MANIFESTS}:snapshots/{sid}/resources/code")
    assert git_out(ws, "rev-parse", "HEAD:code") == recorded
    # only code changed in the restore commit
    changed = git_out(ws, "diff", "--name-only", "-z", "HEAD^", "HEAD").split("\0")
    assert all(p.startswith("code/") for p in changed if p)


def test_round_trip_with_new_commits(ws: Path) -> None:
    code = ws / "code"
    populate(code, "A")
    state_a = code_state(ws)
    id_a = take(ws, "A")
    assert git_out(ws, "status", "--porcelain") == ""  # the snapshot committed the pending changes
    populate(code, "B")
    state_b = code_state(ws)
    # commit B by hand (see test_snapshot_commits_a_file_replaced_by_a_directory for why)
    git(ws, "add", "-A", "code")
    git(ws, "commit", "-q", "-m", "user commit B")
    user_commit = git_out(ws, "rev-parse", "HEAD")
    id_b = take(ws, "B")

    head = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "restore", "A")
    check_restored(ws, id_a, state_a, head)
    git(ws, "merge-base", "--is-ancestor", user_commit, "HEAD")  # history is kept

    head = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "restore", "B")
    check_restored(ws, id_b, state_b, head)


def test_snapshot_commits_pending_changes_only_in_resources(ws: Path) -> None:
    write(ws / "code" / "train.py", "print('x')\n")
    write(ws / "notes.txt", "not a resource\n")
    write(ws / "staged.txt", "staged by the user\n")
    git(ws, "add", "staged.txt")
    take(ws, "S1")
    assert git_out(ws, "ls-tree", "--name-only", "HEAD", "code/train.py") == "code/train.py"
    assert git_out(ws, "log", "-1", "--format=%s").startswith("Snapshot")
    # the user's own staged and untracked files are left exactly as they were
    assert git_out(ws, "ls-tree", "--name-only", "HEAD", "staged.txt") == ""
    assert git_out(ws, "diff", "--cached", "--name-only") == "staged.txt"
    assert "?? notes.txt" in git_out(ws, "status", "--porcelain")


def test_snapshot_commits_a_file_replaced_by_a_directory(ws: Path) -> None:
    write(ws / "code" / "thing", "a file\n")
    take(ws, "S1")
    (ws / "code" / "thing").unlink()
    write(ws / "code" / "thing" / "inner", "now a directory\n")
    proc = dws(ws, "snapshot", "S2", check=False)
    assert git_out(ws, "diff", "--cached", "--name-status") == "", "snapshot left changes staged"
    assert proc.returncode == 0, proc.stderr
    assert git_out(ws, "status", "--porcelain") == ""


def test_restore_removes_files_added_since_when_forced(ws: Path) -> None:
    write(ws / "code" / "a.py", "a\n")
    id1 = take(ws, "S1")
    state = code_state(ws)
    write(ws / "code" / "b.py", "b\n")
    take(ws, "S2")
    write(ws / "code" / "untracked.py", "u\n")
    write(ws / "code" / "a.py", "modified, uncommitted\n")
    head = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "restore", "S1", "--force")
    check_restored(ws, id1, state, head)


def test_restore_with_other_changes_staged(ws: Path) -> None:
    """Staged work outside the resources survives a restore (two-tree read-tree keeps it)."""
    write(ws / "code" / "a.py", "a\n")
    take(ws, "S1")
    write(ws / "code" / "a.py", "a2\n")
    take(ws, "S2")
    write(ws / "other.txt", "staged\n")
    git(ws, "add", "other.txt")
    dws(ws, "restore", "S1")
    assert (ws / "code" / "a.py").read_text() == "a\n"
    assert git_out(ws, "diff", "--cached", "--name-only") == "other.txt"
    assert git_out(ws, "ls-tree", "--name-only", "HEAD", "other.txt") == ""


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="needs a filesystem that allows any bytes in names")
def test_names_that_are_not_utf8(ws: Path) -> None:
    raw = os.fsencode(ws / "code") + b"/caf\xe9-\xff.txt"
    with open(raw, "wb") as f:
        f.write(b"latin-1 name\n")
    id1 = take(ws, "S1")
    state = code_state(ws)
    os.unlink(raw)
    take(ws, "S2")
    head = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "restore", "S1")
    check_restored(ws, id1, state, head)


def test_restore_when_the_directory_was_deleted_and_committed(ws: Path) -> None:
    populate(ws / "code", "A", big=False)
    id1 = take(ws, "S1")
    state = code_state(ws)
    git(ws, "rm", "-r", "-q", "code")
    git(ws, "commit", "-q", "-m", "remove code")
    take(ws, "S2")
    head = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "restore", "S1")
    check_restored(ws, id1, state, head)


def test_nested_resource_path_with_spaces(ws: Path) -> None:
    res = ws / "my src" / "lib dir"
    write(res / "a b.py", "1\n")
    write(ws / "my src" / "outside.txt", "not in the resource\n")
    dws(ws, "add", "git", "my src/lib dir", "--role", "code", "--name", "lib")
    take(ws, "S1")
    state = tree_state(res)
    write(res / "a b.py", "2\n")
    write(res / "new file", "n\n")
    write(ws / "my src" / "outside.txt", "changed, not part of any snapshot\n")
    take(ws, "S2")
    head = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "restore", "S1", "--only", "lib")
    assert tree_state(res) == state
    assert (ws / "my src" / "outside.txt").read_text() == "changed, not part of any snapshot\n"
    assert git_out(ws, "rev-parse", "HEAD^") == head
    changed = [p for p in git_out(ws, "diff", "--name-only", "-z", "HEAD^", "HEAD").split("\0") if p]
    assert changed and all(p.startswith("my src/lib dir/") for p in changed)
