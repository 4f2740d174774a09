"""Restore never destroys data that no snapshot holds: it refuses, lists what would be lost and changes
nothing, unless --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import assert_error, dws, git, git_out, symlink, take, tree_state, write


def snapshot_pair(ws: Path) -> None:
    """S1 and S2 differ in both `data` (local-files) and `code` (git-subdirectory)."""
    write(ws / "data" / "keep.txt", "keep\n")
    write(ws / "data" / "f.txt", "v1\n")
    write(ws / "code" / "c.py", "v1\n")
    take(ws, "S1")
    write(ws / "data" / "f.txt", "v2\n")
    write(ws / "code" / "c.py", "v2\n")
    take(ws, "S2")


def test_modified_local_file_is_not_lost(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    write(ws / "data" / "f.txt", "precious, never snapshotted\n")
    before, head = tree_state(ws), git_out(ws, "rev-parse", "HEAD")
    err = assert_error(dws(ws, "restore", "S1", check=False), r"f\.txt", code=1)
    assert "--force" in err
    assert tree_state(ws) == before, "a refused restore changed files"
    assert git_out(ws, "rev-parse", "HEAD") == head, "a refused restore made a commit"
    dws(ws, "restore", "S1", "--force")
    assert (ws / "data" / "f.txt").read_text() == "v1\n"
    assert (ws / "code" / "c.py").read_text() == "v1\n"


def test_new_local_file_is_not_deleted(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    write(ws / "data" / "sub" / "new.bin", b"\x00new\xff")
    assert_error(dws(ws, "restore", "S1", check=False), r"new\.bin")
    assert (ws / "data" / "sub" / "new.bin").read_bytes() == b"\x00new\xff"
    dws(ws, "restore", "S1", "--force")
    assert not (ws / "data" / "sub").exists()


def test_content_held_by_another_snapshot_is_safe(data_ws: Path) -> None:
    """The working copy equals S2 (a snapshot holds it), so going back to S1 needs no --force."""
    ws = data_ws
    snapshot_pair(ws)
    dws(ws, "restore", "S1")
    write(ws / "data" / "f.txt", "v2\n")  # by hand, same bytes as S2 holds
    dws(ws, "restore", "S1")
    assert (ws / "data" / "f.txt").read_text() == "v1\n"


def test_deleted_local_file_needs_no_force(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    (ws / "data" / "f.txt").unlink()
    dws(ws, "restore", "S1")
    assert (ws / "data" / "f.txt").read_text() == "v1\n"


def test_new_symlink_is_not_lost(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    symlink(ws / "data" / "mylink", "/some/where/important")
    assert_error(dws(ws, "restore", "S1", check=False), "mylink")
    assert os.readlink(ws / "data" / "mylink") == "/some/where/important"


def test_retargeted_symlink_is_not_lost(data_ws: Path) -> None:
    ws = data_ws
    symlink(ws / "data" / "link", "v1-target")
    snapshot_pair(ws)
    symlink(ws / "data" / "link", "never-snapshotted-target")
    assert_error(dws(ws, "restore", "S1", check=False), "link")
    assert os.readlink(ws / "data" / "link") == "never-snapshotted-target"
    dws(ws, "restore", "S1", "--force")
    assert os.readlink(ws / "data" / "link") == "v1-target"


def test_uncommitted_git_subdir_change_is_not_lost(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    write(ws / "code" / "c.py", "uncommitted work\n")
    head = git_out(ws, "rev-parse", "HEAD")
    assert_error(dws(ws, "restore", "S1", check=False), r"c\.py")
    assert (ws / "code" / "c.py").read_text() == "uncommitted work\n"
    assert (ws / "data" / "f.txt").read_text() == "v2\n", "data was restored although the restore was refused"
    assert git_out(ws, "rev-parse", "HEAD") == head
    dws(ws, "restore", "S1", "--force")
    assert (ws / "code" / "c.py").read_text() == "v1\n"
    assert git_out(ws, "status", "--porcelain") == ""


@pytest.mark.parametrize("how", ["untracked", "staged", "deleted"])
def test_other_git_subdir_changes_are_not_lost(data_ws: Path, how: str) -> None:
    ws = data_ws
    snapshot_pair(ws)
    if how == "untracked":
        write(ws / "code" / "scratch.py", "mine\n")
    elif how == "staged":
        write(ws / "code" / "c.py", "staged work\n")
        git(ws, "add", "code/c.py")
    else:
        (ws / "code" / "c.py").unlink()
    before = tree_state(ws / "code")
    assert_error(dws(ws, "restore", "S1", check=False), r"scratch\.py|c\.py")
    assert tree_state(ws / "code") == before


def test_committed_but_not_snapshotted_work_is_kept_in_history(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    write(ws / "code" / "c.py", "committed by the user\n")
    git(ws, "commit", "-q", "-am", "user work")
    user = git_out(ws, "rev-parse", "HEAD")
    dws(ws, "restore", "S1")  # nothing is lost: the work is in a commit that stays in history
    assert (ws / "code" / "c.py").read_text() == "v1\n"
    git(ws, "merge-base", "--is-ancestor", user, "HEAD")
    assert git_out(ws, "show", f"{user}:code/c.py") == "committed by the user"


def test_refusal_covers_all_resources_before_writing_any(data_ws: Path) -> None:
    """data is safe to restore, code is not: nothing at all is restored."""
    ws = data_ws
    snapshot_pair(ws)
    write(ws / "code" / "c.py", "uncommitted\n")
    before = tree_state(ws)
    assert_error(dws(ws, "restore", "S1", check=False))
    assert tree_state(ws) == before


def test_refusal_lists_every_resource(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    write(ws / "code" / "c.py", "uncommitted\n")
    write(ws / "data" / "f.txt", "unsnapshotted\n")
    err = assert_error(dws(ws, "restore", "S1", check=False))
    assert "c.py" in err and "f.txt" in err


def test_force_only_discards_in_the_restored_resources(data_ws: Path) -> None:
    ws = data_ws
    snapshot_pair(ws)
    write(ws / "code" / "c.py", "uncommitted, must survive --leave code\n")
    write(ws / "data" / "f.txt", "discard me\n")
    dws(ws, "restore", "S1", "--force", "--leave", "code")
    assert (ws / "data" / "f.txt").read_text() == "v1\n"
    assert (ws / "code" / "c.py").read_text() == "uncommitted, must survive --leave code\n"


def test_no_store_resource_reports_drift_and_changes_nothing(ws: Path) -> None:
    write(ws / "big" / "a.bin", "a\n")
    write(ws / "big" / "gone.bin", "gone\n")
    dws(ws, "add", "local-files", "big", "--role", "source-data", "--no-store")
    take(ws, "S1")
    assert not list((ws / ".git" / "dws" / "objects").rglob("*.pack")), "--no-store content was stored"
    write(ws / "big" / "a.bin", "changed\n")
    (ws / "big" / "gone.bin").unlink()
    before = tree_state(ws / "big")
    proc = dws(ws, "restore", "S1")
    assert "Traceback" not in proc.stderr
    assert tree_state(ws / "big") == before
    warning = [line for line in proc.stderr.splitlines() if "big" in line]
    assert warning and warning[0].startswith("warning: "), proc.stderr
    assert "1 modified" in warning[0]
    assert "restored" not in proc.stdout.lower() or "big" not in proc.stdout


def test_no_store_drift_report_agrees_with_status(ws: Path) -> None:
    write(ws / "big" / "a.bin", "a\n")
    dws(ws, "add", "local-files", "big", "--role", "source-data", "--no-store")
    take(ws, "S1")
    write(ws / "big" / "new.bin", "new\n")
    proc = dws(ws, "restore", "S1")
    assert "1 added" in proc.stderr and "deleted" not in proc.stderr.replace("0 deleted", ""), proc.stderr
